"""Linked-Data pages and the web UI: every minted IRI dereferences here, with content negotiation.

An IRI under ``Settings.base_iri`` is served at its path (``<base>id/ptce/x`` → ``/id/ptce/x``,
``<base>graph/x`` → ``/graph/x``); ``/resource?iri=…`` serves any IRI the store describes;
``/ontology`` and ``/shapes`` serve the ontology and the shapes with HTML documentation. Answers
are direct (200, ``Vary: Accept``; no 303, see docs/decisions/0001-iri-policy.md): HTML for
browsers, Turtle, JSON-LD, N-Triples or RDF/XML by ``Accept``, by a ``.ttl``/``.jsonld``/``.nt``/
``.rdf`` suffix or by ``?format=``. The RDF is the resource's triples (as subject, with the blank
nodes they lead to), serialised by the engine; the HTML page adds incoming links.

The UI (home search and map, PTCE pages, comparison, SPARQL editor) is rendered from Jinja2
templates in French or English (:mod:`ptce_kg.web.i18n`).
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node
from starlette.concurrency import run_in_threadpool

from ptce_kg.compare import Neighbour, compare_ptces
from ptce_kg.config import PROJECT_ROOT, Settings
from ptce_kg.errors import NotFound, QueryError
from ptce_kg.namespaces import (
    ONTOLOGY_IRI,
    ORG,
    PREFIXES,
    PTCE,
    PTCESH,
    SCHEMA,
    concept_iri,
    graph_iri,
    scheme_iri,
)
from ptce_kg.pipeline import read_shapes
from ptce_kg.publish.release import cite_ptce
from ptce_kg.queries import load_queries, query_text
from ptce_kg.store import Store, open_store
from ptce_kg.web import charts, i18n
from ptce_kg.web import negotiation as media
from ptce_kg.web.compare_api import nearest_cached
from ptce_kg.web.errors import NotAcceptableError
from ptce_kg.web.map import MapPoint, france_map, parse_wkt_point
from ptce_kg.web.routing import add_get_and_head, get_and_head

router = APIRouter(tags=["Linked Data and UI"])

STATIC_DIR = Path(__file__).parent / "static"
YASGUI_DIR = PROJECT_ROOT / "node_modules" / "@zazuko" / "yasgui" / "build"
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
RDF_TYPES: tuple[str, ...] = (media.TURTLE, media.JSON_LD, media.N_TRIPLES, media.RDF_XML)
#: Offers of a resource, in the server's order of preference (``*/*`` gets Turtle).
OFFERS: tuple[str, ...] = (*RDF_TYPES[:1], media.HTML, *RDF_TYPES[1:])
SUFFIXES: Mapping[str, str] = {
    ".ttl": media.TURTLE,
    ".jsonld": media.JSON_LD,
    ".nt": media.N_TRIPLES,
    ".rdf": media.RDF_XML,
}
_SUFFIX_OF = {value: key for key, value in SUFFIXES.items()}
_FORMAT_NAMES = {"html": media.HTML, **{key[1:]: value for key, value in SUFFIXES.items()}}
VARY = "Accept, Accept-Language, Cookie"
_SCRATCH_GRAPH = str(graph_iri("description"))
_LABELS = (SKOS.prefLabel, RDFS.label, DCTERMS.title)
_ACTOR_CATEGORIES = scheme_iri("actor-category")

# --- queries (parameters are bound terms: ?r, ?ptce, ?scheme) -------------------------------------
_BNODE_HOPS = 4
_DESCRIBE = (
    "CONSTRUCT { ?s ?p ?o } WHERE { { ?r ?p ?o BIND(?r AS ?s) }"
    + "".join(
        " UNION { ?r ?q0 ?b0 FILTER(isBlank(?b0)) "
        + "".join(f"?b{i - 1} ?q{i} ?b{i} FILTER(isBlank(?b{i})) " for i in range(1, hops))
        + f"BIND(?b{hops - 1} AS ?s) ?s ?p ?o }}"
        for hops in range(1, _BNODE_HOPS + 1)
    )
    + " }"
)
_INCOMING = "SELECT DISTINCT ?r ?s ?p WHERE { ?s ?p ?r FILTER(isIRI(?s)) } ORDER BY ?p ?s LIMIT 500"
_ALL_LABELS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?s ?l WHERE { ?s skos:prefLabel|rdfs:label|dcterms:title ?l FILTER(isIRI(?s)) }"""
_ALL_SUBJECTS = "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }"
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


