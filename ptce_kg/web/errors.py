"""The one place that turns ptce_kg errors into HTTP responses.

=======================  ======  ==================================================================
error                    status  why
=======================  ======  ==================================================================
QueryError               400     syntax or evaluation error; ``line``/``column`` when known
QueryRefused             400     SERVICE / LOAD / FROM outside the store (not allow-listed), or a
                                 write to a graph ptce_kg manages
SourceError              400     a request body that cannot be parsed; ``line``/``column``
ResultTooLarge           413     a result over max_result_rows / max_result_bytes: an error, never
                                 a silently truncated 200 (413 = "over a size cap", like the body)
BodyTooLargeError        413     a request body over max_body_bytes
UnsupportedMediaType     415     a request body of a type the endpoint does not read
QueryTimeout             503     the query ran past query_timeout (``Retry-After`` is not sent: the
                                 same query would time out again)
StoreError               503     the store is down, locked or failing
ConfigError              503     the server cannot serve this request as configured (e.g. writes
                                 without readable shapes)
NotAcceptableError       406     no format the client accepts fits the result
MissingCredentials       401     a write without a bearer token (``WWW-Authenticate: Bearer``)
WriteForbidden           403     writes disabled, or a wrong token
NotFound                 404
DataRejected             422     the body is the validation report (JSON)
other PtceError          500
any other exception      500     ``internal_error``: a bug; logged with its traceback, the body
                                 says nothing of it
=======================  ======  ==================================================================

The body is JSON (``{"error": kind, "status", "message", "hint", "line", "column"}``) unless the
client prefers HTML; the read side (:mod:`ptce_kg.web.sparql`) and the write side
(:mod:`ptce_kg.web.writes`) both raise, and these handlers answer. Handlers run inside the CORS
middleware, so error responses carry CORS headers too.
"""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import asdict, is_dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ptce_kg.errors import (
    BodyTooLargeError,
    ConfigError,
    DataRejected,
    MissingCredentials,
    NotAcceptableError,
    NotFound,
    PtceError,
    QueryError,
    QueryRefused,
    QueryTimeout,
    ResultTooLarge,
    SourceError,
    StoreError,
    UnsupportedMediaType,
    WriteForbidden,
)
from ptce_kg.web.negotiation import HTML, choose_media_type, content_type

log = logging.getLogger(__name__)

__all__ = [  # the HTTP-flavoured errors live in ptce_kg.errors; re-exported for existing imports
    "BodyTooLargeError",
    "MissingCredentials",
    "NotAcceptableError",
    "UnsupportedMediaType",
    "error_response",
    "http_error_response",
    "install_error_handlers",
    "ptce_error_response",
    "status_of",
]

_STATUS: tuple[tuple[type[PtceError], int, str], ...] = (
    (QueryRefused, 400, "query_refused"),
    (QueryTimeout, 503, "query_timeout"),
    (ResultTooLarge, 413, "result_too_large"),
    (QueryError, 400, "bad_query"),
    (SourceError, 400, "bad_data"),
    (BodyTooLargeError, 413, "body_too_large"),
    (UnsupportedMediaType, 415, "unsupported_media_type"),
    (NotAcceptableError, 406, "not_acceptable"),
    (MissingCredentials, 401, "missing_credentials"),
    (WriteForbidden, 403, "write_forbidden"),
    (NotFound, 404, "not_found"),
    (DataRejected, 422, "data_rejected"),
    (StoreError, 503, "store_unavailable"),
    (ConfigError, 503, "service_unavailable"),
)
_POSITION = (
    re.compile(r"error at (\d+):(\d+)"),  # Oxigraph
    re.compile(r"at (\d+):(\d+)"),  # the safety check (rdflib)
)


def status_of(error: PtceError) -> tuple[int, str]:
    """Return the HTTP status and the short error kind for ``error``."""
    for cls, status, kind in _STATUS:
        if isinstance(error, cls):
            return status, kind
    return 500, "internal_error"


