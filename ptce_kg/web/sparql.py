"""The SPARQL 1.1 Protocol, read side: ``/sparql`` (query, service description, editor) and VoID.

Queries arrive by GET, POST form or POST direct; the body is capped (Content-Length and counted
bytes). Each query goes through the reach check (:mod:`ptce_kg.web.safety`), then to the query
runner (worker processes or
threads, see :mod:`ptce_kg.execution`), which returns the body serialised by the engine in the
negotiated media type. Relative IRIs of a query without BASE resolve against the request's URL
(:func:`request_iri`), as the Protocol allows. Updates are refused here unless writes are enabled,
when they go to :func:`ptce_kg.web.writes.handle_update`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from ptce_kg.config import Settings
from ptce_kg.errors import (
    NotAcceptableError,
    PtceError,
    QueryError,
    UnsupportedMediaType,
    WriteForbidden,
)
from ptce_kg.execution import QueryJob
from ptce_kg.formats import RdfFormat
from ptce_kg.web import negotiation as media
from ptce_kg.web import writes
from ptce_kg.web.errors import http_error_response, ptce_error_response
from ptce_kg.web.incoming import read_body, request_iri
from ptce_kg.web.routing import get_and_head
from ptce_kg.web.safety import check_query_reach
from ptce_kg.web.service_description import describe_service
from ptce_kg.web.state import app_state

router = APIRouter(tags=["SPARQL"])

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
_DESCRIPTION_TYPES = (media.DOCUMENT_TYPES[0], media.HTML, *media.DOCUMENT_TYPES[1:])
ALLOW = "GET, HEAD, POST, OPTIONS"
Params = dict[str, list[str]]


def _settings(request: Request) -> Settings:
    return app_state(request).settings


def _collect(pairs: Sequence[tuple[str, str]]) -> Params:
    params: Params = {}
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise QueryError(f"the {what} is not UTF-8: byte {e.start} is invalid") from e


def _one(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise QueryError(f"give one '{name}' parameter, not {len(values)}")
    return values[0] if values else None


async def answer_query(request: Request, sparql: str, params: Mapping[str, list[str]]) -> Response:
    """Check, run and answer one query; the body is the engine's serialisation."""
    state = app_state(request)
    settings, store, runner = state.settings, state.store, state.query_runner
    media_types = media.negotiate_query_types(request.headers.get("accept"), params)
    if not any(media_types.values()):
        raise NotAcceptableError(
            "no result format the client accepts: "
            f"{', '.join(media.RESULT_TYPES + media.GRAPH_TYPES)} are available",
            hint="send Accept: application/sparql-results+json (SELECT/ASK) or text/turtle",
        )
    base_iri = request_iri(request)
    reach = await check_query_reach(store, sparql, base_iri, settings.service_allowlist)
    default_graph = tuple(params.get("default-graph-uri", ())) or None
    named_graphs = tuple(params.get("named-graph-uri", ())) or None
    if default_graph is not None or named_graphs is not None:
        # A Protocol dataset is the whole dataset: what it does not name is empty (SPARQL 1.1
        # Protocol §2.1.4).
        default_graph, named_graphs = default_graph or (), named_graphs or ()
    elif reach.from_graphs or reach.from_named_graphs:
        # The query names its dataset: pass it explicitly, since the store otherwise answers with
        # the union default graph (FROM NAMED alone: an empty default graph, as the spec says).
        default_graph, named_graphs = reach.from_graphs, reach.from_named_graphs
    job = QueryJob(
        sparql,
        media_types,
        default_graph=default_graph,
        named_graphs=named_graphs,
        max_rows=settings.max_result_rows,
        max_bytes=settings.max_result_bytes,
        base_iri=base_iri,
    )
    answer = await runner.run(job)
    if answer.media_type is None:
        offered = media.GRAPH_TYPES if answer.kind == "graph" else media.RESULT_TYPES
        raise NotAcceptableError(
            f"no format the client accepts fits a {answer.kind} result: "
            f"{', '.join(offered)} are available"
        )
    return Response(
        answer.body,
        headers={"content-type": media.content_type(answer.media_type), "vary": "Accept"},
    )


async def _refuse_or_run_update(request: Request, update: str, params: Params) -> Response:
    settings = _settings(request)
    if settings.write_token is None:
        raise WriteForbidden(
            "this endpoint is read-only: SPARQL Update is disabled",
            hint="the operator enables writes with PTCE_WRITE_TOKEN; then send the update with "
            "'Authorization: Bearer <token>'",
        )
    return await run_in_threadpool(
        writes.handle_update,
        request,
        update,
        params.get("using-graph-uri", []),
        params.get("using-named-graph-uri", []),
    )


