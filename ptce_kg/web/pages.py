"""The web site: Linked-Data resources, the ontology and shapes documents, and the UI (home search
and map, PTCE pages, comparison, SPARQL editor) in French or English (:mod:`ptce_kg.web.i18n`).

Each kind of page has its module; :func:`install_pages` mounts them with the static files:

- :mod:`ptce_kg.web.site`: templates, page language, the :class:`~ptce_kg.web.site.Site` view
  helper;
- :mod:`ptce_kg.web.resources`: dereferencing and content negotiation (``/id/…``, ``/graph/…``,
  ``/resource?iri=``), the RDF itself from :mod:`ptce_kg.web.descriptions`;
- :mod:`ptce_kg.web.ptce_pages`: the home page and a PTCE's sections;
- :mod:`ptce_kg.web.compare_page`, :mod:`ptce_kg.web.editor`, :mod:`ptce_kg.web.documents`
  (``/ontology``, ``/shapes``).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ptce_kg.web import compare_page, documents, editor, ptce_pages, resources

STATIC_DIR = Path(__file__).parent / "static"


def install_pages(app: FastAPI) -> None:
    """Mount the static files (and YASGUI from node_modules when installed) and the routes."""
    if editor.YASGUI_DIR.is_dir():
        app.mount("/static/vendor/yasgui", StaticFiles(directory=editor.YASGUI_DIR), name="yasgui")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (ptce_pages, compare_page, editor, documents, resources):  # /id/… catch-alls last
        app.include_router(module.router)
