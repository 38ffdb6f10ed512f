"""The data release: one version and date, stated alike by the catalogue, CITATION.cff,
.zenodo.json and data/CHANGELOG.md; a "cite this" line on every PTCE page."""

from __future__ import annotations

import json
import re
from datetime import date

import yaml
from fastapi.testclient import TestClient
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, XSD

from ptce_kg.config import PROJECT_ROOT, Settings
from ptce_kg.namespaces import DCAT, catalog_iri
from ptce_kg.publish import Publication
from ptce_kg.publish.release import (
    DATA_ISSUED,
    DATA_VERSION,
    citation_cff,
    cite_dataset,
    cite_ptce,
    zenodo_json,
)
from ptce_kg.store import Store
from ptce_kg.version import package_version
from ptce_kg.web import create_app

from .conftest import BASE


def test_the_changelog_cff_and_zenodo_name_the_release() -> None:
    changelog = (PROJECT_ROOT / "data" / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## (\S+) — (\d{4}-\d{2}-\d{2})$", changelog, re.M)
    assert first is not None
    assert (first.group(1), first.group(2)) == (DATA_VERSION, DATA_ISSUED.isoformat())
    cff = yaml.safe_load((PROJECT_ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    data = cff["preferred-citation"]
    assert (data["version"], data["date-released"]) == (DATA_VERSION, DATA_ISSUED)
    assert cff["version"] == "0.1.0" and cff["authors"] and data["license"] == "CC-BY-4.0"
    zenodo = json.loads((PROJECT_ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    assert (zenodo["version"], zenodo["publication_date"]) == (
        DATA_VERSION,
        DATA_ISSUED.isoformat(),
    )
    assert zenodo["upload_type"] == "dataset" and zenodo["creators"]


def test_the_repository_citation_files_are_generated_from_the_release() -> None:
    """Regenerate: python -c "…open('CITATION.cff','w').write(citation_cff(package_version()))"."""
    cff = (PROJECT_ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert cff == citation_cff(package_version())
    assert (PROJECT_ROOT / ".zenodo.json").read_text(encoding="utf-8") == zenodo_json()


def test_a_publication_carries_the_citation_files(publication: Publication) -> None:
    cff = (publication.directory / "CITATION.cff").read_text(encoding="utf-8")
    assert cff == citation_cff(package_version())
    zenodo = json.loads((publication.directory / ".zenodo.json").read_text(encoding="utf-8"))
    assert zenodo["version"] == DATA_VERSION


def test_the_data_datasets_carry_the_release(
    publication: Publication,
) -> None:
    catalog = Graph().parse(publication.directory / "catalog.ttl")
    for key in ("ptce", "territories"):
        node = catalog_iri(f"dataset-{key}", base=BASE)
        assert catalog.value(node, DCAT.version) == Literal(DATA_VERSION)
        assert catalog.value(node, DCTERMS.issued) == Literal(
            DATA_ISSUED.isoformat(), datatype=XSD.date
        )
        assert catalog.value(node, DCTERMS.creator) is not None
        cites = {str(c) for c in catalog.objects(node, DCTERMS.bibliographicCitation)}
        assert cite_dataset("en") in cites and cite_dataset("fr") in cites
    # the software's version is no dataset's: the examples are not catalogued
    assert catalog_iri("dataset-examples", base=BASE) not in set(catalog.subjects())


def test_a_ptce_page_says_how_to_cite_it_with_the_date_consulted(dataset_store: Store) -> None:
    iri = f"{BASE}id/ptce/le-damier"
    with TestClient(create_app(Settings(store=":memory:"), dataset_store)) as client:
        page = client.get(
            "/id/ptce/le-damier", headers={"Accept": "text/html", "Accept-Language": "en"}
        ).text
        french = client.get(
            "/id/ptce/le-damier", headers={"Accept": "text/html", "Accept-Language": "fr"}
        ).text
    today = date.today().isoformat()
    assert f"{iri} (consulted {today})" in page and f"data release {DATA_VERSION}" in page
    assert "Le Damier" in cite_ptce("Le Damier", iri, "en", date.today())
    assert f"consulté le {today}" in french and "Citer cette page" in french
