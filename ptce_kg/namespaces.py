"""Every IRI base of ptce_kg, and the ontology's terms as Python names.

This is the only module that knows IRI bases (see docs/decisions/0001-iri-policy.md). Terms of the
ptce ontology are attributes of ``PTCE``; a typo raises ``AttributeError`` instead of minting an
IRI. Data IRIs are minted with :func:`mint_iri`, concept IRIs with :func:`concept_iri`.
"""

from __future__ import annotations

import re
import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

DEFAULT_BASE = "https://w3id.org/ptce/"
ONTOLOGY_IRI = "https://w3id.org/ptce/ontology"


class PTCE(DefinedNamespace):
    """Terms of the ptce ontology (ontology/ptce.ttl); tests check both lists agree."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # classes
    PTCE: URIRef
    Actor: URIRef
    Organisation: URIRef
    ESSEnterprise: URIRef
    Association: URIRef
    Cooperative: URIRef
    Mutual: URIRef
    Foundation: URIRef
    ESSCommercialCompany: URIRef
    SCOP: URIRef
    SCIC: URIRef
    CAE: URIRef
    AgriculturalCooperative: URIRef
    EnterpriseOutsideESS: URIRef
    Article9Actor: URIRef
    LocalAuthority: URIRef
    MunicipalAuthority: URIRef
    InterMunicipalAuthority: URIRef
    DepartmentalAuthority: URIRef
    RegionalAuthority: URIRef
    ResearchCentre: URIRef
    HigherEducationInstitution: URIRef
    TrainingBody: URIRef
    Network: URIRef
    PublicAgency: URIRef
    Funder: URIRef
    Citizen: URIRef
    CooperationAction: URIRef
    Project: URIRef
    Recognition: URIRef
    Indicator: URIRef
    GovernanceBody: URIRef
    Territory: URIRef
    Commune: URIRef
    Departement: URIRef
    Region: URIRef
    EPCI: URIRef
    SourceDocument: URIRef
    DocumentationGap: URIRef
    # properties
    cooperativeStatus: URIRef
    esusApproved: URIRef
    compositionDocumented: URIRef
    documentationGap: URIRef
    legalFormBefore: URIRef
    legalFormAfter: URIRef
    dimension: URIRef
    searchedOn: URIRef
    locator: URIRef
    accessed: URIRef
    synthetic: URIRef
    relatedCluster: URIRef
    population: URIRef
    carrier: URIRef
    carrierOf: URIRef
    legalStructure: URIRef
    stage: URIRef
    origin: URIRef
    poleType: URIRef
    sector: URIRef
    basedIn: URIRef
    coversTerritory: URIRef
    territoryType: URIRef
    scale: URIRef
    inseeCode: URIRef
    epciSiren: URIRef
    within: URIRef
    withinTransitive: URIRef
    college: URIRef
    startDate: URIRef
    endDate: URIRef
    cooperationType: URIRef
    inPTCE: URIRef
    participant: URIRef
    sharedResource: URIRef
    hasRecognition: URIRef
    recognitionKind: URIRef
    recognitionDate: URIRef
    amount: URIRef
    hasIndicator: URIRef
    indicatorOf: URIRef
    refPeriod: URIRef
    grantedAmount: URIRef
    hasESUSApproval: URIRef
    ESUSApproval: URIRef
    indicatorKind: URIRef
    value: URIRef
    unit: URIRef
    date: URIRef
    hasGovernanceBody: URIRef
    citizenParticipation: URIRef
    fundingSource: URIRef
    verificationStatus: URIRef
    sourceNote: URIRef
    # annotation properties (on vocabulary concepts)
    applicantCount: URIRef
    categoryClass: URIRef
    laureateCount: URIRef


ORG = Namespace("http://www.w3.org/ns/org#")
ROV = Namespace("http://www.w3.org/ns/regorg#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SCHEMA = Namespace("https://schema.org/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
# Targets of the shipped link sets (data/links/, docs/decisions/0008-links-and-stable-iris.md)
GEONAMES = Namespace("https://sws.geonames.org/")  # a feature is <GEONAMES><id>/
INSEE_CJ = Namespace("http://id.insee.fr/codes/cj/niveauIII/")  # INSEE legal category, level III
INSEE_NAF = Namespace("http://id.insee.fr/codes/nafr2/")  # NAF rév. 2: section/, division/, …
ANNUAIRE_ENTREPRISES = Namespace("https://annuaire-entreprises.data.gouv.fr/entreprise/")
ESSGLOBAL = Namespace("http://purl.org/essglobal/vocab/")
PAIR = Namespace("http://virtual-assembly.org/ontologies/pair#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
SH = Namespace("http://www.w3.org/ns/shacl#")
QB = Namespace("http://purl.org/linked-data/cube#")  # RDF Data Cube: indicators are observations
TIME = Namespace("http://www.w3.org/2006/time#")  # OWL-Time: reference periods
QUDT = Namespace("http://qudt.org/schema/qudt/")
QUDT_UNIT = Namespace("http://qudt.org/vocab/unit/")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
PTCESH = Namespace("https://w3id.org/ptce/shapes#")
#: W3C's IRIs for serialisation formats (https://www.w3.org/ns/formats/).

PREFIXES: dict[str, str] = {
    "ptce": str(PTCE._NS),
    "ptcesh": str(PTCESH),
    "org": str(ORG),
    "rov": str(ROV),
    "adms": str(ADMS),
    "schema": str(SCHEMA),
    "geo": str(GEO),
    "igeo": str(IGEO),
    "essglobal": str(ESSGLOBAL),
    "pair": str(PAIR),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": str(SH),
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": str(VOID),
    "sd": str(SD),
    "time": "http://www.w3.org/2006/time#",
    "qb": str(QB),
    "qudt": str(QUDT),
    "unit": str(QUDT_UNIT),
    "sdmx-attribute": str(SDMX_ATTRIBUTE),
}

_SLUG_STRIP = re.compile(r"[^a-z0-9]+")

#: A full http(s) IRI as a user may give one (a parameter, a cell, a source's URL): no space, quote,
#: brace, angle bracket, pipe, caret, backquote or backslash, so that it can stand between < and >.
HTTP_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`]+")


def slugify(text: str) -> str:
    """Return a stable lowercase ASCII key for ``text`` (accents dropped, others → ``-``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _SLUG_STRIP.sub("-", ascii_text.lower()).strip("-")
    if not slug:
        raise ValueError(f"cannot make a key from {text!r}: it has no letter or digit")
    return slug


def mint_iri(kind: str, key: str, *, base: str = DEFAULT_BASE) -> URIRef:
    """Return the data IRI ``<base>id/<kind>/<key>``; ``key`` must already be a stable key."""
    if not re.fullmatch(r"[a-z][a-z0-9-]*", kind):
        raise ValueError(f"invalid IRI type slug {kind!r}")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]*", key) or ".." in key:
        raise ValueError(f"invalid IRI key {key!r}: use letters, digits, '-', '_', '.', '/'")
    return URIRef(f"{base}id/{kind}/{key}")


