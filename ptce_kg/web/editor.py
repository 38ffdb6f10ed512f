"""The SPARQL editor page (YASGUI, served from node_modules when installed), with the named
queries as ready-to-run examples."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ptce_kg.config import PROJECT_ROOT
from ptce_kg.errors import QueryError
from ptce_kg.queries import load_queries, query_text
from ptce_kg.web.routing import get_and_head
from ptce_kg.web.site import page_language, render, site_for
from ptce_kg.web.state import State

router = APIRouter(tags=["Linked Data and UI"])

YASGUI_DIR = PROJECT_ROOT / "node_modules" / "@zazuko" / "yasgui" / "build"


@get_and_head(router, "/editor", summary="SPARQL editor (YASGUI)")
async def editor(request: Request, state: State) -> Response:
    lang = page_language(request)
    site = site_for(request, lang)
    return render(
        request,
        "editor.html",
        lang,
        site,
        yasgui=YASGUI_DIR.is_dir(),
        endpoint=site.path("/sparql"),
        named_queries=named_query_examples(state.settings.queries_dir, lang),
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
