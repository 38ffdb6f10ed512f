"""Writes over HTTP: SPARQL 1.1 Update and the Graph Store HTTP Protocol, behind a bearer token.

- ``POST /sparql/update`` (and ``POST /sparql`` when the read side hands an update to
  :func:`handle_update`): ``update=`` form field or an ``application/sparql-update`` body.
- ``/store?graph=<iri>`` and ``/store?default``: GET/HEAD (any client), PUT, POST, DELETE (token).

Every write needs ``Authorization: Bearer <Settings.write_token>`` (compared in constant time),
is validated against the shapes before it commits, runs as one store transaction, and is serialised
with the other writes of the app. A refused write changes nothing. The token never reaches a log or
a body.
The work itself is in :mod:`ptce_kg.pipeline` (``put_graph``, ``delete_graph``, ``update_dataset``).
"""

from __future__ import annotations

import hmac
import io
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from rdflib import Graph
from starlette.concurrency import run_in_threadpool

from ptce_kg import pipeline
from ptce_kg.config import Settings
from ptce_kg.errors import (
    ConfigError,
    DataRejected,
    NotFound,
    PtceError,
    QueryError,
    SourceError,
    StoreError,
)
from ptce_kg.formats import RdfFormat
from ptce_kg.namespaces import graph_iri
from ptce_kg.pipeline import graph_writes
from ptce_kg.store import Store
from ptce_kg.web.errors import error_response
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

log = logging.getLogger(__name__)

router = APIRouter(tags=["writes"])

#: Formats a graph is served in (GET /store), in the server's order of preference.
GRAPH_OFFERS: tuple[str, ...] = (TURTLE, N_TRIPLES, RDF_XML, JSON_LD)
#: Body formats PUT/POST take, by Content-Type; TriG and N-Quads only with no named graph inside.
BODY_FORMATS: dict[str, RdfFormat] = {fmt.media_type: fmt for fmt in RdfFormat} | {
    "application/x-turtle": RdfFormat.TURTLE,
    "text/plain": RdfFormat.N_TRIPLES,
}

_setup_lock = threading.Lock()


@dataclass
class WriteState:
    """Per-app write state: the writers' lock and the shapes, read once."""

    lock: threading.Lock
    shapes: Graph | None = None


def _write_state(app: FastAPI) -> WriteState:
    with _setup_lock:
        state = getattr(app.state, "write_state", None)
        if state is None:
            state = WriteState(lock=threading.Lock())
            app.state.write_state = state
        return cast(WriteState, state)


def _shapes(app: FastAPI, settings: Settings) -> Graph:
    state = _write_state(app)
    with _setup_lock:
        if state.shapes is None:
            state.shapes = pipeline.read_shapes(settings.shapes_dir)
        return state.shapes


def _engine(app: FastAPI) -> str:
    engine = getattr(app.state, "validation_engine", None)
    return engine if isinstance(engine, str) else "sparql"


# ------------------------------------------------------------------------------------ responses
_KINDS = {
    400: "bad_request",
    401: "missing_credentials",
    403: "write_forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "data_rejected",
    500: "internal_error",
    503: "store_unavailable",
}


