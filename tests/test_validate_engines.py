"""Cross-check: the SPARQL engine reports what pySHACL (the oracle) reports.

Each case under tests/data/engines/<case>/ holds shapes.ttl, data.ttl (loaded into the focus graph)
and optionally context.ttl (a context graph: its nodes are not focus nodes). Both engines must give
the same set of (focus, path, constraint, severity, value); where a shape declares sh:message, both
messages must be one of the declared ones (pySHACL picks among several at random).

Known difference of the oracle: it re-parses the dataset with rdflib, which renames blank nodes, so
it never reports a blank-node focus node; those results are checked against explicit expectations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef

from ptce_kg.namespaces import SH
from ptce_kg.validate import Severity, ValidationResult, validate_pyshacl
from ptce_kg.validate._shapes import UnsupportedShapeError
from ptce_kg.validate.sparql_engine import Written, validate_sparql

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "data" / "engines"
SOURCE = "urn:test:source"
CONTEXT = "urn:test:context"

ID = "http://example.org/id/"
EX = "http://example.org/ns#"

Key = tuple[str, str | None, str | None, Severity, str | None]


def build_dataset(data: Iterable[Path], context: Iterable[Path] = ()) -> ox.Store:
    """A scratch dataset: ``data`` in the focus graph, ``context`` in the context graph.

    Files Oxigraph rejects (e.g. ``concept:a/b`` names, which rdflib accepts) go through rdflib.
    """
    store = ox.Store()
    for path, graph in [*((p, SOURCE) for p in data), *((p, CONTEXT) for p in context)]:
        target = ox.NamedNode(graph)
        try:
            store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=target)
        except SyntaxError:
            try:
                nt = Graph().parse(path, format="turtle").serialize(format="nt", encoding="utf-8")
            except Exception as e:  # rdflib raises its own BadSyntax
                pytest.fail(f"{path} is not valid Turtle: {e}")
            store.load(nt, format=ox.RdfFormat.N_TRIPLES, to_graph=target)
    return store


def load_shapes(*paths: Path) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


_RDFLIB_BNODE = re.compile(r"^(_:)?N?[0-9a-f]{32}$|^_:")


def _norm_value(value: str | None) -> str | None:
    if value is not None and _RDFLIB_BNODE.match(value):
        return "_:"
    return value


def key(r: ValidationResult) -> Key:
    return (r.focus, r.path or r.path_expr, r.constraint, r.severity, _norm_value(r.value))


def declared_messages(shapes: Graph, shape_name: str) -> set[str]:
    node = BNode(shape_name[2:]) if shape_name.startswith("_:") else URIRef(shape_name)
    return {str(m) for m in shapes.objects(node, SH.message) if isinstance(m, Literal)}


# Deliberate differences, where pySHACL departs from the SHACL spec:
# "true"^^xsd:boolean <= 100 is a SPARQL type error (a violation); pySHACL compares Python bools;
KNOWN_DIFFERENCES: dict[str, tuple[set[Key], set[Key]]] = {
    "ranges": (
        {
            (
                ID + "bad",
                EX + "pct",
                str(SH.MaxInclusiveConstraintComponent),
                Severity.VIOLATION,
                "true",
            )
        },
        set(),
    ),
    # `FILTER(?value < ?begin)` between an xsd:date end and an xsd:gYear beginning: SPARQL makes
    # that comparison a type error, so the filter is false and the spec gives no result (the
    # engine, on Oxigraph); rdflib's SPARQL compares the lexical forms and reports one. The
    # beginning itself is reported by both (its sh:datatype), so the data is rejected either way.
    "beginning-as-year.invalid.ttl": (
        set(),
        {
            (
                "https://w3id.org/ptce/id/interval/synthetic-m",
                None,
                str(SH.SPARQLConstraintComponent),
                Severity.VIOLATION,
                "2018-12-31",
            )
        },
    ),
}


def as_written(files: Iterable[Path]) -> tuple[Graph, Written]:
    """The files as parsed, for pySHACL (rdflib) and for the SPARQL engine (literals as written,
    where Oxigraph's store keeps them in canonical form)."""
    graph, quads = Graph(), []
    for path in files:
        graph.parse(path, format="turtle")
        try:
            quads.extend(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        except SyntaxError:  # rdflib-only syntax (see build_dataset): read back from rdflib
            nt = Graph().parse(path, format="turtle").serialize(format="nt", encoding="utf-8")
            quads.extend(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))
    return graph, Written.from_quads(quads)


def cross_check(
    store: ox.Store, shapes: Graph, case: str = "", files: Iterable[Path] = ()
) -> list[ValidationResult]:
    """Assert both engines agree; return the SPARQL engine's results.

    With ``files`` (the data as written), pySHACL reads them and the SPARQL engine gets their
    literals as written; otherwise both read the dataset.
    """
    data, written = as_written(files) if files else (None, None)
    ours = validate_sparql(store, shapes, focus_graphs=[SOURCE], written=written)
    oracle = validate_pyshacl(store, shapes, focus_graphs=[SOURCE], data=data)
    oracle_has_bnode_focus = any(r.focus.startswith("_:") for r in oracle)
    compared = [r for r in ours if oracle_has_bnode_focus or not r.focus.startswith("_:")]
    only_ours, only_oracle = KNOWN_DIFFERENCES.get(case, (set(), set()))
    ours_keys = {key(r) for r in compared} - only_ours
    # pySHACL nests the results of the shape behind a failed sh:node under sh:detail; the oracle
    # reads every sh:ValidationResult node, so it also lists those nested (non top-level) results.
    node_values = {r.value for r in ours if r.constraint == str(SH.NodeConstraintComponent)}
    oracle_keys = {key(r) for r in oracle} - only_oracle
    nested = {k for k in oracle_keys - ours_keys if k[0] in node_values}
    oracle_keys -= nested
    assert sorted(ours_keys - oracle_keys, key=str) == [], "only in SPARQL engine"
    assert sorted(oracle_keys - ours_keys, key=str) == [], "only in pySHACL"
    oracle_messages = {key(r): r.message for r in oracle}
    for r in compared:
        if r.constraint == str(SH.SPARQLConstraintComponent):
            continue
        declared = declared_messages(shapes, r.shape)
        if declared and key(r) in oracle_messages:
            assert r.message in declared, r
            assert oracle_messages[key(r)] in declared, r
    return ours


def case_dirs() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "shapes.ttl").exists())


