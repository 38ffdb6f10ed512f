"""Resource views that carry the graph (issue 20 §5): a PTCE's RDF with its parts, Turtle with
prefixes, compacted JSON-LD, licence and describedby links, schema.org JSON-LD in the pages."""

from __future__ import annotations

import json
import re
import warnings
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from ptce_kg.namespaces import CC_BY_4_0, LICENCE_OUVERTE_2_0, ORG, PTCE, ROV
from ptce_kg.web.structured_data import script

BASE = "https://w3id.org/ptce/"
PTCE_A = URIRef(BASE + "id/ptce/synthetic-a")
SCOP = URIRef(BASE + "id/org/synthetic-scop-recyclerie")
MEMBERSHIP = URIRef(BASE + "id/membership/synthetic-a-scop-recyclerie")
COOPERATION = URIRef(BASE + "id/cooperation/synthetic-a-shared-warehouse")
PROJECT = URIRef(BASE + "id/project/synthetic-a-food-hub")
BOARD = URIRef(BASE + "id/governance/synthetic-a-board")
JSON_LD_SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def turtle_of(site: TestClient, path: str) -> Graph:
    return Graph().parse(data=site.get(path + ".ttl").content, format="turtle")


def jsonld_graph(body: bytes) -> Graph:
    with warnings.catch_warnings():
        # rdflib's JSON-LD parser still builds a ConjunctiveGraph internally (rdflib 7.6).
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=body, format="json-ld")


def links(response: Any) -> list[tuple[str, str]]:
    """``(target, rel)`` of each link of the ``Link`` header."""
    return re.findall(r'<([^>]*)>; rel="([^"]+)"', response.headers["link"])


def schema_org(site: TestClient, path: str) -> dict[str, Any] | None:
    page = site.get(path, headers={"accept": "text/html"}).text
    found = JSON_LD_SCRIPT.findall(page)
    assert len(found) <= 1
    return json.loads(found[0]) if found else None


def test_a_ptce_rdf_carries_its_memberships_actions_and_bodies(site: TestClient) -> None:
    graph = turtle_of(site, "/id/ptce/synthetic-a")
    assert (PTCE_A, RDF.type, PTCE.PTCE) in graph
    # the nodes that point to the PTCE, with their own statements
    assert (MEMBERSHIP, ORG.organization, PTCE_A) in graph
    assert (MEMBERSHIP, ORG.member, SCOP) in graph
    assert (COOPERATION, PTCE.inPTCE, PTCE_A) in graph
    assert (COOPERATION, RDF.type, PTCE.CooperationAction) in graph
    assert (PROJECT, RDF.type, PTCE.Project) in graph
    assert (BOARD, RDF.type, PTCE.GovernanceBody) in graph
    assert set(graph.objects(BOARD, ORG.unitOf)) | set(graph.objects(BOARD, PTCE.inPTCE))
    # bounded: a member's own description stays on its own page
    assert not set(graph.predicate_objects(SCOP))
    assert (SCOP, ROV.legalName, None) not in graph


def test_every_statement_is_the_ptce_s_a_part_s_or_points_to_it(site: TestClient) -> None:
    graph = turtle_of(site, "/id/ptce/synthetic-a")
    parts = {
        s
        for s, p, o in graph
        if o == PTCE_A and p in (ORG.organization, ORG.member, ORG.unitOf, PTCE.inPTCE)
    }
    for s, _p, o in graph:
        assert s == PTCE_A or s in parts or o == PTCE_A or not isinstance(s, URIRef), s


def test_an_organisation_rdf_carries_its_memberships(site: TestClient) -> None:
    graph = turtle_of(site, "/id/org/synthetic-scop-recyclerie")
    assert (MEMBERSHIP, ORG.member, SCOP) in graph
    assert (MEMBERSHIP, ORG.organization, PTCE_A) in graph
    assert (PTCE_A, RDF.type, PTCE.PTCE) not in graph


def test_turtle_is_written_with_the_project_prefixes(site: TestClient) -> None:
    text = site.get("/id/ptce/synthetic-a", headers={"accept": "text/turtle"}).text
    assert "@prefix org: <http://www.w3.org/ns/org#> ." in text
    assert "@prefix ptce: <https://w3id.org/ptce/ontology#> ." in text
    assert "org:organization" in text and "<http://www.w3.org/ns/org#organization>" not in text


