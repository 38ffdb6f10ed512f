"""Writes through HTTP: Graph Store Protocol (put_graph, delete_graph) and SPARQL Update
(update_dataset). Each write is validated in a scratch copy before it reaches the store, and reaches
it in one transaction. The caller (the web adapter) serialises writers; these functions do not lock.

The store's own default graph (``""`` here) is writable too: it holds what clients put there (the
Graph Store's ``?default``, an update's triples outside ``GRAPH``). Queries see it in their union
default graph. It is validated like any graph but, unlike a source graph, has no ``/inferred`` or
``/provenance`` companion: PTCE data belongs in named graphs.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from ptce_kg import reasoning
from ptce_kg.errors import DataRejected, NotFound, QueryError, QueryRefused, SourceError
from ptce_kg.formats import RdfFormat
from ptce_kg.ingest.isolation import check_update_isolated
from ptce_kg.ingest.rdf import IN_PROCESS, ParseLimits, parse_rdf_bytes
from ptce_kg.namespaces import (
    CLOSURE_GRAPH,
    ONTOLOGY_GRAPH,
    PROVENANCE_GRAPH,
)
from ptce_kg.pipeline import (
    context_quads,
    entail_in_store,
    entail_source,
    provenance_ntriples,
    store_hierarchy,
)
from ptce_kg.sparql.lexer import tokens as sparql_tokens
from ptce_kg.sparql.reach import analyse_update, inserted_typed_literals
from ptce_kg.store import (
    EmbeddedStore,
    Store,
    companion_graphs,
    is_companion_graph,
    open_embedded_store,
)
from ptce_kg.validate import ValidationReport, Written, touched_nodes, validate_dataset

log = logging.getLogger(__name__)


#: The scratch graph a body for the default graph is parsed into.
_BODY_GRAPH = "urn:x-ptce:scratch:body"
#: The store's own default graph, as graph names are written in this module.
DEFAULT_GRAPH = ""
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*")
# One term of an N-Quads line as Oxigraph writes it: IRI, blank node, or literal with its tag/type.
_NQ_TERM = re.compile(r'<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?')
_RDF_TYPE = f"<{RDF.type}>"


@dataclass
class WriteOutcome:
    """What a write through HTTP changed: the source graphs, and the validation report."""

    graphs: list[str]
    report: ValidationReport = field(default_factory=ValidationReport)
    created: bool = False
    triples: int = 0


def check_graph_iri(graph: str) -> None:
    """Refuse a graph name that is not an absolute IRI.

    Raises:
        SourceError: ``graph`` is empty, relative or holds characters an IRI cannot hold.
    """
    if not _IRI.fullmatch(graph):
        raise SourceError(
            f"graph name {graph!r} is not an absolute IRI",
            hint="give ?graph=<absolute IRI>, e.g. https://w3id.org/ptce/graph/my-source",
        )


def check_writable_graph(graph: str) -> None:
    """Refuse writes to the ontology, its closure, the provenance graph and companion graphs.

    Raises:
        SourceError: ``graph`` is not an IRI.
        QueryRefused: ``graph`` is managed by ptce_kg, not written directly.
    """
    check_graph_iri(graph)
    managed = {str(ONTOLOGY_GRAPH), str(CLOSURE_GRAPH), str(PROVENANCE_GRAPH)}
    if graph in managed or is_companion_graph(graph):
        raise QueryRefused(
            f"graph <{graph}> is managed by ptce_kg and cannot be written through HTTP",
            hint="write the source graph; its /inferred and /provenance companions follow, and "
            "the ontology is loaded with `ptce-kg load-ontology`",
        )


def _count_lines(ntriples: bytes) -> int:
    return sum(1 for line in ntriples.splitlines() if line.strip())


def parse_body(
    parts: Sequence[tuple[bytes, RdfFormat]], limits: ParseLimits = IN_PROCESS
) -> tuple[bytes, Written]:
    """Parse the parts of a request body (one, or several for multipart/form-data) into N-Triples,
    and the literals as the body wrote them (for validation: the N-Triples are the store's form).

    Each part is parsed on its own with :func:`~ptce_kg.ingest.rdf.parse_rdf_bytes` (its rules:
    at least one triple, no named graph of its own, no relative IRI; nesting and, when isolated,
    memory and time within ``limits``) and gets fresh blank nodes.

    Raises:
        SourceError: a part is not valid in its format, or breaks one of those rules.
    """
    out, as_written = [], []
    for n, (data, fmt) in enumerate(parts):
        where = "request body" if len(parts) == 1 else f"request body part {n + 1}"
        parsed = parse_rdf_bytes(data, fmt, graph=_BODY_GRAPH, source=where, limits=limits)
        # the parser mints fresh blank nodes for every document: parts stay apart
        out.append(parsed.graph_ntriples())
        as_written.extend(parsed.as_written)
    return b"".join(out), Written.from_quads(as_written)


def put_graph(
    store: Store,
    graph: str,
    data: bytes,
    fmt: RdfFormat,
    shapes: Graph,
    *,
    merge: bool = False,
    engine: str = "sparql",
    via: str = "HTTP PUT",
    more: Sequence[tuple[bytes, RdfFormat]] = (),
    limits: ParseLimits = IN_PROCESS,
) -> WriteOutcome:
    """Make ``data`` the content of ``graph`` (added to it with ``merge``) if it conforms.

    The body is parsed within ``limits`` (the web adapter parses in a child process: a parser
    crash is a ``SourceError``, never the server's end).

    ``more`` holds further body parts (``multipart/form-data``), merged with ``data``. ``graph``
    ``""`` is the store's default graph: written through :func:`update_dataset` (validated around
    the triples that change, no companions). For a named graph, the body is parsed into a scratch
    dataset beside the store's context (as :func:`prepare_source` does), merged with the current
    graph for ``merge``, entailed and validated; then the graph and its ``/inferred`` and
    ``/provenance`` companions are replaced in one transaction.

    Raises:
        SourceError: unparsable body (nested too deep, or its parse crashed), a body naming
            graphs of its own, or a bad graph IRI.
        QueryRefused: ``graph`` is managed by ptce_kg.
        DataRejected: the result would hold a violation; the store is unchanged.
        StoreError: the store could not write.
    """
    body, written = parse_body([(data, fmt), *more], limits)
    if graph == DEFAULT_GRAPH:
        insert = "INSERT DATA {\n" + body.decode("utf-8") + "\n}"
        text = insert if merge else f"DROP SILENT DEFAULT ;\n{insert}"
        outcome = update_dataset(store, text, shapes, engine=engine, via=via, written=written)
        return WriteOutcome(
            graphs=outcome.graphs, report=outcome.report, triples=_count_lines(body)
        )
    check_writable_graph(graph)
    existed = graph in store.graph_sizes()
    # the body as the parser(s) wrote it: N-Triples, parsed here, keeping its blank nodes (those
    # that ``written`` knows)
    parsed = parse_rdf_bytes(
        body,
        RdfFormat.N_TRIPLES,
        graph=graph,
        limits=replace(limits, isolated=False),
        fresh_blank_nodes=False,
    )
    if merge and existed:
        parsed.add_triples(graph, store.graph_triples(graph))
    inferred, provenance = companion_graphs(graph)
    parsed.add_quads(context_quads(store, [graph, inferred, provenance]))
    parsed.add_triples(inferred, entail_source(parsed, store_hierarchy(store)))
    # Replacing a graph removes its old triples: nodes of other graphs that relied on them (a
    # PTCE whose memberships were in it) are validated too, as for a DELETE.
    dependents = (
        touched_nodes(parsed.dataset, *_removed_graph_nodes(store.graph_triples(graph)))
        if existed and not merge
        else set()
    )
    report = validate_dataset(
        parsed.dataset,
        shapes,
        focus_graphs=[graph, inferred],
        focus_nodes=dependents,
        engine=engine,
        source=graph,
        written=written,
    )
    if not report.conforms:
        raise DataRejected(
            f"<{graph}>: rejected, {len(report.violations)} violation(s); nothing was stored",
            report=report,
        )
    content = parsed.graph_ntriples()
    triples = _count_lines(content)
    store.replace_graphs(
        {
            graph: content,
            inferred: parsed.graph_ntriples(inferred),
            provenance: provenance_ntriples(
                graph, source=via, media_type=fmt.media_type, triples=triples
            ),
        }
    )
    log.info("%s <%s>: %d triples", via, graph, triples)
    return WriteOutcome(graphs=[graph], report=report, created=not existed, triples=triples)


def delete_graph(
    store: Store, graph: str, shapes: Graph, *, engine: str = "sparql"
) -> WriteOutcome:
    """Remove a source graph and its companions if what remains still conforms.

    ``graph`` ``""`` empties the store's default graph (it always exists: never a NotFound).

    Raises:
        NotFound: no such graph.
        QueryRefused: ``graph`` is managed by ptce_kg.
        DataRejected: other data depends on the graph (a violation would appear); nothing changes.
    """
    if graph == DEFAULT_GRAPH:
        return update_dataset(
            store, "CLEAR SILENT DEFAULT", shapes, engine=engine, via="HTTP DELETE"
        )
    check_writable_graph(graph)
    if graph not in store.graph_sizes():
        raise NotFound(f"no graph <{graph}> in the store", hint="check the graph IRI")
    return update_dataset(store, f"DROP GRAPH <{graph}>", shapes, engine=engine, via="HTTP DELETE")


def refuse_remote_access(update: str, base_iri: str | None = None) -> None:
    """Refuse an update that would reach outside the store (``LOAD`` or ``SERVICE``).

    The clauses are found in rdflib's parse tree (:func:`ptce_kg.sparql.reach.analyse_update`, the
    analysis the endpoint's reach check uses for queries); a write never makes the server fetch
    anything, so no allow-list applies here.

    Raises:
        QueryRefused: the update holds a LOAD or a SERVICE (anywhere, on an IRI or a variable).
        QueryError: it names SERVICE/LOAD and rdflib cannot parse it.
    """
    reach = analyse_update(update, base_iri)
    named = [("LOAD", iri) for iri in reach.loads] + [("SERVICE", iri) for iri in reach.services]
    if named:
        keyword, iri = named[0]
        target = iri if iri.startswith("?") else f"<{iri}>"
        raise QueryRefused(
            f"{keyword} {target} is not allowed in an update: writes never reach outside the store",
            hint="send the data itself (INSERT DATA, or PUT /store?graph=…)",
        )


def add_protocol_dataset(
    update: str, using_graphs: Sequence[str], using_named_graphs: Sequence[str]
) -> str:
    """Apply the Protocol's ``using-graph-uri`` / ``using-named-graph-uri`` to ``update``.

    As the SPARQL 1.1 Protocol says, they act as ``USING`` / ``USING NAMED`` on every operation
    with a ``WHERE``: the clauses are inserted before each such ``WHERE`` (``DELETE WHERE { P }``
    becomes ``DELETE { P } USING … WHERE { P }``, its long form). Keywords are found by a lexer
    that skips strings, IRIs, variables and comments and counts braces.

    Raises:
        QueryError: a parameter is not an absolute IRI, or the update has USING / WITH of its own
            (the Protocol wants a 400 then).
    """
    if not using_graphs and not using_named_graphs:
        return update
    for graph in (*using_graphs, *using_named_graphs):
        if not _IRI.fullmatch(graph):
            raise QueryError(f"using-graph-uri / using-named-graph-uri {graph!r} is not an IRI")
    clauses = " ".join(
        [f"USING <{g}>" for g in using_graphs] + [f"USING NAMED <{g}>" for g in using_named_graphs]
    )
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), in text order
    depth = 0
    previous = ""
    delete_where: int | None = None  # start of the WHERE of a DELETE WHERE being read
    pattern_start = 0
    for m in sparql_tokens(update):  # strings, IRIs and comments whole: never keywords
        kind = m.lastgroup
        if kind in ("string", "var", "other"):
            continue
        if kind == "open":
            if depth == 0:
                pattern_start = m.start()
            depth += 1
            continue
        if kind == "close":
            depth -= 1
            if depth == 0 and delete_where is not None:
                pattern = update[pattern_start : m.end()]
                edits.append((delete_where, m.end(), f"{pattern} {clauses} WHERE {pattern}"))
                delete_where = None
            continue
        if depth:
            continue
        word = m.group().upper() if kind == "word" else ""
        if word in ("USING", "WITH"):
            raise QueryError(
                f"the update has {word} of its own and the request using-graph-uri / "
                "using-named-graph-uri: give its dataset once",
                hint="drop the parameters, or the update's USING / WITH",
            )
        if word == "WHERE":
            if previous == "DELETE":
                delete_where = m.start()
            else:
                edits.append((m.start(), m.start(), clauses + " "))
        previous = word
    for start, end, text in reversed(edits):
        update = update[:start] + text + update[end:]
    return update


def _nquad_lines(store: Store) -> set[str]:
    buf = io.BytesIO()
    store.dump(buf, RdfFormat.N_QUADS)
    return {line for line in buf.getvalue().decode("utf-8").splitlines() if line.strip()}


def _terms(line: str) -> list[str]:
    """Split an N-Quads line into its 3 (default graph) or 4 terms."""
    return _NQ_TERM.findall(line)


def _copy_to_scratch(store: Store) -> EmbeddedStore:
    scratch = open_embedded_store(None)
    sizes = store.graph_sizes()
    graphs = {g: store.graph_triples(g) for g in sizes if g}
    if graphs:
        scratch.replace_graphs(graphs)
    if sizes.get(""):
        _kind, body = store.query_serialized(
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "application/n-triples", default_graph=[""]
        )
        scratch.update("INSERT DATA {\n" + body.decode("utf-8") + "\n}")
    return scratch


def _companion_refresh(
    graph: str, exists: bool, triples: int, hierarchy: reasoning.Hierarchy
) -> str:
    """SPARQL update operations that recompute ``graph``'s companions inside the store."""
    inferred, provenance = companion_graphs(graph)
    ops = [f"DROP SILENT GRAPH <{inferred}>", f"DROP SILENT GRAPH <{provenance}>"]
    if not exists:
        return ";\n".join(ops)
    ops.extend(
        reasoning.entailment_updates(hierarchy, graph, closure=str(CLOSURE_GRAPH), into=inferred)
    )
    nt = provenance_ntriples(
        graph, source="SPARQL Update", media_type="application/sparql-update", triples=triples
    )
    ops.append(f"INSERT DATA {{ GRAPH <{provenance}> {{\n{nt.decode('utf-8')}\n}} }}")
    return ";\n".join(ops)


def update_dataset(
    store: Store,
    update: str,
    shapes: Graph,
    *,
    engine: str = "sparql",
    via: str = "SPARQL Update",
    base_iri: str | None = None,
    limits: ParseLimits = IN_PROCESS,
    written: Written | None = None,
) -> WriteOutcome:
    """Run a SPARQL update if the data it leaves conforms; refresh the changed graphs' companions.

    The store is copied into an in-memory scratch store (the whole dataset: a few seconds at most
    for ~50k triples), the update runs there, and the quads it added or removed give the changed
    graphs and the touched nodes (see :func:`_validate_touched`). The changed graphs' entailments
    are recomputed and the touched nodes validated. If they conform, the same update and the
    companions' refresh run on the store as one SPARQL update: one transaction. ``base_iri``
    resolves the update's relative IRIs (the endpoint passes its own URL). A change to the default
    graph (``""`` in the outcome) is validated but has no companions. With ``limits.isolated``
    (the web adapter), the update is first run on an empty store in a child process, so that a
    crash of the SPARQL parser cannot end this one. The typed literals that the update inserts
    are validated as the update writes them (``written``, else read from its text), not as the
    store keeps them (``"5"^^xsd:int`` is an ``xsd:int``).

    Raises:
        QueryError: a syntax error in the update.
        QueryRefused: LOAD or SERVICE, or a change to a managed graph.
        DataRejected: the update would leave a violation; the store is unchanged.
        StoreError: the store could not write.
    """
    refuse_remote_access(update, base_iri)  # first: the check below runs the update
    if limits.isolated:  # a crash of the SPARQL parser ends a child, not this process
        check_update_isolated(update, limits, base_iri)
    base = {} if base_iri is None else {"base_iri": base_iri}
    scratch = _copy_to_scratch(store)
    before = _nquad_lines(scratch)
    scratch.update(update, **base)
    after = _nquad_lines(scratch)
    changed_lines = [_terms(line) for line in (after - before) | (before - after)]
    if not changed_lines:
        return WriteOutcome(graphs=[])
    changed: set[str] = set()
    described: set[str] = set()  # subjects of added or removed triples
    referenced: set[str] = set()  # their objects (IRIs, blank nodes), classes aside
    for terms in changed_lines:
        graph = terms[3][1:-1] if len(terms) == 4 else DEFAULT_GRAPH
        if graph != DEFAULT_GRAPH:
            check_writable_graph(graph)
        changed.add(graph)
        described.add(terms[0])
        if terms[1] != _RDF_TYPE and terms[2].startswith(("<", "_:")):
            referenced.add(terms[2])
    sizes = scratch.graph_sizes()
    hierarchy = store_hierarchy(scratch)
    sources = sorted(changed - {DEFAULT_GRAPH})
    refresh: dict[str, bytes] = {}
    for graph in sources:
        inferred, provenance = companion_graphs(graph)
        refresh[inferred] = entail_in_store(scratch, graph, hierarchy) if graph in sizes else b""
        refresh[provenance] = b""
    if refresh:
        scratch.replace_graphs(refresh)
    if written is None:
        written = _inserted_as_written(update, base_iri)
    report = _validate_touched(
        scratch, described, referenced, shapes, engine=engine, source=via, written=written
    )
    if not report.conforms:
        raise DataRejected(
            f"{via}: rejected, {len(report.violations)} violation(s); nothing was changed",
            report=report,
        )
    graphs = {g: (g in sizes, sizes.get(g, 0)) for g in sources}
    _apply_update(store, update, graphs, hierarchy, base)
    log.info("%s: changed %s", via, ", ".join(f"<{g}>" for g in sorted(changed)))
    return WriteOutcome(graphs=sorted(changed), report=report)


def _inserted_as_written(update: str, base_iri: str | None) -> Written:
    """The typed literals ``update`` inserts, as it writes them (subjects that are variables or
    blank nodes stand for any node: the literal alone says what was written)."""
    anything = ox.NamedNode("urn:x-ptce-written:any")

    def node(term: Any) -> Any:
        return ox.NamedNode(str(term)) if isinstance(term, URIRef) else anything

    return Written.from_quads(
        ox.Quad(node(s), node(p), ox.Literal(str(o), datatype=ox.NamedNode(str(o.datatype))))
        for s, p, o in inserted_typed_literals(update, base_iri)
    )


def _validate_touched(
    scratch: EmbeddedStore,
    described: set[str],
    referenced: set[str],
    shapes: Graph,
    *,
    engine: str,
    source: str,
    written: Written | None = None,
) -> ValidationReport:
    """Validate the nodes an update touched, in the scratch store where it ran (the rest of the
    dataset as context).

    The nodes are those of :func:`~ptce_kg.validate.touched_nodes`, found through the store's
    indexes (no copy of the dataset); the ``/provenance`` graphs are dropped from the scratch
    store first, as they are left out of a source's validation context
    (:func:`~ptce_kg.pipeline.context_quads`).
    """
    data = scratch.engine
    provenance = [g for g in scratch.graph_sizes() if g.endswith("/provenance")]
    if provenance:
        scratch.drop_graphs(provenance)
    reported = touched_nodes(data, described, referenced)
    if not reported:
        return ValidationReport(source=source)
    return validate_dataset(
        data,
        shapes,
        focus_graphs=[],
        focus_nodes=reported,
        engine=engine,
        source=source,
        written=written,
    )


def _removed_graph_nodes(old_ntriples: bytes) -> tuple[set[str], set[str]]:
    """The IRIs a replaced graph described and pointed to (classes aside), as N-Triples terms.

    Blank nodes are left out: they do not outlive their graph.
    """
    described: set[str] = set()
    referenced: set[str] = set()
    for line in old_ntriples.decode("utf-8").splitlines():
        terms = _terms(line)
        if len(terms) < 3:
            continue
        if terms[0].startswith("<"):
            described.add(terms[0])
        if terms[1] != _RDF_TYPE and terms[2].startswith("<"):
            referenced.add(terms[2])
    return described, referenced


def _apply_update(
    store: Store,
    update: str,
    graphs: dict[str, tuple[bool, int]],
    hierarchy: reasoning.Hierarchy,
    base: dict[str, str],
) -> None:
    """Run ``update`` and the companions' refresh on the store in one SPARQL update."""
    refresh = ";\n".join(
        _companion_refresh(g, exists, n, hierarchy) for g, (exists, n) in graphs.items()
    )
    if not refresh:
        store.update(update, **base)
        return
    user = update.rstrip()
    user = user[:-1] if user.endswith(";") else user
    try:
        store.update(f"{user}\n;\n{refresh}", **base)
    except QueryError:
        # the update ends in a way that cannot take a following operation (a trailing comment
        # after ';'): run it alone, then refresh the companions (two transactions)
        log.warning("update and companion refresh run as two transactions")
        store.update(update, **base)
        store.update(refresh)
