"""Fixtures of the comparison tests: the whole bundled dataset, in memory and on disk."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import BASE, FIXTURE_DATA
from fastapi.testclient import TestClient

from ptce_kg.config import Settings
from ptce_kg.formats import RdfFormat
from ptce_kg.store import Store, open_store
from ptce_kg.web import create_app

REAL_PTCE = sorted(p.stem for p in (FIXTURE_DATA / "ptce").glob("*.ttl"))
SYNTHETIC = ["synthetic-a", "synthetic-b", "synthetic-c"]
ID = f"{BASE}id/ptce/"


@pytest.fixture(scope="session")
def dataset_dir(dataset_store: Store, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The same dataset in an on-disk store (for the CLI, which opens its store itself)."""
    dump = tmp_path_factory.mktemp("compare") / "dataset.nq"
    buffer = io.BytesIO()
    dataset_store.dump(buffer, RdfFormat.N_QUADS)
    dump.write_bytes(buffer.getvalue())
    path = dump.parent / "store"
    store = open_store(str(path))
    store.bulk_load(Path(dump), RdfFormat.N_QUADS, None)
    store.close()
    return str(path)


@pytest.fixture(scope="module")
def client(dataset_store: Store) -> Iterator[TestClient]:
    """A started client on the service over the in-memory dataset."""
    with TestClient(create_app(Settings(store=":memory:"), dataset_store)) as test_client:
        yield test_client
