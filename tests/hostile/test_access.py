"""Access control of writes: no token → 401, a wrong token → 403, writes disabled → 403, on every
write route; nothing changes in any case; the token is compared in constant time and never shows
in a log line, an error body or a header."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from hostile.conftest import TOKEN, dump_quads
from ptce_kg.config import Settings
from ptce_kg.store import open_store
from ptce_kg.web import create_app

GRAPH = "https://w3id.org/ptce/graph/synthetic-access"
TRIPLE = (
    "<https://w3id.org/ptce/id/org/synthetic-access> "
    '<http://www.w3.org/2000/01/rdf-schema#label> "access (synthetic)" .'
)
UPDATE = f"INSERT DATA {{ GRAPH <{GRAPH}-new> {{ {TRIPLE} }} }}"
WRONG_TOKENS = {
    "wrong": "not-the-token",
    "prefix": TOKEN[:-1],
    "longer": TOKEN + "x",
    "other-case": TOKEN.upper(),
}

#: Every way to write: (id, method, path, request options).
WRITES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("update-form", "POST", "/sparql/update", {"data": {"update": UPDATE}}),
    (
        "update-direct",
        "POST",
        "/sparql/update",
        {"content": UPDATE, "headers": {"Content-Type": "application/sparql-update"}},
    ),
    ("sparql-post-form", "POST", "/sparql", {"data": {"update": UPDATE}}),
    (
        "sparql-post-direct",
        "POST",
        "/sparql",
        {"content": UPDATE, "headers": {"Content-Type": "application/sparql-update"}},
    ),
    (
        "graph-store-put",
        "PUT",
        f"/store?graph={GRAPH}",
        {"content": TRIPLE, "headers": {"Content-Type": "application/n-triples"}},
    ),
    (
        "graph-store-post",
        "POST",
        f"/store?graph={GRAPH}",
        {"content": TRIPLE, "headers": {"Content-Type": "application/n-triples"}},
    ),
    (
        "graph-store-post-new",
        "POST",
        "/store",
        {"content": TRIPLE, "headers": {"Content-Type": "application/n-triples"}},
    ),
    ("graph-store-delete", "DELETE", f"/store?graph={GRAPH}", {}),
    ("graph-store-delete-default", "DELETE", "/store?default", {}),
    (
        "graph-store-put-direct",
        "PUT",
        "/store/people/1.ttl",
        {"content": TRIPLE, "headers": {"Content-Type": "application/n-triples"}},
    ),
]
WRITE_IDS = [w[0] for w in WRITES]


def make_client(token: str | None) -> TestClient:
    store = open_store(":memory:")
    store.replace_graphs({GRAPH: (TRIPLE + "\n").encode()})
    return TestClient(
        create_app(
            Settings(store=":memory:", write_token=None if token is None else SecretStr(token)),
            store,
        )
    )


@pytest.fixture(scope="module")
def guarded() -> Iterator[TestClient]:
    with make_client(TOKEN) as client:
        yield client


@pytest.fixture(scope="module")
def read_only() -> Iterator[TestClient]:
    with make_client(None) as client:
        yield client


def send(client: TestClient, write: tuple[str, str, str, dict[str, Any]], auth: str | None) -> Any:
    _name, method, path, options = write
    headers = dict(options.get("headers", {}))
    if auth is not None:
        headers["Authorization"] = auth
    rest = {k: v for k, v in options.items() if k != "headers"}
    return client.request(method, path, headers=headers, **rest)


def assert_no_token_anywhere(response: Any, caplog: pytest.LogCaptureFixture) -> None:
    assert TOKEN not in response.text
    for name, value in response.headers.items():
        assert TOKEN not in name and TOKEN not in value
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
        assert TOKEN not in str(record.args)


@pytest.mark.parametrize("write", WRITES, ids=WRITE_IDS)
@pytest.mark.parametrize(
    "auth",
    [None, "Bearer", "Bearer ", f"Basic {TOKEN}", f"Token {TOKEN}"],
    ids=["no-header", "bearer-alone", "bearer-empty", "basic-scheme", "other-scheme"],
)
def test_a_write_without_a_bearer_token_is_401(
    write: tuple[str, str, str, dict[str, Any]],
    auth: str | None,
    guarded: TestClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    store = guarded.app.state.store  # type: ignore[attr-defined]
    before = dump_quads(store)
    response = send(guarded, write, auth)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["message"]
    assert dump_quads(store) == before
    assert_no_token_anywhere(response, caplog)


@pytest.mark.parametrize("write", WRITES, ids=WRITE_IDS)
@pytest.mark.parametrize("wrong", list(WRONG_TOKENS))
def test_a_write_with_a_wrong_token_is_403(
    write: tuple[str, str, str, dict[str, Any]],
    wrong: str,
    guarded: TestClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    store = guarded.app.state.store  # type: ignore[attr-defined]
    before = dump_quads(store)
    response = send(guarded, write, f"Bearer {WRONG_TOKENS[wrong]}")
    assert response.status_code == 403, response.text
    assert dump_quads(store) == before
    assert_no_token_anywhere(response, caplog)
    assert WRONG_TOKENS[wrong] not in response.text or wrong == "prefix"


DISABLED_CASES = [pytest.param(w, id=w[0]) for w in WRITES]


@pytest.mark.parametrize("write", DISABLED_CASES)
def test_writes_are_403_when_no_token_is_configured(
    write: tuple[str, str, str, dict[str, Any]],
    read_only: TestClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    store = read_only.app.state.store  # type: ignore[attr-defined]
    before = dump_quads(store)
    response = send(read_only, write, f"Bearer {TOKEN}")
    assert dump_quads(store) == before
    assert 400 <= response.status_code < 500 and response.status_code != 401, response.text
    assert response.status_code == 403, response.text
    message = response.json()["message"]
    assert "disabled" in message or "read-only" in message
    assert_no_token_anywhere(response, caplog)


def test_the_token_is_compared_in_constant_time(
    guarded: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[bytes | str, bytes | str]] = []
    original = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    store = guarded.app.state.store  # type: ignore[attr-defined]
    before = dump_quads(store)
    response = send(guarded, WRITES[0], "Bearer not-the-token")
    assert response.status_code == 403
    assert calls, "hmac.compare_digest was not used"
    assert any(TOKEN.encode() in (a, b) or TOKEN in (a, b) for a, b in calls)
    assert dump_quads(store) == before


def test_a_good_token_writes_and_still_never_shows(
    guarded: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The control: the same request with the token is accepted (so the refusals above are about
    the token), and the token is not echoed either."""
    caplog.set_level(logging.DEBUG)
    response = send(guarded, WRITES[0], f"Bearer {TOKEN}")
    assert response.status_code == 200, response.text
    assert_no_token_anywhere(response, caplog)
    store = guarded.app.state.store  # type: ignore[attr-defined]
    assert f"{GRAPH}-new" in store.graph_sizes()