def error_position(message: str) -> tuple[int, int] | None:
    """Return the ``(line, column)`` a syntax error message names, if any."""
    for pattern in _POSITION:
        match = pattern.search(message)
        if match:
            return int(match.group(1)), int(match.group(2))
    return None


def _report_json(report: Any) -> Any:
    for method in ("to_json", "as_json", "to_dict"):
        if callable(getattr(report, method, None)):
            value = getattr(report, method)()
            return json.loads(value) if isinstance(value, str | bytes) else value
    if is_dataclass(report) and not isinstance(report, type):
        return json.loads(json.dumps(asdict(report), default=str))
    return str(report)


def error_response(
    status: int,
    kind: str,
    message: str,
    accept: str | None,
    *,
    hint: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Build an error response in JSON, or HTML when the client prefers it."""
    payload: dict[str, Any] = {"error": kind, "status": status, "message": message}
    if hint:
        payload["hint"] = hint
    payload.update(extra or {})
    all_headers = dict(headers or {})
    if choose_media_type(accept, ("application/json", HTML)) == HTML:
        rows = "".join(
            f"<dt>{html.escape(k)}</dt><dd>{_html_value(str(v))}</dd>"
            for k, v in payload.items()
            if k not in ("error", "status", "report")
        )
        page = (
            '<!doctype html><html lang="en"><meta charset="utf-8">'
            f"<title>{status} {html.escape(kind)}</title>"
            f"<h1>{status} {html.escape(kind.replace('_', ' '))}</h1><dl>{rows}</dl></html>"
        )
        all_headers["content-type"] = content_type(HTML)
        return Response(page.encode(), status_code=status, headers=all_headers)
    all_headers["content-type"] = "application/json"
    return Response(
        json.dumps(payload, ensure_ascii=False).encode(), status_code=status, headers=all_headers
    )


def ptce_error_response(error: PtceError, accept: str | None) -> Response:
    """Map a ptce_kg error to its response (see the table in the module docstring)."""
    status, kind = status_of(error)
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(error, QueryError) and not isinstance(error, QueryTimeout | ResultTooLarge):
        position = error_position(error.message)
        if position:
            extra["line"], extra["column"] = position
    if isinstance(error, SourceError) and error.line is not None:
        extra["line"], extra["column"] = error.line, error.column
    if isinstance(error, DataRejected):
        extra["report"] = _report_json(error.report)
    if isinstance(error, MissingCredentials):
        headers["WWW-Authenticate"] = 'Bearer realm="ptce_kg"'
    return error_response(
        status, kind, error.message, accept, hint=error.hint, extra=extra, headers=headers
    )


def http_error_response(error: StarletteHTTPException, accept: str | None) -> Response:
    """Map an HTTP error (404, 405…) to its response."""
    kind = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
    return error_response(
        error.status_code, kind, str(error.detail), accept, headers=dict(error.headers or {})
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers: ptce_kg errors, HTTP errors (404, 405) and request validation."""

    async def on_ptce_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PtceError)
        return ptce_error_response(exc, request.headers.get("accept"))

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return http_error_response(exc, request.headers.get("accept"))

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        message = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
        )
        return error_response(400, "bad_request", message, request.headers.get("accept"))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return error_response(
            500,
            "internal_error",
            "the server could not answer this request",
            request.headers.get("accept"),
            hint="this is a bug in ptce_kg: the server log has the details",
        )

    app.add_exception_handler(PtceError, on_ptce_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    # Starlette answers with this handler from its outermost layer (then re-raises for the
    # server's log): a 500 has the same JSON body as every other error, not plain text.
    app.add_exception_handler(Exception, on_unexpected)


def _html_value(text: str) -> str:
    """A value of an HTML error page: a text of several lines (a SPARQL error showing the line
    with a caret under the column) keeps its lines and spaces."""
    if "\n" in text:
        return f"<pre>{html.escape(text)}</pre>"
    return html.escape(text)
