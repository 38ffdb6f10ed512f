"""The W3C SHACL test suite (``suites/data-shapes/tests``), run by both engines.

Every case is validated by ptce_kg's SPARQL engine and by pySHACL (the reference), and each
report is compared with the expected one as the SHACL test-suite note says: the conforms flag, and
the results as a multiset of (focus node, path, value, source constraint component, severity,
source shape), where a blank-node source shape only has to be a blank node and blank nodes match
any blank node. A case whose ``mf:result`` is ``sht:Failure`` passes when the engine refuses it.

Known failures are strict xfails (:data:`XFAILS`), each naming the feature: a fix turns one into
an XPASS failure, and its entry is then removed. Independently of them,
:func:`test_never_wrongly_conforms` holds for every case, with no xfail: where the expected report
has a result, ptce_kg's engine either reports at least one or refuses the shapes; it never says
"conforms".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from ptce_kg.namespaces import SH
from ptce_kg.validate import PathExpr, ValidationResult
from ptce_kg.validate._shapes import UnsupportedShapeError, path_expr
from ptce_kg.validate.sparql_engine import Written, validate_sparql

from .manifest import MF, SUITES, file_iri, file_path

SHT = Namespace("http://www.w3.org/ns/shacl-test#")
ROOT = SUITES / "data-shapes" / "tests"
BASE = "http://datashapes.org/sh/tests/"
DATA_GRAPH = "urn:x-w3c-shacl:data"


@dataclass(frozen=True)
class ShaclCase:
    """One ``sht:Validate`` entry: its files and the expected outcome."""

    iri: str
    name: str  # e.g. core/property/minCount-001
    data: Path
    shapes: Path
    expected: Graph
    report: Node | None  # None: the expected outcome is sht:Failure


def _entries(path: Path) -> Iterator[ShaclCase]:
    graph = Graph().parse(path, format="turtle", publicID=file_iri(path))
    for included in sorted(graph.objects(None, MF.include), key=str):
        yield from _entries(file_path(included))
    for head in graph.objects(None, MF.entries):
        for entry in Collection(graph, head):
            action = graph.value(entry, MF.action)
            result = graph.value(entry, MF.result)
            data, shapes = (graph.value(action, p) for p in (SHT.dataGraph, SHT.shapesGraph))
            assert data is not None and shapes is not None, entry
            yield ShaclCase(
                iri=str(entry),
                name=(path.parent / str(entry).rsplit("/", 1)[-1]).relative_to(ROOT).as_posix(),
                data=file_path(data),
                shapes=file_path(shapes),
                expected=graph,
                report=None if result == SHT.Failure else result,
            )


@cache
def cases() -> list[ShaclCase]:
    return list(_entries(ROOT / "manifest.ttl"))


# --- known failures ------------------------------------------------------------------------------

SHAPES_GRAPH = "$shapesGraph is not supported (refused)"
UNIQUE_LANG_002 = (
    "the expected report says 'conforms' for two @en values under sh:uniqueLang "
    '"1"^^xsd:boolean (true): the test contradicts the spec, both engines report the pair'
)

#: case name -> the feature it needs, for each engine.
XFAILS: dict[str, dict[str, str]] = {
    "sparql": {
        "core/property/uniqueLang-002": UNIQUE_LANG_002,
        "sparql/pre-binding/shapesGraph-001": SHAPES_GRAPH,
    },
    "pyshacl": {
        "core/property/uniqueLang-002": UNIQUE_LANG_002,
        "sparql/pre-binding/shapesGraph-001": SHAPES_GRAPH,
    },
}


def _params(engine: str) -> list[Any]:
    params = []
    for case in cases():
        reason = XFAILS[engine].get(case.name)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(case, id=case.name, marks=marks))
    return params


# --- running an engine ---------------------------------------------------------------------------

Key = tuple[Any, ...]


@dataclass(frozen=True)
class Outcome:
    """What an engine said: a refusal (its reason), or whether it conforms and its results."""

    refused: str | None = None
    conforms: bool = True
    results: Counter[Key] = field(default_factory=Counter)


def _term(node: Node | None) -> Any:
    """A node as compared: blank nodes are all alike, literals by their normalised form."""
    if node is None:
        return None
    if isinstance(node, BNode):
        return "_:"
    if isinstance(node, Literal):  # a simple literal is an xsd:string (RDF 1.1)
        datatype = None if node.datatype == XSD.string else node.datatype
        normal = Literal(str(node), lang=node.language, datatype=datatype)
        return ("literal", str(normal), node.language, datatype)
    return node


def _path(path: PathExpr | None) -> Any:
    if path is None or isinstance(path, URIRef):
        return path
    operator, operand = path
    if operator in {"sequence", "alternative"}:
        return (operator, tuple(_path(p) for p in operand))
    return (operator, _path(operand))


def _shape(node: Node | str) -> Any:
    if isinstance(node, BNode) or str(node).startswith("_:"):
        return "_:"
    return URIRef(str(node))


def _report_keys(graph: Graph, report: Node) -> Counter[Key]:
    keys: Counter[Key] = Counter()
    for result in graph.objects(report, SH.result):
        path = graph.value(result, SH.resultPath)
        keys[
            (
                _term(graph.value(result, SH.focusNode)),
                None if path is None else _path(path_expr(graph, path)),
                _term(graph.value(result, SH.value)),
                graph.value(result, SH.sourceConstraintComponent),
                graph.value(result, SH.resultSeverity),
                _shape(graph.value(result, SH.sourceShape) or BNode()),
            )
        ] += 1
    return keys


def _expected(case: ShaclCase) -> Outcome:
    if case.report is None:
        return Outcome(refused="sht:Failure")
    conforms = case.expected.value(case.report, SH.conforms)
    return Outcome(
        conforms=bool(conforms.value) if isinstance(conforms, Literal) else True,
        results=_report_keys(case.expected, case.report),
    )


def _key(r: ValidationResult) -> Key:
    path = r.path_expr if r.path_expr is not None else (URIRef(r.path) if r.path else None)
    return (
        _term(r.focus_node),
        _path(path),
        _term(r.value_node),
        URIRef(r.constraint) if r.constraint else None,
        r.severity_iri or r.severity.iri,
        _shape(r.shape),
    )


def _graph(path: Path) -> Graph:
    return Graph().parse(path, format="turtle", publicID=file_iri(path))


def run_ours(case: ShaclCase) -> Outcome:
    store = ox.Store()
    store.load(
        path=str(case.data),
        format=ox.RdfFormat.TURTLE,
        base_iri=file_iri(case.data),
        to_graph=ox.NamedNode(DATA_GRAPH),
    )
    # the data as the parser reads it, before the store keeps literals in canonical form
    written = Written.from_quads(
        ox.parse(path=str(case.data), format=ox.RdfFormat.TURTLE, base_iri=file_iri(case.data))
    )
    try:
        results = validate_sparql(
            store, _graph(case.shapes), focus_graphs=[DATA_GRAPH], written=written
        )
    except UnsupportedShapeError as e:
        return Outcome(refused=str(e) or type(e).__name__)
    return Outcome(conforms=not results, results=Counter(_key(r) for r in results))


def run_pyshacl(case: ShaclCase) -> Outcome:
    import pyshacl

    try:
        conforms, report, _text = pyshacl.validate(
            _graph(case.data),
            shacl_graph=_graph(case.shapes),
            inference="none",
            advanced=True,
        )
    except Exception as e:  # pySHACL reports invalid shapes with its own exception types
        return Outcome(refused=f"{type(e).__name__}: {e}")
    if not isinstance(report, Graph):  # a pyshacl ValidationFailure
        return Outcome(refused=str(report))
    node = next(report.subjects(RDF.type, SH.ValidationReport))
    return Outcome(conforms=bool(conforms), results=_report_keys(report, node))


RUNNERS = {"sparql": run_ours, "pyshacl": run_pyshacl}


def _assert_matches(case: ShaclCase, outcome: Outcome) -> None:
    expected = _expected(case)
    if expected.refused is not None:
        assert outcome.refused is not None, f"{case.name}: must be refused, got {outcome}"
        return
    assert outcome.refused is None, f"{case.name}: refused ({outcome.refused})"
    missing = expected.results - outcome.results
    extra = outcome.results - expected.results
    assert not missing and not extra, (
        f"{case.name}: missing {sorted(map(str, missing.elements()))}, "
        f"extra {sorted(map(str, extra.elements()))}"
    )
    assert outcome.conforms == expected.conforms


@pytest.mark.parametrize("case", _params("sparql"))
def test_sparql_engine(case: ShaclCase) -> None:
    _assert_matches(case, run_ours(case))


@pytest.mark.parametrize("case", _params("pyshacl"))
def test_pyshacl(case: ShaclCase) -> None:
    _assert_matches(case, run_pyshacl(case))


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in cases()])
def test_never_wrongly_conforms(case: ShaclCase) -> None:
    """Where the expected report has a result, the engine reports one too or refuses."""
    expected = _expected(case)
    if not expected.results:
        return
    outcome = run_ours(case)
    assert outcome.refused is not None or outcome.results, (
        f"{case.name}: the engine says 'conforms', the expected report has "
        f"{sum(expected.results.values())} result(s)"
    )


def test_suite_is_complete() -> None:
    names = Counter(c.name.split("/")[0] for c in cases())
    assert names == {"core": 98, "sparql": 22}
    for engine, known in XFAILS.items():
        assert set(known) <= {c.name for c in cases()}, engine


# --- the per-feature table of docs/conformance.md -------------------------------------------------


def _verdict(case: ShaclCase, outcome: Outcome) -> str:
    if outcome.refused is not None and case.report is not None:
        return "refused"
    try:
        _assert_matches(case, outcome)
    except AssertionError:
        return "failed"
    return "passed"


_NUMBERED = re.compile(r"-(\d{3}|ill-formed).*$")


def table() -> str:
    """Markdown: per feature (the case names without their number), passed / failed / refused."""
    rows: dict[str, dict[str, Counter[str]]] = {}
    for case in cases():
        part, _folder, name = case.name.split("/")
        feature = part + ": " + _NUMBERED.sub("", name)
        for engine, runner in RUNNERS.items():
            verdict = _verdict(case, runner(case))
            rows.setdefault(feature, {}).setdefault(engine, Counter())[verdict] += 1
    lines = [
        "| feature | cases | ptce_kg: passed / failed / refused "
        "| pySHACL: passed / failed / refused |",
        "| --- | ---: | ---: | ---: |",
    ]
    totals = {engine: Counter[str]() for engine in RUNNERS}
    for feature, engines in sorted(rows.items()):
        cells = []
        for engine in RUNNERS:
            c = engines[engine]
            totals[engine].update(c)
            cells.append(f"{c['passed']} / {c['failed']} / {c['refused']}")
        lines.append(f"| {feature} | {sum(engines['sparql'].values())} | {' | '.join(cells)} |")
    cells = [f"**{t['passed']} / {t['failed']} / {t['refused']}**" for t in totals.values()]
    lines.append(f"| **all** | **{len(cases())}** | {' | '.join(cells)} |")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m tests.w3c.test_shacl_suite
    print(table())
