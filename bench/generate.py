"""Generate synthetic PTCE-shaped RDF at a target size, deterministically and in constant memory.

Every IRI this script mints contains ``synthetic`` and every label ends with `` (synthétique)``@fr
or `` (synthetic)``@en: the output is benchmark material, never facts. The shape follows
docs/decisions/0002-data-model.md: one PTCE per ~500 triples, each with a label, a commune
(``ptce:basedIn``, real INSEE codes read from data/territories/communes.ttl), a source document,
sectors, recognitions, three years of indicators, ~15 member organisations (specific classes, a
Luhn-valid SIREN identifier node, an ``org:Membership``), cooperation actions, and two actors shared
with the previous PTCE.

Same arguments → byte-identical output. The file is written PTCE by PTCE (a few hundred triples in
memory at a time), so memory does not grow with ``--triples``.

    .venv/bin/python bench/generate.py --triples 100000 --output bench/data/synthetic-100k.nt
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
COMMUNES_FILE = ROOT / "data" / "territories" / "communes.ttl"
FALLBACK_COMMUNES = ("42218", "63113", "21231", "75118", "31555", "26281")
TRIPLES_PER_PTCE = 500

# ------------------------------------------------------------------------------------- vocabulary
PTCE = "https://w3id.org/ptce/ontology#"
ID = "https://w3id.org/ptce/id/"
CONCEPT = ID + "concept/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"

PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": XSD,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "rov": "http://www.w3.org/ns/regorg#",
    "adms": "http://www.w3.org/ns/adms#",
    "schema": "https://schema.org/",
    "ptce": PTCE,
    "pole": ID + "ptce/",
    "actor": ID + "org/",
    "membership": ID + "membership/",
    "cooperation": ID + "cooperation/",
    "recog": ID + "recognition/",
    "ind": ID + "indicator/",
    "src": ID + "source/",
    "siren": ID + "identifier/siren/",
    "commune": ID + "commune/",
    "sector": CONCEPT + "sector/",
    "role": CONCEPT + "role/",
    "college": CONCEPT + "college/",
    "legalform": CONCEPT + "legal-form/",
    "idtype": CONCEPT + "identifier-type/",
    "cooptype": CONCEPT + "cooperation-type/",
    "recognition": CONCEPT + "recognition/",
    "indicator": CONCEPT + "indicator/",
    "unit": CONCEPT + "unit/",
    "stage": CONCEPT + "stage/",
    "origin": CONCEPT + "origin/",
    "poletype": CONCEPT + "pole-type/",
    "scale": CONCEPT + "scale/",
    "ttype": CONCEPT + "territory-type/",
    "funding": CONCEPT + "funding/",
}
_P = PREFIXES

SECTORS = (
    "eco-activities",
    "employment-career-paths",
    "food-sustainable-agriculture",
    "culture-creative-industries",
    "business-services",
    "personal-services",
    "circular-economy",
    "mobility",
    "housing-construction",
    "digital",
    "textile-fashion",
    "industry-relocation",
    "tourism",
    "health-social",
)
COOPERATION_TYPES = (
    "shared-staff",
    "employer-group",
    "shared-premises",
    "shared-equipment",
    "joint-purchasing",
    "shared-hr",
    "shared-accounting",
    "shared-it",
    "joint-tender",
    "integrated-offer",
    "value-chain",
    "joint-research",
    "training",
    "policy-co-construction",
    "shared-communication",
    "joint-financing",
)
RECOGNITIONS = (
    ("call-2013", 2014),
    ("call-2015", 2016),
    ("ami-2021-phase-1", 2021),
    ("ami-2021-phase-2", 2022),
    ("ami-2022", 2022),
    ("ami-2023", 2023),
    ("ami-2024", 2024),
    ("labo-ess-charter", 2015),
    ("regional-label", 2019),
)
INDICATORS = (  # kind, unit, low, high
    ("member-count", "count", 8, 60),
    ("direct-jobs", "person", 10, 400),
    ("turnover", "euro", 200_000, 20_000_000),
)
INDICATOR_YEARS = (2021, 2022, 2023)
MEMBERSHIP_YEARS = (2012, 2023)
# every year a synthetic date names: memberships' starts, recognitions, indicators
PERIOD_YEARS = sorted(
    {*range(MEMBERSHIP_YEARS[0], MEMBERSHIP_YEARS[1] + 1), *INDICATOR_YEARS}
    | {when for _kind, when in RECOGNITIONS}
)
ROLES = ("member", "member", "member", "founder", "partner", "funder", "associate")
# class, legal-form code (INSEE CJ) or None, cooperative status or None, French stem, English stem,
# college, weight
ORG_KINDS = (
    ("Association", "9220", None, "Association", "Association", "ess-enterprises", 5),
    (
        "Association",
        "9221",
        None,
        "Chantier d'insertion",
        "Work-integration body",
        "ess-enterprises",
        2,
    ),
    ("SCOP", "5458", "scop", "SCOP", "Worker cooperative", "ess-enterprises", 2),
    ("SCIC", "5560", "scic", "SCIC", "Multi-stakeholder cooperative", "ess-enterprises", 1),
    (
        "CAE",
        "5458",
        "scop",
        "Coopérative d'activité",
        "Business and employment coop",
        "ess-enterprises",
        1,
    ),
    (
        "AgriculturalCooperative",
        "6317",
        None,
        "Coopérative agricole",
        "Farm cooperative",
        "ess-enterprises",
        1,
    ),
    ("Mutual", "8210", None, "Mutuelle", "Mutual", "ess-enterprises", 1),
    ("Foundation", "9300", None, "Fondation", "Foundation", "supporters", 1),
    ("EnterpriseOutsideESS", "5710", None, "Entreprise locale", "Local firm", "enterprises", 3),
    ("MunicipalAuthority", None, None, "Commune", "Municipality", "local-authorities", 1),
    (
        "InterMunicipalAuthority",
        "7346",
        None,
        "Communauté de communes",
        "Community of communes",
        "local-authorities",
        1,
    ),
    ("ResearchCentre", None, None, "Laboratoire", "Research lab", "research-training", 1),
    (
        "TrainingBody",
        "9220",
        None,
        "Organisme de formation",
        "Training body",
        "research-training",
        1,
    ),
    ("Network", "9220", None, "Réseau", "Network", "supporters", 1),
)
_ORG_WEIGHTS = [k[-1] for k in ORG_KINDS]
# the first two members of every PTCE cover décret 2015-431 (an enterprise outside the ESS and
# another article-9 actor); the rest are drawn by weight
_OUTSIDE_ESS = [k for k in ORG_KINDS if k[0] == "EnterpriseOutsideESS"]
_ARTICLE9 = [k for k in ORG_KINDS if k[0] in ("InterMunicipalAuthority", "TrainingBody")]

MEMBERS_PER_PTCE = 15
SHARED_PER_PTCE = 2  # actors of the previous PTCE that are also members of this one
ACTIONS_PER_PTCE = 3


# ----------------------------------------------------------------------------------------- terms
def iri(value: str) -> str:
    return f"<{value}>"


def lit(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def fr(text: str) -> str:
    return f"{lit(text + ' (synthétique)')}@fr"


def en(text: str) -> str:
    return f"{lit(text + ' (synthetic)')}@en"


def typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def year(y: int) -> str:
    return typed(y, "gYear")


A = iri(RDF_TYPE)
PT = {
    name: iri(PTCE + name)
    for name in (
        "PTCE",
        "basedIn",
        "sector",
        "stage",
        "origin",
        "poleType",
        "scale",
        "territoryType",
        "hasRecognition",
        "hasIndicator",
        "citizenParticipation",
        "fundingSource",
        "recognitionKind",
        "recognitionDate",
        "grantedAmount",
        "refPeriod",
        "startDate",
        "endDate",
        "indicatorKind",
        "value",
        "cooperativeStatus",
        "college",
        "CooperationAction",
        "inPTCE",
        "cooperationType",
        "participant",
        "sharedResource",
        "Recognition",
        "Indicator",
        "SourceDocument",
    )
}
PREF_LABEL = iri(_P["skos"] + "prefLabel")
LABEL = iri(_P["rdfs"] + "label")
NOTATION = iri(_P["skos"] + "notation")
SOURCE = iri(_P["dcterms"] + "source")
TITLE = iri(_P["dcterms"] + "title")
DTYPE = iri(_P["dcterms"] + "type")
DESCRIPTION = iri(_P["dcterms"] + "description")
FOUNDING = iri(_P["schema"] + "foundingDate")
ORG_MEMBERSHIP = iri(_P["org"] + "Membership")
ORG_MEMBER = iri(_P["org"] + "member")
ORG_ORGANIZATION = iri(_P["org"] + "organization")
ORG_ROLE = iri(_P["org"] + "role")
ROV_REGISTERED = iri(_P["rov"] + "RegisteredOrganization")
ROV_LEGAL_NAME = iri(_P["rov"] + "legalName")
ROV_ORG_TYPE = iri(_P["rov"] + "orgType")
ADMS_IDENTIFIER = iri(_P["adms"] + "identifier")
ADMS_IDENTIFIER_CLASS = iri(_P["adms"] + "Identifier")
SIREN_TYPE = iri(_P["idtype"] + "siren")
# indicators are Data Cube observations with an OWL-Time period and a QUDT unit (decision 0007)
QB_OBSERVATION = iri("http://purl.org/linked-data/cube#Observation")
QB_DATASET = iri("http://purl.org/linked-data/cube#dataSet")
INDICATOR_DATASET = iri(f"{ID}dataset/indicators")
UNIT_MEASURE = iri("http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure")
UNITS = {
    "count": iri("http://qudt.org/vocab/unit/NUM"),
    "person": iri(f"{CONCEPT}unit/person"),
    "euro": iri("http://qudt.org/vocab/unit/CCY_EUR"),
}
TIME = "http://www.w3.org/2006/time#"
QUDT = "http://qudt.org/schema/qudt/"


def period_subjects(y: int) -> list[tuple[str, list[tuple[str, str]]]]:
    """The OWL-Time interval ``id/period/<year>`` and its first and last days."""
    first, last = iri(f"{ID}instant/{y}-01-01"), iri(f"{ID}instant/{y}-12-31")
    return [
        (
            iri(f"{ID}period/{y}"),
            [
                (A, iri(TIME + "ProperInterval")),
                (LABEL, lit(str(y))),
                (iri(TIME + "hasBeginning"), first),
                (iri(TIME + "hasEnd"), last),
            ],
        ),
        (
            first,
            [(A, iri(TIME + "Instant")), (iri(TIME + "inXSDDate"), typed(f"{y}-01-01", "date"))],
        ),
        (
            last,
            [(A, iri(TIME + "Instant")), (iri(TIME + "inXSDDate"), typed(f"{y}-12-31", "date"))],
        ),
    ]


def concept(scheme: str, key: str) -> str:
    return iri(f"{CONCEPT}{scheme}/{key}")


def pole_iri(i: int) -> str:
    return iri(f"{ID}ptce/synthetic-{i}")


def actor_iri(i: int, j: int) -> str:
    return iri(f"{ID}org/synthetic-{i}-{j}")


# ------------------------------------------------------------------------------------------ SIREN
def luhn_check_digit(digits: str) -> int:
    """The digit that makes ``digits + digit`` pass the Luhn check (SIREN's key)."""
    total = 0
    for pos, ch in enumerate(reversed(digits)):
        d = int(ch)
        if pos % 2 == 0:  # these are in odd positions once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def luhn_valid(number: str) -> bool:
    """True when ``number`` passes the Luhn check."""
    return number.isdigit() and luhn_check_digit(number[:-1]) == int(number[-1])


def siren(serial: int) -> str:
    """A Luhn-valid 9-digit SIREN for the ``serial``-th synthetic organisation (900000000+)."""
    base = f"{90_000_000 + serial:08d}"
    if len(base) != 8:
        raise ValueError("too many synthetic organisations for 8-digit SIREN bases")
    return base + str(luhn_check_digit(base))


# -------------------------------------------------------------------------------------- communes
def read_communes(path: Path = COMMUNES_FILE) -> tuple[str, ...]:
    """INSEE codes of the communes declared in ``path``, or a fixed list of real codes."""
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        codes = sorted(
            set(re.findall(r"<https://w3id\.org/ptce/id/commune/([0-9AB]{5})> a ", text))
        )
        if codes:
            return tuple(codes)
    return FALLBACK_COMMUNES


# ---------------------------------------------------------------------------------------- blocks
Subject = tuple[str, list[tuple[str, str]]]


def _org(
    i: int, j: int, serial: int, rng: random.Random, communes: tuple[str, ...], src: str
) -> tuple[list[Subject], str]:
    """An organisation and its SIREN identifier node; also returns its membership college."""
    kinds = _OUTSIDE_ESS if j == 0 else _ARTICLE9 if j == 1 else ORG_KINDS
    weights = [k[-1] for k in kinds]
    cls, cj, status, stem_fr, stem_en, college, _w = rng.choices(kinds, weights)[0]
    number = siren(serial)
    ident = iri(f"{ID}identifier/siren/synthetic-{number}")
    name = f"{stem_fr} {i}-{j}"
    props = [
        (A, iri(PTCE + cls)),
        (A, ROV_REGISTERED),
        (PREF_LABEL, fr(name)),
        (LABEL, fr(name)),
        (LABEL, en(f"{stem_en} {i}-{j}")),
        (ROV_LEGAL_NAME, lit(f"{stem_fr.upper()} {i}-{j} SYNTHETIQUE")),
        (ADMS_IDENTIFIER, ident),
        (PT["basedIn"], iri(f"{ID}commune/{rng.choice(communes)}")),
        (PT["sector"], concept("sector", rng.choice(SECTORS))),
        (FOUNDING, year(rng.randint(1980, 2020))),
        (SOURCE, src),
    ]
    if cj:
        props.append((ROV_ORG_TYPE, concept("legal-form", cj)))
    if status:
        props.append((PT["cooperativeStatus"], concept("legal-form", status)))
    identifier = [(A, ADMS_IDENTIFIER_CLASS), (NOTATION, lit(number)), (DTYPE, SIREN_TYPE)]
    return [(actor_iri(i, j), props), (ident, identifier)], college


def _membership(
    i: int, member: str, key: str, rng: random.Random, src: str, college: str | None
) -> list[Subject]:
    """The membership and its ``org:memberDuring`` interval, which begins on the first day of the
    start year as stated (decision 0007; the instants are described once, with the periods)."""
    role = concept("role", rng.choice(ROLES))
    start = rng.randint(*MEMBERSHIP_YEARS)
    interval = iri(f"{ID}interval/synthetic-{i}-{key}")
    props = [
        (A, ORG_MEMBERSHIP),
        (ORG_MEMBER, member),
        (ORG_ORGANIZATION, pole_iri(i)),
        (ORG_ROLE, role),
        (PT["startDate"], year(start)),
        (iri(_P["org"] + "memberDuring"), interval),
        (SOURCE, src),
    ]
    if college:
        props.append((PT["college"], concept("college", college)))
    during = [
        (A, iri(TIME + "ProperInterval")),
        (iri(TIME + "hasBeginning"), iri(f"{ID}instant/{start}-01-01")),
    ]
    return [(iri(f"{ID}membership/synthetic-{i}-{key}"), props), (interval, during)]


def _core(i: int, rng: random.Random, communes: tuple[str, ...], src: str) -> list[Subject]:
    pole = pole_iri(i)
    founded = rng.randint(2008, 2021)
    recognitions = rng.sample(RECOGNITIONS, rng.randint(1, 2))
    sectors = rng.sample(SECTORS, rng.randint(1, 3))
    subjects: list[Subject] = []
    props = [
        (A, PT["PTCE"]),
        (PREF_LABEL, fr(f"Pôle de coopération {i}")),
        (LABEL, fr(f"Pôle de coopération {i}")),
        (LABEL, en(f"Cooperation pole {i}")),
        (DESCRIPTION, fr(f"Pôle fictif numéro {i}, généré pour les mesures de performance")),
        (PT["basedIn"], iri(f"{ID}commune/{communes[i % len(communes)]}")),
        (SOURCE, src),
        (FOUNDING, year(founded)),
        (PT["stage"], concept("stage", rng.choice(("emerging", "established")))),
        (
            PT["origin"],
            concept(
                "origin",
                rng.choice(("bottom-up", "local-authority-led", "network-led", "enterprise-led")),
            ),
        ),
        (
            PT["poleType"],
            concept("pole-type", rng.choice(("pooling", "multi-activity", "single-sector"))),
        ),
        (PT["scale"], concept("scale", rng.choice(("commune", "intercommunal", "departement")))),
        (
            PT["territoryType"],
            concept("territory-type", rng.choice(("rural", "urban", "peri-urban"))),
        ),
        (PT["citizenParticipation"], typed(rng.choice(("true", "false")), "boolean")),
        (PT["fundingSource"], concept("funding", "public-subsidy")),
        (
            PT["fundingSource"],
            concept("funding", rng.choice(("member-fees", "own-revenue", "private-funding"))),
        ),
    ]
    props += [(PT["sector"], concept("sector", s)) for s in sectors]
    subjects.append((pole, props))
    subjects.append(
        (
            src,
            [
                (A, PT["SourceDocument"]),
                (TITLE, fr(f"Rapport d'activité fictif du pôle {i}")),
                (TITLE, en(f"Made-up activity report of pole {i}")),
            ],
        )
    )
    for kind, when in recognitions:
        rec = iri(f"{ID}recognition/synthetic-{i}-{kind}")
        amount = typed(f"{rng.randint(3, 30) * 10000}.00", "decimal")
        props.append((PT["hasRecognition"], rec))
        subjects.append(
            (
                rec,
                [
                    (A, PT["Recognition"]),
                    (PT["recognitionKind"], concept("recognition", kind)),
                    (PT["recognitionDate"], year(when)),
                    (iri(TIME + "hasTime"), iri(f"{ID}period/{when}")),
                    (PT["grantedAmount"], iri(f"{ID}amount/synthetic-{i}-{kind}")),
                    (PT["startDate"], year(when)),
                    (PT["endDate"], year(when + 2)),
                    (SOURCE, src),
                ],
            )
        )
        subjects.append(
            (
                iri(f"{ID}amount/synthetic-{i}-{kind}"),
                [
                    (A, iri(QUDT + "QuantityValue")),
                    (iri(QUDT + "numericValue"), amount),
                    (iri(QUDT + "unit"), UNITS["euro"]),
                ],
            )
        )
    if i == 0:  # the periods (and their days) every PTCE's dates share, described once
        for y in PERIOD_YEARS:
            subjects.extend(period_subjects(y))
    for kind, unit, low, high in INDICATORS:
        value = rng.randint(low, high)
        for y in INDICATOR_YEARS:
            ind = iri(f"{ID}indicator/synthetic-{i}-{kind}-{y}")
            props.append((PT["hasIndicator"], ind))
            subjects.append(
                (
                    ind,
                    [
                        (A, PT["Indicator"]),
                        (A, QB_OBSERVATION),
                        (QB_DATASET, INDICATOR_DATASET),
                        (PT["indicatorKind"], concept("indicator", kind)),
                        (PT["value"], typed(f"{value}.0", "decimal")),
                        (UNIT_MEASURE, UNITS[unit]),
                        (PT["refPeriod"], iri(f"{ID}period/{y}")),
                        (SOURCE, src),
                    ],
                )
            )
            value = max(low, int(value * rng.uniform(0.9, 1.25)))
    return subjects


def _actions(i: int, rng: random.Random, participants: list[str], src: str) -> list[Subject]:
    subjects: list[Subject] = []
    for k in range(ACTIONS_PER_PTCE):
        types = rng.sample(COOPERATION_TYPES, rng.randint(1, 2))
        who = rng.sample(participants, 3)
        props = [
            (A, PT["CooperationAction"]),
            (LABEL, fr(f"Action de coopération {i}-{k}")),
            (LABEL, en(f"Cooperation action {i}-{k}")),
            (PT["inPTCE"], pole_iri(i)),
            (PT["startDate"], year(rng.randint(2015, 2023))),
            (PT["sharedResource"], fr(f"Ressource mutualisée {i}-{k}")),
            (PT["sector"], concept("sector", rng.choice(SECTORS))),
            (SOURCE, src),
        ]
        props += [(PT["cooperationType"], concept("cooperation-type", t)) for t in types]
        props += [(PT["participant"], p) for p in who]
        subjects.append((iri(f"{ID}cooperation/synthetic-{i}-{k}"), props))
    return subjects


def _size(subjects: list[Subject]) -> int:
    return sum(len(props) for _s, props in subjects)


def ptce_block(
    i: int, target: int, seed: int, communes: tuple[str, ...], first_serial: int
) -> tuple[list[Subject], int]:
    """The subjects of PTCE ``i``, sized as close to ``target`` triples as members allow.

    Returns the subjects and the number of organisations minted (for SIREN serials).
    """
    rng = random.Random(f"ptce-kg-bench/{seed}/{i}")
    src = iri(f"{ID}source/synthetic-{i}")
    subjects = _core(i, rng, communes, src)
    own = [actor_iri(i, j) for j in range(3)]
    shared = [actor_iri(i - 1, j) for j in range(SHARED_PER_PTCE)] if i > 0 else []
    for n, member in enumerate(shared):
        subjects += _membership(i, member, f"shared-{n}", rng, src, None)
    subjects += _actions(i, rng, own + shared, src)
    fixed = _size(subjects)
    members: list[Subject] = []
    j = 0
    size = fixed
    while True:
        chunk, college = _org(i, j, first_serial + j, rng, communes, src)
        with_college = rng.random() < 0.3
        chunk += _membership(
            i, actor_iri(i, j), f"{j}", rng, src, college if with_college else None
        )
        grow = _size(chunk)
        if j >= 3 and abs(size + grow - target) >= abs(size - target):
            break
        members += chunk
        size += grow
        j += 1
    return subjects[:1] + members + subjects[1:], j


# ---------------------------------------------------------------------------------------- output
_LOCAL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def _turtle_term(term: str) -> str:
    if term == A:
        return "a"
    if term.startswith("<"):
        value = term[1:-1]
        for prefix, ns in _BY_LENGTH:
            if value.startswith(ns) and _LOCAL.match(value[len(ns) :]):
                return f"{prefix}:{value[len(ns) :]}"
        return term
    if "^^<" in term:
        body, dt = term.split("^^<", 1)
        return f"{body}^^{_turtle_term('<' + dt)}"
    return term


def _write_nt(out: TextIO, subjects: list[Subject]) -> None:
    out.write("".join(f"{s} {p} {o} .\n" for s, props in subjects for p, o in props))


def _write_ttl(out: TextIO, subjects: list[Subject]) -> None:
    parts = []
    for s, props in subjects:
        body = " ;\n    ".join(f"{_turtle_term(p)} {_turtle_term(o)}" for p, o in props)
        parts.append(f"{_turtle_term(s)} {body} .\n\n")
    out.write("".join(parts))


HEADER = (
    "# SYNTHETIC benchmark data generated by bench/generate.py (seed {seed}, target {triples} "
    "triples).\n# NOT real facts: every data IRI contains 'synthetic', every label ends with "
    "'(synthétique)' / '(synthetic)'.\n# SIREN numbers are made up (Luhn-valid, 9000xxxxx).\n"
)


def blocks(triples: int, seed: int, communes: tuple[str, ...]) -> Iterator[list[Subject]]:
    """Yield PTCE blocks until about ``triples`` triples have been produced."""
    poles = max(1, round(triples / TRIPLES_PER_PTCE))
    weights_rng = random.Random(f"ptce-kg-bench/{seed}/weights")
    # cumulative targets with ±20 % variation between PTCEs, kept as a running sum (O(1) memory)
    mean = triples / poles
    produced = 0
    serial = 0
    for i in range(poles):
        if i == poles - 1:
            target = triples - produced
        else:
            ideal_end = round(mean * (i + 1))
            target = round(ideal_end - produced + mean * weights_rng.uniform(-0.2, 0.2))
        subjects, minted = ptce_block(i, target, seed, communes, serial)
        serial += minted
        produced += _size(subjects)
        yield subjects


def generate(
    out: TextIO,
    triples: int,
    *,
    seed: int = 0,
    fmt: str = "nt",
    communes: tuple[str, ...] | None = None,
) -> int:
    """Write about ``triples`` synthetic triples to ``out``; return the exact number written."""
    codes = communes or read_communes()
    write = _write_nt if fmt == "nt" else _write_ttl
    out.write(HEADER.format(seed=seed, triples=triples))
    if fmt != "nt":
        out.write("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + "\n")
    count = 0
    for subjects in blocks(triples, seed, codes):
        write(out, subjects)
        count += _size(subjects)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=10_000, help="target size (±1 %%)")
    parser.add_argument("--format", choices=("nt", "ttl"), default="nt")
    parser.add_argument("--output", "-o", type=Path, help="output file (default: stdout)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--communes",
        type=Path,
        default=COMMUNES_FILE,
        help="Turtle file whose ptce:Commune IRIs are used for ptce:basedIn",
    )
    args = parser.parse_args(argv)
    if args.triples < 1:
        parser.error("--triples must be positive")
    codes = read_communes(args.communes)
    if args.output is None:
        n = generate(sys.stdout, args.triples, seed=args.seed, fmt=args.format, communes=codes)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.output.with_name(args.output.name + ".part")
        with tmp.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
            n = generate(out, args.triples, seed=args.seed, fmt=args.format, communes=codes)
        tmp.replace(args.output)
    print(f"{n} triples ({args.format}) → {args.output or 'stdout'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
