"""The named-query API: ``/api/queries`` (catalogue) and one route per query of ``queries/``.

- ``GET /api/queries``: the catalogue, a JSON list of ``{name, title: {fr, en}, description,
  params: {name: {type, required, multiple, scheme, pattern, example, description}}, tags,
  returns, links}``.
- ``GET /api/queries/{name}?param=value…``: the answer, negotiated like the SPARQL endpoint
  (``Accept`` or ``format=json|xml|csv|tsv|turtle…``): SPARQL 1.1 Query Results JSON by default
  (``application/json`` is answered with it too), XML, CSV or TSV for a table or a boolean;
  Turtle, N-Triples… for a graph. A parameter with several values is repeated
  (``?ptce=…&ptce=…``). A PTCE, organisation, territory or concept is given by its IRI, its key
  (``ptce=le-damier``) or, for a territory, its INSEE code, and must be in the store: an unknown
  one is a 400 naming the closest accepted values. ``lang=fr|en`` (else ``Accept-Language``)
  chooses the language of the labels.
- ``GET /api/queries/{name}.csv``: the answer as CSV whatever the ``Accept`` header.

The routes are generated when the app is created, one per query, so that each query appears in
the OpenAPI schema with its parameters typed. Parameters are validated and bound by
:mod:`ptce_kg.queries` (never pasted into SPARQL); the bound query then runs like any endpoint
query (time limit, result caps). Errors go through :mod:`ptce_kg.web.errors`: 400 for a bad,
missing or unknown parameter, 404 for an unknown query, 406 for a format that does not fit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ptce_kg.errors import QueryError
from ptce_kg.queries import (
    LANGUAGES,
    NamedQuery,
    QueryParam,
    check_lang,
    find_query,
    load_queries,
    query_text,
)
from ptce_kg.web import negotiation as media
from ptce_kg.web.sparql import answer_query
from ptce_kg.web.state import AppState, State

PREFIX = "/api/queries"
_FORMAT_NAMES = frozenset(media.FORMAT_PARAMETERS)
_ERRORS: dict[int | str, dict[str, Any]] = {
    "400": {"description": "A parameter is unknown, missing or not of its type"},
    "406": {"description": "No format the client accepts fits the answer"},
    "503": {"description": "The query ran past the time limit, or the store is unavailable"},
}

Endpoint = Callable[[Request, AppState], Awaitable[Response]]


def _schema(param: QueryParam) -> dict[str, Any]:
    one: dict[str, Any] = {"type": "string"}
    if param.type == "iri":
        one["format"] = "iri"
        if param.kind is not None:
            one["description"] = f"a {param.kind}: its IRI, its key" + (
                " or INSEE code" if param.kind == "territory" else ""
            )
    elif param.type == "integer":
        one = {"type": "integer"}
    elif param.type == "date":
        one["format"] = "date"
    elif param.type == "concept":
        one["description"] = f"a concept of the SKOS scheme '{param.scheme}': its key or IRI"
    if param.pattern is not None:
        one["pattern"] = f"^(?:{param.pattern})$"
    return {"type": "array", "items": one} if param.multiple else one


def _openapi_parameters(query: NamedQuery) -> list[dict[str, Any]]:
    parameters = [
        {
            "name": p.name,
            "in": "query",
            "required": p.required,
            "description": p.description,
            "schema": _schema(p),
            "example": p.example.split() if p.multiple else p.example,
            **({"style": "form", "explode": True} if p.multiple else {}),
        }
        for p in query.params.values()
    ]
    parameters.append(
        {
            "name": "lang",
            "in": "query",
            "required": False,
            "description": "Language of the labels (fr, en; else the first of Accept-Language, "
            "else fr): labels in that language, else in the other",
            "schema": {"type": "string", "enum": list(LANGUAGES)},
        }
    )
    parameters.append(
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "Answer format, overriding Accept: json, xml, csv, tsv (tables, "
            "booleans) or turtle, nt, json-ld (graphs)",
            "schema": {"type": "string"},
        }
    )
    return parameters


def _split(request: Request) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Return (query parameters, format parameters) of the request (``lang`` is neither)."""
    params: dict[str, list[str]] = {}
    formats: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        if name != "lang":
            (formats if name in _FORMAT_NAMES else params).setdefault(name, []).append(value)
    return params, formats


def label_language(request: Request) -> str:
    """``lang`` of the query string (checked), else the first of Accept-Language's fr or en
    by preference, else French."""
    given = request.query_params.getlist("lang")
    if given:
        if len(given) > 1:
            raise QueryError("parameter 'lang' takes one value", hint="lang=fr or lang=en")
        return check_lang(given[0])
    ranked: list[tuple[float, int, str]] = []
    for i, item in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, _, rest = item.strip().partition(";")
        q = 1.0
        if rest.strip().startswith("q="):
            try:
                q = float(rest.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > 0:
            ranked.append((-q, i, primary))
    return min(ranked)[2] if ranked else LANGUAGES[0]


def _answer(query: NamedQuery, *, csv: bool) -> Endpoint:
    async def endpoint(request: Request, state: State) -> Response:
        params, formats = _split(request)
        lang = label_language(request)
        # References (keys, INSEE codes, concepts) are checked in the store: one small query.
        text = await run_in_threadpool(
            query_text, query, params, state.store, lang=lang, base=state.settings.base_iri
        )
        response = await answer_query(request, text, {"format": ["csv"]} if csv else formats)
        response.headers["content-language"] = lang
        vary = response.headers.get("vary")
        response.headers["vary"] = f"{vary}, Accept-Language" if vary else "Accept-Language"
        return response

    return endpoint


def _responses(query: NamedQuery) -> dict[int | str, dict[str, Any]]:
    kinds = media.GRAPH_TYPES if query.returns == "graph" else media.RESULT_TYPES
    return {
        "200": {
            "description": query.description,
            "content": {kind: {} for kind in kinds},
        },
        **_ERRORS,
    }


def build_router(queries_dir: Path) -> APIRouter:
    """The router of the named queries of ``queries_dir`` (read once, here).

    Raises:
        QueryError: a query file has a bad header (the service does not start).
    """
    queries = load_queries(queries_dir)
    router = APIRouter(prefix=PREFIX, tags=["named queries"])

    @router.get("", name="named_query_catalogue", summary="Catalogue of the named queries")
    def catalogue() -> JSONResponse:
        return JSONResponse(
            [
                {
                    **q.catalogue_entry(),
                    "links": {"json": f"{PREFIX}/{q.name}", "csv": f"{PREFIX}/{q.name}.csv"},
                }
                for q in queries.values()
            ]
        )

    for query in queries.values():
        for csv in (False, True):
            router.add_api_route(
                f"/{query.name}{'.csv' if csv else ''}",
                _answer(query, csv=csv),
                methods=["GET"],
                name=f"query_{query.name}{'_csv' if csv else ''}",
                summary=f"{query.title['en']}{' (CSV)' if csv else ''}",
                description=f"{query.description}\n\n*{query.title['fr']}*",
                response_class=Response,
                responses=_responses(query),
                openapi_extra={"parameters": _openapi_parameters(query)},
            )

    @router.get("/{name}", include_in_schema=False)
    def unknown_query(name: str) -> Response:
        find_query(queries, name.removesuffix(".csv"))  # raises NotFound
        raise AssertionError("a known query has its own route")

    return router
