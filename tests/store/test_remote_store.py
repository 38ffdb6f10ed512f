"""The remote store on a real Oxigraph server and a real Virtuoso (``server_url``: the same tests on
both): endpoints, one request per write, union default graph, credentials kept out of messages,
retries, down servers."""

from __future__ import annotations

import io
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from ptce_kg.errors import QueryError, StoreError
from ptce_kg.formats import RdfFormat
from ptce_kg.sparql.binding import bind_values, query_kind
from ptce_kg.store import RemoteStore, open_store
from ptce_kg.store.remote import RemoteEndpoints, open_remote_store, remote_endpoints
from store.oxigraph import free_port

G1 = "https://w3id.org/ptce/graph/test-one"
G2 = "https://w3id.org/ptce/graph/test-two"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def nt(*pairs: tuple[str, str]) -> bytes:
    return "".join(
        f'<https://w3id.org/ptce/id/org/synthetic-{s}> <{LABEL}> "{o}" .\n' for s, o in pairs
    ).encode()


class Recording(httpx.HTTPTransport):
    """The real transport, recording (method, path) of every request."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str, str, bytes]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        self.requests.append((request.method, request.url.path, body))
        return super().handle_request(request)


# ------------------------------------------------------------------------------- no server needed
@pytest.mark.parametrize(
    ("url", "update", "graph_store"),
    [
        ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store"),
        ("http://h:3030/ds/sparql", "http://h:3030/ds/update", "http://h:3030/ds/data"),
        ("http://h:3030/ds/query", "http://h:3030/ds/update", "http://h:3030/ds/data"),
        ("http://h:3030/ds", "http://h:3030/ds", "http://h:3030/ds"),
        (
            "http://h:7200/repositories/ptce",
            "http://h:7200/repositories/ptce/statements",
            "http://h:7200/repositories/ptce/rdf-graphs/service",
        ),
        ("http://h:8890/sparql", "http://h:8890/sparql", "http://h:8890/sparql-graph-crud"),
        ("https://qlever.example/api/ptce", "https://qlever.example/api/ptce", None),
    ],
    ids=[
        "oxigraph",
        "fuseki-sparql",
        "fuseki-query",
        "fuseki-dataset",
        "graphdb",
        "virtuoso",
        "qlever",
    ],
)
def test_endpoints_are_derived_from_the_store_url(url: str, update: str, graph_store: str | None):
    endpoints = remote_endpoints(url)
    assert endpoints.query == url and endpoints.update == update
    if graph_store is not None:
        assert endpoints.graph_store == graph_store


def test_the_query_url_keeps_its_parameters_for_queries_only():
    endpoints = remote_endpoints("http://h:7878/query?union-default-graph")
    assert endpoints.update == "http://h:7878/update"
    assert endpoints.query.endswith("?union-default-graph")


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("PREFIX select: <http://x/> # ASK\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "graph"),
        ("BASE <http://x/ASK> SELECT * { ?s ?p 'CONSTRUCT' }", "select"),
        ("ask { ?s ?p ?o }", "ask"),
        ("DESCRIBE <http://x>", "graph"),
        ("PREFIX éask: <http://x/> SELECT ?s { ?s éask:p 1 }", "select"),
    ],
    ids=["construct-after-prefix", "select-with-base", "ask-lowercase", "describe", "é-prefix"],
)
def test_query_kind_reads_the_query_form_not_words_in_iris_strings_or_comments(query, kind):
    assert query_kind(query) == kind


def test_bindings_become_values_inside_the_where_group_as_escaped_terms():
    text = bind_values(
        'CONSTRUCT { ?s <p> "{" } WHERE { ?s ?p ?l }',
        {"s": URIRef("http://x/a"), "l": Literal('say "hi"\n', lang="fr")},
    )
    assert text == (
        'CONSTRUCT { ?s <p> "{" } WHERE { VALUES (?s ?l) { (<http://x/a> "say \\"hi\\"\\n"@fr) }'
        "  ?s ?p ?l }"
    )
    with pytest.raises(QueryError, match="CONSTRUCT WHERE"):
        bind_values("CONSTRUCT WHERE { ?s ?p ?o }", {"s": URIRef("http://x/a")})
    with pytest.raises(QueryError, match="invalid IRI"):
        bind_values("SELECT * { ?s ?p ?o }", {"s": URIRef("http://x/a> } DROP ALL #")})


def mock_store(handler: Callable[[httpx.Request], httpx.Response], **options) -> RemoteStore:
    endpoints = RemoteEndpoints("http://h/query", "http://h/update", "http://h/store")
    return RemoteStore(endpoints, transport=httpx.MockTransport(handler), backoff=0, **options)


def test_basic_auth_is_sent_and_a_refusal_does_not_leak_the_password():
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(401, text="who are you")

    store = mock_store(handler, user="alice", password="s3cret-pw")
    with pytest.raises(StoreError) as caught:
        store.probe()
    assert seen == ["Basic YWxpY2U6czNjcmV0LXB3"]
    assert "credentials" in str(caught.value) and "PTCE_STORE_USER" in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_reads_are_retried_on_503_and_writes_are_not():
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if len(calls) < 3:
            return httpx.Response(503, text="busy")
        return httpx.Response(200, json={"head": {}, "boolean": True})

    store = mock_store(handler, retries=3)
    assert store.query("ASK {}").boolean is True
    assert calls == ["/query"] * 3
    calls.clear()
    with pytest.raises(StoreError, match="HTTP 503"):
        store.update("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }")
    assert calls == ["/update"]


@pytest.mark.parametrize(
    ("status", "text", "server", "write", "error", "not_error", "hint"),
    [
        (400, "Parse error", "", "update", QueryError, StoreError, "nothing was written"),
        (400, "Parse error", "", "replace", StoreError, QueryError, "nothing was written"),
        (
            500,
            "SR186: SECURITY",
            "Virtuoso/07.20",
            "update",
            StoreError,
            QueryError,
            "SPARQL_UPDATE",
        ),
        (
            400,
            "accurate SQL text",
            "Virtuoso/07.20",
            "update",
            StoreError,
            QueryError,
            "SPARQL_UPDATE",
        ),
        (500, "boom", "", "update", StoreError, QueryError, None),
    ],
    ids=[
        "bad-update",
        "bad-replace",
        "virtuoso-rights",
        "virtuoso-no-update-grant",
        "server-fault",
    ],
)
def test_a_refused_update_is_told_apart_by_status_and_server_not_by_message(
    status, text, server, write, error, not_error, hint
):
    """The caller's update refused by the server (400) is a QueryError; a refusal for want of
    rights on Virtuoso is a StoreError saying what to grant, whatever its message says."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, text=text)

    store = mock_store(handler)
    store.virtuoso = server.startswith("Virtuoso/")
    with pytest.raises(error) as caught:
        if write == "update":
            store.update("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }")
        else:
            store.replace_graphs({"http://x/g": b"<http://x/a> <http://x/b> <http://x/c> .\n"})
    assert not isinstance(caught.value, not_error)
    assert caught.value.hint == hint or (hint is not None and hint in (caught.value.hint or ""))


