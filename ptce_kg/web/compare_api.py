"""The comparison API: profiles, nearest PTCEs and side-by-side comparisons (docs/comparison.md).

- ``GET /api/ptce/{key}/profile``: one PTCE's profile (JSON);
- ``GET /api/ptce/{key}/similar?k=5``: the ``k`` most similar PTCEs (JSON);
- ``GET /api/compare?ptce=…&ptce=…``: 2 to 5 PTCEs side by side (JSON, or CSV for ``text/csv``).

``as_of=YYYY-MM-DD`` (profile and comparison) describes the PTCEs as they stood on that day.

Errors go through :mod:`ptce_kg.web.errors`: 400 for a bad parameter (too few or too many PTCEs, a
malformed key, an unknown weight), 404 for a PTCE that is not in the store, 406 for an ``Accept``
that is neither JSON nor CSV.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from ptce_kg.compare import (
    MAX_PTCES,
    MIN_PTCES,
    Neighbour,
    PTCEProfile,
    SimilarityWeights,
    compare_ptces,
    load_profiles,
    nearest,
    resolve_ptce,
)
from ptce_kg.compare.coverage import coverage_report
from ptce_kg.errors import QueryError
from ptce_kg.web.errors import NotAcceptableError
from ptce_kg.web.i18n import LANGUAGES, choose_language
from ptce_kg.web.negotiation import CSV, choose_media_type, content_type
from ptce_kg.web.state import AppState, State

router = APIRouter(prefix="/api", tags=["comparison"])
JSON = "application/json"
_DAMIER = "https://w3id.org/ptce/id/ptce/le-damier"


# ------------------------------------------------------------------------ profiles, cached
def all_profiles(state: AppState, lang: str) -> list[PTCEProfile]:
    """Every PTCE's profile in ``lang``, computed once per write generation and day.

    Finding the nearest PTCEs compares one profile with all of them (seconds at 1 M triples):
    the API and the PTCE pages share these until the next write. One computation at a time, so
    concurrent first requests do not all pay for it.
    """
    return state.profiles.get(
        (lang, date.today()), lambda: load_profiles(state.store, None, lang=lang)
    )


def nearest_cached(
    state: AppState, iri: str, k: int, weights: SimilarityWeights | None, lang: str
) -> list[Neighbour]:
    """:func:`ptce_kg.compare.nearest` over the cached profiles."""
    return nearest(state.store, iri, k, weights, lang=lang, profiles=all_profiles(state, lang))


# ------------------------------------------------------------------------------------ models
class ConceptModel(BaseModel):
    iri: str
    key: str
    label: str


class CountModel(ConceptModel):
    count: int = Field(description="Members (or cooperation actions) under this class/concept.")


class PlaceModel(BaseModel):
    iri: str
    kind: str = Field(description="commune, departement, region or epci")
    code: str | None
    label: str


class TerritoryModel(BaseModel):
    communes: list[PlaceModel]
    departements: list[PlaceModel]
    regions: list[PlaceModel]
    epcis: list[PlaceModel]


class EntityModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    iri: str
    label: str
    actor_class: ConceptModel | None = Field(alias="class")
    legal_forms: list[ConceptModel]


class RecognitionModel(BaseModel):
    iri: str
    kind: ConceptModel | None
    date: str | None
    amount: float | None = Field(description="Euros")


class IndicatorModel(BaseModel):
    iri: str
    kind: ConceptModel
    value: float
    date: str | None
    unit: ConceptModel | None
    sources: list[str]


class ProfileModel(BaseModel):
    """A PTCE profile (see docs/comparison.md for each field)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "iri": _DAMIER,
                    "key": "le-damier",
                    "label": "Le Damier",
                    "labels": {"fr": "Le Damier"},
                    "founding_date": "2011",
                    "age_years": 14,
                    "reference_date": "2025-06-30",
                    "composition_documented": False,
                    "member_count": 0,
                    "actor_classes": [],
                    "ess_families": [],
                    "cooperation_types": [],
                    "sectors": [
                        {
                            "iri": "https://w3id.org/ptce/id/concept/sector/"
                            "culture-creative-industries",
                            "key": "culture-creative-industries",
                            "label": "culture et industries créatives",
                        }
                    ],
                    "territory_types": [],
                    "scale": [],
                    "stage": [],
                    "origin": [],
                    "pole_type": [],
                    "funding": [],
                    "territory": {
                        "communes": [
                            {
                                "iri": "https://w3id.org/ptce/id/commune/63113",
                                "kind": "commune",
                                "code": "63113",
                                "label": "Clermont-Ferrand",
                            }
                        ],
                        "departements": [],
                        "regions": [],
                        "epcis": [],
                    },
                    "legal_forms": [],
                    "legal_structures": [],
                    "carriers": [],
                    "recognitions": [],
                    "indicators": [],
                }
            ]
        }
    )

    iri: str
    key: str
    label: str
    labels: dict[str, str]
    founding_date: str | None
    age_years: int | None
    reference_date: str | None
    composition_documented: bool
    member_count: int
    actor_classes: list[CountModel]
    ess_families: list[CountModel]
    cooperation_types: list[CountModel]
    sectors: list[ConceptModel]
    territory_types: list[ConceptModel]
    scale: list[ConceptModel]
    stage: list[ConceptModel]
    origin: list[ConceptModel]
    pole_type: list[ConceptModel]
    funding: list[ConceptModel]
    territory: TerritoryModel
    legal_forms: list[ConceptModel]
    legal_structures: list[EntityModel]
    carriers: list[EntityModel]
    recognitions: list[RecognitionModel]
    indicators: list[IndicatorModel]


