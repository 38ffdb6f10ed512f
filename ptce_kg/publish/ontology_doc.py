"""HTML documentation of the ontology and its vocabularies: one page, one section per term.

Built from the terms' own labels and definitions (French and English), their place in the
hierarchy, domains and ranges, and, for the SKOS schemes, their concepts. Every term has an anchor
named by its local name (``#PTCE``) or, for concepts, by ``<scheme>/<key>``.
"""

from __future__ import annotations

from html import escape

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from ptce_kg.namespaces import ONTOLOGY_IRI, PREFIXES, PTCE

_KINDS = (
    (OWL.Class, "classes", "Classes"),
    (OWL.ObjectProperty, "object-properties", "Propriétés d'objet / Object properties"),
    (OWL.DatatypeProperty, "datatype-properties", "Propriétés de données / Datatype properties"),
    (OWL.AnnotationProperty, "annotation-properties", "Propriétés d'annotation / Annotations"),
)
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5}section.term{border-top:1px solid #ccc;padding:.5rem 0}"
    "code{background:#f4f4f4;padding:0 .2rem}dt{font-weight:600}.deprecated{color:#a00}"
)


def _text(graph: Graph, node: URIRef, predicate: URIRef, lang: str) -> str | None:
    values = sorted(
        str(o)
        for o in graph.objects(node, predicate)
        if isinstance(o, Literal) and o.language == lang
    )
    return values[0] if values else None


def _curie(iri: URIRef) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if str(iri).startswith(namespace):
            return f"{prefix}:{str(iri)[len(namespace) :]}"
    return str(iri)


def _anchor(iri: URIRef) -> str | None:
    namespace = str(PTCE._NS)
    if str(iri).startswith(namespace):
        return str(iri)[len(namespace) :]
    if "/id/concept/" in str(iri):
        return str(iri).split("/id/concept/", 1)[1]
    if "/id/scheme/" in str(iri):
        return "scheme-" + str(iri).split("/id/scheme/", 1)[1]
    return None


def _link(iri: URIRef) -> str:
    anchor = _anchor(iri)
    label = escape(_curie(iri))
    if anchor is not None:
        return f'<a href="#{escape(anchor)}"><code>{label}</code></a>'
    return f'<a href="{escape(str(iri))}"><code>{label}</code></a>'


def _term_section(graph: Graph, term: URIRef, relations: tuple[tuple[URIRef, str], ...]) -> str:
    anchor = _anchor(term) or _curie(term)
    label_fr = _text(graph, term, RDFS.label, "fr") or _text(graph, term, SKOS.prefLabel, "fr")
    label_en = _text(graph, term, RDFS.label, "en") or _text(graph, term, SKOS.prefLabel, "en")
    parts = [f'<section class="term" id="{escape(anchor)}">']
    title = " / ".join(escape(v) for v in (label_fr, label_en) if v) or escape(_curie(term))
    parts.append(f"<h3>{title}</h3>")
    parts.append(f"<p>IRI: <code>{escape(str(term))}</code></p>")
    if (term, OWL.deprecated, Literal(True)) in graph:
        parts.append('<p class="deprecated">Déprécié / deprecated</p>')
    parts.append("<dl>")
    for lang, name in (("fr", "Définition"), ("en", "Definition")):
        text = _text(graph, term, SKOS.definition, lang)
        if text:
            parts.append(f'<dt>{name}</dt><dd lang="{lang}">{escape(text)}</dd>')
    for predicate, name in relations:
        targets = sorted(o for o in graph.objects(term, predicate) if isinstance(o, URIRef))
        if targets:
            parts.append(f"<dt>{escape(name)}</dt><dd>{', '.join(_link(t) for t in targets)}</dd>")
    parts.append("</dl></section>")
    return "\n".join(parts)


def render_ontology_html(graph: Graph) -> str:
    """Return the HTML documentation of ``graph`` (the ontology, alignments and vocabularies)."""
    ontology = URIRef(ONTOLOGY_IRI)
    title = _text(graph, ontology, DCTERMS.title, "fr") or "ptce"
    title_en = _text(graph, ontology, DCTERMS.title, "en") or ""
    version = next((str(v) for v in graph.objects(ontology, OWL.versionInfo)), "")
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p lang="en">{escape(title_en)}</p>',
        f"<p>IRI: <code>{escape(ONTOLOGY_IRI)}</code> — version {escape(version)}</p>",
    ]
    for lang in ("fr", "en"):
        text = _text(graph, ontology, DCTERMS.description, lang)
        if text:
            body.append(f'<p lang="{lang}">{escape(text)}</p>')
    toc, sections = [], []
    namespace = str(PTCE._NS)
    relations = (
        (RDFS.subClassOf, "Sous-classe de / subclass of"),
        (RDFS.subPropertyOf, "Sous-propriété de / subproperty of"),
        (RDFS.domain, "Domaine / domain"),
        (RDFS.range, "Co-domaine / range"),
        (OWL.inverseOf, "Inverse de / inverse of"),
        (OWL.equivalentClass, "Équivalente à / equivalent to"),
        (SKOS.closeMatch, "Proche de / close match"),
        (SKOS.exactMatch, "Identique à / exact match"),
    )
    for kind, anchor, heading in _KINDS:
        terms = sorted(
            t
            for t in set(graph.subjects(RDF.type, kind))
            if isinstance(t, URIRef) and str(t).startswith(namespace)
        )
        if not terms:
            continue
        toc.append(f'<li><a href="#{anchor}">{escape(heading)}</a> ({len(terms)})</li>')
        sections.append(f'<h2 id="{anchor}">{escape(heading)}</h2>')
        sections.extend(_term_section(graph, t, relations) for t in terms)
    concept_relations = (
        (SKOS.inScheme, "Schéma / scheme"),
        (SKOS.broader, "Plus large / broader"),
        (SKOS.closeMatch, "Proche de / close match"),
        (SKOS.exactMatch, "Identique à / exact match"),
    )
    schemes = sorted(
        s for s in set(graph.subjects(RDF.type, SKOS.ConceptScheme)) if isinstance(s, URIRef)
    )
    if schemes:
        toc.append(
            f'<li><a href="#vocabularies">Vocabulaires / vocabularies</a> ({len(schemes)})</li>'
        )
        sections.append('<h2 id="vocabularies">Vocabulaires / vocabularies</h2>')
    for scheme in schemes:
        sections.append(_term_section(graph, scheme, ()))
        concepts = sorted(
            c for c in set(graph.subjects(SKOS.inScheme, scheme)) if isinstance(c, URIRef)
        )
        sections.extend(_term_section(graph, c, concept_relations) for c in concepts)
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
