"""Minimal cases of the SPARQL engine's wrong answers of issue 14, one test per class.

Each builds a dataset with the data in the focus graph, runs ptce_kg's engine and checks what the
SHACL spec says; the W3C suite (tests/w3c/test_shacl_suite.py) covers the same features at large.
"""

from __future__ import annotations

import socket

import pyoxigraph as ox
import pytest
from rdflib import RDF, XSD, Graph, Literal, URIRef

from ptce_kg.namespaces import SH
from ptce_kg.validate import ValidationReport, ValidationResult
from ptce_kg.validate._shapes import UnsupportedShapeError
from ptce_kg.validate.sparql_engine import Written, validate_sparql

SOURCE = "urn:test:source"
CONTEXT = "urn:test:context"
EX = "http://example.org/ns#"
PREFIXES = f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


def run(
    data: str, shapes: str, *, context: str = "", as_written: bool = False
) -> list[ValidationResult]:
    store = ox.Store()
    store.load((PREFIXES + data).encode(), ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(SOURCE))
    written = None
    if as_written:
        parsed = ox.parse((PREFIXES + data).encode(), ox.RdfFormat.TURTLE)
        written = Written.from_quads(parsed)
    if context:
        store.load(
            (PREFIXES + context).encode(), ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(CONTEXT)
        )
    graph = Graph().parse(data=PREFIXES + shapes, format="turtle")
    return validate_sparql(store, graph, focus_graphs=[SOURCE], written=written)


# --- focus nodes ----------------------------------------------------------------------------------


def test_literal_focus_nodes_are_validated() -> None:
    results = run(
        'ex:a ex:email "not-an-email", "a@b.example" .',
        'ex:S sh:targetObjectsOf ex:email ; sh:pattern "@" .',
    )
    assert [(r.focus_node, r.value_node) for r in results] == [
        (Literal("not-an-email"), Literal("not-an-email"))
    ]
    graph = ValidationReport(results=results).to_graph()
    assert set(graph.objects(None, SH.focusNode)) == {Literal("not-an-email")}


def test_target_node_absent_from_the_data_is_validated() -> None:
    results = run(
        "ex:a ex:p 1 .",
        "ex:S sh:targetNode ex:Missing ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
    )
    assert [(r.focus, r.constraint) for r in results] == [
        (EX + "Missing", str(SH.MinCountConstraintComponent))
    ]


def test_target_node_of_another_source_is_still_context() -> None:
    results = run(
        "ex:a ex:p 1 .",
        "ex:S sh:targetNode ex:Other ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
        context="ex:Other ex:q 2 .",
    )
    assert results == []


# --- SHACL-SPARQL: $this pre-bound everywhere, forbidden forms refused ---------------------------


@pytest.mark.parametrize(
    "body",
    [
        "{ FILTER(false) } UNION { FILTER($this = ex:bad) }",
        "{ { FILTER($this = ex:bad) } FILTER bound($this) }",
        "{ SELECT $this WHERE { FILTER($this = ex:bad) } }",
        "{ FILTER(bound($this)) } $this ex:p 1 .",
    ],
    ids=["union", "nested-groups", "sub-select", "bound-in-group"],
)
def test_this_is_pre_bound_everywhere(body: str) -> None:
    results = run(
        "ex:bad ex:p 1 . ex:good ex:p 2 .",
        f'ex:S sh:targetSubjectsOf ex:p ; sh:sparql [ sh:select """'
        f'PREFIX ex: <{EX}> SELECT $this WHERE {{ {body} }}""" ] .',
    )
    assert {r.focus for r in results} == {EX + "bad"}


