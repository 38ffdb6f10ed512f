"""The PTCE pages: the home page (search, facets, map) and the sections of a PTCE's page.

A PTCE's page is its resource page (:mod:`ptce_kg.web.resources`) with the sections built here:
profile with the documents that state each fact, members and their composition by actor
category, cooperations, projects, recognitions, indicators, documentation gaps, similar PTCEs and
how to cite the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node
from starlette.concurrency import run_in_threadpool

from ptce_kg.compare import Neighbour
from ptce_kg.namespaces import ORG, PTCE, SCHEMA, scheme_iri
from ptce_kg.publish.release import cite_ptce
from ptce_kg.store import Store
from ptce_kg.web import charts, structured_data
from ptce_kg.web import negotiation as media
from ptce_kg.web.descriptions import describe
from ptce_kg.web.map import MapPoint, france_map, parse_wkt_point
from ptce_kg.web.routing import get_and_head
from ptce_kg.web.site import VARY, Site, fold, page_language, public_base_url, render, site_for
from ptce_kg.web.state import State

router = APIRouter(tags=["Linked Data and UI"])

_ACTOR_CATEGORIES = scheme_iri("actor-category")

# --- queries (parameters are bound terms: ?ptce, ?scheme) ----------------------------------------
_PREFIXES = """PREFIX ptce: <https://w3id.org/ptce/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""
_PTCE_LIST = (
    _PREFIXES
    + """SELECT DISTINCT ?ptce ?commune ?region ?wkt ?own WHERE {
  ?ptce a ptce:PTCE .
  OPTIONAL { ?ptce ptce:basedIn ?commune .
    OPTIONAL { ?commune geo:hasGeometry/geo:asWKT ?wkt } }
  OPTIONAL { ?ptce ptce:basedIn|ptce:coversTerritory ?place .
    ?place ptce:within* ?region . ?region a ptce:Region }
  OPTIONAL { ?ptce geo:hasGeometry/geo:asWKT ?own }
}"""
)
_PTCE_FACETS = (
    _PREFIXES
    + """SELECT DISTINCT ?ptce ?facet ?value WHERE { ?ptce a ptce:PTCE .
  { ?ptce ptce:sector ?value BIND("sector" AS ?facet) }
  UNION { ?ptce ptce:hasRecognition/ptce:recognitionKind ?value BIND("recognition" AS ?facet) }
}"""
)
#: Nodes that hang off a PTCE, by section: ?n with every (?p, ?o) of it.
_SECTIONS: Mapping[str, str] = {
    "memberships": "?n org:organization ?ptce .",
    "cooperations": "?n ptce:inPTCE ?ptce ; a ptce:CooperationAction .",
    "projects": "?n ptce:inPTCE ?ptce ; a ptce:Project .",
    "recognitions": "?ptce ptce:hasRecognition ?n .",
    "indicators": "?ptce ptce:hasIndicator ?n .",
    "gaps": "?ptce ptce:documentationGap ?n .",
}
#: The documents that state each plain statement about a PTCE (decision 0006).
_STATEMENT_SOURCES = (
    _PREFIXES
    + """SELECT ?ptce ?p ?o ?source WHERE {
  ?st rdf:subject ?ptce ; rdf:predicate ?p ; rdf:object ?o ; dcterms:source ?source }"""
)
_CATEGORIES = (
    _PREFIXES
    + """SELECT DISTINCT ?ptce ?scheme ?member ?cat WHERE {
  ?m org:organization ?ptce ; org:member ?member .
  ?cat skos:topConceptOf ?scheme ; ptce:categoryClass ?cls .
  ?member a ?cls }"""
)
_PLACE = (
    _PREFIXES
    + """SELECT ?ptce ?commune ?region ?wkt WHERE { OPTIONAL { ?ptce ptce:basedIn ?commune .
  OPTIONAL { ?commune geo:hasGeometry/geo:asWKT ?wkt } }
  OPTIONAL { ?ptce ptce:basedIn|ptce:coversTerritory ?place .
    ?place ptce:within* ?region . ?region a ptce:Region } } LIMIT 1"""
)
_CATEGORY_ORDER = (
    _PREFIXES + "SELECT ?scheme ?cat WHERE { ?cat skos:topConceptOf ?scheme } ORDER BY STR(?cat)"
)


