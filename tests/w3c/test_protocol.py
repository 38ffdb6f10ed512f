"""The 34 SPARQL 1.1 Protocol tests (``sparql11/protocol/manifest.ttl``), sent to /sparql.

Each test is a sequence of ``ht:Request``s read from the manifest; ``/sparql/`` in their paths is
the app's query endpoint ``/sparql``, and, for update requests, its update endpoint: the manifest
lets an endpoint take updates at another path, and the app takes them at ``/sparql/update`` when
it has that route (else at ``/sparql``). A request is an update when it sends
``application/sparql-update`` or an ``update=`` parameter, or belongs to an update test (named
``update_…``, ``bad_update_…``, ``bad_multiple_updates``) without being a query. The app has
writes enabled (``write_token``) and every request carries the
bearer token, since some tests are updates. ``protocol/data{1,2,3}.nt`` are preloaded as the named
graphs ``http://kasei.us/2009/09/sparql/data/data{1,2,3}.rdf``.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from .conftest import Serve
from .manifest import HttpExchange, W3CTest, load_tests, ntriples, suites_root
from .results import RESULT_TYPES, ResultsError, media_type, parse_graph, parse_results
from .xfails import params

TESTS = load_tests("sparql/sparql11/protocol/manifest.ttl")
DATA = {
    f"http://kasei.us/2009/09/sparql/data/data{n}.rdf": suites_root()
    / f"sparql/sparql11/protocol/data{n}.nt"
    for n in (1, 2, 3)
}
#: Media types each ``mf:expectedFormat`` admits.
FORMATS = {
    "boolean": {RESULT_TYPES["xml"], RESULT_TYPES["json"]},
    "tabular": set(RESULT_TYPES.values()),
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples", "application/ld+json"},
}


def is_update(test: W3CTest, exchange: HttpExchange) -> bool:
    """Tell whether the request is meant for the update operation."""
    headers = dict(exchange.headers)
    content_type = media_type(headers.get("content-type"))
    query_string = exchange.path.partition("?")[2]
    body = exchange.body or b""
    if content_type == "application/sparql-update" or "update=" in query_string:
        return True
    if content_type == "application/x-www-form-urlencoded" and body.startswith(b"update="):
        return True
    is_query = content_type == "application/sparql-query" or "query=" in query_string
    is_query = is_query or body.startswith(b"query=")
    local = test.iri.rsplit("#", 1)[-1]
    return local.startswith(("update_", "bad_update_", "bad_multiple_updates")) and not is_query


def endpoint_paths(client: TestClient) -> tuple[str, str]:
    """The app's query path and update path."""
    paths = {getattr(route, "path", None) for route in client.app.routes}  # type: ignore[attr-defined]
    return "/sparql", "/sparql/update" if "/sparql/update" in paths else "/sparql"


def send(client: TestClient, test: W3CTest, exchange: HttpExchange) -> httpx.Response:
    """Send one manifest request, its ``/sparql/`` path mapped to the app's endpoint."""
    path = exchange.path
    assert path.startswith("/sparql/"), path
    query_path, update_path = endpoint_paths(client)
    target = update_path if is_update(test, exchange) else query_path
    path = target + path.removeprefix("/sparql/")
    return client.request(
        exchange.method, path, headers=dict(exchange.headers), content=exchange.body
    )


def check(exchange: HttpExchange, response: httpx.Response) -> None:
    """Assert the ``ht:Response`` expectations: status class, result format, ASK answer."""
    what = f"{exchange.method} {exchange.path}"
    # /sparql exists: its 404 is a missing route, never the 4xx a bad request deserves.
    assert response.status_code != 404, f"{what}: HTTP 404, is the /sparql route there?"
    assert exchange.status_ok(response.status_code), (
        f"{what}: HTTP {response.status_code}, expected {exchange.statuses}: {response.text[:1000]}"
    )
    if exchange.expected_format is None:
        return
    content_type = response.headers.get("content-type", "")
    kind = media_type(content_type)
    assert kind in FORMATS[exchange.expected_format], (
        f"{what}: {content_type!r} is not a {exchange.expected_format} result format"
    )
    try:
        if exchange.expected_format == "RDF":
            parse_graph(response.content, kind)
            return
        answer = parse_results(response.content, content_type)
    except ResultsError as e:
        pytest.fail(f"{what}: unreadable {kind} body: {e}")
    if exchange.expected_boolean is not None:
        assert answer.boolean is exchange.expected_boolean, f"{what}: ASK answered {answer.boolean}"


@pytest.mark.parametrize("test", params(TESTS))
def test_protocol(test: W3CTest, serve: Serve) -> None:
    client = serve({name: ntriples(path) for name, path in DATA.items()}, writable=True)
    for exchange in test.exchanges:
        check(exchange, send(client, test, exchange))
