"""The VoID description of the published data, with statistics computed by SPARQL.

The described dataset (``<base>dataset``) is the RDF merge of the store's source graphs (not their
``/inferred`` entailments, nor the ontology). Its statistics are counted by SPARQL over that merge;
each source graph is a ``void:subset`` with its own size and the provenance the loader recorded in
its ``/provenance`` companion (source file name, load time). The same builder serves
``/.well-known/void`` and writes ``void.ttl``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, XSD

from ptce_kg.namespaces import (
    CC_BY_4_0,
    DCAT,
    FORMATS,
    PREFIXES,
    VOID,
    data_uri_space,
    dataset_iri,
)
from ptce_kg.store import Store, companion_graphs

_TOTALS = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }
"""
_ENTITIES = """
SELECT ?space (COUNT(DISTINCT ?s) AS ?n)
WHERE { ?s ?p ?o . FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?space)) }
GROUP BY ?space
"""
_CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c"
_PROPERTIES = """
SELECT ?p (COUNT(*) AS ?n)
WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }
GROUP BY ?p ORDER BY ?p
"""
_PROVENANCE = """
SELECT ?g ?source ?time WHERE {
  ?g <http://purl.org/dc/terms/source> ?source .
  OPTIONAL { ?g <http://www.w3.org/ns/prov#generatedAtTime> ?time }
}
"""
#: The link sets the graphs describe (data/links/: one void:Linkset per graph), with the number of
#: their links: the triples of their graph with their link predicate, their own description aside.
_LINKSETS = """
SELECT ?g ?linkset ?p ?target (COUNT(?s) AS ?n) WHERE {
  GRAPH ?g {
    ?linkset a <http://rdfs.org/ns/void#Linkset> ;
             <http://rdfs.org/ns/void#linkPredicate> ?p ;
             <http://rdfs.org/ns/void#objectsTarget> ?target .
    OPTIONAL { ?s ?p ?o FILTER(?s != ?linkset) }
  }
} GROUP BY ?g ?linkset ?p ?target ORDER BY ?linkset ?p ?target
"""
#: The formats the service and the dumps offer.
RDF_FORMATS = (
    FORMATS.Turtle,
    FORMATS["N-Triples"],
    FORMATS.RDF_XML,
    FORMATS["JSON-LD"],
    FORMATS["N-Quads"],
    FORMATS.TriG,
)


@dataclass(frozen=True)
class GraphRecord:
    """A source graph with its size and the provenance its loader recorded."""

    name: str
    triples: int
    source: str | None = None
    generated_at: Literal | None = None
    licence: URIRef | None = None


@dataclass(frozen=True)
class LinksetRecord:
    """A link set held in a source graph: its links' predicate and target, and how many."""

    iri: str
    graph: str
    predicate: str
    target: str
    triples: int


@dataclass(frozen=True)
class VoidStatistics:
    """What VoID says about the dataset; ``None`` for a statistic that was not computed."""

    triples: int
    graphs: tuple[GraphRecord, ...] = ()
    entities: int | None = None
    classes: int | None = None
    properties: int | None = None
    distinct_subjects: int | None = None
    distinct_objects: int | None = None
    class_partitions: tuple[tuple[str, int], ...] = ()
    property_partitions: tuple[tuple[str, int], ...] = ()
    linksets: tuple[LinksetRecord, ...] = ()

    @classmethod
    def from_sizes(cls, sizes: Mapping[str, int], quads: int) -> VoidStatistics:
        """Graph-level statistics only, from the store's graph sizes (no counting query)."""
        graphs = tuple(GraphRecord(name, n) for name, n in sorted(sizes.items()) if name)
        return cls(triples=quads, graphs=graphs)


def _int(value: object) -> int:
    return int(str(value))


def read_provenance(store: Store, graph: str) -> tuple[str | None, Literal | None]:
    """The source file name and load time recorded in ``graph``'s ``/provenance`` companion."""
    provenance = companion_graphs(graph)[1]
    result = store.query(_PROVENANCE, default_graph=[provenance], bindings={"g": URIRef(graph)})
    for row in result.bindings():
        time = row.get("time")
        return str(row["source"]), time if isinstance(time, Literal) else None
    return None, None