# --- caches ------------------------------------------------------------------------------------
@dataclass(repr=False)
class _StoreIndex:
    """Labels of every IRI and the set of IRIs described, for one write generation."""

    generation: int
    labels: dict[str, list[Literal]]
    described: set[str]


_INDEX_LOCK = threading.Lock()


def _index(request: Request) -> _StoreIndex:
    state = request.app.state
    generation_holder = getattr(state, "write_generation", None)
    generation = generation_holder.value if generation_holder is not None else 0
    with _INDEX_LOCK:
        cached: _StoreIndex | None = getattr(state, "pages_index", None)
        if cached is not None and cached.generation == generation:
            return cached
        store: Store = state.store
        labels: dict[str, list[Literal]] = {}
        for row in store.query(_ALL_LABELS).bindings():
            if isinstance(row.get("l"), Literal):
                labels.setdefault(str(row["s"]), []).append(row["l"])  # type: ignore[arg-type]
        described = {str(row["s"]) for row in store.query(_ALL_SUBJECTS).bindings()}
        cached = _StoreIndex(generation, labels, described)
        state.pages_index = cached
        return cached


# --- the view helper passed to templates ---------------------------------------------------------
@dataclass(repr=False)
class Site:
    """What a template needs to turn terms into links and labels, in the page's language."""

    settings: Settings
    lang: str
    t: i18n.Messages
    index: _StoreIndex
    request_path: str
    query_items: list[tuple[str, str]]
    prefix: str = ""
    vocabulary: dict[str, list[Literal]] = field(default_factory=dict)

    def path(self, path: str) -> str:
        """A path of the service (``/…``), under the public address's path if any."""
        return self.prefix + path

    def href(self, node: Node | str) -> str:
        """Where a link to ``node`` goes: its path here, ``/resource?iri=``, or the IRI itself."""
        iri = str(node)
        base = self.settings.base_iri
        if iri.startswith(base) and "#" not in iri:
            return self.path("/" + iri[len(base) :])
        if iri == ONTOLOGY_IRI or iri.startswith(ONTOLOGY_IRI + "#"):
            return self.path("/ontology" + iri[len(ONTOLOGY_IRI) :])
        if iri.startswith(str(PTCESH)):
            return self.path("/shapes#" + iri[len(str(PTCESH)) :])
        if iri in self.index.described:
            return self.path("/resource?" + urlencode({"iri": iri}))
        return iri

    def source_href(self, node: Node | str) -> str:
        """A cited document's link: the document itself, or its page when it has no URL."""
        iri = str(node)
        return self.href(iri) if iri.startswith(self.settings.base_iri) else iri

    def is_local(self, node: Node | str) -> bool:
        """Tell whether :meth:`href` keeps the reader on this service."""
        return self.href(node).startswith(self.prefix + "/")

    def curie(self, node: Node | str) -> str:
        """``prefix:local`` for an IRI in a known namespace, else the IRI."""
        iri = str(node)
        best = ("", "")
        for prefix, namespace in PREFIXES.items():
            if iri.startswith(namespace) and len(namespace) > len(best[1]):
                best = (prefix, namespace)
        return f"{best[0]}:{iri[len(best[1]) :]}" if best[1] else iri

    def kind(self, node: Node) -> str:
        """``literal``, ``bnode`` or ``iri``."""
        if isinstance(node, Literal):
            return "literal"
        return "bnode" if isinstance(node, BNode) else "iri"

    def literal(self, node: Node | str, literals: Iterable[Node] = ()) -> str:
        """The best literal of ``literals`` for the page language, as text."""
        chosen = i18n.pick_literal(literals, self.lang)
        return str(chosen) if chosen is not None else ""

    def label(self, node: Node | str) -> str:
        """A human label for ``node``: its label in the page language, else a short name."""
        if isinstance(node, Literal):
            return self.value(node)
        iri = str(node)
        found = i18n.pick_literal(
            self.index.labels.get(iri, []) or self.vocabulary.get(iri, []), self.lang
        )
        if found is not None:
            return str(found)
        if isinstance(node, BNode):
            return "[…]"
        curie = self.curie(iri)
        if curie != iri:
            return curie
        return iri.rstrip("/").rsplit("/", 1)[-1] if iri.startswith(self.settings.base_iri) else iri

    def value(self, node: Node) -> str:
        """A literal's text (numbers without useless decimals)."""
        if isinstance(node, Literal):
            python = node.toPython()
            if isinstance(python, bool):
                return {"fr": "oui" if python else "non"}.get(self.lang, str(python).lower())
            if isinstance(python, float | int | Decimal):
                return self.number(float(python))
            return str(node)
        return self.label(node)

    def number(self, number: float) -> str:
        """``number`` with thousands separators (a narrow space in French)."""
        text = f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"
        if self.lang == "fr":
            return text.replace(",", "\u202f").replace(".", ",")
        return text

    def with_params(self, **changes: str | None) -> str:
        """The current page with some query parameters changed (``None`` removes one)."""
        items = [(k, v) for k, v in self.query_items if k not in changes]
        items += [(k, v) for k, v in changes.items() if v is not None]
        return self.path(self.request_path) + ("?" + urlencode(items) if items else "")


