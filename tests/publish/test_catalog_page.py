"""/catalog for a browser: an HTML view of the same catalogue (datasets, coverage, files with their
sizes and checksums, the SPARQL service), in French or English; RDF clients still get RDF."""

from __future__ import annotations

import re

from rdflib import Graph
from rdflib.namespace import DCTERMS

from ptce_kg.namespaces import DCAT, SPDX
from ptce_kg.publish import Publication
from ptce_kg.publish.release import DATA_VERSION

from .conftest import TestClient

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_gets_the_html_catalogue(client: TestClient, publication: Publication):
    response = client.get("/catalog", headers={"Accept": BROWSER, "Accept-Language": "en"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "Accept" in response.headers["vary"]
    page = response.text
    catalog = Graph().parse(publication.directory / "catalog.ttl")
    for dataset in catalog.objects(None, DCAT.dataset):
        key = str(catalog.value(dataset, DCTERMS.identifier))
        assert f'id="{key}"' in page
        assert str(catalog.value(dataset, DCTERMS.title, any=True)) in page or key in page
        for distribution in catalog.objects(dataset, DCAT.distribution):
            url = str(catalog.value(distribution, DCAT.downloadURL))
            checksum = catalog.value(distribution, SPDX.checksum)
            assert f'href="{url}"' in page
            assert str(catalog.value(checksum, SPDX.checksumValue)) in page
    assert DATA_VERSION in page and "Period covered" in page and "POLYGON((" in page
    assert 'rel="alternate" type="text/turtle"' in page


def test_the_html_catalogue_speaks_french(client: TestClient):
    page = client.get("/catalog?format=html", headers={"Accept-Language": "fr"}).text
    assert '<html lang="fr">' in page
    assert "Période couverte" in page and "Pôles territoriaux de coopération économique" in page


def test_rdf_clients_still_get_rdf(client: TestClient):
    for accept in (None, "*/*", "text/turtle"):
        headers = {"Accept": accept} if accept else {}
        response = client.get("/catalog", headers=headers)
        assert response.headers["content-type"].startswith("text/turtle"), accept
    response = client.get("/catalog?format=jsonld", headers={"Accept": BROWSER})
    assert response.headers["content-type"] == "application/ld+json"


def test_the_territories_landing_page_is_their_section(
    client: TestClient, publication: Publication
):
    catalog = Graph().parse(publication.directory / "catalog.ttl")
    landing = {str(u) for u in catalog.objects(None, DCAT.landingPage)}
    (territories,) = [u for u in landing if u.endswith("#territories")]
    path = re.sub(r"^https?://[^/]+", "", territories).split("#")[0]
    page = client.get(path).text
    assert 'id="territories"' in page


def test_the_csv_tables_are_served(client: TestClient, publication: Publication):
    for name in ("ptce.csv", "organisations.csv", "memberships.csv", "indicators.csv"):
        response = client.get(f"/dumps/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.content == (publication.directory / "dumps" / name).read_bytes()
