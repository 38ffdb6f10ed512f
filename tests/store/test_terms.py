"""pyoxigraph ↔ rdflib term conversions."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import XSD, BNode, Literal, URIRef

from ptce_kg.store.terms import rdflib_converter, to_oxigraph, to_rdflib

TERMS = [
    ox.NamedNode("https://w3id.org/ptce/id/ptce/synthetic-1"),
    ox.BlankNode("b0"),
    ox.Literal("Pôle"),
    ox.Literal("Pôle", language="fr"),
    ox.Literal("1.5", datatype=ox.NamedNode(str(XSD.decimal))),
    ox.Literal("1", datatype=ox.NamedNode(str(XSD.integer))),
]


def test_each_kind_of_term_round_trips():
    assert [to_rdflib(t) for t in TERMS] == [
        URIRef("https://w3id.org/ptce/id/ptce/synthetic-1"),
        BNode("b0"),
        Literal("Pôle"),
        Literal("Pôle", lang="fr"),
        Literal("1.5", datatype=XSD.decimal),
        Literal("1", datatype=XSD.integer),
    ]
    assert [to_oxigraph(to_rdflib(t)) for t in TERMS] == TERMS


def test_the_converter_of_an_answer_converts_each_term_once():
    convert = rdflib_converter()
    first = [convert(t) for t in TERMS]
    again = [
        convert(ox.NamedNode(t.value)) if isinstance(t, ox.NamedNode) else convert(t) for t in TERMS
    ]
    assert first == [to_rdflib(t) for t in TERMS]
    assert all(a is b for a, b in zip(first, again, strict=True))