# --- a PTCE's sections ---------------------------------------------------------------------------
@dataclass
class Item:
    """A node and its properties (a membership, an indicator…)."""

    node: Node
    props: dict[Node, list[Node]] = field(default_factory=dict)

    def get(self, predicate: Node, default: list[Node] | None = None) -> list[Node]:
        """The values of ``predicate`` (``default`` or ``[]`` when none)."""
        return self.props.get(predicate, default if default is not None else [])


def _nodes(store: Store, pattern: str, ptce: URIRef) -> list[Item]:
    sparql = _PREFIXES + "SELECT ?ptce ?n ?p ?o WHERE { " + pattern + " ?n ?p ?o }"
    nodes: dict[Node, Item] = {}
    for row in store.query(sparql, bindings={"ptce": ptce}).bindings():
        item = nodes.setdefault(row["n"], Item(row["n"]))
        values = item.props.setdefault(row["p"], [])
        if row["o"] not in values:
            values.append(row["o"])
    return list(nodes.values())


def _first(item: Item | Mapping[Node, list[Node]], predicate: Node) -> Node | None:
    values = item.get(predicate, [])
    return values[0] if values else None


def _sort_key(value: Node | None) -> str:
    return str(value) if value is not None else ""


def composition(store: Store, ptce: URIRef) -> tuple[list[Node], dict[Node, int], int]:
    """Actor categories (top concepts) in order, members per category, and unclassified members."""
    order = [
        row["cat"]
        for row in store.query(_CATEGORY_ORDER, bindings={"scheme": _ACTOR_CATEGORIES}).bindings()
    ]
    by_member: dict[Node, set[Node]] = {}
    for row in store.query(
        _CATEGORIES, bindings={"ptce": ptce, "scheme": _ACTOR_CATEGORIES}
    ).bindings():
        by_member.setdefault(row["member"], set()).add(row["cat"])
    members = {
        row["member"]
        for row in store.query(
            _PREFIXES + "SELECT DISTINCT ?ptce ?member WHERE "
            "{ ?m org:organization ?ptce ; org:member ?member }",
            bindings={"ptce": ptce},
        ).bindings()
    }
    counts = {cat: sum(1 for cats in by_member.values() if cat in cats) for cat in order}
    unclassified = sum(1 for member in members if member not in by_member)
    return order, counts, unclassified


