"""The service serves the published documents: /catalog, /.well-known/void, /dumps/, /dumps/{file},
/context.jsonld — equal to what ``publish`` writes, apart from time stamps."""

from __future__ import annotations

import hashlib
import json

import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from ptce_kg.config import Settings
from ptce_kg.namespaces import VOID
from ptce_kg.publish import Publication
from ptce_kg.store import open_store
from ptce_kg.web import create_app

from .conftest import TestClient, parse_rdf

SYNTHETIC = "https://w3id.org/ptce/graph/synthetic-served"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def without_timestamps(g: Graph) -> Graph:
    kept = Graph()
    for s, p, o in g:
        if not (isinstance(o, Literal) and o.datatype == XSD.dateTime):
            kept.add((s, p, o))
    return kept


def served_graph(client: TestClient, path: str, accept: str, fmt: str) -> Graph:
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == accept
    assert "Accept" in response.headers["vary"]
    return parse_rdf(response.content, accept)


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ],
    ids=["turtle", "json-ld", "rdf-xml", "n-triples"],
)
def test_catalog_is_the_published_catalogue(
    client: TestClient, publication: Publication, accept: str, fmt: str
):
    published = Graph().parse(publication.directory / "catalog.ttl")
    served = served_graph(client, "/catalog", accept, fmt)
    assert isomorphic(without_timestamps(served), without_timestamps(published))


def test_catalog_refuses_an_unknown_format(client: TestClient):
    response = client.get("/catalog", headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_well_known_void_is_the_published_void(client: TestClient, publication: Publication):
    published = Graph().parse(publication.directory / "void.ttl")
    served = served_graph(client, "/.well-known/void", "text/turtle", "turtle")
    assert isomorphic(without_timestamps(served), without_timestamps(published))
    jsonld = served_graph(client, "/.well-known/void", "application/ld+json", "json-ld")
    assert isomorphic(jsonld, served)


def test_dumps_index_is_the_published_index(client: TestClient, publication: Publication):
    response = client.get("/dumps/")
    assert response.status_code == 200
    assert response.json() == json.loads(
        (publication.directory / "dumps" / "index.json").read_text()
    )


@pytest.mark.parametrize("name", ["ptce.ttl", "ptce.nq.gz", "territories.jsonld", "ontology.html"])
def test_dump_files_are_the_published_files(
    client: TestClient, publication: Publication, name: str
):
    response = client.get(f"/dumps/{name}")
    assert response.status_code == 200
    body = (publication.directory / "dumps" / name).read_bytes()
    assert response.content == body
    assert response.headers["x-checksum-sha256"] == hashlib.sha256(body).hexdigest()
    expected = "application/gzip" if name.endswith(".gz") else None
    if expected:
        assert response.headers["content-type"] == expected


@pytest.mark.parametrize("name", ["nothing.ttl", "..%2Fcatalog.ttl", "index.json"])
def test_unknown_dump_files_are_404(client: TestClient, name: str):
    assert client.get(f"/dumps/{name}").status_code == 404


def test_context_is_the_published_context(client: TestClient, publication: Publication):
    response = client.get("/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    assert response.content == (publication.directory / "context.jsonld").read_bytes()


def test_publication_follows_writes():
    store = open_store(":memory:")
    store.replace_graphs({SYNTHETIC: f'<{SYNTHETIC}/a> <{LABEL}> "a" .\n'.encode()})
    settings = Settings(store=store.location)
    with TestClient(create_app(settings, store)) as client:
        before = {f["name"]: f["sha256"] for f in client.get("/dumps/").json()["files"]}
        void = Graph().parse(data=client.get("/.well-known/void").content, format="turtle")
        assert {o.value for o in void.objects(None, VOID.triples)} >= {1}
        # a write through the app bumps the generation: the next request rebuilds
        client.app.state.store.replace_graphs(
            {SYNTHETIC: f'<{SYNTHETIC}/a> <{LABEL}> "a", "b" .\n'.encode()}
        )
        after = {f["name"]: f["sha256"] for f in client.get("/dumps/").json()["files"]}
        assert before["examples.nq"] != after["examples.nq"]
        void = Graph().parse(data=client.get("/.well-known/void").content, format="turtle")
        subsets = {
            str(s): void.value(s, VOID.triples).value for s in void.objects(None, VOID.subset)
        }
        assert subsets == {SYNTHETIC: 2}


def test_head_answers_without_a_body(client: TestClient, publication: Publication):
    response = client.head("/dumps/ptce.ttl")
    assert response.status_code == 200
    assert response.content == b""
    size = (publication.directory / "dumps" / "ptce.ttl").stat().st_size
    assert int(response.headers["content-length"]) == size
