"""The published documents over HTTP: ``/catalog``, ``/.well-known/void``, ``/dumps/``,
``/dumps/{file}`` and ``/context.jsonld`` — the same documents ``ptce-kg publish`` writes.

The documents come from the app's :class:`ptce_kg.web.publication.PublicationCache`: built on the
first request, kept while the store does not change, rebuilt after a write. The VoID description
alone is cheaper (no dump is written) and is cached the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from rdflib import Graph
from starlette.concurrency import run_in_threadpool

from ptce_kg.errors import NotFound
from ptce_kg.formats import RdfFormat
from ptce_kg.publish import (
    CONTEXT_FILE,
    DUMPS_DIR,
    INDEX_FILE,
    jsonld_document,
    turtle_document,
)
from ptce_kg.web import catalog_page
from ptce_kg.web import negotiation as media
from ptce_kg.web.errors import NotAcceptableError
from ptce_kg.web.site import public_base_url
from ptce_kg.web.state import State

router = APIRouter(tags=["publishing"])

_RDF_TYPES = media.DOCUMENT_TYPES
#: The catalogue's forms: RDF first (``*/*`` gets Turtle), then its HTML view for browsers.
_CATALOG_TYPES = (*_RDF_TYPES, media.HTML)


def _choose(request: Request, offers: Sequence[str]) -> str:
    params: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        params.setdefault(name, []).append(value)
    override = media.format_override(params)
    if override is not None and override[1] is not None:
        chosen = override[1] if override[1] in offers else None
    else:
        chosen = media.choose_media_type(request.headers.get("accept"), offers)
    if chosen is None:
        raise NotAcceptableError(f"this document is available as {', '.join(offers)}")
    return chosen


def _rdf_response(graph: Graph, chosen: str, turtle: bytes, jsonld: bytes) -> Response:
    if chosen == media.TURTLE:
        body = turtle
    elif chosen == media.JSON_LD:
        body = jsonld
    else:
        body = graph.serialize(
            format=RdfFormat.from_media_type(chosen).rdflib_name, encoding="utf-8"
        )
    return Response(body, headers={"content-type": media.content_type(chosen), "vary": "Accept"})


@router.get(
    "/catalog",
    summary="DCAT 3 catalogue of the datasets, dumps and SPARQL service (Turtle by default, "
    "HTML for browsers)",
)
@router.head("/catalog", include_in_schema=False)
async def catalog(request: Request, state: State) -> Response:
    if request.query_params.get("format", "").strip().lower() == "html":
        chosen = media.HTML
    else:
        chosen = _choose(request, _CATALOG_TYPES)
    cache = state.publication
    publication = await run_in_threadpool(cache.publication, public_base_url(request))
    if chosen == media.HTML:
        return await run_in_threadpool(catalog_page.render_catalog, request, publication.catalog)
    if chosen == media.TURTLE:
        turtle, jsonld = (publication.directory / "catalog.ttl").read_bytes(), b""
    elif chosen == media.JSON_LD:
        turtle, jsonld = b"", (publication.directory / "catalog.jsonld").read_bytes()
    else:
        turtle = jsonld = b""
    return _rdf_response(publication.catalog, chosen, turtle, jsonld)


@router.get(
    "/.well-known/void",
    summary="VoID description of the dataset, with statistics (Turtle by default)",
)
@router.head("/.well-known/void", include_in_schema=False)
async def void_document(request: Request, state: State) -> Response:
    chosen = _choose(request, _RDF_TYPES)
    cache = state.publication
    graph = await run_in_threadpool(cache.void, public_base_url(request))
    turtle = turtle_document(graph) if chosen == media.TURTLE else b""
    jsonld = jsonld_document(graph) if chosen == media.JSON_LD else b""
    return _rdf_response(graph, chosen, turtle, jsonld)


@router.get("/dumps/", summary="Index of the downloadable files, with sizes and SHA-256")
async def dumps_index(request: Request, state: State) -> Response:
    cache = state.publication
    publication = await run_in_threadpool(cache.publication, public_base_url(request))
    body = (publication.directory / DUMPS_DIR / INDEX_FILE).read_bytes()
    return Response(body, media_type="application/json")


@router.get("/dumps/{name}", summary="One downloadable file (streamed)")
@router.head("/dumps/{name}", include_in_schema=False)
async def dump_file(request: Request, state: State, name: str) -> Response:
    cache = state.publication
    publication = await run_in_threadpool(cache.publication, public_base_url(request))
    path = publication.dump_path(name)
    if path is None:
        raise NotFound(f"no published file {name!r}", hint="see /dumps/ for the list")
    record = next(f for f in publication.files if f.name == name)
    media_type = "application/gzip" if record.compressed else record.media_type
    return FileResponse(
        path,
        media_type=media.content_type(media_type),
        headers={"x-checksum-sha256": record.sha256},
    )


@router.get("/context.jsonld", summary="The JSON-LD @context of the JSON-LD dumps")
async def jsonld_context(request: Request, state: State) -> Response:
    cache = state.publication
    publication = await run_in_threadpool(cache.publication, public_base_url(request))
    body = (publication.directory / CONTEXT_FILE).read_bytes()
    return Response(body, media_type=media.JSON_LD)