def concept_iri(scheme: str, key: str, *, base: str = DEFAULT_BASE) -> URIRef:
    """Return the IRI of concept ``key`` of SKOS scheme ``scheme``."""
    return mint_iri("concept", f"{scheme}/{key}", base=base)


def scheme_iri(scheme: str, *, base: str = DEFAULT_BASE) -> URIRef:
    """Return the IRI of the SKOS scheme ``scheme``."""
    return mint_iri("scheme", scheme, base=base)


def graph_iri(source: str, *, base: str = DEFAULT_BASE) -> URIRef:
    """Return the named-graph IRI of a source (one graph per source)."""
    return URIRef(f"{base}graph/{slugify(source)}")


ONTOLOGY_GRAPH = graph_iri("ontology")
CLOSURE_GRAPH = graph_iri("ontology-closure")
PROVENANCE_GRAPH = graph_iri("provenance")
STAGING_PREFIX = f"{DEFAULT_BASE}graph/staging/"

# Publishing (DCAT 3 / DCAT-AP 3 catalogue, VoID): vocabularies and the authority lists they cite.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")  # W3C's IRIs for serialisation formats
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
IANA_MEDIA_TYPE = Namespace("http://www.iana.org/assignments/media-types/")
EU_FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
EU_DATA_THEME = Namespace("http://publications.europa.eu/resource/authority/data-theme/")
EU_COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
EU_FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
LOCN = Namespace("http://www.w3.org/ns/locn#")  # GeoDCAT-AP: locn:geometry of a dcterms:Location
ADMS_LICENCE_TYPE = Namespace("http://purl.org/adms/licencetype/")
CC_BY_4_0 = URIRef("https://creativecommons.org/licenses/by/4.0/")
LICENCE_OUVERTE_2_0 = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")


def dataset_iri(*, base: str = DEFAULT_BASE) -> URIRef:
    """Return the IRI of the VoID description's root dataset, ``<base>dataset``."""
    return URIRef(f"{base}dataset")


def catalog_iri(fragment: str = "", *, base: str = DEFAULT_BASE) -> URIRef:
    """Return the catalogue IRI ``<base>catalog``, or ``<base>catalog#<fragment>`` (its parts)."""
    if fragment and not re.fullmatch(r"[A-Za-z][A-Za-z0-9._-]*", fragment):
        raise ValueError(f"invalid catalogue fragment {fragment!r}")
    return URIRef(f"{base}catalog#{fragment}" if fragment else f"{base}catalog")


def data_uri_space(*, base: str = DEFAULT_BASE) -> str:
    """Return the prefix every data IRI starts with, ``<base>id/`` (VoID's ``void:uriSpace``)."""
    return f"{base}id/"