class ScoreModel(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"total": 0.833333, "per_dimension": {"sectors": 1.0, "regions": 1.0}}]
        }
    )

    total: float = Field(ge=0, le=1, description="Weighted mean of the per-dimension indices.")
    per_dimension: dict[str, float] = Field(
        description="Jaccard index of each dimension compared (dimensions empty on both sides "
        "are absent)."
    )


class NeighbourModel(BaseModel):
    iri: str
    key: str
    label: str
    score: ScoreModel


class SimilarModel(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ptce": _DAMIER,
                    "k": 1,
                    "weights": dict[str, Any](SimilarityWeights().as_dict()),
                    "neighbours": [
                        {
                            "iri": "https://w3id.org/ptce/id/ptce/culture-et-cooperation",
                            "key": "culture-et-cooperation",
                            "label": "Culture et Coopération",
                            "score": {
                                "total": 0.833333,
                                "per_dimension": {"sectors": 1.0, "regions": 1.0},
                            },
                        }
                    ],
                }
            ]
        }
    )

    ptce: str
    k: int
    weights: dict[str, float]
    neighbours: list[NeighbourModel]


class RowModel(BaseModel):
    dimension: str
    values: list[str] = Field(description="One cell per PTCE, in the order of `ptces`.")


class ComparisonModel(BaseModel):
    """Profiles side by side; ``similarity[i][j]`` compares ``ptces[i]`` with ``ptces[j]``."""

    ptces: list[str]
    weights: dict[str, float]
    profiles: list[ProfileModel]
    rows: list[RowModel]
    similarity: list[list[ScoreModel]]


# ------------------------------------------------------------------------------------ routes
def _weights(pairs: list[str]) -> SimilarityWeights:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise QueryError(f"weight takes name=number, not {pair!r}")
        values[name.strip()] = value.strip()
    return SimilarityWeights.from_mapping(values)


LangQuery = Annotated[
    str | None,
    Query(description="Language of labels (fr or en); left out, Accept-Language, else fr",
          examples=["fr", "en"]),
]  # fmt: skip


def _language(request: Request, lang: str | None) -> str:
    """``lang`` when given (fr or en: anything else is a 400), else from Accept-Language."""
    if lang is not None and lang.lower() not in LANGUAGES:
        raise QueryError(
            f"parameter 'lang': {lang!r} is not a label language",
            hint=f"use one of {', '.join(sorted(LANGUAGES))}",
        )
    return choose_language(lang, None, request.headers.get("accept-language"))


AsOfQuery = Annotated[
    date | None,
    Query(
        description="The PTCEs as they stood on this day (default today): memberships running "
        "then, recognitions and the latest indicators not after it, legal forms with their dated "
        "changes applied",
        examples=["2014-06-30"],
    ),
]
WeightsQuery = Annotated[
    list[str],
    Query(
        description="Weight of a dimension as name=number, repeatable "
        f"({', '.join(SimilarityWeights.names())})",
        examples=[["sectors=3", "regions=0"]],
    ),
]


