"""ptce_kg on a real Virtuoso against the embedded store, on the bundled data: ``ptce-kg load
--bundled`` into both gives the same graphs; then every named query is compared row by row (they
all answer the same), and so do the comparison API and the web pages.

The bundled data is copied first (data/ is curated while tests run), and loaded by the bulk path
(``--no-validate``: it is the project's own validated data, and a validated load is a minute on the
embedded store and about 6 minutes through HTTP); the entailments are computed in each store.
"""

from __future__ import annotations

import re
import shutil
import warnings
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from rdflib import Literal
from rdflib.term import Node
from typer.testing import CliRunner

from ptce_kg import cli
from ptce_kg.compare.comparison import compare_ptces
from ptce_kg.config import PROJECT_ROOT, Settings
from ptce_kg.errors import QueryError
from ptce_kg.queries import load_queries, run_query
from ptce_kg.store import RemoteStore, Store, open_store
from ptce_kg.web import create_app

runner = CliRunner()


#: Digits of an xsd:decimal quotient compared: its precision is the engine's own (XPath's
#: op:numeric-divide leaves it to the implementation): 18 digits in Oxigraph, 15 in Virtuoso 7.2.
QUOTIENT = Decimal("1E-12")


def _key(term: Node | None) -> tuple[str, ...]:
    """A term as comparable text: literals by value where the lexical form may differ (1.0E3),
    decimals to :data:`QUOTIENT`, and a " | " list of a GROUP_CONCAT in sorted order (the order of
    GROUP_CONCAT is not defined by SPARQL: Virtuoso sorts, Oxigraph keeps its own)."""
    if not isinstance(term, Literal) or term.datatype is None:
        text = str(term)
        if isinstance(term, Literal) and " | " in text:
            text = " | ".join(sorted(text.split(" | ")))
        return (type(term).__name__, text, getattr(term, "language", None) or "")
    value = term.toPython()
    if isinstance(value, Decimal):
        value = value.quantize(QUOTIENT).normalize()
    return ("Literal", str(term.datatype), repr(value) if value is not term else str(term))


def rows(store: Store, sparql_rows: Any) -> list[tuple[tuple[str, ...], ...]]:
    return sorted(tuple(_key(t) for t in row) for row in sparql_rows)


@pytest.fixture(scope="module")
def both(virtuoso_session: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """(embedded, virtuoso): the same bundled data loaded by the same command into each."""
    tmp = tmp_path_factory.mktemp("bundled")
    data = tmp / "data"
    for part in ("territories", "sources", "actors", "ptce"):
        shutil.copytree(PROJECT_ROOT / "data" / part, data / part)
    server = virtuoso_session
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PTCE_DATA_DIR", str(data))
        mp.setenv("PTCE_STORE_USER", server.user)
        mp.setenv("PTCE_STORE_PASSWORD", server.password)
        remote = open_store(server.url, user=server.user, password=server.password)
        remote.drop_graphs(sorted(remote.graph_sizes()))
        for where in (str(tmp / "embedded"), server.url):
            result = runner.invoke(
                cli.app, ["load", "--bundled", "--no-validate", "--store", where]
            )
            assert result.exit_code == 0, result.output
    embedded = open_store(str(tmp / "embedded"), read_only=True)
    assert isinstance(remote, RemoteStore) and remote.virtuoso
    yield embedded, remote
    embedded.close()
    remote.close()


def _answers(store: Store, query: Any, params: dict[str, list[str]]) -> Any:
    try:
        result = run_query(store, query, params)
    except QueryError as e:
        return str(e)
    return result.variables, rows(store, result.rows)


def test_the_named_queries_answer_the_same_on_virtuoso(both: Any):
    """Every named query, with its example parameters and without, row by row (the queries are
    written in SPARQL both engines read alike: docs/stores.md)."""
    embedded, remote = both
    assert remote.graph_sizes() == embedded.graph_sizes()
    queries = load_queries(Settings().queries_dir)
    differ = set()
    for name, query in sorted(queries.items()):
        for params in (query.example_params(), {}):
            if any(p.required for p in query.params.values()) and not params:
                continue
            expected = _answers(embedded, query, params)
            assert not isinstance(expected, str), expected
            if _answers(remote, query, params) != expected:
                differ.add(name)
    assert not differ, differ
    assert len(queries) >= 20


def test_the_comparison_api_answers_on_virtuoso_as_on_the_embedded_store(both: Any):
    embedded, remote = both
    ptces = ["le-damier", "pole-sud-archer", "ecopal"]
    expected = compare_ptces(embedded, ptces).as_dict()
    assert len(expected["ptces"]) == 3
    assert compare_ptces(remote, ptces).as_dict() == expected


def _links(page: str) -> list[str]:
    """The links of a page, sorted: its lists follow the store's order, and its citations are
    numbered in that order (``#source-N``)."""
    return sorted(
        re.sub(r"^#source-\d+$", "#source", h) for h in re.findall(r'href="([^"]*)"', page)
    )


def test_the_web_service_on_virtuoso_serves_what_the_embedded_store_serves(
    both: Any, virtuoso_session: Any
):
    """The home page, a PTCE page, its profile and its neighbours, and a comparison answer on
    Virtuoso as on the embedded store: the same JSON, and pages with the same links."""
    embedded, _remote = both
    server = virtuoso_session
    paths = [
        "/id/ptce/le-damier",
        "/id/ptce/cite-phares",
        "/api/ptce/le-damier/profile",
        "/api/ptce/le-damier/similar",
        "/api/compare?ptce=le-damier&ptce=ecopal",
    ]
    answers = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Starlette's one import-time warning about httpx
        from fastapi.testclient import TestClient
    for settings in (
        Settings(store=embedded.location, read_only=True, optimize_on_start=False),
        Settings(
            store=server.url,
            store_user=server.user,
            store_password=server.password,
            optimize_on_start=False,
        ),
    ):
        with TestClient(create_app(settings)) as client:
            assert client.get("/", headers={"Accept": "text/html"}).status_code == 200
            replies = [
                client.get(p, headers={"Accept": "text/html"} if p.startswith("/id/") else {})
                for p in paths
            ]
        assert all(r.status_code == 200 for r in replies), [r.text[:300] for r in replies]
        pairs = zip(paths, replies, strict=True)
        answers.append([_links(r.text) if p.startswith("/id/") else r.json() for p, r in pairs])
    on_embedded, on_virtuoso = answers
    assert on_virtuoso == on_embedded
