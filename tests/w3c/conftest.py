"""Fixtures of the W3C conformance runner: a fresh app and in-memory store per test, over HTTP.

Dataset choice (see docs/conformance.md). The ptce_kg store keeps every triple in a named graph
and answers with the union of graphs as the default graph, so a test's dataset is built in the
store and then named by the SPARQL 1.1 Protocol's own parameters:

- each ``qt:data`` file is loaded (parsed on its own, so blank nodes stay apart) into a graph
  ``urn:x-w3c-test:default:N`` and the query carries ``default-graph-uri`` for each of them (an
  empty, absent graph when the test has no ``qt:data``): the default graph is their merge;
- each ``qt:graphData`` file is loaded into a graph named by its IRI (or its ``rdfs:label``) and
  the query carries ``named-graph-uri`` for each of them (none: no named graphs);
- a query with FROM / FROM NAMED names its own dataset: the files it names are loaded as graphs
  named by their IRIs, and the runner sends the same IRIs as ``default-graph-uri`` /
  ``named-graph-uri`` (the Protocol says these override the query's clauses, so the dataset is
  the same). ``test_query_dataset_clause`` runs those queries again with no Protocol parameters,
  to check that the endpoint honours FROM / FROM NAMED on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack

import httpx
import pytest
from fastapi.testclient import TestClient

from ptce_kg.config import Settings
from ptce_kg.store import open_store
from ptce_kg.web import create_app

#: The manifests' ``ht:connectionAuthority``: requests go to http://www.example/…
BASE_URL = "http://www.example"
WRITE_TOKEN = "test-token"

Serve = Callable[..., TestClient]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Return ``serve(graphs, writable=False)``: a TestClient on a new app over a new store.

    ``graphs`` maps graph IRIs to N-Triples. With ``writable``, the app has a write token and the
    client sends it on every request. Every app is shut down (lifespan) at the end of the test.
    """
    with ExitStack() as stack:

        def make(
            graphs: Mapping[str, bytes] | None = None, *, writable: bool = False
        ) -> TestClient:
            store = open_store(":memory:")
            if graphs:
                store.replace_graphs(dict(graphs))
            settings = Settings(store=":memory:", write_token=WRITE_TOKEN if writable else None)
            headers = {"Authorization": f"Bearer {WRITE_TOKEN}"} if writable else {}
            client = TestClient(create_app(settings, store), base_url=BASE_URL, headers=headers)
            return stack.enter_context(client)

        yield make


def _send_query(
    client: TestClient,
    sparql: str,
    accept: str,
    *,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    method: str = "POST",
) -> httpx.Response:
    """Send a query per the SPARQL 1.1 Protocol: GET, or POST with a URL-encoded form."""
    params = [("query", sparql)]
    params += [("default-graph-uri", g) for g in default_graphs]
    params += [("named-graph-uri", g) for g in named_graphs]
    headers = {"Accept": accept}
    if method == "GET":
        return client.get("/sparql", params=params, headers=headers)
    return client.post("/sparql", data=dict(_group(params)), headers=headers)


def _group(params: Sequence[tuple[str, str]]) -> Iterator[tuple[str, str | list[str]]]:
    grouped: dict[str, list[str]] = {}
    for key, value in params:
        grouped.setdefault(key, []).append(value)
    for key, values in grouped.items():
        yield key, values[0] if len(values) == 1 else values


@pytest.fixture
def send_query() -> Callable[..., httpx.Response]:
    """Return ``send_query(client, sparql, accept, default_graphs=…, named_graphs=…, method=…)``."""
    return _send_query
