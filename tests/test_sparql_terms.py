"""The one writer of SPARQL constants (ptce_kg.sparql.terms): every IRI and literal it writes reads
back as the same term, so a value can never change the query around it; what it cannot write is
refused (and each caller turns that into its own error)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import BNode, Literal, URIRef

from ptce_kg.errors import QueryError
from ptce_kg.sparql.binding import bind_values
from ptce_kg.sparql.terms import sparql_term
from ptce_kg.validate._shapes import UnsupportedShapeError
from ptce_kg.validate._shapes import sparql_term as shape_constant


def read_back(text: str) -> ox.Literal | ox.NamedNode:
    """The term ``text`` denotes, as a SPARQL engine reads it in a VALUES clause."""
    (row,) = list(ox.Store().query(f"SELECT ?x WHERE {{ VALUES ?x {{ {text} }} }}"))
    return row["x"]


@given(st.text(), st.sampled_from([None, "fr", "en-GB"]))
def test_any_plain_or_language_literal_reads_back_unchanged(value: str, lang: str | None) -> None:
    term = read_back(sparql_term(Literal(value, lang=lang)))
    assert isinstance(term, ox.Literal)
    # language tags are case-insensitive: engines may lower-case them
    assert term.value == value and term.language == (lang.lower() if lang else None)


@given(st.text())
def test_a_typed_literal_keeps_its_value_and_datatype(value: str) -> None:
    datatype = "https://w3id.org/ptce/ontology#code"
    term = read_back(sparql_term(Literal(value, datatype=URIRef(datatype))))
    assert isinstance(term, ox.Literal)
    assert term.value == value and term.datatype == ox.NamedNode(datatype)


def test_a_value_cannot_close_the_query_around_it() -> None:
    hostile = Literal('x" } } ; DROP ALL ; SELECT * { "')
    query = bind_values("SELECT ?v WHERE { ?s ?p ?v }", {"v": hostile})
    (row,) = list(ox.Store().query(query.replace("?s ?p ?v", "")))
    assert row["v"].value == str(hostile)


@pytest.mark.parametrize("iri", ["http://x/a> } DROP ALL #", "http://x/a b", "http://x/\x00"])
def test_an_iri_sparql_cannot_write_is_refused_by_each_caller(iri: str) -> None:
    with pytest.raises(ValueError, match="invalid IRI"):
        sparql_term(URIRef(iri))
    with pytest.raises(QueryError, match="invalid IRI"):
        bind_values("SELECT * WHERE { ?s ?p ?o }", {"s": URIRef(iri)})
    with pytest.raises(UnsupportedShapeError, match="shape S: invalid IRI"):
        shape_constant(URIRef(iri), where="shape S")


def test_a_blank_node_is_refused_by_each_caller() -> None:
    with pytest.raises(ValueError, match="blank node"):
        sparql_term(BNode("b0"))
    with pytest.raises(QueryError, match="blank node"):
        bind_values("SELECT * WHERE { ?s ?p ?o }", {"s": BNode("b0")})
    with pytest.raises(UnsupportedShapeError, match="blank node"):
        shape_constant(BNode("b0"), where="shape S")