def compute_statistics(
    store: Store,
    graphs: Sequence[str],
    *,
    base_iri: str,
    licences: Mapping[str, URIRef] | None = None,
) -> VoidStatistics:
    """Count the statistics of the merge of ``graphs`` by SPARQL.

    ``licences`` gives the licence of a graph when it is not the dataset's (CC BY 4.0).
    """
    sizes = store.graph_sizes()
    records = []
    for graph in sorted(graphs):
        source, generated_at = read_provenance(store, graph)
        records.append(
            GraphRecord(
                graph,
                sizes.get(graph, 0),
                source,
                generated_at,
                (licences or {}).get(graph),
            )
        )
    if not graphs:
        return VoidStatistics(0, (), 0, 0, 0, 0, 0)
    scope = list(graphs)
    totals = next(store.query(_TOTALS, default_graph=scope).bindings())
    entities = next(
        store.query(
            _ENTITIES,
            default_graph=scope,
            bindings={"space": Literal(data_uri_space(base=base_iri))},
        ).bindings(),
        {"n": Literal(0)},  # no group at all when no subject is in the URI space
    )
    classes = tuple(
        (str(row["c"]), _int(row["n"]))
        for row in store.query(_CLASSES, default_graph=scope).bindings()
    )
    properties = tuple(
        (str(row["p"]), _int(row["n"]))
        for row in store.query(_PROPERTIES, default_graph=scope).bindings()
    )
    linksets = tuple(
        LinksetRecord(
            str(row["linkset"]), str(row["g"]), str(row["p"]), str(row["target"]), _int(row["n"])
        )
        for row in store.query(_LINKSETS, named_graphs=scope).bindings()
    )
    return VoidStatistics(
        linksets=linksets,
        triples=_int(totals["triples"]),
        graphs=tuple(records),
        entities=_int(entities["n"]),
        classes=len(classes),
        properties=_int(totals["properties"]),
        distinct_subjects=_int(totals["subjects"]),
        distinct_objects=_int(totals["objects"]),
        class_partitions=tuple(sorted(classes)),
        property_partitions=tuple(sorted(properties)),
    )


def _count(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def used_vocabularies(stats: VoidStatistics) -> list[URIRef]:
    """The namespaces of :data:`PREFIXES` that the dataset's classes or properties come from."""
    terms = [c for c, _n in stats.class_partitions] + [p for p, _n in stats.property_partitions]
    return sorted(
        URIRef(ns) for ns in set(PREFIXES.values()) if any(t.startswith(ns) for t in terms)
    )


@dataclass(frozen=True)
class VoidContext:
    """Where and by what the description was made: everything VoID says beside the statistics."""

    base_iri: str
    endpoint: str
    data_dumps: Sequence[str] = ()
    package_version: str | None = None
    ontology_iri: URIRef | None = None
    ontology_version: str | None = None
    ontology_version_iri: URIRef | None = None
    generated_at: datetime | None = None
    extra_vocabularies: Sequence[URIRef] = field(default_factory=tuple)


def describe_void(stats: VoidStatistics, where: VoidContext) -> Graph:
    """Return the VoID description of the dataset (deterministic apart from time stamps)."""
    g = Graph(bind_namespaces="none")
    for prefix, namespace in sorted(PREFIXES.items()):
        g.bind(prefix, namespace)
    g.bind("formats", FORMATS)
    dataset = dataset_iri(base=where.base_iri)
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.title, Literal("PTCE knowledge base", lang="en")))
    g.add((dataset, DCTERMS.title, Literal("Base de connaissances des PTCE", lang="fr")))
    g.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "France's territorial economic cooperation poles (PTCE), their members, "
                "territories, recognitions and dated indicators, each fact with its source.",
                lang="en",
            ),
        )
    )
    g.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "Les pôles territoriaux de coopération économique (PTCE) de France, leurs "
                "membres, territoires, reconnaissances et indicateurs datés, chaque fait avec "
                "sa source.",
                lang="fr",
            ),
        )
    )
    g.add((dataset, DCTERMS.license, CC_BY_4_0))
    g.add((dataset, VOID.sparqlEndpoint, URIRef(where.endpoint)))
    g.add((dataset, VOID.uriSpace, Literal(data_uri_space(base=where.base_iri))))
    for fmt in RDF_FORMATS:
        g.add((dataset, VOID.feature, fmt))
    for url in where.data_dumps:
        g.add((dataset, VOID.dataDump, URIRef(url)))
    for vocabulary in sorted({*used_vocabularies(stats), *where.extra_vocabularies}):
        g.add((dataset, VOID.vocabulary, vocabulary))
    _add_statistics(g, dataset, stats)
    _add_versions(g, dataset, where)
    for record in stats.graphs:
        subset = URIRef(record.name)
        g.add((dataset, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, VOID.triples, _count(record.triples)))
        if record.licence is not None:
            g.add((subset, DCTERMS.license, record.licence))
        if record.source is not None:
            g.add((dataset, PROV.wasDerivedFrom, subset))
            g.add((subset, RDF.type, PROV.Entity))
            g.add((subset, DCTERMS.source, Literal(record.source)))
        if record.generated_at is not None:
            g.add((subset, PROV.generatedAtTime, record.generated_at))
    _add_linksets(g, dataset, stats)
    return g