@pytest.mark.parametrize(
    ("body", "refusal"),
    [
        ('$this ?p ?o MINUS { $this ?p "x" }', "MINUS"),
        ("VALUES ?o { 1 } $this ?p ?o", "VALUES"),
        ("$this ?p ?o { SELECT ?o WHERE { ?s ?p ?o } }", "sub-select must project"),
        ("$this ?p ?o { SELECT * WHERE { ?s ?p ?o } }", "sub-select must project"),
        ("BIND(ex:x AS ?this)", "rebinds"),
    ],
)
def test_forbidden_sparql_is_refused(body: str, refusal: str) -> None:
    with pytest.raises(UnsupportedShapeError, match=refusal):
        run(
            "ex:a ex:p 1 .",
            f'ex:S sh:targetSubjectsOf ex:p ; sh:sparql [ sh:select """'
            f'PREFIX ex: <{EX}> SELECT $this WHERE {{ {body} }}""" ] .',
        )


def test_keywords_in_strings_and_iris_are_not_refused() -> None:
    results = run(
        'ex:a ex:p "MINUS VALUES" .',
        f'ex:S sh:targetSubjectsOf ex:p ; sh:sparql [ sh:select """'
        f"PREFIX ex: <{EX}> SELECT $this WHERE {{ $this ex:p 'MINUS VALUES' ."
        f' FILTER(?this != <urn:SERVICE>) }}""" ] .',
    )
    assert [r.focus for r in results] == [EX + "a"]


def test_service_in_a_shape_never_contacts_a_host() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(0.2)
        port = listener.getsockname()[1]
        with pytest.raises(UnsupportedShapeError, match="SERVICE"):
            run(
                "ex:a ex:p 1 .",
                f'ex:S sh:targetSubjectsOf ex:p ; sh:sparql [ sh:select """'
                f"SELECT $this WHERE {{ $this ?p ?o "
                f'SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}""" ] .',
            )
        with pytest.raises(TimeoutError):
            listener.accept()[0].close()


# --- sh:pattern: the XPath regex dialect, or a refusal -----------------------------------------


@pytest.mark.parametrize(
    ("pattern", "flags", "bad", "good"),
    [
        ("^[a-z-[aeiou]]+$", "", "xaz", "xyz"),  # subtraction, not a union
        ("^\\w+$", "", "a_b", "ab"),  # XSD \w excludes punctuation such as _
        ("^\\s$", "", "\u00a0", " "),  # XSD \s is space, tab, CR, LF only
        ("^a.b$", "", "a\rb", "axb"),  # . matches neither CR nor LF
        ("a b", "x", "a", "ab"),  # x: whitespace removed
        ("a.b", "q", "axb", "a.b"),  # q: the pattern is a literal string
    ],
)
def test_pattern_reads_the_xpath_dialect(pattern: str, flags: str, bad: str, good: str) -> None:
    shapes = Graph().parse(data=PREFIXES + "ex:S sh:targetSubjectsOf ex:p .", format="turtle")
    shapes.add((URIRef(EX + "S"), SH.pattern, Literal(pattern)))
    if flags:
        shapes.add((URIRef(EX + "S"), SH.flags, Literal(flags)))
    store = ox.Store()
    for name, value in (("bad", bad), ("good", good)):
        store.add(
            ox.Quad(
                ox.NamedNode(EX + name),
                ox.NamedNode(EX + "p"),
                ox.Literal(value),
                ox.NamedNode(SOURCE),
            )
        )
    results = validate_sparql(store, _as_property(shapes), focus_graphs=[SOURCE])
    assert [r.focus for r in results] == [EX + "bad"]


def _as_property(shapes: Graph) -> Graph:
    """Move the node shape's sh:pattern/sh:flags to a property shape on ex:p."""
    out = Graph()
    node, prop = URIRef(EX + "S"), URIRef(EX + "P")
    for s, p, o in shapes:
        if p in {SH.pattern, SH.flags}:
            out.add((prop, p, o))
        else:
            out.add((s, p, o))
    out.add((node, SH.property, prop))
    out.add((prop, SH.path, URIRef(EX + "p")))
    return out


