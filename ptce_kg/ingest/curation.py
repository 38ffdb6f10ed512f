"""The curated PTCE tables (``data/curation/``) → one Turtle file per PTCE, each fact sourced.

The tables are the one edit source of the real dataset (``data/curation/README.md`` defines them):
one row per fact, each naming the document that states it. They live in batch folders that are
merged by key (``merges.csv`` joins two keys given to one thing).
:func:`ptce_kg.ingest.curation_tables.read_curation` reads and checks every row (an error names
file, row and column, and nothing is built); :func:`build_dataset`
makes one graph per PTCE, one of the organisations and one of the documents they share, following
``docs/decisions/0006-per-fact-provenance.md``:

- a fact with a node of its own (recognition, indicator, membership, organisation, action,
  governance body, documentation gap) carries ``dcterms:source`` of exactly its rows' documents;
- a plain statement about a PTCE (its founding date, territory, sector, carrier…) is asserted and
  also described by an ``rdf:Statement`` per source that carries ``dcterms:source`` and
  ``ptce:locator``, so that "which documents state this?" has an answer for every triple.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, RDF, RDFS, SKOS, XSD

from ptce_kg.ingest.curation_tables import (
    FACT_PROPERTIES,
    LANGUAGES,
    Curation,
    Row,
)
from ptce_kg.ingest.periods import add_member_during, describe_period
from ptce_kg.namespaces import (
    ADMS,
    DEFAULT_BASE,
    PTCE,
    QB,
    QUDT,
    QUDT_UNIT,
    ROV,
    SCHEMA,
    SDMX_ATTRIBUTE,
    TIME,
    concept_iri,
    mint_iri,
)

#: The RDF Data Cube data set of every indicator (ontology/cube.ttl).
INDICATOR_DATASET = "indicators"

#: facts.csv properties that hold one value (the core shapes' sh:maxCount 1): when sources disagree,
#: one value is asserted (see :func:`pick`) and every source's value stays as its own statement.
SINGLE_VALUED = {"founded", "stage", "origin", "pole-type", "scale", "legal-structure",
                 "citizen-participation"}  # fmt: skip
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
HEADER = """# {label}: one source graph, generated from data/curation/ by `ptce-kg curate build`.
# Do not edit: change the curation tables and rebuild (`make data`). Data licence: CC BY 4.0.
# Every fact cites the document that states it (docs/decisions/0006-per-fact-provenance.md).

