"""Graph + shapes → ValidationReport. Non-conformance is data, never an exception.

Two engines share one report:
- ``"sparql"`` (default): the shapes compiled to SPARQL and run by Oxigraph on the scratch dataset
  (see :mod:`ptce_kg.validate.sparql_engine`); fast enough for a million triples;
- ``"pyshacl"``: the reference implementation, used to cross-check the fast engine in the tests.

Only nodes of the source graph (subjects and objects, literals included) are focus nodes, and
``sh:targetNode`` nodes that occur nowhere in the dataset; the rest of the dataset (ontology,
vocabularies, hierarchy closure, other sources) is context that ``sh:class`` and SPARQL constraints
can see.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ptce_kg.errors import SourceError
from ptce_kg.namespaces import SH
from ptce_kg.validate._results import PathExpr as PathExpr
from ptce_kg.validate._results import Severity as Severity
from ptce_kg.validate._results import ValidationReport as ValidationReport
from ptce_kg.validate._results import ValidationResult as ValidationResult
from ptce_kg.validate._results import add_path as add_path
from ptce_kg.validate._written import Written as Written

log = logging.getLogger(__name__)


def load_shapes(paths: Iterable[Path]) -> Graph:
    """Read SHACL shapes files (Turtle) into one graph.

    Raises:
        SourceError: if a file cannot be parsed.
    """
    graph = Graph()
    for path in paths:
        try:
            graph.parse(path, format="turtle")
        except (OSError, SyntaxError, ValueError) as e:
            raise SourceError(f"cannot read shapes: {e}", path=str(path)) from e
    return graph


def shapes_files(shapes_dir: Path) -> list[Path]:
    """Return the shapes files of ``shapes_dir`` (core first)."""
    return sorted(shapes_dir.glob("*.ttl"), key=lambda p: (p.stem != "ptce-core", p.name))


def _term_text(term: Node) -> str:
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _union_graph(dataset: Any, written: Written | None) -> Graph:
    """The union of ``dataset``'s graphs, with the literals as ``written``, as an rdflib graph
    whose blank nodes keep the dataset's identifiers (so that results on them can be told apart
    and kept when they are in focus)."""
    from ptce_kg.validate.sparql_engine import _rdf

    union = dataset.query(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True
    )
    graph = Graph()
    add = graph.add
    try:  # the result is dropped here, on its own thread, whatever happens
        for t in union:
            s, p = _rdf(t.subject), _rdf(t.predicate)
            forms = written.forms(t.subject, t.predicate.value, t.object) if written else None
            for o in forms or (t.object,):
                add((s, p, _rdf(o)))
    finally:
        del union
    return graph


def validate_pyshacl(
    dataset: Any,
    shapes: Graph,
    *,
    focus_graphs: Sequence[str],
    focus_nodes: Collection[str] = (),
    data: Graph | None = None,
    written: Written | None = None,
) -> list[ValidationResult]:
    """Validate with pySHACL (the reference): union of the graphs, focus from ``focus_graphs``
    and ``focus_nodes``.

    ``data`` is the data graph as parsed from the original files; without it, the dataset is read
    back from Oxigraph, whose store keeps literals in canonical form (``xsd:int`` as
    ``xsd:integer``…), and ``written`` (from the parsed input) puts back the literals as written,
    so that the reference sees the data as written.
    """
    import pyshacl

    if data is None:
        data = _union_graph(dataset, written)
    focus = _focus_nodes(dataset, focus_graphs) | set(focus_nodes)
    _conforms, report_graph, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    from ptce_kg.validate._shapes import path_expr
    from ptce_kg.validate.sparql_engine import _FocusFilter

    in_focus = _FocusFilter(dataset, focus_graphs, focus_nodes)
    results = []
    for node in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus_node = report_graph.value(node, SH.focusNode)
        if focus_node is None:
            continue
        if isinstance(focus_node, BNode):  # the dataset's own, unless ``data`` was given
            if _term_text(focus_node) not in focus:
                continue
        elif not in_focus(_ox_term(focus_node)):
            continue
        path = report_graph.value(node, SH.resultPath)
        value = report_graph.value(node, SH.value)
        message = report_graph.value(node, SH.resultMessage)
        severity = report_graph.value(node, SH.resultSeverity)
        results.append(
            ValidationResult(
                severity=Severity.from_iri(str(severity)),
                focus=_term_text(focus_node),
                message=str(message) if message is not None else "",
                shape=_term_text(report_graph.value(node, SH.sourceShape) or BNode()),
                path=str(path) if isinstance(path, URIRef) else None,
                value=_term_text(value) if value is not None else None,
                constraint=str(report_graph.value(node, SH.sourceConstraintComponent)),
                focus_node=focus_node,
                value_node=value,
                path_expr=path_expr(report_graph, path) if isinstance(path, BNode) else None,
                severity_iri=(
                    URIRef(str(severity))
                    if severity is not None and str(severity) not in _SEVERITY_IRIS
                    else None
                ),
            )
        )
    return results


_SEVERITY_IRIS = {str(SH.Info), str(SH.Warning), str(SH.Violation)}


def _ox_term(term: Node) -> Any:
    """The Oxigraph term of an rdflib IRI or literal."""
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    return ox.NamedNode(str(term))


def _focus_nodes(dataset: Any, focus_graphs: Sequence[str]) -> set[str]:
    nodes: set[str] = set()
    for g in focus_graphs:
        for quad in dataset.quads_for_pattern(None, None, None, ox.NamedNode(g)):
            for term in (quad.subject, quad.object):
                if isinstance(term, ox.NamedNode | ox.BlankNode):
                    nodes.add(_node_text(term))
    return nodes


def touched_nodes(data: Any, described: set[str], referenced: set[str]) -> set[str]:
    """The nodes to validate in ``data`` (an Oxigraph dataset) when the triples of ``described``
    nodes pointing to ``referenced`` ones (N-Quads terms) changed.

    They are the changed nodes, the nodes they point to or pointed to, and the nodes that point to
    a changed node (their ``sh:class``/``sh:node`` may depend on it), found through the dataset's
    indexes; what is returned is those of them that have triples, and the nodes their triples
    point to (IRIs, ``_:id`` for blank nodes), for ``validate_dataset(focus_nodes=…)``.
    """
    focus_nodes = {node for node in map(_ox_node, described | referenced) if node is not None}
    for node in [n for n in map(_ox_node, described) if n is not None]:
        focus_nodes.update(
            q.subject
            for q in data.quads_for_pattern(None, None, node)
            if isinstance(q.subject, ox.NamedNode | ox.BlankNode)  # not a quoted triple
        )
    reported: set[str] = set()
    for node in focus_nodes:
        for quad in data.quads_for_pattern(node, None, None):
            reported.add(_node_text(node))
            if isinstance(quad.object, ox.NamedNode | ox.BlankNode):
                reported.add(_node_text(quad.object))
    return reported


def _ox_node(term: str) -> Any:
    """The Oxigraph node of an N-Quads term (IRI or blank node); ``None`` for anything else."""
    if term.startswith("<") and term.endswith(">"):
        return ox.NamedNode(term[1:-1])
    if term.startswith("_:"):
        return ox.BlankNode(term[2:])
    return None


def _node_text(node: Any) -> str:
    """A node as validation reports name it: the IRI, or ``_:id``."""
    return f"_:{node.value}" if isinstance(node, ox.BlankNode) else str(node.value)


def validate_dataset(
    dataset: Any,
    shapes: Graph,
    *,
    focus_graphs: Sequence[str],
    focus_nodes: Collection[str] = (),
    engine: str = "pyshacl",
    source: str | None = None,
    written: Written | None = None,
) -> ValidationReport:
    """Validate the nodes of ``focus_graphs`` in the scratch ``dataset`` against ``shapes``.

    ``dataset`` is an in-memory Oxigraph dataset (from :mod:`ptce_kg.ingest`); its other graphs are
    context. ``focus_nodes`` (IRIs, ``_:id`` for blank nodes) are reported too, wherever their
    triples are. ``written`` (:meth:`Written.from_quads` of the parsed input's
    ``as_written``) lets both engines see literals as written where the store keeps them in
    canonical form (derived datatypes such as ``xsd:int``, ``"4.0"`` as ``"4"``). Returns a
    report; never raises because data does not conform.
    """
    if engine == "pyshacl":
        results = validate_pyshacl(
            dataset, shapes, focus_graphs=focus_graphs, focus_nodes=focus_nodes, written=written
        )
    elif engine == "sparql":
        from ptce_kg.validate.sparql_engine import validate_sparql

        results = validate_sparql(
            dataset, shapes, focus_graphs=focus_graphs, focus_nodes=focus_nodes, written=written
        )
    else:
        raise ValueError(f"unknown validation engine {engine!r}")
    return ValidationReport(results=results, source=source)
