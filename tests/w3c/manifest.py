"""Read the W3C ``mf:`` test manifests (with rdflib) into plain test records.

The suites are vendored under ``tests/w3c/suites/`` (see its README: upstream commits, licences),
so a clone runs them with nothing beside it. Relative IRIs in a manifest resolve against the
manifest's ``file:`` URL, so a test's files, the graph names its query uses
(``FROM <data-g1.ttl>``) and the IRIs in its expected results all agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

#: The vendored suites: ``rdf-tests/`` (SPARQL 1.0 and 1.1) and ``data-shapes/`` (SHACL).
SUITES = Path(__file__).resolve().parent / "suites"
#: A graph that is never loaded: the default graph of a test without ``qt:data``.
EMPTY_GRAPH = "urn:x-w3c-test:empty"
_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".rdf": ox.RdfFormat.RDF_XML,
}
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")

#: Status names of the ``hts:`` vocabulary the manifests use, as sets of accepted codes.
_STATUS_CODES: dict[str, range] = {
    "StatusCode1xx": range(100, 200),
    "StatusCode2xx": range(200, 300),
    "StatusCode3xx": range(300, 400),
    "StatusCode4xx": range(400, 500),
    "StatusCode5xx": range(500, 600),
    "OK": range(200, 201),
    "Created": range(201, 202),
    "NoContent": range(204, 205),
    "NotFound": range(404, 405),
}


def suites_root() -> Path:
    """Return the vendored ``rdf-tests`` directory; fail loudly (never skip) if it is missing."""
    root = SUITES / "rdf-tests"
    if not (root / "sparql").is_dir():
        raise FileNotFoundError(
            f"W3C test suites not found at {root}: they are vendored in the repository "
            "(tests/w3c/suites/README.md); restore them from git"
        )
    return root


def file_path(iri: Node) -> Path:
    """Return the local path of a ``file:`` IRI."""
    parsed = urlparse(str(iri))
    if parsed.scheme != "file":
        raise ValueError(f"{iri} is not a file: IRI")
    return Path(unquote(parsed.path))


def file_iri(path: Path) -> str:
    """Return the ``file:`` IRI of a path, as rdflib resolves relative IRIs in a manifest."""
    return path.resolve().as_uri()


@dataclass(frozen=True)
class HttpExchange:
    """One ``ht:Request`` of a protocol test and what its ``ht:Response`` must look like."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    statuses: tuple[range, ...]
    expected_format: str | None = None
    expected_boolean: bool | None = None
    expected_headers: tuple[tuple[str, str], ...] = ()
    expected_body: str | None = None
    expected_location: str | None = None

    def status_ok(self, status: int) -> bool:
        """Tell whether ``status`` is one the manifest accepts (any status if none is given)."""
        return not self.statuses or any(status in r for r in self.statuses)


@dataclass(frozen=True)
class W3CTest:
    """One manifest entry, with every file resolved to a local path."""

    iri: str
    kind: str
    name: str
    manifest: Path
    query: Path | None = None
    data: tuple[Path, ...] = ()
    graph_data: tuple[tuple[str, Path], ...] = ()
    result: Path | None = None
    lax_cardinality: bool = False
    requires: frozenset[str] = frozenset()
    exchanges: tuple[HttpExchange, ...] = ()
    comment: str = ""

    @property
    def id(self) -> str:
        """A readable pytest id: ``sparql11/aggregates#agg01``."""
        try:
            where = self.manifest.parent.relative_to(suites_root() / "sparql").as_posix()
        except ValueError:
            where = self.manifest.parent.name
        local = self.iri.rsplit("#", 1)[-1] if "#" in self.iri else self.iri.rsplit("/", 1)[-1]
        return f"{where}#{local}"


def _local(term: Node) -> str:
    text = str(term)
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]


def _items(graph: Graph, head: Node | None) -> list[Node]:
    return [] if head is None else list(Collection(graph, head))


@cache
def _parse(path: Path) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle", publicID=file_iri(path))
    return graph


