"""The whole stack on a remote store: the pipeline, the CLI and the web service, each pointed at a
real Oxigraph server by its URL (PTCE_STORE, --store, Settings.store)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import BASE, FIXTURE_DATA, ONTOLOGY_DIR, TEST_DATA, dump_quads
from rdflib import Graph
from typer.testing import CliRunner

from ptce_kg import cli, pipeline
from ptce_kg.config import Settings
from ptce_kg.errors import DataRejected
from ptce_kg.execution import ThreadQueryRunner
from ptce_kg.store import RemoteStore, open_store
from ptce_kg.web import create_app
from store.oxigraph import oxigraph_serving

with warnings.catch_warnings():
    # Starlette asks for httpx2 (not a dependency yet) and warns once, at import: harmless here.
    from starlette.exceptions import StarletteDeprecationWarning

    warnings.filterwarnings("ignore", "Using `httpx`", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

SMALL = TEST_DATA / "pipeline" / "small-ptce.ttl"
INVALID = TEST_DATA / "pipeline" / "invalid-ptce.ttl"
LE_DAMIER = FIXTURE_DATA / "ptce" / "le-damier.ttl"


@pytest.fixture(scope="module")
def loaded_server(tmp_path_factory: pytest.TempPathFactory, shapes: Graph) -> Iterator[str]:
    """A server holding the ontology, the territories and two PTCE files, loaded by the pipeline
    through PTCE_STORE."""
    with (
        pytest.MonkeyPatch.context() as mp,
        oxigraph_serving(tmp_path_factory.mktemp("remote") / "oxigraph") as server,
    ):
        mp.setenv("PTCE_STORE", server.url)
        store = open_store(Settings().store)
        assert isinstance(store, RemoteStore)
        pipeline.load_ontology(store, ONTOLOGY_DIR)
        for path in [*sorted((FIXTURE_DATA / "territories").glob("*.ttl")), SMALL, LE_DAMIER]:
            pipeline.load_source(store, path, shapes, base_iri=BASE)
        store.close()
        yield server.url


def test_the_pipeline_stores_each_source_with_its_companions(loaded_server: str):
    store = open_store(loaded_server)
    sizes = store.graph_sizes()
    for graph in (f"{BASE}graph/le-damier", f"{BASE}graph/small-ptce", f"{BASE}graph/communes"):
        assert sizes[graph] > 0 and sizes[graph + "/provenance"] > 0
    assert sizes[f"{BASE}graph/le-damier/inferred"] > 0
    ptce = store.query(
        "SELECT ?p WHERE { ?p a <https://w3id.org/ptce/ontology#PTCE> ; "
        "<https://w3id.org/ptce/ontology#basedIn>/<https://w3id.org/ptce/ontology#within> ?d }"
    )
    assert "https://w3id.org/ptce/id/ptce/le-damier" in {str(r[0]) for r in ptce.rows}
    store.close()


def test_a_rejected_file_leaves_the_servers_quads_unchanged(loaded_server: str, shapes: Graph):
    store = open_store(loaded_server)
    before = dump_quads(store)
    with pytest.raises(DataRejected):
        pipeline.load_source(store, INVALID, shapes, base_iri=BASE)
    assert dump_quads(store) == before
    store.close()


runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["stats"], "quads"),
        (["graphs"], "le-damier"),
        (
            [
                "query",
                "SELECT ?l WHERE { <https://w3id.org/ptce/id/ptce/le-damier> "
                "<http://www.w3.org/2000/01/rdf-schema#label> ?l }",
            ],
            "Le Damier",
        ),
        (
            [
                "query",
                "--output",
                "n-triples",
                "CONSTRUCT WHERE { <https://w3id.org/ptce/id/commune/63113> ?p ?o }",
            ],
            "<https://w3id.org/ptce/id/commune/63113>",
        ),
    ],
    ids=["stats", "graphs", "query-table", "query-n-triples"],
)
def test_cli_commands_work_with_a_store_url(loaded_server: str, args: list[str], expected: str):
    result = runner.invoke(cli.app, [*args, "--store", loaded_server])
    assert result.exit_code == 0, result.stderr
    assert expected in result.stdout


def test_cli_on_a_down_server_exits_2_with_the_url(tmp_path: Path):
    from store.oxigraph import free_port

    url = f"http://127.0.0.1:{free_port()}/query"
    result = runner.invoke(cli.app, ["stats", "--store", url])
    assert result.exit_code == 2
    assert url in result.stderr and "cannot open the remote store" in result.stderr


def test_the_web_service_answers_sparql_through_a_remote_store(loaded_server: str):
    app = create_app(Settings(store=loaded_server))
    assert isinstance(app.state.query_runner, ThreadQueryRunner)
    with TestClient(app) as client:
        response = client.get(
            "/sparql",
            params={
                "query": "SELECT ?l WHERE { <https://w3id.org/ptce/id/ptce/le-damier> "
                "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"
            },
            headers={"Accept": "application/sparql-results+json"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["results"]["bindings"][0]["l"]["value"] == "Le Damier"
        construct = client.get(
            "/sparql",
            params={"query": "CONSTRUCT WHERE { <https://w3id.org/ptce/id/commune/63113> ?p ?o }"},
            headers={"Accept": "text/turtle"},
        )
        assert construct.status_code == 200 and b"63113" in construct.content
    app.state.store.close()
