"""``SELECT *`` keeps the query's variable order (Oxigraph's own is alphabetical), in the store,
in the command line and on /sparql."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ptce_kg import cli
from ptce_kg.config import Settings
from ptce_kg.store import EmbeddedStore, open_store
from ptce_kg.web import create_app


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    st = open_store(":memory:")
    assert isinstance(st, EmbeddedStore)
    st.update(
        "INSERT DATA { GRAPH <https://w3id.org/ptce/graph/synthetic-star> { "
        "<https://w3id.org/ptce/id/org/synthetic-s> <http://www.w3.org/2000/01/rdf-schema#label> "
        '"o" } }'
    )
    return st


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", ["s", "p", "o"]),
        ("select distinct * { ?zebra ?ant ?mole }", ["zebra", "ant", "mole"]),
        ("SELECT REDUCED * { ?s ?p ?o OPTIONAL { ?o ?q ?b } }", ["s", "p", "o", "q", "b"]),
        ("# SELECT * in a comment\nSELECT * { ?s ?p ?o BIND(1 AS ?a) }", ["s", "p", "o", "a"]),
        ("SELECT * { ?s ?p ?o FILTER(BOUND(?unused)) }", ["s", "p", "o"]),
        ("SELECT ?o ?s { SELECT * { ?s ?p ?o } }", ["o", "s"]),
        ("SELECT * { GRAPH ?g { ?s $p ?o } }", ["g", "s", "p", "o"]),
    ],
)
def test_select_star_keeps_the_query_order(store: EmbeddedStore, query: str, expected: list[str]):
    assert store.query(query).variables == expected
    _kind, body = store.query_serialized(query, "text/csv")
    assert body.decode().splitlines()[0].split(",") == expected


def test_on_the_endpoint(store: EmbeddedStore) -> None:
    with TestClient(create_app(Settings(store=":memory:"), store)) as client:
        response = client.get(
            "/sparql", params={"query": "SELECT * { ?s ?p ?o }"}, headers={"Accept": "text/csv"}
        )
    assert response.status_code == 200
    assert response.text.splitlines()[0] == "s,p,o"


def test_in_the_command_line(tmp_path) -> None:
    path = tmp_path / "store"
    st = open_store(str(path))
    st.update("INSERT DATA { <https://w3id.org/ptce/id/org/synthetic-s> <http://p> <http://o> }")
    st.close()
    del st
    result = CliRunner().invoke(
        cli.app, ["query", "--store", str(path), "-o", "csv", "SELECT * { ?s ?p ?o }"]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "s,p,o"
