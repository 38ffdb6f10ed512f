"""The ontology's version IRI and module IRIs at the service: ``/ontology/<version>`` and
``/ontology/<module>`` (docs/decisions/0008-links-and-stable-iris.md).

``ontology/ptce.ttl`` states ``owl:versionIRI <…/ontology/<version>>``, and each other module of the
ontology folder is an ``owl:Ontology`` of its own (``…/ontology/alignments``, ``…/ontology/cube``).
Both are documents: a program asking for RDF gets the document itself (200, negotiated like any
resource: ``Accept``, ``?format=``); a browser asking for HTML is sent (303 See Other) to the one
human documentation of the ontology, ``/ontology``. The version IRI serves what ``/ontology``
serves, the ontology as this service ships it; a module IRI serves that module's file only. A
version the service does not ship (an earlier release) is a 404 naming the one it ships.

The SSSOM mapping set (``ontology/mappings.sssom.tsv``, decision 0007) names itself
``…/ontology/mappings.sssom.tsv`` (its ``mapping_set_id``): that address serves the file as it is
(SSSOM/TSV, ``text/tab-separated-values``), so the mapping set's identifier resolves too.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF

from ptce_kg.errors import NotFound
from ptce_kg.formats import RdfFormat
from ptce_kg.namespaces import ONTOLOGY_IRI
from ptce_kg.publish import MAPPING_SET
from ptce_kg.web import negotiation as media
from ptce_kg.web.resources import negotiated
from ptce_kg.web.routing import add_get_and_head
from ptce_kg.web.state import app_state

router = APIRouter(tags=["Linked Data and UI"])

TSV = "text/tab-separated-values"

#: What a part answers, RDF first (a client that accepts anything gets Turtle).
OFFERS = (media.DOCUMENT_TYPES[0], media.HTML, *media.DOCUMENT_TYPES[1:])
_FORMAT_NAMES = {"ttl": media.TURTLE, "jsonld": media.JSON_LD, "nt": media.N_TRIPLES,
                 "rdf": media.RDF_XML, "html": media.HTML}  # fmt: skip


@lru_cache(maxsize=4)
def ontology_parts(ontology_dir: Path) -> dict[str, Graph]:
    """The parts of the ontology the service answers under ``/ontology/``, by the path segment
    after it: the version of ``owl:versionIRI`` (every file of ``ontology_dir``, as ``/ontology``
    serves them) and each module file whose ``owl:Ontology`` IRI is ``<ontology>/<name>``."""
    whole = Graph()
    parts: dict[str, Graph] = {}
    for path in sorted(ontology_dir.glob("*.ttl")):
        graph = Graph().parse(path, format="turtle")
        whole += graph
        for header in graph.subjects(RDF.type, OWL.Ontology):
            name = _segment(header)
            if name is not None:
                parts[name] = graph
    for version_iri in whole.objects(URIRef(ONTOLOGY_IRI), OWL.versionIRI):
        name = _segment(version_iri)
        if name is not None:
            parts[name] = whole
    return parts


def _segment(iri: object) -> str | None:
    """``name`` for an IRI ``<ontology>/<name>`` (one path segment), else ``None``."""
    text = str(iri)
    prefix = ONTOLOGY_IRI + "/"
    if not text.startswith(prefix) or not text[len(prefix) :]:
        return None
    name = text[len(prefix) :]
    return name if "/" not in name and "#" not in name else None


def _chosen(request: Request) -> str:
    return negotiated(
        request,
        OFFERS,
        _FORMAT_NAMES,
        what="document",
        hint="send Accept: text/turtle, or add ?format=ttl, jsonld, nt or rdf",
    )


async def ontology_part(request: Request, part: str) -> Response:
    """One version or module of the ontology: its RDF (200) or, for a browser, a 303 to the
    ontology's documentation page."""
    settings = app_state(request).settings
    parts = ontology_parts(settings.ontology_dir)
    graph = parts.get(part)
    if graph is None:
        raise NotFound(
            f"no ontology version or module {part!r} at this service",
            hint=f"it serves {', '.join(f'/ontology/{p}' for p in sorted(parts))} and /ontology; "
            "earlier versions are in the data releases (CITATION.cff)",
        )
    chosen = _chosen(request)
    prefix = urlparse(settings.public_url).path.rstrip("/") if settings.public_url else ""
    if chosen == media.HTML:
        return RedirectResponse(prefix + "/ontology", status_code=303, headers={"vary": "accept"})
    body = graph.serialize(format=RdfFormat.from_media_type(chosen).rdflib_name, encoding="utf-8")
    licences = sorted({str(o) for s in graph.subjects(RDF.type, OWL.Ontology)
                       for o in graph.objects(s, DCTERMS.license)})  # fmt: skip
    headers = {"content-type": media.content_type(chosen), "vary": "accept"}
    if licences:
        headers["link"] = ", ".join(f'<{licence}>; rel="license"' for licence in licences)
    return Response(body, headers=headers)


async def mapping_set(request: Request) -> Response:
    """The SSSOM mapping set of the ontology, as the file ships (SSSOM/TSV)."""
    path = app_state(request).settings.ontology_dir / MAPPING_SET
    try:
        body = path.read_bytes()
    except OSError as e:
        raise NotFound(
            f"this service ships no mapping set ({MAPPING_SET}): {e.strerror or e}",
            hint="the ontology folder of the installation lacks it",
        ) from e
    return Response(body, headers={"content-type": f"{TSV}; charset=utf-8"})


# Registered before /ontology/{part}, which would take the file name for a module's.
add_get_and_head(
    router,
    f"/ontology/{MAPPING_SET}",
    mapping_set,
    summary="The SSSOM mapping set of the ontology (SSSOM/TSV: mappings that are not axioms)",
)
add_get_and_head(
    router,
    "/ontology/{part}",
    ontology_part,
    summary="A version or a module of the ontology (RDF; a browser is sent to /ontology)",
)
