"""The SPARQL 1.1 Protocol at /sparql: methods × forms × formats, errors, SD, VoID, metrics."""

from __future__ import annotations

import csv
import io
import re

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from ptce_kg.namespaces import SD, VOID

from .conftest import G1, G2, LABEL, ORG

SELECT = f"SELECT ?s ?label WHERE {{ ?s <{LABEL}> ?label }} ORDER BY ?s"
ASK = f"ASK {{ <{ORG}0> <{LABEL}> ?l }}"
CONSTRUCT = f"CONSTRUCT {{ ?s <{LABEL}> ?l }} WHERE {{ ?s <{LABEL}> ?l }}"

RESULT_FORMATS = {
    "application/sparql-results+json": (
        "application/sparql-results+json",
        ox.QueryResultsFormat.JSON,
    ),
    "application/sparql-results+xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    "text/csv": ("text/csv; charset=utf-8", ox.QueryResultsFormat.CSV),
    "text/tab-separated-values": ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
}
GRAPH_FORMATS = {
    "text/turtle": "text/turtle; charset=utf-8",
    "application/n-triples": "application/n-triples",
    "application/rdf+xml": "application/rdf+xml",
    "application/ld+json": "application/ld+json",
    "application/n-quads": "application/n-quads",
    "application/trig": "application/trig",
}


def parse_rdf(body: bytes, media_type: str) -> Graph:
    """Parse any RDF body (with Oxigraph, which reads every format) into one rdflib graph."""
    quads = ox.parse(body, format=ox.RdfFormat.from_media_type(media_type))
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return Graph().parse(data=nt.decode(), format="nt")


def send(client, method: str, query: str, accept: str | None = None, **params):
    headers = {"Accept": accept} if accept else {}
    if method == "GET":
        return client.get("/sparql", params={"query": query, **params}, headers=headers)
    if method == "POST form":
        return client.post("/sparql", data={"query": query, **params}, headers=headers)
    headers["Content-Type"] = "application/sparql-query"
    return client.post("/sparql", content=query.encode(), params=params, headers=headers)


