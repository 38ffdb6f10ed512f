"""Linked-Data resources: every minted IRI dereferences here, with content negotiation.

An IRI under ``Settings.base_iri`` is served at its path (``<base>id/ptce/x`` → ``/id/ptce/x``,
``<base>graph/x`` → ``/graph/x``); ``/resource?iri=…`` serves any IRI the store describes.
Answers are direct (200, ``Vary: Accept``; no 303, see docs/decisions/0001-iri-policy.md): HTML
for browsers, Turtle, JSON-LD, N-Triples or RDF/XML by ``Accept``, by a ``.ttl``/``.jsonld``/
``.nt``/``.rdf`` suffix or by ``?format=``. The RDF is the resource's description
(:mod:`ptce_kg.web.descriptions`), serialised by the engine; the HTML page adds incoming links,
and a PTCE's page its sections (:mod:`ptce_kg.web.ptce_pages`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node
from starlette.concurrency import run_in_threadpool

from ptce_kg.errors import NotFound
from ptce_kg.namespaces import ONTOLOGY_IRI, PTCE
from ptce_kg.web import negotiation as media
from ptce_kg.web import structured_data
from ptce_kg.web.compare_api import nearest_cached
from ptce_kg.web.descriptions import (
    describe,
    describe_with_parts,
    graph_licences,
    jsonld_context,
    resource_licences,
    serialize_description,
)
from ptce_kg.web.errors import NotAcceptableError
from ptce_kg.web.ptce_pages import ptce_view
from ptce_kg.web.routing import get_and_head
from ptce_kg.web.site import (
    LABELS,
    VARY,
    Site,
    page_language,
    public_base_url,
    render,
    site_for,
    store_index,
)
from ptce_kg.web.state import AppState, State

router = APIRouter(tags=["Linked Data and UI"])

RDF_TYPES: tuple[str, ...] = media.DOCUMENT_TYPES
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
_INCOMING = "SELECT DISTINCT ?r ?s ?p WHERE { ?s ?p ?r FILTER(isIRI(?s)) } ORDER BY ?p ?s LIMIT 500"


# --- negotiation ---------------------------------------------------------------------------------
def negotiated(
    request: Request, offers: Sequence[str], names: Mapping[str, str], *, what: str, hint: str
) -> str:
    """The media type a request asks for among ``offers``: ``?format=`` (a key of ``names``)
    first, then ``Accept``; none of them is a 406 saying what ``what`` is available as."""
    name = (request.query_params.get("format") or "").lower()
    if name in names:
        return names[name]
    chosen = media.choose_media_type(request.headers.get("accept"), offers)
    if chosen is None:
        raise NotAcceptableError(f"this {what} is available as {', '.join(offers)}", hint=hint)
    return chosen


def choose(request: Request, forced: str | None) -> str:
    if forced is not None:
        return forced
    return negotiated(
        request,
        OFFERS,
        _FORMAT_NAMES,
        what="resource",
        hint="send Accept: text/turtle, or add .ttl, .jsonld, .nt or .rdf to the path",
    )


def alternates(site: Site, iri: str, local_path: str | None) -> list[tuple[str, str, str]]:
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


def rdf_response(body: bytes, media_type: str, negotiated: bool, links: str) -> Response:
    """An RDF answer with its ``Link`` header (``Vary`` when it was negotiated)."""
    headers = {"content-type": media.content_type(media_type)}
    if negotiated:
        headers["vary"] = VARY
    if links:
        headers["link"] = links
    return Response(body, headers=headers)


def link_header(forms: Sequence[tuple[str, str, str]], licences: Iterable[Node]) -> str:
    """The ``Link`` header of a resource: each RDF form as ``alternate`` and as the document
    that ``describedby`` the resource, and each licence its data are under as ``license``."""
    links = [f'<{href}>; rel="alternate"; type="{mt}"' for href, mt, _n in forms]
    links += [f'<{href}>; rel="describedby"; type="{mt}"' for href, mt, _n in forms]
    links += [f'<{licence}>; rel="license"' for licence in licences]
    return ", ".join(links)


def _licences(state: AppState, iri: str) -> list[URIRef]:
    return resource_licences(state.store, iri, graph_licences(state.source_parts()))


# --- resources -----------------------------------------------------------------------------------
async def _serve_resource(
    request: Request, state: AppState, iri: str, local_path: str | None, forced: str | None
) -> Response:
    store = state.store
    chosen = choose(request, forced)
    if chosen != media.HTML:
        description = await run_in_threadpool(describe_with_parts, store, iri)
        if not any(s == URIRef(iri) for s, _p, _o in description):
            raise _not_described(iri)
        site = site_for(request, page_language(request))
        links = link_header(
            alternates(site, iri, local_path), await run_in_threadpool(_licences, state, iri)
        )
        context = jsonld_context(state.settings.ontology_dir)
        body = await run_in_threadpool(serialize_description, description, chosen, context)
        return rdf_response(body, chosen, forced is None, links)
    triples = await run_in_threadpool(describe, store, iri)
    if not triples:
        raise _not_described(iri)
    lang = page_language(request)
    site = site_for(request, lang)
    forms = alternates(site, iri, local_path)
    licences = await run_in_threadpool(_licences, state, iri)
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
                similar=lambda p: nearest_cached(state, p, 5, None, site.lang),
            )
        )
    data = await run_in_threadpool(
        _structured_data, request, state, iri, view["types"], site, licences
    )
    response = render(
        request,
        "resource.html",
        lang,
        site,
        view=view,
        alternates=forms,
        licences=licences,
        structured_data=structured_data.script(data),
        **extra,
    )
    response.headers["link"] = link_header(forms, licences)
    return response


def _not_described(iri: str) -> NotFound:
    return NotFound(
        f"the store does not describe <{iri}>",
        hint="check the IRI; /resource?iri=… resolves IRIs outside the base",
    )


def _structured_data(
    request: Request,
    state: AppState,
    iri: str,
    types: Sequence[Node],
    site: Site,
    licences: Sequence[URIRef],
) -> dict[str, Any] | None:
    """The schema.org JSON-LD of a resource's page (blocking), when it is an organisation or a
    dataset."""
    kind = structured_data.schema_type(types, state.settings.ontology_dir)
    if kind is None:
        return None
    description = describe_with_parts(state.store, iri)
    if kind == "Organization":
        ids = structured_data.identifiers(state.store, iri)
        return structured_data.organization(iri, description, site, ids)
    return structured_data.named_graph(iri, description, site, licences, public_base_url(request))


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
    labels = [o for p in LABELS for o in properties.get(p, [])]
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


def split_suffix(path: str) -> tuple[str, str | None]:
    for suffix, media_type in SUFFIXES.items():
        if path.endswith(suffix):
            return path[: -len(suffix)], media_type
    return path, None


async def _serve_path(request: Request, state: AppState, path: str) -> Response:
    base = state.settings.base_iri
    stem, forced = split_suffix(path)
    if forced is not None and base + stem in store_index(request).described:
        return await _serve_resource(request, state, base + stem, "/" + stem, forced)
    return await _serve_resource(request, state, base + path, "/" + path, None)


@get_and_head(router, "/id/{rest:path}", summary="A data resource (<base>id/…)")
async def data_resource(request: Request, state: State, rest: str) -> Response:
    return await _serve_path(request, state, "id/" + rest)


@get_and_head(router, "/graph/{rest:path}", summary="A named graph's description")
async def graph_resource(request: Request, state: State, rest: str) -> Response:
    return await _serve_path(request, state, "graph/" + rest)


@get_and_head(router, "/resource", summary="Any IRI the store describes (?iri=…)")
async def any_resource(request: Request, iri: str, state: State) -> Response:
    settings = state.settings
    local = "/" + iri[len(settings.base_iri) :] if iri.startswith(settings.base_iri) else None
    return await _serve_resource(request, state, iri, local, None)
