"""How much of each dimension the store documents for its real PTCEs: the coverage report.

Counts are of PTCEs, never of rows, and only of real ones (``ptce:synthetic true`` is left out
unless asked for). For each dimension the report separates three answers a researcher must not
confuse: *documented* (the store holds the fact), *searched, not found* (a
``ptce:DocumentationGap`` records a search that found nothing) and *unknown* (neither).
Recognition rounds compare the PTCEs in the store with the laureates public sources count
(``ptce:laureateCount`` of the round's concept).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ptce_kg.store import Store

PREFIXES = """
PREFIX ptce: <https://w3id.org/ptce/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rov: <http://www.w3.org/ns/regorg#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

#: dimension key (as in the ``dimension`` scheme) → label and the graph pattern a PTCE ``?p`` that
#: has it matches.
DIMENSIONS: dict[str, tuple[str, str]] = {
    "territory": ("territory (commune or area)", "?p ptce:basedIn|ptce:coversTerritory ?x"),
    "commune": ("commune", "?p ptce:basedIn ?x"),
    "sector": ("sector", "?p ptce:sector ?x"),
    "carrier": ("carrier or own legal entity", "?p ptce:carrier|ptce:legalStructure ?x"),
    "legal-form": (
        "legal form (of the PTCE or its carrier)",
        "{ ?p rov:orgType|ptce:cooperativeStatus ?x } UNION "
        "{ ?p ptce:carrier|ptce:legalStructure ?o . ?o rov:orgType|ptce:cooperativeStatus ?x }"
        " UNION { ?p ptce:carrier|ptce:legalStructure ?o . ?o a ?x . "
        "VALUES ?x { ptce:Association ptce:SCIC ptce:SCOP ptce:Foundation ptce:Mutual } }",
    ),
    "composition": (
        "composition: at least 3 members",
        "{ SELECT ?p WHERE { ?m org:organization ?p ; org:member ?a } "
        "GROUP BY ?p HAVING (COUNT(DISTINCT ?a) >= 3) }",
    ),
    "indicators": ("dated indicators", "?p ptce:hasIndicator ?x"),
    "recognition": ("recognition (call, AMI, label)", "?p ptce:hasRecognition ?x"),
    "founded": ("founding date", "?p schema:foundingDate ?x"),
    "governance": ("governance bodies", "?p ptce:hasGovernanceBody ?x"),
    "actions": ("cooperation actions", "?x ptce:inPTCE ?p ; a ptce:CooperationAction"),
}

REAL = "?p a ptce:PTCE . FILTER NOT EXISTS { ?p ptce:synthetic true }"
ANY = "?p a ptce:PTCE ."


@dataclass(frozen=True)
class DimensionCoverage:
    """How many PTCEs have one dimension documented, searched without result, or unknown."""

    dimension: str
    label: str
    documented: int
    not_found: int
    unknown: int


@dataclass(frozen=True)
class RoundCoverage:
    """PTCEs recognised by one round in the store, against the laureates sources count."""

    round: str
    label: str
    in_store: int
    laureates_in_sources: int | None


@dataclass
class Coverage:
    """The coverage report of a store."""

    ptces: int
    examples_included: bool
    dimensions: list[DimensionCoverage] = field(default_factory=list)
    rounds: list[RoundCoverage] = field(default_factory=list)
    diverse_composition: int = 0
    composition_not_documented: int = 0
    organisations: int = 0
    memberships: int = 0
    sources: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _count(store: Store, pattern: str, scope: str) -> int:
    result = store.query(
        f"{PREFIXES} SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ {scope} {{ {pattern} }} }}"
    )
    return int(str(result.rows[0][0])) if result.rows else 0


