"""The SPARQL 1.1 Graph Store HTTP Protocol tests (``graph-store-protocol/manifest.ttl``).

Each test is a sequence of ``ht:Request``s read from the manifest, sent to the app's ``/store``
(the manifests' ``/gsp``) on ``http://www.example`` (their ``ht:connectionAuthority``), with
writes enabled and the bearer token. A ``Location`` header named by ``mf:expectedLocation``
replaces its template (``$LOCATION$``) in later requests of the same test. Expected bodies are
compared with the response by graph isomorphism.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from .conftest import BASE_URL, Serve
from .manifest import HttpExchange, W3CTest, load_tests
from .results import compare_graphs, media_type, parse_graph
from .xfails import params

TESTS = load_tests("sparql/sparql11/graph-store-protocol/manifest.ttl")


def request_path(exchange: HttpExchange, templates: dict[str, str]) -> str:
    """The request's path on the app: ``/gsp…`` becomes ``/store…``, templates filled in."""
    path = exchange.path
    for name, value in templates.items():
        path = path.replace(name, quote(value, safe=""))
    assert path.startswith("/gsp"), path
    return "/store" + path.removeprefix("/gsp")


def check(exchange: HttpExchange, path: str, response: httpx.Response) -> None:
    """Assert the ``ht:Response`` expectations: status, Content-Type, body (isomorphic)."""
    what = f"{exchange.method} {path}"
    assert exchange.status_ok(response.status_code), (
        f"{what}: HTTP {response.status_code}, expected {exchange.statuses}: {response.text[:1000]}"
    )
    expected_type = dict(exchange.expected_headers).get("content-type")
    content_type = response.headers.get("content-type", "")
    if expected_type is not None:
        assert media_type(content_type) == media_type(expected_type), (
            f"{what}: Content-Type {content_type!r}, expected {expected_type!r}"
        )
    if exchange.expected_body is not None and exchange.method != "HEAD":
        expected = parse_graph(exchange.expected_body.encode(), "text/turtle", BASE_URL + path)
        actual = parse_graph(response.content, content_type, BASE_URL + path)
        problem = compare_graphs(expected, actual)
        assert problem is None, f"{what}: {problem}"


@pytest.mark.parametrize("test", params(TESTS))
def test_graph_store_protocol(test: W3CTest, serve: Serve) -> None:
    client = serve(writable=True)
    templates: dict[str, str] = {}
    for exchange in test.exchanges:
        path = request_path(exchange, templates)
        body = exchange.body
        for name, value in templates.items():
            body = None if body is None else body.replace(name.encode(), value.encode())
        response = client.request(
            exchange.method, path, headers=dict(exchange.headers), content=body
        )
        check(exchange, path, response)
        if exchange.expected_location is not None:
            location = response.headers.get("location")
            assert location, f"{exchange.method} {path}: no Location header"
            templates[exchange.expected_location] = str(httpx.URL(BASE_URL + path).join(location))
