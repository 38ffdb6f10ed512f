"""What the store says about one resource, and its serialisation by the engine.

:func:`describe` gives a resource's triples as subject, with those of the blank nodes they lead
to (up to four hops); :func:`serialize_triples` writes any triples in a media type through a
scratch in-memory store, so that every RDF the service sends is the engine's serialisation.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, URIRef
from rdflib.term import Node

from ptce_kg.namespaces import graph_iri
from ptce_kg.store import Store, open_store

_SCRATCH_GRAPH = str(graph_iri("description"))
_BNODE_HOPS = 4
_DESCRIBE = (
    "CONSTRUCT { ?s ?p ?o } WHERE { { ?r ?p ?o BIND(?r AS ?s) }"
    + "".join(
        " UNION { ?r ?q0 ?b0 FILTER(isBlank(?b0)) "
        + "".join(f"?b{i - 1} ?q{i} ?b{i} FILTER(isBlank(?b{i})) " for i in range(1, hops))
        + f"BIND(?b{hops - 1} AS ?s) ?s ?p ?o }}"
        for hops in range(1, _BNODE_HOPS + 1)
    )
    + " }"
)


def describe(store: Store, iri: str) -> list[tuple[Node, Node, Node]]:
    """The triples of ``iri`` as subject, with those of the blank nodes they lead to."""
    return store.query(_DESCRIBE, bindings={"r": URIRef(iri)}).triples


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
