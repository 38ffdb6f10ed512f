"""Writes over HTTP: SPARQL 1.1 Update and the Graph Store HTTP Protocol, behind a bearer token.

- ``POST /sparql/update`` (and ``POST /sparql`` when the read side hands an update to
  :func:`handle_update`): ``update=`` form field or an ``application/sparql-update`` body, with
  the Protocol's ``using-graph-uri`` / ``using-named-graph-uri``.
- ``/store?graph=<iri>`` and ``/store?default`` (indirect identification) and ``/store/<path>``
  (direct identification: the graph IRI is the request's URL): GET/HEAD (any client), PUT, POST,
  DELETE (token). ``?default`` is the store's own default graph.

Every write needs ``Authorization: Bearer <Settings.write_token>`` (compared in constant time),
is validated against the shapes before it commits, runs as one store transaction, and is serialised
with the other writes of the app. A refused write changes nothing. The token never reaches a log or
a body. Refusals are raised as ptce_kg errors; :mod:`ptce_kg.web.errors` answers them (one
mapping, one body format).
The work itself is in :mod:`ptce_kg.pipeline` (``put_graph``, ``delete_graph``, ``update_dataset``).
"""

from __future__ import annotations

import hmac
import io
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from rdflib import Graph
from starlette.concurrency import run_in_threadpool

from ptce_kg import pipeline
from ptce_kg.errors import (
    ConfigError,
    MissingCredentials,
    NotAcceptableError,
    NotFound,
    PtceError,
    QueryError,
    SourceError,
    UnsupportedMediaType,
    WriteForbidden,
)
from ptce_kg.formats import RdfFormat
from ptce_kg.ingest.rdf import ParseLimits
from ptce_kg.namespaces import graph_iri
from ptce_kg.pipeline import graph_writes
from ptce_kg.pipeline.graph_writes import DEFAULT_GRAPH
from ptce_kg.store import Store
from ptce_kg.web.incoming import read_body, request_iri
from ptce_kg.web.negotiation import (
    CONTENT_TYPES,
    FORM,
    JSON_LD,
    N_TRIPLES,
    RDF_XML,
    SPARQL_UPDATE,
    TURTLE,
    choose_media_type,
)
from ptce_kg.web.routing import get_and_head
from ptce_kg.web.state import AppState, app_state

log = logging.getLogger(__name__)

router = APIRouter(tags=["writes"])

#: Formats a graph is served in (GET /store), in the server's order of preference.
GRAPH_OFFERS: tuple[str, ...] = (TURTLE, N_TRIPLES, RDF_XML, JSON_LD)
#: Body formats PUT/POST take, by Content-Type; TriG and N-Quads only with no named graph inside.
BODY_FORMATS: dict[str, RdfFormat] = {fmt.media_type: fmt for fmt in RdfFormat} | {
    "application/x-turtle": RdfFormat.TURTLE,
    "text/plain": RdfFormat.N_TRIPLES,
}

MULTIPART = "multipart/form-data"

_setup_lock = threading.Lock()


def close_writes(state: AppState) -> None:
    """Stop the parse child kept started for the app's writes (at shutdown)."""
    state.writer.parse_children.close()


def _shapes(state: AppState) -> Graph:
    with _setup_lock:
        if state.writer.shapes is None:
            state.writer.shapes = pipeline.read_shapes(state.settings.shapes_dir)
        return state.writer.shapes