def _site(request: Request, lang: str) -> Site:
    settings: Settings = request.app.state.settings
    prefix = urlparse(settings.public_url).path.rstrip("/") if settings.public_url else ""
    return Site(
        settings=settings,
        lang=lang,
        t=i18n.messages(lang),
        index=_index(request),
        request_path=request.url.path,
        query_items=[(k, v) for k, v in request.query_params.multi_items() if k != "lang"],
        prefix=prefix,
    )


def _language(request: Request) -> str:
    return i18n.choose_language(
        request.query_params.get("lang"),
        request.cookies.get(i18n.COOKIE),
        request.headers.get("accept-language"),
    )


def _render(
    request: Request, template: str, lang: str, site: Site, status: int = 200, **context: Any
) -> Response:
    page = _TEMPLATES.get_template(template).render(site=site, t=site.t, lang=lang, **context)
    response = Response(
        page.encode(),
        status_code=status,
        headers={"content-type": media.content_type(media.HTML), "vary": VARY},
    )
    if request.query_params.get("lang") in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


# --- descriptions --------------------------------------------------------------------------------
def describe(store: Store, iri: str) -> list[tuple[Node, Node, Node]]:
    """The triples of ``iri`` as subject, with those of the blank nodes they lead to."""
    return store.query(_DESCRIBE, bindings={"r": URIRef(iri)}).triples


def serialize_triples(triples: Iterable[tuple[Node, Node, Node]], media_type: str) -> bytes:
    """Serialise ``triples`` in ``media_type`` with the engine (through a scratch store)."""
    graph = Graph()
    for triple in triples:
        graph.add(triple)  # type: ignore[arg-type]
    scratch = open_store(":memory:")
    try:
        scratch.replace_graphs({_SCRATCH_GRAPH: graph.serialize(format="nt", encoding="utf-8")})
        _kind, body = scratch.query_serialized("CONSTRUCT WHERE { ?s ?p ?o }", media_type)
    finally:
        scratch.close()
    return body


def _choose(request: Request, forced: str | None) -> str:
    if forced is not None:
        return forced
    name = (request.query_params.get("format") or "").lower()
    if name in _FORMAT_NAMES:
        return _FORMAT_NAMES[name]
    chosen = media.choose_media_type(request.headers.get("accept"), OFFERS)
    if chosen is None:
        raise NotAcceptableError(
            f"this resource is available as {', '.join(OFFERS)}",
            hint="send Accept: text/turtle, or add .ttl, .jsonld, .nt or .rdf to the path",
        )
    return chosen


def _alternates(site: Site, iri: str, local_path: str | None) -> list[tuple[str, str, str]]:
    """``(href, media type, short name)`` of each RDF form of the resource."""
    out = []
    for media_type in RDF_TYPES:
        suffix = _SUFFIX_OF[media_type]
        if local_path is not None:
            href = site.path(local_path + suffix)
        else:
            href = site.path("/resource?" + urlencode({"iri": iri, "format": suffix[1:]}))
        out.append((href, media_type, suffix[1:]))
    return out


def _rdf_response(body: bytes, media_type: str, negotiated: bool, links: str) -> Response:
    headers = {"content-type": media.content_type(media_type)}
    if negotiated:
        headers["vary"] = VARY
    if links:
        headers["link"] = links
    return Response(body, headers=headers)