METHODS = ["GET", "POST form", "POST direct"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("accept", list(RESULT_FORMATS))
def test_select_in_every_results_format(client, method, accept):
    response = send(client, method, SELECT, accept)
    assert response.status_code == 200, response.text
    content_type, fmt = RESULT_FORMATS[accept]
    assert response.headers["content-type"] == content_type
    if fmt == ox.QueryResultsFormat.CSV:  # lossy: Oxigraph does not parse it back
        rows = list(csv.DictReader(io.StringIO(response.text)))
        labels = sorted(row["label"] for row in rows)
    else:
        solutions = ox.parse_query_results(response.content, fmt)
        labels = sorted(s["label"].value for s in solutions)
    assert labels == [f"Organisation {i}" for i in (0, 1, 10, 11, 2)]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    "accept", ["application/sparql-results+json", "application/sparql-results+xml"]
)
def test_ask(client, method, accept):
    response = send(client, method, ASK, accept)
    assert response.status_code == 200
    content_type, fmt = RESULT_FORMATS[accept]
    assert response.headers["content-type"] == content_type
    assert bool(ox.parse_query_results(response.content, fmt)) is True


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("accept", list(GRAPH_FORMATS))
def test_construct_in_every_rdf_format(client, method, accept):
    response = send(client, method, CONSTRUCT, accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == GRAPH_FORMATS[accept]
    g = parse_rdf(response.content, accept)
    triples = set(g.subject_objects(URIRef(LABEL)))
    assert (URIRef(f"{ORG}0"), Literal("Organisation 0")) in triples
    assert len(triples) == 5


def test_without_accept_select_is_json_and_construct_is_turtle(client):
    assert send(client, "GET", SELECT).headers["content-type"] == "application/sparql-results+json"
    assert send(client, "GET", CONSTRUCT).headers["content-type"] == "text/turtle; charset=utf-8"


@pytest.mark.parametrize(
    ("params", "query", "content_type"),
    [
        ({"format": "json"}, SELECT, "application/sparql-results+json"),
        ({"output": "xml"}, SELECT, "application/sparql-results+xml"),
        ({"results": "csv"}, SELECT, "text/csv; charset=utf-8"),
        ({"format": "tsv"}, SELECT, "text/tab-separated-values"),
        ({"format": "json"}, CONSTRUCT, "application/ld+json"),
        ({"format": "turtle"}, CONSTRUCT, "text/turtle; charset=utf-8"),
        ({"format": "xml"}, CONSTRUCT, "application/rdf+xml"),
    ],
)
@pytest.mark.parametrize("method", METHODS)
def test_format_parameters_override_accept(client, method, params, query, content_type):
    response = send(client, method, query, "text/html", **params)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type


def test_extra_parameters_are_accepted(client):
    response = send(client, "GET", SELECT, None, timeout="0", callback="", format="unknown")
    assert response.status_code == 200


def test_no_acceptable_format_is_406_before_running(client):
    response = send(client, "GET", SELECT, "text/turtle")
    assert response.status_code == 406
    assert response.json()["error"] == "not_acceptable"
    assert send(client, "GET", CONSTRUCT, "text/csv").status_code == 406
    assert send(client, "GET", SELECT, "image/png").status_code == 406


def test_default_and_named_graph_uri_narrow_the_dataset(client):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    response = send(client, "GET", count, "text/csv", **{"default-graph-uri": G2})
    assert response.text == "n\r\n4\r\n"
    response = client.get(
        "/sparql",
        params=[("query", count), ("default-graph-uri", G1), ("default-graph-uri", G2)],
        headers={"Accept": "text/csv"},
    )
    assert response.text == "n\r\n10\r\n"
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = send(client, "POST form", named, "text/csv", **{"named-graph-uri": G1})
    assert response.text == f"g\r\n{G1}\r\n"


def test_from_a_graph_of_the_store_is_honoured(client):
    query = f"SELECT (COUNT(*) AS ?n) FROM <{G1}> WHERE {{ ?s ?p ?o }}"
    assert send(client, "GET", query, "text/csv").text == "n\r\n6\r\n"
    query = (
        f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{G2}> "
        "WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    )
    assert send(client, "GET", query, "text/csv").text == f"g,n\r\n{G2},4\r\n"
    query = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{G2}> WHERE {{ ?s ?p ?o }}"
    assert send(client, "GET", query, "text/csv").text == "n\r\n0\r\n"


def test_syntax_error_is_400_with_message_and_position(client):
    response = send(client, "GET", "SELECT * WHERE {\n  ?s ?p \n}", "application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "bad_query"
    assert (body["line"], body["column"]) == (3, 2)  # as Oxigraph counts
    assert "expected" in body["message"]


def test_errors_are_html_for_browsers(client):
    response = send(client, "GET", "SELECT oops", "text/html,*/*;q=0.8")
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>400 bad query</h1>" in response.text


def test_body_over_the_cap_is_413_by_content_length_and_by_counted_bytes(make_client):
    client = make_client(max_body_bytes=100)
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 200
    response = send(client, "POST direct", query)
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"

    def chunks():  # streamed without Content-Length
        yield b"query=SELECT+*+WHERE+{+?s+?p+?o+}+%23"
        yield b"x" * 200

    response = client.post(
        "/sparql", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


def test_head_and_options(client):
    response = client.head("/sparql", params={"query": SELECT})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert response.content == b""
    response = client.options("/sparql")
    assert response.status_code == 204
    assert response.headers["allow"] == "GET, HEAD, POST, OPTIONS"


def test_cors_preflight_and_cors_headers_on_errors(client):
    origin = {"Origin": "https://example.org"}
    preflight = client.options(
        "/sparql",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    for response in (
        client.get("/sparql", params={"query": "SELECT"}, headers=origin),  # 400
        client.get("/sparql", params={"query": SELECT}, headers={**origin, "Accept": "x/y"}),  # 406
        client.post("/sparql", data={"update": "CLEAR ALL"}, headers=origin),  # 403
        client.get("/no-such-page", headers=origin),  # 404
    ):
        assert response.status_code >= 400
        assert response.headers["access-control-allow-origin"] == "*"


def test_responses_vary_on_origin_with_or_without_it(client):
    """As Starlette's CORS middleware does: ``Origin`` joins ``Vary`` on every response."""
    for headers in ({}, {"Origin": "https://example.org"}):
        response = client.get("/sparql", params={"query": ASK}, headers=headers)
        varies = [v.strip().lower() for v in response.headers["vary"].split(",")]
        assert "accept" in varies and "origin" in varies


def test_cors_can_be_restricted(make_client):
    client = make_client(cors_origins=["https://ok.example"])
    ok = client.get("/sparql", params={"query": ASK}, headers={"Origin": "https://ok.example"})
    assert ok.headers["access-control-allow-origin"] == "https://ok.example"
    other = client.get("/sparql", params={"query": ASK}, headers={"Origin": "https://x.example"})
    assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize(
    ("kwargs"),
    [
        {"data": {"update": "CLEAR ALL"}},
        {"content": b"CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}},
    ],
)
def test_updates_are_refused_when_writes_are_disabled(client, kwargs):
    response = client.post("/sparql", **kwargs)
    assert response.status_code == 403
    assert "read-only" in response.json()["message"]
    assert send(client, "GET", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "text/csv").text.endswith(
        "10\r\n"
    )


def test_unsupported_post_body_is_415(client):
    response = client.post("/sparql", content=b"{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 415


def test_row_cap_is_an_error_status(make_client):
    client = make_client(max_result_rows=3)
    response = send(client, "GET", SELECT, "application/sparql-results+json")
    assert response.status_code == 413
    assert response.json()["error"] == "result_too_large"
    assert "5 rows" in response.json()["message"]
    assert send(client, "GET", SELECT + " LIMIT 3").status_code == 200


def test_byte_cap_is_an_error_status(make_client):
    client = make_client(max_result_bytes=200)
    response = send(client, "GET", CONSTRUCT, "application/n-triples")
    assert response.status_code == 413


def _description(client, accept: str) -> Graph:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    return parse_rdf(response.content, accept)


@pytest.mark.parametrize(
    "accept", ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]
)
def test_service_description_lists_named_graphs_with_sizes(client, accept):
    g = _description(client, accept)
    service = g.value(predicate=RDF.type, object=SD.Service)
    assert service == URIRef("http://testserver/sparql")
    assert (service, SD.endpoint, service) in g
    assert set(g.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in set(
        g.objects(service, SD.resultFormat)
    )
    dataset = g.value(service, SD.defaultDataset)
    sizes = {}
    for named in g.objects(dataset, SD.namedGraph):
        sizes[str(g.value(named, SD.name))] = g.value(g.value(named, SD.graph), VOID.triples).value
    assert sizes == {G1: 6, G2: 4}
    assert g.value(g.value(dataset, SD.defaultGraph), VOID.triples).value == 10


def test_service_description_names_update_when_writes_are_enabled(make_client):
    g = _description(make_client(write_token="secret"), "text/turtle")
    assert SD.SPARQL11Update in set(g.objects(None, SD.supportedLanguage))


def test_browsers_get_the_editor(client):
    response = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    form = re.search(r"<form [^>]*>", response.text)
    assert form is not None
    assert 'method="post"' in form.group() and 'action="http://testserver/sparql"' in form.group()


def test_void_description(client):
    response = client.get("/.well-known/void")
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    g = parse_rdf(response.content, "text/turtle")
    dataset = g.value(predicate=RDF.type, object=VOID.Dataset, any=True)
    assert dataset is not None
    root = next(s for s in g.subjects(VOID.sparqlEndpoint, None))
    assert g.value(root, VOID.triples).value == 10
    subsets = {str(s): g.value(s, VOID.triples).value for s in g.objects(root, VOID.subset)}
    assert subsets == {G1: 6, G2: 4}
    response = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert len(parse_rdf(response.content, "application/ld+json")) == len(g)


def test_descriptions_follow_writes(client):
    client.app.state.store.replace_graphs({f"{G1}-new": b"<urn:a> <urn:b> <urn:c> .\n"})
    g = _description(client, "text/turtle")
    names = {str(o) for o in g.objects(None, SD.name)}
    assert f"{G1}-new" in names


def test_metrics_in_prometheus_text_format(client):
    send(client, "GET", SELECT)
    send(client, "GET", "SELECT oops")
    response = client.get("/metrics")
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    lines = response.text.splitlines()
    assert 'ptce_http_requests_total{method="GET",route="/sparql",status="200"} 1' in lines
    assert 'ptce_http_requests_total{method="GET",route="/sparql",status="400"} 1' in lines
    assert "# TYPE ptce_http_request_duration_seconds histogram" in lines
    assert any(
        line.startswith('ptce_http_request_duration_seconds_bucket{route="/sparql",le="+Inf"} 2')
        for line in lines
    )
    assert "ptce_store_quads 10" in lines
    for line in lines:  # every sample line: name{labels} value
        if not line.startswith("#"):
            name_labels, value = line.rsplit(" ", 1)
            float(value)
            assert name_labels.startswith("ptce_")


def test_health(client):
    assert client.get("/health").json() == {"status": "ok", "quads": 10}


def test_the_on_disk_store_answers_through_worker_processes(make_client, disk_store):
    client = make_client(disk_store)
    response = send(client, "POST direct", SELECT, "text/tab-separated-values")
    assert response.status_code == 200
    assert response.text.count("\n") == 6
    bad = send(client, "GET", "SELECT * {", "application/json")
    assert bad.status_code == 400 and bad.json()["line"] == 1
    # a write through the app's store is seen by the workers
    client.app.state.store.replace_graphs({f"{G1}-new": b"<urn:a> <urn:b> <urn:c> .\n"})
    count = send(client, "GET", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "text/csv")
    assert count.text == "n\r\n11\r\n"


@pytest.mark.parametrize("on_disk", [False, True], ids=["threads", "workers"])
def test_relative_iris_resolve_against_the_request_url(make_client, disk_store, on_disk):
    client = make_client(disk_store) if on_disk else make_client()
    query = "CONSTRUCT { <s> <p> 1 } WHERE {}"
    response = send(client, "POST direct", query, "application/n-triples")
    assert response.status_code == 200, response.text
    assert response.text.startswith("<http://testserver/s> <http://testserver/p> ")


def test_relative_iris_resolve_against_the_public_url(make_client):
    client = make_client(public_url="https://ptce.example.org/kg")
    response = send(client, "GET", "SELECT ?x { BIND(<a> AS ?x) }", "text/csv")
    assert response.text == "x\r\nhttps://ptce.example.org/kg/a\r\n"


def test_the_store_default_graph_is_in_the_union(client):
    client.app.state.store.update('INSERT DATA { <urn:d> <urn:p> "in the default graph" }')
    response = send(client, "GET", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "text/csv")
    assert response.text == "n\r\n11\r\n"


def test_a_syntax_error_page_keeps_the_caret_under_its_column(client) -> None:
    # a browser asking for a broken query gets the line and the caret aligned (in <pre>)
    response = client.get(
        "/sparql",
        params={"query": "SELECT ?s WHERE { ?s ?p }"},
        headers={"Accept": "text/html,application/sparql-results+json;q=0.9"},
    )
    assert response.status_code == 400
    (block,) = re.findall(r"<pre>(.*?)</pre>", response.text, re.S)
    lines = block.splitlines()
    caret = next(i for i, line in enumerate(lines) if line.rstrip().endswith("^"))
    code = lines[caret - 1]
    assert "SELECT ?s WHERE" in code and lines[caret].index("^") == len(code)  # the end of text
