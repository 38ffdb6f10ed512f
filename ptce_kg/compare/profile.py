"""The profile of a PTCE: what researchers compare it on, read from the store with a few queries.

:func:`load_profiles` runs one query per kind of fact (identity and concept-valued properties,
members, cooperation actions, territories, legal structure and carrier, recognitions, indicators;
then the actor-class hierarchy, labels and broader concepts) for **all** the requested PTCEs at
once, never one query per PTCE: eleven queries whether one PTCE is asked or thousands. The most
specific class and the ESS family of each member are picked in Python from the (small) class
hierarchy, which is much faster than a ``FILTER NOT EXISTS`` per member on a large store.
The PTCEs reach the queries as a ``VALUES`` block built from validated IRIs (``URIRef.n3()``),
never from raw user text.

Two forms of the three biggest queries (members, territories, indicators), with the same answers:
for a few PTCEs, patterns followed from each PTCE (index look-ups, milliseconds); from
:data:`SET_WISE_FROM` PTCEs on (and for all of them), set-wise forms whose sub-selects Oxigraph
reads once and joins by hash, several times faster than one look-up per row at 1 M triples
(figures in bench/README.md, "Research queries").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from ptce_kg.compare.values import (
    Concept,
    Count,
    Entity,
    IndicatorValue,
    Place,
    PTCEProfile,
    Recognition,
    age_in_years,
    date_key,
    first_day_key,
    local_name,
    resolve_ptce,
)
from ptce_kg.errors import NotFound, QueryError
from ptce_kg.namespaces import PREFIXES, PTCE, ROV, SCHEMA, scheme_iri
from ptce_kg.naming import Reference, suggest
from ptce_kg.store import Store

_PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
_PTCE_NS = str(PTCE._NS)
_LANG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")

#: Concept-valued properties of the PTCE itself, by profile field.
_CONCEPT_FIELDS: dict[URIRef, str] = {
    PTCE.sector: "sectors",
    PTCE.territoryType: "territory_types",
    PTCE.scale: "scale",
    PTCE.stage: "stage",
    PTCE.origin: "origin",
    PTCE.poleType: "pole_type",
    PTCE.fundingSource: "funding",
    ROV.orgType: "legal_forms",
    PTCE.cooperativeStatus: "legal_forms",
}
_PLACE_KINDS: dict[URIRef, str] = {
    PTCE.Commune: "commune",
    PTCE.Departement: "departement",
    PTCE.Region: "region",
    PTCE.EPCI: "epci",
}
_UNCLASSIFIED = "unclassified"
#: From this many PTCEs on, the set-wise query forms are used (see the module docstring).
SET_WISE_FROM = 200


def _number(term: Node | None) -> float | None:
    if not isinstance(term, Literal):
        return None
    try:
        return float(str(term))
    except ValueError:
        return None


# ------------------------------------------------------------------------------------- queries
def _select(store: Store, body: str, scope: str) -> list[dict[str, Node]]:
    return list(store.query(_PREFIXES + body.replace("#SCOPE#", scope)).bindings())


_Q_FACTS = """
SELECT DISTINCT ?p ?prop ?o WHERE {
  #SCOPE#
  ?p ?prop ?o .
  FILTER(?prop IN (rdfs:label, skos:prefLabel, schema:foundingDate, ptce:compositionDocumented,
                   ptce:sector, ptce:territoryType, ptce:scale, ptce:stage, ptce:origin,
                   ptce:poleType, ptce:fundingSource, rov:orgType, ptce:cooperativeStatus))
}"""
#: The actor classes and their superclasses (the closure is reflexive and transitive), and the
#: ESS-family concepts with the class each stands for: small, read once.
_Q_HIERARCHY = """
SELECT DISTINCT ?d ?c ?fam WHERE {
  { ?c rdfs:subClassOf ptce:Actor . ?d rdfs:subClassOf ?c .
    FILTER(STRSTARTS(STR(?d), STR(ptce:)) && STRSTARTS(STR(?c), STR(ptce:))) }
  UNION
  { ?fam ptce:categoryClass ?c ; skos:inScheme #FAMILIES# . }
}"""
_Q_MEMBERS = """
SELECT DISTINCT ?p ?ms ?m ?c ?start ?end WHERE {
  #SCOPE#
  ?ms org:organization ?p ; org:member ?m .
  OPTIONAL { ?ms ptce:startDate ?start }
  OPTIONAL { ?ms ptce:endDate ?end }
  OPTIONAL { ?m a ?c . FILTER(STRSTARTS(STR(?c), STR(ptce:))) }
}"""
#: Set-wise form: memberships and members joined by hash, each member's actor classes
#: (``#CLASSES#``, from the hierarchy) read once as one space-separated string.
_Q_MEMBERS_SET = """
SELECT DISTINCT ?p ?m ?start ?end ?types WHERE {
  #SCOPE#
  ?ms org:organization ?p .
  { SELECT ?ms ?m WHERE { ?ms org:member ?m } }
  OPTIONAL { SELECT ?ms ?start WHERE { ?ms ptce:startDate ?start } }
  OPTIONAL { SELECT ?ms ?end WHERE { ?ms ptce:endDate ?end } }
  OPTIONAL {
    SELECT ?m (GROUP_CONCAT(DISTINCT STR(?c); separator=" ") AS ?types)
    WHERE { VALUES ?c { #CLASSES# } ?m a ?c }
    GROUP BY ?m
  }
}"""
_Q_COOPERATION = """
SELECT DISTINCT ?p ?a ?t WHERE {
  #SCOPE#
  ?a ptce:inPTCE ?p ; a ptce:CooperationAction ; ptce:cooperationType ?t .
}"""
_Q_TERRITORY = """
SELECT DISTINCT ?p ?t ?kind ?code WHERE {
  #SCOPE#
  ?p ptce:basedIn|ptce:coversTerritory ?t0 .
  ?t0 ptce:withinTransitive? ?t .
  VALUES ?kind { ptce:Commune ptce:Departement ptce:Region ptce:EPCI }
  ?t a ?kind .
  OPTIONAL { ?t ptce:inseeCode ?code }
}"""
#: Set-wise form: every territory's kind and code read once, joined by hash.
_Q_TERRITORY_SET = """
SELECT DISTINCT ?p ?t ?kind ?code WHERE {
  #SCOPE#
  ?p ptce:basedIn|ptce:coversTerritory ?t0 .
  ?t0 ptce:withinTransitive? ?t .
  {
    SELECT ?t ?kind ?code WHERE {
      VALUES ?kind { ptce:Commune ptce:Departement ptce:Region ptce:EPCI }
      ?t a ?kind .
      OPTIONAL { SELECT ?t ?code WHERE { ?t ptce:inseeCode ?code } }
    }
  }
}"""
_Q_LEGAL = """
SELECT DISTINCT ?p ?role ?o ?c ?lf ?e ?when ?before ?after WHERE {
  #SCOPE#
  VALUES ?role { ptce:legalStructure ptce:carrier }
  ?p ?role ?o .
  OPTIONAL { ?o rov:orgType|ptce:cooperativeStatus ?lf }
  OPTIONAL { ?o a ?c . FILTER(STRSTARTS(STR(?c), STR(ptce:))) }
  OPTIONAL {
    ?o org:changedBy ?e . ?e dcterms:date ?when .
    OPTIONAL { ?e ptce:legalFormBefore ?before }
    OPTIONAL { ?e ptce:legalFormAfter ?after }
  }
}"""
_Q_RECOGNITIONS = """
SELECT DISTINCT ?p ?r ?kind ?date ?amount WHERE {
  #SCOPE#
  ?p ptce:hasRecognition ?r .
  OPTIONAL { ?r ptce:recognitionKind ?kind }
  OPTIONAL { ?r ptce:recognitionDate ?date }
  OPTIONAL { ?r ptce:grantedAmount/qudt:numericValue ?amount }
}"""
_Q_INDICATORS = """
SELECT DISTINCT ?p ?i ?kind ?value ?unit ?date ?src WHERE {
  #SCOPE#
  ?p ptce:hasIndicator ?i . ?i ptce:indicatorKind ?kind ; ptce:value ?value .
  OPTIONAL { ?i sdmx-attribute:unitMeasure ?measure_unit
    OPTIONAL { ?unit_concept skos:exactMatch ?measure_unit ; skos:inScheme ?unit_scheme
      FILTER(?unit_scheme = <https://w3id.org/ptce/id/scheme/unit>) }
    BIND(COALESCE(?unit_concept, ?measure_unit) AS ?unit) }
  OPTIONAL { ?i ptce:refPeriod/rdfs:label ?date }
  OPTIONAL { ?i dcterms:source ?src }
}"""
#: Set-wise form: each property of the indicators read once, joined by hash (dcterms:source,
#: used on every node, is still looked up per indicator).
_Q_INDICATORS_SET = """
SELECT DISTINCT ?p ?i ?kind ?value ?unit ?date ?src WHERE {
  #SCOPE#
  ?p ptce:hasIndicator ?i .
  { SELECT ?i ?kind WHERE { ?i ptce:indicatorKind ?kind } }
  { SELECT ?i ?value WHERE { ?i ptce:value ?value } }
  OPTIONAL { SELECT DISTINCT ?i ?unit WHERE { ?i sdmx-attribute:unitMeasure ?measure_unit
    OPTIONAL { ?unit_concept skos:exactMatch ?measure_unit ; skos:inScheme ?unit_scheme
      FILTER(?unit_scheme = <https://w3id.org/ptce/id/scheme/unit>) }
    BIND(COALESCE(?unit_concept, ?measure_unit) AS ?unit) } }
  OPTIONAL { SELECT DISTINCT ?i ?date WHERE { ?i ptce:refPeriod/rdfs:label ?date } }
  OPTIONAL { ?i dcterms:source ?src }
}"""
_Q_LABELS = """
SELECT DISTINCT ?s ?prop ?l WHERE {
  VALUES ?s { #NODES# }
  { ?s skos:prefLabel ?l BIND(skos:prefLabel AS ?prop) }
  UNION { ?s rdfs:label ?l BIND(rdfs:label AS ?prop) }
}"""
#: Every ``skos:broader`` link (those of the vocabularies: a few hundred), followed transitively
#: here (:meth:`_Build._read_broader`): Virtuoso 7.2 refuses ``skos:broader+`` from ``VALUES``
#: ("transitive start not given").
_Q_BROADER = """SELECT DISTINCT ?s ?b WHERE { ?s skos:broader ?b . }"""


def _values(nodes: Iterable[str]) -> str:
    return " ".join(URIRef(n).n3() for n in sorted(set(nodes)))


class _Labels:
    """Labels of many nodes, chosen by language: ``lang``, then French, English, any."""

    def __init__(self, lang: str) -> None:
        self.lang = lang.lower()
        self.by_node: dict[str, dict[tuple[str, bool], str]] = defaultdict(dict)

    def add(self, node: str, prop: Node, label: Node) -> None:
        if isinstance(label, Literal):
            key = ((label.language or "").lower(), prop == SKOS.prefLabel)
            current = self.by_node[node].get(key)
            if current is None or str(label) < current:
                self.by_node[node][key] = str(label)

    def of_lang(self, node: str, lang: str) -> str | None:
        found = self.by_node.get(node, {})
        return found.get((lang, True)) or found.get((lang, False))

    def get(self, node: str) -> str:
        for lang in (self.lang, "fr", "en", ""):
            label = self.of_lang(node, lang)
            if label:
                return label
        found = self.by_node.get(node)
        return min(found.values()) if found else local_name(node)


def load_profiles(
    store: Store,
    ptces: Sequence[str] | None,
    *,
    lang: str = "fr",
    on: date | None = None,
) -> list[PTCEProfile]:
    """Return the profiles of ``ptces`` (IRIs, in that order), or of every PTCE when ``None``.

    ``lang`` picks labels (then French, English, any); ``on`` (default: today) is the date the
    profile describes the PTCE as it stood: ages, memberships running then (started, not ended),
    recognitions and the latest indicator values not after it, and legal forms with the dated
    legal-form changes of its legal structure and carrier applied up to it. A date given as a year
    or a month counts from its first day (an end, up to its last).

    Raises:
        NotFound: if an IRI is not a ``ptce:PTCE`` in the store.
        QueryError: if ``lang`` is not a language tag or an IRI is malformed.
    """
    if not _LANG.fullmatch(lang):
        raise QueryError(f"not a language tag: {lang!r}", hint="use e.g. fr or en")
    on = on or date.today()
    if ptces is None:
        scope = "?p a ptce:PTCE ."
        wanted: list[str] | None = None
    else:
        wanted = [str(resolve_ptce(p)) for p in ptces]
        if not wanted:
            return []
        scope = f"VALUES ?p {{ {_values(wanted)} }} ?p a ptce:PTCE ."
    found = {str(b["p"]) for b in _select(store, "SELECT DISTINCT ?p WHERE { #SCOPE# }", scope)}
    if wanted is not None:
        missing = [iri for iri in wanted if iri not in found]
        if missing:
            raise NotFound(
                f"not a PTCE in the store: {', '.join(missing)}",
                hint=suggest(store, Reference("ptce", missing[0], "ptce")),
            )
        order = list(dict.fromkeys(wanted))
    else:
        order = sorted(found)
    builder = _Builder(store, scope, lang, on, set_wise=len(order) >= SET_WISE_FROM)
    return builder.build(order, _select(store, _Q_FACTS, scope))


class _Builder:
    """Collects the rows of every query, then assembles the profiles."""

    def __init__(
        self, store: Store, scope: str, lang: str, on: date, *, set_wise: bool = False
    ) -> None:
        self.store, self.scope, self.on, self.set_wise = store, scope, on, set_wise
        self.labels = _Labels(lang)
        self.nodes: set[str] = set()
        self.broader: dict[str, set[str]] = defaultdict(set)
        # made once per IRI / set of classes: the same few hundred recur over thousands of rows
        self._concepts: dict[str, Concept] = {}
        self._specific: dict[frozenset[str], set[str]] = {}

    def _rows(self, body: str, labelled: Sequence[str]) -> list[dict[str, Node]]:
        """Run a query; the IRIs bound to ``labelled`` variables get their labels looked up."""
        rows = _select(self.store, body, self.scope)
        for row in rows:
            self.nodes.update(str(row[v]) for v in labelled if isinstance(row.get(v), URIRef))
        return rows

    def _resolve_labels(self, extra: Iterable[str]) -> None:
        nodes = self.nodes | set(extra)
        chunk = sorted(nodes)
        for start in range(0, len(chunk), 2000):
            part = _values(chunk[start : start + 2000])
            for b in self.store.query(_PREFIXES + _Q_LABELS.replace("#NODES#", part)).bindings():
                self.labels.add(str(b["s"]), b["prop"], b["l"])
        self._read_broader(nodes)

    def _read_broader(self, nodes: set[str]) -> None:
        """``self.broader``: each node's concepts by ``skos:broader+``, from one query."""
        direct: dict[str, set[str]] = defaultdict(set)
        for b in self.store.query(_PREFIXES + _Q_BROADER).bindings():
            direct[str(b["s"])].add(str(b["b"]))
        for node in nodes:
            reached: set[str] = set()
            todo = list(direct.get(node, ()))
            while todo:
                concept = todo.pop()
                if concept not in reached:
                    reached.add(concept)
                    todo.extend(direct.get(concept, ()))
            if reached:
                self.broader[node] = reached

    def concept(self, iri: str) -> Concept:
        """The concept ``iri`` with its label and broader concepts (read first: build)."""
        found = self._concepts.get(iri)
        if found is None:
            broader = tuple(sorted(local_name(b) for b in self.broader.get(iri, ())))
            found = self._concepts[iri] = Concept(
                iri, local_name(iri), self.labels.get(iri), broader
            )
        return found

    def build(self, order: list[str], facts: list[dict[str, Node]]) -> list[PTCEProfile]:
        self._read_hierarchy()
        if self.set_wise:
            classes = _values(self.supers)
            members = self._rows(_Q_MEMBERS_SET.replace("#CLASSES#", classes), [])
        else:
            members = self._rows(_Q_MEMBERS, [])
        cooperation = self._rows(_Q_COOPERATION, ["t"])
        territory = self._rows(_Q_TERRITORY_SET if self.set_wise else _Q_TERRITORY, ["t"])
        legal = self._rows(_Q_LEGAL, ["o", "lf", "before", "after"])
        recognitions = self._rows(_Q_RECOGNITIONS, ["kind"])
        indicators = self._rows(
            _Q_INDICATORS_SET if self.set_wise else _Q_INDICATORS, ["kind", "unit"]
        )
        for row in facts:
            if isinstance(row["o"], URIRef):
                self.nodes.add(str(row["o"]))
        self._resolve_labels(order)
        for row in facts:
            if row["prop"] in (RDFS.label, SKOS.prefLabel):
                self.labels.add(str(row["p"]), row["prop"], row["o"])

        parts: dict[str, dict[str, Any]] = {iri: defaultdict(list) for iri in order}
        for row in facts:
            self._fact(parts[str(row["p"])], row)
        self._members(parts, members)
        self._cooperation(parts, cooperation)
        self._territory(parts, territory)
        self._legal(parts, legal)
        self._recognitions(parts, recognitions)
        self._indicators(parts, indicators)
        return [self._profile(iri, parts[iri]) for iri in order]

    # -- one method per query ---------------------------------------------------------------
    def _fact(self, part: dict[str, Any], row: dict[str, Node]) -> None:
        prop, obj = row["prop"], row["o"]
        if prop == SCHEMA.foundingDate:
            part["founding"].append(str(obj))
        elif prop == PTCE.compositionDocumented:
            part["documented"].append(isinstance(obj, Literal) and obj.toPython() is not False)
        elif isinstance(prop, URIRef) and prop in _CONCEPT_FIELDS and isinstance(obj, URIRef):
            part[_CONCEPT_FIELDS[prop]].append(self.concept(str(obj)))

    def _read_hierarchy(self) -> None:
        """Read the actor classes with their superclasses, and the class of each ESS family."""
        self.supers: dict[str, set[str]] = defaultdict(set)
        self.family_of: dict[str, str] = {}
        body = _Q_HIERARCHY.replace("#FAMILIES#", scheme_iri("ess-family").n3())
        for b in self.store.query(_PREFIXES + body).bindings():
            if "fam" in b:
                self.family_of[str(b["c"])] = str(b["fam"])
            else:
                self.supers[str(b["d"])].add(str(b["c"]))
        self.nodes.update(self.supers)
        self.nodes.update(self.family_of.values())

    def most_specific(self, types: Iterable[str]) -> set[str]:
        """The actor classes among ``types`` that no other one of them is a subclass of."""
        actor = frozenset(t for t in types if t in self.supers)
        found = self._specific.get(actor)
        if found is None:
            found = self._specific[actor] = {
                c for c in actor if not any(d != c and c in self.supers[d] for d in actor)
            }
        return set(found)

    def families(self, classes: Iterable[str]) -> set[str]:
        """The most specific ESS families the (most specific) ``classes`` belong to."""
        found = {a for c in classes for a in self.supers.get(c, ()) if a in self.family_of}
        specific = {f for f in found if not any(g != f and f in self.supers[g] for g in found)}
        return {self.family_of[f] for f in specific}

    def _members(self, parts: dict[str, dict[str, Any]], rows: list[dict[str, Node]]) -> None:
        """Count the members current at the reference date, by most specific class and family.

        A row is a membership (``p``, ``m``, optional ``end``) with the member's classes: one per
        row (``c``) or, from the set-wise query, all of them space-separated (``types``).
        """
        on = (self.on.year, self.on.month, self.on.day)
        ended: dict[tuple[str, str], bool] = {}
        types: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in rows:
            key = (str(row["p"]), str(row["m"]))
            start, end = row.get("start"), row.get("end")
            is_ended = end is not None and date_key(str(end)) < on
            not_yet = start is not None and (first_day_key(str(start)) or on) > on
            ended[key] = ended.get(key, True) and (is_ended or not_yet)
            if "c" in row:
                types[key].add(str(row["c"]))
            if "types" in row:  # the set-wise form: the member's actor classes in one string
                types[key].update(str(row["types"]).split())
        for (ptce, member), is_ended in ended.items():
            if is_ended:
                continue
            classes = self.most_specific(types[(ptce, member)])
            parts[ptce]["actor_classes"].extend(classes or [_UNCLASSIFIED])
            parts[ptce]["ess_families"].extend(self.families(classes))
            parts[ptce]["members"].append(member)

    def _cooperation(self, parts: dict[str, dict[str, Any]], rows: list[dict[str, Node]]) -> None:
        for row in rows:
            parts[str(row["p"])]["cooperation_types"].append(str(row["t"]))

    def _territory(self, parts: dict[str, dict[str, Any]], rows: list[dict[str, Node]]) -> None:
        for row in rows:
            kind = _PLACE_KINDS[row["kind"]]  # type: ignore[index]
            code = str(row["code"]) if "code" in row else None
            iri = str(row["t"])
            parts[str(row["p"])][f"{kind}s"].append(Place(iri, kind, code, self.labels.get(iri)))

    def _legal(self, parts: dict[str, dict[str, Any]], rows: list[dict[str, Node]]) -> None:
        found: dict[tuple[str, str, str], tuple[set[str], set[str]]] = {}
        changes: dict[tuple[str, str, str], set[tuple[str, str, str, str]]] = defaultdict(set)
        for row in rows:
            key = (str(row["p"]), str(row["role"]), str(row["o"]))
            classes, forms = found.setdefault(key, (set(), set()))
            if "c" in row:
                classes.add(str(row["c"]))
            if "lf" in row:
                forms.add(str(row["lf"]))
            if "e" in row:
                before, after = str(row.get("before") or ""), str(row.get("after") or "")
                changes[key].add((str(row["when"]), str(row["e"]), before, after))
        for key, events in changes.items():
            self._legal_forms_on(found[key][1], events)
        for (ptce, role, iri), (types, forms) in sorted(found.items()):
            classes = self.most_specific(types)
            cls = self.concept(min(classes)) if classes else None
            entity = Entity(
                iri, self.labels.get(iri), cls, tuple(self.concept(f) for f in sorted(forms))
            )
            field_name = "legal_structures" if role == str(PTCE.legalStructure) else "carriers"
            parts[ptce][field_name].append(entity)
            if field_name == "legal_structures":
                parts[ptce]["legal_forms"].extend(entity.legal_forms)

    def _legal_forms_on(self, forms: set[str], events: set[tuple[str, str, str, str]]) -> None:
        """Turn an organisation's recorded legal forms into those it had at the reference date.

        Each dated ``org:ChangeEvent`` (``legalFormBefore`` → ``legalFormAfter``) that happened by
        then (from the first day its date covers) gives its new form; one still to come is undone,
        the latest first. An organisation without events keeps its recorded forms.
        """
        on = (self.on.year, self.on.month, self.on.day)
        timed = sorted(
            (day, e, b, a) for when, e, b, a in events if (day := first_day_key(when)) is not None
        )
        for day, _e, before, after in timed:
            if day <= on and after:
                forms.discard(before)
                forms.add(after)
        for day, _e, before, after in reversed(timed):
            if day > on:
                forms.discard(after)
                if before:
                    forms.add(before)

    def _recognitions(self, parts: dict[str, dict[str, Any]], rows: list[dict[str, Node]]) -> None:
        on = (self.on.year, self.on.month, self.on.day)
        for row in rows:
            if "date" in row and (first_day_key(str(row["date"])) or on) > on:
                continue  # not yet recognised at the reference date
            kind = self.concept(str(row["kind"])) if "kind" in row else None
            when = str(row["date"]) if "date" in row else None
            recognition = Recognition(str(row["r"]), kind, when, _number(row.get("amount")))
            parts[str(row["p"])]["recognitions"].append(recognition)

    def _indicators(self, parts: dict[str, dict[str, Any]], rows: list[dict[str, Node]]) -> None:
        values: dict[tuple[str, str], dict[str, Any]] = {}
        for row in rows:
            key = (str(row["p"]), str(row["i"]))
            entry = values.setdefault(key, {"sources": set(), **row})
            if "src" in row:
                entry["sources"].add(str(row["src"]))
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        on = (self.on.year, self.on.month, self.on.day)
        for (ptce, iri), entry in sorted(values.items()):
            if "date" in entry and (first_day_key(str(entry["date"])) or on) > on:
                continue  # the latest value not after the reference date
            slot = (ptce, str(entry["kind"]))
            rank = (date_key(str(entry["date"]) if "date" in entry else None), iri)
            if slot not in latest or rank > latest[slot]["rank"]:
                latest[slot] = {**entry, "rank": rank, "iri": iri}
        for (ptce, _kind), entry in sorted(latest.items()):
            value = _number(entry["value"])
            if value is None:
                continue
            indicator = IndicatorValue(
                entry["iri"],
                self.concept(str(entry["kind"])),
                value,
                str(entry["date"]) if "date" in entry else None,
                self.concept(str(entry["unit"])) if "unit" in entry else None,
                tuple(sorted(entry["sources"])),
            )
            parts[ptce]["indicators"].append(indicator)

    # -- assembly ----------------------------------------------------------------------------
    def _counts(self, iris: list[str]) -> tuple[Count, ...]:
        tally: dict[str, int] = defaultdict(int)
        for iri in iris:
            tally[iri] += 1
        counts = []
        for iri, n in tally.items():
            concept = self.concept(iri)
            counts.append(Count(iri, concept.key, concept.label, n, concept.broader))
        return tuple(sorted(counts, key=lambda c: (-c.count, c.key)))

    def _profile(self, iri: str, part: dict[str, Any]) -> PTCEProfile:
        def concepts(name: str) -> tuple[Concept, ...]:
            unique = {c.iri: c for c in part.get(name, [])}
            return tuple(sorted(unique.values(), key=lambda c: c.key))

        def places(name: str) -> tuple[Place, ...]:
            unique = {p.iri: p for p in part.get(name, [])}
            return tuple(sorted(unique.values(), key=lambda p: (p.code or "", p.iri)))

        founding = min(part["founding"], key=date_key) if part.get("founding") else None
        labels = {
            lang: label
            for lang in ("fr", "en")
            if (label := self.labels.of_lang(iri, lang)) is not None
        }
        cooperation_actions = part.get("cooperation_types", [])
        return PTCEProfile(
            iri=iri,
            key=local_name(iri),
            label=self.labels.get(iri),
            labels=labels,
            founding_date=founding,
            age_years=age_in_years(founding, self.on),
            reference_date=self.on.isoformat(),
            composition_documented=all(part.get("documented", [True])),
            member_count=len(part.get("members", [])),
            actor_classes=self._counts(part.get("actor_classes", [])),
            ess_families=self._counts(part.get("ess_families", [])),
            cooperation_types=self._counts(cooperation_actions),
            sectors=concepts("sectors"),
            territory_types=concepts("territory_types"),
            scale=concepts("scale"),
            stage=concepts("stage"),
            origin=concepts("origin"),
            pole_type=concepts("pole_type"),
            funding=concepts("funding"),
            communes=places("communes"),
            departements=places("departements"),
            regions=places("regions"),
            epcis=places("epcis"),
            legal_forms=concepts("legal_forms"),
            legal_structures=tuple(part.get("legal_structures", [])),
            carriers=tuple(part.get("carriers", [])),
            recognitions=tuple(
                sorted(
                    part.get("recognitions", []),
                    key=lambda r: (date_key(r.date), r.kind.key if r.kind else "", r.iri),
                )
            ),
            indicators=tuple(sorted(part.get("indicators", []), key=lambda i: i.kind.key)),
        )


__all__ = ["load_profiles"]
