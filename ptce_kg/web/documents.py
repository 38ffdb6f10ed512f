"""The ontology and the shapes as documents: ``/ontology`` and ``/shapes``, in HTML or RDF.

RDF by ``Accept``, ``?format=`` or a ``.ttl``/``.jsonld``/``.nt``/``.rdf`` suffix, as for any
resource (:mod:`ptce_kg.web.resources`). The ontology's HTML page is drawn from the same
documentation as the release's ``ontology.html`` (:func:`ptce_kg.publish.ontology_doc.
document_ontology`); the shapes' page lists each shape with its targets and constraints.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS
from rdflib.term import Node
from starlette.concurrency import run_in_threadpool

from ptce_kg.errors import NotFound
from ptce_kg.pipeline import read_shapes
from ptce_kg.publish.ontology_doc import OntologyDoc, document_ontology
from ptce_kg.web import negotiation as media
from ptce_kg.web.descriptions import jsonld_context, ontology_graph, serialize_description
from ptce_kg.web.resources import SUFFIXES, alternates, choose, link_header, rdf_response
from ptce_kg.web.routing import add_get_and_head
from ptce_kg.web.site import LABELS, Site, page_language, render, site_for
from ptce_kg.web.state import AppState, State

router = APIRouter(tags=["Linked Data and UI"])


@lru_cache(maxsize=4)
def _shapes_graph(shapes_dir: Path) -> Graph:
    return read_shapes(shapes_dir)


@lru_cache(maxsize=4)
def _ontology_doc(ontology_dir: Path) -> OntologyDoc:
    return document_ontology(ontology_graph(ontology_dir))


@lru_cache(maxsize=32)
def _serialized(kind: str, directory: Path, media_type: str, ontology_dir: Path) -> bytes:
    graph = ontology_graph(directory) if kind == "ontology" else _shapes_graph(directory)
    return serialize_description(graph, media_type, jsonld_context(ontology_dir))


def _licences(graph: Graph) -> list[Node]:
    """The licences the document states for itself (its ``owl:Ontology`` headers)."""
    headers = set(graph.subjects(RDF.type, OWL.Ontology))
    return sorted({o for s in headers for o in graph.objects(s, DCTERMS.license)}, key=str)


def _doc_site(request: Request, lang: str, graph: Graph) -> Site:
    site = site_for(request, lang)
    for predicate in LABELS:
        for s, o in graph.subject_objects(predicate):
            if isinstance(o, Literal):
                site.vocabulary.setdefault(str(s), []).append(o)
    return site


async def _serve_document(
    request: Request, state: AppState, kind: str, forced: str | None
) -> Response:
    settings = state.settings
    directory = settings.ontology_dir if kind == "ontology" else settings.shapes_dir
    chosen = choose(request, forced)
    lang = page_language(request)
    graph = await run_in_threadpool(
        ontology_graph if kind == "ontology" else _shapes_graph, directory
    )
    site = _doc_site(request, lang, graph)
    forms = alternates(site, kind, "/" + kind)
    links = link_header(forms, _licences(graph))
    if chosen != media.HTML:
        body = await run_in_threadpool(_serialized, kind, directory, chosen, settings.ontology_dir)
        return rdf_response(body, chosen, forced is None, links)
    if kind == "ontology":
        doc = await run_in_threadpool(_ontology_doc, directory)
        response = render(
            request,
            "ontology.html",
            lang,
            site,
            alternates=forms,
            doc=doc,
            title=doc.title(lang) or site.t["ontology_title"],
            parent_relations=(RDFS.subClassOf, RDFS.subPropertyOf),
            domain_relation=RDFS.domain,
            range_relation=RDFS.range,
            licences=_licences(graph),
        )
    else:
        response = render(
            request,
            "shapes.html",
            lang,
            site,
            alternates=forms,
            licences=_licences(graph),
            shapes=_shapes_view(graph, site),
        )
    response.headers["link"] = links
    return response


_SH = "http://www.w3.org/ns/shacl#"


def _shapes_view(graph: Graph, site: Site) -> list[dict[str, Any]]:
    sh = {
        name: URIRef(_SH + name)
        for name in (
            "NodeShape",
            "property",
            "path",
            "message",
            "severity",
            "targetClass",
            "targetNode",
            "targetSubjectsOf",
            "targetObjectsOf",
        )
    }
    shapes = []
    for shape in sorted(set(graph.subjects(RDF.type, sh["NodeShape"])), key=str):
        constraints = []
        for prop in [shape, *graph.objects(shape, sh["property"])]:
            rows = [
                (p, o)
                for p, o in graph.predicate_objects(prop)
                if str(p).startswith(_SH)
                and p not in (sh["property"], sh["message"], RDF.type)
                and not isinstance(o, BNode)
            ]
            if prop is shape and not any(p == sh["severity"] for p, _o in rows):
                continue
            constraints.append(
                {
                    "iri": prop,
                    "path": next(iter(graph.objects(prop, sh["path"])), None),
                    "rows": sorted(rows, key=lambda po: str(po[0])),
                    "message": site.literal(prop, graph.objects(prop, sh["message"])),
                }
            )
        shapes.append(
            {
                "iri": shape,
                "id": str(shape).rsplit("#", 1)[-1],
                "targets": [
                    o
                    for name in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
                    for o in graph.objects(shape, sh[name])
                ],
                "label": site.literal(
                    shape, [*graph.objects(shape, RDFS.label), *graph.objects(shape, RDFS.comment)]
                ),
                "constraints": constraints,
            }
        )
    return shapes


for _kind in ("ontology", "shapes"):

    def _make(kind: str) -> Any:
        async def document(request: Request, state: State) -> Response:
            return await _serve_document(request, state, kind, None)

        async def document_as(request: Request, state: State, suffix: str) -> Response:
            media_type = SUFFIXES.get("." + suffix)
            if media_type is None:
                raise NotFound(f"no /{kind}.{suffix}: use .ttl, .jsonld, .nt or .rdf")
            return await _serve_document(request, state, kind, media_type)

        return document, document_as

    _doc, _doc_as = _make(_kind)
    add_get_and_head(router, f"/{_kind}", _doc, summary=f"The {_kind} (HTML or RDF)")
    add_get_and_head(router, f"/{_kind}.{{suffix}}", _doc_as, summary=f"The {_kind} as RDF")
