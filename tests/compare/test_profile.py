"""Profiles read from the bundled dataset, checked against the data files."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from compare.conftest import ID, REAL_PTCE, SYNTHETIC
from ptce_kg.compare import PTCEProfile, load_profiles, resolve_ptce
from ptce_kg.errors import NotFound, QueryError
from ptce_kg.store import QueryResult, Store

ON = date(2025, 6, 30)


def profile(store: Store, key: str, **kwargs: Any) -> PTCEProfile:
    return load_profiles(store, [ID + key], on=kwargs.pop("on", ON), **kwargs)[0]


def keys(items: Any) -> list[str]:
    return [i.key for i in items]


def counts(items: Any) -> dict[str, int]:
    return {c.key: c.count for c in items}


def test_le_damier_matches_its_data_file(dataset_store: Store):
    p = profile(dataset_store, "le-damier")
    assert (p.iri, p.key, p.label, p.labels) == (
        ID + "le-damier",
        "le-damier",
        "Le Damier",
        {"fr": "Le Damier"},
    )
    assert keys(p.sectors) == ["culture-creative-industries"]
    latest = {i.kind.key: (i.value, i.date, i.unit.key if i.unit else None) for i in p.indicators}
    assert latest == {
        "member-count": (60.0, "2022", "count"),
        "direct-jobs": (430.0, "2022", "person"),
        "turnover": (25_000_000.0, "2022", "euro"),
    }
    assert p.indicator("turnover") is not None and len(p.indicator("turnover").sources) == 3
    assert (p.founding_date, p.age_years) == ("2011", 14)
    assert p.composition_documented is False and p.member_count == 0 and p.actor_classes == ()
    assert [(r.kind.key if r.kind else None, r.date) for r in p.recognitions] == [
        ("call-2013", "2014")
    ]
    assert [(t.code, t.label) for t in p.communes] == [("63113", "Clermont-Ferrand")]
    assert [t.code for t in p.departements] == ["63"] and [t.code for t in p.regions] == ["84"]
    [structure] = p.legal_structures
    assert structure.label == "Le Damier" and structure.actor_class is not None
    assert structure.actor_class.key == "Association" and p.carriers == ()


def test_synthetic_a_counts_members_by_most_specific_class(dataset_store: Store):
    p = profile(dataset_store, "synthetic-a", on=date(2022, 6, 1))
    assert p.member_count == 6
    assert counts(p.actor_classes) == {
        "SCOP": 1,
        "EnterpriseOutsideESS": 1,
        "MunicipalAuthority": 1,
        "ResearchCentre": 1,
        "Citizen": 1,
        "Association": 1,
    }
    assert counts(p.ess_families) == {"scop": 1, "association": 1}
    assert keys(p.cooperation_types) == sorted(
        [
            "joint-research",
            "policy-co-construction",
            "shared-accounting",
            "shared-equipment",
            "shared-premises",
        ]
    )
    assert keys(p.legal_forms) == ["5560", "scic"]
    assert [t.code for t in p.regions] == ["84"] and [t.code for t in p.epcis] == ["200000099"]
    assert keys(p.territory_types) == ["rural", "zrr"] and keys(p.scale) == ["intercommunal"]
    assert [(r.kind.key if r.kind else "", r.amount) for r in p.recognitions] == [
        ("labo-ess-charter", None),
        ("call-2015", 150000.0),
    ]
    latest = {i.kind.key: (i.value, i.date) for i in p.indicators}
    assert latest == {  # on 2022-06-01: the 2023 values are not known yet
        "member-count": (14.0, "2022"),
        "direct-jobs": (92.0, "2022"),
        "turnover": (2_750_000.0, "2022"),
    }


def test_the_latest_indicator_is_the_latest_not_after_the_reference_date(dataset_store: Store):
    latest = {
        i.kind.key: (i.value, i.date) for i in profile(dataset_store, "synthetic-a").indicators
    }
    assert latest == {
        "member-count": (15.0, "2023"),
        "direct-jobs": (101.0, "2023"),
        "turnover": (3_100_000.0, "2023"),
    }
    early = profile(dataset_store, "synthetic-a", on=date(2000, 1, 1))
    assert early.indicators == () and early.recognitions == ()
    assert early.member_count == 3  # the members whose membership has no start date


def test_a_membership_ended_before_the_reference_date_is_not_counted(dataset_store: Store):
    p = profile(dataset_store, "synthetic-a", on=date(2023, 1, 1))
    assert p.member_count == 5 and "EnterpriseOutsideESS" not in counts(p.actor_classes)


def test_synthetic_b_is_carried_by_a_network(dataset_store: Store):
    p = profile(dataset_store, "synthetic-b")
    assert counts(p.actor_classes) == {
        "Network": 1,
        "Association": 1,
        "Mutual": 1,
        "EnterpriseOutsideESS": 1,
        "DepartmentalAuthority": 1,
        "InterMunicipalAuthority": 1,
    }
    assert counts(p.ess_families) == {"association": 1, "mutual": 1}
    [carrier] = p.carriers
    assert carrier.actor_class is not None and carrier.actor_class.key == "Network"
    assert p.legal_structures == () and p.age_years == 4


def test_synthetic_c_has_one_member_of_each_class(dataset_store: Store):
    p = profile(dataset_store, "synthetic-c")
    assert p.member_count == 16 and set(counts(p.actor_classes).values()) == {1}
    assert {"Actor", "Organisation", "ESSEnterprise", "Cooperative", "CAE"} <= set(
        counts(p.actor_classes)
    )
    # the ESS enterprise of unknown form has no family; a plain cooperative is "cooperative"
    assert counts(p.ess_families) == {
        "agricultural-cooperative": 1,
        "cae": 1,
        "cooperative": 1,
        "ess-commercial-company": 1,
        "foundation": 1,
    }
    assert (p.founding_date, p.age_years) == ("2019-09-15", 5)
    assert [t.code for t in p.regions] == ["04"]


def test_labels_follow_the_language(dataset_store: Store):
    p = profile(dataset_store, "synthetic-a", lang="en")
    assert p.label == "Cooperation pole A (synthetic)"
    assert "circular economy" in [s.label.lower() for s in p.sectors]
    assert profile(dataset_store, "le-damier", lang="en").label == "Le Damier"  # French fallback


def test_as_dict_is_json_ready_with_a_stable_key_order(dataset_store: Store):
    first = profile(dataset_store, "synthetic-a").as_dict()
    again = profile(dataset_store, "synthetic-a").as_dict()
    assert json.dumps(first) == json.dumps(again)
    assert list(first)[:4] == ["iri", "key", "label", "labels"]
    assert list(first["territory"]) == ["communes", "departements", "regions", "epcis"]


def test_profiles_come_in_the_order_asked(dataset_store: Store):
    asked = [ID + "synthetic-c", ID + "le-damier", ID + "synthetic-a"]
    assert [p.iri for p in load_profiles(dataset_store, asked, on=ON)] == asked


def test_every_ptce_gets_a_profile(dataset_store: Store):
    profiles = load_profiles(dataset_store, None, on=ON)
    assert sorted(p.key for p in profiles) == sorted(REAL_PTCE + SYNTHETIC)


class CountingStore:
    """A store that counts the queries it runs."""

    def __init__(self, inner: Store) -> None:
        self.inner, self.queries = inner, 0

    def query(self, sparql: str, **kwargs: Any) -> QueryResult:
        self.queries += 1
        return self.inner.query(sparql, **kwargs)


def test_the_number_of_queries_does_not_grow_with_the_number_of_ptces(dataset_store: Store):
    one, many = CountingStore(dataset_store), CountingStore(dataset_store)
    load_profiles(one, [ID + "le-damier"], on=ON)  # type: ignore[arg-type]
    load_profiles(many, None, on=ON)  # type: ignore[arg-type]
    assert one.queries == many.queries <= 12


@pytest.mark.parametrize(
    "ref",
    [
        "https://w3id.org/ptce/id/commune/63113",
        "https://w3id.org/ptce/id/ptce/no-such-pole",
        "no-such-pole",
    ],
    ids=["a-commune", "unknown-iri", "unknown-key"],
)
def test_something_that_is_not_a_ptce_is_not_found(dataset_store: Store, ref: str):
    with pytest.raises(NotFound, match="not a PTCE"):
        load_profiles(dataset_store, ["le-damier", ref])


@pytest.mark.parametrize(
    "ref",
    ["le damier", "https://w3id.org/ptce/id/ptce/a>b", "", "../x"],
    ids=["space", "angle-bracket", "empty", "dot-dot"],
)
def test_a_malformed_reference_is_a_query_error(dataset_store: Store, ref: str):
    with pytest.raises(QueryError):
        load_profiles(dataset_store, [ref])


def test_a_key_resolves_under_the_base():
    assert str(resolve_ptce("le-damier")) == ID + "le-damier"
    assert str(resolve_ptce("x", base="http://example.org/")) == "http://example.org/id/ptce/x"


def test_set_wise_queries_give_the_same_profiles(
    dataset_store: Store, monkeypatch: pytest.MonkeyPatch
):
    """The set-wise forms (many PTCEs) and the per-PTCE forms (a few) answer the same."""
    import ptce_kg.compare.profile as profile_module

    monkeypatch.setattr(profile_module, "SET_WISE_FROM", 10**9)
    per_ptce = load_profiles(dataset_store, None, on=ON)
    monkeypatch.setattr(profile_module, "SET_WISE_FROM", 1)
    set_wise = load_profiles(dataset_store, None, on=ON)
    assert len(per_ptce) > 20
    assert any(p.actor_classes for p in per_ptce) and any(p.regions for p in per_ptce)
    assert any(p.indicators for p in per_ptce)
    assert set_wise == per_ptce
