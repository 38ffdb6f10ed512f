"""The 3 SPARQL 1.1 Service Description tests (``service-description/manifest.ttl``).

The manifest names the tests in prose only; each is encoded here, keyed by the test's local name:
a GET on /sparql with no query string must return RDF (``returns-rdf``), holding an
``sd:endpoint`` triple that names the endpoint's own URL (``has-endpoint-triple``), in the shape
the Service Description vocabulary gives (``conforms-to-schema``).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef

from .conftest import BASE_URL, Serve
from .manifest import W3CTest, load_tests
from .results import GRAPH_TYPES, compare_graphs, media_type, parse_graph
from .xfails import params

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ENDPOINT = URIRef(BASE_URL + "/sparql")
TESTS = load_tests("sparql/sparql11/service-description/manifest.ttl")
LANGUAGES = {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}


def fetch_description(client: TestClient, accept: str | None = "text/turtle") -> Graph:
    """GET /sparql with no query string; assert an RDF answer and return it as a graph."""
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, f"HTTP {response.status_code}: {response.text[:500]}"
    content_type = response.headers.get("content-type", "")
    assert media_type(content_type) in GRAPH_TYPES, f"not RDF: {content_type!r} (Accept {accept})"
    graph = parse_graph(response.content, content_type, str(ENDPOINT))
    assert len(graph) > 0, "empty service description"
    return graph


def check_returns_rdf(client: TestClient) -> None:
    turtle = fetch_description(client, "text/turtle")
    for accept in ("application/rdf+xml", None, "*/*"):
        other = fetch_description(client, accept)
        assert compare_graphs(turtle, other) is None, f"Accept {accept}: another description"


def check_has_endpoint_triple(client: TestClient) -> None:
    graph = fetch_description(client)
    services = set(graph.subjects(SD.endpoint, ENDPOINT))
    assert services, f"no ?service sd:endpoint <{ENDPOINT}> triple"


def check_conforms_to_schema(client: TestClient) -> None:
    graph = fetch_description(client)
    services = [s for s in graph.subjects(RDF.type, SD.Service) if (s, SD.endpoint, None) in graph]
    assert len(services) == 1, f"expected one sd:Service with an sd:endpoint, found {services}"
    service = services[0]
    for endpoint in graph.objects(service, SD.endpoint):
        assert isinstance(endpoint, URIRef), f"sd:endpoint {endpoint!r} is not an IRI"
    languages = set(graph.objects(service, SD.supportedLanguage))
    assert languages, "no sd:supportedLanguage"
    assert languages <= LANGUAGES, f"unknown sd:supportedLanguage {languages - LANGUAGES}"
    for prop in (
        SD.resultFormat,
        SD.inputFormat,
        SD.feature,
        SD.extensionFunction,
        SD.extensionAggregate,
        SD.languageExtension,
        SD.propertyFeature,
        SD.defaultEntailmentRegime,
    ):
        for value in graph.objects(service, prop):
            assert isinstance(value, URIRef), f"{prop} {value!r} is not an IRI"
    for dataset in graph.objects(service, SD.defaultDataset):
        assert not isinstance(dataset, Literal), "sd:defaultDataset is a literal"
        assert (dataset, RDF.type, SD.Dataset) in graph, "sd:defaultDataset is not an sd:Dataset"
        for default in graph.objects(dataset, SD.defaultGraph):
            assert (default, RDF.type, SD.Graph) in graph, "sd:defaultGraph is not an sd:Graph"
        for named in graph.objects(dataset, SD.namedGraph):
            assert (named, RDF.type, SD.NamedGraph) in graph, "sd:namedGraph not an sd:NamedGraph"
            names = list(graph.objects(named, SD.name))
            assert len(names) == 1 and isinstance(names[0], URIRef), f"sd:name of {named}: {names}"
    for graph_node in graph.subjects(RDF.type, SD.Graph):
        assert not isinstance(graph_node, Literal)
    assert all(isinstance(s, URIRef | BNode) for s in graph.subjects())


CHECKS: dict[str, Callable[[TestClient], None]] = {
    "returns-rdf": check_returns_rdf,
    "has-endpoint-triple": check_has_endpoint_triple,
    "conforms-to-schema": check_conforms_to_schema,
}


@pytest.mark.parametrize("test", params(TESTS))
def test_service_description(test: W3CTest, serve: Serve) -> None:
    local = test.iri.rsplit("#", 1)[-1]
    assert local in CHECKS, f"no check encoded for {test.iri} ({test.name})"
    CHECKS[local](serve())