"""


def pick(values: list[str], *, dates: bool = False) -> tuple[str, bool]:
    """The one value to assert among sources' ``values``, and whether they disagree.

    Dates that only differ in precision (``2014`` and ``2014-01-10``) agree: the most precise
    is kept. Otherwise the value most sources give wins, ties going to the earliest (dates) or
    the first in order; the statements of every source are kept either way.
    """
    distinct = sorted(set(values))
    if len(distinct) == 1:
        return distinct[0], False
    if dates:
        longest = max(distinct, key=len)
        if all(longest.startswith(v) for v in distinct):
            return longest, False
    best = max(distinct, key=lambda v: (values.count(v), [-ord(ch) for ch in v]))
    return best, True


def date_literal(text: str) -> Literal:
    """``YYYY`` → xsd:gYear, ``YYYY-MM`` → xsd:gYearMonth, ``YYYY-MM-DD`` → xsd:date."""
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}[len(text)]
    return Literal(text, datatype=datatype)


def territory_iri(kind: str, code: str, base: str) -> URIRef:
    """The IRI of a territory of ``data/territories`` (commune, departement, region, epci)."""
    return mint_iri(kind, code, base=base)


class _Builder:
    """Builds the graph of one PTCE from the merged rows."""

    def __init__(self, curation: Curation, base: str) -> None:
        self.c = curation
        self.base = base
        self.sources = {r["source"]: r for r in curation.table("sources")}
        self.orgs: dict[str, list[Row]] = {}
        for row in curation.table("organisations"):
            self.orgs.setdefault(row["org"], []).append(row)
        self.used_orgs: set[str] = set()  # the organisations the PTCE graphs point to
        self.used_sources: set[str] = set()  # the documents any graph cites
        self.periods: set[str] = set()  # the reference periods of the indicators, as stated

    def doc(self, key: str) -> URIRef:
        return URIRef(self.sources[key]["url"])

    def describe_source(self, g: Graph, key: str) -> None:
        row = self.sources[key]
        doc = self.doc(key)
        g.add((doc, RDF.type, PTCE.SourceDocument))
        if row["title"]:
            g.add((doc, DCTERMS.title, Literal(row["title"], lang=row["language"])))
        if row["publisher"]:
            publisher = mint_iri("publisher", _slug(row["publisher"]), base=self.base)
            g.add((doc, DCTERMS.publisher, publisher))
            g.add((publisher, RDF.type, FOAF.Organization))
            g.add((publisher, FOAF.name, Literal(row["publisher"])))
        if row["published"]:
            g.add((doc, DCTERMS.issued, date_literal(row["published"])))
        g.add((doc, PTCE.accessed, date_literal(row["consulted"])))
        g.add((doc, DCTERMS.language, URIRef(EU_LANGUAGE + LANGUAGES[row["language"]])))

    def cite(self, g: Graph, node: URIRef, rows: Iterable[Row], used: set[str]) -> None:
        """``dcterms:source`` of every row's document on ``node``, plus the rows' locators."""
        locators = []
        for row in rows:
            if not row["source"]:
                continue
            used.add(row["source"])
            g.add((node, DCTERMS.source, self.doc(row["source"])))
            if row.values.get("locator"):
                locators.append((row["source"], row["locator"]))
        distinct = sorted(set(locators))
        if len({s for s, _ in distinct}) == 1 and len(distinct) == 1:
            g.add((node, PTCE.locator, Literal(distinct[0][1])))  # French or English: untagged
        else:
            for source, locator in distinct:
                title = self.sources[source]["title"] or self.sources[source]["url"]
                g.add((node, PTCE.locator, Literal(f"{title}: {locator}")))

    def state(self, g: Graph, key: str, s: URIRef, p: URIRef, o: URIRef | Literal, row: Row,
              used: set[str], *, asserted: bool = True) -> None:  # fmt: skip
        """Assert ``s p o`` (unless another source's value won) and describe it by a statement
        node citing the row's source."""
        if asserted:
            g.add((s, p, o))
        digest = hashlib.sha1(f"{s} {p} {o.n3()} {row['source']}".encode()).hexdigest()[:12]
        st = mint_iri("statement", f"{key}/{digest}", base=self.base)
        g.add((st, RDF.type, RDF.Statement))
        g.add((st, RDF.subject, s))
        g.add((st, RDF.predicate, p))
        g.add((st, RDF.object, o))
        self.cite(g, st, [row], used)

    def single(self, g: Graph, node: URIRef, p: URIRef, values: list[str], *,
               dates: bool = False) -> None:  # fmt: skip
        """One value of ``p`` on ``node`` from its rows' ``values`` (empty cells ignored)."""
        stated = [v for v in values if v]
        if not stated:
            return
        value, disagree = pick(stated, dates=dates)
        obj = date_literal(value) if dates else Literal(value, datatype=XSD.decimal)
        g.add((node, p, obj))
        if disagree:
            others = ", ".join(sorted(set(stated) - {value}))
            g.add((node, SKOS.note, Literal(f"Other sources give {others}.", lang="en")))

    def has_time(self, g: Graph, node: URIRef, values: list[str]) -> None:
        """``time:hasTime`` of a dated node (a recognition, a change): the period its date names,
        as stated, whose first and last days compare as ``xsd:date`` (decision 0007)."""
        stated = [v for v in values if v]
        if stated:
            text, _ = pick(stated, dates=True)
            g.add((node, TIME.hasTime, mint_iri("period", text, base=self.base)))
            self.periods.add(text)

    def member_during(self, g: Graph, node: URIRef, key: str, rows: list[Row]) -> None:
        """``org:memberDuring`` of a membership with a start or an end (decision 0007): from the
        first day of the start as stated to the last day of the end, so that dates compare as
        ``xsd:date``. The instants are described once, with the periods."""
        texts = []
        for column in ("start", "end"):
            stated = [r[column] for r in rows if r[column]]
            texts.append(pick(stated, dates=True)[0] if stated else "")
        interval = mint_iri("interval", key, base=self.base)
        if add_member_during(g, node, interval, texts[0], texts[1], self.base):
            self.periods.update(t for t in texts if t)

    def amount(self, g: Graph, node: URIRef, key: str, values: list[str]) -> None:
        """The amount granted with a recognition: a ``qudt:QuantityValue`` in euros (the
        recognitions table's amounts are in euros)."""
        stated = [v for v in values if v]
        if not stated:
            return
        value, disagree = pick(stated)
        quantity = mint_iri("amount", key, base=self.base)
        g.add((node, PTCE.grantedAmount, quantity))
        g.add((quantity, RDF.type, QUDT.QuantityValue))
        g.add((quantity, QUDT.numericValue, Literal(value, datatype=XSD.decimal)))
        g.add((quantity, QUDT.unit, QUDT_UNIT.CCY_EUR))
        if disagree:
            others = ", ".join(sorted(set(stated) - {value}))
            g.add((node, SKOS.note, Literal(f"Other sources give {others}.", lang="en")))

    def event(self, g: Graph, node: URIRef, key: str, to: str, changes: list[Row],
              used: set[str]) -> None:  # fmt: skip
        """One ``org:ChangeEvent`` of organisation ``node`` from its rows of events.csv."""
        event = mint_iri("event", f"{key}-{to or changes[0]['date']}", base=self.base)
        g.add((node, ORG.changedBy, event))
        g.add((event, RDF.type, ORG.ChangeEvent))
        g.add((event, ORG.originalOrganization, node))
        for resulting in sorted({r["resulting"] for r in changes if r["resulting"]}):
            g.add((event, ORG.resultingOrganization, self.org_ref(resulting)))
        if to:
            g.add((event, PTCE.legalFormAfter, self.form(to)))
        before = sorted({r["from"] for r in changes if r["from"]})
        for form in before[:1]:
            g.add((event, PTCE.legalFormBefore, self.form(form)))
        self.single(g, event, DCTERMS.date, [r["date"] for r in changes], dates=True)
        self.has_time(g, event, [r["date"] for r in changes])
        for change in changes:
            if change["note"]:
                g.add((event, SKOS.note, Literal(change["note"], lang="en")))
        self.cite(g, event, changes, used)

    def form(self, key: str) -> URIRef:
        """The concept of a legal form (INSEE code, scic, scop) or else of an ESS family."""
        scheme = (
            "legal-form" if key in self.c.vocabularies.get("legal-form", set()) else "ess-family"
        )
        return concept_iri(scheme, key, base=self.base)

    def org_ref(self, key: str) -> URIRef:
        """The IRI of organisation ``key``, described once in the organisations graph."""
        self.used_orgs.add(key)
        return mint_iri("org", key, base=self.base)

    def describe_org(self, g: Graph, key: str, used: set[str]) -> URIRef:
        """An organisation with its classes, identifiers, seat, changes and sources."""
        rows = self.orgs[key]
        node = mint_iri("org", key, base=self.base)
        first = rows[0]
        g.add((node, RDF.type, PTCE.Organisation))
        g.add((node, SKOS.prefLabel, Literal(first["label"], lang="fr")))
        g.add((node, RDFS.label, Literal(first["label"], lang="fr")))
        for row in rows:
            if row["category"]:
                g.add((node, RDF.type, CATEGORY_CLASSES[("actor-category", row["category"])]))
            if row["ess_family"]:
                g.add((node, RDF.type, CATEGORY_CLASSES[("ess-family", row["ess_family"])]))
            if row["siren"]:
                identifier = mint_iri("identifier", f"siren/{row['siren']}", base=self.base)
                g.add((node, ADMS.identifier, identifier))
                g.add((identifier, RDF.type, ADMS.Identifier))
                g.add((identifier, SKOS.notation, Literal(row["siren"])))
                g.add((identifier, DCTERMS.type, concept_iri("identifier-type", "siren")))
            if row["commune"]:
                g.add((node, PTCE.basedIn, territory_iri("commune", row["commune"], self.base)))
        events = [r for r in self.c.table("events") if r["subject"] == key]
        # a change of legal form is one event per new form (sources may date it differently);
        # another change (renaming, a split, receivership…) is one event per date, described by
        # its notes; either may create new entities (``resulting``: a split gives two rows)
        for (to,), changes in _group_by(events, ("to",)).items():
            batches = [changes] if to else list(_group_by(changes, ("date",)).values())
            for batch in batches:
                self.event(g, node, key, to, batch, used)
        coop = [r["legal_form"] for r in rows if r["legal_form"] in ("scic", "scop")]

        codes = [r["legal_form"] for r in rows if r["legal_form"] and r["legal_form"] not in coop]
        for values, p in ((coop, PTCE.cooperativeStatus), (codes, ROV.orgType)):
            if values:
                form = concept_iri("legal-form", pick(values)[0], base=self.base)
                g.add((node, p, form))
        self.cite(g, node, rows, used)
        return node

    def build(self, key: str) -> tuple[Graph, str]:
        c, base = self.c, self.base
        g = Graph()
        used: set[str] = set()
        ptce = mint_iri("ptce", key, base=base)
        naming = [r for r in c.table("ptce") if r["ptce"] == key]
        label = naming[0]["label"]
        g.add((ptce, RDF.type, PTCE.PTCE))
        g.add((ptce, SKOS.prefLabel, Literal(label, lang="fr")))
        g.add((ptce, RDFS.label, Literal(label, lang="fr")))
        for other in sorted({r["label"] for r in naming} - {label}):  # one prefLabel per language
            g.add((ptce, SKOS.altLabel, Literal(other, lang="fr")))
        for row in naming:
            used.add(row["source"])
            g.add((ptce, DCTERMS.source, self.doc(row["source"])))
            if row["note"]:
                g.add((ptce, SKOS.note, Literal(row["note"], lang="en")))
        facts = [r for r in c.table("facts") if r["ptce"] == key]
        asserted: dict[str, str] = {}
        for prop in SINGLE_VALUED:
            values = [r["value"] for r in facts if r["property"] == prop]
            if values:
                asserted[prop], disagree = pick(values, dates=prop == "founded")
                if disagree:
                    note = (
                        f"Sources disagree on {prop}: {', '.join(sorted(set(values)))}; "
                        f"{asserted[prop]} is asserted, each source's value is a statement."
                    )
                    g.add((ptce, SKOS.note, Literal(note, lang="en")))
        for row in facts:
            predicate, kind = FACT_PROPERTIES[row["property"]]
            value = row["value"]
            obj: URIRef | Literal
            if kind == "date":
                obj = date_literal(value)
            elif kind in ("commune", "departement", "region", "epci"):
                obj = territory_iri(kind, value, base)
            elif kind.startswith("concept:"):
                obj = concept_iri(kind.split(":", 1)[1], value, base=base)
            elif kind == "org":
                obj = self.org_ref(value)
            elif kind == "boolean":
                obj = Literal(value == "true")
            elif kind == "text@en":
                obj = Literal(value, lang="en")
            else:
                obj = Literal(value)
            assert_it = asserted.get(row["property"], value) == value
            self.state(g, key, ptce, predicate, obj, row, used, asserted=assert_it)
            if row["note"]:
                g.add((ptce, SKOS.note, Literal(row["note"], lang="en")))
        if "founded" in asserted:  # the founding as ORG's event, dated by its period (0007)
            founding = mint_iri("event", f"{key}-founding", base=base)
            g.add((founding, RDF.type, ORG.ChangeEvent))
            g.add((founding, ORG.resultingOrganization, ptce))
            self.has_time(g, founding, [asserted["founded"]])
            stating = [r for r in facts if r["property"] == "founded"]
            self.cite(g, founding, [r for r in stating if r["value"] == asserted["founded"]], used)
        for rnd, rows in _group(c.table("recognitions"), key, "round").items():
            node = mint_iri("recognition", f"{key}-{rnd}", base=base)
            g.add((ptce, PTCE.hasRecognition, node))
            g.add((node, RDF.type, PTCE.Recognition))
            g.add((node, PTCE.recognitionKind, concept_iri("recognition", rnd, base=base)))
            self.single(g, node, PTCE.recognitionDate, [r["date"] for r in rows], dates=True)
            self.has_time(g, node, [r["date"] for r in rows])
            self.amount(g, node, f"{key}-{rnd}", [r["amount"] for r in rows])
            for row in rows:
                if row["note"]:
                    g.add((node, SKOS.note, Literal(row["note"], lang="en")))
            self.cite(g, node, rows, used)
        members = [r for r in c.table("memberships") if r["ptce"] == key]
        for (org, role), rows in _group_by(members, ("org", "role")).items():
            member = self.org_ref(org)
            node = mint_iri("membership", f"{key}-{org}-{role}", base=base)
            g.add((node, RDF.type, ORG.Membership))
            g.add((node, ORG.member, member))
            g.add((node, ORG.organization, ptce))
            g.add((node, ORG.role, concept_iri("role", role, base=base)))
            self.single(g, node, PTCE.startDate, [r["start"] for r in rows], dates=True)
            self.single(g, node, PTCE.endDate, [r["end"] for r in rows], dates=True)
            self.member_during(g, node, f"{key}-{org}-{role}", rows)
            for row in rows:
                if row["note"]:
                    g.add((node, SKOS.note, Literal(row["note"], lang="en")))
            self.cite(g, node, rows, used)
        indicators = [r for r in c.table("indicators") if r["ptce"] == key]
        for (kind, date, value), rows in _group_by(indicators, ("kind", "date", "value")).items():
            same = [k for k in _group_by(indicators, ("kind", "date")) if k == (kind, date)]
            suffix = f"{kind}-{date}"
            if len({r["value"] for r in indicators if (r["kind"], r["date"]) == same[0]}) > 1:
                suffix += "-" + rows[0]["source"]  # sources disagree: one node per source
            node = mint_iri("indicator", f"{key}-{suffix}", base=base)
            # an RDF Data Cube observation: entity, period and kind are its dimensions (the
            # store entails the inverse, ptce:hasIndicator, as it does ptce:carrierOf)
            g.add((node, RDF.type, PTCE.Indicator))
            g.add((node, RDF.type, QB.Observation))
            g.add((node, QB.dataSet, mint_iri("dataset", INDICATOR_DATASET, base=base)))
            g.add((node, PTCE.indicatorOf, ptce))
            g.add((node, PTCE.refPeriod, mint_iri("period", date, base=base)))
            self.periods.add(date)  # described once, in the periods file every PTCE shares
            g.add((node, PTCE.indicatorKind, concept_iri("indicator", kind, base=base)))
            g.add((node, PTCE.value, Literal(value, datatype=XSD.decimal)))
            g.add((node, SDMX_ATTRIBUTE.unitMeasure, c.units[rows[0]["unit"]]))
            for row in rows:
                if row["note"]:
                    g.add((node, SKOS.note, Literal(row["note"], lang="en")))
            self.cite(g, node, rows, used)
        for action, rows in _group(c.table("actions"), key, "action").items():
            node = mint_iri("cooperation", f"{key}-{action}", base=base)
            g.add((node, RDF.type, PTCE.CooperationAction))
            g.add((node, PTCE.inPTCE, ptce))
            g.add((node, RDFS.label, Literal(rows[0]["label"], lang="en")))
            types = {r["type"] for r in rows if r["type"]}
            for t in sorted(types):
                g.add((node, PTCE.cooperationType, concept_iri("cooperation-type", t, base=base)))
            self.cite(g, node, rows, used)
        for body, rows in _group(c.table("governance"), key, "body").items():
            node = mint_iri("governance-body", f"{key}-{body}", base=base)
            g.add((node, RDF.type, PTCE.GovernanceBody))
            g.add((ptce, PTCE.hasGovernanceBody, node))
            g.add((node, PTCE.inPTCE, ptce))
            g.add((node, RDFS.label, Literal(rows[0]["label"], lang="en")))
            self.cite(g, node, rows, used)
        # a gap one batch recorded is left out when another batch documents that dimension
        has = {
            "composition": bool(members),
            "commune": (ptce, PTCE.basedIn, None) in g,
            "territory": (ptce, PTCE.basedIn, None) in g or (ptce, PTCE.coversTerritory, None) in g,
            "sector": (ptce, PTCE.sector, None) in g,
            "carrier": (ptce, PTCE.carrier, None) in g or (ptce, PTCE.legalStructure, None) in g,
            "founded": (ptce, SCHEMA.foundingDate, None) in g,
            "indicators": (None, PTCE.indicatorOf, ptce) in g,
            "recognition": (ptce, PTCE.hasRecognition, None) in g,
            "governance": (ptce, PTCE.hasGovernanceBody, None) in g,
            "actions": any(r["ptce"] == key for r in c.table("actions")),
        }
        gaps = [r for r in c.table("gaps") if r["ptce"] == key and not has.get(r["dimension"])]
        for dimension, rows in _group_by(gaps, ("dimension",)).items():
            node = mint_iri("gap", f"{key}-{dimension[0]}", base=base)
            g.add((ptce, PTCE.documentationGap, node))
            g.add((node, RDF.type, PTCE.DocumentationGap))
            g.add((node, PTCE.dimension, concept_iri("dimension", dimension[0], base=base)))
            g.add((node, PTCE.searchedOn, date_literal(max(r["searched"] for r in rows))))
            for row in rows:
                if row["note"]:
                    g.add((node, RDFS.comment, Literal(row["note"], lang="en")))
        documented = bool(members) or (ptce, PTCE.carrier, None) in g
        if not documented:
            g.add((ptce, PTCE.compositionDocumented, Literal(False)))
        self.used_sources |= used
        for s, _p, o in list(g):
            if isinstance(s, BNode) or isinstance(o, BNode):
                raise AssertionError("the build mints no blank node")  # keeps the output stable
        return g, label


def _group(rows: list[Row], key: str, column: str) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = {}
    for row in rows:
        if row["ptce"] == key:
            grouped.setdefault(row[column], []).append(row)
    return dict(sorted(grouped.items()))


def _group_by(rows: list[Row], columns: tuple[str, ...]) -> dict[tuple[str, ...], list[Row]]:
    grouped: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        grouped.setdefault(tuple(row[c] for c in columns), []).append(row)
    return dict(sorted(grouped.items()))


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "publisher"


CATEGORY_CLASSES: dict[tuple[str, str], URIRef] = {
    ("actor-category", "ess-enterprise"): PTCE.ESSEnterprise,
    ("actor-category", "enterprise-outside-ess"): PTCE.EnterpriseOutsideESS,
    ("actor-category", "article-9-actor"): PTCE.Article9Actor,
    ("actor-category", "local-authority"): PTCE.LocalAuthority,
    ("actor-category", "municipal-authority"): PTCE.MunicipalAuthority,
    ("actor-category", "intermunicipal-authority"): PTCE.InterMunicipalAuthority,
    ("actor-category", "departmental-authority"): PTCE.DepartmentalAuthority,
    ("actor-category", "regional-authority"): PTCE.RegionalAuthority,
    ("actor-category", "research-centre"): PTCE.ResearchCentre,
    ("actor-category", "higher-education-institution"): PTCE.HigherEducationInstitution,
    ("actor-category", "training-body"): PTCE.TrainingBody,
    ("actor-category", "network"): PTCE.Network,
    ("actor-category", "public-agency"): PTCE.PublicAgency,
    ("actor-category", "funder"): PTCE.Funder,
    ("actor-category", "citizen"): PTCE.Citizen,
    ("ess-family", "association"): PTCE.Association,
    ("ess-family", "cooperative"): PTCE.Cooperative,
    ("ess-family", "scop"): PTCE.SCOP,
    ("ess-family", "scic"): PTCE.SCIC,
    ("ess-family", "cae"): PTCE.CAE,
    ("ess-family", "agricultural-cooperative"): PTCE.AgriculturalCooperative,
    ("ess-family", "mutual"): PTCE.Mutual,
    ("ess-family", "foundation"): PTCE.Foundation,
    ("ess-family", "ess-commercial-company"): PTCE.ESSCommercialCompany,
}


#: Where the build writes, relative to the data folder: one graph per PTCE, then the organisations
#: and the documents they share, each described once (Oxigraph's union default graph is a bag: a
#: triple repeated in several graphs would answer several times).
PTCE_FOLDER, ACTORS_FILE, SOURCES_FILE = "ptce", "actors/organisations.ttl", "sources/documents.ttl"
#: The reference periods the indicators share (OWL-Time intervals), loaded with the documents.
PERIODS_FILE = "sources/periods.ttl"
BUILT_FOLDERS = ("ptce", "actors", "sources")


def build_dataset(curation: Curation, *, base: str = DEFAULT_BASE) -> dict[str, str]:
    """Turtle text of every built file, by path relative to the data folder: ``ptce/<key>.ttl``,
    ``actors/organisations.ttl`` and ``sources/documents.ttl``."""
    builder = _Builder(curation, base)
    out: dict[str, str] = {}
    for key in sorted({r["ptce"] for r in curation.table("ptce")}):
        graph, label = builder.build(key)
        out[f"{PTCE_FOLDER}/{key}.ttl"] = HEADER.format(label=label) + _turtle(graph)
    actors, used, described = Graph(), set(builder.used_sources), set[str]()
    # an organisation's change may name the entity it created: described too, until none is new
    while pending := sorted(builder.used_orgs - described):
        for key in pending:
            builder.describe_org(actors, key, used)
            described.add(key)
    out[ACTORS_FILE] = HEADER.format(label="Organisations") + _turtle(actors)
    documents = Graph()
    for key in sorted(used):
        builder.describe_source(documents, key)
    out[SOURCES_FILE] = HEADER.format(label="Source documents") + _turtle(documents)
    periods = Graph()
    for text in sorted(builder.periods):
        describe_period(periods, text, base)
    out[PERIODS_FILE] = HEADER.format(label="Reference periods") + _turtle(periods)
    return out


def _turtle(graph: Graph) -> str:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph.serialize(format="turtle")


PREFIXES = {
    "ptce": str(PTCE),
    "org": str(ORG),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "schema": str(SCHEMA),
    "rov": "http://www.w3.org/ns/regorg#",
    "adms": str(ADMS),
    "foaf": str(FOAF),
    "xsd": str(XSD),
    "qb": str(QB),
    "qudt": str(QUDT),
    "unit": str(QUDT_UNIT),
    "sdmx-attribute": str(SDMX_ATTRIBUTE),
    "time": str(TIME),
}


def write_dataset(built: dict[str, str], data_dir: Path, *, check: bool = False) -> list[Path]:
    """Write the built files under ``data_dir`` (and remove stale ones from the built folders) or,
    with ``check``, only list what differs.

    Returns the files written, removed or (with ``check``) out of date.
    """
    changed: list[Path] = []
    for name, text in built.items():
        path = data_dir / name
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != text:
            changed.append(path)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    for folder in BUILT_FOLDERS:
        for path in sorted((data_dir / folder).glob("*.ttl")):
            if str(path.relative_to(data_dir)) not in built:
                changed.append(path)
                if not check:
                    path.unlink()
    return changed
