"""The values a PTCE profile is made of, and how references and dates are read.

:class:`PTCEProfile` and its parts are plain frozen dataclasses with ``as_dict()`` (JSON-ready,
stable key order); :mod:`ptce_kg.compare.profile` fills them from the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from rdflib import URIRef

from ptce_kg.errors import QueryError
from ptce_kg.namespaces import DEFAULT_BASE, HTTP_IRI, mint_iri

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_DATE = re.compile(r"(-?\d{4,})(?:-(\d{2})(?:-(\d{2}))?)?")


# ---------------------------------------------------------------------------------------- values
@dataclass(frozen=True)
class Concept:
    """A SKOS concept (or an ontology class) with its key, its label and its broader keys."""

    iri: str
    key: str
    label: str
    broader: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"iri": self.iri, "key": self.key, "label": self.label}


@dataclass(frozen=True)
class Count:
    """How many members (or cooperation actions) fall under a class or concept."""

    iri: str
    key: str
    label: str
    count: int
    broader: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"iri": self.iri, "key": self.key, "label": self.label, "count": self.count}


@dataclass(frozen=True)
class Place:
    """A territory the PTCE is based in or covers, or one that contains those."""

    iri: str
    kind: str
    code: str | None
    label: str

    def as_dict(self) -> dict[str, Any]:
        return {"iri": self.iri, "kind": self.kind, "code": self.code, "label": self.label}


@dataclass(frozen=True)
class Entity:
    """The PTCE's own legal structure or its carrier: label, most specific class, legal forms."""

    iri: str
    label: str
    actor_class: Concept | None
    legal_forms: tuple[Concept, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "class": self.actor_class.as_dict() if self.actor_class else None,
            "legal_forms": [c.as_dict() for c in self.legal_forms],
        }


@dataclass(frozen=True)
class Recognition:
    """A recognition event: kind, date (lexical form), amount in euros."""

    iri: str
    kind: Concept | None
    date: str | None
    amount: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "kind": self.kind.as_dict() if self.kind else None,
            "date": self.date,
            "amount": self.amount,
        }


@dataclass(frozen=True)
class IndicatorValue:
    """The latest value of one indicator kind, with its date, unit and sources."""

    iri: str
    kind: Concept
    value: float
    date: str | None
    unit: Concept | None
    sources: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "kind": self.kind.as_dict(),
            "value": self.value,
            "date": self.date,
            "unit": self.unit.as_dict() if self.unit else None,
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class PTCEProfile:
    """Everything a comparison looks at for one PTCE (see docs/comparison.md)."""

    iri: str
    key: str
    label: str
    labels: dict[str, str]
    founding_date: str | None = None
    age_years: int | None = None
    reference_date: str | None = None
    composition_documented: bool = True
    member_count: int = 0
    actor_classes: tuple[Count, ...] = ()
    ess_families: tuple[Count, ...] = ()
    cooperation_types: tuple[Count, ...] = ()
    sectors: tuple[Concept, ...] = ()
    territory_types: tuple[Concept, ...] = ()
    scale: tuple[Concept, ...] = ()
    stage: tuple[Concept, ...] = ()
    origin: tuple[Concept, ...] = ()
    pole_type: tuple[Concept, ...] = ()
    funding: tuple[Concept, ...] = ()
    communes: tuple[Place, ...] = ()
    departements: tuple[Place, ...] = ()
    regions: tuple[Place, ...] = ()
    epcis: tuple[Place, ...] = ()
    legal_forms: tuple[Concept, ...] = ()
    legal_structures: tuple[Entity, ...] = ()
    carriers: tuple[Entity, ...] = ()
    recognitions: tuple[Recognition, ...] = ()
    indicators: tuple[IndicatorValue, ...] = ()

    def indicator(self, kind: str) -> IndicatorValue | None:
        """Return the latest value of the indicator ``kind`` (a key such as ``member-count``)."""
        return next((i for i in self.indicators if i.kind.key == kind), None)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with a stable key order (the order of the fields)."""

        def many(items: Iterable[Any]) -> list[Any]:
            return [i.as_dict() for i in items]

        return {
            "iri": self.iri,
            "key": self.key,
            "label": self.label,
            "labels": dict(sorted(self.labels.items())),
            "founding_date": self.founding_date,
            "age_years": self.age_years,
            "reference_date": self.reference_date,
            "composition_documented": self.composition_documented,
            "member_count": self.member_count,
            "actor_classes": many(self.actor_classes),
            "ess_families": many(self.ess_families),
            "cooperation_types": many(self.cooperation_types),
            "sectors": many(self.sectors),
            "territory_types": many(self.territory_types),
            "scale": many(self.scale),
            "stage": many(self.stage),
            "origin": many(self.origin),
            "pole_type": many(self.pole_type),
            "funding": many(self.funding),
            "territory": {
                "communes": many(self.communes),
                "departements": many(self.departements),
                "regions": many(self.regions),
                "epcis": many(self.epcis),
            },
            "legal_forms": many(self.legal_forms),
            "legal_structures": many(self.legal_structures),
            "carriers": many(self.carriers),
            "recognitions": many(self.recognitions),
            "indicators": many(self.indicators),
        }


# ------------------------------------------------------------------------------ references, dates
def resolve_ptce(ref: str, *, base: str = DEFAULT_BASE) -> URIRef:
    """Return the IRI a user means by ``ref``: a full IRI, or the key after ``/id/ptce/``.

    Raises:
        QueryError: if ``ref`` is neither a well-formed http(s) IRI nor a valid key.
    """
    text = ref.strip()
    if text.startswith(("http://", "https://")):
        if not HTTP_IRI.fullmatch(text):
            raise QueryError(f"not a valid IRI: {ref!r}", hint="give a full IRI or a PTCE key")
        return URIRef(text)
    if not _KEY.fullmatch(text):
        raise QueryError(
            f"not a PTCE IRI or key: {ref!r}",
            hint="give a full IRI or the key after /id/ptce/, e.g. le-damier",
        )
    return mint_iri("ptce", text, base=base)


def date_key(lexical: str | None) -> tuple[int, int, int]:
    """Order dates of mixed precision: an ``xsd:gYear`` counts as the last day of its year."""
    match = _DATE.match(lexical or "")
    if not match:
        return (-(10**6), 0, 0)
    year, month, day = match.groups()
    return (int(year), int(month or 12), int(day or 31))


def first_day_key(lexical: str | None) -> tuple[int, int, int] | None:
    """The first day a date of mixed precision covers (``"2016"`` → 2016-01-01), or ``None``."""
    match = _DATE.match(lexical or "")
    if not match:
        return None
    year, month, day = match.groups()
    return (int(year), int(month or 1), int(day or 1))


def age_in_years(founding: str | None, on: date) -> int | None:
    """Full years from ``founding`` (xsd:date or xsd:gYear lexical form) to ``on``."""
    match = _DATE.match(founding or "")
    if not match:
        return None
    year, month, day = match.groups()
    if month is None:
        return max(on.year - int(year), 0)
    before_anniversary = (on.month, on.day) < (int(month), int(day or 1))
    return max(on.year - int(year) - before_anniversary, 0)


def local_name(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/"))[-1]


__all__ = [
    "Concept",
    "Count",
    "Entity",
    "IndicatorValue",
    "PTCEProfile",
    "Place",
    "Recognition",
    "age_in_years",
    "date_key",
    "local_name",
    "resolve_ptce",
]
