"""ptce_kg.publish on the bundled dataset: every file parses, sizes and checksums hold, the
catalogue and VoID pass their shapes, the statistics are the store's, output is deterministic."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH

from ptce_kg import pipeline
from ptce_kg.config import PROJECT_ROOT
from ptce_kg.namespaces import DCAT, SPDX, VOID, catalog_iri, dataset_iri
from ptce_kg.publish import Publication, publish
from ptce_kg.store import Store, companion_graphs

from .conftest import BASE, BASE_URL, options, parse_rdf

SOURCE_PARTS = ("ptce", "territories", "examples", "provenance")
FORMATS = {"ttl": "turtle", "nq": "nquads", "jsonld": "json-ld"}
DUMP_NAMES = [f"{part}.{ext}" for part in SOURCE_PARTS for ext in FORMATS]
DOCUMENTS = ["catalog.ttl", "catalog.jsonld", "void.ttl", "context.jsonld"]


def read_quads(path: Path) -> dict[str, Graph]:
    """The named graphs of an N-Quads file (read by Oxigraph), each as an rdflib graph."""
    graphs: dict[str, list[ox.Triple]] = {}
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
        graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    return {
        name: Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
        for name, triples in graphs.items()
    }


def read_rdf(path: Path) -> Graph:
    fmt = {".ttl": "turtle", ".nq": "nquads", ".jsonld": "json-ld", ".rdf": "xml"}[path.suffix]
    if fmt == "nquads":
        merged = Graph()
        for g in read_quads(path).values():
            merged += g
        return merged
    if fmt == "json-ld":
        return jsonld_graph(path.read_bytes(), path.parent.parent / "context.jsonld")
    return Graph().parse(path, format=fmt)


def jsonld_graph(body: bytes, context_file: Path) -> Graph:
    """A JSON-LD document read with the published context put in place of its URL."""
    document = json.loads(body)
    if isinstance(document.get("@context"), str):
        document["@context"] = json.loads(context_file.read_text())["@context"]
    return parse_rdf(json.dumps(document).encode(), "application/ld+json")


def source_graphs_of(store: Store) -> list[str]:
    return pipeline.source_graphs(store)


def test_writes_every_document_and_dump(publication: Publication):
    for name in DOCUMENTS:
        assert (publication.directory / name).stat().st_size > 0, name
    dumps = publication.directory / "dumps"
    for name in DUMP_NAMES:
        assert (dumps / name).is_file(), name
        assert (dumps / f"{name}.gz").is_file(), name
    for name in (
        "ontology.ttl",
        "ontology.rdf",
        "ontology.jsonld",
        "ontology.html",
        "ptce-core.ttl",
        "ptce-recommended.ttl",
        "index.json",
        "SHA256SUMS",
    ):
        assert (dumps / name).is_file(), name
    assert not list(dumps.glob("inferred.*")), "entailments are only published on request"


def test_the_mapping_set_is_published_as_it_ships_and_named_by_the_ontology(
    publication: Publication,
):
    shipped = (PROJECT_ROOT / "ontology" / "mappings.sssom.tsv").read_bytes()
    assert (publication.directory / "dumps" / "mappings.sssom.tsv").read_bytes() == shipped
    catalog = Graph().parse(publication.directory / "catalog.ttl")
    (ontology,) = [
        s for s in catalog.subjects(RDF.type, DCTERMS.Standard) if "/ontology/" in str(s)
    ]
    assert URIRef(f"{BASE_URL}dumps/mappings.sssom.tsv") in set(
        catalog.objects(ontology, RDFS.seeAlso)
    )
    index = json.loads((publication.directory / "dumps" / "index.json").read_text())
    (entry,) = [f for f in index["files"] if f["name"] == "mappings.sssom.tsv"]
    assert entry["sha256"] == hashlib.sha256(shipped).hexdigest()


def test_an_ontology_folder_without_a_mapping_set_publishes_none(
    dataset_store: Store, tmp_path: Path
):
    ontology_dir = tmp_path / "ontology"
    shutil.copytree(PROJECT_ROOT / "ontology", ontology_dir)
    (ontology_dir / "mappings.sssom.tsv").unlink()
    publish(dataset_store, tmp_path / "pub", options(ontology_dir=ontology_dir))
    assert not (tmp_path / "pub" / "dumps" / "mappings.sssom.tsv").exists()
    catalog = Graph().parse(tmp_path / "pub" / "catalog.ttl")
    assert not any(str(o).endswith("mappings.sssom.tsv") for o in catalog.objects())


@pytest.mark.parametrize("name", [*DUMP_NAMES, "ontology.ttl", "ontology.rdf", "ontology.jsonld"])
def test_every_rdf_file_parses(publication: Publication, name: str):
    assert len(read_rdf(publication.directory / "dumps" / name)) > 0


@pytest.mark.parametrize("name", DUMP_NAMES)
def test_gzip_decompresses_to_the_plain_file(publication: Publication, name: str):
    dumps = publication.directory / "dumps"
    assert gzip.decompress((dumps / f"{name}.gz").read_bytes()) == (dumps / name).read_bytes()


def test_sizes_and_checksums_match_the_files(publication: Publication):
    dumps = publication.directory / "dumps"
    index = json.loads((dumps / "index.json").read_text())
    listed = {entry["name"]: entry for entry in index["files"]}
    assert set(listed) == {f.name for f in publication.files}
    sums = dict(
        reversed(line.split("  ")) for line in (dumps / "SHA256SUMS").read_text().splitlines()
    )
    for name, entry in listed.items():
        data = (dumps / name).read_bytes()
        assert entry["byteSize"] == len(data), name
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() == sums[name], name
        assert entry["url"] == f"{BASE_URL}dumps/{name}"


def test_the_catalogue_states_the_same_sizes_and_checksums(publication: Publication):
    catalog = Graph().parse(publication.directory / "catalog.ttl")
    dumps = publication.directory / "dumps"
    distributions = set(catalog.subjects(RDF.type, DCAT.Distribution))
    # every file of the two catalogued datasets (the PTCE data and the territories)
    catalogued = [f for f in publication.files if f.part in ("ptce", "territories")]
    assert len(distributions) == len(catalogued)
    for node in distributions:
        url = str(catalog.value(node, DCAT.downloadURL))
        data = (dumps / url.rsplit("/", 1)[1]).read_bytes()
        assert catalog.value(node, DCAT.byteSize).value == len(data), url
        checksum = catalog.value(node, SPDX.checksum)
        assert str(catalog.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()


def test_gzip_distributions_name_their_compression_and_inner_type(publication: Publication):
    catalog = Graph().parse(publication.directory / "catalog.ttl")
    iana = "http://www.iana.org/assignments/media-types/"
    node = catalog_iri("distribution-ptce.nq.gz", base=BASE)
    assert catalog.value(node, DCAT.compressFormat) == URIRef(f"{iana}application/gzip")
    assert catalog.value(node, DCAT.mediaType) == URIRef(f"{iana}application/n-quads")
    plain = catalog_iri("distribution-ptce.nq", base=BASE)
    assert catalog.value(plain, DCAT.compressFormat) is None


def test_licences_per_dataset(publication: Publication):
    catalog = Graph().parse(publication.directory / "catalog.ttl")
    licence = {
        key: str(catalog.value(catalog_iri(f"dataset-{key}", base=BASE), DCTERMS.license))
        for key in ("ptce", "territories")
    }
    assert licence["ptce"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "etalab" in licence["territories"]
    territory_dist = catalog_iri("distribution-territories.ttl.gz", base=BASE)
    assert "etalab" in str(catalog.value(territory_dist, DCTERMS.license))


def test_the_sparql_service_is_described(publication: Publication):
    catalog = Graph().parse(publication.directory / "catalog.ttl")
    service = catalog.value(predicate=RDF.type, object=DCAT.DataService)
    assert str(catalog.value(service, DCAT.endpointURL)) == f"{BASE_URL}sparql"
    assert catalog.value(service, DCTERMS.conformsTo) == URIRef(
        "https://www.w3.org/TR/sparql11-protocol/"
    )
    served = set(catalog.objects(service, DCAT.servesDataset))
    assert catalog_iri("dataset-ptce", base=BASE) in served


def test_catalogue_jsonld_is_the_turtle_catalogue(publication: Publication):
    turtle = Graph().parse(publication.directory / "catalog.ttl")
    jsonld = parse_rdf(
        (publication.directory / "catalog.jsonld").read_bytes(), "application/ld+json"
    )
    assert isomorphic(turtle, jsonld)


def shacl_results(data: Graph, shapes: Graph) -> list[tuple[str, str, str]]:
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, allow_warnings=False)
    return sorted(
        (
            str(report.value(r, SH.resultSeverity)),
            str(r_focus),
            str(report.value(r, SH.sourceShape)),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
        for r_focus in [report.value(r, SH.focusNode)]
    )


def test_catalogue_meets_dcat_ap(publication: Publication, publish_shapes: dict[str, Graph]):
    catalog = Graph().parse(publication.directory / "catalog.ttl")
    assert shacl_results(catalog, publish_shapes["dcat-ap"]) == []


def test_dcat_ap_shapes_catch_a_missing_mandatory_property(
    publication: Publication, publish_shapes: dict[str, Graph]
):
    catalog = Graph().parse(publication.directory / "catalog.ttl")
    dataset = catalog_iri("dataset-ptce", base=BASE)
    catalog.remove((dataset, DCTERMS.title, None))
    results = shacl_results(catalog, publish_shapes["dcat-ap"])
    assert (
        str(SH.Violation),
        str(dataset),
        "https://w3id.org/ptce/shapes#Dataset-title",
    ) in results


def test_void_meets_its_shapes(publication: Publication, publish_shapes: dict[str, Graph]):
    void = Graph().parse(publication.directory / "void.ttl")
    assert shacl_results(void, publish_shapes["void"]) == []


def count(store: Store, sparql: str, graphs: list[str]) -> int:
    row = next(store.query(sparql, default_graph=graphs).bindings())
    return int(str(row["n"]))


def test_void_statistics_are_the_store_s(publication: Publication, dataset_store: Store):
    void = Graph().parse(publication.directory / "void.ttl")
    root = dataset_iri(base=BASE)
    graphs = source_graphs_of(dataset_store)
    sizes = dataset_store.graph_sizes()

    def stat(predicate: URIRef) -> int:
        return void.value(root, predicate).value

    # the dataset is the RDF merge of the source graphs: a triple stated in two sources
    # (a shared organisation's label…) counts once there, and once in each subset
    assert stat(VOID.triples) <= sum(sizes[g] for g in graphs)
    assert stat(VOID.triples) == count(
        dataset_store, "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }", graphs
    )
    assert stat(VOID.distinctSubjects) == count(
        dataset_store, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }", graphs
    )
    assert stat(VOID.classes) == count(
        dataset_store, "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?s a ?c }", graphs
    )
    subsets = {str(s): void.value(s, VOID.triples).value for s in void.objects(root, VOID.subset)}
    assert subsets == {g: sizes[g] for g in graphs}
    assert not any(g.endswith("/inferred") for g in subsets)


def test_class_partitions_count_distinct_instances(publication: Publication, dataset_store: Store):
    void = Graph().parse(publication.directory / "void.ttl")
    graphs = source_graphs_of(dataset_store)
    partitions = {
        str(void.value(p, VOID["class"])): void.value(p, VOID.entities).value
        for p in void.objects(dataset_iri(base=BASE), VOID.classPartition)
    }
    expected = {
        str(row["c"]): int(str(row["n"]))
        for row in dataset_store.query(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c } GROUP BY ?c", default_graph=graphs
        ).bindings()
    }
    assert partitions == expected
    assert partitions["https://w3id.org/ptce/ontology#PTCE"] >= 31


def test_property_partitions_sum_to_the_triples(publication: Publication):
    void = Graph().parse(publication.directory / "void.ttl")
    root = dataset_iri(base=BASE)
    total = sum(
        void.value(p, VOID.triples).value for p in void.objects(root, VOID.propertyPartition)
    )
    assert total == void.value(root, VOID.triples).value


def test_void_provenance_names_the_source_files(publication: Publication, dataset_store: Store):
    void = Graph().parse(publication.directory / "void.ttl")
    root = dataset_iri(base=BASE)
    derived = set(void.objects(root, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")))
    assert {str(g) for g in derived} == set(source_graphs_of(dataset_store))
    regions = URIRef(f"{BASE}graph/regions")
    assert str(void.value(regions, DCTERMS.source)) == "regions.ttl"
    activity = void.value(root, URIRef("http://www.w3.org/ns/prov#wasGeneratedBy"))
    agent = void.value(activity, URIRef("http://www.w3.org/ns/prov#wasAssociatedWith"))
    assert str(void.value(agent, RDFS.label)).startswith("ptce_kg ")
    version = void.value(root, DCTERMS.conformsTo)
    ontology = Graph().parse(PROJECT_ROOT / "ontology" / "ptce.ttl", format="turtle")
    (expected,) = set(ontology.objects(None, OWL.versionInfo))
    assert str(void.value(version, OWL.versionInfo)) == str(expected) == "0.3.0"


@pytest.mark.parametrize("part", SOURCE_PARTS)
def test_jsonld_dump_with_its_context_is_the_turtle_dump(publication: Publication, part: str):
    dumps = publication.directory / "dumps"
    body = (dumps / f"{part}.jsonld").read_bytes()
    assert json.loads(body)["@context"] == f"{BASE_URL}context.jsonld"
    assert isomorphic(
        jsonld_graph(body, publication.directory / "context.jsonld"),
        Graph().parse(dumps / f"{part}.ttl"),
    )


def test_nquads_dumps_hold_the_source_graphs_exactly(
    publication: Publication, dataset_store: Store
):
    published: dict[str, int] = {}
    for part in ("ptce", "territories", "examples"):
        for name, g in read_quads(publication.directory / "dumps" / f"{part}.nq").items():
            published[name] = len(g)
    sizes = dataset_store.graph_sizes()
    assert published == {g: sizes[g] for g in source_graphs_of(dataset_store)}


def test_territories_and_synthetic_examples_are_their_own_datasets(publication: Publication):
    names = set(read_quads(publication.directory / "dumps" / "territories.nq"))
    assert names == {f"{BASE}graph/{n}" for n in ("regions", "departements", "communes")}
    ptce = (publication.directory / "dumps" / "ptce.nq").read_text()
    assert "synthetic" not in ptce


def test_provenance_dump_holds_the_provenance_graphs(
    publication: Publication, dataset_store: Store
):
    names = set(read_quads(publication.directory / "dumps" / "provenance.nq"))
    assert names == {companion_graphs(g)[1] for g in source_graphs_of(dataset_store)}


def test_ontology_serialisations_are_the_ontology(publication: Publication):
    source = pipeline.read_ontology(PROJECT_ROOT / "ontology")
    dumps = publication.directory / "dumps"
    for name in ("ontology.ttl", "ontology.rdf"):
        assert isomorphic(read_rdf(dumps / name), source), name
    assert isomorphic(read_rdf(dumps / "ontology.jsonld"), source)


def test_ontology_html_documents_every_term(publication: Publication):
    html = (publication.directory / "dumps" / "ontology.html").read_text()
    ontology = pipeline.read_ontology(PROJECT_ROOT / "ontology")
    namespace = "https://w3id.org/ptce/ontology#"
    terms = {
        str(t)[len(namespace) :]
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for t in ontology.subjects(RDF.type, kind)
        if str(t).startswith(namespace)
    }
    anchors = set(re.findall(r'id="([^"]+)"', html))
    assert terms <= anchors
    assert "concept/" not in "".join(anchors)  # concepts are anchored as <scheme>/<key>
    assert "stage/emerging" in anchors


def test_context_defines_the_ontology_terms_and_prefixes(publication: Publication):
    context = json.loads((publication.directory / "context.jsonld").read_text())["@context"]
    assert context["ptce"] == "https://w3id.org/ptce/ontology#"
    assert context["PTCE"] == "ptce:PTCE"
    assert context["carrier"] == {"@id": "ptce:carrier", "@type": "@id"}


def test_output_is_deterministic_apart_from_timestamps(
    publication: Publication, dataset_store: Store, tmp_path: Path
):
    again = publish(dataset_store, tmp_path / "again", options())
    first = {
        p.relative_to(publication.directory): p.read_bytes()
        for p in publication.directory.rglob("*")
        if p.is_file()
    }
    second = {
        p.relative_to(again.directory): p.read_bytes()
        for p in again.directory.rglob("*")
        if p.is_file()
    }
    assert first == second  # same generated_at: byte for byte


def test_with_inferred_publishes_the_entailments(dataset_store: Store, tmp_path: Path):
    pub = publish(dataset_store, tmp_path / "pub", options(with_inferred=True))
    names = set(read_quads(tmp_path / "pub" / "dumps" / "inferred.nq"))
    assert names and all(n.endswith("/inferred") for n in names)
    catalog = Graph().parse(tmp_path / "pub" / "catalog.ttl")
    statement = catalog.value(catalog_iri("dataset-ptce", base=BASE), DCTERMS.provenance)
    linked = set(catalog.objects(statement, RDFS.seeAlso))
    assert URIRef(f"{BASE_URL}dumps/inferred.nq.gz") in linked
    assert catalog_iri("dataset-inferred", base=BASE) not in set(catalog.subjects())
    void = Graph().parse(tmp_path / "pub" / "void.ttl")
    assert not any(str(s).endswith("/inferred") for s in void.objects(None, VOID.subset))
    assert pub.statistics.triples == void.value(dataset_iri(base=BASE), VOID.triples).value
