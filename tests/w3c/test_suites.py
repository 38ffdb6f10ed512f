"""The vendored W3C suites (``tests/w3c/suites/``): complete, licensed, and inside the repository.

A clone of ptce_kg must run its conformance tests with nothing beside it (issue 15): every manifest
loads from the vendored copy, with the number of cases the upstream READMEs give, and every file a
test reads (manifest, query, data, expected result) resolves inside the repository.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.collection import Collection

from .manifest import MF, SUITES, W3CTest, file_iri, file_path, load_tests, suites_root

ROOT = Path(__file__).resolve().parents[2]
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

#: manifest (under rdf-tests/) -> number of entries, as published at the vendored commit.
SPARQL_MANIFESTS = {
    "sparql/sparql11/manifest-all.ttl": 625,
    "sparql/sparql11/protocol/manifest.ttl": 34,
    "sparql/sparql11/graph-store-protocol/manifest.ttl": 13,
    "sparql/sparql11/service-description/manifest.ttl": 3,
    "sparql/sparql10/manifest-evaluation.ttl": 283,
    "sparql/sparql10/manifest-syntax.ttl": 199,
}


def test_suites_are_vendored_inside_the_repository_with_their_licences() -> None:
    assert SUITES.is_relative_to(ROOT)
    assert suites_root() == SUITES / "rdf-tests"
    for licence in ("rdf-tests/LICENSE.md", "data-shapes/LICENSE.md", "README.md"):
        assert (SUITES / licence).is_file(), licence
    readme = (SUITES / "README.md").read_text(encoding="utf-8")
    assert "ad541a5f0479f0798608c4801369d97b8e08b36f" in readme
    assert "ff9edb9" in readme


def _paths(test: W3CTest) -> Iterator[Path]:
    yield test.manifest
    yield from (p for p in (test.query, test.result) if p is not None)
    yield from test.data
    yield from (path for _, path in test.graph_data)


@pytest.mark.parametrize(
    ("manifest", "count"), SPARQL_MANIFESTS.items(), ids=list(SPARQL_MANIFESTS)
)
def test_sparql_manifest_loads_from_the_vendored_copy(manifest: str, count: int) -> None:
    tests = load_tests(manifest)
    assert len(tests) == count
    outside = sorted({str(p) for t in tests for p in _paths(t) if not p.is_relative_to(ROOT)})
    assert not outside, f"test files outside the repository: {outside[:5]}"
    missing = sorted({str(p) for t in tests for p in _paths(t) if not p.exists()})
    assert not missing, f"files the manifest names that are missing: {missing[:5]}"


def _shacl_entries(path: Path) -> Iterator[tuple[Path, URIRef, Graph]]:
    """Yield ``(manifest, entry, graph)`` of a SHACL test manifest and those it includes."""
    graph = Graph().parse(path, format="turtle", publicID=file_iri(path))
    for included in sorted(graph.objects(None, MF.include), key=str):
        yield from _shacl_entries(file_path(included))
    for head in graph.objects(None, MF.entries):
        for entry in Collection(graph, head):
            assert isinstance(entry, URIRef)
            yield path, entry, graph


def test_shacl_manifest_loads_from_the_vendored_copy() -> None:
    entries = list(_shacl_entries(SUITES / "data-shapes" / "tests" / "manifest.ttl"))
    parts = Counter(
        path.relative_to(SUITES / "data-shapes" / "tests").parts[0] for path, *_ in entries
    )
    assert parts == {"core": 98, "sparql": 22}
    for _, entry, graph in entries:
        assert (entry, RDF.type, SHT.Validate) in graph, entry
        action = graph.value(entry, MF.action)
        for graph_file in (
            graph.value(action, SHT.dataGraph),
            graph.value(action, SHT.shapesGraph),
        ):
            path = file_path(graph_file)
            assert path.is_relative_to(ROOT) and path.is_file(), f"{entry}: {graph_file}"
        assert graph.value(entry, MF.result) is not None, entry
