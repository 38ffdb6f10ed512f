"""Readable SPARQL syntax errors: what was expected where, the line with a caret, how to fix the
common mistakes; the same message from the store, over HTTP and in the terminal."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ptce_kg import cli
from ptce_kg.config import Settings
from ptce_kg.errors import QueryError
from ptce_kg.sparql.syntax import explain_syntax_error, undeclared_prefixes
from ptce_kg.store import Store, open_store
from ptce_kg.web import create_app

UNDECLARED = "SELECT ?p WHERE {\n  ?p a ptce:PTCE ;\n     skos:prefLabel ?l\n}"
UNGROUPED = "SELECT ?ptce ?sector (COUNT(?m) AS ?n)\nWHERE { ?m ?ptce ?sector }\nGROUP BY ?sector"
UNCLOSED = "SELECT ?s WHERE {\n  ?s ?p ?o"


@pytest.fixture(scope="module")
def store() -> Store:
    return open_store(":memory:")


def error_of(store: Store, sparql: str) -> QueryError:
    with pytest.raises(QueryError) as e:
        store.query(sparql)
    return e.value


def test_an_undeclared_prefix_offers_the_prefix_lines_to_add(store: Store) -> None:
    error = error_of(store, UNDECLARED)
    assert error.message.startswith("SPARQL syntax error at 2:")
    assert "a prefix is used but not declared" in error.message
    assert "\n    2 |   ?p a ptce:PTCE ;\n" in error.message
    assert error.hint is not None
    assert "PREFIX ptce: <https://w3id.org/ptce/ontology#>" in error.hint
    assert "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>" in error.hint


def test_the_caret_sits_under_the_column(store: Store) -> None:
    error = error_of(store, UNCLOSED)
    line, caret = error.message.splitlines()[1:3]
    assert line == "    2 |   ?s ?p ?o"
    assert caret.index("^") == len(line)  # just after the last character: the end of the text
    assert "expected one of" in error.message and '","' in error.message
    assert error.hint == "1 '{' not closed: add '}'"


def test_a_selected_variable_not_grouped_says_which_and_how(store: Store) -> None:
    error = error_of(store, UNGROUPED)
    assert "a selected variable is not grouped" in error.message
    assert error.hint is not None and error.hint.startswith("?ptce is selected but neither")
    assert "GROUP BY ?sector ?ptce" in error.hint and "SAMPLE(?ptce)" in error.hint


def test_a_misspelt_form_and_character_classes() -> None:
    error = explain_syntax_error("SELEC ?x WHERE { ?x ?p ?o }", "error at 1:10: expected CONSTRUCT")
    assert error.hint is not None and error.hint.startswith("did you mean SELECT?")
    noisy = "error at 1:3: expected one of \"$\", \"(\", ['A' ..= 'Z' | 'a' ..= 'z'], [_]"
    assert explain_syntax_error("x", noisy).message.splitlines()[0].endswith('one of "$", "("')


def test_prefixes_in_strings_iris_and_comments_are_not_uses() -> None:
    text = 'PREFIX a: <http://a/>\nSELECT ?x WHERE { ?x a:b "c:d" ; <e:f> ?y ; _:g ?z } # h:i'
    assert undeclared_prefixes(text) == []
    assert undeclared_prefixes("SELECT * WHERE { ?x ex:p :q }") == ["ex", ""]


# ---------------------------------------------------------------------------- HTTP and CLI
@pytest.fixture(scope="module")
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(store=":memory:"), store)) as test_client:
        yield test_client


def test_http_400_carries_the_same_message_and_hint(client: TestClient, store: Store) -> None:
    expected = error_of(store, UNDECLARED)
    response = client.get("/sparql", params={"query": UNDECLARED}, headers={"Accept": "*/*"})
    assert response.status_code == 400
    body = response.json()
    assert (body["message"], body["hint"]) == (expected.message, expected.hint)
    assert body["line"] == 2


def test_cli_prints_the_line_the_caret_and_the_hint(tmp_path: Path) -> None:
    path = tmp_path / "store"
    open_store(str(path)).close()
    gc.collect()
    result = CliRunner().invoke(cli.app, ["query", "--store", str(path), UNDECLARED])
    assert result.exit_code == 2
    assert "    2 |   ?p a ptce:PTCE ;" in result.stderr
    assert "hint: prefix ptce:, skos: not declared; add" in result.stderr
    assert "PREFIX ptce: <https://w3id.org/ptce/ontology#>" in result.stderr
