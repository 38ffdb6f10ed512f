"""The DCAT 3 catalogue (DCAT-AP 3, GeoDCAT-AP) a national portal harvests.

One ``dcat:Catalog`` (``<base>catalog``) lists two datasets: the PTCE data (the main one: PTCEs,
organisations, memberships, indicators, sources) and the reference territories, and the SPARQL
endpoint as a ``dcat:DataService``. What a harvester reads is stated from the data, never from the
clock: the data release (:mod:`ptce_kg.publish.release`: ``dcat:version``, ``dcterms:issued``,
``dcterms:modified``, how to cite), the temporal and spatial coverage (:mod:`.coverage`), update
frequency, landing page, contact point, and ``dcterms:conformsTo`` the ontology version and the
SHACL shapes (``dcterms:Standard``; they are not datasets of their own). Each file of a dataset is a
``dcat:Distribution`` with its download URL, IANA media type, EU file type, size, SHA-256 checksum,
licence and, for gzip files, ``dcat:compressFormat``; the CSV tables (:mod:`.tables`) are
distributions of the PTCE data. The provenance (and, when published, entailment) dumps are linked
from the PTCE data's provenance statement. Synthetic examples are never catalogued.

Catalogue-local nodes are hash IRIs of the catalogue (``<base>catalog#dataset-ptce``), so its one
document describes them all. The authority IRIs it cites (EU vocabularies, IANA media types,
licences) are typed with the class DCAT-AP expects of them, so that the catalogue alone passes the
DCAT-AP range shapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from ptce_kg.namespaces import (
    ADMS_LICENCE_TYPE,
    CC_BY_4_0,
    DCAT,
    EU_COUNTRY,
    EU_DATA_THEME,
    EU_FILE_TYPE,
    EU_FREQUENCY,
    EU_LANGUAGE,
    GEO,
    IANA_MEDIA_TYPE,
    LICENCE_OUVERTE_2_0,
    LOCN,
    PREFIXES,
    SPARQL_PROTOCOL,
    SPDX,
    VCARD,
    VOID,
    catalog_iri,
    dataset_iri,
)
from ptce_kg.publish.coverage import Extent
from ptce_kg.publish.dumps import GZIP_MEDIA_TYPE, PublishedFile
from ptce_kg.publish.release import DATA_ISSUED, DATA_VERSION, cite_dataset
from ptce_kg.publish.tables import SEPARATOR, TABLES

#: The datasets of the catalogue, in order: the main one, then the territories.
CATALOGUED_PARTS = ("ptce", "territories")
#: Parts whose dumps the PTCE data's provenance statement links to.
SUPPORT_PARTS = ("provenance", "inferred")
#: How often the data change: a release whenever the curated data do (data/CHANGELOG.md).
UPDATE_FREQUENCY = EU_FREQUENCY.IRREG


@dataclass(frozen=True)
class DatasetInfo:
    """What the catalogue says about one dataset."""

    key: str
    title_fr: str
    title_en: str
    description_fr: str
    description_en: str
    licence: URIRef
    keywords: tuple[str, ...]
    themes: tuple[str, ...]


DATASETS: dict[str, DatasetInfo] = {
    info.key: info
    for info in (
        DatasetInfo(
            "ptce",
            "Pôles territoriaux de coopération économique (PTCE)",
            "Territorial economic cooperation poles (PTCE)",
            "Les PTCE de France, leurs membres, structures porteuses, territoires, "
            "reconnaissances et indicateurs datés, chaque fait avec le document qui l'établit. "
            "En RDF (Turtle, N-Quads, JSON-LD) et en tables CSV (PTCE, organisations, "
            "adhésions, indicateurs).",
            "France's PTCE, their members, carriers, territories, recognitions and dated "
            "indicators, each fact with the document that states it. As RDF (Turtle, N-Quads, "
            "JSON-LD) and as CSV tables (PTCEs, organisations, memberships, indicators).",
            CC_BY_4_0,
            ("PTCE", "ESS", "économie sociale et solidaire", "social and solidarity economy"),
            ("ECON", "SOCI", "REGI"),
        ),
        DatasetInfo(
            "territories",
            "Territoires de référence (régions, départements, communes, EPCI)",
            "Reference territories (regions, départements, communes, EPCI)",
            "Les territoires auxquels renvoient les PTCE, dérivés du découpage administratif "
            "d'Etalab (Code officiel géographique de l'INSEE), avec la position des communes.",
            "The territories the PTCE refer to, derived from Etalab's administrative "
            "division package (INSEE's official geographic code), with the communes' points.",
            LICENCE_OUVERTE_2_0,
            ("territoires", "territories", "COG", "INSEE"),
            ("REGI",),
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
    "text/csv": "CSV",
}
#: The EU labels of the data themes the datasets cite (the concepts must carry a label).
_THEME_LABELS = {
    "ECON": ("Économie et finances", "Economy and finance"),
    "REGI": ("Régions et villes", "Regions and cities"),
    "SOCI": ("Population et société", "Population and society"),
}
_LICENCE_LABELS = {
    CC_BY_4_0: "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    LICENCE_OUVERTE_2_0: "Licence Ouverte / Open Licence 2.0 (Etalab)",
}


@dataclass(frozen=True)
class Standard:
    """A specification the data conform to (the ontology version, a shapes file)."""

    iri: URIRef
    title_fr: str
    title_en: str
    version: str | None = None
    see_also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Coverage:
    """What one dataset covers: its period (first and last date literal) and its extent."""

    period: tuple[Literal, Literal] | None = None
    extent: Extent | None = None


@dataclass(frozen=True)
class CatalogContext:
    """Addresses, specifications and dates the catalogue states."""

    base_iri: str
    base_url: str
    endpoint: str
    standards: tuple[Standard, ...] = ()
    issued: Literal | None = None
    coverage: dict[str, Coverage] = field(default_factory=dict)
    contact_email: str | None = None

    def url(self, path: str = "") -> URIRef:
        """An address of the service: ``<base_url><path>``."""
        return URIRef(f"{self.base_url.rstrip('/')}/{path}")


def download_url(base_url: str, name: str) -> str:
    """The address a published file is downloaded from: ``<base_url>dumps/<name>``."""
    return f"{base_url.rstrip('/')}/dumps/{name}"


def _add_bilingual(g: Graph, node: URIRef, predicate: URIRef, fr: str, en: str) -> None:
    g.add((node, predicate, Literal(fr, lang="fr")))
    g.add((node, predicate, Literal(en, lang="en")))


def _new_catalog_graph() -> Graph:
    g = Graph(bind_namespaces="none")
    for prefix in ("dcat", "dcterms", "foaf", "owl", "prov", "rdfs", "skos", "xsd", "void", "geo"):
        g.bind(prefix, PREFIXES[prefix])
    for prefix, namespace in (
        ("spdx", SPDX),
        ("vcard", VCARD),
        ("locn", LOCN),
        ("iana", IANA_MEDIA_TYPE),
        ("filetype", EU_FILE_TYPE),
        ("theme", EU_DATA_THEME),
        ("frequency", EU_FREQUENCY),
        ("country", EU_COUNTRY),
        ("language", EU_LANGUAGE),
    ):
        g.bind(prefix, namespace)
    return g


def describe_catalog(
    files: Sequence[PublishedFile], datasets: Sequence[str], where: CatalogContext
) -> Graph:
    """Return the catalogue of ``files``: the datasets of :data:`CATALOGUED_PARTS` among the
    ``datasets`` published (part keys), with their distributions, and the SPARQL service."""
    g = _new_catalog_graph()
    base = where.base_iri
    catalog = catalog_iri(base=base)
    publisher = catalog_iri("publisher", base=base)
    released = Literal(DATA_ISSUED.isoformat(), datatype=XSD.date)
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
        "Les données ouvertes liées des pôles territoriaux de coopération économique (PTCE) et "
        "des territoires auxquels ils renvoient, et leur point d'accès SPARQL.",
        "Linked open data on France's territorial economic cooperation poles (PTCE) and the "
        "territories they refer to, and their SPARQL endpoint.",
    )
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.license, CC_BY_4_0))
    g.add((catalog, FOAF.homepage, where.url()))
    g.add((where.url(), RDF.type, FOAF.Document))
    taxonomy = URIRef(str(EU_DATA_THEME).rstrip("/"))
    g.add((catalog, DCAT.themeTaxonomy, taxonomy))
    g.add((taxonomy, RDF.type, SKOS.ConceptScheme))
    _add_bilingual(g, taxonomy, DCTERMS.title, "Thèmes des données", "Data themes")
    for theme, (label_fr, label_en) in _THEME_LABELS.items():
        g.add((EU_DATA_THEME[theme], RDF.type, SKOS.Concept))
        _add_bilingual(g, EU_DATA_THEME[theme], SKOS.prefLabel, label_fr, label_en)
    g.add((UPDATE_FREQUENCY, RDF.type, DCTERMS.Frequency))
    _add_bilingual(g, UPDATE_FREQUENCY, SKOS.prefLabel, "irrégulière", "irregular")
    for lang in ("FRA", "ENG"):
        g.add((catalog, DCTERMS.language, EU_LANGUAGE[lang]))
        g.add((EU_LANGUAGE[lang], RDF.type, DCTERMS.LinguisticSystem))
    g.add((catalog, DCTERMS.spatial, EU_COUNTRY.FRA))
    g.add((EU_COUNTRY.FRA, RDF.type, DCTERMS.Location))
    _add_bilingual(g, EU_COUNTRY.FRA, SKOS.prefLabel, "France", "France")
    if where.issued is not None:
        g.add((catalog, DCTERMS.issued, where.issued))
    # changes with the data release only: two builds of the same data state the same catalogue
    g.add((catalog, DCTERMS.modified, released))
    g.add((catalog, RDFS.seeAlso, where.url(".well-known/void")))

    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal("ptce_kg contributors")))
    g.add((publisher, FOAF.homepage, where.url()))
    contact = _add_contact(g, where)
    for licence, label in _LICENCE_LABELS.items():
        g.add((licence, RDF.type, DCTERMS.LicenseDocument))
        g.add((licence, RDFS.label, Literal(label)))
        # both ask that the source be credited
        g.add((licence, DCTERMS.type, ADMS_LICENCE_TYPE.Attribution))
    g.add((ADMS_LICENCE_TYPE.Attribution, RDF.type, SKOS.Concept))
    g.add((ADMS_LICENCE_TYPE.Attribution, SKOS.prefLabel, Literal("Attribution", lang="en")))
    for standard in where.standards:
        _add_standard(g, standard)

    service = _add_service(g, catalog, publisher, contact, where)
    by_part: dict[str, list[PublishedFile]] = {}
    for f in files:
        by_part.setdefault(f.part, []).append(f)
    for key in (k for k in CATALOGUED_PARTS if k in datasets):
        info = DATASETS[key]
        node = catalog_iri(f"dataset-{key}", base=base)
        g.add((catalog, DCAT.dataset, node))
        g.add((service, DCAT.servesDataset, node))
        g.add((node, RDF.type, DCAT.Dataset))
        _add_bilingual(g, node, DCTERMS.title, info.title_fr, info.title_en)
        _add_bilingual(g, node, DCTERMS.description, info.description_fr, info.description_en)
        g.add((node, DCTERMS.identifier, Literal(key)))
        g.add((node, DCTERMS.publisher, publisher))
        g.add((node, DCTERMS.creator, publisher))
        g.add((node, DCAT.contactPoint, contact))
        g.add((node, DCTERMS.license, info.licence))
        for lang in ("FRA", "ENG"):  # labels in French, curators' notes in English
            g.add((node, DCTERMS.language, EU_LANGUAGE[lang]))
        # the data release: changes with the data only (data/CHANGELOG.md)
        g.add((node, DCAT.version, Literal(DATA_VERSION)))
        g.add((node, DCTERMS.issued, released))
        g.add((node, DCTERMS.modified, released))
        g.add((node, DCTERMS.bibliographicCitation, Literal(cite_dataset("en"), lang="en")))
        g.add((node, DCTERMS.bibliographicCitation, Literal(cite_dataset("fr"), lang="fr")))
        g.add((node, DCTERMS.accrualPeriodicity, UPDATE_FREQUENCY))
        landing = where.url() if key == "ptce" else where.url(f"catalog?format=html#{key}")
        g.add((node, DCAT.landingPage, landing))
        g.add((landing, RDF.type, FOAF.Document))
        for keyword in info.keywords:
            g.add((node, DCAT.keyword, Literal(keyword)))
        for theme in info.themes:
            g.add((node, DCAT.theme, EU_DATA_THEME[theme]))
        for standard in where.standards:
            g.add((node, DCTERMS.conformsTo, standard.iri))
        g.add((node, PROV.wasDerivedFrom, dataset_iri(base=base)))
        g.add((node, DCTERMS.isPartOf, dataset_iri(base=base)))
        g.add((node, DCTERMS.spatial, EU_COUNTRY.FRA))
        _add_coverage(g, node, key, where.coverage.get(key, Coverage()), base)
        if key == "ptce":
            _add_provenance(g, node, by_part, where)
        for f in sorted(by_part.get(key, ()), key=lambda f: f.name):
            _add_distribution(g, node, f, info.licence, where)
    g.add((dataset_iri(base=base), RDF.type, VOID.Dataset))
    return g


def _add_contact(g: Graph, where: CatalogContext) -> URIRef:
    """The contact point: the service's home page, and an e-mail only when one is given (the
    project states none: it is never made up)."""
    contact = catalog_iri("contact", base=where.base_iri)
    g.add((contact, RDF.type, VCARD.Kind))  # stated: the catalogue ships without vCard
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal("ptce_kg contributors")))
    g.add((contact, VCARD.hasURL, where.url()))
    if where.contact_email:
        g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{where.contact_email}")))
    return contact


def _add_standard(g: Graph, standard: Standard) -> None:
    g.add((standard.iri, RDF.type, DCTERMS.Standard))
    _add_bilingual(g, standard.iri, DCTERMS.title, standard.title_fr, standard.title_en)
    if standard.version is not None:
        g.add((standard.iri, OWL.versionInfo, Literal(standard.version)))
    for url in standard.see_also:
        g.add((standard.iri, RDFS.seeAlso, URIRef(url)))


def _add_service(
    g: Graph, catalog: URIRef, publisher: URIRef, contact: URIRef, where: CatalogContext
) -> URIRef:
    service = catalog_iri("sparql-service", base=where.base_iri)
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
    g.add((SPARQL_PROTOCOL, RDF.type, DCTERMS.Standard))
    g.add((service, DCTERMS.license, CC_BY_4_0))
    g.add((service, DCTERMS.publisher, publisher))
    g.add((service, DCAT.contactPoint, contact))
    for keyword in ("SPARQL", "PTCE"):
        g.add((service, DCAT.keyword, Literal(keyword)))
    g.add((service, DCAT.theme, EU_DATA_THEME.ECON))
    return service


def _add_coverage(g: Graph, node: URIRef, key: str, coverage: Coverage, base: str) -> None:
    if coverage.period is not None:
        period = catalog_iri(f"period-{key}", base=base)
        g.add((node, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, DCAT.startDate, coverage.period[0]))
        g.add((period, DCAT.endDate, coverage.period[1]))
    if coverage.extent is not None:
        extent = catalog_iri(f"extent-{key}", base=base)
        g.add((node, DCTERMS.spatial, extent))
        g.add((extent, RDF.type, DCTERMS.Location))
        g.add((extent, DCAT.bbox, Literal(coverage.extent.bbox, datatype=GEO.wktLiteral)))
        g.add((extent, DCAT.centroid, Literal(coverage.extent.centroid, datatype=GEO.wktLiteral)))
        g.add((extent, LOCN.geometry, Literal(coverage.extent.geometry, datatype=GEO.wktLiteral)))


def _add_provenance(
    g: Graph, node: URIRef, by_part: dict[str, list[PublishedFile]], where: CatalogContext
) -> None:
    statement = catalog_iri("provenance-ptce", base=where.base_iri)
    g.add((node, DCTERMS.provenance, statement))
    g.add((statement, RDF.type, DCTERMS.ProvenanceStatement))
    _add_bilingual(
        g,
        statement,
        RDFS.label,
        "Chaque fait cite le ou les documents publics qui l'établissent (dcterms:source) ; "
        "les recherches restées sans résultat sont des lacunes documentées. Les graphes de "
        "provenance donnent, pour chaque graphe source, son fichier et sa date de chargement.",
        "Every fact cites the public document(s) that state it (dcterms:source); searches that "
        "found nothing are documentation gaps. The provenance graphs give each source graph's "
        "file and load time.",
    )
    for part in SUPPORT_PARTS:
        for f in sorted(by_part.get(part, ()), key=lambda f: f.name):
            g.add((statement, RDFS.seeAlso, URIRef(download_url(where.base_url, f.name))))


def _add_distribution(
    g: Graph, dataset: URIRef, f: PublishedFile, licence: URIRef, where: CatalogContext
) -> None:
    node = catalog_iri(f"distribution-{f.name}", base=where.base_iri)
    url = URIRef(download_url(where.base_url, f.name))
    g.add((dataset, DCAT.distribution, node))
    g.add((node, RDF.type, DCAT.Distribution))
    kind = "gzip, " if f.compressed else ""
    table = next((t for t in TABLES if t.file_name == f.name), None)
    if table is None:
        g.add((node, DCTERMS.title, Literal(f.name)))
        g.add((node, DCTERMS.description, Literal(f"{f.name} ({kind}{f.media_type})", lang="en")))
    else:
        _add_bilingual(g, node, DCTERMS.title, table.title_fr, table.title_en)
        columns = ", ".join(table.header)
        _add_bilingual(
            g,
            node,
            DCTERMS.description,
            f"{f.name} : CSV (RFC 4180, UTF-8), colonnes {columns} ; plusieurs valeurs d'une "
            f"cellule séparées par « {SEPARATOR.strip()} ».",
            f"{f.name}: CSV (RFC 4180, UTF-8), columns {columns}; several values of a cell "
            f"separated by “{SEPARATOR.strip()}”.",
        )
    g.add((node, DCAT.accessURL, url))
    g.add((node, DCAT.downloadURL, url))
    g.add((node, DCAT.mediaType, IANA_MEDIA_TYPE[f.media_type]))
    g.add((IANA_MEDIA_TYPE[f.media_type], RDF.type, DCTERMS.MediaType))
    if f.media_type in FILE_TYPES:
        file_type = EU_FILE_TYPE[FILE_TYPES[f.media_type]]
        g.add((node, DCTERMS["format"], file_type))
        g.add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
    if f.compressed:
        g.add((node, DCAT.compressFormat, IANA_MEDIA_TYPE[GZIP_MEDIA_TYPE]))
        g.add((IANA_MEDIA_TYPE[GZIP_MEDIA_TYPE], RDF.type, DCTERMS.MediaType))
    g.add((node, DCAT.byteSize, Literal(f.size, datatype=XSD.nonNegativeInteger)))
    g.add((node, DCTERMS.license, licence))
    checksum = catalog_iri(f"checksum-{f.name}", base=where.base_iri)
    g.add((node, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(f.sha256, datatype=XSD.hexBinary)))


__all__ = [
    "CATALOGUED_PARTS",
    "DATASETS",
    "FILE_TYPES",
    "UPDATE_FREQUENCY",
    "CatalogContext",
    "Coverage",
    "DatasetInfo",
    "Standard",
    "describe_catalog",
    "download_url",
]