def iter_manifest(path: Path) -> Iterator[W3CTest]:
    """Yield the entries of the manifest at ``path`` and of those it includes, in order."""
    graph = _parse(path.resolve())
    # A manifest is ``<>`` in most files, a blank node in some (sparql10/construct).
    for me in sorted(set(graph.subjects(MF.include, None)), key=str):
        for included in _items(graph, graph.value(me, MF.include)):
            yield from iter_manifest(file_path(included))
    for me in sorted(set(graph.subjects(MF.entries, None)), key=str):
        for entry in _items(graph, graph.value(me, MF.entries)):
            yield _read_entry(graph, entry, path.resolve())


def load_tests(relative: str, *, kinds: set[str] | None = None) -> list[W3CTest]:
    """Return the entries of ``rdf-tests/<relative>`` (recursively), keeping only ``kinds``."""
    tests = iter_manifest(suites_root() / relative)
    return [t for t in tests if kinds is None or t.kind in kinds]


def _read_entry(graph: Graph, entry: Node, manifest: Path) -> W3CTest:
    kind = _local(graph.value(entry, RDF.type) or MF.Unknown)
    action = graph.value(entry, MF.action)
    query = data = None
    graph_data: list[tuple[str, Path]] = []
    exchanges: tuple[HttpExchange, ...] = ()
    if isinstance(action, URIRef):
        query = file_path(action)  # syntax tests: the action is the query file
    elif action is not None:
        if (q := graph.value(action, QT.query)) is not None:
            query = file_path(q)
        data = tuple(sorted(file_path(d) for d in graph.objects(action, QT.data)))
        for gd in graph.objects(action, QT.graphData):
            graph_data.append(_graph_data(graph, gd, QT.graph))
        requests = graph.value(action, HT.requests)
        if requests is not None:
            exchanges = tuple(_read_request(graph, r) for r in _items(graph, requests))
    for gd in graph.objects(entry, UT.graphData):  # protocol tests name their data here
        graph_data.append(_graph_data(graph, gd, UT.graph))
    result = graph.value(entry, MF.result)
    return W3CTest(
        iri=str(entry),
        kind=kind,
        name=str(graph.value(entry, MF.name) or ""),
        manifest=manifest,
        query=query,
        data=data or (),
        graph_data=tuple(sorted(graph_data)),
        result=file_path(result) if isinstance(result, URIRef) else None,
        lax_cardinality=(entry, MF.resultCardinality, MF.LaxCardinality) in graph,
        requires=frozenset(_local(r) for r in graph.objects(entry, MF.requires)),
        exchanges=exchanges,
        comment=str(graph.value(entry, RDFS.comment) or ""),
    )


def _graph_data(graph: Graph, node: Node, graph_property: URIRef) -> tuple[str, Path]:
    """Return ``(graph name, file)``: a plain file IRI names itself, a node may carry a label."""
    if isinstance(node, URIRef):
        return str(node), file_path(node)
    source = graph.value(node, graph_property)
    if source is None:
        raise ValueError(f"graph data {node} names no file")
    label = graph.value(node, RDFS.label)
    return (str(label) if label is not None else str(source)), file_path(source)


def _headers(graph: Graph, node: Node) -> tuple[tuple[str, str], ...]:
    return tuple(
        (str(graph.value(h, HT.fieldName)).lower(), str(graph.value(h, HT.fieldValue)))
        for h in _items(graph, graph.value(node, HT.headers))
    )


def _read_request(graph: Graph, request: Node) -> HttpExchange:
    body = graph.value(request, HT.body)
    payload = None
    if body is not None:
        encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8")
        payload = str(graph.value(body, CNT.chars)).encode(encoding)
    resp = graph.value(request, HT.resp)
    statuses = tuple(_STATUS_CODES[_local(s)] for s in graph.objects(resp, MF.expectedStatus))
    boolean = graph.value(resp, MF.expectedBoolean)
    fmt = graph.value(resp, MF.expectedFormat)
    location = graph.value(resp, MF.expectedLocation)
    resp_body = graph.value(resp, HT.body)
    return HttpExchange(
        method=str(graph.value(request, HT.methodName)),
        path=str(graph.value(request, HT.absolutePath)),
        headers=_headers(graph, request),
        body=payload,
        statuses=statuses,
        expected_format=None if fmt is None else str(fmt),
        expected_boolean=None if boolean is None else bool(boolean.toPython()),
        expected_headers=_headers(graph, resp),
        expected_body=None if resp_body is None else str(graph.value(resp_body, CNT.chars)),
        expected_location=None if location is None else str(location),
    )