# -------------------------------------------------------------------------------- access control
def check_write_access(request: Request) -> None:
    """Refuse a request that may not write.

    The comparison takes constant time (:func:`hmac.compare_digest`).

    Raises:
        WriteForbidden: no token configured (writes disabled, 403) or a wrong token (403).
        MissingCredentials: no bearer token (401, with ``WWW-Authenticate``).
    """
    settings = app_state(request).settings
    if settings.write_token is None:
        raise WriteForbidden(
            "writes are disabled on this server",
            hint="the operator enables them by setting PTCE_WRITE_TOKEN",
        )
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    presented = credentials.strip()
    if scheme.lower() != "bearer" or not presented:
        raise MissingCredentials(
            "this write needs a bearer token",
            hint="send the header Authorization: Bearer <token>",
        )
    expected = settings.write_token.get_secret_value()
    if not hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8")):
        log.warning("write refused: wrong token (%s %s)", request.method, request.url.path)
        raise WriteForbidden("the bearer token is not valid for writes")


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _run_write(request: Request, work: Callable[[Store, Graph, str], Response]) -> Response:
    """Run ``work(store, shapes, engine)`` under the app's writer lock (the store announces it).

    Raises:
        ConfigError: the shapes cannot be read (503: no write is validated without them).
        PtceError: whatever ``work`` raises (the app's handlers answer).
    """
    state = app_state(request)
    try:
        shapes = _shapes(state)
    except PtceError as e:
        raise ConfigError(
            f"writes need the shapes, which cannot be read: {e.message}", hint=e.hint
        ) from e
    with state.writer.lock:
        # the store's write listener (AppState.on_write) announces the write to the readers
        return work(state.store, shapes, state.settings.validation_engine)


# ---------------------------------------------------------------------------------- SPARQL Update
def handle_update(
    request: Request,
    update_text: str,
    using_graph_uris: Sequence[str],
    using_named_graph_uris: Sequence[str],
) -> Response:
    """Run a SPARQL update sent to the endpoint (blocking: call it from a thread in async code).

    Checks the token itself, so the read side's ``POST /sparql`` can hand it any update. Answers
    200 with the changed graphs (``null`` for the default graph) and the validation report.
    ``using-graph-uri`` / ``using-named-graph-uri`` act as ``USING`` / ``USING NAMED`` on every
    operation with a ``WHERE`` (400 if the update has USING or WITH of its own); relative IRIs
    resolve against the request's URL.

    Raises:
        MissingCredentials, WriteForbidden: see :func:`check_write_access`.
        QueryError, QueryRefused, DataRejected, StoreError: from the update (400, 400, 422, 503).
    """
    check_write_access(request)
    if not update_text.strip():
        raise QueryError("the update is empty")
    update = graph_writes.add_protocol_dataset(
        update_text, using_graph_uris, using_named_graph_uris
    )
    base_iri = request_iri(request)
    limits = parse_limits(app_state(request))

    def work(store: Store, shapes: Graph, engine: str) -> Response:
        outcome = graph_writes.update_dataset(
            store, update, shapes, engine=engine, base_iri=base_iri, limits=limits
        )
        changed = [g or None for g in outcome.graphs]
        return JSONResponse({"changed": changed, "report": outcome.report.as_dict()})

    return _run_write(request, work)


@router.post(
    "/sparql/update",
    summary="SPARQL 1.1 Update (needs the write token)",
    response_class=JSONResponse,
)
async def sparql_update(request: Request) -> Response:
    """``update=`` form field, or an ``application/sparql-update`` body."""
    check_write_access(request)
    media = _media_type(request)
    if media not in (SPARQL_UPDATE, FORM):
        raise UnsupportedMediaType(
            f"an update is sent as {SPARQL_UPDATE} or {FORM}, not {media or 'no Content-Type'}"
        )
    body = await read_body(request, app_state(request).settings.max_body_bytes)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise QueryError(f"the request body is not UTF-8: byte {e.start} is invalid") from e
    using = request.query_params.getlist("using-graph-uri")
    using_named = request.query_params.getlist("using-named-graph-uri")
    if media == SPARQL_UPDATE:
        update = text
    else:
        form = parse_qs(text, keep_blank_values=True)
        updates = form.get("update", [])
        if len(updates) != 1:
            raise QueryError("send exactly one update= field")
        update = updates[0]
        using = using + form.get("using-graph-uri", [])
        using_named = using_named + form.get("using-named-graph-uri", [])
    return await run_in_threadpool(handle_update, request, update, using, using_named)


