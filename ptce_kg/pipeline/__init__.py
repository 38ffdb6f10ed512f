"""The one place where the stages meet: parse → entail → validate → store.

A source is one file. It is parsed into a scratch dataset beside the store's current context (the
ontology, its hierarchy closure and every other source), its entailments under the class and
property hierarchy are computed, it is validated, and only then does it replace its named graph —
together with its ``/inferred`` and ``/provenance`` companions — in one store transaction. A source
with any ``sh:Violation`` raises :class:`~ptce_kg.errors.DataRejected` and the store is not touched.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from ptce_kg import reasoning
from ptce_kg.errors import DataRejected, SourceError
from ptce_kg.formats import RdfFormat, format_for_path
from ptce_kg.ingest import ParsedSource, parse_rdf_file
from ptce_kg.ingest.mapping import Vocabularies, read_mapping
from ptce_kg.ingest.rdf import IN_PROCESS, ParseLimits, parse_rdf_bytes, screen_file
from ptce_kg.ingest.spreadsheet import SpreadsheetRdf, read_spreadsheet
from ptce_kg.namespaces import CLOSURE_GRAPH, ONTOLOGY_GRAPH, ONTOLOGY_IRI, VOID, graph_iri
from ptce_kg.nesting import MAX_NESTING_DEPTH
from ptce_kg.store import Store, companion_graphs, is_companion_graph
from ptce_kg.validate import (
    ValidationReport,
    ValidationResult,
    Written,
    load_shapes,
    shapes_files,
    validate_dataset,
)
from ptce_kg.version import package_version

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


def ontology_files(ontology_dir: Path) -> list[Path]:
    """Return the ontology, its alignments and its vocabularies, in a stable order."""
    files = sorted(ontology_dir.glob("*.ttl")) + sorted(
        (ontology_dir / "vocabularies").glob("*.ttl")
    )
    if not files:
        raise SourceError(f"no ontology files in {ontology_dir}", hint="set PTCE_ONTOLOGY_DIR")
    return files


def read_ontology(ontology_dir: Path) -> Graph:
    """Parse the ontology, alignments and vocabularies into one graph.

    Raises:
        SourceError: if a file cannot be parsed.
    """
    graph = Graph()
    for path in ontology_files(ontology_dir):
        try:
            graph.parse(path, format="turtle")
        except (OSError, SyntaxError, ValueError) as e:
            raise SourceError(f"cannot parse the ontology: {e}", path=str(path)) from e
    return graph


def load_ontology(store: Store, ontology_dir: Path) -> int:
    """Store the ontology and its hierarchy closure, then refresh every source's entailments.

    Returns the number of ontology triples.
    """
    ontology = read_ontology(ontology_dir)
    hierarchy = reasoning.load_hierarchy(ontology)
    closure = reasoning.closure_graph(hierarchy)
    store.replace_graphs(
        {
            str(ONTOLOGY_GRAPH): ontology.serialize(format="nt", encoding="utf-8"),
            str(CLOSURE_GRAPH): closure.serialize(format="nt", encoding="utf-8"),
        }
    )
    for graph in source_graphs(store):
        inferred, _prov = companion_graphs(graph)
        store.replace_graphs({inferred: entail_in_store(store, graph, hierarchy)})
    return len(ontology)


def source_graphs(store: Store) -> list[str]:
    """Return the named graphs that hold sources (not the ontology, closure or companions)."""
    reserved = {str(ONTOLOGY_GRAPH), str(CLOSURE_GRAPH)}
    return sorted(
        g for g in store.graph_sizes() if g and g not in reserved and not is_companion_graph(g)
    )


def entail_in_store(store: Store, graph: str, hierarchy: reasoning.Hierarchy) -> bytes:
    """What ``graph`` entails, computed inside ``store`` (N-Triples)."""
    queries = reasoning.entailment_queries(hierarchy, graph, closure=str(CLOSURE_GRAPH))
    return b"".join(store.query_serialized(q, "application/n-triples")[1] for q in queries)


#: Hierarchies of the last few ontologies seen, by the SHA-256 of their N-Triples.
_HIERARCHIES: dict[bytes, reasoning.Hierarchy] = {}
_HIERARCHIES_LOCK = threading.Lock()


def store_hierarchy(store: Store) -> reasoning.Hierarchy:
    """The class and property hierarchy of the ontology currently in the store.

    Every write needs it: the hierarchy is kept per ontology content (its dump is cheap, reading
    it with rdflib took 30-110 ms), so a new ontology is read again and an unchanged one is not.
    """
    ntriples = store.graph_triples(str(ONTOLOGY_GRAPH))
    key = hashlib.sha256(ntriples).digest()
    with _HIERARCHIES_LOCK:
        cached = _HIERARCHIES.get(key)
    if cached is not None:
        return cached
    ontology = Graph()
    ontology.parse(data=ntriples, format="nt")
    hierarchy = reasoning.load_hierarchy(ontology)
    with _HIERARCHIES_LOCK:
        if len(_HIERARCHIES) >= 4:
            _HIERARCHIES.pop(next(iter(_HIERARCHIES)))
        _HIERARCHIES[key] = hierarchy
    return hierarchy


def entail_source(parsed: ParsedSource, hierarchy: reasoning.Hierarchy) -> bytes:
    """What the parsed source entails, computed in its scratch dataset (N-Triples)."""
    queries = reasoning.entailment_queries(hierarchy, parsed.graph, closure=str(CLOSURE_GRAPH))
    return b"".join(parsed.construct(q) for q in queries)


def provenance_ntriples(graph: str, *, source: str, media_type: str, triples: int) -> bytes:
    """The ``/provenance`` companion of ``graph``: where it came from, when, by which ptce_kg."""
    g = Graph()
    node = URIRef(graph)
    g.add((node, RDF.type, PROV.Entity))
    g.add((node, RDF.type, VOID.Dataset))
    g.add((node, DCTERMS.source, Literal(source)))
    g.add((node, DCTERMS["format"], Literal(media_type)))
    g.add((node, VOID.triples, Literal(triples, datatype=XSD.integer)))
    now = datetime.now(UTC).replace(microsecond=0)
    g.add((node, PROV.generatedAtTime, Literal(now.isoformat(), datatype=XSD.dateTime)))
    g.add((node, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
    g.add((node, PROV.wasAttributedTo, Literal(f"ptce_kg {package_version()}")))
    return g.serialize(format="nt", encoding="utf-8")


@dataclass
class LoadOutcome:
    """What happened to one source."""

    path: Path
    graph: str
    triples: int = 0
    inferred: int = 0
    report: ValidationReport = field(default_factory=ValidationReport)
    validated: bool = True


def context_quads(store: Store, exclude: Sequence[str]) -> bytes:
    """The store's content minus ``exclude`` and the provenance graphs, as N-Quads (the validation
    context), read in one call (one request on a remote store)."""
    return store.graphs_quads(exclude, suffixes=("/provenance",))


def prepare_source(
    store: Store,
    path: Path,
    *,
    fmt: str | None = None,
    graph: str | None = None,
    base_iri: str,
    limits: ParseLimits = IN_PROCESS,
) -> ParsedSource:
    """Parse ``path`` (within ``limits``) into a scratch dataset with the store's context and its
    entailments."""
    rdf_format = format_for_path(path, fmt)
    target = graph or str(graph_iri(path.stem, base=base_iri))
    return _in_context(store, parse_rdf_file(path, rdf_format, graph=target, limits=limits))


def _in_context(store: Store, parsed: ParsedSource) -> ParsedSource:
    """Add the store's context (minus the source's own graphs) and the source's entailments."""
    inferred, provenance = companion_graphs(parsed.graph)
    parsed.add_quads(context_quads(store, [parsed.graph, inferred, provenance]))
    parsed.add_triples(inferred, entail_source(parsed, store_hierarchy(store)))
    return parsed