def coverage_report(store: Store, *, include_synthetic: bool = False) -> Coverage:
    """Count, per dimension and per recognition round, what the store documents."""
    scope = ANY if include_synthetic else REAL
    total = _count(store, "", scope)
    report = Coverage(ptces=total, examples_included=include_synthetic)
    for key, (label, pattern) in DIMENSIONS.items():
        documented = _count(store, pattern, scope)
        gap = (
            "?p ptce:documentationGap ?g . ?g ptce:dimension "
            f"<https://w3id.org/ptce/id/concept/dimension/{key}> "
            f"FILTER NOT EXISTS {{ {pattern} }}"
        )
        if key == "composition":
            gap = f"{{ {gap} }} UNION {{ ?p ptce:compositionDocumented false }}"
        not_found = _count(store, gap, scope)
        report.dimensions.append(
            DimensionCoverage(key, label, documented, not_found, total - documented - not_found)
        )
    report.composition_not_documented = _count(store, "?p ptce:compositionDocumented false", scope)
    report.diverse_composition = _count(
        store,
        "{ SELECT ?p WHERE { ?m org:organization ?p ; org:member ?a . "
        "?a a ?category . VALUES ?category { ptce:ESSEnterprise ptce:EnterpriseOutsideESS "
        "ptce:Article9Actor } } GROUP BY ?p "
        "HAVING (COUNT(DISTINCT ?a) >= 3 && COUNT(DISTINCT ?category) >= 2) }",
        scope,
    )
    rounds = store.query(
        f"""{PREFIXES}
        SELECT ?round ?label ?laureates (COUNT(DISTINCT ?p) AS ?n) WHERE {{
          ?round skos:inScheme <https://w3id.org/ptce/id/scheme/recognition> .
          OPTIONAL {{ ?round skos:prefLabel ?label FILTER(LANG(?label) = "en") }}
          OPTIONAL {{ ?round ptce:laureateCount ?laureates }}
          OPTIONAL {{ {scope} ?p ptce:hasRecognition/ptce:recognitionKind ?round }}
        }} GROUP BY ?round ?label ?laureates ORDER BY ?round"""
    )
    for concept, name, laureates, n in rounds.rows:
        report.rounds.append(
            RoundCoverage(
                round=str(concept).rsplit("/", 1)[-1],
                label=str(name) if name is not None else "",
                in_store=int(str(n)),
                laureates_in_sources=int(str(laureates)) if laureates is not None else None,
            )
        )
    for attr, pattern in (
        ("organisations", "{ ?m org:organization ?p ; org:member ?x } UNION "
                          "{ ?p ptce:carrier|ptce:legalStructure ?x }"),
        ("memberships", "?x org:organization ?p"),
        ("sources", "{ ?p dcterms:source ?x } UNION { ?s rdf:subject ?p ; dcterms:source ?x } "
                    "UNION { ?n org:organization|ptce:inPTCE ?p ; dcterms:source ?x } UNION "
                    "{ ?p ptce:hasRecognition|ptce:hasIndicator ?n . ?n dcterms:source ?x }"),
    ):  # fmt: skip
        result = store.query(
            f"{PREFIXES} PREFIX dcterms: <http://purl.org/dc/terms/> "
            "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
            f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {scope} {{ {pattern} }} }}"
        )
        setattr(report, attr, int(str(result.rows[0][0])))
    return report


def format_coverage(report: Coverage) -> str:
    """The report as plain text (the CLI's default output)."""
    scope = "real and synthetic" if report.examples_included else "real"
    lines = [
        f"{report.ptces} {scope} PTCE; {report.organisations} organisations, "
        f"{report.memberships} memberships, {report.sources} source documents",
        "",
        f"{'dimension':<42} {'documented':>10} {'not found':>10} {'unknown':>8}",
    ]
    for d in report.dimensions:
        lines.append(f"{d.label:<42} {d.documented:>10} {d.not_found:>10} {d.unknown:>8}")
    lines += [
        "",
        f"composition not documented (sources name no member): {report.composition_not_documented}",
        f">= 3 members of >= 2 article-9 categories: {report.diverse_composition}",
        "",
        f"{'recognition round':<42} {'in store':>10} {'in sources':>10}",
    ]
    for r in report.rounds:
        named = "" if r.laureates_in_sources is None else str(r.laureates_in_sources)
        lines.append(f"{r.label or r.round:<42} {r.in_store:>10} {named:>10}")
    return "\n".join(lines)