def ptce_view(
    store: Store,
    ptce: URIRef,
    site: Site,
    *,
    similar: Callable[[str], list[Neighbour]] | None = None,
) -> dict[str, Any]:
    """The sections of a PTCE page: profile, members, cooperations, indicators, sources…

    ``similar`` gives the PTCEs most like one (shown on the page when given).
    """
    sections = {name: _nodes(store, pattern, ptce) for name, pattern in _SECTIONS.items()}
    own = describe(store, str(ptce))
    props: dict[Node, list[Node]] = {}
    for _s, p, o in own:
        props.setdefault(p, []).append(o)
    place = next(iter(store.query(_PLACE, bindings={"ptce": ptce}).bindings()), {})
    order, counts, unclassified = composition(store, ptce)
    bars = [(site.label(cat), float(counts[cat])) for cat in order if counts[cat]]
    if unclassified:
        bars.append((site.t["unclassified"], float(unclassified)))
    stated: dict[tuple[Node, Node], list[Node]] = {}
    for row in store.query(_STATEMENT_SOURCES, bindings={"ptce": ptce}).bindings():
        stated.setdefault((row["p"], row["o"]), []).append(row["source"])
    sources: dict[Node, None] = dict.fromkeys(props.get(DCTERMS.source, []))
    for docs in stated.values():
        sources.update(dict.fromkeys(docs))
    for items in sections.values():
        for item in items:
            sources.update(dict.fromkeys(item.get(DCTERMS.source)))
    numbers = {source: n for n, source in enumerate(sources, start=1)}

    def cited(docs: Iterable[Node]) -> list[tuple[int, Node]]:
        """``(number, document)`` of each document, as numbered in the page's source list."""
        return sorted((numbers[d], d) for d in set(docs) if d in numbers)

    profile_fields = [
        ("founded", SCHEMA.foundingDate),
        ("carrier", PTCE.carrier),
        ("legal_structure", PTCE.legalStructure),
        ("sector", PTCE.sector),
        ("pole_type", PTCE.poleType),
        ("stage", PTCE.stage),
        ("origin", PTCE.origin),
        ("scale", PTCE.scale),
        ("territory_type", PTCE.territoryType),
        ("covers", PTCE.coversTerritory),
        ("funding", PTCE.fundingSource),
    ]
    profile = [
        (key, props[URIRef(p)], cited(d for o in props[URIRef(p)] for d in stated.get((p, o), [])))
        for key, p in profile_fields
        if props.get(URIRef(p))
    ]
    documented = Literal(False) not in props.get(PTCE.compositionDocumented, [])
    indicators = sorted(
        sections["indicators"],
        key=lambda n: (
            _sort_key(_first(n, PTCE.indicatorKind)),
            _sort_key(_first(n, PTCE.refPeriod)),  # id/period/<date as stated>: in date order
        ),
    )
    neighbours = (
        [(URIRef(n.profile.iri), n.score.total) for n in similar(str(ptce))] if similar else []
    )
    return {
        "ptce": {
            "place": place,
            "profile": profile,
            "memberships": sorted(
                sections["memberships"],
                key=lambda n: site.label(_first(n, ORG.member) or URIRef("")),
            ),
            "cooperations": sections["cooperations"],
            "projects": sections["projects"],
            "recognitions": sorted(
                sections["recognitions"],
                key=lambda n: _sort_key(_first(n, PTCE.recognitionDate)),
            ),
            "indicators": indicators,
            "sources": list(sources),
            "cited": cited,
            "based_in_cited": cited(
                d for o in props.get(PTCE.basedIn, []) for d in stated.get((PTCE.basedIn, o), [])
            ),
            "composition_documented": documented,
            "gaps": sorted(sections["gaps"], key=lambda n: _sort_key(_first(n, PTCE.dimension))),
            "composition": charts.bar_chart(
                bars, title=site.t["composition"], description=site.t["composition_desc"]
            )
            if bars
            else None,
            "composition_rows": bars,
            "similar": neighbours,
            "citation": cite_ptce(site.label(ptce), str(ptce), site.lang, date.today()),
        },
        "P": PTCE,
        "ORG": ORG,
        "DCTERMS": DCTERMS,
        "first": _first,
    }


# --- search and map ------------------------------------------------------------------------------
@dataclass
class PtceSummary:
    """One PTCE in the search list."""

    iri: URIRef
    key: str
    commune: Node | None = None
    region: Node | None = None
    point: tuple[float, float] | None = None
    sectors: list[Node] = field(default_factory=list)
    recognitions: list[Node] = field(default_factory=list)


def list_ptces(store: Store) -> list[PtceSummary]:
    """Every PTCE of the store with its commune, région, point, sectors and recognition kinds."""
    found: dict[URIRef, PtceSummary] = {}
    for row in store.query(_PTCE_LIST).bindings():
        iri = row["ptce"]
        assert isinstance(iri, URIRef)
        summary = found.setdefault(iri, PtceSummary(iri, iri.rstrip("/").rsplit("/", 1)[-1]))
        summary.commune = summary.commune or row.get("commune")
        summary.region = summary.region or row.get("region")
        wkt = row.get("wkt") or row.get("own")
        if summary.point is None and wkt is not None:
            summary.point = parse_wkt_point(str(wkt))
    for row in store.query(_PTCE_FACETS).bindings():
        summary_or_none = found.get(row["ptce"])  # type: ignore[call-overload]
        if summary_or_none is None:
            continue
        target = (
            summary_or_none.sectors
            if str(row["facet"]) == "sector"
            else summary_or_none.recognitions
        )
        if row["value"] not in target:
            target.append(row["value"])
    return list(found.values())


