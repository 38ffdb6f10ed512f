"""Fixtures of the page tests: one store with the whole bundled dataset, and apps over it.

The store is loaded like the Makefile's ``load`` target (régions, départements, communes, then
tests/data/dataset and data/examples), once per session; tests only read it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ptce_kg.config import PROJECT_ROOT, Settings
from ptce_kg.store import Store
from ptce_kg.web import create_app

DATA = PROJECT_ROOT / "data"
BASE = "https://w3id.org/ptce/"


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