@pytest.mark.parametrize("case", case_dirs(), ids=lambda p: p.name)
def test_engines_agree(case: Path) -> None:
    context = [case / "context.ttl"] if (case / "context.ttl").exists() else []
    store = build_dataset([case / "data.ttl"], context)
    files = [case / "data.ttl", *context]
    results = cross_check(store, load_shapes(case / "shapes.ttl"), case.name, files)
    if case.name not in {"blank_focus"}:
        assert results, "every case has violations"


def _results(case: str) -> list[ValidationResult]:
    path = CASES / case
    context = [path / "context.ttl"] if (path / "context.ttl").exists() else []
    store = build_dataset([path / "data.ttl"], context)
    return validate_sparql(store, load_shapes(path / "shapes.ttl"), focus_graphs=[SOURCE])


def test_conforming_nodes_have_no_results() -> None:
    for case in case_dirs():
        assert not [r for r in _results(case.name) if r.focus == ID + "ok"], case.name


def test_focus_restricted_to_source_graph() -> None:
    foci = {r.focus for r in _results("focus")}
    # id:typedinctx is typed in the context graph but occurs (as an object) in the source graph
    assert foci == {ID + "bad", ID + "typedinctx"}


def test_blank_node_focus_is_reported() -> None:
    results = _results("blank_focus")
    blank = [r for r in results if r.focus.startswith("_:")]
    assert {(r.constraint, r.value) for r in blank} == {
        (str(SH.MinCountConstraintComponent), None),
        (str(SH.InConstraintComponent), EX + "boss"),
    }
    assert {r.focus for r in results} - {r.focus for r in blank} == {ID + "named"}


def test_subclass_targets_and_implicit_class_target() -> None:
    results = _results("targets")
    # ex:Org is a class and a shape; id:o2 is an ex:Scic, ex:Scic ⊑ ex:Coop ⊑ ex:Org (context graph)
    assert (ID + "o2", EX + "name", str(SH.MinCountConstraintComponent)) in {
        (r.focus, r.path, r.constraint) for r in results
    }
    assert not [r for r in results if r.path in {EX + "zzz", EX + "yyy"}]  # sh:deactivated


def test_sparql_message_template_and_severity() -> None:
    results = [r for r in _results("sparql") if r.shape == EX + "S"]
    assert {r.message for r in results} == {
        f"Identifier 123456789 of {ID}bad fails the checksum",
        f"Identifier 12 of {ID}bad fails the checksum",
    }
    warnings = [r for r in _results("sparql") if r.shape == EX + "NoValue"]
    assert [(r.focus, r.severity, r.value) for r in warnings] == [
        (ID + "none", Severity.WARNING, ID + "none")
    ]


def test_message_choice_is_deterministic() -> None:
    tags = [r for r in _results("cardinality") if r.path == EX + "tag"]
    assert tags and {r.message for r in tags} == {"at least two tags"}


def test_unsupported_feature_raises(tmp_path: Path) -> None:
    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/ns#> .
        ex:S sh:targetClass ex:T ; sh:sparql [
          sh:select "SELECT $this WHERE { GRAPH $shapesGraph { $this ?p ?o } }" ] .""",
        format="turtle",
    )
    with pytest.raises(UnsupportedShapeError, match="shapesGraph"):
        validate_sparql(ox.Store(), shapes, focus_graphs=[SOURCE])


# --- the project's shapes against the project's shape-test files ----------------------------------

SHAPES_TESTS = ROOT / "tests" / "data" / "shapes"


def _shape_test_files() -> list[Path]:
    return sorted(SHAPES_TESTS.rglob("*.ttl")) if SHAPES_TESTS.is_dir() else []


def _context_files() -> list[Path]:
    onto = ROOT / "ontology"
    files = [onto / "ptce.ttl", onto / "alignments.ttl", *sorted(onto.glob("vocabularies/*.ttl"))]
    return [f for f in files if f.exists()]


@pytest.mark.parametrize(
    "data", _shape_test_files() or [None], ids=lambda p: p.name if p else "no-shape-tests"
)
def test_project_shapes_agree(data: Path | None) -> None:
    if data is None:
        pytest.skip("tests/data/shapes does not exist yet")
    shapes = load_shapes(*sorted((ROOT / "shapes").glob("*.ttl")))
    store = build_dataset([data], _context_files())
    cross_check(store, shapes, data.name, files=[data, *_context_files()])