# --------------------------------------------------------------------------- Graph Store Protocol
#: A Graph Store request's target: a graph IRI, or DEFAULT_GRAPH ("") for the default graph.
Target = str


def _indirect_target(request: Request) -> Target:
    """The graph of ``?graph=<iri>``, or the default graph for ``?default``.

    Raises:
        QueryError: both, neither, or two ``graph`` parameters.
        SourceError: ``graph`` is not an absolute IRI.
    """
    params = request.query_params
    graphs = params.getlist("graph")
    if graphs and "default" in params:
        raise QueryError("give either ?graph=<iri> or ?default, not both")
    if len(graphs) > 1:
        raise QueryError("give one ?graph=<iri>")
    if graphs:
        graph_writes.check_graph_iri(graphs[0])
        return graphs[0]
    if "default" in params:
        return DEFAULT_GRAPH
    raise QueryError(
        "name the graph: ?graph=<iri> or ?default",
        hint="or use its own IRI under /store/ (direct identification)",
    )


def _direct_target(request: Request) -> Target:
    """The graph whose IRI is the request's URL (direct identification).

    Raises:
        QueryError: the request also names a graph by ``?graph=`` or ``?default``.
    """
    if "graph" in request.query_params or "default" in request.query_params:
        raise QueryError(
            "a request to a graph's own IRI names no other graph: drop ?graph= / ?default",
            hint="or send it to /store?graph=<iri>",
        )
    return request_iri(request)


def _read_graph(request: Request, target: Target) -> Response:
    """Serve a named graph, or the store's own default graph (``""``)."""
    media = choose_media_type(request.headers.get("accept"), GRAPH_OFFERS)
    if media is None:
        raise NotAcceptableError(f"this graph is served as {', '.join(GRAPH_OFFERS)}")
    store = app_state(request).store
    if target == DEFAULT_GRAPH:
        _kind, body = store.query_serialized(
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", media, default_graph=[DEFAULT_GRAPH]
        )
    else:
        if target not in store.graph_sizes():
            raise NotFound(f"no graph <{target}> in the store", hint="check the graph IRI")
        buf = io.BytesIO()
        store.dump(buf, RdfFormat.from_name(media), graph=target)
        body = buf.getvalue()
    headers = {"Content-Type": CONTENT_TYPES[media], "Vary": "Accept"}
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(status_code=200, headers=headers)
    return Response(body, status_code=200, headers=headers)


def parse_limits(state: AppState) -> ParseLimits:
    """How request bodies are parsed: each in a child process of its own (one is kept started
    ahead), within the configured nesting, memory and time bounds. A parser that crashes ends that
    process only: the request gets a 400 and the server goes on."""
    settings = state.settings
    return ParseLimits(
        max_depth=settings.max_nesting_depth,
        isolated=True,
        memory_bytes=settings.parse_memory_mb * 1024 * 1024,
        seconds=settings.parse_timeout,
        children=state.writer.parse_children,
    )


def _body_format(media: str) -> RdfFormat:
    fmt = BODY_FORMATS.get(media)
    if fmt is None:
        offers = ", ".join(m for m in BODY_FORMATS if "/x-" not in m and m != "text/plain")
        raise UnsupportedMediaType(
            f"cannot read a body of type {media or '(none)'}",
            hint=f"use {offers}, or multipart/form-data with parts of those types",
        )
    return fmt


def _body_parts(request: Request, body: bytes) -> list[tuple[bytes, RdfFormat]]:
    """The RDF documents of a body: itself, or each part of a ``multipart/form-data`` body.

    Raises:
        UnsupportedMediaType: the body (or a part) is of a type not read here.
        SourceError: a multipart body without parts.
    """
    media = _media_type(request)
    if media != MULTIPART:
        return [(body, _body_format(media))]
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    parts: list[tuple[bytes, RdfFormat]] = []
    if isinstance(message, EmailMessage) and message.is_multipart():
        for part in message.iter_parts():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                parts.append((payload, _body_format(part.get_content_type())))
    if not parts:
        raise SourceError("the multipart/form-data body has no part", path="request body")
    return parts


