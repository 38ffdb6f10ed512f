"""Reasoning for ptce_kg: a DL reasoner on the ontology, a fast hierarchy closure for the data.

Two jobs, kept apart (docs/decisions/0003-reasoning.md):

- :func:`check_ontology` runs HermiT (through owlready2) on the ontology, its alignments and its
  vocabularies only — a few thousand triples, seconds — and reports consistency and unsatisfiable
  classes. An inconsistency is a result, not an exception.
- :func:`load_hierarchy`, :func:`closure_graph` and :func:`entail` materialise what the class and
  property hierarchy says about data (superclass types, super-properties, inverses, transitive
  containment) with dictionary look-ups, linear in the size of the data.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from ptce_kg.errors import ConfigError, SourceError

JAVA_MEMORY_MB = 1000
"""Java heap for HermiT, in MB; the ontology needs far less (1.2 GB served 15k individuals)."""

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class OntologyCheck:
    """What HermiT said about the ontology: consistent or not, which classes are unsatisfiable."""

    consistent: bool
    unsatisfiable: list[str]
    seconds: float


@dataclass(frozen=True)
class Hierarchy:
    """Reflexive-transitive class and property hierarchy of an ontology.

    ``superclasses[c]`` and ``superproperties[p]`` include ``c`` / ``p`` themselves; ``inverses[p]``
    lists the properties declared inverse of ``p`` (both ways); ``transitive`` lists the
    ``owl:TransitiveProperty`` properties.
    """

    superclasses: Mapping[URIRef, frozenset[URIRef]]
    superproperties: Mapping[URIRef, frozenset[URIRef]]
    inverses: Mapping[URIRef, frozenset[URIRef]]
    transitive: frozenset[URIRef]
    _expansions: dict[Node, tuple[tuple[URIRef, ...], tuple[URIRef, ...]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def expand_property(self, p: Node) -> tuple[tuple[URIRef, ...], tuple[URIRef, ...]]:
        """Return the predicates that ``(s, p, o)`` entails forwards and backwards (inverses).

        Follows super-properties and inverses until nothing new appears; ``p`` itself is left out
        of the forward list.
        """
        cached = self._expansions.get(p)
        if cached is not None:
            return cached
        seen: set[tuple[URIRef, bool]] = set()
        stack: list[tuple[URIRef, bool]] = [(p, True)] if isinstance(p, URIRef) else []
        while stack:
            prop, forward = stack.pop()
            if (prop, forward) in seen:
                continue
            seen.add((prop, forward))
            stack.extend((sup, forward) for sup in self.superproperties.get(prop, ()))
            stack.extend((inv, not forward) for inv in self.inverses.get(prop, ()))
        forward_props = tuple(sorted(q for q, fwd in seen if fwd and q != p))
        backward_props = tuple(sorted(q for q, fwd in seen if not fwd))
        result = (forward_props, backward_props)
        self._expansions[p] = result
        return result


def check_ontology(paths: Sequence[Path]) -> OntologyCheck:
    """Run HermiT on the union of ``paths`` (Turtle or any rdflib format) and report the result.

    Raises :class:`ConfigError` when no Java runtime is available and :class:`SourceError` when a
    file cannot be parsed.
    """
    import owlready2
    import owlready2.reasoning

    java = shutil.which(owlready2.JAVA_EXE) or shutil.which("java")
    if java is None:
        raise ConfigError(
            "HermiT needs a Java runtime and none was found on PATH",
            hint="install a Java runtime, e.g. apt-get install default-jre-headless",
        )
    owlready2.JAVA_EXE = java
    owlready2.reasoning.JAVA_MEMORY = JAVA_MEMORY_MB

    merged = Graph()
    for path in paths:
        try:
            merged.parse(path)
        except Exception as e:  # rdflib raises several unrelated types on bad input
            raise SourceError(f"cannot parse: {e}", path=str(path)) from e

    start = time.perf_counter()
    world = owlready2.World()
    with tempfile.TemporaryDirectory(prefix="ptce-hermit-") as tmp:
        nt_path = Path(tmp) / "ontology.nt"
        merged.serialize(nt_path, format="nt", encoding="utf-8")
        onto = world.get_ontology(nt_path.as_uri()).load(format="ntriples")
        consistent = True
        unsatisfiable: list[str] = []
        try:
            with onto:
                owlready2.sync_reasoner_hermit(
                    world,
                    infer_property_values=False,
                    debug=0,
                    ignore_unsupported_datatypes=True,
                )
        except owlready2.OwlReadyInconsistentOntologyError:
            consistent = False
        else:
            nothing = str(OWL.Nothing)
            unsatisfiable = sorted(
                iri for iri in (c.iri for c in world.inconsistent_classes()) if iri != nothing
            )
        world.close()
    return OntologyCheck(consistent, unsatisfiable, time.perf_counter() - start)


def _closure(
    direct: Mapping[URIRef, set[URIRef]], nodes: Iterable[URIRef]
) -> dict[URIRef, frozenset[URIRef]]:
    """Reflexive-transitive closure of a small relation (ontology-sized, depth-first)."""
    result: dict[URIRef, frozenset[URIRef]] = {}
    for node in nodes:
        seen = {node}
        stack = [node]
        while stack:
            for nxt in direct.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        result[node] = frozenset(seen)
    return result


def _named(*nodes: Node) -> bool:
    return all(isinstance(n, URIRef) for n in nodes)


def load_hierarchy(ontology: Graph) -> Hierarchy:
    """Read the class and property hierarchy of ``ontology`` (named terms; restrictions ignored)."""
    sub_class: dict[URIRef, set[URIRef]] = defaultdict(set)
    sub_prop: dict[URIRef, set[URIRef]] = defaultdict(set)
    classes: set[URIRef] = set()
    properties: set[URIRef] = set()

    for s, o in ontology.subject_objects(RDFS.subClassOf):
        if _named(s, o):
            sub_class[s].add(o)  # type: ignore[index,arg-type]
            classes.update((s, o))  # type: ignore[arg-type]
    for s, o in ontology.subject_objects(OWL.equivalentClass):
        if _named(s, o):
            sub_class[s].add(o)  # type: ignore[index,arg-type]
            sub_class[o].add(s)  # type: ignore[index,arg-type]
            classes.update((s, o))  # type: ignore[arg-type]
    for kind in (OWL.Class, RDFS.Class):
        classes.update(c for c in ontology.subjects(RDF.type, kind) if isinstance(c, URIRef))

    for s, o in ontology.subject_objects(RDFS.subPropertyOf):
        if _named(s, o):
            sub_prop[s].add(o)  # type: ignore[index,arg-type]
            properties.update((s, o))  # type: ignore[arg-type]
    for s, o in ontology.subject_objects(OWL.equivalentProperty):
        if _named(s, o):
            sub_prop[s].add(o)  # type: ignore[index,arg-type]
            sub_prop[o].add(s)  # type: ignore[index,arg-type]
            properties.update((s, o))  # type: ignore[arg-type]
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property):
        properties.update(p for p in ontology.subjects(RDF.type, kind) if isinstance(p, URIRef))

    inverses: dict[URIRef, set[URIRef]] = defaultdict(set)
    for s, o in ontology.subject_objects(OWL.inverseOf):
        if _named(s, o):
            inverses[s].add(o)  # type: ignore[index,arg-type]
            inverses[o].add(s)  # type: ignore[index,arg-type]
            properties.update((s, o))  # type: ignore[arg-type]
    transitive = frozenset(
        p for p in ontology.subjects(RDF.type, OWL.TransitiveProperty) if isinstance(p, URIRef)
    )
    properties |= transitive

    return Hierarchy(
        superclasses=_closure(sub_class, classes),
        superproperties=_closure(sub_prop, properties),
        inverses={p: frozenset(v) for p, v in inverses.items()},
        transitive=transitive,
    )


def closure_graph(h: Hierarchy) -> Graph:
    """Return the materialised hierarchy: reflexive-transitive ``rdfs:subClassOf`` and
    ``rdfs:subPropertyOf``, and ``owl:inverseOf`` both ways.

    Kept in its own named graph (``namespaces.CLOSURE_GRAPH``), it makes
    ``?x a/rdfs:subClassOf ptce:ESSEnterprise`` a one-hop pattern.
    """
    g = Graph()
    for c, supers in h.superclasses.items():
        for sup in supers:
            g.add((c, RDFS.subClassOf, sup))
    for p, supers in h.superproperties.items():
        for sup in supers:
            g.add((p, RDFS.subPropertyOf, sup))
    for p, invs in h.inverses.items():
        for inv in invs:
            g.add((p, OWL.inverseOf, inv))
    return g


def entail(data: Iterable[Triple], h: Hierarchy) -> set[Triple]:
    """Return the triples that follow from ``data`` under ``h`` and are not in ``data``.

    Superclass types of ``rdf:type`` triples, super-property triples, inverse triples, and the
    transitive closure of every ``owl:TransitiveProperty`` (``ptce:within`` ⊑
    ``ptce:withinTransitive``). Domains and ranges are not applied. One pass over the data with
    dictionary look-ups, then a closure over the transitive edges only.
    """
    existing: set[Triple] = set()
    derived: set[Triple] = set()
    rdf_type = RDF.type
    superclasses = h.superclasses
    expand = h.expand_property

    def derive(s: Node, p: Node, o: Node) -> None:
        if p == rdf_type:
            for sup in superclasses.get(o, ()):  # type: ignore[call-overload]
                derived.add((s, rdf_type, sup))
        forward, backward = expand(p)
        for q in forward:
            derived.add((s, q, o))
            if q == rdf_type:
                for sup in superclasses.get(o, ()):  # type: ignore[call-overload]
                    derived.add((s, rdf_type, sup))
        if backward and not isinstance(o, Literal):
            for q in backward:
                derived.add((o, q, s))

    for triple in data:
        existing.add(triple)
        derive(*triple)

    if h.transitive:
        edges: dict[URIRef, dict[Node, set[Node]]] = {t: defaultdict(set) for t in h.transitive}
        for s, p, o in existing | derived:
            if p in edges:
                edges[p][s].add(o)  # type: ignore[index]
        for t, succ in edges.items():
            for s in list(succ):
                seen: set[Node] = set()
                stack = list(succ[s])
                while stack:
                    nxt = stack.pop()
                    if nxt in seen:
                        continue
                    seen.add(nxt)
                    stack.extend(succ.get(nxt, ()))
                for o in seen - succ[s]:
                    derive(s, t, o)
                    derived.add((s, t, o))

    return derived - existing


def _entailment_rules(h: Hierarchy, graph: str, closure: str) -> list[tuple[str, str]]:
    """(template, pattern) pairs: what ``graph`` entails under ``h`` (see entailment_queries)."""
    rdfs, owl = str(RDFS), str(OWL)
    rules = [
        (
            "?s a ?super",
            f"""GRAPH <{graph}> {{ ?s a ?c }}
            GRAPH <{closure}> {{ ?c <{rdfs}subClassOf> ?super }}
            FILTER(?super != ?c && isIRI(?super))""",
        ),
        (
            "?s ?super ?o",
            f"""GRAPH <{graph}> {{ ?s ?p ?o }}
            GRAPH <{closure}> {{ ?p <{rdfs}subPropertyOf> ?super }}
            FILTER(?super != ?p && isIRI(?super))""",
        ),
        (
            "?o ?inverse ?s",
            f"""GRAPH <{graph}> {{ ?s ?p ?o }}
            GRAPH <{closure}> {{
                ?p <{rdfs}subPropertyOf> ?super . ?super <{owl}inverseOf> ?inverse }}
            FILTER(!isLiteral(?o))""",
        ),
    ]
    for t in sorted(h.transitive):
        members = sorted(p for p, supers in h.superproperties.items() if t in supers)
        values = " ".join(f"<{p}>" for p in members)
        path = "|".join(f"<{p}>" for p in members)
        rules.append(
            (
                f"?s <{t}> ?o",
                f"GRAPH <{graph}> {{ ?s ?p ?x }} VALUES ?p {{ {values} }} ?x ({path})* ?o",
            )
        )
    return rules


def entailment_queries(h: Hierarchy, graph: str, *, closure: str) -> list[str]:
    """Return SPARQL CONSTRUCT queries giving what ``graph`` entails under ``h``.

    The same entailments as :func:`entail`, computed by the engine for speed: superclass types
    and super-properties through the materialised ``closure`` graph, inverses, and the transitive
    closure of each ``owl:TransitiveProperty`` (followed through the whole dataset, so a commune's
    région is reached through its département even when the two live in different sources). Run them
    with the
    union of all graphs as the default graph.
    """
    return [
        f"CONSTRUCT {{ {template} }} WHERE {{ {pattern} }}"
        for template, pattern in _entailment_rules(h, graph, closure)
    ]


def entailment_updates(h: Hierarchy, graph: str, *, closure: str, into: str) -> list[str]:
    """The SPARQL update operations that write :func:`entailment_queries`' answers into ``into``."""
    return [
        f"INSERT {{ GRAPH <{into}> {{ {template} }} }} WHERE {{ {pattern} }}"
        for template, pattern in _entailment_rules(h, graph, closure)
    ]
