"""rdflib's SPARQLStore against the live endpoint: a Graph over it, a SELECT and triples()."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore

from .conftest import LABELS, ORG, ORG_CLASS, RDF_TYPE, RDFS_LABEL, LiveServer


def test_select_through_a_graph(live_server: LiveServer) -> None:
    graph = Graph(store=SPARQLStore(live_server.endpoint))
    rows = graph.query(f"SELECT ?org ?label WHERE {{ ?org <{RDFS_LABEL}> ?label }} ORDER BY ?org")
    assert [(str(r[0]), str(r[1])) for r in rows] == sorted(LABELS.items())
    assert all(isinstance(r[1], Literal) and r[1].language == "fr" for r in rows)


def test_triples_iteration(live_server: LiveServer) -> None:
    graph = Graph(store=SPARQLStore(live_server.endpoint))
    typed = set(graph.triples((None, URIRef(RDF_TYPE), URIRef(ORG_CLASS))))
    assert {s for s, _, _ in typed} == {URIRef(iri) for iri in LABELS}
    one = set(graph.triples((URIRef(f"{ORG}1"), None, None)))
    assert len(one) == 2
    assert (URIRef(f"{ORG}1"), URIRef(RDFS_LABEL), Literal(LABELS[f"{ORG}1"], lang="fr")) in one
