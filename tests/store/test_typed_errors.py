"""Errors a caller decides on by their class, not by searching their message."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ptce_kg.errors import FormatMismatch, QueryError, StaleStoreView
from ptce_kg.store import Store, open_store
from ptce_kg.store.embedded import _query_failed

SELECT = "SELECT * WHERE { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT WHERE { ?s ?p ?o }"


@pytest.fixture(params=["memory", "disk", "remote"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "remote":
        location = request.getfixturevalue("oxigraph_server")
    else:
        location = ":memory:" if request.param == "memory" else str(tmp_path / "store")
    st = open_store(location)
    st.replace_graphs({"http://example.org/g": b"<urn:a> <urn:b> <urn:c> .\n"})
    yield st
    st.close()


@pytest.mark.parametrize(
    ("query", "media_type"),
    [(SELECT, "text/turtle"), (CONSTRUCT, "application/sparql-results+json")],
    ids=["select-as-turtle", "construct-as-json-results"],
)
def test_a_format_the_result_has_not_is_a_format_mismatch(
    store: Store, query: str, media_type: str
):
    with pytest.raises(FormatMismatch, match="cannot be written as") as caught:
        store.query_serialized(query, media_type)
    assert isinstance(caught.value, QueryError)


def test_an_evaluation_error_is_a_query_error_not_a_format_mismatch(store: Store):
    with pytest.raises(QueryError) as caught:
        store.query_serialized("SELECT * WHERE { ?s ?p }", "application/sparql-results+json")
    assert not isinstance(caught.value, FormatMismatch)


@pytest.mark.parametrize(
    ("engine_message", "stale"),
    [
        ("Corruption: IO error: No such file or directory: 000042.sst", True),
        ("IO error: No such file or directory While open a file for random read", True),
        ("The variable ?x is not bound", False),
    ],
    ids=["corruption", "missing-file", "evaluation"],
)
def test_a_view_missing_compacted_files_is_a_stale_store_view(engine_message: str, stale: bool):
    error = _query_failed(OSError(engine_message))
    assert isinstance(error, StaleStoreView) is stale
    assert isinstance(error, QueryError) and error.message == f"query failed: {engine_message}"