@pytest.mark.parametrize(
    ("pattern", "flags"),
    [("^(a)\\1$", ""), ("^\\i\\c*$", ""), ("^(?=a)", ""), ("\\p{IsBasicLatin}", ""), ("a", "z")],
    ids=["back-reference", "name-chars", "look-ahead", "block", "unknown-flag"],
)
def test_untranslatable_pattern_is_refused(pattern: str, flags: str) -> None:
    shapes = Graph().parse(
        data=PREFIXES + "ex:S sh:targetSubjectsOf ex:p ; sh:property ex:P . ex:P sh:path ex:p .",
        format="turtle",
    )
    shapes.add((URIRef(EX + "P"), SH.pattern, Literal(pattern)))
    if flags:
        shapes.add((URIRef(EX + "P"), SH.flags, Literal(flags)))
    with pytest.raises(UnsupportedShapeError, match=r"sh:pattern|sh:flags"):
        validate_sparql(ox.Store(), shapes, focus_graphs=[SOURCE])


# --- results keep RDF terms -----------------------------------------------------------------------


def test_values_differing_by_language_or_datatype_are_distinct_results() -> None:
    results = run(
        'ex:a ex:label "Berg", "Berg"@de ; ex:n 4, 4.0 .',
        "ex:S sh:targetSubjectsOf ex:label ;"
        " sh:property [ sh:path ex:label ; sh:languageIn ( 'fr' ) ] ;"
        " sh:property [ sh:path ex:n ; sh:maxInclusive 3 ] .",
    )
    terms = [r.value_node for r in results]
    assert all(isinstance(t, Literal) for t in terms)
    assert sorted((str(t), str(t.datatype), str(t.language)) for t in terms) == [  # type: ignore[union-attr]
        ("4", str(XSD.decimal), "None"),  # "4.0" as Oxigraph stores it
        ("4", str(XSD.integer), "None"),
        ("Berg", "None", "None"),
        ("Berg", "None", "de"),
    ]


def test_iri_values_are_iris_in_the_report_graph() -> None:
    results = run(
        "ex:a ex:knows ex:b .", "ex:S sh:targetSubjectsOf ex:knows ; sh:nodeKind sh:Literal ."
    )
    values = set(ValidationReport(results=results).to_graph().objects(None, SH.value))
    assert values == {URIRef(EX + "a")}


def test_complex_result_path_and_custom_severity_are_reported() -> None:
    results = run(
        "ex:a ex:p ex:b . ex:b ex:q 1 .",
        "ex:S sh:targetSubjectsOf ex:p ; sh:property [ sh:path ( ex:p ex:q ) ;"
        " sh:datatype xsd:string ; sh:severity ex:Minor ] .",
    )
    assert [(r.path_expr, r.severity_iri) for r in results] == [
        (("sequence", (URIRef(EX + "p"), URIRef(EX + "q"))), URIRef(EX + "Minor"))
    ]
    graph = ValidationReport(results=results).to_graph()
    assert set(graph.objects(None, SH.resultSeverity)) == {URIRef(EX + "Minor")}
    path = graph.value(next(graph.subjects(SH.resultSeverity, None)), SH.resultPath)
    assert [graph.value(path, p) for p in (RDF.first,)] == [URIRef(EX + "p")]


# --- SPARQL-based constraint components -----------------------------------------------------------

COMPONENT = """ex:Component rdfs:subClassOf sh:ConstraintComponent .
ex:Prefix a ex:Component ;
  sh:parameter [ sh:path ex:prefix ] ;
  sh:validator [ a sh:SPARQLAskValidator ;
    sh:ask "ASK { FILTER(STRSTARTS(STR($value), $prefix)) }" ] .
"""


def test_component_declared_through_a_subclass_is_validated() -> None:
    results = run(
        'ex:a ex:code "FR-1", "DE-2" .',
        COMPONENT
        + 'ex:S sh:targetSubjectsOf ex:code ; sh:property [ sh:path ex:code ; ex:prefix "FR" ] .',
    )
    assert [(r.value, r.constraint) for r in results] == [("DE-2", EX + "Prefix")]


def test_component_with_forbidden_sparql_is_refused() -> None:
    shapes = COMPONENT.replace("FILTER(", "VALUES ?x { 1 } FILTER(") + (
        'ex:S sh:targetSubjectsOf ex:code ; ex:prefix "FR" .'
    )
    with pytest.raises(UnsupportedShapeError, match="VALUES"):
        run('ex:a ex:code "FR-1" .', shapes)


