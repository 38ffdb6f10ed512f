"""The published documents over HTTP: ``/catalog``, ``/.well-known/void``, ``/dumps/``,
``/dumps/{file}`` and ``/context.jsonld`` — the same documents ``ptce-kg publish`` writes.

A publication is built on the first request into a temporary directory owned by the app and kept
while the store does not change: the cache key is the store's quad count and graph sizes (counted
once per write generation by the app's :class:`DescriptionCache`) and the public base URL. A write
makes the next request build a new one and drop the old. The VoID description alone is cheaper
(no dump is written) and is cached the same way.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import threading
import weakref
from collections.abc import Sequence
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, Response
from rdflib import Graph
from starlette.concurrency import run_in_threadpool

from ptce_kg.config import Settings
from ptce_kg.errors import NotFound
from ptce_kg.publish import (
    CONTEXT_FILE,
    DUMPS_DIR,
    INDEX_FILE,
    Publication,
    PublishOptions,
    build_void,
    jsonld_document,
    publish,
    remove_publication,
    turtle_document,
)
from ptce_kg.store import Store
from ptce_kg.web import negotiation as media
from ptce_kg.web.errors import NotAcceptableError
from ptce_kg.web.service_description import DescriptionCache

router = APIRouter(tags=["publishing"])

_RDF_TYPES = (media.TURTLE, media.JSON_LD, media.RDF_XML, media.N_TRIPLES)
_RDFLIB_FORMATS = {media.RDF_XML: "xml", media.N_TRIPLES: "nt", media.TURTLE: "turtle"}
_CREATION_LOCK = threading.Lock()


class PublicationCache:
    """The app's current publication and VoID description, rebuilt when the store changes."""

    def __init__(self, settings: Settings, store: Store, sizes: DescriptionCache) -> None:
        self._settings = settings
        self._store = store
        self._sizes = sizes
        self._lock = threading.Lock()
        self.directory = Path(tempfile.mkdtemp(prefix="ptce-publish-"))
        self._publication: tuple[str, Publication] | None = None
        self._void: tuple[str, Graph] | None = None

    def _options(self, base_url: str) -> PublishOptions:
        return PublishOptions(
            base_iri=self._settings.base_iri,
            base_url=base_url,
            ontology_dir=self._settings.ontology_dir,
            shapes_dir=self._settings.shapes_dir,
        )

    def _key(self, base_url: str) -> str:
        sizes, quads = self._sizes.sizes()
        text = json.dumps([quads, sorted(sizes.items()), base_url])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def publication(self, base_url: str) -> Publication:
        """The publication of the store as it is now (blocking: call off the loop)."""
        key = self._key(base_url)
        with self._lock:
            if self._publication is None or self._publication[0] != key:
                old = self._publication[1].directory if self._publication else None
                built = publish(self._store, self.directory / key, self._options(base_url))
                self._publication = (key, built)
                if old is not None and old != built.directory:
                    remove_publication(old)
            return self._publication[1]

    def void(self, base_url: str) -> Graph:
        """The VoID description of the store as it is now (blocking: call off the loop)."""
        key = self._key(base_url)
        with self._lock:
            if self._void is None or self._void[0] != key:
                graph, _stats = build_void(self._store, self._options(base_url))
                self._void = (key, graph)
            return self._void[1]


def _cache(app: FastAPI) -> PublicationCache:
    with _CREATION_LOCK:
        cache: PublicationCache | None = getattr(app.state, "publication_cache", None)
        if cache is None:
            cache = PublicationCache(
                app.state.settings, app.state.store, app.state.description_cache
            )
            weakref.finalize(app, shutil.rmtree, cache.directory, True)
            app.state.publication_cache = cache
        return cache


def _base_url(request: Request) -> str:
    settings: Settings = request.app.state.settings
    base = settings.public_url or str(request.base_url)
    return base if base.endswith("/") else base + "/"


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
        body = graph.serialize(format=_RDFLIB_FORMATS[chosen], encoding="utf-8")
    return Response(body, headers={"content-type": media.content_type(chosen), "vary": "Accept"})


@router.get(
    "/catalog",
    summary="DCAT 3 catalogue of the datasets, dumps and SPARQL service (Turtle by default)",
)
@router.head("/catalog", include_in_schema=False)
async def catalog(request: Request) -> Response:
    chosen = _choose(request, _RDF_TYPES)
    cache = _cache(request.app)
    publication = await run_in_threadpool(cache.publication, _base_url(request))
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
async def void_document(request: Request) -> Response:
    chosen = _choose(request, _RDF_TYPES)
    cache = _cache(request.app)
    graph = await run_in_threadpool(cache.void, _base_url(request))
    turtle = turtle_document(graph) if chosen == media.TURTLE else b""
    jsonld = jsonld_document(graph) if chosen == media.JSON_LD else b""
    return _rdf_response(graph, chosen, turtle, jsonld)


@router.get("/dumps/", summary="Index of the downloadable files, with sizes and SHA-256")
async def dumps_index(request: Request) -> Response:
    cache = _cache(request.app)
    publication = await run_in_threadpool(cache.publication, _base_url(request))
    body = (publication.directory / DUMPS_DIR / INDEX_FILE).read_bytes()
    return Response(body, media_type="application/json")


@router.get("/dumps/{name}", summary="One downloadable file (streamed)")
@router.head("/dumps/{name}", include_in_schema=False)
async def dump_file(request: Request, name: str) -> Response:
    cache = _cache(request.app)
    publication = await run_in_threadpool(cache.publication, _base_url(request))
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
async def jsonld_context(request: Request) -> Response:
    cache = _cache(request.app)
    publication = await run_in_threadpool(cache.publication, _base_url(request))
    body = (publication.directory / CONTEXT_FILE).read_bytes()
    return Response(body, media_type=media.JSON_LD)
