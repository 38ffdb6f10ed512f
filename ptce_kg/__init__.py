"""ptce_kg: the knowledge base of France's PTCE (pôles territoriaux de coopération économique).

A command (``ptce-kg``), a web service, and a library. What a program needs is named here:

- **open a store**: :func:`open_store` — a directory (Oxigraph on disk), ``":memory:"``, or the URL
  of a SPARQL 1.1 endpoint — gives a :class:`Store`;
- **load and validate**: :func:`load_ontology`, then each source file validated against the shapes
  (:func:`read_shapes`) by :func:`validate_source` (nothing written) or :func:`load_source`
  (written only if it conforms, else :class:`DataRejected`);
- **run a named query**: :func:`load_queries` reads the research queries, :func:`run_query` binds
  their parameters and runs them;
- **compare** two to five PTCEs: :func:`compare_ptces`;
- the project's own ontology, shapes, queries and data: :func:`source_dir`.

Errors derive from :class:`PtceError` and say what to do (``hint``). The names are imported on
first use: ``import ptce_kg`` alone stays cheap (query workers and parse children import it).

A session on the synthetic example shipped with the project:

>>> import ptce_kg
>>> store = ptce_kg.open_store(":memory:")
>>> ptce_kg.load_ontology(store, ptce_kg.source_dir("ontology")) > 0
True
>>> shapes = ptce_kg.read_shapes(ptce_kg.source_dir("shapes"))
>>> example = ptce_kg.source_dir("data") / "examples" / "synthetic-example.ttl"
>>> report = ptce_kg.validate_source(
...     store, example, shapes, base_iri=ptce_kg.DEFAULT_BASE, engine="sparql"
... )
>>> report.conforms, len(report.violations), len(report.warnings) > 0
(True, 0, True)
>>> loaded = ptce_kg.load_source(store, example, shapes, base_iri=ptce_kg.DEFAULT_BASE)
>>> loaded.graph
'https://w3id.org/ptce/graph/synthetic-example'

>>> queries = ptce_kg.load_queries(ptce_kg.source_dir("queries"))
>>> result = ptce_kg.run_query(store, queries["ptce_trajectories"], {}, lang="en")
>>> sorted((str(row["ptce_label"]), str(row["founded"])) for row in result.bindings())
... # doctest: +NORMALIZE_WHITESPACE
[('Pôle de coopération A (synthétique)', '2014'),
 ('Pôle de coopération B (synthétique)', '2021'),
 ('Pôle filière bois C (synthétique)', '2019-09-15')]

>>> comparison = ptce_kg.compare_ptces(store, ["synthetic-a", "synthetic-b"], lang="en")
>>> [profile.key for profile in comparison.profiles]
['synthetic-a', 'synthetic-b']
>>> 0 < comparison.matrix[0][1].total < comparison.matrix[0][0].total == 1.0
True
>>> store.close()

A source with a violation is refused and the store keeps what it had:

>>> store = ptce_kg.open_store(":memory:")
>>> _ = ptce_kg.load_ontology(store, ptce_kg.source_dir("ontology"))
>>> import pathlib, tempfile
>>> bad = pathlib.Path(tempfile.mkdtemp()) / "bad.ttl"
>>> _ = bad.write_text(
...     "<https://w3id.org/ptce/id/ptce/x> a <https://w3id.org/ptce/ontology#PTCE> .\\n"
... )
>>> try:
...     ptce_kg.load_source(store, bad, shapes, base_iri=ptce_kg.DEFAULT_BASE)
... except ptce_kg.DataRejected as rejected:
...     print(rejected.report.conforms)
False
>>> "https://w3id.org/ptce/graph/bad" in store.graph_sizes()
False
>>> store.close()
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ptce_kg.compare import Comparison as Comparison
    from ptce_kg.compare import compare_ptces as compare_ptces
    from ptce_kg.config import source_dir as source_dir
    from ptce_kg.errors import DataRejected as DataRejected
    from ptce_kg.errors import PtceError as PtceError
    from ptce_kg.errors import QueryError as QueryError
    from ptce_kg.errors import SourceError as SourceError
    from ptce_kg.errors import StoreError as StoreError
    from ptce_kg.namespaces import DEFAULT_BASE as DEFAULT_BASE
    from ptce_kg.pipeline import LoadOutcome as LoadOutcome
    from ptce_kg.pipeline import load_ontology as load_ontology
    from ptce_kg.pipeline import load_source as load_source
    from ptce_kg.pipeline import read_shapes as read_shapes
    from ptce_kg.pipeline import validate_source as validate_source
    from ptce_kg.queries import NamedQuery as NamedQuery
    from ptce_kg.queries import load_queries as load_queries
    from ptce_kg.queries import run_query as run_query
    from ptce_kg.store import QueryResult as QueryResult
    from ptce_kg.store import Store as Store
    from ptce_kg.store import open_store as open_store
    from ptce_kg.validate import Severity as Severity
    from ptce_kg.validate import ValidationReport as ValidationReport

#: Where each public name lives (imported on first use).
_HOMES = {
    "Comparison": "ptce_kg.compare",
    "compare_ptces": "ptce_kg.compare",
    "source_dir": "ptce_kg.config",
    "DataRejected": "ptce_kg.errors",
    "PtceError": "ptce_kg.errors",
    "QueryError": "ptce_kg.errors",
    "SourceError": "ptce_kg.errors",
    "StoreError": "ptce_kg.errors",
    "DEFAULT_BASE": "ptce_kg.namespaces",
    "LoadOutcome": "ptce_kg.pipeline",
    "load_ontology": "ptce_kg.pipeline",
    "load_source": "ptce_kg.pipeline",
    "read_shapes": "ptce_kg.pipeline",
    "validate_source": "ptce_kg.pipeline",
    "NamedQuery": "ptce_kg.queries",
    "load_queries": "ptce_kg.queries",
    "run_query": "ptce_kg.queries",
    "QueryResult": "ptce_kg.store",
    "Store": "ptce_kg.store",
    "open_store": "ptce_kg.store",
    "Severity": "ptce_kg.validate",
    "ValidationReport": "ptce_kg.validate",
}

__all__ = ["__version__", *sorted(_HOMES)]


def __getattr__(name: str) -> Any:
    """A public name, imported from its home on first use; ``__version__`` from the installed
    metadata (:func:`ptce_kg.version.package_version`)."""
    if name == "__version__":
        from ptce_kg.version import package_version

        return package_version()
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'ptce_kg' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # the next lookup does not come here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
