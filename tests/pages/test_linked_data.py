"""Dereferencing: every kind of minted IRI, content negotiation, suffixes, 404, base IRI."""

from __future__ import annotations

import re
import warnings

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ptce_kg.namespaces import PTCE
from ptce_kg.store import Store, open_store
from ptce_kg.web.descriptions import describe, serialize_triples

BASE = "https://w3id.org/ptce/"

#: One resource of each kind the project mints (path after the base).
RESOURCES = {
    "ptce": "id/ptce/synthetic-a",
    "org": "id/org/synthetic-scop-recyclerie",
    "membership": "id/membership/synthetic-a-scop-recyclerie",
    "cooperation": "id/cooperation/synthetic-a-shared-warehouse",
    "project": "id/project/synthetic-a-food-hub",
    "recognition": "id/recognition/synthetic-a-call-2015",
    "indicator": "id/indicator/synthetic-a-member-count-2021",
    "governance": "id/governance/synthetic-a-board",
    "identifier": "id/identifier/siren/synthetic-900000019",
    "source": "id/source/synthetic-annual-report",
    "commune": "id/commune/42187",
    "departement": "id/departement/42",
    "region": "id/region/84",
    "epci": "id/epci/synthetic-200000099",
    "geometry": "id/geometry/commune-42187",
    "concept": "id/concept/sector/circular-economy",
    "scheme": "id/scheme/sector",
    "graph": "graph/synthetic-example",
}
RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
SUFFIXES = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples",
            ".rdf": "application/rdf+xml"}  # fmt: skip


def parse(body: bytes, media_type: str) -> Graph:
    with warnings.catch_warnings():
        # rdflib's JSON-LD parser still builds a ConjunctiveGraph internally (rdflib 7.6).
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=body, format=RDF_FORMATS[media_type])


