"""What every page of the site shares: the templates, the page language, and :class:`Site`, the
view helper templates use to turn RDF terms into links, labels and numbers.

Labels come from the store's label index (every ``skos:prefLabel``, ``rdfs:label`` and
``dcterms:title``, with the set of IRIs the store describes), built once per write generation.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

from fastapi import Request
from fastapi.responses import Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib import BNode, Literal
from rdflib.namespace import DCTERMS, RDFS, SKOS
from rdflib.term import Node

from ptce_kg.config import Settings
from ptce_kg.namespaces import ONTOLOGY_IRI, PREFIXES, PTCESH
from ptce_kg.store import Store
from ptce_kg.web import i18n
from ptce_kg.web import negotiation as media
from ptce_kg.web.state import StoreIndex, app_state

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
#: Pages differ by ``Accept`` (RDF or HTML) and by language (header, cookie).
VARY = "Accept, Accept-Language, Cookie"
#: Predicates whose literals name a resource, in order of preference.
LABELS = (SKOS.prefLabel, RDFS.label, DCTERMS.title)

_ALL_LABELS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?s ?l WHERE { ?s skos:prefLabel|rdfs:label|dcterms:title ?l FILTER(isIRI(?s)) }"""
_ALL_SUBJECTS = "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }"


def index_store(store: Store) -> StoreIndex:
    """Labels of every IRI of ``store`` and the set of IRIs it describes (two scans)."""
    labels: dict[str, list[Literal]] = {}
    for row in store.query(_ALL_LABELS).bindings():
        label = row.get("l")
        if isinstance(label, Literal):
            labels.setdefault(str(row["s"]), []).append(label)
    described = {str(row["s"]) for row in store.query(_ALL_SUBJECTS).bindings()}
    return StoreIndex(labels, described)


def store_index(request: Request) -> StoreIndex:
    """The label index of the app's store as it is now (blocking: built after each write)."""
    state = app_state(request)
    return state.index.get(None, lambda: index_store(state.store))


def fold(text: str) -> str:
    """Lowercase ``text`` without accents, for matching names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(repr=False)
class Site:
    """What a template needs to turn terms into links and labels, in the page's language."""

    settings: Settings
    lang: str
    t: i18n.Messages
    index: StoreIndex
    request_path: str
    query_items: list[tuple[str, str]]
    prefix: str = ""
    vocabulary: dict[str, list[Literal]] = field(default_factory=dict)

    def path(self, path: str) -> str:
        """A path of the service (``/…``), under the public address's path if any."""
        return self.prefix + path

    def href(self, node: Node | str) -> str:
        """Where a link to ``node`` goes: its path here, ``/resource?iri=``, or the IRI itself."""
        iri = str(node)
        base = self.settings.base_iri
        if iri.startswith(base) and "#" not in iri:
            return self.path("/" + iri[len(base) :])
        if iri == ONTOLOGY_IRI or iri.startswith(ONTOLOGY_IRI + "#"):
            return self.path("/ontology" + iri[len(ONTOLOGY_IRI) :])
        if iri.startswith(str(PTCESH)):
            return self.path("/shapes#" + iri[len(str(PTCESH)) :])
        if iri in self.index.described:
            return self.path("/resource?" + urlencode({"iri": iri}))
        return iri

    def source_href(self, node: Node | str) -> str:
        """A cited document's link: the document itself, or its page when it has no URL."""
        iri = str(node)
        return self.href(iri) if iri.startswith(self.settings.base_iri) else iri

    def is_local(self, node: Node | str) -> bool:
        """Tell whether :meth:`href` keeps the reader on this service."""
        return self.href(node).startswith(self.prefix + "/")

    def curie(self, node: Node | str) -> str:
        """``prefix:local`` for an IRI in a known namespace, else the IRI."""
        iri = str(node)
        best = ("", "")
        for prefix, namespace in PREFIXES.items():
            if iri.startswith(namespace) and len(namespace) > len(best[1]):
                best = (prefix, namespace)
        return f"{best[0]}:{iri[len(best[1]) :]}" if best[1] else iri

    def kind(self, node: Node) -> str:
        """``literal``, ``bnode`` or ``iri``."""
        if isinstance(node, Literal):
            return "literal"
        return "bnode" if isinstance(node, BNode) else "iri"

    def literal(self, node: Node | str, literals: Iterable[Node] = ()) -> str:
        """The best literal of ``literals`` for the page language, as text."""
        chosen = i18n.pick_literal(literals, self.lang)
        return str(chosen) if chosen is not None else ""

    def label(self, node: Node | str) -> str:
        """A human label for ``node``: its label in the page language, else a short name."""
        if isinstance(node, Literal):
            return self.value(node)
        iri = str(node)
        found = i18n.pick_literal(
            self.index.labels.get(iri, []) or self.vocabulary.get(iri, []), self.lang
        )
        if found is not None:
            return str(found)
        if isinstance(node, BNode):
            return "[…]"
        curie = self.curie(iri)
        if curie != iri:
            return curie
        return iri.rstrip("/").rsplit("/", 1)[-1] if iri.startswith(self.settings.base_iri) else iri

    def value(self, node: Node) -> str:
        """A literal's text (numbers without useless decimals)."""
        if isinstance(node, Literal):
            python = node.toPython()
            if isinstance(python, bool):
                return {"fr": "oui" if python else "non"}.get(self.lang, str(python).lower())
            if isinstance(python, float | int | Decimal):
                return self.number(float(python))
            return str(node)
        return self.label(node)

    def number(self, number: float) -> str:
        """``number`` with thousands separators (a narrow space in French)."""
        text = f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"
        if self.lang == "fr":
            return text.replace(",", "\u202f").replace(".", ",")
        return text

    def with_params(self, **changes: str | None) -> str:
        """The current page with some query parameters changed (``None`` removes one)."""
        items = [(k, v) for k, v in self.query_items if k not in changes]
        items += [(k, v) for k, v in changes.items() if v is not None]
        return self.path(self.request_path) + ("?" + urlencode(items) if items else "")


def page_language(request: Request) -> str:
    """The page's language: ``?lang=``, else the cookie, else ``Accept-Language``."""
    return i18n.choose_language(
        request.query_params.get("lang"),
        request.cookies.get(i18n.COOKIE),
        request.headers.get("accept-language"),
    )


def public_base_url(request: Request) -> str:
    """The service's address (``PTCE_PUBLIC_URL``, else the request's), ending with ``/``."""
    settings = app_state(request).settings
    base = settings.public_url or str(request.base_url)
    return base if base.endswith("/") else base + "/"


def site_for(request: Request, lang: str) -> Site:
    """The view helper of one request (blocking the first time after a write: see
    :func:`store_index`)."""
    settings = app_state(request).settings
    prefix = urlparse(settings.public_url).path.rstrip("/") if settings.public_url else ""
    return Site(
        settings=settings,
        lang=lang,
        t=i18n.messages(lang),
        index=store_index(request),
        request_path=request.url.path,
        query_items=[(k, v) for k, v in request.query_params.multi_items() if k != "lang"],
        prefix=prefix,
    )


def render(
    request: Request, template: str, lang: str, site: Site, status: int = 200, **context: Any
) -> Response:
    """The HTML page ``template`` rendered with ``context`` (and the language cookie when
    ``?lang=`` chose it)."""
    page = TEMPLATES.get_template(template).render(site=site, t=site.t, lang=lang, **context)
    response = Response(
        page.encode(),
        status_code=status,
        headers={"content-type": media.content_type(media.HTML), "vary": VARY},
    )
    if request.query_params.get("lang") in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response
