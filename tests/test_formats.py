"""ptce_kg.formats: the one table of RDF formats, its media types, rdflib names and preferences."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from ptce_kg.formats import DOCUMENT_FORMATS, GRAPH_FORMATS, RdfFormat, oxigraph_format


@pytest.mark.parametrize("fmt", list(RdfFormat), ids=lambda f: f.name)
def test_a_format_is_found_from_its_media_type(fmt: RdfFormat):
    assert RdfFormat.from_media_type(fmt.media_type) is fmt


def test_an_unknown_media_type_is_no_rdf_format():
    with pytest.raises(KeyError):
        RdfFormat.from_media_type("text/html")


@pytest.mark.parametrize("fmt", DOCUMENT_FORMATS, ids=lambda f: f.name)
def test_rdflib_writes_each_document_format_under_its_rdflib_name(fmt: RdfFormat):
    graph = Graph()
    graph.add((URIRef("http://x/a"), URIRef("http://x/p"), Literal("é")))
    graph.add((URIRef("http://x/a"), URIRef("http://x/q"), URIRef("http://x/b")))
    body = graph.serialize(format=fmt.rdflib_name, encoding="utf-8")
    triples = list(ox.parse(body, format=oxigraph_format(fmt)))  # read back as that format
    assert len(triples) == 2


def test_preferences_put_turtle_first_and_offer_every_format_for_graph_answers():
    assert DOCUMENT_FORMATS[0] is RdfFormat.TURTLE and GRAPH_FORMATS[0] is RdfFormat.TURTLE
    assert set(GRAPH_FORMATS) == set(RdfFormat)
    assert len(set(DOCUMENT_FORMATS)) == len(DOCUMENT_FORMATS)
