"""HEAD wherever GET is answered, and a 500 with the documented JSON error body."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ptce_kg.config import Settings
from ptce_kg.store import open_store
from ptce_kg.web import create_app

#: Routes that answered HEAD with 405 (issue 19), and a few that always answered it.
PATHS = ["/health", "/api/queries", "/api/compare", "/dumps/", "/context.jsonld", "/catalog", "/"]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = create_app(Settings(store=":memory:"), open_store(":memory:"))

    def boom() -> None:
        raise RuntimeError("a bug (synthetic)")

    app.add_api_route("/synthetic-boom", boom, methods=["GET"])
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize("path", PATHS)
def test_head_is_answered_wherever_get_is(client: TestClient, path: str) -> None:
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers.get("content-length") == get.headers.get("content-length")


def test_head_of_metrics_is_200_without_a_body(client: TestClient) -> None:
    head = client.head("/metrics")  # its body changes with every request: no length compared
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"].startswith("text/plain")


def test_head_where_only_post_is_answered_is_405(client: TestClient) -> None:
    assert client.head("/sparql/update").status_code == 405


def test_a_500_has_the_json_error_body(client: TestClient) -> None:
    response = client.get("/synthetic-boom")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == "internal_error"
    assert body["status"] == 500
    assert "synthetic" not in body["message"]  # nothing of the exception leaks


def test_a_500_for_a_browser_is_an_html_page(client: TestClient) -> None:
    response = client.get("/synthetic-boom", headers={"Accept": "text/html"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
