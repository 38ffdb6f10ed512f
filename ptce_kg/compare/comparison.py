"""Two to five PTCEs side by side: one row per dimension, one column per PTCE, and the pairwise
similarity matrix, as table rows, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ptce_kg.compare.profile import load_profiles
from ptce_kg.compare.similarity import Score, SimilarityWeights, similarity
from ptce_kg.compare.values import Concept, Count, Entity, Place, PTCEProfile, resolve_ptce
from ptce_kg.errors import QueryError
from ptce_kg.namespaces import DEFAULT_BASE
from ptce_kg.naming import Reference, resolve_references
from ptce_kg.store import Store

MIN_PTCES, MAX_PTCES = 2, 5


def format_number(value: float | None) -> str:
    """``60`` for 60.0, ``3.5`` for 3.5, empty for ``None``."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _concepts(items: Iterable[Concept]) -> str:
    return "; ".join(c.label for c in items)


def _counts(items: Iterable[Count]) -> str:
    return "; ".join(f"{c.label} ×{c.count}" for c in items)


def _places(items: Iterable[Place]) -> str:
    return "; ".join(f"{p.label} ({p.code})" if p.code else p.label for p in items)


def _entities(items: Iterable[Entity]) -> str:
    parts = []
    for e in items:
        details = [e.actor_class.label] if e.actor_class else []
        details += [c.label for c in e.legal_forms]
        parts.append(f"{e.label} ({', '.join(details)})" if details else e.label)
    return "; ".join(parts)


def _recognitions(p: PTCEProfile) -> str:
    parts = []
    for r in p.recognitions:
        text = r.kind.label if r.kind else "?"
        details = [d for d in (r.date, f"{format_number(r.amount)} €" if r.amount else "") if d]
        parts.append(f"{text} ({', '.join(details)})" if details else text)
    return "; ".join(parts)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


#: The rows of a comparison: (dimension, how to show it for one profile).
DIMENSIONS: tuple[tuple[str, Callable[[PTCEProfile], str]], ...] = (
    ("iri", lambda p: p.iri),
    ("label", lambda p: p.label),
    ("founding date", lambda p: p.founding_date or ""),
    ("age (years)", lambda p: "" if p.age_years is None else str(p.age_years)),
    ("stage", lambda p: _concepts(p.stage)),
    ("origin", lambda p: _concepts(p.origin)),
    ("pole type", lambda p: _concepts(p.pole_type)),
    ("sectors", lambda p: _concepts(p.sectors)),
    ("cooperation types (actions)", lambda p: _counts(p.cooperation_types)),
    ("composition documented", lambda p: _yes_no(p.composition_documented)),
    ("members (current, documented)", lambda p: str(p.member_count)),
    ("actors by class", lambda p: _counts(p.actor_classes)),
    ("actors by ESS family", lambda p: _counts(p.ess_families)),
    ("territory types", lambda p: _concepts(p.territory_types)),
    ("scale", lambda p: _concepts(p.scale)),
    ("communes", lambda p: _places(p.communes)),
    ("départements", lambda p: _places(p.departements)),
    ("régions", lambda p: _places(p.regions)),
    ("EPCI", lambda p: _places(p.epcis)),
    ("legal form", lambda p: _concepts(p.legal_forms)),
    ("legal structure", lambda p: _entities(p.legal_structures)),
    ("carrier", lambda p: _entities(p.carriers)),
    ("recognitions", _recognitions),
    ("funding", lambda p: _concepts(p.funding)),
)


@dataclass(frozen=True)
class Comparison:
    """Profiles side by side and their pairwise similarity (``matrix[i][j]``)."""

    profiles: tuple[PTCEProfile, ...]
    matrix: tuple[tuple[Score, ...], ...]
    weights: SimilarityWeights

    def header(self) -> list[str]:
        """``["dimension", <label of each PTCE>…]``."""
        return ["dimension", *(p.label for p in self.profiles)]

    def as_table_rows(self) -> list[list[str]]:
        """One row per dimension (then per indicator kind, then per similarity column)."""
        rows = [[name, *(show(p) for p in self.profiles)] for name, show in DIMENSIONS]
        kinds: dict[str, str] = {}
        for p in self.profiles:
            for indicator in p.indicators:
                kinds.setdefault(indicator.kind.key, indicator.kind.label)
        for key, label in sorted(kinds.items()):
            cells = []
            for p in self.profiles:
                value = p.indicator(key)
                unit = f" {value.unit.label}" if value and value.unit else ""
                cells.append(f"{format_number(value.value)}{unit} ({value.date})" if value else "")
            rows.append([f"latest {label}", *cells])
        for j, other in enumerate(self.profiles):
            rows.append(
                [
                    f"similarity with {other.label}",
                    *(f"{self.matrix[i][j].total:.3f}" for i in range(len(self.profiles))),
                ]
            )
        return rows

    def to_csv(self) -> str:
        """The table rows as CSV (RFC 4180, ``\\r\\n`` line ends) with a header."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(self.header())
        writer.writerows(self.as_table_rows())
        return buffer.getvalue()

    def as_dict(self) -> dict[str, Any]:
        """Profiles, table rows and the similarity matrix, JSON-ready."""
        return {
            "ptces": [p.iri for p in self.profiles],
            "weights": self.weights.as_dict(),
            "profiles": [p.as_dict() for p in self.profiles],
            "rows": [{"dimension": r[0], "values": r[1:]} for r in self.as_table_rows()],
            "similarity": [[s.as_dict() for s in row] for row in self.matrix],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)


def compare_ptces(
    store: Store,
    ptces: Sequence[str],
    weights: SimilarityWeights | None = None,
    *,
    lang: str = "fr",
    on: date | None = None,
    base: str = DEFAULT_BASE,
) -> Comparison:
    """Compare 2 to 5 distinct PTCEs (IRIs or keys).

    Raises:
        QueryError: for fewer than 2 or more than 5 distinct PTCEs, a malformed reference, or
            one that names no PTCE of the store (with the closest keys).
    """
    for p in ptces:
        resolve_ptce(p, base=base)  # a malformed reference is an error before the store is asked
    refs = [Reference("ptce", p, "ptce") for p in ptces]
    iris = list(dict.fromkeys(str(iri) for iri in resolve_references(store, refs, base=base)))
    if not MIN_PTCES <= len(iris) <= MAX_PTCES:
        raise QueryError(
            f"compare takes {MIN_PTCES} to {MAX_PTCES} distinct PTCEs, got {len(iris)}",
            hint="name between 2 and 5 different PTCEs",
        )
    weights = weights or SimilarityWeights()
    profiles = tuple(load_profiles(store, iris, lang=lang, on=on))
    matrix = tuple(tuple(similarity(a, b, weights) for b in profiles) for a in profiles)
    return Comparison(profiles, matrix, weights)


__all__ = ["DIMENSIONS", "MAX_PTCES", "MIN_PTCES", "Comparison", "compare_ptces", "format_number"]
