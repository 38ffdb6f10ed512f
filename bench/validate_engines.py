"""Benchmark the SPARQL validation engine against pySHACL on synthetic PTCE-like data.

    .venv/bin/python bench/validate_engines.py                  # 10k and 100k triples, both engines
    .venv/bin/python bench/validate_engines.py --sizes 1000000 --engines sparql

Each (engine, size) runs in a fresh subprocess so that its peak RSS (ru_maxrss) is its own. The data
is generated deterministically (IRIs https://w3id.org/ptce/id/.../synthetic-<n>); about 2 % of the
organisations, identifiers, memberships and indicators are made invalid on purpose.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ptce_kg.validate import validate_pyshacl
from ptce_kg.validate.sparql_engine import validate_sparql

SOURCE = "https://w3id.org/ptce/graph/synthetic"
INFERRED = SOURCE + "/inferred"
CONTEXT = "https://w3id.org/ptce/graph/ontology"
ID = "https://w3id.org/ptce/id/"
TRIPLES_PER_ORG = 20

PREFIXES = """@prefix ptce: <https://w3id.org/ptce/ontology#> .
@prefix ptcesh: <https://w3id.org/ptce/shapes#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def _luhn_expr(var: str, digits: int) -> str:
    """SPARQL expression: Luhn sum of the ``digits``-long string ``var``."""
    terms = []
    for i in range(1, digits + 1):
        d = f"xsd:integer(SUBSTR({var}, {i}, 1))"
        if (digits - i) % 2 == 1:
            terms.append(f"(2 * {d} - IF({d} > 4, 9, 0))")
        else:
            terms.append(d)
    return " + ".join(terms)


SHAPES = (
    PREFIXES
    + """
ptcesh:bench a sh:PrefixDeclaration ;
  sh:declare [ sh:prefix "skos" ;
               sh:namespace "http://www.w3.org/2004/02/skos/core#"^^xsd:anyURI ] ,
             [ sh:prefix "xsd" ; sh:namespace "http://www.w3.org/2001/XMLSchema#"^^xsd:anyURI ] .
ptcesh:Organisation a sh:NodeShape ; sh:targetClass ptce:Organisation ;
  sh:property [ sh:path rdfs:label ; sh:minCount 1 ; sh:datatype rdf:langString ;
                sh:message "Une organisation a un libellé."@fr ,
                           "An organisation has a label."@en ] ;
  sh:property [ sh:path adms:identifier ; sh:maxCount 1 ; sh:class adms:Identifier ;
                sh:nodeKind sh:IRI ] .
ptcesh:Identifier a sh:NodeShape ; sh:targetClass adms:Identifier ;
  sh:property [ sh:path skos:notation ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ;
                sh:pattern "^[0-9]{9}$" ] ;
  sh:sparql [ sh:prefixes ptcesh:bench ; sh:message "SIREN {?value} fails the Luhn check"@en ;
    sh:select \"\"\"SELECT $this ?value WHERE { $this skos:notation ?value .
      FILTER(REGEX(?value, "^[0-9]{9}$") && ((LUHN) - 10 * FLOOR((LUHN) / 10)) != 0) }\"\"\" ] .
ptcesh:Membership a sh:NodeShape ; sh:targetClass org:Membership ;
  sh:property [ sh:path org:member ; sh:minCount 1 ; sh:maxCount 1 ; sh:class ptce:Actor ] ;
  sh:property [ sh:path org:organization ; sh:minCount 1 ; sh:class ptce:PTCE ] .
ptcesh:Indicator a sh:NodeShape ; sh:targetClass ptce:Indicator ;
  sh:property [ sh:path ptce:value ; sh:minCount 1 ; sh:datatype xsd:decimal ; sh:minInclusive 0 ] ;
  sh:property [ sh:path ptce:date ; sh:minCount 1 ;
                sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:gYear ] ) ] .
""".replace("LUHN", _luhn_expr("?value", 9)).replace(
        "rdf:langString", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString>"
    )
)

CONTEXT_TTL = (
    PREFIXES
    + """
ptce:Association rdfs:subClassOf ptce:ESSEnterprise .
ptce:ESSEnterprise rdfs:subClassOf ptce:Organisation .
ptce:Organisation rdfs:subClassOf ptce:Actor .
"""
)