async def _describe(request: Request, offers: Sequence[str]) -> Response:
    accept = request.headers.get("accept")
    override = media.format_override(_collect(request.query_params.multi_items()))
    if override is not None and override[1] is not None:
        chosen: str | None = override[1] if override[1] in offers else None
    else:
        chosen = media.choose_media_type(accept, offers)
    if chosen is None:
        raise NotAcceptableError(f"the description is available as {', '.join(offers)}")
    settings = _settings(request)
    endpoint = settings.public_url.rstrip("/") + "/sparql" if settings.public_url else None
    endpoint = endpoint or str(request.url_for("sparql_get"))
    if chosen == media.HTML:
        page = _TEMPLATES.get_template("sparql.html").render(endpoint=endpoint)
        return Response(
            page.encode(),
            headers={"content-type": media.content_type(media.HTML), "vary": "Accept"},
        )
    sizes, quads = await run_in_threadpool(app_state(request).description_cache.sizes)
    graph = describe_service(
        endpoint,
        sizes,
        quads,
        writes=settings.write_token is not None,
        base_iri=settings.base_iri,
    )
    body = graph.serialize(format=RdfFormat.from_media_type(chosen).rdflib_name, encoding="utf-8")
    return Response(body, headers={"content-type": media.content_type(chosen), "vary": "Accept"})


@get_and_head(
    router,
    "/sparql",
    name="sparql_get",
    summary="SPARQL query by GET; without a query, the service description or the editor",
)
async def sparql_get(request: Request) -> Response:
    params = _collect(request.query_params.multi_items())
    sparql = _one(params, "query")
    if sparql is None:
        if "update" in params:
            raise QueryError("SPARQL Update is sent by POST, never by GET")
        return await _describe(request, _DESCRIPTION_TYPES)
    return await answer_query(request, sparql, params)


@router.post("/sparql", summary="SPARQL query by POST (form or direct); updates are refused")
async def sparql_post(request: Request) -> Response:
    settings = _settings(request)
    body = await read_body(request, settings.max_body_bytes)
    params = _collect(request.query_params.multi_items())
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == media.FORM:
        form = _collect(parse_qsl(_decode(body, "form"), keep_blank_values=True))
        for name, values in form.items():
            params.setdefault(name, []).extend(values)
        update = _one(params, "update")
        if update is not None:
            return await _refuse_or_run_update(request, update, params)
        sparql = _one(params, "query")
        if sparql is None:
            raise QueryError("the form has no 'query' parameter")
        return await answer_query(request, sparql, params)
    if content_type == media.SPARQL_QUERY:
        if "query" in params:
            raise QueryError("a direct POST carries the query in its body, not in a parameter")
        return await answer_query(request, _decode(body, "query"), params)
    if content_type == media.SPARQL_UPDATE:
        return await _refuse_or_run_update(request, _decode(body, "update"), params)
    raise UnsupportedMediaType(
        f"POST /sparql takes {media.FORM}, {media.SPARQL_QUERY} or {media.SPARQL_UPDATE}, "
        f"not {content_type or 'a body without Content-Type'}"
    )


@router.options("/sparql", summary="Methods allowed on /sparql (CORS preflights are answered too)")
async def sparql_options() -> Response:
    return Response(status_code=204, headers={"allow": ALLOW})


class SparqlFront:
    """Plain-ASGI front of ``/sparql``: queries (GET/HEAD with ``query``, and every POST) go
    straight to :func:`sparql_get` / :func:`sparql_post`, without FastAPI's routing, dependency
    solving and exception layers (a few hundred microseconds per request).

    Errors become responses here exactly as the app's handlers make them
    (:mod:`ptce_kg.web.errors`). Everything else — ``/sparql`` without a query (service
    description, editor), OPTIONS, other paths — goes to ``app``, FastAPI, whose routes for
    ``/sparql`` stay registered: same handlers, same OpenAPI documentation.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/sparql":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "POST":
            handler = sparql_post
        elif method in ("GET", "HEAD") and _names_query(scope["query_string"]):
            handler = sparql_get
        else:
            await self.app(scope, receive, send)
            return
        scope["route"] = _SPARQL_ROUTE  # the metrics read the route template there
        request = Request(scope, receive)
        try:
            response = await handler(request)
        except PtceError as e:
            response = ptce_error_response(e, request.headers.get("accept"))
        except HTTPException as e:
            response = http_error_response(e, request.headers.get("accept"))
        await response(scope, receive, send)


class _RouteTemplate:
    def __init__(self, path: str) -> None:
        self.path = path


_SPARQL_ROUTE = _RouteTemplate("/sparql")


def _names_query(query_string: bytes) -> bool:
    """Whether the query string has a ``query`` parameter (as written by clients: unescaped)."""
    return query_string.startswith(b"query=") or b"&query=" in query_string