def test_a_closed_port_is_a_store_error_naming_the_url_and_what_to_check():
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(StoreError) as caught:
        open_store(url)
    message = str(caught.value)
    assert "cannot open the remote store" in message and url in message
    assert "running and listening" in message


def test_credentials_in_the_url_stay_out_of_location_and_messages():
    url = f"http://bob:hunter2-pw@127.0.0.1:{free_port()}/query"
    with pytest.raises(StoreError) as caught:
        open_remote_store(url, retries=0)
    assert "hunter2" not in str(caught.value) and "127.0.0.1" in str(caught.value)


# ----------------------------------------------------------------------------------- on a server
def test_replace_graphs_is_one_update_request_for_all_graphs(server_url: str, connect):
    transport = Recording()
    store = connect(server_url, transport=transport)
    store.replace_graphs({G1: nt(("a", "A")), G2: nt(("b", "B"))})
    transport.requests.clear()
    store.replace_graphs({G1: nt(("c", "C")), G2: nt(("d", "D"))})
    update_path = httpx.URL(store.endpoints.update).path
    assert [(m, p) for m, p, _ in transport.requests] == [("POST", update_path)]
    body = transport.requests[0][2]
    assert body.count(b"DROP SILENT GRAPH") == 2 and body.count(b"INSERT DATA") == 1
    assert store.graph_sizes() == {G1: 1, G2: 1}


def test_a_server_without_union_default_graph_still_answers_on_the_union(start_oxigraph, connect):
    server = start_oxigraph(union_default_graph=False)
    store = connect(server.url)
    store.replace_graphs({G1: nt(("a", "A")), G2: nt(("b", "B"))})
    assert len(store.query("SELECT * WHERE { ?s ?p ?o }").rows) == 2
    assert len(store.query("SELECT * WHERE { ?s ?p ?o }", default_graph=[G1]).rows) == 1
    assert len(store.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[G2]).rows) == 1


def test_a_server_whose_default_graph_is_not_the_union_is_refused_with_how_to_fix(
    start_oxigraph, connect
):
    server = start_oxigraph(union_default_graph=False)
    httpx.post(
        f"{server.base}/store",
        params={"graph": G1},
        content=nt(("a", "A")),
        headers={"Content-Type": "application/n-triples"},
    ).raise_for_status()
    # union_param=False: behave as with a server that has no per-request union option
    with pytest.raises(StoreError) as caught:
        connect(server.url, union_param=False)
    assert "not the union" in str(caught.value) and "--union-default-graph" in str(caught.value)
    # the same server, restarted with the option, is accepted by the same probe
    server.stop()
    fixed = start_oxigraph(union_default_graph=True, location=server.location)
    connect(fixed.url, union_param=False)