def _add_linksets(g: Graph, dataset: URIRef, stats: VoidStatistics) -> None:
    """Each link set as a ``void:subset`` of the dataset, counted, from it to its target."""
    for record in stats.linksets:
        linkset, target = URIRef(record.iri), URIRef(record.target)
        g.add((dataset, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, VOID.subjectsTarget, dataset))
        g.add((linkset, VOID.objectsTarget, target))
        g.add((linkset, VOID.linkPredicate, URIRef(record.predicate)))
        g.add((linkset, VOID.triples, _count(record.triples)))
        g.add((linkset, DCTERMS.isPartOf, URIRef(record.graph)))
        g.add((target, RDF.type, VOID.Dataset))


def _add_statistics(g: Graph, dataset: URIRef, stats: VoidStatistics) -> None:
    g.add((dataset, VOID.triples, _count(stats.triples)))
    for predicate, value in (
        (VOID.entities, stats.entities),
        (VOID.classes, stats.classes),
        (VOID.properties, stats.properties),
        (VOID.distinctSubjects, stats.distinct_subjects),
        (VOID.distinctObjects, stats.distinct_objects),
    ):
        if value is not None:
            g.add((dataset, predicate, _count(value)))
    for i, (cls, n) in enumerate(stats.class_partitions):
        partition = BNode(f"classPartition{i:04d}")  # stable labels: stable output
        g.add((dataset, VOID.classPartition, partition))
        g.add((partition, VOID["class"], URIRef(cls)))
        g.add((partition, VOID.entities, _count(n)))
    for i, (prop, n) in enumerate(stats.property_partitions):
        partition = BNode(f"propertyPartition{i:04d}")
        g.add((dataset, VOID.propertyPartition, partition))
        g.add((partition, VOID.property, URIRef(prop)))
        g.add((partition, VOID.triples, _count(n)))


def _add_versions(g: Graph, dataset: URIRef, where: VoidContext) -> None:
    if where.package_version is not None:
        g.add((dataset, DCAT.version, Literal(where.package_version)))
    if where.ontology_version_iri is not None:
        version = where.ontology_version_iri
        g.add((dataset, DCTERMS.conformsTo, version))
        if where.ontology_iri is not None:
            g.add((version, DCTERMS.isVersionOf, where.ontology_iri))
        if where.ontology_version is not None:
            g.add((version, OWL.versionInfo, Literal(where.ontology_version)))
    if where.generated_at is None:
        return
    stamp = Literal(where.generated_at.isoformat(), datatype=XSD.dateTime)
    g.add((dataset, RDF.type, PROV.Entity))
    g.add((dataset, PROV.generatedAtTime, stamp))
    activity, agent = BNode("publication"), BNode("software")
    g.add((dataset, PROV.wasGeneratedBy, activity))
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, RDFS.label, Literal("ptce-kg publish", lang="en")))
    g.add((activity, PROV.endedAtTime, stamp))
    g.add((activity, PROV.wasAssociatedWith, agent))
    if where.ontology_version_iri is not None:
        g.add((activity, PROV.used, where.ontology_version_iri))
    g.add((agent, RDF.type, PROV.SoftwareAgent))
    g.add((agent, RDFS.label, Literal(f"ptce_kg {where.package_version or 'unknown'}")))
    if where.package_version is not None:
        g.add((agent, OWL.versionInfo, Literal(where.package_version)))
