"""schema.org JSON-LD for the HTML pages (``<script type="application/ld+json">``).

Search engines and dataset search read schema.org in a page, not its RDF links: a PTCE's or an
organisation's page embeds an ``Organization`` (name, legal name, founding date, place, members or
memberships, identifiers such as the SIREN), a named graph's page and the home page a ``Dataset``
(licence, catalogue, downloads). Everything comes from the resource's description
(:func:`ptce_kg.web.descriptions.describe_with_parts`), the catalogue's dataset records
(:data:`ptce_kg.publish.catalog.DATASETS`) and the ontology's alignment to schema.org
(``ptce:PTCE`` and ``ptce:Organisation`` are ``rdfs:subClassOf schema:Organization``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDFS, SKOS
from rdflib.term import Node

from ptce_kg.namespaces import DCAT, ORG, PTCE, ROV, SCHEMA, VOID, catalog_iri
from ptce_kg.publish.catalog import DATASETS
from ptce_kg.publish.dumps import DUMP_FORMATS, Part
from ptce_kg.store import Store
from ptce_kg.web.descriptions import ontology_graph
from ptce_kg.web.site import Site

SCHEMA_CONTEXT = "https://schema.org"
#: Classes whose instances are organisations whatever the ontology says (W3C ORG, RegOrg).
_ORGANIZATION_CLASSES = (
    ORG.Organization,
    ORG.FormalOrganization,
    ORG.OrganizationalCollaboration,
    ROV.RegisteredOrganization,
)
_DATASET_CLASSES = (VOID.Dataset, DCAT.Dataset)
_IDENTIFIERS = """PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?r ?id ?notation ?type WHERE {
  ?r adms:identifier ?id . ?id skos:notation ?notation OPTIONAL { ?id dcterms:type ?type } }
ORDER BY STR(?notation)"""


@lru_cache(maxsize=4)
def organization_classes(ontology_dir: Path) -> frozenset[URIRef]:
    """Every class whose instances are schema.org organisations, by the ontology's alignments."""
    graph = ontology_graph(ontology_dir)
    found = set(graph.transitive_subjects(RDFS.subClassOf, SCHEMA.Organization))
    for root in _ORGANIZATION_CLASSES:
        found.update(graph.transitive_subjects(RDFS.subClassOf, root))
    return frozenset(c for c in found if isinstance(c, URIRef))


def schema_type(types: Iterable[Node], ontology_dir: Path) -> str | None:
    """``Organization``, ``Dataset`` or ``None`` for a resource of ``types``."""
    types = set(types)
    if types & organization_classes(ontology_dir):
        return "Organization"
    if types & set(_DATASET_CLASSES):
        return "Dataset"
    return None


def script(data: dict[str, Any] | None) -> Markup | None:
    """``data`` as the text of a ``<script type="application/ld+json">`` (``<`` escaped, so no
    value can close the element)."""
    if data is None:
        return None
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _values(
    triples: Sequence[tuple[Node, Node, Node]], subject: Node, predicate: Node
) -> list[Node]:
    return [o for s, p, o in triples if s == subject and p == predicate]


def _text(site: Site, literals: Iterable[Node]) -> str | None:
    return site.literal("", list(literals)) or None


def _ref(site: Site, node: Node) -> dict[str, Any]:
    return {"@id": str(node), "name": site.label(node)}


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, [], "")}


def identifiers(store: Store, iri: str) -> list[dict[str, str]]:
    """The resource's identifiers (``adms:identifier``: SIREN, SIRET, RNA…) as PropertyValues."""
    rows = store.query(_IDENTIFIERS, bindings={"r": URIRef(iri)}).bindings()
    out = []
    for row in rows:
        kind = row.get("type")
        name = str(kind).rstrip("/").rsplit("/", 1)[-1].upper() if kind is not None else None
        out.append(
            _compact({"@type": "PropertyValue", "propertyID": name, "value": str(row["notation"])})
        )
    return out


