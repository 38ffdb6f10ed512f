"""The DCAT 3 catalogue (DCAT-AP 3 compatible) of everything a publication holds.

One ``dcat:Catalog`` (``<base>catalog``) lists a ``dcat:Dataset`` per part (PTCE data,
territories, synthetic examples, provenance, entailments when published, ontology and vocabularies,
SHACL shapes) and the SPARQL endpoint as a ``dcat:DataService``. Each file is a
``dcat:Distribution`` with its download URL, IANA media type, EU file type, size, SHA-256 checksum,
licence and, for gzip files, ``dcat:compressFormat``. Catalogue-local nodes are hash IRIs of the
catalogue (``<base>catalog#dataset-ptce``), so the catalogue's one document describes them all.
The data parts (PTCEs, territories) carry the data release of :mod:`ptce_kg.publish.release`
(``dcat:version`` 2026.12, ``dcterms:issued`` its date, creator, how to cite), which changes with
the data only; the other parts carry the software's version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, XSD

from ptce_kg.namespaces import (
    CC_BY_4_0,
    DCAT,
    EU_COUNTRY,
    EU_DATA_THEME,
    EU_FILE_TYPE,
    EU_LANGUAGE,
    IANA_MEDIA_TYPE,
    LICENCE_OUVERTE_2_0,
    ONTOLOGY_IRI,
    PREFIXES,
    SPARQL_PROTOCOL,
    SPDX,
    VCARD,
    VOID,
    catalog_iri,
    dataset_iri,
)
from ptce_kg.publish.dumps import GZIP_MEDIA_TYPE, PublishedFile
from ptce_kg.publish.release import DATA_ISSUED, DATA_VERSION, cite_dataset

#: The parts that are the data release (``data/``): their version and date are its own.
DATA_RELEASE_PARTS = frozenset({"ptce", "territories"})


@dataclass(frozen=True)
class DatasetInfo:
    """What the catalogue says about one part."""

    key: str
    title_fr: str
    title_en: str
    description_fr: str
    description_en: str
    licence: URIRef
    keywords: tuple[str, ...]
    themes: tuple[str, ...] = ("ECON", "REGI")


DATASETS: dict[str, DatasetInfo] = {
    info.key: info
    for info in (
        DatasetInfo(
            "ptce",
            "Pôles territoriaux de coopération économique (PTCE)",
            "Territorial economic cooperation poles (PTCE)",
            "Les PTCE de France, leurs membres, structures porteuses, territoires, "
            "reconnaissances et indicateurs datés, chaque fait avec sa source.",
            "France's PTCE, their members, carriers, territories, recognitions and dated "
            "indicators, each fact with its source.",
            CC_BY_4_0,
            ("PTCE", "ESS", "économie sociale et solidaire", "social and solidarity economy"),
            ("ECON", "SOCI", "REGI"),
        ),
        DatasetInfo(
            "territories",
            "Territoires de référence (régions, départements, communes, EPCI)",
            "Reference territories (regions, départements, communes, EPCI)",
            "Les territoires auxquels renvoient les PTCE, dérivés du découpage administratif "
            "d'Etalab (Code officiel géographique de l'INSEE).",
            "The territories the PTCE refer to, derived from Etalab's administrative "
            "division package (INSEE's official geographic code).",
            LICENCE_OUVERTE_2_0,
            ("territoires", "territories", "COG", "INSEE"),
            ("REGI",),
        ),
        DatasetInfo(
            "examples",
            "Exemples synthétiques (synthétique)",
            "Synthetic examples (synthetic)",
            "Des PTCE inventés qui emploient chaque terme du modèle ; ce ne sont pas des faits.",
            "Made-up PTCE that use every term of the data model; they are not facts.",
            CC_BY_4_0,
            ("synthetic", "synthétique", "example"),
            ("ECON",),
        ),
        DatasetInfo(
            "provenance",
            "Provenance des graphes sources",
            "Provenance of the source graphs",
            "Pour chaque graphe nommé : le fichier source, la date de chargement, la taille.",
            "For each named graph: its source file, load time and size.",
            CC_BY_4_0,
            ("provenance", "PROV-O"),
        ),
        DatasetInfo(
            "inferred",
            "Déductions des graphes sources",
            "Entailments of the source graphs",
            "Les triplets déduits de la hiérarchie des classes et propriétés de l'ontologie.",
            "The triples entailed by the ontology's class and property hierarchy.",
            CC_BY_4_0,
            ("entailments", "déductions", "RDFS"),
        ),
        DatasetInfo(
            "ontology",
            "Ontologie ptce, alignements et vocabulaires SKOS",
            "ptce ontology, alignments and SKOS vocabularies",
            "L'ontologie OWL des PTCE, ses alignements (ORG, RegOrg, schema.org, ESSGlobal, "
            "igeo, PAIR) et ses schémas de concepts, avec sa documentation HTML.",
            "The OWL ontology of PTCE, its alignments (ORG, RegOrg, schema.org, ESSGlobal, "
            "igeo, PAIR) and its concept schemes, with its HTML documentation.",
            CC_BY_4_0,
            ("ontology", "ontologie", "OWL", "SKOS"),
        ),
        DatasetInfo(
            "shapes",
            "Formes SHACL des données PTCE",
            "SHACL shapes of the PTCE data",
            "Les contraintes (violations) et recommandations (avertissements) que les données "
            "respectent.",
            "The constraints (violations) and recommendations (warnings) the data meets.",
            CC_BY_4_0,
            ("SHACL", "validation"),
        ),
    )
}

#: EU file types (``dcterms:format``) by media type.
FILE_TYPES = {
    "text/turtle": "RDF_TURTLE",
    "application/n-quads": "RDF_N_QUADS",
    "application/ld+json": "JSON_LD",
    "application/rdf+xml": "RDF_XML",
    "text/html": "HTML",
    "application/json": "JSON",
}
_LICENCE_LABELS = {
    CC_BY_4_0: "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    LICENCE_OUVERTE_2_0: "Licence Ouverte / Open Licence 2.0 (Etalab)",
}


@dataclass(frozen=True)
class CatalogContext:
    """Addresses, versions and dates the catalogue states."""

    base_iri: str
    base_url: str
    endpoint: str
    package_version: str
    ontology_version_iri: URIRef | None = None
    issued: Literal | None = None
    modified: datetime | None = None


def download_url(base_url: str, name: str) -> str:
    """The address a published file is downloaded from: ``<base_url>dumps/<name>``."""
    return f"{base_url.rstrip('/')}/dumps/{name}"


def _add_bilingual(g: Graph, node: URIRef, predicate: URIRef, fr: str, en: str) -> None:
    g.add((node, predicate, Literal(fr, lang="fr")))
    g.add((node, predicate, Literal(en, lang="en")))


def describe_catalog(
    files: Sequence[PublishedFile],
    datasets: Sequence[str],
    where: CatalogContext,
    *,
    graph_dates: dict[str, tuple[Literal, Literal]] | None = None,
) -> Graph:
    """Return the catalogue of ``files``, grouped into ``datasets`` (part keys, in order).

    ``graph_dates`` gives, per part, the first and last load time of its graphs (issued, modified).
    """
    g = Graph(bind_namespaces="none")
    for prefix in ("dcat", "dcterms", "foaf", "prov", "rdfs", "xsd", "void"):
        g.bind(prefix, PREFIXES[prefix])
    for prefix, namespace in (
        ("spdx", SPDX),
        ("vcard", VCARD),
        ("iana", IANA_MEDIA_TYPE),
        ("filetype", EU_FILE_TYPE),
        ("theme", EU_DATA_THEME),
    ):
        g.bind(prefix, namespace)
    base = where.base_iri
    catalog = catalog_iri(base=base)
    publisher = catalog_iri("publisher", base=base)
    contact = catalog_iri("contact", base=base)
    g.add((catalog, RDF.type, DCAT.Catalog))
    _add_bilingual(
        g,
        catalog,
        DCTERMS.title,
        "Catalogue de la base de connaissances des PTCE",
        "Catalogue of the PTCE knowledge base",
    )
    _add_bilingual(
        g,
        catalog,
        DCTERMS.description,
        "Les données ouvertes liées des pôles territoriaux de coopération économique (PTCE) : "
        "données, territoires, ontologie, formes SHACL et point d'accès SPARQL.",
        "Linked open data on France's territorial economic cooperation poles (PTCE): data, "
        "territories, ontology, SHACL shapes and SPARQL endpoint.",
    )
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.license, CC_BY_4_0))
    g.add((catalog, FOAF.homepage, URIRef(where.base_url)))
    g.add((catalog, DCAT.themeTaxonomy, URIRef(str(EU_DATA_THEME).rstrip("/"))))
    for lang in ("FRA", "ENG"):
        g.add((catalog, DCTERMS.language, EU_LANGUAGE[lang]))
    g.add((catalog, DCTERMS.spatial, EU_COUNTRY.FRA))
    if where.issued is not None:
        g.add((catalog, DCTERMS.issued, where.issued))
    if where.modified is not None:
        stamp = Literal(where.modified.isoformat(), datatype=XSD.dateTime)
        g.add((catalog, DCTERMS.modified, stamp))
    g.add((catalog, RDFS.seeAlso, URIRef(f"{where.base_url.rstrip('/')}/.well-known/void")))

    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal("ptce_kg contributors")))
    g.add((publisher, FOAF.homepage, URIRef(where.base_url)))
    g.add((contact, RDF.type, VCARD.Kind))  # stated: the catalogue ships without vCard
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal("ptce_kg contributors")))
    g.add((contact, VCARD.hasURL, URIRef(where.base_url)))
    for licence, label in _LICENCE_LABELS.items():
        g.add((licence, RDF.type, DCTERMS.LicenseDocument))
        g.add((licence, RDFS.label, Literal(label)))

    service = catalog_iri("sparql-service", base=base)
    g.add((catalog, DCAT.service, service))
    g.add((service, RDF.type, DCAT.DataService))
    _add_bilingual(
        g, service, DCTERMS.title, "Point d'accès SPARQL des PTCE", "PTCE SPARQL endpoint"
    )
    _add_bilingual(
        g,
        service,
        DCTERMS.description,
        "Requêtes SPARQL 1.1 sur toutes les données ; le graphe par défaut est l'union des "
        "graphes nommés.",
        "SPARQL 1.1 queries over all the data; the default graph is the union of the named graphs.",
    )
    g.add((service, DCAT.endpointURL, URIRef(where.endpoint)))
    g.add((service, DCAT.endpointDescription, URIRef(where.endpoint)))
    g.add((service, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    g.add((service, DCTERMS.license, CC_BY_4_0))
    g.add((service, DCTERMS.publisher, publisher))

    by_part: dict[str, list[PublishedFile]] = {}
    for f in files:
        by_part.setdefault(f.part, []).append(f)
    for key in datasets:
        info = DATASETS[key]
        node = catalog_iri(f"dataset-{key}", base=base)
        g.add((catalog, DCAT.dataset, node))
        g.add((node, RDF.type, DCAT.Dataset))
        _add_bilingual(g, node, DCTERMS.title, info.title_fr, info.title_en)
        _add_bilingual(g, node, DCTERMS.description, info.description_fr, info.description_en)
        g.add((node, DCTERMS.identifier, Literal(key)))
        g.add((node, DCTERMS.publisher, publisher))
        g.add((node, DCAT.contactPoint, contact))
        g.add((node, DCTERMS.license, info.licence))
        g.add((node, DCTERMS.spatial, EU_COUNTRY.FRA))
        released = key in DATA_RELEASE_PARTS
        # The data parts carry the data release (changes with the data only), the others the
        # software's version.
        g.add((node, DCAT.version, Literal(DATA_VERSION if released else where.package_version)))
        if released:
            g.add((node, DCTERMS.creator, publisher))
            g.add((node, DCTERMS.bibliographicCitation, Literal(cite_dataset("en"), lang="en")))
            g.add((node, DCTERMS.bibliographicCitation, Literal(cite_dataset("fr"), lang="fr")))
        for keyword in info.keywords:
            g.add((node, DCAT.keyword, Literal(keyword)))
        for theme in info.themes:
            g.add((node, DCAT.theme, EU_DATA_THEME[theme]))
        if key in {"ptce", "territories", "examples", "inferred"}:
            g.add((service, DCAT.servesDataset, node))
            if where.ontology_version_iri is not None:
                g.add((node, DCTERMS.conformsTo, where.ontology_version_iri))
        if key == "ontology":
            g.add((node, FOAF.primaryTopic, URIRef(ONTOLOGY_IRI)))
        if key in {"ptce", "territories", "examples"}:
            g.add((node, PROV.wasDerivedFrom, dataset_iri(base=base)))
            g.add((node, DCTERMS.isPartOf, dataset_iri(base=base)))
        dates = (graph_dates or {}).get(key)
        if released:
            g.add((node, DCTERMS.issued, Literal(DATA_ISSUED.isoformat(), datatype=XSD.date)))
            if dates is not None:
                g.add((node, DCTERMS.modified, dates[1]))
        elif dates is not None:
            g.add((node, DCTERMS.issued, dates[0]))
            g.add((node, DCTERMS.modified, dates[1]))
        elif where.issued is not None:
            g.add((node, DCTERMS.issued, where.issued))
        for f in sorted(by_part.get(key, ()), key=lambda f: f.name):
            _add_distribution(g, node, f, info.licence, where)
    g.add((dataset_iri(base=base), RDF.type, VOID.Dataset))
    return g


def _add_distribution(
    g: Graph, dataset: URIRef, f: PublishedFile, licence: URIRef, where: CatalogContext
) -> None:
    node = catalog_iri(f"distribution-{f.name}", base=where.base_iri)
    url = URIRef(download_url(where.base_url, f.name))
    g.add((dataset, DCAT.distribution, node))
    g.add((node, RDF.type, DCAT.Distribution))
    kind = "gzip, " if f.compressed else ""
    g.add((node, DCTERMS.title, Literal(f.name)))
    g.add((node, DCTERMS.description, Literal(f"{f.name} ({kind}{f.media_type})", lang="en")))
    g.add((node, DCAT.accessURL, url))
    g.add((node, DCAT.downloadURL, url))
    g.add((node, DCAT.mediaType, IANA_MEDIA_TYPE[f.media_type]))
    if f.media_type in FILE_TYPES:
        g.add((node, DCTERMS["format"], EU_FILE_TYPE[FILE_TYPES[f.media_type]]))
    if f.compressed:
        g.add((node, DCAT.compressFormat, IANA_MEDIA_TYPE[GZIP_MEDIA_TYPE]))
    g.add((node, DCAT.byteSize, Literal(f.size, datatype=XSD.nonNegativeInteger)))
    g.add((node, DCTERMS.license, licence))
    checksum = catalog_iri(f"checksum-{f.name}", base=where.base_iri)
    g.add((node, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(f.sha256, datatype=XSD.hexBinary)))
