"""``ptce_kg.link`` and ``ptce-kg link`` against fixture catalogues on a real SPARQL server."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BASE, FIXTURE_DATA, dump_quads
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, PROV, RDF, SKOS
from store.oxigraph import free_port
from typer.testing import CliRunner

from link.conftest import PTCE_FILES
from ptce_kg import cli
from ptce_kg.errors import SourceError
from ptce_kg.link import CatalogueEndpoint, link_store
from ptce_kg.store import Store

ID = "https://w3id.org/ptce/id/"
FX = "https://fixture.example/"
INSEE_GRAPH = f"{BASE}graph/links-insee-geo"


def graph_of(store: Store, graph: str) -> Graph:
    g = Graph()
    g.parse(data=store.graph_triples(graph), format="nt")
    return g


def endpoint(url: str, tmp_path: Path, **options) -> CatalogueEndpoint:
    return CatalogueEndpoint(url, cache_dir=tmp_path / "cache", backoff=0, **options)


def test_territories_link_to_insee_by_code_and_type(
    linked_store: Store, catalogue: str, tmp_path: Path
):
    outcome = link_store(linked_store, endpoint(catalogue, tmp_path), "insee-geo", base_iri=BASE)
    links = set(graph_of(linked_store, INSEE_GRAPH))
    geo = FX + "insee/geo/"
    assert links == {
        (URIRef(ID + "commune/06069"), SKOS.exactMatch, URIRef(geo + "commune-06069")),  # xsd:token
        (URIRef(ID + "commune/63113"), SKOS.exactMatch, URIRef(geo + "commune-63113")),
        (URIRef(ID + "commune/21231"), SKOS.exactMatch, URIRef(geo + "commune-21231")),
        (URIRef(ID + "departement/06"), SKOS.exactMatch, URIRef(geo + "departement-06")),
        (URIRef(ID + "departement/63"), SKOS.exactMatch, URIRef(geo + "departement-63")),
        (URIRef(ID + "region/84"), SKOS.exactMatch, URIRef(geo + "region-84")),
        (URIRef(ID + "epci/200041010"), SKOS.exactMatch, URIRef(geo + "epci-200041010")),
    }
    communes = outcome.counts["communes"]
    assert communes.linked == 3 and communes.ambiguous == 1  # Toulouse: two resources, no link
    assert communes.candidates == communes.linked + communes.ambiguous + communes.unmatched


def test_links_carry_their_provenance(linked_store: Store, catalogue: str, tmp_path: Path):
    link_store(linked_store, endpoint(catalogue, tmp_path), "insee-geo", base_iri=BASE)
    prov = graph_of(linked_store, INSEE_GRAPH + "/provenance")
    graph, service = URIRef(INSEE_GRAPH), URIRef(catalogue)
    assert (graph, URIRef("http://purl.org/dc/terms/source"), service) in prov
    activity = prov.value(graph, PROV.wasGeneratedBy)
    assert (activity, RDF.type, PROV.Activity) in prov
    assert (activity, PROV.used, service) in prov
    assert prov.value(activity, PROV.startedAtTime) is not None
    queries = [
        str(prov.value(q, PROV.value)) for q in prov.objects(activity, PROV.used) if q != service
    ]
    assert queries and all("VALUES ?key" in q for q in queries)
    assert any('"06069"^^<http://www.w3.org/2001/XMLSchema#token>' in q for q in queries)


def test_a_rerun_replaces_the_links_instead_of_adding(
    linked_store: Store, catalogue: str, tmp_path: Path
):
    link_store(linked_store, endpoint(catalogue, tmp_path), "insee-geo", base_iri=BASE)
    first, sizes = set(graph_of(linked_store, INSEE_GRAPH)), linked_store.graph_sizes()
    link_store(linked_store, endpoint(catalogue, tmp_path, max_age=0), "insee-geo", base_iri=BASE)
    assert set(graph_of(linked_store, INSEE_GRAPH)) == first
    assert linked_store.graph_sizes() == sizes


def test_organisations_and_territories_link_to_wikidata(
    linked_store: Store, catalogue: str, tmp_path: Path
):
    outcome = link_store(linked_store, endpoint(catalogue, tmp_path), "wikidata", base_iri=BASE)
    wd = FX + "wikidata/entity/"
    found = {(link.local, link.remote, link.label) for link in outcome.links}
    assert found == {
        (ID + "commune/06069", wd + "Q-fixture-grasse", "Grasse (fixture)"),
        (ID + "commune/63113", wd + "Q-fixture-clermont", "Clermont-Ferrand (fixture)"),
        (ID + "departement/63", wd + "Q-fixture-puy-de-dome", "Puy-de-Dôme (fixture)"),
        (
            ID + "org/200039857",
            wd + "Q-fixture-pays-de-grasse",
            "Communauté d'agglomération du Pays de Grasse (fixture)",
        ),
    }
    assert outcome.counts["organisations"].linked == 1


def test_ptce_link_to_another_ptce_kg_by_exact_label_or_its_same_as(
    linked_store: Store, catalogue: str, tmp_path: Path
):
    link_store(linked_store, endpoint(catalogue, tmp_path), "ptce-kg", base_iri=BASE)
    links = set(graph_of(linked_store, f"{BASE}graph/links-ptce-kg"))
    other = FX + "other-ptce-kg/id/ptce/"
    assert links == {
        (URIRef(ID + "ptce/le-damier"), SKOS.exactMatch, URIRef(other + "le-damier")),
        (URIRef(ID + "ptce/tetris"), OWL.sameAs, URIRef(other + "tetris-record")),
    }


def test_a_down_endpoint_is_a_source_error_and_nothing_is_written(
    linked_store: Store, tmp_path: Path
):
    url = f"http://127.0.0.1:{free_port()}/query"
    before = dump_quads(linked_store)
    with pytest.raises(SourceError, match="cannot get an answer") as caught:
        link_store(linked_store, endpoint(url, tmp_path, retries=1), "wikidata", base_iri=BASE)
    assert url in str(caught.value)
    assert dump_quads(linked_store) == before


# ------------------------------------------------------------------------------------------- CLI
runner = CliRunner()


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("link-cli") / "store"
    result = runner.invoke(
        cli.app,
        ["load", "--store", str(path), str(FIXTURE_DATA / "territories"), *map(str, PTCE_FILES)],
    )
    assert result.exit_code == 0, result.stderr
    return str(path)


def test_cli_links_then_answers_from_the_cache_when_the_endpoint_is_gone(
    store_dir: str, start_catalogue, tmp_path: Path
):
    server = start_catalogue()
    cache = tmp_path / "cache"
    args = [
        "link",
        "--endpoint",
        server.url,
        "--target",
        "insee-geo",
        "--store",
        store_dir,
        "--cache-dir",
        str(cache),
    ]
    first = runner.invoke(cli.app, args)
    assert first.exit_code == 0, first.stderr
    assert "7 link(s)" in first.stdout and "0 from the cache" in first.stdout
    assert list(cache.glob("*.json"))
    server.stop()
    second = runner.invoke(cli.app, [*args, "--retries", "0"])
    assert second.exit_code == 0, second.stderr
    assert "7 link(s)" in second.stdout and "0 from the cache" not in second.stdout
    source = runner.invoke(
        cli.app,
        [
            "query",
            "--output",
            "csv",
            "--store",
            store_dir,
            f"SELECT ?src WHERE {{ <{INSEE_GRAPH}> <http://purl.org/dc/terms/source> ?src }}",
        ],
    )
    assert source.stdout.splitlines()[1:] == [server.url]


def test_cli_exits_2_with_a_clear_message_when_the_endpoint_is_down(store_dir: str, tmp_path: Path):
    url = f"http://127.0.0.1:{free_port()}/sparql"
    result = runner.invoke(
        cli.app,
        [
            "link",
            "--endpoint",
            url,
            "--target",
            "wikidata",
            "--store",
            store_dir,
            "--no-cache",
            "--retries",
            "0",
        ],
    )
    assert result.exit_code == 2
    assert url in result.stderr and "cannot get an answer from the SPARQL endpoint" in result.stderr


def test_cli_refuses_an_unknown_target(store_dir: str):
    result = runner.invoke(
        cli.app,
        ["link", "--endpoint", "http://127.0.0.1:1/q", "--target", "dbpedia", "--store", store_dir],
    )
    assert result.exit_code == 2
