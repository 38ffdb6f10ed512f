"""Fixtures of the publishing tests: the whole bundled dataset in a store, published once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from ptce_kg import pipeline
from ptce_kg.config import PROJECT_ROOT, Settings
from ptce_kg.publish import Publication, PublishOptions, publish
from ptce_kg.store import Store, open_store
from ptce_kg.web import create_app

BASE = "https://w3id.org/ptce/"
BASE_URL = "http://testserver/"
DATA = PROJECT_ROOT / "data"
FIXTURE_DATA = PROJECT_ROOT / "tests" / "data" / "dataset"
#: The frozen test dataset in the Makefile's ``load`` order, then the synthetic example.
SOURCES = [
    FIXTURE_DATA / "territories" / "regions.ttl",
    FIXTURE_DATA / "territories" / "departements.ttl",
    FIXTURE_DATA / "territories" / "communes.ttl",
    *sorted((FIXTURE_DATA / "ptce").glob("*.ttl")),
    *sorted((DATA / "examples").glob("*.ttl")),
]
PUBLISH_SHAPES = PROJECT_ROOT / "shapes" / "publish"
WHEN = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def options(**overrides: object) -> PublishOptions:
    values: dict[str, object] = {
        "base_iri": BASE,
        "base_url": BASE_URL,
        "ontology_dir": PROJECT_ROOT / "ontology",
        "shapes_dir": PROJECT_ROOT / "shapes",
        "generated_at": WHEN,
    }
    values.update(overrides)
    return PublishOptions(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store with the ontology and the whole bundled dataset, validated."""
    location = tmp_path_factory.mktemp("publish") / "store"
    st = open_store(str(location))
    pipeline.load_ontology(st, PROJECT_ROOT / "ontology")
    shapes = pipeline.read_shapes(PROJECT_ROOT / "shapes")
    for path in SOURCES:
        pipeline.load_source(st, path, shapes, base_iri=BASE)
    st.close()
    del st
    return location


@pytest.fixture(scope="session")
def dataset_store(store_dir: Path) -> Store:
    """The same content in memory (so the web app runs queries in threads, not processes)."""
    disk = open_store(str(store_dir), read_only=True)
    memory = open_store(":memory:")
    memory.replace_graphs({g: disk.graph_triples(g) for g in disk.graph_sizes() if g})
    disk.close()
    return memory


@pytest.fixture(scope="session")
def publication(dataset_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Publication:
    return publish(dataset_store, tmp_path_factory.mktemp("out") / "pub", options())


@pytest.fixture(scope="session")
def publish_shapes() -> dict[str, Graph]:
    return {p.stem: Graph().parse(p) for p in sorted(PUBLISH_SHAPES.glob("*.ttl"))}


@pytest.fixture(scope="module")
def client(dataset_store: Store) -> Iterator[TestClient]:
    settings = Settings(store=dataset_store.location, public_url=BASE_URL)
    with TestClient(create_app(settings, dataset_store)) as test_client:
        yield test_client


def parse_rdf(body: bytes, media_type: str) -> Graph:
    """Parse any RDF document with Oxigraph (rdflib's JSON-LD parser warns) into one graph."""
    import pyoxigraph as ox

    quads = ox.parse(body, format=ox.RdfFormat.from_media_type(media_type))
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