async def _serve_resource(
    request: Request, iri: str, local_path: str | None, forced: str | None
) -> Response:
    store: Store = request.app.state.store
    chosen = _choose(request, forced)
    triples = await run_in_threadpool(describe, store, iri)
    if not triples:
        raise NotFound(
            f"the store does not describe <{iri}>",
            hint="check the IRI; /resource?iri=… resolves IRIs outside the base",
        )
    lang = _language(request)
    site = _site(request, lang)
    alternates = _alternates(site, iri, local_path)
    links = ", ".join(f'<{href}>; rel="alternate"; type="{mt}"' for href, mt, _n in alternates)
    if chosen != media.HTML:
        body = await run_in_threadpool(serialize_triples, triples, chosen)
        return _rdf_response(body, chosen, forced is None, links)
    incoming = await run_in_threadpool(
        lambda: [
            (row["s"], row["p"])
            for row in store.query(_INCOMING, bindings={"r": URIRef(iri)}).bindings()
        ]
    )
    view = _resource_view(iri, triples, incoming)
    extra: dict[str, Any] = {}
    if URIRef(PTCE.PTCE) in view["types"]:
        extra = await run_in_threadpool(
            lambda: ptce_view(
                store,
                URIRef(iri),
                site,
                similar=lambda p: nearest_cached(request, p, 5, None, site.lang),
            )
        )
    response = _render(
        request, "resource.html", lang, site, view=view, alternates=alternates, **extra
    )
    response.headers["link"] = links
    return response


def _resource_view(
    iri: str,
    triples: Sequence[tuple[Node, Node, Node]],
    incoming: Sequence[tuple[Node, Node]],
) -> dict[str, Any]:
    subject = URIRef(iri)
    properties: dict[Node, list[Node]] = {}
    blanks: dict[Node, dict[Node, list[Node]]] = {}
    for s, p, o in triples:
        if s == subject:
            properties.setdefault(p, []).append(o)
        else:
            blanks.setdefault(s, {}).setdefault(p, []).append(o)
    types = sorted(
        (t for t in properties.get(RDF.type, []) if isinstance(t, URIRef)),
        key=lambda t: (not str(t).startswith(ONTOLOGY_IRI), str(t)),
    )
    labels = [o for p in _LABELS for o in properties.get(p, [])]
    descriptions = [
        o
        for p in (DCTERMS.description, SKOS.definition, RDFS.comment)
        for o in properties.get(p, [])
    ]
    rows_in: dict[Node, list[Node]] = {}
    for source, link in incoming:
        rows_in.setdefault(link, []).append(source)
    return {
        "iri": iri,
        "types": types,
        "labels": labels,
        "descriptions": descriptions,
        "properties": sorted(properties.items(), key=lambda item: (item[0] != RDF.type, item[0])),
        "blanks": blanks,
        "incoming": sorted(rows_in.items(), key=lambda item: item[0]),
    }


# --- PTCE pages ----------------------------------------------------------------------------------
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
            _sort_key(_first(n, PTCE.date)),
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