def _key(node: Node | None) -> str:
    return str(node).rstrip("/").rsplit("/", 1)[-1] if node is not None else ""


def filter_ptces(
    ptces: Sequence[PtceSummary],
    labels: Mapping[str, Sequence[Literal]],
    *,
    text: str = "",
    region: str = "",
    sector: str = "",
    recognition: str = "",
) -> list[PtceSummary]:
    """The PTCE matching every given criterion (name contains ``text``; facet keys equal)."""
    needle = fold(text.strip())
    out = []
    for p in ptces:
        names = " ".join(str(label) for label in labels.get(str(p.iri), [])) + " " + p.key
        if needle and needle not in fold(names):
            continue
        if region and _key(p.region) != region:
            continue
        if sector and sector not in {_key(s) for s in p.sectors}:
            continue
        if recognition and recognition not in {_key(r) for r in p.recognitions}:
            continue
        out.append(p)
    return out


def _facet(values: Iterable[Node | None], site: Site) -> list[tuple[str, str]]:
    distinct = {str(v): v for v in values if v is not None}
    return sorted(((_key(v), site.label(v)) for v in distinct.values()), key=lambda kv: fold(kv[1]))


def _summary_json(p: PtceSummary, site: Site) -> dict[str, Any]:
    return {
        "iri": str(p.iri),
        "key": p.key,
        "label": site.label(p.iri),
        "commune": str(p.commune) if p.commune else None,
        "region": str(p.region) if p.region else None,
        "point": list(p.point) if p.point else None,
        "sectors": [str(s) for s in p.sectors],
        "recognitions": [str(r) for r in p.recognitions],
    }


@get_and_head(router, "/", summary="Home: search PTCE, filter, map")
async def home(request: Request, state: State) -> Response:
    lang = page_language(request)
    site = site_for(request, lang)
    ptces = await run_in_threadpool(list_ptces, state.store)
    params = request.query_params
    criteria = {name: params.get(name, "") for name in ("region", "sector", "recognition")}
    text = params.get("q", "")
    results = sorted(
        filter_ptces(ptces, site.index.labels, text=text, **criteria),
        key=lambda p: fold(site.label(p.iri)),
    )
    wants_json = params.get("format") == "json" or (
        media.choose_media_type(request.headers.get("accept"), (media.HTML, "application/json"))
        == "application/json"
    )
    if wants_json:
        return JSONResponse(
            {"count": len(results), "results": [_summary_json(p, site) for p in results]},
            headers={"vary": VARY},
        )
    points = [
        MapPoint(site.label(p.iri), site.href(p.iri), p.point[0], p.point[1])
        for p in results
        if p.point is not None
    ]
    facets = {
        "region": _facet((p.region for p in ptces), site),
        "sector": _facet((s for p in ptces for s in p.sectors), site),
        "recognition": _facet((r for p in ptces for r in p.recognitions), site),
    }
    parts = await run_in_threadpool(state.source_parts)
    svg = france_map(
        points,
        title=site.t["map_title"],
        description=site.t["map_desc"],
        overseas=site.t["overseas"],
    )
    return render(
        request,
        "home.html",
        lang,
        site,
        results=results,
        facets=facets,
        criteria=criteria,
        text=text,
        map_svg=svg,
        unmapped=len(results) - len(points),
        json_href=site.with_params(format="json"),
        structured_data=structured_data.script(
            structured_data.main_dataset(site, parts, public_base_url(request))
        ),
    )
