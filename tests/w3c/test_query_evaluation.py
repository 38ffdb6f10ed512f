"""SPARQL 1.0 and 1.1 query evaluation tests of the W3C suites, each sent over HTTP to /sparql.

One case per ``mf:QueryEvaluationTest`` of ``sparql11/manifest-all.ttl`` (but the entailment and
SERVICE directories, and the result-format ones run by test_result_formats.py) and of
``sparql10/manifest-evaluation.ttl``. SPARQL 1.1 queries go as POST forms, SPARQL 1.0 ones as
GET; the results are asked for in the format of the expected file (XML for ``.srx``, JSON for
``.srj`` and the ``rs:`` RDF result sets, N-Triples for graphs).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from .conftest import Serve
from .manifest import W3CTest, dataset_for, load_tests, query_text, shape_of
from .results import (
    RESULT_TYPES,
    Solutions,
    compare_graphs,
    compare_solutions,
    media_type,
    parse_graph,
    parse_results,
    read_expected,
)
from .xfails import params

#: Directories of manifest-all.ttl that are not plain query evaluation over the store.
EXCLUDED = {"entailment", "service", "csv-tsv-res", "json-res"}
SPARQL11 = [
    t
    for t in load_tests("sparql/sparql11/manifest-all.ttl", kinds={"QueryEvaluationTest"})
    if t.manifest.parent.name not in EXCLUDED
]
SPARQL10 = load_tests("sparql/sparql10/manifest-evaluation.ttl", kinds={"QueryEvaluationTest"})
WITH_DATASET = [t for t in SPARQL11 + SPARQL10 if shape_of(t).has_dataset]


def accept_for(test: W3CTest) -> str:
    """The media type to ask for: that of the expected result file."""
    assert test.result is not None
    if shape_of(test).form in ("CONSTRUCT", "DESCRIBE"):
        return "application/n-triples"
    return RESULT_TYPES["xml"] if test.result.suffix == ".srx" else RESULT_TYPES["json"]


def check_answer(test: W3CTest, response: httpx.Response) -> None:
    """Assert that the response is a 200 whose results match the test's expected file."""
    assert test.result is not None
    assert response.status_code == 200, f"HTTP {response.status_code}: {response.text[:2000]}"
    expected = read_expected(test.result)
    content_type = response.headers.get("content-type", "")
    if isinstance(expected, Solutions):
        assert media_type(content_type) in RESULT_TYPES.values(), content_type
        actual = parse_results(response.content, content_type)
        problem = compare_solutions(
            expected,
            actual,
            ordered=shape_of(test).ordered and expected.ordered,
            lax=test.lax_cardinality,
        )
    else:
        problem = compare_graphs(expected, parse_graph(response.content, content_type))
    assert problem is None, f"{test.name}: {problem}"


def run(test: W3CTest, serve: Serve, send_query: Callable[..., httpx.Response], method: str):
    graphs, default, named = dataset_for(test, shape_of(test))
    client = serve(graphs)
    response = send_query(
        client,
        query_text(test),
        accept_for(test),
        default_graphs=default,
        named_graphs=named,
        method=method,
    )
    check_answer(test, response)


@pytest.mark.parametrize("test", params(SPARQL11))
def test_sparql11_query_evaluation(test: W3CTest, serve: Serve, send_query) -> None:
    run(test, serve, send_query, "POST")


@pytest.mark.parametrize("test", params(SPARQL10))
def test_sparql10_query_evaluation(test: W3CTest, serve: Serve, send_query) -> None:
    run(test, serve, send_query, "GET")


@pytest.mark.parametrize("test", params(WITH_DATASET, suffix="-from-clause"))
def test_query_dataset_clause(test: W3CTest, serve: Serve, send_query) -> None:
    """A query with FROM / FROM NAMED and no Protocol dataset: the endpoint must honour the query's
    own dataset (the union-of-graphs default must not override it)."""
    graphs, _, _ = dataset_for(test, shape_of(test))
    response = send_query(serve(graphs), query_text(test), accept_for(test))
    check_answer(test, response)