@dataclass(frozen=True)
class QueryShape:
    """What the runner needs to know of a query: its form, top-level ORDER BY, FROM clauses."""

    form: str
    ordered: bool
    from_graphs: tuple[str, ...]
    from_named: tuple[str, ...]

    @property
    def has_dataset(self) -> bool:
        """Tell whether the query names its own dataset (FROM / FROM NAMED)."""
        return bool(self.from_graphs or self.from_named)


_TOKEN = re.compile(
    r"""(?P<skip>\#[^\n]*|'''(?:[^\\]|\\.)*?'''|\"\"\"(?:[^\\]|\\.)*?\"\"\"
        |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
       |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
       |(?P<open>\{)|(?P<close>\})
       |(?P<word>[A-Za-z_][A-Za-z_0-9-]*)""",
    re.VERBOSE | re.DOTALL,
)


def query_shape(text: str, base: str) -> QueryShape:
    """Read a query's form, whether its outermost level has ORDER BY, and its FROM clauses.

    A small lexer (comments, strings and IRIs skipped; braces counted) is enough for the suites and
    does not depend on the engine under test.
    """
    depth = 0
    form = ""
    ordered = False
    from_graphs: list[str] = []
    from_named: list[str] = []
    previous: list[str] = []  # the last tokens at depth 0, upper-cased words and IRIs
    for m in _TOKEN.finditer(text):
        if m["skip"]:
            continue
        if m["open"]:
            depth += 1
            continue
        if m["close"]:
            depth -= 1
            continue
        if depth:
            continue
        token = m["iri"] or m["word"].upper()
        if m["iri"] and previous[-1:] == ["BASE"]:
            base = urljoin(base, token[1:-1])
        elif not form and token in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            form = token
        elif token == "BY" and previous[-1:] == ["ORDER"]:
            ordered = True
        elif m["iri"] and previous[-2:] == ["FROM", "NAMED"]:
            from_named.append(urljoin(base, token[1:-1]))
        elif m["iri"] and previous[-1:] == ["FROM"]:
            from_graphs.append(urljoin(base, token[1:-1]))
        previous.append(token)
    return QueryShape(form, ordered, tuple(from_graphs), tuple(from_named))


# ----------------------------------------------------------------------- a test's dataset and query
def ntriples(path: Path) -> bytes:
    """Parse an RDF file (relative IRIs against its ``file:`` URL) and return it as N-Triples.

    Blank nodes are renamed to fresh ids at each call: two files (or one file loaded twice) never
    share a blank node through a common label such as ``_:x``.
    """
    quads = ox.parse(
        path=str(path),
        format=_FORMATS[path.suffix],
        base_iri=file_iri(path),
        rename_blank_nodes=True,
    )
    return bytes(ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES) or b"")


def dataset_for(test: W3CTest, shape: QueryShape) -> tuple[dict[str, bytes], list[str], list[str]]:
    """Return ``(graphs to load, default-graph-uri values, named-graph-uri values)``."""
    graphs: dict[str, bytes] = {}
    if shape.has_dataset:
        for iri in dict.fromkeys(shape.from_graphs + shape.from_named):
            if iri.startswith("file:") and file_path(iri).exists():
                graphs[iri] = ntriples(file_path(iri))
        return graphs, list(shape.from_graphs), list(shape.from_named)
    default = []
    for n, path in enumerate(test.data):
        default.append(f"urn:x-w3c-test:default:{n}")
        graphs[default[-1]] = ntriples(path)
    named = []
    for name, path in test.graph_data:
        named.append(name)
        graphs[name] = ntriples(path)
    return graphs, default or [EMPTY_GRAPH], named


def query_text(test: W3CTest) -> str:
    """The test's query, with its file's IRI as base (the suites resolve relative IRIs so)."""
    assert test.query is not None
    return f"BASE <{file_iri(test.query)}>\n" + test.query.read_text(encoding="utf-8")


@cache
def shape_of(test: W3CTest) -> QueryShape:
    """The form, top-level ORDER BY and FROM clauses of the test's query."""
    assert test.query is not None
    return query_shape(test.query.read_text(encoding="utf-8"), file_iri(test.query))
