"""The SPARQL Service Description (GET /sparql); /.well-known/void is served by publish_api.

The description is a small rdflib graph built from the store's graph sizes, which are counted once
per write generation (:class:`DescriptionCache`): counting scans the store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from ptce_kg.namespaces import FORMATS, SD, VOID
from ptce_kg.publish.void import RDF_FORMATS
from ptce_kg.store import Store
from ptce_kg.web.generation import GenerationCache

RESULT_FORMATS = (
    FORMATS.SPARQL_Results_JSON,
    FORMATS.SPARQL_Results_XML,
    FORMATS.SPARQL_Results_CSV,
    FORMATS.SPARQL_Results_TSV,
)


class DescriptionCache:
    """Graph sizes and quad count of ``store``, recounted only when the write generation changes."""

    def __init__(self, store: Store, generation: Callable[[], int]) -> None:
        self._store = store
        self._sizes: GenerationCache[None, dict[str, int]] = GenerationCache(generation)
        self._quads: GenerationCache[None, int] = GenerationCache(generation)

    def sizes(self) -> tuple[dict[str, int], int]:
        """Return ``(triples per named graph, quads in the store)``; blocking: call off the loop."""
        return dict(self._sizes.get(None, self._store.graph_sizes)), self.quads()

    def quads(self) -> int:
        """Return the number of quads in the store (blocking: call off the loop)."""
        return self._quads.get(None, self._store.quad_count)


def _count(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def describe_service(
    endpoint: str, sizes: Mapping[str, int], quads: int, *, writes: bool, base_iri: str
) -> Graph:
    """Return the SPARQL 1.1 Service Description of the endpoint at ``endpoint``."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("formats", FORMATS)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if writes:
        g.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    g.add((service, SD.feature, SD.BasicFederatedQuery))  # only to allow-listed endpoints
    for fmt in RESULT_FORMATS + RDF_FORMATS:
        g.add((service, SD.resultFormat, fmt))
    for fmt in RDF_FORMATS:
        g.add((service, SD.inputFormat, fmt))
    dataset = BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, DCTERMS.description, Literal("the union of all named graphs", lang="en")))
    g.add((default, VOID.triples, _count(quads)))
    for name, triples in sorted(sizes.items()):
        if not name:  # triples outside any named graph are part of the union only
            continue
        named, graph = BNode(), BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, _count(triples)))
    return g
