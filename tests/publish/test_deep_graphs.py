"""Dumps of graphs with long blank-node chains and deeply nested lists: no RecursionError, and the
files read back as the same graph (rdflib's writers recursed per level and failed at ~250)."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS

from ptce_kg.publish.dumps import MAX_DUMP_NESTING, compact_jsonld, turtle_bytes
from publish.conftest import parse_rdf

ROOT = URIRef("https://w3id.org/ptce/id/org/synthetic-deep")
CONTEXT = {"rdfs": str(RDFS)}


def blank_chain(length: int) -> Graph:
    """ROOT rdfs:seeAlso _:b0 . _:b0 rdfs:seeAlso _:b1 … _:bN rdfs:comment "end"."""
    g = Graph()
    node: URIRef | BNode = ROOT
    for _ in range(length):
        nxt = BNode()
        g.add((node, RDFS.seeAlso, nxt))
        node = nxt
    g.add((node, RDFS.comment, Literal("end")))
    return g


def nested_lists(depth: int) -> Graph:
    """ROOT rdfs:member ( ( ( … ( "bottom" ) … ) ) ), ``depth`` lists deep."""
    g = Graph()
    inner: Literal | BNode = Literal("bottom")
    for _ in range(depth):
        head = BNode()
        Collection(g, head, [inner])
        inner = head
    g.add((ROOT, RDFS.member, inner))
    return g


def read_jsonld(document: bytes) -> Graph:
    return parse_rdf(document, "application/ld+json")


def chain_length(graph: Graph) -> int:
    """How many blank nodes the rdfs:seeAlso chain from ROOT goes through to its "end"."""
    length, node = 0, graph.value(ROOT, RDFS.seeAlso)
    while isinstance(node, BNode):
        length += 1
        if graph.value(node, RDFS.comment) == Literal("end"):
            return length
        node = graph.value(node, RDFS.seeAlso)
    return -1


@pytest.mark.parametrize("length", [MAX_DUMP_NESTING + 1, 1_500, 20_000])
def test_a_long_blank_node_chain_dumps_and_reads_back(length: int) -> None:
    graph = blank_chain(length)
    for dumped in (
        Graph().parse(data=turtle_bytes(graph), format="turtle"),
        read_jsonld(compact_jsonld(graph, CONTEXT, None)),
    ):
        assert len(dumped) == len(graph)
        assert chain_length(dumped) == length


@pytest.mark.parametrize("depth", [MAX_DUMP_NESTING + 1, 400])
def test_nested_lists_dump_and_read_back(depth: int) -> None:
    graph = nested_lists(depth)
    assert isomorphic(Graph().parse(data=turtle_bytes(graph), format="turtle"), graph)
    assert isomorphic(read_jsonld(compact_jsonld(graph, CONTEXT, None)), graph)


def test_shallow_blank_nodes_stay_nested_in_turtle() -> None:
    """Below the bound the Turtle is as before: blank nodes written inline."""
    text = turtle_bytes(blank_chain(3)).decode()
    assert "_:" not in text
    assert text.count("[") == 3
