"""What the store says about one resource, its licence, and its serialisations.

- :func:`describe`: the resource's triples as subject, with those of the blank nodes they lead to
  (up to four hops): its concise bounded description.
- :func:`describe_with_parts`: that, plus every triple that points to the resource, plus the
  concise bounded description of the nodes that are part of it (the memberships, cooperation
  actions, projects and governance bodies of a PTCE; the memberships of an organisation; blank
  nodes that point to it): a symmetric concise bounded description that carries the resource's
  graph. This is the RDF a resource's IRI answers with.
- :func:`serialize_description`: Turtle with the project's prefixes, JSON-LD compacted with the
  published ``@context`` (:mod:`ptce_kg.publish.context`), N-Triples and RDF/XML by the engine.
- :func:`graph_licences`: the licence of each named graph, from the catalogue's datasets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.term import Node

from ptce_kg.namespaces import CC_BY_4_0, ORG, PTCE, graph_iri
from ptce_kg.publish.catalog import DATASETS
from ptce_kg.publish.context import build_context
from ptce_kg.publish.dumps import SOURCE_PARTS, Part, compact_jsonld, new_graph, turtle_bytes
from ptce_kg.store import Store, companion_graphs, open_store
from ptce_kg.web import negotiation as media

_SCRATCH_GRAPH = str(graph_iri("description"))
_BNODE_HOPS = 4
#: Links by which a node is part of what it points to: its description travels with that.
PART_LINKS: tuple[URIRef, ...] = (ORG.organization, ORG.member, ORG.unitOf, PTCE.inPTCE)
#: The licence of data no catalogued dataset claims (the catalogue's own).
DEFAULT_LICENCE = CC_BY_4_0


def _closure(root: str) -> str:
    """Patterns binding ``?s ?p ?o`` to the triples of ``?root`` and of the blank nodes it leads
    to (up to :data:`_BNODE_HOPS` deep)."""
    branches = [f"{{ ?{root} ?p ?o BIND(?{root} AS ?s) }}"]
    for hops in range(1, _BNODE_HOPS + 1):
        # the last blank node is ?s itself: Virtuoso 7.2 cannot compile a UNION of branches that
        # BIND a blank node filtered by isBlank to ?s once ?root comes from VALUES ("equiv
        # replaces filter but under deprecation")
        nodes = [*(f"?b{i}" for i in range(hops - 1)), "?s"]
        chain = " ".join(
            f"{before} ?q{i} {node} ."
            for i, (before, node) in enumerate(zip([f"?{root}", *nodes[:-1]], nodes, strict=True))
        )
        blank = " && ".join(f"isBlank({node})" for node in nodes)
        branches.append(f"{{ {chain} ?s ?p ?o FILTER({blank}) }}")
    return " UNION ".join(branches)


# Parameters are bound terms (?r); the IRIs written in are constants of namespaces.py.
_DESCRIBE = "CONSTRUCT { ?s ?p ?o } WHERE { " + _closure("r") + " }"
_DESCRIBE_WITH_PARTS = (
    "CONSTRUCT { ?s ?p ?o } WHERE { "
    # a subject is an IRI or a blank node: !isBlank, as isIRI there fails Virtuoso 7.2's compiler
    + "{ ?s ?p ?r FILTER(!isBlank(?s)) BIND(?r AS ?o) } "
    + "UNION { "
    + _closure("r")
    + " } UNION { ?part ?link ?r FILTER(isBlank(?part) || ?link IN ("
    + ", ".join(f"<{link}>" for link in PART_LINKS)
    + ")) { "
    + _closure("part")
    + " } } }"
)
_GRAPHS_OF = "SELECT DISTINCT ?r ?g WHERE { GRAPH ?g { ?r ?p ?o } }"


def describe(store: Store, iri: str) -> list[tuple[Node, Node, Node]]:
    """The triples of ``iri`` as subject, with those of the blank nodes they lead to."""
    return store.query(_DESCRIBE, bindings={"r": URIRef(iri)}).triples


def describe_with_parts(store: Store, iri: str) -> list[tuple[Node, Node, Node]]:
    """:func:`describe`, plus the triples pointing to ``iri`` and the descriptions of its parts
    (nodes linked to it by one of :data:`PART_LINKS`, and blank nodes pointing to it)."""
    return store.query(_DESCRIBE_WITH_PARTS, bindings={"r": URIRef(iri)}).triples


def serialize_triples(triples: Iterable[tuple[Node, Node, Node]], media_type: str) -> bytes:
    """Serialise ``triples`` in ``media_type`` with the engine (through a scratch store)."""
    graph = Graph()
    for triple in triples:
        graph.add(triple)  # type: ignore[arg-type]
    scratch = open_store(":memory:")
    try:
        scratch.replace_graphs({_SCRATCH_GRAPH: graph.serialize(format="nt", encoding="utf-8")})
        _kind, body = scratch.query_serialized("CONSTRUCT WHERE { ?s ?p ?o }", media_type)
    finally:
        scratch.close()
    return body


def serialize_description(
    triples: Iterable[tuple[Node, Node, Node]], media_type: str, context: Mapping[str, Any]
) -> bytes:
    """A description in ``media_type``: Turtle with the project's prefixes, JSON-LD compacted
    with ``context`` (embedded), the other formats by the engine."""
    if media_type not in (media.TURTLE, media.JSON_LD):
        return serialize_triples(triples, media_type)
    graph = new_graph()
    for triple in triples:
        graph.add(triple)  # type: ignore[arg-type]
    if media_type == media.TURTLE:
        return turtle_bytes(graph)
    return compact_jsonld(graph, context, None)


@lru_cache(maxsize=4)
def ontology_graph(ontology_dir: Path) -> Graph:
    """The ontology files of ``ontology_dir`` (read once)."""
    graph = Graph()
    for path in sorted(ontology_dir.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@lru_cache(maxsize=4)
def jsonld_context(ontology_dir: Path) -> dict[str, Any]:
    """The ``@context`` object the JSON-LD of resources is compacted with (the published one)."""
    return build_context(ontology_graph(ontology_dir))


def graph_licences(parts: Iterable[Part]) -> dict[str, URIRef]:
    """The licence of each source graph of ``parts`` (:func:`ptce_kg.publish.dumps.plan_parts`)
    and of its companions: its catalogued dataset's."""
    licences: dict[str, URIRef] = {}
    for part in parts:
        if part.key not in SOURCE_PARTS:
            continue
        info = DATASETS.get(part.key)
        licence = info.licence if info is not None else DEFAULT_LICENCE
        for graph in part.graphs:
            licences[graph] = licence
            licences.update(dict.fromkeys(companion_graphs(graph), licence))
    return licences


def resource_licences(store: Store, iri: str, licences: Mapping[str, URIRef]) -> list[URIRef]:
    """The licences of the graphs that describe ``iri`` (:data:`DEFAULT_LICENCE` when none)."""
    graphs: Sequence[Node] = [
        row["g"] for row in store.query(_GRAPHS_OF, bindings={"r": URIRef(iri)}).bindings()
    ]
    found = {licences.get(str(g), DEFAULT_LICENCE) for g in graphs}
    return sorted(found or {DEFAULT_LICENCE}, key=str)
