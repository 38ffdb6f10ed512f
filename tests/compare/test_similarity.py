"""Similarity: its properties, a hand-computed case, and nearest neighbours on the dataset."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare.conftest import ID, REAL_PTCE, SYNTHETIC
from ptce_kg.compare import (
    Concept,
    Count,
    Place,
    PTCEProfile,
    SimilarityWeights,
    jaccard,
    load_profiles,
    nearest,
    similarity,
)
from ptce_kg.errors import NotFound, QueryError
from ptce_kg.store import Store

C = "https://w3id.org/ptce/id/concept/"


def concept(scheme: str, key: str, *broader: str) -> Concept:
    return Concept(f"{C}{scheme}/{key}", key, key, tuple(broader))


def region(code: str) -> Place:
    return Place(f"https://w3id.org/ptce/id/region/{code}", "region", code, code)


def make(key: str, **facts: object) -> PTCEProfile:
    return PTCEProfile(iri=ID + key, key=key, label=key, labels={}, **facts)  # type: ignore[arg-type]


# Two synthetic profiles; the expected score is worked out by hand in docs/comparison.md.
ONE = make(
    "synthetic-one",
    sectors=(concept("sector", "circular-economy", "eco-activities"),),
    actor_classes=(Count("a", "Association", "association", 2), Count("s", "SCOP", "SCOP", 1)),
    regions=(region("84"),),
    scale=(concept("scale", "commune"),),
)
TWO = make(
    "synthetic-two",
    sectors=(concept("sector", "eco-activities"),),
    actor_classes=(Count("a", "Association", "association", 1), Count("c", "SCIC", "SCIC", 1)),
    regions=(region("84"),),
    territory_types=(concept("territory-type", "rural"),),
)


def test_hand_computed_case():
    score = similarity(ONE, TWO)
    assert score.per_dimension == {
        "sectors": 0.5,  # {circular-economy, eco-activities} vs {eco-activities}
        "actor_classes": 0.25,  # min 1 (Association) / max 2 + 1 + 1
        "territory_types": 0.0,  # one side empty
        "scale": 0.0,
        "regions": 1.0,
    }  # cooperation types, recognitions, legal form: empty on both sides, left out
    assert score.total == pytest.approx((3 * 0.5 + 2 * 0.25 + 0 + 0 + 1 * 1.0) / 8)  # 0.375


def test_weights_change_the_total_and_zero_leaves_a_dimension_out():
    weights = SimilarityWeights.from_mapping({"regions": 0, "sectors": "1"})
    score = similarity(ONE, TWO, weights)
    assert "regions" not in score.per_dimension
    assert score.total == pytest.approx((1 * 0.5 + 2 * 0.25) / 5)


@pytest.mark.parametrize(
    "values",
    [{"colour": 1}, {"sectors": -1}, {"sectors": "many"}, {"sectors": float("nan")}],
    ids=["unknown-dimension", "negative", "not-a-number", "nan"],
)
def test_bad_weights_are_refused(values: dict[str, object]):
    with pytest.raises(QueryError):
        SimilarityWeights.from_mapping(values)


def test_profiles_with_nothing_to_compare_score_zero():
    empty = make("synthetic-empty")
    assert similarity(empty, empty).total == 0.0 and similarity(empty, empty).per_dimension == {}


def test_jaccard_of_multisets():
    from collections import Counter

    assert jaccard(Counter({"a": 2, "b": 1}), Counter({"a": 1})) == pytest.approx(1 / 3)
    assert jaccard(Counter(), Counter()) is None


SECTORS = [concept("sector", k) for k in ("eco-activities", "digital", "tourism")] + [
    concept("sector", "circular-economy", "eco-activities")
]
profiles = st.builds(
    lambda sectors, actors, regions, scale: make(
        "synthetic-h",
        sectors=tuple(sectors),
        actor_classes=tuple(Count(k, k, k, n) for k, n in actors.items()),
        regions=tuple(region(c) for c in regions),
        scale=tuple(concept("scale", s) for s in scale),
    ),
    st.lists(st.sampled_from(SECTORS), unique=True, max_size=3),
    st.dictionaries(st.sampled_from(["SCOP", "SCIC", "Association"]), st.integers(1, 4)),
    st.lists(st.sampled_from(["11", "84", "76"]), unique=True, max_size=2),
    st.lists(st.sampled_from(["commune", "regional"]), unique=True, max_size=1),
)


@settings(max_examples=100, deadline=None)
@given(profiles, profiles)
def test_similarity_is_symmetric_and_within_bounds(a: PTCEProfile, b: PTCEProfile):
    ab, ba = similarity(a, b), similarity(b, a)
    assert ab == ba
    assert 0.0 <= ab.total <= 1.0
    assert all(0.0 <= v <= 1.0 for v in ab.per_dimension.values())


@settings(max_examples=100, deadline=None)
@given(profiles)
def test_a_profile_is_fully_similar_to_itself(a: PTCEProfile):
    score = similarity(a, a)
    assert score.total == (1.0 if score.per_dimension else 0.0)


@pytest.fixture(scope="module")
def all_profiles(dataset_store: Store) -> dict[str, PTCEProfile]:
    return {p.key: p for p in load_profiles(dataset_store, None, on=date(2025, 6, 30))}


def test_properties_hold_on_every_pair_of_the_dataset(all_profiles: dict[str, PTCEProfile]):
    for a, b in itertools.combinations_with_replacement(all_profiles.values(), 2):
        score = similarity(a, b)
        assert score == similarity(b, a)
        assert 0.0 <= score.total <= 1.0
        if a is b:
            assert score.total == 1.0  # every PTCE of the dataset has some comparable fact


@pytest.mark.parametrize("key", SYNTHETIC)
def test_each_synthetic_ptce_is_nearer_a_sibling_than_most_real_ones(
    all_profiles: dict[str, PTCEProfile], key: str
):
    """What the data gives: A and B are close, C (overseas, wood, single-sector) is apart, yet
    each one's nearest sibling beats more than three quarters of the 31 real PTCE."""
    me = all_profiles[key]
    sibling = max(similarity(me, all_profiles[s]).total for s in SYNTHETIC if s != key)
    beaten = [r for r in REAL_PTCE if similarity(me, all_profiles[r]).total < sibling]
    assert len(beaten) > 0.75 * len(REAL_PTCE)


def test_nearest_ranks_the_best_first_without_the_ptce_itself(dataset_store: Store):
    found = nearest(dataset_store, "le-damier", k=3)
    assert len(found) == 3 and all(n.profile.key != "le-damier" for n in found)
    totals = [n.score.total for n in found]
    assert totals == sorted(totals, reverse=True)
    # both are culture and creative industries in Auvergne-Rhône-Alpes, recognised in 2013
    assert found[0].profile.key == "culture-et-cooperation"
    assert {n.profile.key for n in nearest(dataset_store, "synthetic-a", k=6)} >= {"synthetic-b"}


def test_nearest_refuses_an_unknown_ptce_and_a_bad_k(dataset_store: Store):
    with pytest.raises(NotFound):
        nearest(dataset_store, "no-such-pole")
    with pytest.raises(QueryError):
        nearest(dataset_store, "le-damier", k=0)
