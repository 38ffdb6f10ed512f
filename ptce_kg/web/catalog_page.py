"""The HTML view of the DCAT catalogue (``/catalog`` for a browser, or ``?format=html``).

Everything on the page is read from the published catalogue graph (the same one the RDF answers
serialise): its datasets with their version, dates, coverage, update frequency, contact, licence,
the standards they conform to and how to cite them, and a table of their downloadable files; then
the SPARQL service. Each dataset is a section anchored by its key (``#ptce``, ``#territories``):
the territories' landing page in the catalogue is that anchor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS
from rdflib.term import Node

from ptce_kg.namespaces import DCAT, SPDX, VCARD, catalog_iri
from ptce_kg.web import negotiation as media
from ptce_kg.web.site import page_language, render, site_for

#: The page's own words, in French and English.
WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "datasets": "Jeux de données",
        "version": "Version des données",
        "issued": "Publié le",
        "modified": "Modifié le",
        "frequency": "Mise à jour",
        "temporal": "Période couverte",
        "spatial": "Couverture spatiale",
        "bbox": "emprise",
        "landing": "Page d'accueil",
        "contact": "Contact",
        "licence": "Licence",
        "conforms": "Conforme à",
        "cite": "Citer",
        "provenance": "Provenance",
        "files": "Fichiers",
        "file": "Fichier",
        "format": "Format",
        "size": "Taille (octets)",
        "service": "Service",
        "endpoint": "Point d'accès",
        "as": "Ce catalogue en",
        "publisher": "Éditeur",
        "to": "au",
        "then": " ; ",
        "gzip": "gzip",
    },
    "en": {
        "datasets": "Datasets",
        "version": "Data release",
        "issued": "Issued",
        "modified": "Modified",
        "frequency": "Updated",
        "temporal": "Period covered",
        "spatial": "Spatial coverage",
        "bbox": "extent",
        "landing": "Landing page",
        "contact": "Contact",
        "licence": "Licence",
        "conforms": "Conforms to",
        "cite": "How to cite",
        "provenance": "Provenance",
        "files": "Files",
        "file": "File",
        "format": "Format",
        "size": "Size (bytes)",
        "service": "Service",
        "endpoint": "Endpoint",
        "as": "This catalogue as",
        "publisher": "Publisher",
        "to": "to",
        "then": "; ",
        "gzip": "gzip",
    },
}
#: The RDF forms of the catalogue the page links to: (``?format=`` value, media type, name).
RDF_FORMS = (
    ("turtle", media.TURTLE, "Turtle"),
    ("jsonld", media.JSON_LD, "JSON-LD"),
    ("rdfxml", media.RDF_XML, "RDF/XML"),
    ("nt", media.N_TRIPLES, "N-Triples"),
)


def text(graph: Graph, node: Node | None, predicate: URIRef, lang: str) -> str:
    """The value of ``predicate`` in ``lang`` (else untagged, else any language), or ``""``."""
    if node is None:
        return ""
    values = [v for v in graph.objects(node, predicate) if isinstance(v, Literal)]
    for wanted in (lang, None):
        for value in sorted(values, key=str):
            if value.language == wanted:
                return str(value)
    return str(min(values, key=str)) if values else ""


def _iri(value: Node | None) -> str:
    return str(value) if isinstance(value, URIRef) else ""


@dataclass
class Link:
    """A link: where it goes and what it says."""

    href: str
    label: str


@dataclass
class DistributionView:
    """One downloadable file."""

    name: str
    title: str
    url: str
    media_type: str
    file_type: str
    compressed: bool
    size: int
    sha256: str


@dataclass
class DatasetView:
    """One dataset of the catalogue, as the page shows it."""

    key: str
    title: str
    description: str
    version: str
    issued: str
    modified: str
    frequency: str
    period: tuple[str, str] | None
    places: list[str]
    bbox: str
    landing: str
    contact: Link | None
    email: str
    licence: Link | None
    standards: list[Link]
    citation: str
    provenance: str
    provenance_links: list[str]
    distributions: list[DistributionView] = field(default_factory=list)


def _distribution(graph: Graph, node: Node, lang: str) -> DistributionView:
    media_type = _iri(graph.value(node, DCAT.mediaType)).rsplit("/media-types/", 1)[-1]
    size = graph.value(node, DCAT.byteSize)
    checksum = graph.value(node, SPDX.checksum)
    url = _iri(graph.value(node, DCAT.downloadURL))
    return DistributionView(
        name=url.rsplit("/", 1)[-1],
        title=text(graph, node, DCTERMS.title, lang),
        url=url,
        media_type=media_type,
        file_type=_iri(graph.value(node, DCTERMS["format"])).rsplit("/", 1)[-1],
        compressed=graph.value(node, DCAT.compressFormat) is not None,
        size=int(size.toPython()) if isinstance(size, Literal) else 0,
        sha256=str(graph.value(checksum, SPDX.checksumValue) or ""),
    )


def _label_of(graph: Graph, node: Node | None, lang: str) -> str:
    for predicate in (SKOS.prefLabel, DCTERMS.title, RDFS.label):
        if found := text(graph, node, predicate, lang):
            return found
    return _iri(node).rsplit("/", 1)[-1]


def _dataset(graph: Graph, node: URIRef, lang: str) -> DatasetView:
    period = graph.value(node, DCTERMS.temporal)
    places, bbox = [], ""
    for place in sorted(graph.objects(node, DCTERMS.spatial), key=str):
        if (place, DCAT.bbox, None) in graph:
            bbox = str(graph.value(place, DCAT.bbox))
        else:
            places.append(_label_of(graph, place, lang))
    contact = graph.value(node, DCAT.contactPoint)
    licence = graph.value(node, DCTERMS.license)
    statement = graph.value(node, DCTERMS.provenance)
    start, end = (graph.value(period, DCAT.startDate), graph.value(period, DCAT.endDate))
    standards = [
        Link(_iri(s), text(graph, s, DCTERMS.title, lang) or str(s))
        for s in sorted(graph.objects(node, DCTERMS.conformsTo), key=str)
    ]
    return DatasetView(
        key=text(graph, node, DCTERMS.identifier, ""),
        title=text(graph, node, DCTERMS.title, lang),
        description=text(graph, node, DCTERMS.description, lang),
        version=text(graph, node, DCAT.version, lang),
        issued=text(graph, node, DCTERMS.issued, lang),
        modified=text(graph, node, DCTERMS.modified, lang),
        frequency=_label_of(graph, graph.value(node, DCTERMS.accrualPeriodicity), lang),
        period=(str(start), str(end)) if start is not None and end is not None else None,
        places=places,
        bbox=bbox,
        landing=_iri(graph.value(node, DCAT.landingPage)),
        contact=Link(_iri(graph.value(contact, VCARD.hasURL)), text(graph, contact, VCARD.fn, ""))
        if contact is not None
        else None,
        email=_iri(graph.value(contact, VCARD.hasEmail)).removeprefix("mailto:"),
        licence=Link(_iri(licence), text(graph, licence, RDFS.label, lang) or _iri(licence))
        if licence is not None
        else None,
        standards=standards,
        citation=text(graph, node, DCTERMS.bibliographicCitation, lang),
        provenance=text(graph, statement, RDFS.label, lang),
        provenance_links=sorted(_iri(u) for u in graph.objects(statement, RDFS.seeAlso)),
        distributions=sorted(
            (_distribution(graph, d, lang) for d in graph.objects(node, DCAT.distribution)),
            key=lambda d: d.name,
        ),
    )


def catalog_view(graph: Graph, base_iri: str, lang: str) -> dict[str, Any]:
    """What the page shows of the catalogue ``graph``, in ``lang``."""
    catalog = catalog_iri(base=base_iri)
    publisher = graph.value(catalog, DCTERMS.publisher)
    service = graph.value(catalog, DCAT.service)
    licence = graph.value(catalog, DCTERMS.license)
    datasets = [
        _dataset(graph, node, lang)
        for node in sorted(graph.objects(catalog, DCAT.dataset), key=str)
        if isinstance(node, URIRef) and (node, RDF.type, DCAT.Dataset) in graph
    ]
    datasets.sort(key=lambda d: (d.key != "ptce", d.key))  # the main dataset first
    return {
        "iri": str(catalog),
        "title": text(graph, catalog, DCTERMS.title, lang),
        "description": text(graph, catalog, DCTERMS.description, lang),
        "publisher": text(graph, publisher, FOAF.name, lang),
        "homepage": _iri(graph.value(catalog, FOAF.homepage)),
        "licence": Link(_iri(licence), text(graph, licence, RDFS.label, lang)),
        "issued": text(graph, catalog, DCTERMS.issued, lang),
        "modified": text(graph, catalog, DCTERMS.modified, lang),
        "void": _iri(graph.value(catalog, RDFS.seeAlso)),
        "datasets": datasets,
        "service": {
            "title": text(graph, service, DCTERMS.title, lang),
            "description": text(graph, service, DCTERMS.description, lang),
            "endpoint": _iri(graph.value(service, DCAT.endpointURL)),
        },
    }


def render_catalog(request: Request, graph: Graph) -> Response:
    """The catalogue page of ``graph`` in the request's language."""
    lang = page_language(request)
    site = site_for(request, lang)
    view = catalog_view(graph, site.settings.base_iri, lang)
    alternates = [
        (site.path(f"/catalog?format={value}"), media_type, name)
        for value, media_type, name in RDF_FORMS
    ]
    return render(
        request,
        "catalog.html",
        lang,
        site,
        catalog=view,
        words=WORDS[lang],
        alternates=alternates,
    )


__all__ = ["RDF_FORMS", "WORDS", "catalog_view", "render_catalog", "text"]
