"""Write listeners: every backend calls them after each write, committed or failed, never after a
read; a removed listener is not called again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ptce_kg.errors import PtceError
from ptce_kg.formats import RdfFormat
from ptce_kg.store import Store, open_store

G = "http://example.org/graph/g"
TRIPLE = b"<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n"


@pytest.fixture(params=["memory", "disk", "remote"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "remote":
        location = request.getfixturevalue("oxigraph_server")
    else:
        location = ":memory:" if request.param == "memory" else str(tmp_path / "store")
    st = open_store(location)
    yield st
    st.close()


def test_each_write_calls_the_listeners_and_reads_do_not(store: Store, tmp_path: Path):
    calls: list[str] = []
    store.add_write_listener(lambda: calls.append("a"))
    store.add_write_listener(lambda: calls.append("b"))
    store.replace_graphs({G: TRIPLE})
    assert calls == ["a", "b"]
    store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <urn:c> <urn:p> 1 }} }}")
    data = tmp_path / "more.nt"
    data.write_bytes(TRIPLE)
    store.bulk_load(data, RdfFormat.N_TRIPLES, f"{G}-bulk")
    store.drop_graphs([G])
    assert calls == ["a", "b"] * 4
    store.query("SELECT * WHERE { ?s ?p ?o }")
    store.graph_sizes()
    store.graph_triples(f"{G}-bulk")
    assert len(calls) == 8


def test_a_failed_write_calls_the_listeners_too(store: Store):
    calls: list[int] = []
    store.add_write_listener(lambda: calls.append(1))
    with pytest.raises(PtceError):
        store.update("INSERT DATA { this is not SPARQL }")
    assert calls == [1]


def test_a_removed_listener_is_not_called(store: Store):
    calls: list[int] = []

    def listener() -> None:
        calls.append(1)

    store.add_write_listener(listener)
    store.replace_graphs({G: TRIPLE})
    store.remove_write_listener(listener)
    store.replace_graphs({G: TRIPLE})
    store.remove_write_listener(listener)  # not registered any more: ignored
    assert calls == [1]