@router.get(
    "/ptce/{key}/profile",
    summary="Profile of a PTCE",
    response_model=ProfileModel,
    responses={404: {"description": "No such PTCE"}},
)
def get_profile(
    request: Request, state: State, key: str, lang: LangQuery = None, as_of: AsOfQuery = None
) -> dict[str, Any]:
    """Identity, actor mix, cooperation types, sectors, territory, legal form, carrier,
    recognitions, age and the latest value of each indicator."""
    iri = str(resolve_ptce(key, base=state.settings.base_iri))
    lang = _language(request, lang)
    return load_profiles(state.store, [iri], lang=lang, on=as_of)[0].as_dict()


@router.get(
    "/ptce/{key}/similar",
    summary="The PTCEs most similar to one",
    response_model=SimilarModel,
    responses={404: {"description": "No such PTCE"}},
)
def get_similar(
    request: Request,
    state: State,
    key: str,
    k: Annotated[int, Query(ge=1, le=100, description="How many neighbours")] = 5,
    weight: WeightsQuery = [],  # noqa: B006 - FastAPI copies the default
    lang: LangQuery = None,
) -> dict[str, Any]:
    """Nearest PTCEs by weighted Jaccard similarity over profile dimensions (best first)."""
    iri = str(resolve_ptce(key, base=state.settings.base_iri))
    weights = _weights(weight)
    neighbours = nearest_cached(state, iri, k, weights, _language(request, lang))
    return {
        "ptce": iri,
        "k": k,
        "weights": weights.as_dict(),
        "neighbours": [n.as_dict() for n in neighbours],
    }


@router.get(
    "/compare",
    summary=f"Compare {MIN_PTCES} to {MAX_PTCES} PTCEs side by side",
    response_model=ComparisonModel,
    responses={
        200: {"content": {CSV: {"example": "dimension,Le Damier,Pollens\r\n"}}},
        400: {"description": f"Fewer than {MIN_PTCES} or more than {MAX_PTCES} PTCEs"},
        404: {"description": "A PTCE that is not in the store"},
        406: {"description": "Accept is neither JSON nor CSV"},
    },
)
def get_comparison(
    request: Request,
    state: State,
    ptce: Annotated[
        list[str],
        Query(
            description=f"{MIN_PTCES} to {MAX_PTCES} PTCEs: IRIs or keys",
            examples=[["le-damier", "culture-et-cooperation"]],
        ),
    ] = [],  # noqa: B006 - FastAPI copies the default
    weight: WeightsQuery = [],  # noqa: B006
    lang: LangQuery = None,
    as_of: AsOfQuery = None,
) -> Any:
    """Profiles as rows (one per dimension, one cell per PTCE) and the pairwise similarity
    matrix. JSON by default; CSV (the rows) for ``Accept: text/csv``."""
    media = choose_media_type(request.headers.get("accept"), (JSON, CSV))
    if media is None:
        raise NotAcceptableError(
            "the comparison is available as application/json or text/csv",
            hint="send Accept: application/json or text/csv",
        )
    comparison = compare_ptces(
        state.store,
        ptce,
        _weights(weight),
        lang=_language(request, lang),
        on=as_of,
        base=state.settings.base_iri,
    )
    body = comparison.to_csv() if media == CSV else comparison.to_json()
    headers = {"content-type": content_type(media), "vary": "Accept, Accept-Language"}
    return Response(body, headers=headers)


@router.get("/coverage", summary="Coverage report: what the store documents about its PTCEs")
def get_coverage(
    state: State,
    include_synthetic: Annotated[
        bool, Query(description="Count the synthetic examples too (when they are loaded)")
    ] = False,
) -> dict[str, Any]:
    """Per dimension (territory, commune, sector, carrier, legal form, composition, indicators,
    recognition, founding date, governance, cooperation actions): how many real PTCEs have it
    documented, searched without result (a documentation gap), or unknown; per recognition round:
    PTCEs in the store against the laureates public sources count."""
    return coverage_report(state.store, include_synthetic=include_synthetic).as_dict()
