"""Documentation of the ontology and its vocabularies: what is said about each term, and the
stand-alone HTML page ``ptce-kg publish`` writes.

:func:`document_ontology` reads the terms' own labels and definitions (French and English), their
place in the hierarchy, domains and ranges, and, for the SKOS schemes, their concepts, into an
:class:`OntologyDoc`. The release's ``ontology.html`` (:func:`render_ontology_html`) and the
service's ``/ontology`` page (:mod:`ptce_kg.web.documents`) are both drawn from it. Every term has
an anchor named by its local name (``#PTCE``) or, for concepts, by ``<scheme>/<key>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from ptce_kg.namespaces import ONTOLOGY_IRI, PREFIXES, PTCE

#: The kinds of OWL terms documented, by section key.
KINDS: tuple[tuple[str, URIRef], ...] = (
    ("classes", OWL.Class),
    ("object_properties", OWL.ObjectProperty),
    ("datatype_properties", OWL.DatatypeProperty),
    ("annotation_properties", OWL.AnnotationProperty),
)
#: The relations shown for an OWL term, in order.
TERM_RELATIONS: tuple[URIRef, ...] = (
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    RDFS.domain,
    RDFS.range,
    OWL.inverseOf,
    OWL.equivalentClass,
    SKOS.closeMatch,
    SKOS.exactMatch,
)
#: The relations shown for a concept, in order.
CONCEPT_RELATIONS: tuple[URIRef, ...] = (
    SKOS.inScheme,
    SKOS.broader,
    SKOS.closeMatch,
    SKOS.exactMatch,
)


def _texts(graph: Graph, node: URIRef, *predicates: URIRef) -> dict[str, str]:
    """One text per language tag (``""`` for untagged) from the first predicate that has any."""
    for predicate in predicates:
        found: dict[str, str] = {}
        literals = (o for o in graph.objects(node, predicate) if isinstance(o, Literal))
        for literal in sorted(literals, key=str):
            found.setdefault((literal.language or "").lower(), str(literal))
        if found:
            return found
    return {}


def _in(texts: Mapping[str, str], lang: str) -> str:
    """The text in ``lang``, else untagged, else French, else any."""
    for tag in (lang, "", "fr", "en"):
        if tag in texts:
            return texts[tag]
    return next(iter(texts.values()), "")


@dataclass(frozen=True)
class TermDoc:
    """What the documentation says about one term."""

    iri: URIRef
    anchor: str
    labels: Mapping[str, str]
    definitions: Mapping[str, str]
    relations: tuple[tuple[URIRef, tuple[URIRef, ...]], ...]
    deprecated: bool

    @property
    def id(self) -> str:
        """The term's anchor (its local name for an ontology term)."""
        return self.anchor

    def label(self, lang: str) -> str:
        """The term's label in ``lang`` (else another one; ``""`` when it has none)."""
        return _in(self.labels, lang)

    def definition(self, lang: str) -> str:
        """The term's definition in ``lang`` (else another one; ``""`` when it has none)."""
        return _in(self.definitions, lang)

    def targets(self, *predicates: URIRef) -> list[URIRef]:
        """The terms this one is related to by any of ``predicates`` (sorted, without itself)."""
        found = {t for p, targets in self.relations if p in predicates for t in targets}
        return sorted(found - {self.iri}, key=str)


@dataclass(frozen=True)
class OntologyDoc:
    """The documentation of an ontology: its header, its terms by kind, its vocabularies."""

    iri: str
    titles: Mapping[str, str]
    descriptions: Mapping[str, str]
    version: str
    #: ``(section key, terms)`` for each kind of :data:`KINDS`, in order (empty ones included).
    sections: tuple[tuple[str, tuple[TermDoc, ...]], ...]
    #: ``(scheme, its concepts)`` for each SKOS concept scheme.
    vocabularies: tuple[tuple[TermDoc, tuple[TermDoc, ...]], ...]

    def title(self, lang: str) -> str:
        """The ontology's title in ``lang``."""
        return _in(self.titles, lang)

    def description(self, lang: str) -> str:
        """The ontology's description in ``lang``."""
        return _in(self.descriptions, lang)


def _curie(iri: URIRef) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if str(iri).startswith(namespace):
            return f"{prefix}:{str(iri)[len(namespace) :]}"
    return str(iri)


def anchor(iri: URIRef) -> str | None:
    """The anchor of a documented term: local name, ``<scheme>/<key>`` or ``scheme-<key>``."""
    namespace = str(PTCE._NS)
    if str(iri).startswith(namespace):
        return str(iri)[len(namespace) :]
    if "/id/concept/" in str(iri):
        return str(iri).split("/id/concept/", 1)[1]
    if "/id/scheme/" in str(iri):
        return "scheme-" + str(iri).split("/id/scheme/", 1)[1]
    return None


def _term(graph: Graph, term: URIRef, relations: tuple[URIRef, ...]) -> TermDoc:
    return TermDoc(
        iri=term,
        anchor=anchor(term) or _curie(term),
        labels=_texts(graph, term, RDFS.label, SKOS.prefLabel),
        definitions=_texts(graph, term, SKOS.definition, RDFS.comment),
        relations=tuple(
            (p, tuple(sorted(o for o in graph.objects(term, p) if isinstance(o, URIRef))))
            for p in relations
        ),
        deprecated=(term, OWL.deprecated, Literal(True)) in graph,
    )


