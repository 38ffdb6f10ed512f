"""Fixtures of the link tests: fixture catalogues served by a real Oxigraph server on loopback,
and a store holding the territories and two real PTCE files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from conftest import BASE, FIXTURE_DATA, TEST_DATA
from rdflib import Graph
from store.oxigraph import OxigraphServer, oxigraph_serving

from ptce_kg import pipeline
from ptce_kg.store import Store

CATALOGUES = TEST_DATA / "link"
PTCE_FILES = [FIXTURE_DATA / "ptce" / "tetris.ttl", FIXTURE_DATA / "ptce" / "le-damier.ttl"]


def serve_catalogues(stack: ExitStack, location: Path) -> OxigraphServer:
    """Start a server and load every fixture catalogue into its own graph."""
    server = stack.enter_context(oxigraph_serving(location))
    for path in sorted(CATALOGUES.glob("*.ttl")):
        httpx.post(
            f"{server.base}/store",
            params={"graph": f"https://fixture.example/graph/{path.stem}"},
            content=path.read_bytes(),
            headers={"Content-Type": "text/turtle"},
        ).raise_for_status()
    return server


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The query URL of a server holding the fixture catalogues (shared by a module's tests)."""
    with ExitStack() as stack:
        yield serve_catalogues(stack, tmp_path_factory.mktemp("catalogue") / "oxigraph").url


@pytest.fixture
def start_catalogue(tmp_path: Path) -> Iterator[Callable[[], OxigraphServer]]:
    """Start a catalogue server this test may stop."""
    with ExitStack() as stack:
        yield lambda: serve_catalogues(stack, tmp_path / "catalogue")


@pytest.fixture
def linked_store(territory_store: Store, shapes: Graph) -> Store:
    """Ontology, territories, TETRIS and Le Damier, in memory."""
    for path in PTCE_FILES:
        pipeline.load_source(territory_store, path, shapes, base_iri=BASE)
    return territory_store