def _admit(
    store: Store,
    parsed: ParsedSource,
    shapes: Graph,
    *,
    path: Path,
    engine: str,
    media_type: str | None = None,
    locate: Callable[[ValidationResult], ValidationResult] | None = None,
    write: bool = True,
    say: Progress = lambda _msg: None,
) -> LoadOutcome:
    """Validate a prepared source and, if it conforms, write it with its companions in one
    transaction (unless ``write`` is false). ``locate`` rewrites results to point at the input."""
    inferred, provenance = companion_graphs(parsed.graph)
    say(f"validating {path.name} ({parsed.triples} triples)")
    report = validate_dataset(
        parsed.dataset,
        shapes,
        focus_graphs=[parsed.graph, inferred],
        engine=engine,
        source=str(path),
        written=Written.from_quads(parsed.as_written),
    )
    if locate is not None:
        report = ValidationReport(results=[locate(r) for r in report.results], source=report.source)
    if not report.conforms:
        raise DataRejected(
            f"{path}: rejected, {len(report.violations)} violation(s); nothing was stored",
            report=report,
        )
    inferred_nt = parsed.graph_ntriples(inferred)
    if write:
        say(f"storing {path.name}")
        prov = provenance_ntriples(
            parsed.graph,
            source=path.name,
            media_type=media_type or parsed.fmt.media_type,
            triples=parsed.triples,
        )
        source_nt = parsed.graph_ntriples()
        parsed.release()  # the scratch dataset is not needed past this point: free it first
        store.replace_graphs({parsed.graph: source_nt, inferred: inferred_nt, provenance: prov})
        del source_nt
    return LoadOutcome(
        path=path,
        graph=parsed.graph,
        triples=parsed.triples,
        inferred=inferred_nt.count(b"\n"),
        report=report,
    )


def validate_source(
    store: Store,
    path: Path,
    shapes: Graph,
    *,
    fmt: str | None = None,
    base_iri: str,
    engine: str,
    limits: ParseLimits = IN_PROCESS,
) -> ValidationReport:
    """Validate one file against ``shapes`` in the store's context; the store is not changed."""
    parsed = prepare_source(store, path, fmt=fmt, base_iri=base_iri, limits=limits)
    inferred, _prov = companion_graphs(parsed.graph)
    return validate_dataset(
        parsed.dataset,
        shapes,
        focus_graphs=[parsed.graph, inferred],
        engine=engine,
        source=str(path),
        written=Written.from_quads(parsed.as_written),
    )


