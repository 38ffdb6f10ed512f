"""The comparison API: profile, similar, compare (JSON and CSV), errors, OpenAPI."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

ID = "https://w3id.org/ptce/id/ptce/"


def test_profile_as_json(client: TestClient):
    r = client.get("/api/ptce/le-damier/profile")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["iri"] == ID + "le-damier" and body["composition_documented"] is False
    assert [s["key"] for s in body["sectors"]] == ["culture-creative-industries"]
    assert body["legal_structures"][0]["class"]["key"] == "Association"


def test_profile_of_an_unknown_ptce_is_404(client: TestClient):
    r = client.get("/api/ptce/no-such-pole/profile")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = client.get("/api/ptce/le-damiers/profile")
    assert r.status_code == 404 and "closest: le-damier" in r.json()["hint"]


def test_similar_returns_k_neighbours(client: TestClient):
    r = client.get("/api/ptce/le-damier/similar", params={"k": 2})
    assert r.status_code == 200
    body = r.json()
    assert body["ptce"] == ID + "le-damier" and len(body["neighbours"]) == 2
    assert body["neighbours"][0]["key"] == "culture-et-cooperation"
    assert 0 < body["neighbours"][0]["score"]["total"] <= 1


def test_similar_reuses_the_profiles_until_the_next_write(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
):
    from ptce_kg.web import compare_api

    calls: list[str] = []
    real = compare_api.load_profiles

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["lang"])
        return real(*args, **kwargs)

    monkeypatch.setattr(compare_api, "load_profiles", counting)
    client.app.state.on_write()  # type: ignore[attr-defined]  # start from a fresh generation
    first = client.get("/api/ptce/le-damier/similar", params={"k": 3}).json()
    assert client.get("/api/ptce/synthetic-a/similar").status_code == 200
    page = client.get("/id/ptce/le-damier", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "culture-et-cooperation" in page.text
    assert calls == ["fr"]  # one computation for two API calls and a page
    assert client.get("/api/ptce/le-damier/similar", params={"lang": "en"}).status_code == 200
    assert calls == ["fr", "en"]  # one per language
    client.app.state.on_write()  # type: ignore[attr-defined]
    again = client.get("/api/ptce/le-damier/similar", params={"k": 3}).json()
    assert calls == ["fr", "en", "fr"] and again == first  # a write makes them stale


def test_similar_with_a_bad_k_is_400(client: TestClient):
    assert client.get("/api/ptce/le-damier/similar", params={"k": 0}).status_code == 400


def test_compare_as_json_by_default(client: TestClient):
    r = client.get("/api/compare", params={"ptce": ["le-damier", ID + "synthetic-a"]})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["ptces"] == [ID + "le-damier", ID + "synthetic-a"]
    assert body["similarity"][0][0]["total"] == 1.0
    assert body["rows"][0]["dimension"] == "iri"


def test_compare_as_csv_by_accept(client: TestClient):
    r = client.get(
        "/api/compare", params={"ptce": ["le-damier", "pollens"]}, headers={"Accept": "text/csv"}
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:2] == ["dimension", "Le Damier"] and rows[0][2].startswith("Pollens")
    assert len(rows) > 20 and all(len(r) == 3 for r in rows)


def test_compare_with_weights(client: TestClient):
    r = client.get(
        "/api/compare", params={"ptce": ["le-damier", "pollens"], "weight": ["regions=0"]}
    )
    assert r.status_code == 200 and r.json()["weights"]["regions"] == 0.0


def test_compare_needs_two_to_five(client: TestClient):
    for refs in (["le-damier"], ["le-damier", "pollens", "peccs", "tetris", "edenn", "station-a"]):
        r = client.get("/api/compare", params={"ptce": refs})
        assert r.status_code == 400 and "2 to 5" in r.json()["message"]
    assert client.get("/api/compare").status_code == 400


def test_compare_with_an_unknown_ptce_is_400_naming_the_closest(client: TestClient):
    r = client.get("/api/compare", params={"ptce": ["le-damier", "no-such-pole"]})
    assert r.status_code == 400
    assert "'ptce'" in r.json()["message"] and "no-such-pole" in r.json()["message"]
    r = client.get("/api/compare", params={"ptce": ["le-damier", "le-damie"]})
    assert r.status_code == 400 and "le-damier" in r.json()["hint"]


def test_compare_in_an_unsupported_format_is_406(client: TestClient):
    r = client.get(
        "/api/compare", params={"ptce": ["le-damier", "pollens"]}, headers={"Accept": "image/png"}
    )
    assert r.status_code == 406


# /sparql and /.well-known/void answer GET and HEAD with one function each (web/sparql.py): FastAPI
# warns about duplicate operation ids while it builds the whole document; not this router.
def test_openapi_lists_the_routes_with_their_models(client: TestClient):
    spec = client.get("/openapi.json").json()
    for path in ("/api/compare", "/api/ptce/{key}/profile", "/api/ptce/{key}/similar"):
        assert "get" in spec["paths"][path]
    schemas = spec["components"]["schemas"]
    assert {"ProfileModel", "ComparisonModel", "SimilarModel", "ScoreModel"} <= set(schemas)
    assert "text/csv" in spec["paths"]["/api/compare"]["get"]["responses"]["200"]["content"]


def test_labels_follow_accept_language_and_a_bad_lang_is_a_400(client: TestClient):
    english = client.get("/api/ptce/le-damier/profile", headers={"Accept-Language": "en"}).json()
    french = client.get("/api/ptce/le-damier/profile", headers={"Accept-Language": "fr"}).json()
    assert english["sectors"][0]["label"] != french["sectors"][0]["label"]
    assert client.get("/api/ptce/le-damier/profile", params={"lang": "en"}).json() == english
    r = client.get("/api/compare", params={"ptce": ["le-damier", "pollens"], "lang": "de"})
    assert r.status_code == 400 and "lang" in r.json()["message"]
