"""Fixtures of the web tests: apps over small synthetic stores, in memory or on disk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ptce_kg.config import Settings
from ptce_kg.store import Store, open_store
from ptce_kg.web import create_app

ORG = "https://w3id.org/ptce/id/org/synthetic-"
G1 = "https://w3id.org/ptce/graph/synthetic-one"
G2 = "https://w3id.org/ptce/graph/synthetic-two"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
MEMBER = "https://w3id.org/ptce/ontology#synthetic-member"


def synthetic_triples(start: int, count: int) -> bytes:
    """N-Triples: ``count`` synthetic organisations with a label and a link to the next one."""
    lines = []
    for i in range(start, start + count):
        lines.append(f'<{ORG}{i}> <{LABEL}> "Organisation {i}" .')
        lines.append(f"<{ORG}{i}> <{MEMBER}> <{ORG}{i + 1}> .")
    return ("\n".join(lines) + "\n").encode()


def fill(store: Store) -> Store:
    """G1: 3 organisations (6 triples); G2: 2 organisations (4 triples)."""
    store.replace_graphs({G1: synthetic_triples(0, 3), G2: synthetic_triples(10, 2)})
    return store


MakeClient = Callable[..., TestClient]


@pytest.fixture
def make_client() -> Iterator[MakeClient]:
    """``make_client(store=None, **settings)``: a started TestClient on a new app.

    Without ``store``, an in-memory store filled by :func:`fill`.
    """
    with ExitStack() as stack:

        def make(store: Store | None = None, **overrides: Any) -> TestClient:
            st = store if store is not None else fill(open_store(":memory:"))
            settings = Settings(store=st.location, **overrides)
            return stack.enter_context(TestClient(create_app(settings, st)))

        yield make


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    """A client on the default app over the in-memory synthetic store."""
    return make_client()


@pytest.fixture
def disk_store(tmp_path: Path) -> Store:
    """An on-disk store (so queries run in worker processes) with the synthetic graphs."""
    return fill(open_store(str(tmp_path / "store")))