def document_ontology(graph: Graph) -> OntologyDoc:
    """Read ``graph`` (the ontology, alignments and vocabularies) into its documentation."""
    ontology = URIRef(ONTOLOGY_IRI)
    namespace = str(PTCE._NS)
    sections = []
    for key, kind in KINDS:
        terms = sorted(
            (
                t
                for t in set(graph.subjects(RDF.type, kind))
                if isinstance(t, URIRef) and str(t).startswith(namespace)
            ),
            key=lambda t: str(t).lower(),
        )
        sections.append((key, tuple(_term(graph, t, TERM_RELATIONS) for t in terms)))
    schemes = sorted(
        s for s in set(graph.subjects(RDF.type, SKOS.ConceptScheme)) if isinstance(s, URIRef)
    )
    vocabularies = tuple(
        (
            _term(graph, scheme, ()),
            tuple(
                _term(graph, c, CONCEPT_RELATIONS)
                for c in sorted(
                    c for c in set(graph.subjects(SKOS.inScheme, scheme)) if isinstance(c, URIRef)
                )
            ),
        )
        for scheme in schemes
    )
    return OntologyDoc(
        iri=ONTOLOGY_IRI,
        titles=_texts(graph, ontology, DCTERMS.title),
        descriptions=_texts(graph, ontology, DCTERMS.description, RDFS.comment),
        version=next((str(v) for v in graph.objects(ontology, OWL.versionInfo)), ""),
        sections=tuple(sections),
        vocabularies=vocabularies,
    )


# --- the stand-alone page of a release -----------------------------------------------------------
_HEADINGS = {
    "classes": ("classes", "Classes"),
    "object_properties": ("object-properties", "Propriétés d'objet / Object properties"),
    "datatype_properties": (
        "datatype-properties",
        "Propriétés de données / Datatype properties",
    ),
    "annotation_properties": ("annotation-properties", "Propriétés d'annotation / Annotations"),
}
_RELATION_NAMES = {
    RDFS.subClassOf: "Sous-classe de / subclass of",
    RDFS.subPropertyOf: "Sous-propriété de / subproperty of",
    RDFS.domain: "Domaine / domain",
    RDFS.range: "Co-domaine / range",
    OWL.inverseOf: "Inverse de / inverse of",
    OWL.equivalentClass: "Équivalente à / equivalent to",
    SKOS.closeMatch: "Proche de / close match",
    SKOS.exactMatch: "Identique à / exact match",
    SKOS.inScheme: "Schéma / scheme",
    SKOS.broader: "Plus large / broader",
}
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5}section.term{border-top:1px solid #ccc;padding:.5rem 0}"
    "code{background:#f4f4f4;padding:0 .2rem}dt{font-weight:600}.deprecated{color:#a00}"
)


def _link(iri: URIRef) -> str:
    target = anchor(iri)
    label = escape(_curie(iri))
    if target is not None:
        return f'<a href="#{escape(target)}"><code>{label}</code></a>'
    return f'<a href="{escape(str(iri))}"><code>{label}</code></a>'


def _term_section(term: TermDoc) -> str:
    labels = [term.labels.get(lang) for lang in ("fr", "en")]
    title = " / ".join(escape(v) for v in labels if v) or escape(_curie(term.iri))
    parts = [
        f'<section class="term" id="{escape(term.anchor)}">',
        f"<h3>{title}</h3>",
        f"<p>IRI: <code>{escape(str(term.iri))}</code></p>",
    ]
    if term.deprecated:
        parts.append('<p class="deprecated">Déprécié / deprecated</p>')
    parts.append("<dl>")
    for lang, name in (("fr", "Définition"), ("en", "Definition")):
        text = term.definitions.get(lang)
        if text:
            parts.append(f'<dt>{name}</dt><dd lang="{lang}">{escape(text)}</dd>')
    for predicate, targets in term.relations:
        if targets:
            links = ", ".join(_link(t) for t in targets)
            parts.append(f"<dt>{escape(_RELATION_NAMES[predicate])}</dt><dd>{links}</dd>")
    parts.append("</dl></section>")
    return "\n".join(parts)


def render_ontology_html(graph: Graph) -> str:
    """Return the HTML documentation of ``graph`` (the ontology, alignments and vocabularies)."""
    doc = document_ontology(graph)
    title = doc.titles.get("fr") or "ptce"
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p lang="en">{escape(doc.titles.get("en", ""))}</p>',
        f"<p>IRI: <code>{escape(doc.iri)}</code> — version {escape(doc.version)}</p>",
    ]
    for lang in ("fr", "en"):
        text = doc.descriptions.get(lang)
        if text:
            body.append(f'<p lang="{lang}">{escape(text)}</p>')
    toc, sections = [], []
    for key, terms in doc.sections:
        if not terms:
            continue
        target, heading = _HEADINGS[key]
        toc.append(f'<li><a href="#{target}">{escape(heading)}</a> ({len(terms)})</li>')
        sections.append(f'<h2 id="{target}">{escape(heading)}</h2>')
        sections.extend(_term_section(t) for t in terms)
    if doc.vocabularies:
        toc.append(
            '<li><a href="#vocabularies">Vocabulaires / vocabularies</a> '
            f"({len(doc.vocabularies)})</li>"
        )
        sections.append('<h2 id="vocabularies">Vocabulaires / vocabularies</h2>')
    for scheme, concepts in doc.vocabularies:
        sections.append(_term_section(scheme))
        sections.extend(_term_section(c) for c in concepts)
    return (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n<nav><ul>\n"
        + "\n".join(toc)
        + "\n</ul></nav>\n"
        + "\n".join(sections)
        + "\n</body>\n</html>\n"
    )