def _siren(n: int) -> str:
    """A 9-digit number with a valid Luhn check digit."""
    base = f"{(n * 7919) % 10**8:08d}"
    total = 0
    for i, ch in enumerate(reversed(base)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - (9 if d > 4 else 0)
        total += d
    return base + str((10 - total % 10) % 10)


def generate(triples: int) -> tuple[str, str]:
    """Return (source, inferred) N-Triples of about ``triples`` triples."""
    lines: list[str] = []
    inferred: list[str] = []
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    p = "https://w3id.org/ptce/ontology#"
    xsd = "http://www.w3.org/2001/XMLSchema#"
    n_ptce = max(1, triples // (TRIPLES_PER_ORG * 50))
    for k in range(n_ptce):
        lines.append(f"<{ID}ptce/synthetic-{k}> {rdf_type} <{p}PTCE> .")
    for i in range(triples // TRIPLES_PER_ORG):
        bad = i % 50 == 7  # ~2 % invalid
        o = f"<{ID}org/synthetic-{i}>"
        ident = f"<{ID}identifier/siren/synthetic-{i}>"
        mem = f"<{ID}membership/synthetic-{i}>"
        ind = f"<{ID}indicator/synthetic-{i}>"
        siren = _siren(i)
        if bad:
            siren = siren[:-1] + str((int(siren[-1]) + 1) % 10)
        lines += [
            f"{o} {rdf_type} <{p}Association> .",
            f'{o} <http://www.w3.org/2000/01/rdf-schema#label> "Organisation {i}"@fr .',
            f'{o} <http://www.w3.org/ns/regorg#legalName> "ORGANISATION {i}" .',
            f"{o} <http://www.w3.org/ns/adms#identifier> {ident} .",
            f"{ident} {rdf_type} <http://www.w3.org/ns/adms#Identifier> .",
            f'{ident} <http://www.w3.org/2004/02/skos/core#notation> "{siren}" .',
            f"{ident} <http://purl.org/dc/terms/type> <{ID}concept/identifier-type/siren> .",
            f"{mem} {rdf_type} <http://www.w3.org/ns/org#Membership> .",
            f"{mem} <http://www.w3.org/ns/org#organization> <{ID}ptce/synthetic-{i % n_ptce}> .",
            f"{mem} <http://www.w3.org/ns/org#role> <{ID}concept/role/member> .",
            f"{o} <{p}hasIndicator> {ind} .",
            f"{ind} {rdf_type} <{p}Indicator> .",
            f"{ind} <{p}indicatorKind> <{ID}concept/indicator/direct-jobs> .",
            f'{ind} <{p}value> "{-1 if bad else i % 97}.5"^^<{xsd}decimal> .',
            f'{ind} <{p}date> "{2000 + i % 25}"^^<{xsd}{"string" if bad else "gYear"}> .',
            f"{ind} <http://purl.org/dc/terms/source> <{ID}source/synthetic-{i % 13}> .",
        ]
        if not bad:
            lines.append(f"{mem} <http://www.w3.org/ns/org#member> {o} .")
        for cls in ("ESSEnterprise", "Organisation", "Actor"):
            inferred.append(f"{o} {rdf_type} <{p}{cls}> .")
    return "\n".join(lines) + "\n", "\n".join(inferred) + "\n"


def run_one(engine: str, triples: int) -> dict[str, float]:
    source, inferred = generate(triples)
    store = ox.Store()
    store.load(source.encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(SOURCE))
    store.load(inferred.encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(INFERRED))
    store.load(CONTEXT_TTL.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(CONTEXT))
    shapes = Graph().parse(data=SHAPES, format="turtle")
    size = len(store)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    validate = validate_sparql if engine == "sparql" else validate_pyshacl
    start = time.perf_counter()
    results = validate(store, shapes, focus_graphs=[SOURCE, INFERRED])
    elapsed = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    keys = sorted({(r.focus, r.path or "", r.constraint or "", r.value or "") for r in results})
    return {
        "quads": size,
        "seconds": elapsed,
        "peak_rss_mb": rss,
        "rss_before_mb": rss_before,
        "results": len(keys),
        "digest": hash(tuple(keys)) & 0xFFFFFFFF,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--engines", nargs="*", default=["sparql", "pyshacl"])
    parser.add_argument("--run", nargs=2, metavar=("ENGINE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run_one(args.run[0], int(args.run[1]))))
        return
    print(
        f"{'triples':>9} {'engine':>8} {'quads':>9} {'time s':>8} {'peak RSS MB':>12} "
        f"{'results':>8}"
    )
    for size in args.sizes:
        row: dict[str, dict[str, float]] = {}
        for engine in args.engines:
            out = subprocess.run(
                [sys.executable, __file__, "--run", engine, str(size)],
                check=True,
                capture_output=True,
                text=True,
                env={"PYTHONHASHSEED": "0", "PATH": ""},
            )
            row[engine] = json.loads(out.stdout.strip().splitlines()[-1])
            r = row[engine]
            print(
                f"{size:>9} {engine:>8} {r['quads']:>9.0f} {r['seconds']:>8.2f} "
                f"{r['peak_rss_mb']:>12.0f} {r['results']:>8.0f}",
                flush=True,
            )
        if "sparql" in row and "pyshacl" in row:
            ratio = row["pyshacl"]["seconds"] / max(row["sparql"]["seconds"], 1e-9)
            same = row["sparql"]["digest"] == row["pyshacl"]["digest"]
            print(f"{size:>9}    ratio pyshacl/sparql time = {ratio:.1f}x; same results: {same}")


if __name__ == "__main__":
    main()
