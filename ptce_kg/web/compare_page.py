"""The comparison page: 2 to 5 PTCEs side by side, with their composition and profile charts.

The numbers are :func:`ptce_kg.compare.compare_ptces`'s (the comparison API serves the same as
JSON or CSV); the page adds each PTCE's sections from :func:`ptce_kg.web.ptce_pages.ptce_view`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib.term import Node
from starlette.concurrency import run_in_threadpool

from ptce_kg.compare import compare_ptces
from ptce_kg.namespaces import concept_iri
from ptce_kg.store import Store
from ptce_kg.web import charts
from ptce_kg.web.ptce_pages import PtceSummary, composition, list_ptces, ptce_view
from ptce_kg.web.routing import get_and_head
from ptce_kg.web.site import Site, fold, page_language, render, site_for
from ptce_kg.web.state import State

router = APIRouter(tags=["Linked Data and UI"])


def _resolve_ptces(wanted: Sequence[str], ptces: Sequence[PtceSummary]) -> list[PtceSummary]:
    by_key = {p.key: p for p in ptces} | {str(p.iri): p for p in ptces}
    chosen: list[PtceSummary] = []
    for value in wanted:
        p = by_key.get(value.strip())
        if p is not None and p not in chosen:
            chosen.append(p)
    return chosen


def compare_view(store: Store, chosen: Sequence[PtceSummary], site: Site) -> dict[str, Any]:
    """Rows of the side-by-side table and the two charts, from :func:`compare_ptces`."""
    comparison = compare_ptces(store, [str(p.iri) for p in chosen], lang=site.lang)
    columns = []
    order: list[Node] = []
    for p, profile in zip(chosen, comparison.profiles, strict=True):
        view = ptce_view(store, p.iri, site)["ptce"]
        cat_order, counts, unclassified = composition(store, p.iri)
        order = order or cat_order
        jobs, turnover = profile.indicator("direct-jobs"), profile.indicator("turnover")
        columns.append(
            {
                "summary": p,
                "profile": profile,
                "view": view,
                "counts": counts,
                "unclassified": unclassified,
                "documented": view["composition_documented"],
                "features": {
                    # unknown, not zero, when the sources name no member
                    "member_count": float(profile.member_count)
                    if view["composition_documented"]
                    else None,
                    "cooperation_count": float(len(view["cooperations"])),
                    "recognition_count": float(len(profile.recognitions)),
                    "sector_count": float(len(profile.sectors)),
                    "age_years": float(profile.age_years)
                    if profile.age_years is not None
                    else None,
                    "direct-jobs": jobs.value if jobs else None,
                    "turnover": turnover.value if turnover else None,
                },
            }
        )
    categories = [site.label(cat) for cat in order] + [site.t["unclassified"]]
    series = [  # a PTCE whose composition is not documented has no bars (unknown is not zero)
        (
            site.label(c["summary"].iri),
            [float(c["counts"].get(cat, 0)) for cat in order] + [float(c["unclassified"])],
        )
        for c in columns
        if c["documented"]
    ]
    feature_names = list(columns[0]["features"]) if columns else []
    axes = [
        site.t[name] if name in site.t.table else site.label(concept_iri("indicator", name))
        for name in feature_names
    ]
    maxima = {
        name: max((c["features"][name] or 0.0 for c in columns), default=0.0) or 1.0
        for name in feature_names
    }
    radar_series = [
        (
            site.label(c["summary"].iri),
            [(c["features"][name] or 0.0) / maxima[name] for name in feature_names],
        )
        for c in columns
    ]
    return {
        "columns": columns,
        "categories": order,
        "feature_names": list(zip(feature_names, axes, strict=True)),
        "similarity": [[score.total for score in row] for row in comparison.matrix],
        "composition_chart": charts.grouped_bars(
            categories, series, title=site.t["composition"], description=site.t["composition_desc"]
        ),
        "profile_chart": charts.radar_chart(
            axes, radar_series, title=site.t["profile_chart"], description=site.t["profile_desc"]
        ),
    }


@get_and_head(router, "/compare", summary="Compare 2 to 5 PTCE")
async def compare_page(request: Request, state: State) -> Response:
    lang = page_language(request)
    site = site_for(request, lang)
    store = state.store
    ptces = await run_in_threadpool(list_ptces, store)
    wanted = request.query_params.getlist("ptce")
    chosen = _resolve_ptces(wanted, ptces)
    too_many = len(chosen) > 5
    chosen = chosen[:5]
    comparison = (
        await run_in_threadpool(compare_view, store, chosen, site) if len(chosen) >= 2 else None
    )
    api = site.path("/api/compare?" + urlencode([("ptce", p.key) for p in chosen]))
    return render(
        request,
        "compare.html",
        lang,
        site,
        ptces=sorted(ptces, key=lambda p: fold(site.label(p.iri))),
        chosen=chosen,
        too_many=too_many,
        comparison=comparison,
        api_href=api,
    )
