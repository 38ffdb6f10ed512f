"""``POST /api/validate``: any RDF document against the project's shapes or the caller's own.

A network checks its directory with its own rules before publishing, the same check as
``ptce-kg validate FILE --shapes SHAPES.ttl``. The body is JSON: ``{"data": "<RDF text>",
"format": "turtle", "shapes": ["<Turtle>", …]}`` (``format`` defaults to Turtle, ``shapes`` to the
project's). It is bounded like every body (``PTCE_MAX_BODY_BYTES``); the work runs in a child
process bounded in memory and time (``PTCE_PARSE_MEMORY_MB``, ``PTCE_PARSE_TIMEOUT``). The answer
is the validation report (JSON, or a ``sh:ValidationReport`` in Turtle for ``Accept:
text/turtle``), 200 whether the data conforms or not; unreadable data or shapes, or a shape the
engine cannot evaluate exactly, are a 400. Nothing is stored.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from ptce_kg.config import Settings
from ptce_kg.errors import QueryError
from ptce_kg.formats import RdfFormat
from ptce_kg.ingest.rdf import ParseLimits
from ptce_kg.pipeline.validation_child import validate_isolated
from ptce_kg.validate import shapes_files
from ptce_kg.web.incoming import read_body
from ptce_kg.web.negotiation import choose_media_type, content_type
from ptce_kg.web.state import State

router = APIRouter(prefix="/api", tags=["validation"])
JSON, TURTLE = "application/json", "text/turtle"


@router.post(
    "/validate",
    summary="Validate an RDF document against the project's shapes or your own",
    responses={400: {"description": "Unreadable data or shapes, or a shape refused"}},
)
async def post_validate(request: Request, state: State) -> Response:
    """Body: ``{"data": "…", "format": "turtle|trig|n-triples|n-quads|rdf-xml|json-ld",
    "shapes": ["<Turtle>", …]}``; the answer is the validation report. Nothing is stored."""
    settings = state.settings
    media = choose_media_type(request.headers.get("accept"), (JSON, TURTLE)) or JSON
    body = await read_body(request, settings.max_body_bytes)
    data, fmt, shapes = _read_request(body, settings)
    limits = ParseLimits(
        max_depth=settings.max_nesting_depth,
        memory_bytes=settings.parse_memory_mb * 1024 * 1024,
        seconds=settings.parse_timeout,
    )
    report = await run_in_threadpool(validate_isolated, data, fmt, shapes, limits=limits)
    text = report.turtle if media == TURTLE else report.json
    headers = {"content-type": content_type(media), "vary": "Accept"}
    return Response(text.encode("utf-8"), status_code=200, headers=headers)


def _read_request(body: bytes, settings: Settings) -> tuple[bytes, RdfFormat, list[bytes]]:
    """The data, its format and the shapes (the project's when none are given) of a request."""
    hint = 'send {"data": "<RDF text>", "format": "turtle", "shapes": ["<Turtle>"]}'
    try:
        request: Any = json.loads(body)
    except ValueError as e:
        raise QueryError(f"the body is not JSON: {e}", hint=hint) from e
    if not isinstance(request, dict) or not isinstance(request.get("data"), str):
        raise QueryError("the body needs a 'data' string (the RDF document)", hint=hint)
    shapes = request.get("shapes")
    if shapes is not None and (
        not isinstance(shapes, list) or not shapes or not all(isinstance(s, str) for s in shapes)
    ):
        raise QueryError("'shapes' is a non-empty list of Turtle texts", hint=hint)
    fmt_name = request.get("format") or "turtle"
    if not isinstance(fmt_name, str):
        raise QueryError("'format' is a format name", hint=hint)
    try:
        fmt = RdfFormat.from_name(fmt_name)
    except (ValueError, KeyError) as e:
        raise QueryError(
            f"unknown format {fmt_name!r}",
            hint="turtle, trig, n-triples, n-quads, rdf-xml or json-ld",
        ) from e
    texts = (
        [s.encode("utf-8") for s in shapes]
        if shapes is not None
        else [path.read_bytes() for path in shapes_files(settings.shapes_dir)]
    )
    return request["data"].encode("utf-8"), fmt, texts