def load_source(
    store: Store,
    path: Path,
    shapes: Graph,
    *,
    fmt: str | None = None,
    graph: str | None = None,
    base_iri: str,
    engine: str = "sparql",
    progress: Progress | None = None,
    limits: ParseLimits = IN_PROCESS,
) -> LoadOutcome:
    """Validate one file and, if it conforms, make it the content of its named graph (atomically).

    The file is parsed within ``limits`` (the command line parses in a child process).

    Raises:
        SourceError: unreadable or unparsable file, nested too deep, or its parse crashed.
        DataRejected: the source has at least one violation; the store is unchanged.
        StoreError: the store could not write.
    """
    say = progress or (lambda _msg: None)
    say(f"parsing {path.name}")
    parsed = prepare_source(store, path, fmt=fmt, graph=graph, base_iri=base_iri, limits=limits)
    return _admit(store, parsed, shapes, path=path, engine=engine, say=say)


def import_spreadsheet(
    store: Store,
    path: Path,
    mapping_path: Path,
    shapes: Graph,
    *,
    vocabularies_dir: Path,
    sheets: Sequence[str] = (),
    graph: str | None = None,
    base_iri: str,
    engine: str = "sparql",
    dry_run: bool = False,
) -> tuple[SpreadsheetRdf, LoadOutcome]:
    """Turn a spreadsheet's rows into RDF through a mapping, validate it in the store's context and,
    if it conforms, make it the content of ONE source graph (atomically, like :func:`load_source`).

    Validation results are traced back to the sheet, row and column of the node they are about.
    With ``dry_run`` everything happens except the write.

    Raises:
        SourceError: unreadable file.
        MappingError: a bad mapping, or cells that cannot be read (all listed, by sheet/row/column).
        DataRejected: the rows have at least one violation; the store is unchanged.
    """
    vocabularies = Vocabularies.read(vocabularies_dir)
    mapping = read_mapping(mapping_path, schemes=vocabularies.schemes)
    rows = read_spreadsheet(path, mapping, vocabularies, sheets=sheets, base=base_iri)
    if rows.problems:
        raise rows.error()
    target = graph or str(graph_iri(path.stem, base=base_iri))
    parsed = parse_rdf_bytes(rows.ntriples(), RdfFormat.N_TRIPLES, graph=target, source=str(path))
    outcome = _admit(
        store,
        _in_context(store, parsed),
        shapes,
        path=path,
        engine=engine,
        media_type=rows.media_type,
        locate=lambda r: _located(r, rows),
        write=not dry_run,
    )
    return rows, outcome


def _located(result: ValidationResult, rows: SpreadsheetRdf) -> ValidationResult:
    where = rows.locate(result.focus, result.path)
    return replace(result, message=f"{result.message} — {where}") if where else result


def bulk_load_source(
    store: Store,
    path: Path,
    *,
    fmt: str | None = None,
    graph: str | None = None,
    base_iri: str,
    max_depth: int = MAX_NESTING_DEPTH,
) -> LoadOutcome:
    """Load a trusted file through the store's bulk loader: no validation, not atomic.

    The file is screened first (nesting at most ``max_depth``, XML entities), as any other: what
    the store holds never nests deeper than the rest of ptce_kg handles.

    The entailments of every source graph the file filled are then computed in the store (the
    ``/inferred`` companions), as for a validated load: queries that rely on the materialised class
    hierarchy give the same answers whichever way the data came in.
    """
    rdf_format = format_for_path(path, fmt)
    target = (
        None
        if rdf_format.has_graphs and graph is None
        else graph or str(graph_iri(path.stem, base=base_iri))
    )
    screen_file(path, rdf_format, max_depth=max_depth)
    before = store.quad_count()
    sizes_before = store.graph_sizes()
    store.bulk_load(path, rdf_format, target)
    sizes_after = store.graph_sizes()
    filled = [
        g for g in source_graphs(store) if g == target or sizes_after.get(g) != sizes_before.get(g)
    ]
    if filled and str(ONTOLOGY_GRAPH) in sizes_after:
        hierarchy = store_hierarchy(store)
        store.replace_graphs(
            {companion_graphs(g)[0]: entail_in_store(store, g, hierarchy) for g in filled}
        )
    return LoadOutcome(
        path=path,
        graph=target or "(graphs of the file)",
        triples=store.quad_count() - before,
        validated=False,
    )


def read_shapes(shapes_dir: Path) -> Graph:
    """Read every shapes file of ``shapes_dir``."""
    files = shapes_files(shapes_dir)
    if not files:
        raise SourceError(f"no shapes in {shapes_dir}", hint="set PTCE_SHAPES_DIR")
    return load_shapes(files)


def drop_source(store: Store, graph: str) -> None:
    """Remove a source graph and its companions in one transaction."""
    store.drop_graphs([graph, *companion_graphs(graph)])
