"""Safe by default: no outbound request (SERVICE, FROM) and read-only; found in the parse tree."""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest

from ptce_kg.errors import QueryError, QueryRefused
from ptce_kg.web.safety import QueryReach, analyse_query, check_reach

from .conftest import G1, MakeClient

TARGETS = [
    "http://127.0.0.1:8890/sparql",
    "http://localhost/sparql",
    "http://10.0.0.7/sparql",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/sparql",
    "https://query.wikidata.org/sparql",
]


@pytest.mark.parametrize("target", TARGETS)
def test_service_is_refused(client, target):
    query = f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "query_refused"
    assert f"SERVICE <{target}> refused" in body["message"]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE SILENT <http://10.1.2.3/s> { ?s ?p ?o } }",
        "select * where { service <http://10.1.2.3/s> { ?s ?p ?o } }",
        "SELECT * WHERE { ?x ?y ?z { SELECT * { SERVICE <http://10.1.2.3/s> { ?s ?p ?o } } } }",
        "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://10.1.2.3/s> { ?s ?p ?o } } }",
        "ASK { OPTIONAL { SERVICE <http://10.1.2.3/s> { ?s ?p ?o } } }",
        "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://10.1.2.3/s> { ?s ?p ?o } }",
        "SELECT * WHERE { VALUES ?e { <http://10.1.2.3/s> } SERVICE ?e { ?s ?p ?o } }",
        "PREFIX x: <http://10.1.2.3/> SELECT * WHERE { SERVICE x:s { ?s ?p ?o } }",
        # an escaped IRI is still the same IRI
        "SELECT * WHERE { SERVICE <http://10.1.2.3/\\u0073> { ?s ?p ?o } }",
    ],
    ids=[
        "silent",
        "lowercase",
        "subquery",
        "exists",
        "optional",
        "construct",
        "variable",
        "prefixed",
        "escaped",
    ],
)
def test_service_is_found_wherever_it_hides(client, query):
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "query_refused"


def test_no_connection_is_attempted(make_client: MakeClient):
    """A listening socket on loopback sees no connection from a refused SERVICE query."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.3)
    port = listener.getsockname()[1]
    client = make_client()
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    accepted: list[object] = []

    def accept() -> None:
        with contextlib.suppress(TimeoutError):
            accepted.append(listener.accept())

    thread = threading.Thread(target=accept)
    thread.start()
    assert client.get("/sparql", params={"query": query}).status_code == 400
    thread.join()
    listener.close()
    assert accepted == []


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://10.0.0.1/> { ?s ?p ?o }" }',
        "SELECT ?from ?service WHERE { ?from ?service ?load }",
        "# SERVICE <http://10.0.0.1/> FROM <http://10.0.0.1/>\nASK { ?s ?p ?o }",
        "PREFIX service: <https://w3id.org/ptce/service#> ASK { ?s service:from ?o }",
    ],
    ids=["literal", "variables", "comment", "prefix"],
)
def test_words_that_are_not_clauses_pass(client, query):
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text


def test_an_allow_listed_service_passes_the_check():
    allowed = "https://query.wikidata.org/sparql"
    reach = analyse_query(f"SELECT * WHERE {{ SERVICE <{allowed}> {{ ?s ?p ?o }} }}")
    assert reach == QueryReach(services=(allowed,))
    check_reach(reach, [allowed], lambda _: False)  # no exception
    with pytest.raises(QueryRefused):
        check_reach(reach, ["https://query.wikidata.org/"], lambda _: False)  # exact IRIs only
    variable = analyse_query("SELECT * WHERE { SERVICE ?e { ?s ?p ?o } }")
    with pytest.raises(QueryRefused, match="fixed, allowed IRI"):
        check_reach(variable, [allowed], lambda _: False)


@pytest.mark.parametrize(
    "clause", ["FROM <http://10.0.0.7/data.ttl>", "FROM NAMED <http://127.0.0.1/g.ttl>"]
)
def test_from_a_graph_outside_the_store_is_refused(client, clause):
    response = client.get("/sparql", params={"query": f"SELECT * {clause} WHERE {{ ?s ?p ?o }}"})
    assert response.status_code == 400
    assert response.json()["error"] == "query_refused"
    assert "no such graph in the store" in response.json()["message"]


def test_from_an_allow_listed_graph_passes(make_client: MakeClient):
    outside = "http://10.0.0.7/data.ttl"
    client = make_client(service_allowlist=[outside])
    query = f"SELECT (COUNT(*) AS ?n) FROM <{outside}> WHERE {{ ?s ?p ?o }}"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.text == "n\r\n0\r\n"  # nothing is fetched: the graph is simply empty


def test_from_a_graph_of_the_store_passes(client):
    response = client.get("/sparql", params={"query": f"ASK FROM NAMED <{G1}> {{ }}"})
    assert response.status_code == 200


def test_load_is_never_run_by_the_query_endpoint(client):
    response = client.post("/sparql", data={"update": "LOAD <http://10.0.0.7/x.ttl>"})
    assert response.status_code == 403
    response = client.post("/sparql", data={"query": "LOAD <http://10.0.0.7/x.ttl>"})
    assert response.status_code == 400  # not a query: a syntax error, never run


def test_analysis_is_cached_per_query_string():
    analyse_query.cache_clear()
    query = "SELECT * FROM <urn:x:cached> WHERE { ?s ?p ?o }"
    first = analyse_query(query)
    assert analyse_query(query) is first
    assert analyse_query.cache_info().hits == 1


def test_queries_without_keywords_skip_the_parse():
    analyse_query.cache_clear()
    assert analyse_query("SELECT * WHERE { ?s ?p ?o }") == QueryReach()


def test_an_unparseable_query_naming_service_is_a_syntax_error_with_position():
    with pytest.raises(QueryError, match=r"at 2:\d+"):
        analyse_query("SELECT * WHERE {\n SERVICE <http://x/> { ?s ?p } }")


def test_read_only_by_default(client):
    for kwargs in (
        {"data": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
        {
            "content": b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
            "headers": {"Content-Type": "application/sparql-update"},
        },
    ):
        response = client.post("/sparql", **kwargs)
        assert response.status_code == 403
        assert "PTCE_WRITE_TOKEN" in response.json()["hint"]
    assert client.get("/health").json()["quads"] == 10
    assert client.get("/sparql", params={"update": "CLEAR ALL"}).status_code == 400


def test_an_unknown_prefix_in_a_checked_query_is_a_400(client):
    response = client.get("/sparql", params={"query": "SELECT * FROM ex:g WHERE { ?s ?p ?o }"})
    assert response.status_code == 400
    assert "Unknown namespace prefix" in response.json()["message"]


def test_relative_from_resolves_against_the_request_url():
    reach = analyse_query("SELECT * FROM <g> WHERE { ?s ?p ?o }", "http://testserver/sparql")
    assert reach.from_graphs == ("http://testserver/g",)


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://10.0.0.7/x.ttl> INTO GRAPH <urn:g>",
        "INSERT { GRAPH <urn:g> { ?s ?p ?o } } WHERE { SERVICE <http://10.0.0.7/s> { ?s ?p ?o } }",
    ],
    ids=["load", "service"],
)
def test_updates_never_reach_out_even_with_the_token(make_client: MakeClient, update):
    client = make_client(write_token="secret")
    response = client.post(
        "/sparql", data={"update": update}, headers={"Authorization": "Bearer secret"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "query_refused"