def organization(
    iri: str,
    triples: Sequence[tuple[Node, Node, Node]],
    site: Site,
    ids: Sequence[dict[str, str]],
) -> dict[str, Any]:
    """The schema.org ``Organization`` of a PTCE or an organisation, from its description."""
    node = URIRef(iri)
    memberships_of = [s for s, p, o in triples if p == ORG.organization and o == node]
    memberships_in = [s for s, p, o in triples if p == ORG.member and o == node]
    members = {o for m in memberships_of for o in _values(triples, m, ORG.member)}
    member_of = {o for m in memberships_in for o in _values(triples, m, ORG.organization)}
    founded = _values(triples, node, SCHEMA.foundingDate)
    return _compact(
        {
            "@context": SCHEMA_CONTEXT,
            "@type": "Organization",
            "@id": iri,
            "url": iri,
            "name": site.label(node),
            "alternateName": sorted(
                {str(o) for o in _values(triples, node, SKOS.altLabel) if isinstance(o, Literal)}
            ),
            "legalName": _text(site, _values(triples, node, ROV.legalName)),
            "description": _text(
                site,
                _values(triples, node, DCTERMS.description) + _values(triples, node, RDFS.comment),
            ),
            "foundingDate": str(founded[0]) if founded else None,
            "location": [
                {"@type": "Place", **_ref(site, place)}
                for place in _values(triples, node, PTCE.basedIn)
            ],
            "identifier": list(ids),
            "member": [_ref(site, m) for m in sorted(members, key=str)],
            "memberOf": [
                {"@type": "Organization", **_ref(site, o)} for o in sorted(member_of, key=str)
            ],
            "sameAs": sorted(
                str(o)
                for p in (OWL.sameAs, SKOS.exactMatch)
                for o in _values(triples, node, p)
                if isinstance(o, URIRef)
            ),
        }
    )


def _downloads(base_url: str, parts: Iterable[Part], key: str) -> list[dict[str, Any]]:
    """The dump files of the part ``key``, when the store has it."""
    return [
        {
            "@type": "DataDownload",
            "contentUrl": f"{base_url}dumps/{part.key}.{ext}",
            "encodingFormat": fmt.media_type,
        }
        for part in parts
        if part.key == key
        for ext, fmt in DUMP_FORMATS
    ]


def named_graph(
    iri: str,
    triples: Sequence[tuple[Node, Node, Node]],
    site: Site,
    licences: Sequence[URIRef],
    base_url: str,
) -> dict[str, Any]:
    """The schema.org ``Dataset`` of a named graph's page."""
    node = URIRef(iri)
    return _compact(
        {
            "@context": SCHEMA_CONTEXT,
            "@type": "Dataset",
            "@id": iri,
            "url": iri,
            "name": site.label(node),
            "description": _text(
                site,
                _values(triples, node, DCTERMS.description) + _values(triples, node, RDFS.comment),
            ),
            "license": [str(licence) for licence in licences],
            "isBasedOn": sorted(
                str(o) for o in _values(triples, node, DCTERMS.source) if isinstance(o, URIRef)
            ),
            "includedInDataCatalog": {"@type": "DataCatalog", "@id": f"{base_url}catalog"},
            "isAccessibleForFree": True,
        }
    )


def main_dataset(site: Site, parts: Iterable[Part], base_url: str) -> dict[str, Any]:
    """The schema.org ``Dataset`` of the home page: the PTCE data, as the catalogue records it."""
    info = DATASETS["ptce"]
    english = site.lang == "en"
    return _compact(
        {
            "@context": SCHEMA_CONTEXT,
            "@type": "Dataset",
            "@id": str(catalog_iri("dataset-ptce", base=site.settings.base_iri)),
            "url": base_url,
            "name": info.title_en if english else info.title_fr,
            "description": info.description_en if english else info.description_fr,
            "keywords": list(info.keywords),
            "license": str(info.licence),
            "isAccessibleForFree": True,
            "spatialCoverage": {"@type": "Place", "name": "France"},
            "includedInDataCatalog": {"@type": "DataCatalog", "@id": f"{base_url}catalog"},
            "distribution": _downloads(base_url, parts, info.key),
        }
    )