def test_jsonld_is_compacted_with_the_published_context(site: TestClient) -> None:
    response = site.get("/id/ptce/synthetic-a", headers={"accept": "application/ld+json"})
    assert response.headers["content-type"] == "application/ld+json"
    document = json.loads(response.content)
    context = document["@context"]
    assert context["ptce"] == "https://w3id.org/ptce/ontology#"
    assert context["inPTCE"] == {"@id": "ptce:inPTCE", "@type": "@id"}
    nodes = {node["@id"]: node for node in document["@graph"]}
    assert str(PTCE_A) in nodes
    assert nodes[str(COOPERATION)]["inPTCE"] == str(PTCE_A)
    assert isomorphic(jsonld_graph(response.content), turtle_of(site, "/id/ptce/synthetic-a"))


@pytest.mark.parametrize(
    ("path", "licence"),
    [
        ("/id/ptce/synthetic-a", CC_BY_4_0),
        ("/id/org/synthetic-scop-recyclerie", CC_BY_4_0),
        ("/id/region/84", LICENCE_OUVERTE_2_0),  # reference territories (Etalab)
        ("/id/commune/42187", LICENCE_OUVERTE_2_0),
        ("/ontology", CC_BY_4_0),
        ("/shapes", CC_BY_4_0),
    ],
)
@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "application/ld+json"])
def test_every_resource_answer_links_its_licence_and_descriptions(
    site: TestClient, path: str, licence: URIRef, accept: str
) -> None:
    response = site.get(path, headers={"accept": accept})
    assert response.status_code == 200
    found = links(response)
    assert [target for target, rel in found if rel == "license"] == [str(licence)]
    described = {target for target, rel in found if rel == "describedby"}
    assert {path + ".ttl", path + ".jsonld", path + ".nt", path + ".rdf"} == described
    if accept == "text/html":
        assert f'<a rel="license" href="{licence}">' in response.text


def test_a_suffixed_document_links_its_licence_too(site: TestClient) -> None:
    response = site.get("/id/ptce/synthetic-a.nt")
    assert (str(CC_BY_4_0), "license") in links(response)


def test_a_ptce_page_embeds_a_schema_org_organization(site: TestClient) -> None:
    data = schema_org(site, "/id/ptce/synthetic-a")
    assert data is not None
    assert data["@context"] == "https://schema.org" and data["@type"] == "Organization"
    assert data["@id"] == str(PTCE_A) and data["name"]
    assert {"@id": str(SCOP), "name": "Recyclerie coopérative (synthétique)"} in data["member"]
    assert [place["@id"] for place in data["location"]] == [BASE + "id/commune/42187"]
    assert data["foundingDate"].startswith("2014")


def test_an_organisation_page_embeds_its_identifiers_and_poles(site: TestClient) -> None:
    data = schema_org(site, "/id/org/synthetic-scop-recyclerie")
    assert data is not None and data["@type"] == "Organization"
    assert data["legalName"] == "RECYCLERIE COOPERATIVE SYNTHETIQUE"
    assert {"@type": "PropertyValue", "propertyID": "SIREN", "value": "900000027"} in data[
        "identifier"
    ]
    assert str(PTCE_A) in {o["@id"] for o in data["memberOf"]}


def test_dataset_pages_embed_a_schema_org_dataset(site: TestClient) -> None:
    graph = schema_org(site, "/graph/synthetic-example")
    assert graph is not None and graph["@type"] == "Dataset"
    assert graph["license"] == [str(CC_BY_4_0)]
    home = schema_org(site, "/")
    assert home is not None and home["@type"] == "Dataset"
    assert home["@id"] == BASE + "catalog#dataset-ptce"
    assert home["license"] == str(CC_BY_4_0)
    assert home["includedInDataCatalog"]["@id"].endswith("/catalog")
    downloads = {d["contentUrl"].rsplit("/", 1)[-1] for d in home.get("distribution", [])}
    assert downloads <= {"ptce.ttl", "ptce.nq", "ptce.jsonld"}  # the PTCE data's own files


def test_other_resources_embed_no_schema_org(site: TestClient) -> None:
    assert schema_org(site, "/id/concept/sector/circular-economy") is None
    assert schema_org(site, "/id/membership/synthetic-a-scop-recyclerie") is None


def test_embedded_json_cannot_close_its_script_element() -> None:
    text = str(script({"name": "</script><script>alert(1)</script>", "note": "a & b"}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script>"