async def _write_graph(request: Request, target: Target | None, *, merge: bool) -> Response:
    """PUT (replace) or POST (merge) the body into ``target``; ``None``: a new graph (POST)."""
    check_write_access(request)
    settings = app_state(request).settings
    body = await read_body(request, settings.max_body_bytes)
    (data, fmt), *more = _body_parts(request, body)
    graph = target
    if graph is None:
        graph = str(graph_iri(f"http-{uuid.uuid4().hex[:16]}", base=settings.base_iri))
    via = f"HTTP {request.method}"

    def work(store: Store, shapes: Graph, engine: str) -> Response:
        outcome = graph_writes.put_graph(
            store,
            graph,
            data,
            fmt,
            shapes,
            merge=merge,
            engine=engine,
            via=via,
            more=more,
            limits=parse_limits(app_state(request)),
        )
        content = {
            "graph": graph or None,
            "triples": outcome.triples,
            "created": outcome.created,
            "report": outcome.report.as_dict(),
        }
        if outcome.created:
            return JSONResponse(content, status_code=201, headers={"Location": graph})
        return JSONResponse(content, status_code=200)

    return await run_in_threadpool(_run_write, request, work)


def _delete_graph(request: Request, target: Target) -> Response:
    check_write_access(request)

    def work(store: Store, shapes: Graph, engine: str) -> Response:
        graph_writes.delete_graph(store, target, shapes, engine=engine)
        return Response(status_code=204)

    return _run_write(request, work)


@get_and_head(router, "/store", summary="Graph Store Protocol: read a graph")
def read_graph(request: Request) -> Response:
    """Serve ``?graph=`` or ``?default`` (the store's own default graph)."""
    return _read_graph(request, _indirect_target(request))


@router.put("/store", summary="Graph Store Protocol: replace a graph (needs the write token)")
async def put_graph(request: Request) -> Response:
    """Replace ``?graph=`` (or ``?default``) by the body (201 when the graph is new, else 200)."""
    return await _write_graph(request, _indirect_target(request), merge=False)


@router.post("/store", summary="Graph Store Protocol: add to a graph (needs the write token)")
async def post_graph(request: Request) -> Response:
    """Add the body to ``?graph=`` (or ``?default``); without either, create a new graph (201)."""
    params = request.query_params
    create = "graph" not in params and "default" not in params
    return await _write_graph(request, None if create else _indirect_target(request), merge=True)


@router.delete("/store", summary="Graph Store Protocol: remove a graph (needs the write token)")
def delete_graph(request: Request) -> Response:
    """Remove ``?graph=`` and its companions (204; 404 when missing), or empty ``?default``."""
    return _delete_graph(request, _indirect_target(request))


@get_and_head(
    router,
    "/store/{path:path}",
    summary="Graph Store Protocol, direct identification: read the graph named by this URL",
)
def read_graph_direct(request: Request, path: str) -> Response:
    """Serve the graph whose IRI is the request's URL."""
    return _read_graph(request, _direct_target(request))


@router.put(
    "/store/{path:path}",
    summary="Graph Store Protocol, direct identification: replace the graph named by this URL",
)
async def put_graph_direct(request: Request, path: str) -> Response:
    """Replace the graph whose IRI is the request's URL (201 when new, else 200)."""
    return await _write_graph(request, _direct_target(request), merge=False)


@router.post(
    "/store/{path:path}",
    summary="Graph Store Protocol, direct identification: add to the graph named by this URL",
)
async def post_graph_direct(request: Request, path: str) -> Response:
    """Add the body to the graph whose IRI is the request's URL (201 when new, else 200)."""
    return await _write_graph(request, _direct_target(request), merge=True)


@router.delete(
    "/store/{path:path}",
    summary="Graph Store Protocol, direct identification: remove the graph named by this URL",
)
def delete_graph_direct(request: Request, path: str) -> Response:
    """Remove the graph whose IRI is the request's URL (204; 404 when missing)."""
    return _delete_graph(request, _direct_target(request))