@pytest.mark.parametrize("media_type", list(RDF_FORMATS))
@pytest.mark.parametrize("kind", list(RESOURCES))
def test_conneg_gives_the_resource_in_each_rdf_format(
    site: TestClient, kind: str, media_type: str
) -> None:
    response = site.get("/" + RESOURCES[kind], headers={"accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "accept" in response.headers["vary"].lower().replace(" ", "").split(",")
    graph = parse(response.content, media_type)
    assert (URIRef(BASE + RESOURCES[kind]), None, None) in graph


@pytest.mark.parametrize("kind", list(RESOURCES))
def test_browsers_get_an_html_page(site: TestClient, kind: str) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = site.get("/" + RESOURCES[kind], headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "accept" in response.headers["vary"].lower()
    assert f"<code>{BASE}{RESOURCES[kind]}</code>" in response.text
    assert f'type="text/turtle" href="/{RESOURCES[kind]}.ttl"' in response.text


def test_no_accept_header_gets_turtle(site: TestClient) -> None:
    response = site.get("/id/ptce/synthetic-a", headers={"accept": ""})
    assert response.headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize("suffix", list(SUFFIXES))
def test_suffix_chooses_the_format_whatever_accept_says(site: TestClient, suffix: str) -> None:
    response = site.get("/id/ptce/synthetic-a" + suffix, headers={"accept": "text/html"})
    assert response.status_code == 200
    media_type = SUFFIXES[suffix]
    assert response.headers["content-type"].split(";")[0] == media_type
    graph = parse(response.content, media_type)
    assert (URIRef(BASE + "id/ptce/synthetic-a"), RDF.type, PTCE.PTCE) in graph


def test_format_parameter_chooses_the_format(site: TestClient) -> None:
    response = site.get("/id/region/84", params={"format": "nt"})
    assert response.headers["content-type"] == "application/n-triples"


def test_rdf_is_the_symmetric_description_and_html_adds_incoming_links(site: TestClient) -> None:
    turtle = parse(site.get("/id/region/84.ttl").content, "text/turtle")
    region = URIRef(BASE + "id/region/84")
    store: Store = site.app.state.store  # type: ignore[attr-defined]
    own = store.query("CONSTRUCT { ?r ?p ?o } WHERE { ?r ?p ?o }", bindings={"r": region})
    pointing = store.query(
        "CONSTRUCT { ?s ?p ?r } WHERE { ?s ?p ?r FILTER(isIRI(?s)) }", bindings={"r": region}
    )
    # a région is part of nothing: its triples and the triples that point to it, no more
    assert set(turtle) == set(own.triples) | set(pointing.triples)
    assert (region, RDFS.label, Literal("Auvergne-Rhône-Alpes", lang="fr")) in turtle
    assert (URIRef(BASE + "id/departement/42"), PTCE.within, region) in turtle
    page = site.get("/id/region/84", headers={"accept": "text/html"}).text
    assert 'id="incoming"' in page
    assert 'href="/id/departement/42"' in page  # Loire is within the région


def test_page_links_alternates_in_header_and_head(site: TestClient) -> None:
    response = site.get("/id/ptce/synthetic-a", headers={"accept": "text/html"})
    assert (
        '</id/ptce/synthetic-a.jsonld>; rel="alternate"; type="application/ld+json"'
        in (response.headers["link"])
    )
    assert (
        '<link rel="alternate" type="application/ld+json" href="/id/ptce/synthetic-a.jsonld">'
        in (response.text)
    )


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/id/ptce/does-not-exist", "text/turtle"),
        ("/id/ptce/does-not-exist", "text/html"),
        ("/id/ptce/does-not-exist.ttl", "*/*"),
        ("/graph/no-such-graph", "text/turtle"),
        ("/id/nothing", "application/json"),
    ],
    ids=["turtle", "html", "suffix", "graph", "json"],
)
def test_iris_the_store_does_not_describe_are_404(site: TestClient, path: str, accept: str) -> None:
    response = site.get(path, headers={"accept": accept})
    assert response.status_code == 404
    if accept == "text/html":
        assert response.headers["content-type"].startswith("text/html")


def test_unknown_iri_in_resource_parameter_is_404(site: TestClient) -> None:
    response = site.get("/resource", params={"iri": "https://example.com/nothing"})
    assert response.status_code == 404


def test_unacceptable_type_is_406(site: TestClient) -> None:
    response = site.get("/id/ptce/synthetic-a", headers={"accept": "application/pdf"})
    assert response.status_code == 406


def test_head_answers_like_get_without_a_body(site: TestClient) -> None:
    response = site.head("/id/ptce/synthetic-a", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.content == b""


@pytest.mark.parametrize(
    ("headers", "params", "title"),
    [
        ({"accept-language": "en-GB,en;q=0.9"}, {}, "Cooperation pole A (synthetic)"),
        ({"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"}, {}, "Pôle de coopération A (synthétique)"),
        ({}, {}, "Pôle de coopération A (synthétique)"),
        ({"accept-language": "de"}, {}, "Pôle de coopération A (synthétique)"),
        ({"accept-language": "fr"}, {"lang": "en"}, "Cooperation pole A (synthetic)"),
    ],
    ids=["en", "fr", "default-fr", "unknown-language", "lang-parameter-wins"],
)
def test_html_labels_follow_accept_language(
    site: TestClient, headers: dict[str, str], params: dict[str, str], title: str
) -> None:
    response = site.get(
        "/id/ptce/synthetic-a", params=params, headers={"accept": "text/html", **headers}
    )
    h1 = re.search(r"<h1>(.*?)</h1>", response.text)
    assert h1 is not None and h1.group(1) == title.replace("'", "&#39;")
    assert "accept-language" in response.headers["vary"].lower()


def test_rdf_keeps_every_language(site: TestClient) -> None:
    graph = parse(
        site.get("/id/ptce/synthetic-a.ttl", headers={"accept-language": "en"}).content,
        "text/turtle",
    )
    labels = set(graph.objects(URIRef(BASE + "id/ptce/synthetic-a"), RDFS.label))
    assert {label.language for label in labels if isinstance(label, Literal)} == {"fr", "en"}


def test_external_source_document_resolves_through_resource(site: TestClient) -> None:
    iri = "https://www.archer.fr/pole-sud/ptce"
    response = site.get("/resource", params={"iri": iri}, headers={"accept": "text/turtle"})
    assert response.status_code == 200
    assert (URIRef(iri), RDF.type, PTCE.SourceDocument) in parse(response.content, "text/turtle")
    page = site.get("/id/ptce/pole-sud-archer", headers={"accept": "text/html"}).text
    assert 'href="/resource?iri=https%3A%2F%2Fwww.archer.fr%2Fpole-sud%2Fptce"' in page


def test_base_iri_other_than_the_service_address(other_base_site: TestClient) -> None:
    # The path is taken after the configured base: data minted under the default base is not
    # found at /id/…, but /resource?iri= resolves it.
    assert other_base_site.get("/id/ptce/synthetic-a").status_code == 404
    iri = BASE + "id/ptce/synthetic-a"
    response = other_base_site.get(
        "/resource", params={"iri": iri}, headers={"accept": "text/turtle"}
    )
    assert response.status_code == 200
    assert (URIRef(iri), RDF.type, PTCE.PTCE) in parse(response.content, "text/turtle")
    page = other_base_site.get(
        "/resource", params={"iri": iri}, headers={"accept": "text/html"}
    ).text
    assert 'href="/resource?iri=https%3A%2F%2Fw3id.org%2Fptce%2Fid%2Fcommune%2F42187"' in page


def test_base_iri_maps_paths_under_it(dataset_store: Store) -> None:
    from ptce_kg.config import Settings
    from ptce_kg.web import create_app

    mine = "https://example.org/kb/id/ptce/elsewhere"
    store = open_store(":memory:")
    store.replace_graphs({BASE + "graph/t": f'<{mine}> <{RDFS.label}> "Ailleurs"@fr .\n'.encode()})
    settings = Settings(store=store.location, base_iri="https://example.org/kb/")
    with TestClient(create_app(settings, store)) as client:
        response = client.get("/id/ptce/elsewhere", headers={"accept": "text/turtle"})
        assert response.status_code == 200
        assert (URIRef(mine), RDFS.label, Literal("Ailleurs", lang="fr")) in parse(
            response.content, "text/turtle"
        )


def test_description_follows_blank_nodes_of_the_resource_only() -> None:
    store = open_store(":memory:")
    a, b = BASE + "id/org/a", BASE + "id/org/b"
    store.replace_graphs(
        {
            BASE + "graph/t": (
                f'<{a}> <urn:p> _:x .\n_:x <urn:q> _:y .\n_:y <urn:r> "deep" .\n'
                f'<{b}> <urn:p> _:z .\n_:z <urn:q> "other" .\n'
            ).encode()
        }
    )
    triples = describe(store, a)
    objects = {str(o) for _s, _p, o in triples}
    assert "deep" in objects and "other" not in objects
    assert len(triples) == 3
    turtle = Graph().parse(data=serialize_triples(triples, "text/turtle"), format="turtle")
    assert len(turtle) == 3


def test_ontology_documents_itself(site: TestClient) -> None:
    page = site.get("/ontology", headers={"accept": "text/html", "accept-language": "en"})
    assert page.status_code == 200
    assert '<section class="term" id="PTCE"' in page.text
    assert 'id="carrier"' in page.text
    turtle = site.get("/ontology", headers={"accept": "text/turtle"})
    graph = parse(turtle.content, "text/turtle")
    assert (URIRef("https://w3id.org/ptce/ontology"), RDF.type, OWL.Ontology) in graph
    assert (PTCE.PTCE, RDF.type, OWL.Class) in graph
    assert "accept" in turtle.headers["vary"].lower()
    assert site.get("/ontology.jsonld").headers["content-type"] == "application/ld+json"


def test_ontology_terms_link_to_their_anchor(site: TestClient) -> None:
    page = site.get("/id/ptce/synthetic-a", headers={"accept": "text/html"}).text
    assert 'href="/ontology#PTCE"' in page


def test_shapes_document_themselves(site: TestClient) -> None:
    page = site.get("/shapes", headers={"accept": "text/html"})
    assert page.status_code == 200 and "PTCEShape" in page.text
    graph = parse(site.get("/shapes.ttl").content, "text/turtle")
    assert len(graph) > 50


def test_unknown_document_suffix_is_404(site: TestClient) -> None:
    assert site.get("/ontology.pdf").status_code == 404
