"""Content negotiation: Accept parsing, q-values, wildcards, format parameters, exact types."""

from __future__ import annotations

import pytest

from ptce_kg.web import negotiation as m


def test_missing_or_empty_accept_means_anything():
    assert m.parse_accept(None) == [m.MediaRange("*", "*", 1.0)]
    assert m.parse_accept("  ") == [m.MediaRange("*", "*", 1.0)]


def test_q_values_are_parsed_clamped_and_malformed_ones_skipped():
    ranges = m.parse_accept("text/turtle;q=0.5, application/*;q=2, bogus, */json, text/csv;q=x")
    assert ranges == [
        m.MediaRange("text", "turtle", 0.5),
        m.MediaRange("application", "*", 1.0),
        m.MediaRange("text", "csv", 1.0),
    ]


@pytest.mark.parametrize(
    ("accept", "offers", "expected"),
    [
        (None, m.RESULT_TYPES, m.SPARQL_JSON),
        ("*/*", m.GRAPH_TYPES, m.TURTLE),
        ("text/csv", m.RESULT_TYPES, m.CSV),
        ("text/csv;q=0.5, application/sparql-results+xml", m.RESULT_TYPES, m.SPARQL_XML),
        ("text/*", m.RESULT_TYPES, m.CSV),
        ("text/*;q=0.3, */*;q=0.1", m.GRAPH_TYPES, m.TURTLE),
        ("application/*, text/turtle;q=0.9", m.GRAPH_TYPES, m.N_TRIPLES),
        # the most specific range decides: turtle is refused although */* is acceptable
        ("text/turtle;q=0, */*", m.GRAPH_TYPES, m.N_TRIPLES),
        ("text/html", m.RESULT_TYPES, None),
        ("text/turtle;q=0", m.GRAPH_TYPES, None),
        # generic aliases stand for the registered types
        ("application/json", m.RESULT_TYPES, m.SPARQL_JSON),
        ("application/json", m.GRAPH_TYPES, m.JSON_LD),
        ("application/xml", m.GRAPH_TYPES, m.RDF_XML),
        ("application/json;q=0.9, text/csv", m.RESULT_TYPES, m.CSV),
        # Comunica's style
        (
            "application/sparql-results+json,application/sparql-results+xml;q=0.8,"
            "text/csv;q=0.5,*/*;q=0.1",
            m.RESULT_TYPES,
            m.SPARQL_JSON,
        ),
        # browsers
        (
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            (m.TURTLE, m.HTML, m.JSON_LD),
            m.HTML,
        ),
    ],
)
def test_choose_media_type(accept, offers, expected):
    assert m.choose_media_type(accept, offers) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"format": ["json"]}, (m.SPARQL_JSON, m.JSON_LD)),
        ({"output": ["xml"]}, (m.SPARQL_XML, m.RDF_XML)),
        ({"results": ["csv"]}, (m.CSV, None)),
        ({"format": ["TSV"]}, (m.TSV, None)),
        ({"format": ["turtle"]}, (None, m.TURTLE)),
        ({"format": ["text/turtle"]}, (None, m.TURTLE)),
        ({"format": ["application/sparql-results+json"]}, (m.SPARQL_JSON, None)),
        ({"format": ["nt"]}, (None, m.N_TRIPLES)),
        ({"format": ["json-ld"]}, (None, m.JSON_LD)),
        ({"format": ["application/json"]}, (m.SPARQL_JSON, m.JSON_LD)),
        ({"format": ["unknown"]}, None),
        ({}, None),
    ],
)
def test_format_parameters(params, expected):
    assert m.format_override(params) == expected


def test_a_format_parameter_overrides_accept():
    chosen = m.negotiate_query_types("text/csv", {"format": ["xml"]})
    assert chosen == {"select": m.SPARQL_XML, "ask": m.SPARQL_XML, "graph": m.RDF_XML}
    chosen = m.negotiate_query_types("text/csv", {})
    assert chosen == {"select": m.CSV, "ask": m.CSV, "graph": None}


@pytest.mark.parametrize(
    ("media_type", "header"),
    [
        (m.SPARQL_JSON, "application/sparql-results+json"),
        (m.SPARQL_XML, "application/sparql-results+xml"),
        (m.CSV, "text/csv; charset=utf-8"),
        (m.TSV, "text/tab-separated-values"),
        (m.TURTLE, "text/turtle; charset=utf-8"),
        (m.N_TRIPLES, "application/n-triples"),
        (m.RDF_XML, "application/rdf+xml"),
        (m.JSON_LD, "application/ld+json"),
        (m.N_QUADS, "application/n-quads"),
        (m.TRIG, "application/trig"),
    ],
)
def test_content_types_are_exactly_the_registered_ones(media_type, header):
    assert m.content_type(media_type) == header
