"""Shared fixtures: stores built from the project's ontology, shapes and sample data."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph

from ptce_kg import pipeline
from ptce_kg.config import PROJECT_ROOT
from ptce_kg.formats import RdfFormat
from ptce_kg.store import Store, open_store

ROOT = PROJECT_ROOT
ONTOLOGY_DIR = ROOT / "ontology"
SHAPES_DIR = ROOT / "shapes"
DATA_DIR = ROOT / "data"
TEST_DATA = Path(__file__).parent / "data"
#: The frozen dataset the engine tests run on (see tests/data/dataset/README.md); the real dataset
#: in data/ grows with curation and is tested by tests/test_dataset.py.
FIXTURE_DATA = TEST_DATA / "dataset"
BASE = "https://w3id.org/ptce/"


def dump_quads(store: Store) -> set[str]:
    """Every quad of the store as an N-Quads line (for exact before/after comparisons)."""
    buf = io.BytesIO()
    store.dump(buf, RdfFormat.N_QUADS)
    return set(buf.getvalue().decode("utf-8").splitlines())


#: The frozen test dataset in load order (territories by level, then the PTCE), then the synthetic
#: example.
DATASET_FILES = [
    FIXTURE_DATA / "territories" / "regions.ttl",
    FIXTURE_DATA / "territories" / "departements.ttl",
    FIXTURE_DATA / "territories" / "communes.ttl",
    *sorted((FIXTURE_DATA / "ptce").glob("*.ttl")),
    *sorted((DATA_DIR / "examples").glob("*.ttl")),
]


@pytest.fixture(scope="session")
def dataset_store(shapes: Graph) -> Store:
    """The ontology and the whole bundled dataset, validated, in memory, loaded once per session.

    Shared by the query, comparison and page tests: they read it and never write it.
    """
    store = open_store(":memory:")
    pipeline.load_ontology(store, ONTOLOGY_DIR)
    for path in DATASET_FILES:
        pipeline.load_source(store, path, shapes, base_iri=BASE)
    return store


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return pipeline.read_shapes(SHAPES_DIR)


@pytest.fixture
def ontology_store() -> Store:
    """An in-memory store with the ontology, vocabularies and hierarchy closure."""
    store = open_store(":memory:")
    pipeline.load_ontology(store, ONTOLOGY_DIR)
    return store


@pytest.fixture
def territory_store(ontology_store: Store, shapes: Graph) -> Store:
    """The ontology plus the reference territories (régions, départements, communes)."""
    for path in sorted((FIXTURE_DATA / "territories").glob("*.ttl")):
        pipeline.load_source(ontology_store, path, shapes, base_iri=BASE)
    return ontology_store


@pytest.fixture(scope="session", autouse=True)
def _pyoxigraph_results_dropped_off_thread() -> Iterator[None]:
    """Let through one known, harmless unraisable error and nothing else.

    pyoxigraph's query results may only be dropped on the thread that made them; when the cyclic
    garbage collector frees one that a worker thread left in a reference cycle, on whatever thread
    it runs, pyo3 reports "is unsendable, but is being dropped on another thread" and leaks the
    object instead. The service's own code releases results on their thread (EmbeddedStore); this
    keeps a GC that happens to run during a later test from failing it. Every other unraisable
    exception still reaches pytest (and fails the run: warnings are errors).
    """
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        error = unraisable.exc_value
        if isinstance(error, RuntimeError) and "is unsendable, but is being dropped" in str(error):
            return
        previous(unraisable)

    sys.unraisablehook = hook
    yield
    sys.unraisablehook = previous


@pytest.fixture(scope="session")
def virtuoso_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """ONE real Virtuoso for the whole run (startup costs seconds); tests/store/virtuoso.py."""
    from store.virtuoso import virtuoso_serving

    with virtuoso_serving(tmp_path_factory.mktemp("virtuoso") / "db") as server:
        yield server


@pytest.fixture
def virtuoso(virtuoso_session: Any) -> Any:
    """The session's Virtuoso with no data graph left by an earlier test."""
    from ptce_kg.store import open_remote_store

    store = open_remote_store(
        virtuoso_session.url, user=virtuoso_session.user, password=virtuoso_session.password
    )
    try:
        store.drop_graphs(sorted(store.graph_sizes()))
    finally:
        store.close()
    return virtuoso_session
