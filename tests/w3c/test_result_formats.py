"""SPARQL 1.1 result-format tests (``csv-tsv-res`` and ``json-res``), each sent over HTTP.

The query is asked for in the format of the expected file (``text/csv``, ``text/tab-separated-
values``, ``application/sparql-results+json``); the response must carry that media type, be
well-formed in it, and hold the expected solutions. CSV loses term types, so CSV results compare
as strings (blank nodes by isomorphism); TSV and JSON compare as RDF terms.
"""

from __future__ import annotations

import pytest

from .conftest import Serve
from .manifest import W3CTest, dataset_for, load_tests, query_text, shape_of
from .results import RESULT_TYPES, compare_solutions, media_type, parse_results, read_expected
from .xfails import params

TESTS = load_tests("sparql/sparql11/csv-tsv-res/manifest.ttl") + load_tests(
    "sparql/sparql11/json-res/manifest.ttl"
)
_BY_SUFFIX = {".csv": "csv", ".tsv": "tsv", ".srj": "json", ".srx": "xml"}


@pytest.mark.parametrize("test", params(TESTS))
def test_result_format(test: W3CTest, serve: Serve, send_query) -> None:
    assert test.result is not None
    wanted = RESULT_TYPES[_BY_SUFFIX[test.result.suffix]]
    graphs, default, named = dataset_for(test, shape_of(test))
    response = send_query(
        serve(graphs), query_text(test), wanted, default_graphs=default, named_graphs=named
    )
    assert response.status_code == 200, f"HTTP {response.status_code}: {response.text[:2000]}"
    content_type = response.headers.get("content-type", "")
    assert media_type(content_type) == wanted, f"asked for {wanted}, got {content_type}"
    if wanted == "text/csv":
        lines = response.content.split(b"\n")[:-1]
        assert all(line.endswith(b"\r") for line in lines), "CSV lines must end with CRLF"
    actual = parse_results(response.content, content_type)
    problem = compare_solutions(read_expected(test.result), actual, ordered=shape_of(test).ordered)
    assert problem is None, f"{test.name}: {problem}"
