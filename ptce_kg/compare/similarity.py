"""How alike two PTCE profiles are: a weighted mean of Jaccard indices, one per dimension.

For each dimension ``d`` both profiles give a multiset of features (a set is a multiset whose
counts are 1). The dimension's similarity is the weighted Jaccard index
``J_d = Σ_f min(a_f, b_f) / Σ_f max(a_f, b_f)``; the total is ``Σ w_d·J_d / Σ w_d`` over the
dimensions where at least one of the two profiles has a feature (a dimension empty on both sides
says nothing and is left out; a dimension empty on one side only counts as 0). Concept features
carry their broader concepts, so ``circular-economy`` also counts as ``eco-activities``. The
formula, the default weights and a worked example are in docs/comparison.md.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from ptce_kg.compare.profile import load_profiles
from ptce_kg.compare.values import Concept, Count, PTCEProfile, resolve_ptce
from ptce_kg.errors import NotFound, QueryError
from ptce_kg.store import Store


@dataclass(frozen=True)
class SimilarityWeights:
    """The weight of each dimension in the total (0 leaves a dimension out)."""

    sectors: float = 3.0
    cooperation_types: float = 2.0
    actor_classes: float = 2.0
    territory_types: float = 1.0
    scale: float = 1.0
    regions: float = 1.0
    recognitions: float = 1.0
    legal_form: float = 1.0

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The dimensions, in their documented order."""
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> SimilarityWeights:
        """Defaults overridden by ``values`` (numbers or numeric strings).

        Raises:
            QueryError: on an unknown dimension, or a weight that is not a finite number ≥ 0.
        """
        known = cls.names()
        chosen: dict[str, float] = {}
        for name, raw in values.items():
            if name not in known:
                raise QueryError(
                    f"unknown similarity dimension {name!r}", hint=f"use one of {', '.join(known)}"
                )
            try:
                weight = float(raw)
            except (TypeError, ValueError) as e:
                raise QueryError(f"weight of {name!r} is not a number: {raw!r}") from e
            if not math.isfinite(weight) or weight < 0:
                raise QueryError(f"weight of {name!r} must be a finite number ≥ 0, not {raw!r}")
            chosen[name] = weight
        return cls(**chosen)

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in self.names()}


@dataclass(frozen=True)
class Score:
    """A total in [0, 1] and the Jaccard index of each dimension that was compared."""

    total: float
    per_dimension: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "per_dimension": dict(self.per_dimension)}


def _with_broader(items: Iterable[Concept | Count]) -> Counter[str]:
    features: set[str] = set()
    for item in items:
        features.update((item.key, *item.broader))
    return Counter(features)


def _legal_form(p: PTCEProfile) -> Counter[str]:
    tokens = {c.key for c in p.legal_forms}
    tokens |= {f"own-entity:{e.actor_class.key}" for e in p.legal_structures if e.actor_class}
    tokens |= {f"carried-by:{e.actor_class.key}" for e in p.carriers if e.actor_class}
    return Counter(tokens)


#: How each dimension turns a profile into features (see docs/comparison.md).
FEATURES: dict[str, Callable[[PTCEProfile], Counter[str]]] = {
    "sectors": lambda p: _with_broader(p.sectors),
    "cooperation_types": lambda p: _with_broader(p.cooperation_types),
    "actor_classes": lambda p: Counter({c.key: c.count for c in p.actor_classes}),
    "territory_types": lambda p: _with_broader(p.territory_types),
    "scale": lambda p: Counter({c.key for c in p.scale}),
    "regions": lambda p: Counter({r.code or r.iri for r in p.regions}),
    "recognitions": lambda p: _with_broader(r.kind for r in p.recognitions if r.kind),
    "legal_form": _legal_form,
}


def jaccard(a: Counter[str], b: Counter[str]) -> float | None:
    """Weighted Jaccard index of two multisets; ``None`` when both are empty."""
    union = sum((a | b).values())
    if union == 0:
        return None
    return sum((a & b).values()) / union


def similarity(a: PTCEProfile, b: PTCEProfile, weights: SimilarityWeights | None = None) -> Score:
    """Compare two profiles (symmetric; 1.0 for a profile with itself unless it is empty)."""
    weights = weights or SimilarityWeights()
    per_dimension: dict[str, float] = {}
    weighted = total_weight = 0.0
    for name, features in FEATURES.items():
        weight = float(getattr(weights, name))
        index = jaccard(features(a), features(b))
        if index is None or weight == 0:
            continue
        per_dimension[name] = round(index, 6)
        weighted += weight * index
        total_weight += weight
    total = weighted / total_weight if total_weight else 0.0
    return Score(round(total, 6), per_dimension)


@dataclass(frozen=True)
class Neighbour:
    """A PTCE near another one, with the score that says how near."""

    profile: PTCEProfile
    score: Score

    def as_dict(self) -> dict[str, Any]:
        return {
            "iri": self.profile.iri,
            "key": self.profile.key,
            "label": self.profile.label,
            "score": self.score.as_dict(),
        }


def nearest(
    store: Store,
    ptce: str,
    k: int = 5,
    weights: SimilarityWeights | None = None,
    *,
    lang: str = "fr",
    on: date | None = None,
    profiles: Sequence[PTCEProfile] | None = None,
) -> list[Neighbour]:
    """Return the ``k`` PTCEs most similar to ``ptce`` (IRI or key), best first.

    The profiles of all PTCEs are computed once (a handful of queries), then compared in memory;
    a caller that keeps them (the web app, per write generation) passes them as ``profiles``.
    Ties are broken by IRI, so the answer is stable.

    Raises:
        NotFound: if ``ptce`` is not a PTCE in the store.
        QueryError: if ``k`` < 1 or ``ptce`` is malformed.
    """
    if k < 1:
        raise QueryError(f"k must be at least 1, not {k}")
    target_iri = str(resolve_ptce(ptce))
    if profiles is None:
        profiles = load_profiles(store, None, lang=lang, on=on)
    target = next((p for p in profiles if p.iri == target_iri), None)
    if target is None:
        raise NotFound(f"not a PTCE in the store: {target_iri}")
    scored = [Neighbour(p, similarity(target, p, weights)) for p in profiles if p.iri != target.iri]
    scored.sort(key=lambda n: (-n.score.total, n.profile.iri))
    return scored[:k]


__all__ = [
    "FEATURES",
    "Neighbour",
    "Score",
    "SimilarityWeights",
    "jaccard",
    "nearest",
    "similarity",
]