def _problem(
    status: int,
    message: str,
    *,
    hint: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """An error in the endpoint's one error format (JSON: error kind, status, message, hint)."""
    all_headers = dict(headers or {})
    if status == 401:
        all_headers["WWW-Authenticate"] = 'Bearer realm="ptce_kg"'
    return error_response(
        status,
        _KINDS.get(status, "error"),
        message,
        None,
        hint=hint,
        extra=extra,
        headers=all_headers,
    )


def _error_response(error: PtceError) -> Response:
    """The one mapping of this module's errors to statuses (same table as the read side)."""
    if isinstance(error, DataRejected):
        return _problem(422, error.message, report=error.report.as_dict())
    status = (
        404
        if isinstance(error, NotFound)
        else 400
        if isinstance(error, SourceError | QueryError)
        else 503
        if isinstance(error, StoreError | ConfigError)
        else 500
    )
    return _problem(status, error.message, hint=error.hint)


# -------------------------------------------------------------------------------- access control
def check_write_access(request: Request) -> Response | None:
    """Return the refusal for a request that may not write, or ``None`` when it may.

    No token configured → 403 (writes disabled); no bearer token → 401 with ``WWW-Authenticate``;
    a wrong token → 403. The comparison takes constant time (:func:`hmac.compare_digest`).
    """
    settings: Settings = request.app.state.settings
    if settings.write_token is None:
        return _problem(
            403,
            "writes are disabled on this server",
            hint="the operator enables them by setting PTCE_WRITE_TOKEN",
        )
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    presented = credentials.strip()
    if scheme.lower() != "bearer" or not presented:
        return _problem(
            401,
            "this write needs a bearer token",
            hint="send the header Authorization: Bearer <token>",
        )
    expected = settings.write_token.get_secret_value()
    if not hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8")):
        log.warning("write refused: wrong token (%s %s)", request.method, request.url.path)
        return _problem(403, "the bearer token is not valid for writes")
    return None


async def _read_body(request: Request) -> bytes | Response:
    """Read the body up to ``Settings.max_body_bytes``; 413 past it (header or streamed size)."""
    limit = request.app.state.settings.max_body_bytes
    too_large = _problem(413, f"the request body is larger than {limit} bytes")
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                return too_large
        except ValueError:
            return _problem(400, "the Content-Length header is not a number")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _notify_write(request: Request) -> None:
    callback: Callable[[], object] | None = getattr(request.app.state, "on_write", None)
    if callback is None:
        return
    try:
        callback()
    except Exception:  # the write has committed: report, do not turn it into a failure
        log.exception("on_write callback failed after a committed write")


def _run_write(request: Request, work: Callable[[Store, Graph, str], Response]) -> Response:
    """Run ``work(store, shapes, engine)`` under the app's writer lock; map errors to responses."""
    app: FastAPI = request.app
    try:
        shapes = _shapes(app, app.state.settings)
    except PtceError as e:
        return _problem(
            503, f"writes need the shapes, which cannot be read: {e.message}", hint=e.hint
        )
    try:
        with _write_state(app).lock:
            response = work(app.state.store, shapes, _engine(app))
    except PtceError as e:
        return _error_response(e)
    _notify_write(request)
    return response


# ---------------------------------------------------------------------------------- SPARQL Update
def handle_update(
    request: Request,
    update_text: str,
    using_graph_uris: Sequence[str],
    using_named_graph_uris: Sequence[str],
) -> Response:
    """Run a SPARQL update sent to the endpoint (blocking: call it from a thread in async code).

    Checks the token itself, so the read side's ``POST /sparql`` can hand it any update. Answers
    200 with the changed graphs and the validation report, or 400/401/403/422/503.
    ``using-graph-uri``/``using-named-graph-uri`` are refused (400): write ``USING``/``WITH`` in
    the update instead.
    """
    refusal = check_write_access(request)
    if refusal is not None:
        return refusal
    if using_graph_uris or using_named_graph_uris:
        return _problem(
            400,
            "using-graph-uri and using-named-graph-uri are not supported",
            hint="write USING <g> / USING NAMED <g> / WITH <g> in the update itself",
        )
    if not update_text.strip():
        return _problem(400, "the update is empty")

    def work(store: Store, shapes: Graph, engine: str) -> Response:
        outcome = graph_writes.update_dataset(store, update_text, shapes, engine=engine)
        return JSONResponse(
            {"changed": outcome.graphs, "report": outcome.report.as_dict()}, status_code=200
        )

    return _run_write(request, work)


@router.post(
    "/sparql/update",
    summary="SPARQL 1.1 Update (needs the write token)",
    response_class=JSONResponse,
)
async def sparql_update(request: Request) -> Response:
    """``update=`` form field, or an ``application/sparql-update`` body."""
    refusal = check_write_access(request)
    if refusal is not None:
        return refusal
    media = _media_type(request)
    if media not in (SPARQL_UPDATE, FORM):
        return _problem(
            415,
            f"an update is sent as {SPARQL_UPDATE} or {FORM}, not {media or 'no Content-Type'}",
        )
    body = await _read_body(request)
    if isinstance(body, Response):
        return body
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return _problem(400, "the request body is not UTF-8")
    if media == SPARQL_UPDATE:
        using = request.query_params.getlist("using-graph-uri")
        using_named = request.query_params.getlist("using-named-graph-uri")
        update = text
    else:
        form = parse_qs(text, keep_blank_values=True)
        updates = form.get("update", [])
        if len(updates) != 1:
            return _problem(400, "send exactly one update= field")
        update = updates[0]
        using = form.get("using-graph-uri", [])
        using_named = form.get("using-named-graph-uri", [])
    return await run_in_threadpool(handle_update, request, update, using, using_named)


# --------------------------------------------------------------------------- Graph Store Protocol
def _target(request: Request) -> str | Response | None:
    """The graph IRI of ``?graph=``, ``None`` for ``?default``, or a 400 response."""
    params = request.query_params
    graphs = params.getlist("graph")
    if graphs and "default" in params:
        return _problem(400, "give either ?graph=<iri> or ?default, not both")
    if len(graphs) > 1:
        return _problem(400, "give one ?graph=<iri>")
    if graphs:
        try:
            graph_writes.check_graph_iri(graphs[0])
        except SourceError as e:
            return _error_response(e)
        return graphs[0]
    if "default" in params:
        return None
    return _problem(400, "name the graph: ?graph=<iri> or ?default")


def _default_graph_refusal() -> Response:
    return _problem(
        405,
        "the default graph is the union of the named graphs here and cannot be written",
        hint="write a named graph: ?graph=<iri>, or POST /store to create one",
        headers={"Allow": "GET, HEAD"},
    )


@router.api_route("/store", methods=["GET", "HEAD"], summary="Graph Store Protocol: read a graph")
def read_graph(request: Request) -> Response:
    """Serve a named graph (``?graph=``) or the default graph (``?default``: the union)."""
    target = _target(request)
    if isinstance(target, Response):
        return target
    media = choose_media_type(request.headers.get("accept"), GRAPH_OFFERS)
    if media is None:
        return _problem(406, f"this graph is served as {', '.join(GRAPH_OFFERS)}")
    store: Store = request.app.state.store
    try:
        if target is None:
            _kind, body = store.query_serialized("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", media)
        else:
            if target not in store.graph_sizes():
                return _problem(404, f"no graph <{target}> in the store")
            buf = io.BytesIO()
            store.dump(buf, RdfFormat.from_name(media), graph=target)
            body = buf.getvalue()
    except PtceError as e:
        return _error_response(e)
    headers = {"Content-Type": CONTENT_TYPES[media], "Vary": "Accept"}
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(status_code=200, headers=headers)
    return Response(body, status_code=200, headers=headers)


async def _write_graph(request: Request, *, merge: bool) -> Response:
    refusal = check_write_access(request)
    if refusal is not None:
        return refusal
    params = request.query_params
    create = merge and "graph" not in params and "default" not in params
    target = None if create else _target(request)
    if isinstance(target, Response):
        return target
    if target is None and not create:
        return _default_graph_refusal()
    media = _media_type(request)
    fmt = BODY_FORMATS.get(media)
    if fmt is None:
        offers = ", ".join(m for m in BODY_FORMATS if "/x-" not in m and m != "text/plain")
        return _problem(
            415, f"cannot read a body of type {media or '(none)'}", hint=f"use {offers}"
        )
    body = await _read_body(request)
    if isinstance(body, Response):
        return body
    settings: Settings = request.app.state.settings
    graph = target or str(graph_iri(f"http-{uuid.uuid4().hex[:16]}", base=settings.base_iri))
    via = f"HTTP {request.method}"

    def work(store: Store, shapes: Graph, engine: str) -> Response:
        outcome = graph_writes.put_graph(
            store, graph, body, fmt, shapes, merge=merge, engine=engine, via=via
        )
        content = {
            "graph": graph,
            "triples": outcome.triples,
            "created": outcome.created,
            "report": outcome.report.as_dict(),
        }
        if outcome.created:
            return JSONResponse(content, status_code=201, headers={"Location": graph})
        return JSONResponse(content, status_code=200)

    return await run_in_threadpool(_run_write, request, work)


@router.put("/store", summary="Graph Store Protocol: replace a graph (needs the write token)")
async def put_graph(request: Request) -> Response:
    """Replace ``?graph=`` by the body (201 when the graph is new, 200 otherwise)."""
    return await _write_graph(request, merge=False)


@router.post("/store", summary="Graph Store Protocol: add to a graph (needs the write token)")
async def post_graph(request: Request) -> Response:
    """Add the body to ``?graph=``; without ``?graph=``, create a new graph (201, Location)."""
    return await _write_graph(request, merge=True)


@router.delete("/store", summary="Graph Store Protocol: remove a graph (needs the write token)")
def delete_graph(request: Request) -> Response:
    """Remove ``?graph=`` and its companions (204; 404 when missing)."""
    refusal = check_write_access(request)
    if refusal is not None:
        return refusal
    target = _target(request)
    if isinstance(target, Response):
        return target
    if target is None:
        return _default_graph_refusal()

    def work(store: Store, shapes: Graph, engine: str) -> Response:
        graph_writes.delete_graph(store, target, shapes, engine=engine)
        return Response(status_code=204)

    return _run_write(request, work)