def fold(text: str) -> str:
    """Lowercase ``text`` without accents, for matching names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


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
async def home(request: Request) -> Response:
    lang = _language(request)
    site = _site(request, lang)
    store: Store = request.app.state.store
    ptces = await run_in_threadpool(list_ptces, store)
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
    svg = france_map(
        points,
        title=site.t["map_title"],
        description=site.t["map_desc"],
        overseas=site.t["overseas"],
    )
    return _render(
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
    )


# --- compare -------------------------------------------------------------------------------------
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
async def compare_page(request: Request) -> Response:
    lang = _language(request)
    site = _site(request, lang)
    store: Store = request.app.state.store
    ptces = await run_in_threadpool(list_ptces, store)
    wanted = request.query_params.getlist("ptce")
    chosen = _resolve_ptces(wanted, ptces)
    too_many = len(chosen) > 5
    chosen = chosen[:5]
    comparison = (
        await run_in_threadpool(compare_view, store, chosen, site) if len(chosen) >= 2 else None
    )
    api = site.path("/api/compare?" + urlencode([("ptce", p.key) for p in chosen]))
    return _render(
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


# --- SPARQL editor -------------------------------------------------------------------------------
@get_and_head(router, "/editor", summary="SPARQL editor (YASGUI)")
async def editor(request: Request) -> Response:
    lang = _language(request)
    site = _site(request, lang)
    settings: Settings = request.app.state.settings
    return _render(
        request,
        "editor.html",
        lang,
        site,
        yasgui=YASGUI_DIR.is_dir(),
        endpoint=site.path("/sparql"),
        named_queries=named_query_examples(settings.queries_dir, lang),
    )


def named_query_examples(directory: Path, lang: str) -> list[dict[str, str]]:
    """The named queries as editor examples: name, title, description and runnable text."""
    if not directory.is_dir():
        return []
    examples = []
    for name, query in sorted(load_queries(directory).items()):
        try:
            text = query_text(query, query.example_params())
        except QueryError:
            text = query.text
        title = query.title.get(lang) or next(iter(query.title.values()), name)
        examples.append(
            {"name": name, "title": title, "description": query.description, "query": text}
        )
    return examples


# --- ontology and shapes -------------------------------------------------------------------------
@lru_cache(maxsize=4)
def _ontology_graph(ontology_dir: Path) -> Graph:
    graph = Graph()
    for path in sorted(ontology_dir.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@lru_cache(maxsize=4)
def _shapes_graph(shapes_dir: Path) -> Graph:
    return read_shapes(shapes_dir)


@lru_cache(maxsize=32)
def _serialized(kind: str, directory: Path, media_type: str) -> bytes:
    graph = _ontology_graph(directory) if kind == "ontology" else _shapes_graph(directory)
    return serialize_triples(graph, media_type)


def _terms(graph: Graph, site: Site) -> dict[str, list[dict[str, Any]]]:
    kinds = (
        ("classes", OWL.Class),
        ("object_properties", OWL.ObjectProperty),
        ("datatype_properties", OWL.DatatypeProperty),
        ("annotation_properties", OWL.AnnotationProperty),
    )
    namespace = ONTOLOGY_IRI + "#"
    out: dict[str, list[dict[str, Any]]] = {}
    for key, cls in kinds:
        terms = []
        for term in set(graph.subjects(RDF.type, cls)):
            if not str(term).startswith(namespace):
                continue
            terms.append(
                {
                    "id": str(term)[len(namespace) :],
                    "iri": str(term),
                    "label": site.literal(term, graph.objects(term, RDFS.label)),
                    "definition": site.literal(
                        term,
                        [*graph.objects(term, SKOS.definition), *graph.objects(term, RDFS.comment)],
                    ),
                    "parents": sorted(
                        {
                            *graph.objects(term, RDFS.subClassOf),
                            *graph.objects(term, RDFS.subPropertyOf),
                        }
                        - {term},
                        key=str,
                    ),
                    "domain": list(graph.objects(term, RDFS.domain)),
                    "range": list(graph.objects(term, RDFS.range)),
                    "deprecated": (term, OWL.deprecated, Literal(True)) in graph,
                }
            )
        out[key] = sorted(terms, key=lambda t: str(t["id"]).lower())
    return out


def _doc_site(request: Request, lang: str, graph: Graph) -> Site:
    site = _site(request, lang)
    for predicate in _LABELS:
        for s, o in graph.subject_objects(predicate):
            if isinstance(o, Literal):
                site.vocabulary.setdefault(str(s), []).append(o)
    return site


async def _serve_document(request: Request, kind: str, forced: str | None) -> Response:
    settings: Settings = request.app.state.settings
    directory = settings.ontology_dir if kind == "ontology" else settings.shapes_dir
    chosen = _choose(request, forced)
    if chosen != media.HTML:
        body = await run_in_threadpool(_serialized, kind, directory, chosen)
        return _rdf_response(body, chosen, forced is None, "")
    lang = _language(request)
    graph = await run_in_threadpool(
        _ontology_graph if kind == "ontology" else _shapes_graph, directory
    )
    site = _doc_site(request, lang, graph)
    alternates = _alternates(site, kind, "/" + kind)
    if kind == "ontology":
        ontology = URIRef(ONTOLOGY_IRI)
        context: dict[str, Any] = {
            "title": site.literal(ontology, graph.objects(ontology, DCTERMS.title))
            or site.t["ontology_title"],
            "description": site.literal(
                ontology,
                [
                    *graph.objects(ontology, DCTERMS.description),
                    *graph.objects(ontology, RDFS.comment),
                ],
            ),
            "version": next(iter(graph.objects(ontology, OWL.versionInfo)), ""),
            "sections": _terms(graph, site),
        }
        return _render(
            request, "ontology.html", lang, site, alternates=alternates, iri=ONTOLOGY_IRI, **context
        )
    return _render(
        request, "shapes.html", lang, site, alternates=alternates, shapes=_shapes_view(graph, site)
    )


_SH = "http://www.w3.org/ns/shacl#"


def _shapes_view(graph: Graph, site: Site) -> list[dict[str, Any]]:
    sh = {
        name: URIRef(_SH + name)
        for name in (
            "NodeShape",
            "property",
            "path",
            "message",
            "severity",
            "targetClass",
            "targetNode",
            "targetSubjectsOf",
            "targetObjectsOf",
        )
    }
    shapes = []
    for shape in sorted(set(graph.subjects(RDF.type, sh["NodeShape"])), key=str):
        constraints = []
        for prop in [shape, *graph.objects(shape, sh["property"])]:
            rows = [
                (p, o)
                for p, o in graph.predicate_objects(prop)
                if str(p).startswith(_SH)
                and p not in (sh["property"], sh["message"], RDF.type)
                and not isinstance(o, BNode)
            ]
            if prop is shape and not any(p == sh["severity"] for p, _o in rows):
                continue
            constraints.append(
                {
                    "iri": prop,
                    "path": next(iter(graph.objects(prop, sh["path"])), None),
                    "rows": sorted(rows, key=lambda po: str(po[0])),
                    "message": site.literal(prop, graph.objects(prop, sh["message"])),
                }
            )
        shapes.append(
            {
                "iri": shape,
                "id": str(shape).rsplit("#", 1)[-1],
                "targets": [
                    o
                    for name in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
                    for o in graph.objects(shape, sh[name])
                ],
                "label": site.literal(
                    shape, [*graph.objects(shape, RDFS.label), *graph.objects(shape, RDFS.comment)]
                ),
                "constraints": constraints,
            }
        )
    return shapes


def _split_suffix(path: str) -> tuple[str, str | None]:
    for suffix, media_type in SUFFIXES.items():
        if path.endswith(suffix):
            return path[: -len(suffix)], media_type
    return path, None


for _kind in ("ontology", "shapes"):

    def _make(kind: str) -> Any:
        async def document(request: Request) -> Response:
            return await _serve_document(request, kind, None)

        async def document_as(request: Request, suffix: str) -> Response:
            media_type = SUFFIXES.get("." + suffix)
            if media_type is None:
                raise NotFound(f"no /{kind}.{suffix}: use .ttl, .jsonld, .nt or .rdf")
            return await _serve_document(request, kind, media_type)

        return document, document_as

    _doc, _doc_as = _make(_kind)
    add_get_and_head(router, f"/{_kind}", _doc, summary=f"The {_kind} (HTML or RDF)")
    add_get_and_head(router, f"/{_kind}.{{suffix}}", _doc_as, summary=f"The {_kind} as RDF")


# --- dereferencing -------------------------------------------------------------------------------
async def _serve_path(request: Request, path: str) -> Response:
    settings: Settings = request.app.state.settings
    index = _index(request)
    stem, forced = _split_suffix(path)
    if forced is not None and settings.base_iri + stem in index.described:
        return await _serve_resource(request, settings.base_iri + stem, "/" + stem, forced)
    return await _serve_resource(request, settings.base_iri + path, "/" + path, None)


@get_and_head(router, "/id/{rest:path}", summary="A data resource (<base>id/…)")
async def data_resource(request: Request, rest: str) -> Response:
    return await _serve_path(request, "id/" + rest)


@get_and_head(router, "/graph/{rest:path}", summary="A named graph's description")
async def graph_resource(request: Request, rest: str) -> Response:
    return await _serve_path(request, "graph/" + rest)


@get_and_head(router, "/resource", summary="Any IRI the store describes (?iri=…)")
async def any_resource(request: Request, iri: str) -> Response:
    settings: Settings = request.app.state.settings
    local = "/" + iri[len(settings.base_iri) :] if iri.startswith(settings.base_iri) else None
    return await _serve_resource(request, iri, local, None)


def install_pages(app: FastAPI) -> None:
    """Mount the static files (and YASGUI from node_modules when installed) and the routes."""
    if YASGUI_DIR.is_dir():
        app.mount("/static/vendor/yasgui", StaticFiles(directory=YASGUI_DIR), name="yasgui")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(router)
