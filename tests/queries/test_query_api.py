"""The named-query API: catalogue, typed OpenAPI parameters, JSON and CSV answers, errors."""

from __future__ import annotations

import csv
import io
import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ptce_kg.config import Settings
from ptce_kg.queries import NamedQuery
from ptce_kg.store import Store
from ptce_kg.web import create_app
from ptce_kg.web.query_api import build_router

from .conftest import QUERIES_DIR

ID = "https://w3id.org/ptce/id/"
DAMIER = f"{ID}ptce/le-damier"


@pytest.fixture(scope="module")
def client(dataset_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(store=":memory:"), dataset_store)) as test_client:
        yield test_client


def test_catalogue_lists_every_query_with_its_typed_params(
    client: TestClient, named_queries: dict[str, NamedQuery]
) -> None:
    response = client.get("/api/queries")
    assert response.status_code == 200
    entries = {e["name"]: e for e in response.json()}
    assert set(entries) == set(named_queries)
    indicators = entries["ptce_indicators"]
    assert indicators["title"] == {
        "fr": "Indicateurs d'un PTCE dans le temps",
        "en": "A PTCE's indicators over time",
    }
    assert indicators["params"]["ptce"]["type"] == "iri"
    assert indicators["params"]["indicator"] == {
        "type": "concept",
        "required": False,
        "multiple": False,
        "scheme": "indicator",
        "example": "direct-jobs",
        "description": "one kind of indicator (key or concept IRI); left out, every kind",
    }
    assert indicators["links"]["csv"] == "/api/queries/ptce_indicators.csv"
    assert "size" in indicators["tags"] and indicators["returns"] == "table"


def test_openapi_has_one_route_per_query_with_typed_parameters(
    client: TestClient, named_queries: dict[str, NamedQuery]
) -> None:
    paths = _query_openapi()["paths"]
    for name, query in named_queries.items():
        operation = paths[f"/api/queries/{name}"]["get"]
        assert operation["summary"] == query.title["en"]
        declared = {p["name"]: p for p in operation["parameters"]}
        assert set(declared) == {*query.params, "lang", "format"}
        assert f"/api/queries/{name}.csv" in paths
    members = {p["name"]: p for p in paths["/api/queries/ptce_members"]["get"]["parameters"]}
    assert members["ptce"]["required"] is True
    assert members["ptce"]["schema"] == {
        "type": "string",
        "format": "iri",
        "description": "a ptce: its IRI, its key",
    }
    assert members["as_of"]["schema"] == {"type": "string", "format": "date"}
    several = {
        p["name"]: p for p in paths["/api/queries/actors_in_several_ptces"]["get"]["parameters"]
    }
    assert several["min_ptces"]["schema"] == {"type": "integer"}
    compare = {p["name"]: p for p in paths["/api/queries/compare_ptces"]["get"]["parameters"]}
    assert compare["ptce"]["schema"]["type"] == "array"
    assert compare["ptce"]["explode"] is True


def _query_openapi() -> dict[str, Any]:
    """The OpenAPI schema of the query routes alone (other routers are not under test here)."""
    app = FastAPI()
    app.include_router(build_router(QUERIES_DIR))
    return app.openapi()


def test_the_query_routes_add_no_openapi_warning(client: TestClient) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    app.openapi_schema = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app.openapi()
    assert not [w for w in caught if "query_api" in str(w.message)]


def test_json_answer_is_sparql_results_json(client: TestClient) -> None:
    response = client.get(
        "/api/queries/ptce_indicators",
        params={"ptce": DAMIER, "indicator": "direct-jobs"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    body = response.json()
    assert body["head"]["vars"][:4] == ["ptce", "indicator", "date", "value"]
    values = {(b["date"]["value"], float(b["value"]["value"])) for b in body["results"]["bindings"]}
    assert values == {("2016", 167.0), ("2019", 348.0), ("2022", 430.0)}


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("path", "headers", "params"),
    [
        pytest.param("/api/queries/ptces_by_region", {"Accept": "text/csv"}, {}, id="accept"),
        pytest.param(
            "/api/queries/ptces_by_region.csv", {"Accept": "application/json"}, {}, id="suffix"
        ),
        pytest.param("/api/queries/ptces_by_region", {}, {"format": "csv"}, id="format-param"),
    ],
)
def test_csv_answer(
    client: TestClient, path: str, headers: dict[str, str], params: dict[str, str]
) -> None:
    response = client.get(path, params={"region_code": "84", **params}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = _csv(response.text)
    assert {r["ptce"] for r in rows} >= {DAMIER, f"{ID}ptce/synthetic-a"}
    assert {r["region_code"] for r in rows} == {"84"}


def test_csv_and_json_give_the_same_rows(client: TestClient) -> None:
    meets = {"verdict": "meets"}
    as_json = client.get("/api/queries/ptces_meeting_decree_2015_431", params=meets).json()
    as_csv = _csv(client.get("/api/queries/ptces_meeting_decree_2015_431.csv", params=meets).text)
    assert [b["ptce"]["value"] for b in as_json["results"]["bindings"]] == [
        r["ptce"] for r in as_csv
    ]
    assert len(as_csv) == 2


def test_repeated_parameter_gives_several_values(client: TestClient) -> None:
    response = client.get(
        "/api/queries/compare_ptces.csv",
        params=[("ptce", DAMIER), ("ptce", f"{ID}ptce/synthetic-b")],
    )
    assert response.status_code == 200, response.text
    assert sorted(r["ptce"] for r in _csv(response.text)) == [DAMIER, f"{ID}ptce/synthetic-b"]


@pytest.mark.parametrize(
    ("path", "params", "status", "kind"),
    [
        pytest.param("/api/queries/ptces_on_mars", {}, 404, "not_found", id="unknown-query"),
        pytest.param("/api/queries/ptces_on_mars.csv", {}, 404, "not_found", id="unknown-csv"),
        pytest.param("/api/queries/similar_ptces", {}, 400, "bad_query", id="missing"),
        pytest.param(
            "/api/queries/ptce_indicators", {"colour": "red"}, 400, "bad_query", id="unknown-param"
        ),
        pytest.param(
            "/api/queries/ptce_indicators",
            {"ptce": "> } ; DROP ALL #"},
            400,
            "bad_query",
            id="iri-injection",
        ),
        pytest.param(
            "/api/queries/ptces_by_region",
            {"region_code": '84" } ; DROP ALL #'},
            400,
            "bad_query",
            id="string-injection",
        ),
        pytest.param(
            "/api/queries/ptce_members",
            {"ptce": DAMIER, "as_of": "yesterday"},
            400,
            "bad_query",
            id="date",
        ),
    ],
)
def test_errors(
    client: TestClient,
    dataset_store: Store,
    path: str,
    params: dict[str, str],
    status: int,
    kind: str,
) -> None:
    before = dataset_store.quad_count()
    response = client.get(path, params=params)
    assert response.status_code == status, response.text
    assert response.json()["error"] == kind
    assert dataset_store.quad_count() == before


def test_error_message_names_the_parameter(client: TestClient) -> None:
    response = client.get("/api/queries/ptce_indicators", params={"ptce": "le damier"})
    assert response.status_code == 400
    assert "parameter 'ptce' (PTCE)" in json.loads(response.text)["message"]
