"""Fixtures of the remote-store tests: real Oxigraph servers and a real Virtuoso started (and
stopped) by the tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from ptce_kg.store.remote import open_remote_store
from store.oxigraph import OxigraphServer, oxigraph_serving


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[str]:
    """The query URL of a fresh Oxigraph server (``--union-default-graph``) on a free port."""
    with oxigraph_serving(tmp_path / "oxigraph") as server:
        yield server.url


@pytest.fixture
def start_oxigraph(tmp_path: Path) -> Iterator[Callable[..., OxigraphServer]]:
    """Start more servers (``union_default_graph=False`` for a misconfigured one); all stopped."""
    with ExitStack() as stack:
        counter = iter(range(100))

        def start(
            *, union_default_graph: bool = True, location: Path | None = None
        ) -> OxigraphServer:
            where = location or tmp_path / f"oxigraph-{next(counter)}"
            return stack.enter_context(
                oxigraph_serving(where, union_default_graph=union_default_graph)
            )

        yield start


@pytest.fixture(params=["oxigraph", "virtuoso"])
def server_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The store URL of an empty server: a fresh Oxigraph, or the session's Virtuoso (emptied);
    Virtuoso's carries the test user's credentials (``http://user:password@…/sparql-auth``)."""
    if request.param == "virtuoso":
        server = request.getfixturevalue("virtuoso")
        yield server.url.replace("://", f"://{server.user}:{server.password}@", 1)
        return
    with oxigraph_serving(tmp_path / "oxigraph") as oxigraph:
        yield oxigraph.url


@pytest.fixture
def connect() -> Iterator[Callable[..., Any]]:
    """``connect(url, **options)``: a remote store, closed at the end of the test."""
    opened: list[Any] = []

    def open_(url: str, **options: Any) -> Any:
        store = open_remote_store(url, **options)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.close()