# --- sh:qualifiedValueShape ----------------------------------------------------------------------


def test_qualified_value_shapes_count_disjoint_conforming_values() -> None:
    shapes = """ex:Hand sh:targetClass ex:H ; sh:property ex:thumb, ex:finger .
    ex:thumb sh:path ex:digit ; sh:qualifiedValueShape [ sh:class ex:Thumb ] ;
      sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 ; sh:qualifiedValueShapesDisjoint true .
    ex:finger sh:path ex:digit ; sh:qualifiedValueShape [ sh:class ex:Finger ] ;
      sh:qualifiedMinCount 2 ; sh:qualifiedValueShapesDisjoint true ."""
    results = run(
        """ex:ok a ex:H ; ex:digit ex:t, ex:f1, ex:f2 .
        ex:both a ex:H ; ex:digit ex:tf, ex:f1 .
        ex:t a ex:Thumb . ex:f1 a ex:Finger . ex:f2 a ex:Finger . ex:tf a ex:Thumb, ex:Finger .""",
        shapes,
    )
    assert sorted((r.focus, r.constraint) for r in results) == [
        (EX + "both", str(SH.QualifiedMinCountConstraintComponent)),
        (EX + "both", str(SH.QualifiedMinCountConstraintComponent)),
    ]


# --- derived datatypes and canonical forms: the data as written --------------------------------


@pytest.mark.parametrize(
    ("datatype", "bad"),
    [("xsd:int", ["300"]), ("xsd:integer", ["300", "5"]), ("xsd:byte", ["300", "5"])],
)
def test_datatype_is_decided_on_the_data_as_written(datatype: str, bad: list[str]) -> None:
    # as stored, all three are xsd:integer: "5"^^xsd:int, "300"^^xsd:int and "300"^^xsd:byte
    results = run(
        'ex:a ex:p "5"^^xsd:int . ex:b ex:p "300"^^xsd:byte .',
        f"ex:S sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; sh:datatype {datatype} ] .",
        as_written=True,
    )
    assert sorted(str(r.value_node) for r in results) == bad


def test_values_are_reported_as_written() -> None:
    results = run(
        'ex:a ex:p "4.0"^^xsd:decimal .',
        "ex:S sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; sh:maxExclusive 4 ] .",
        as_written=True,
    )
    assert [r.value_node for r in results] == [
        Literal("4.0", datatype=XSD.decimal, normalize=False)
    ]


def test_literal_focus_of_a_touched_node_is_validated() -> None:
    """An update validates the nodes it touched (focus_nodes, no focus graph): their literals
    are focus nodes too."""
    store = ox.Store()
    store.load(
        (PREFIXES + 'ex:a ex:email "not-an-email" . ex:b ex:email "other" .').encode(),
        ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode(CONTEXT),
    )
    shapes = Graph().parse(
        data=PREFIXES + 'ex:S sh:targetObjectsOf ex:email ; sh:pattern "@" .', format="turtle"
    )
    results = validate_sparql(store, shapes, focus_graphs=[], focus_nodes={EX + "a"})
    assert [r.focus for r in results] == ["not-an-email"]


# --- recursive shapes ---------------------------------------------------------------------------

RECURSIVE = """ex:S sh:targetClass ex:P ; sh:node ex:R .
ex:R sh:property [ sh:path ex:knows ; sh:node ex:R ] ;
  sh:property [ sh:path ex:name ; sh:maxCount 0 ] ."""


def test_recursive_shape_over_acyclic_data_is_validated() -> None:
    results = run("ex:a a ex:P ; ex:knows ex:b . ex:b ex:knows ex:c . ex:c ex:name 1 .", RECURSIVE)
    assert [(r.focus, r.constraint) for r in results] == [
        (EX + "a", str(SH.NodeConstraintComponent))
    ]


def test_recursive_shape_over_cyclic_data_is_refused() -> None:
    with pytest.raises(UnsupportedShapeError, match="recursive"):
        run("ex:a a ex:P ; ex:knows ex:b . ex:b ex:knows ex:a .", RECURSIVE)
