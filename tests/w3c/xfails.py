"""Known failures of the engine (Oxigraph 0.5), keyed by test IRI, each with its reason.

Only genuine engine-level limitations belong here; a failure caused by the HTTP endpoint is a bug
to fix, not to mark. Marks are strict: a listed test that starts passing fails the run, so its
entry must then be removed. Entries marked "(Oxigraph's list)" are also in the list of ignored
tests of Oxigraph's own W3C test suite (testsuite/tests/sparql.rs).
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from .manifest import W3CTest

S10 = "http://www.w3.org/2001/sw/DataAccess/tests/data-r2/"
S11 = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"

CANONICAL = (
    "Oxigraph's store keeps literals of XSD numeric, boolean and date types in canonical form: "
    'a non-canonical lexical form in the data ("01"^^xsd:integer, "0"^^xsd:boolean, '
    '"2006-08-23+00:00"^^xsd:date) is not preserved'
)
GRAPH_SCOPE = "Oxigraph scopes the variables introduced by GRAPH wrongly (Oxigraph's list)"
EMPTY_PATH = (
    "Oxigraph's * and ? property paths with a constant end return no solution on an empty "
    "dataset (Oxigraph's list)"
)
GROUP_CONCAT = (
    "Oxigraph's GROUP_CONCAT keeps a language tag shared by all its inputs; these newer tests "
    "expect a simple literal"
)

XFAILS: dict[str, str] = {
    S10 + "expr-builtin/manifest#dawg-str-1": CANONICAL + " (Oxigraph's list)",
    S10 + "expr-builtin/manifest#dawg-str-2": CANONICAL + " (Oxigraph's list)",
    S10 + "expr-builtin/manifest#sameTerm-simple": CANONICAL,
    S10 + "expr-builtin/manifest#sameTerm-eq": CANONICAL,
    S10 + "expr-builtin/manifest#sameTerm-not-eq": CANONICAL,
    S10 + "expr-equals/manifest#eq-graph-1": CANONICAL,
    S10 + "expr-equals/manifest#eq-graph-2": CANONICAL,
    S10 + "open-world/manifest#open-eq-01": CANONICAL,
    S10 + "open-world/manifest#date-3": CANONICAL,
    S10 + "distinct/manifest#distinct-1": CANONICAL,
    S10 + "distinct/manifest#distinct-9": CANONICAL,
    S11 + "cast/manifest#cast-bool": CANONICAL,
    S11 + "cast/manifest#cast-int": CANONICAL,
    S11 + "cast/manifest#cast-float": CANONICAL,
    S11 + "cast/manifest#cast-double": CANONICAL,
    S11 + "cast/manifest#cast-decimal": CANONICAL,
    S11 + "cast/manifest#cast-string": (
        "Oxigraph casts xsd:double to xsd:string in its own canonical form (Oxigraph's list), "
        "and " + CANONICAL
    ),
    S11 + "csv-tsv-res/manifest#csv03": CANONICAL + ' (here "1.0E6"^^xsd:double)',
    S11 + "csv-tsv-res/manifest#tsv03": (
        CANONICAL
        + ", and it stores xsd:negativeInteger (like every type derived from xsd:integer) "
        "as xsd:integer"
    ),
    S10 + "open-world/manifest#date-2": "Oxigraph uses XSD 1.1 equality on dates (Oxigraph's list)",
    S10 + "graph/manifest#graph-variable-scope": GRAPH_SCOPE,
    S10 + "graph/manifest#graph-optional": GRAPH_SCOPE,
    S11 + "negation/manifest#graph-minus": GRAPH_SCOPE,
    S11 + "aggregates/manifest#agg-empty-group-count-graph": GRAPH_SCOPE,
    S11 + "bindings/manifest#graph": GRAPH_SCOPE,
    S11 + "property-path/manifest#zero_or_more_set_start": EMPTY_PATH,
    S11 + "property-path/manifest#zero_or_more_set_end": EMPTY_PATH,
    S11 + "property-path/manifest#zero_or_one_set_start": EMPTY_PATH,
    S11 + "property-path/manifest#zero_or_one_set_end": EMPTY_PATH,
    S11 + "aggregates/manifest#agg-groupconcat-04": GROUP_CONCAT,
    S11 + "aggregates/manifest#agg-groupconcat-06": GROUP_CONCAT,
    S10 + "expr-builtin/manifest#case-insensitive-booleans": (
        "Oxigraph 0.5's parser rejects a mixed-case boolean keyword (False); a proposed test"
    ),
    S11 + "functions/manifest#bnode01": (
        "Oxigraph's BNODE(str) gives the same blank node for the same string in different "
        "solutions (the spec wants a new one per solution)"
    ),
}


def params(tests: Iterable[W3CTest], suffix: str = "") -> list[object]:
    """Return one ``pytest.param`` per test, id from the test IRI, known failures marked xfail."""
    out: list[object] = []
    for test in tests:
        reason = XFAILS.get(test.iri)
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        out.append(pytest.param(test, id=test.id + suffix, marks=marks))
    return out
