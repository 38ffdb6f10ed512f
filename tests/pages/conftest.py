"""Fixtures of the page tests: one store with the whole bundled dataset, and apps over it.

The store is loaded like the Makefile's ``load`` target (régions, départements, communes, then
data/ptce and data/examples), once per session; tests only read it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from ptce_kg import pipeline
from ptce_kg.config import PROJECT_ROOT, Settings
from ptce_kg.store import Store, open_store
from ptce_kg.web import create_app

DATA = PROJECT_ROOT / "data"
BASE = "https://w3id.org/ptce/"


def dataset_files() -> list[Path]:
    """The bundled dataset in the Makefile's load order."""
    territories = DATA / "territories"
    return [
        territories / "regions.ttl",
        territories / "departements.ttl",
        territories / "communes.ttl",
        *sorted((DATA / "ptce").glob("*.ttl")),
        *sorted((DATA / "examples").glob("*.ttl")),
    ]


@pytest.fixture(scope="session")
def dataset_store(shapes: Graph) -> Store:
    """An in-memory store with the ontology and the whole bundled dataset (read-only use)."""
    store = open_store(":memory:")
    pipeline.load_ontology(store, PROJECT_ROOT / "ontology")
    for path in dataset_files():
        pipeline.load_source(store, path, shapes, base_iri=BASE)
    return store


@pytest.fixture(scope="session")
def site(dataset_store: Store) -> Iterator[TestClient]:
    """A client on the app over the dataset store, with the default base IRI."""
    settings = Settings(store=dataset_store.location)
    with TestClient(create_app(settings, dataset_store)) as client:
        yield client


@pytest.fixture(scope="session")
def other_base_site(dataset_store: Store) -> Iterator[TestClient]:
    """The same data, served with a base IRI other than the one the data was minted under."""
    settings = Settings(store=dataset_store.location, base_iri="https://example.org/ptce/")
    with TestClient(create_app(settings, dataset_store)) as client:
        yield client


@pytest.fixture(autouse=True)
def fresh_cookies(request: pytest.FixtureRequest) -> None:
    """Each test starts without the language cookie a previous test may have set."""
    for name in ("site", "other_base_site"):
        if name in request.fixturenames:
            request.getfixturevalue(name).cookies.clear()
