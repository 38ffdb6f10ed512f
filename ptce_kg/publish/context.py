"""The published JSON-LD ``@context``, made from the ontology's terms and the project's prefixes.

Every prefix of :data:`ptce_kg.namespaces.PREFIXES` becomes a prefix definition; every class and
property of the ptce ontology becomes a term named by its local name (``PTCE``, ``carrier``…).
Object properties are coerced to IRIs (``"@type": "@id"``); a datatype property whose range is one
XSD datatype is coerced to it. A value that does not fit a coercion is written with its full
property IRI, so compaction never loses information.
"""

from __future__ import annotations

from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from ptce_kg.namespaces import PREFIXES, PTCE

_TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def _curie(iri: URIRef) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if str(iri).startswith(namespace) and len(str(iri)) > len(namespace):
            return f"{prefix}:{str(iri)[len(namespace) :]}"
    return str(iri)


def build_context(ontology: Graph) -> dict[str, Any]:
    """Return the ``@context`` object (prefixes, then the ontology's terms) for ``ontology``."""
    context: dict[str, Any] = dict(sorted(PREFIXES.items()))
    namespace = str(PTCE._NS)
    terms: dict[str, Any] = {}
    for kind in _TERM_TYPES:
        for term in ontology.subjects(RDF.type, kind):
            if not isinstance(term, URIRef) or not str(term).startswith(namespace):
                continue
            name = str(term)[len(namespace) :]
            if not name or name in context or name in terms or name.startswith("@"):
                continue
            definition: Any = f"ptce:{name}"
            if kind == OWL.ObjectProperty:
                definition = {"@id": f"ptce:{name}", "@type": "@id"}
            elif kind == OWL.DatatypeProperty:
                ranges = [r for r in ontology.objects(term, RDFS.range) if isinstance(r, URIRef)]
                if len(ranges) == 1 and str(ranges[0]).startswith(str(XSD)):
                    definition = {"@id": f"ptce:{name}", "@type": _curie(ranges[0])}
            terms[name] = definition
    context.update(sorted(terms.items()))
    return context


def context_document(ontology: Graph) -> dict[str, Any]:
    """The content of ``context.jsonld``."""
    return {"@context": build_context(ontology)}