def test_an_empty_server_is_checked_after_the_first_write(start_oxigraph, connect):
    server = start_oxigraph(union_default_graph=False)
    store = connect(server.url, union_param=False)
    with pytest.raises(StoreError, match="not the union"):
        store.replace_graphs({G1: nt(("a", "A"))})


def test_data_survives_a_server_restart(start_oxigraph, connect):
    first = start_oxigraph()
    store = connect(first.url)
    store.replace_graphs({G1: nt(("a", "A"))})
    first.stop()
    second = start_oxigraph(location=first.location)
    assert connect(second.url).graph_sizes() == {G1: 1}


def test_read_only_remote_store_refuses_writes(server_url: str, connect):
    store = connect(server_url, read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        store.replace_graphs({G1: nt(("a", "A"))})


def test_bulk_load_streams_a_file_into_a_graph(server_url: str, connect, tmp_path: Path):
    src = tmp_path / "big.nt"
    src.write_bytes(nt(*[(str(i), f"L{i}") for i in range(100)]))
    store = connect(server_url)
    store.bulk_load(src, RdfFormat.N_TRIPLES, G1)
    assert store.graph_sizes() == {G1: 100}
    assert store.quad_count() == 100
    assert store.graph_triples(G1).count(b"\n") == 100
    assert store.graph_triples("https://w3id.org/ptce/graph/missing") == b""
    broken = tmp_path / "broken.nt"
    broken.write_bytes(b"<broken> .\n")
    with pytest.raises(StoreError, match=r"broken\.nt"):
        store.bulk_load(broken, RdfFormat.N_TRIPLES, G2)


def test_query_serialized_asks_the_kind_first_and_streams_to_output(server_url: str, connect):
    transport = Recording()
    store = connect(server_url, transport=transport)
    store.replace_graphs({G1: nt(("a", "A"), ("b", "B"))})
    transport.requests.clear()

    def refuse(kind: str) -> str:
        raise LookupError(kind)

    with pytest.raises(LookupError, match="graph"):
        store.query_serialized("CONSTRUCT WHERE { ?s ?p ?o }", refuse)
    assert transport.requests == []  # nothing sent before the kind was accepted
    out = io.BytesIO()
    kind, body = store.query_serialized(
        f"SELECT ?l WHERE {{ ?s <{LABEL}> ?l }}", lambda k: "text/csv", output=out
    )
    assert (kind, body) == ("select", b"")
    lines = out.getvalue().splitlines()
    assert lines[0].strip(b'"') == b"l" and len(lines) == 3  # Virtuoso quotes the header

    class Full(io.RawIOBase):
        def write(self, data):  # type: ignore[override]
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        store.query_serialized("SELECT * { ?s ?p ?o }", "text/csv", output=Full())  # type: ignore[arg-type]


def test_dump_of_one_graph_in_any_format(server_url: str, connect):
    store = connect(server_url)
    store.replace_graphs({G1: nt(("a", "A"))})
    buf = io.BytesIO()
    store.dump(buf, RdfFormat.TURTLE, graph=G1)
    assert b"synthetic-a" in buf.getvalue()
    buf = io.BytesIO()
    store.dump(buf, RdfFormat.JSON_LD)
    assert b"synthetic-a" in buf.getvalue() and G1.encode() in buf.getvalue()


def test_update_syntax_errors_are_query_errors(server_url: str, connect):
    store = connect(server_url)
    with pytest.raises(QueryError, match=r"1:\d+|line 1\b"):  # Virtuoso names the line only
        store.update("INSERT DATA { <broken> . }")
    store.update("INSERT DATA { GRAPH <a> { <s> <p> 'o' } }", base_iri="http://x/")
    assert store.graph_sizes() == {"http://x/a": 1}


class CuttingContext(Recording):
    """The real transport, but the answer to the one-query validation context says the server cut
    it at its row limit (as Virtuoso does past ResultSetMaxRows)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if "SELECT ?s ?p ?o ?g" in urllib.parse.unquote_plus(self.requests[-1][2].decode()):
            response.headers["X-SPARQL-MaxRows"] = "1"
        return response


def test_a_cut_validation_context_is_read_graph_by_graph_instead(server_url: str, connect):
    """Where the server's row limit is below the store's size, the context is read one graph at a
    time, as before the one-query read, and is the same."""
    store = connect(server_url)
    store.replace_graphs(
        {G1: nt(("a", "A")), G2: nt(("b", "B")), G1 + "/provenance": nt(("c", "C"))}
    )
    whole = store.graphs_quads([G2], suffixes=["/provenance"])
    transport = CuttingContext()
    cut = connect(server_url, transport=transport)
    transport.requests.clear()
    by_graph = cut.graphs_quads([G2], suffixes=["/provenance"])
    assert len(transport.requests) > 1
    quads = set(ox.parse(by_graph, format=ox.RdfFormat.N_QUADS))
    assert quads == set(ox.parse(whole, format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads} == {G1} and len(quads) == 1
