"""as_of: PTCEs as they stood on a day, on the real data: a PTCE whose legal form changed
(Culture & Coopération, an association that became a SCIC in 2015) and one whose composition
changed (Eco-Pertica: a founder's membership ended in 2010)."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from test_researchers_guide import real_site  # noqa: F401 - the bundled real data, served

from ptce_kg.compare import compare_ptces, load_profiles
from ptce_kg.store import Store

ID = "https://w3id.org/ptce/id/ptce/"


def _store(client: TestClient) -> Store:
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    return store


def test_legal_form_as_it_stood(real_site: TestClient) -> None:  # noqa: F811
    def forms(on: date) -> list[str]:
        profile = load_profiles(_store(real_site), [f"{ID}culture-et-cooperation"], on=on)[0]
        return [c.key for c in profile.legal_forms]

    assert forms(date(2014, 6, 30)) == ["association"]
    assert forms(date(2015, 1, 1)) == ["scic"]  # a change dated "2015" counts from 1 January
    assert forms(date(2020, 1, 1)) == ["scic"]


def test_composition_recognitions_and_indicators_as_they_stood(
    real_site: TestClient,  # noqa: F811
) -> None:
    def eco_pertica(on: date) -> tuple[int, list[str], list[str]]:
        p = load_profiles(_store(real_site), [f"{ID}eco-pertica"], on=on)[0]
        return (
            p.member_count,
            [r.kind.key for r in p.recognitions if r.kind],
            [i.kind.key for i in p.indicators],
        )

    early, later = eco_pertica(date(2009, 6, 30)), eco_pertica(date(2020, 1, 1))
    assert early[0] == later[0] + 1  # the founder that left in 2010
    assert set(early[1]) < set(later[1]) and early[2] == [] and later[2]


def test_the_api_takes_as_of(real_site: TestClient) -> None:  # noqa: F811
    params = {"ptce": ["culture-et-cooperation", "eco-pertica"], "as_of": "2014-06-30"}
    then = real_site.get("/api/compare", params=params).json()
    now = real_site.get("/api/compare", params={"ptce": params["ptce"]}).json()
    legal = {row["dimension"]: row["values"] for row in then["rows"]}["legal form"]
    assert "association" in legal[0].lower()
    assert then["profiles"][0]["reference_date"] == "2014-06-30"
    assert now["profiles"][0]["reference_date"] == date.today().isoformat()
    profile = real_site.get("/api/ptce/culture-et-cooperation/profile?as_of=2014-06-30").json()
    assert [c["key"] for c in profile["legal_forms"]] == ["association"]
    assert (
        real_site.get("/api/compare", params={**params, "as_of": "2014-13-01"}).status_code == 400
    )
    direct = compare_ptces(
        _store(real_site), ["culture-et-cooperation", "eco-pertica"], on=date(2014, 6, 30)
    )
    assert (
        direct.to_json()
        == real_site.get("/api/compare", params=params, headers={"Accept": "application/json"}).text
    )
