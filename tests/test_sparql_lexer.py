"""ptce_kg.sparql.lexer: strings, IRIs, comments are never syntax; WHERE groups and their ends."""

from __future__ import annotations

import pytest

from ptce_kg.sparql.lexer import group_end, tokens, where_groups


def kinds(text: str) -> list[tuple[str | None, str]]:
    return [(m.lastgroup, m.group()) for m in tokens(text)]


def test_tokens_read_strings_iris_variables_and_prefixed_names_whole():
    text = "SELECT ?x WHERE { ?x ex:p '''a { b''' ; <urn:x#WHERE> _:b0 } # WHERE {"
    assert kinds(text) == [
        ("word", "SELECT"),
        ("var", "?x"),
        ("word", "WHERE"),
        ("open", "{"),
        ("var", "?x"),
        ("word", "ex:p"),
        ("string", "'''a { b'''"),
        ("other", ";"),
        ("iri", "<urn:x#WHERE>"),
        ("word", "_:b0"),
        ("close", "}"),
    ]


def test_a_prefix_may_start_with_any_letter_and_its_words_stay_whole():
    # "éSELECT:" is one prefix, not "é" then the keyword SELECT
    assert kinds("PREFIX éSELECT: <urn:x> ASK { ?s éSELECT:p ?o }")[:2] == [
        ("word", "PREFIX"),
        ("word", "éSELECT:"),
    ]
    assert ("word", "éSELECT:p") in kinds("ASK { ?s éSELECT:p ?o }")


def test_a_comparison_is_not_an_iri():
    assert [k for k, _ in kinds("FILTER(?a < ?b && ?c > 2)")].count("iri") == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", ["WHERE {"]),
        ("select * where{?s ?p ?o}", ["where{"]),
        ('SELECT * WHERE { ?s ?p "WHERE { x }" }', ["WHERE {"]),
        ("SELECT * # WHERE {\n WHERE { ?where ?p ?o }", ["WHERE {"]),
        ("SELECT * { ?s ?p ?o }", []),
        (
            "SELECT ?x WHERE { { SELECT ?x WHERE { ?x ?p ?o } } ?x ?q ?r }",
            ["WHERE {", "WHERE {"],
        ),
    ],
    ids=["plain", "lower-case", "in-a-string", "in-a-comment", "no-where", "sub-select"],
)
def test_where_groups_are_found_outside_strings_and_comments(text: str, expected: list[str]):
    found = where_groups(text)
    assert len(found) == len(expected)
    for offset in found:  # just after a "{" whose previous token is WHERE
        assert text[offset - 1] == "{"
        assert text[: offset - 1].rstrip()[-5:].upper() == "WHERE"
    assert where_groups(text, first_only=True) == found[:1]


def test_group_end_skips_braces_in_strings_and_a_hash_in_an_iri_is_no_comment():
    text = 'SELECT * WHERE { ?s ?p "}" . ?s ?q <urn:a#x> { ?a ?b "{" } } LIMIT 1'
    (start,) = where_groups(text)
    end = group_end(text, start)
    assert text[end] == "}" and text[end:].startswith("} LIMIT 1")
    assert group_end("{ unclosed", 1) == len("{ unclosed")
