"""One way to name things: IRIs, keys and INSEE codes resolved in the store; an unknown one is a
400 / exit 2 naming the parameter, the value and the closest accepted values; label language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import URIRef

from ptce_kg.config import Settings
from ptce_kg.errors import QueryError
from ptce_kg.naming import Reference, closest, resolve_reference, resolve_references
from ptce_kg.queries import NamedQuery, localise_labels, query_text, run_query
from ptce_kg.store import Store
from ptce_kg.web import create_app

from .test_run_cli import run, store_dir  # noqa: F401 - the CLI's on-disk copy of the dataset

ID = "https://w3id.org/ptce/id/"
DAMIER = f"{ID}ptce/le-damier"


@pytest.fixture(scope="module")
def client(dataset_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(store=":memory:"), dataset_store)) as test_client:
        yield test_client


# ---------------------------------------------------------------------------- the resolver
@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("ptce", "le-damier", DAMIER),
        ("ptce", DAMIER, DAMIER),
        ("territory", "63113", f"{ID}commune/63113"),
        ("territory", "region/84", f"{ID}region/84"),
        ("territory", f"{ID}departement/63", f"{ID}departement/63"),
        ("region", "84", f"{ID}region/84"),
        ("departement", "2A", f"{ID}departement/2A"),
    ],
)
def test_every_form_names_the_same_node(
    dataset_store: Store, kind: str, value: str, expected: str
) -> None:
    assert resolve_reference(dataset_store, Reference("x", value, kind)) == URIRef(expected)


def test_concepts_by_key_or_iri_and_all_at_once(dataset_store: Store) -> None:
    sector = f"{ID}concept/sector/culture-creative-industries"
    refs = [
        Reference("sector", "culture-creative-industries", "concept", "sector"),
        Reference("sector", sector, "concept", "sector"),
        Reference("ptce", "le-damier", "ptce"),
    ]
    assert resolve_references(dataset_store, refs) == [
        URIRef(sector),
        URIRef(sector),
        URIRef(DAMIER),
    ]


def test_an_ambiguous_code_asks_which(dataset_store: Store) -> None:
    # 84 is the région Auvergne-Rhône-Alpes and the département Vaucluse
    with pytest.raises(QueryError, match="names 2 territories") as e:
        resolve_reference(dataset_store, Reference("where", "84", "territory"))
    assert "departement/84" in str(e.value.hint) and "region/84" in str(e.value.hint)


def test_a_concept_of_another_scheme_is_unknown(dataset_store: Store) -> None:
    with pytest.raises(QueryError, match="no concept of the scheme 'sector' 'direct-jobs'"):
        resolve_reference(dataset_store, Reference("sector", "direct-jobs", "concept", "sector"))


def test_closest_finds_keys_by_part_and_by_typo() -> None:
    accepted = {"culture-creative-industries": "culture et industries créatives", "food": "x"}
    assert closest("culture", accepted) == ["culture-creative-industries"]
    assert closest("call2013", {"call-2013": "", "call-2015": "", "ami-2021": ""})[:2] == [
        "call-2013",
        "call-2015",
    ]
    assert closest("zzzz", accepted) == []


# ------------------------------------------------------------------------ the query layer
def test_a_key_answers_like_the_iri(
    dataset_store: Store, named_queries: dict[str, NamedQuery]
) -> None:
    query = named_queries["fact_sources"]
    by_key = run_query(dataset_store, query, {"ptce": "le-damier"})
    by_iri = run_query(dataset_store, query, {"ptce": DAMIER})
    assert by_key.rows and by_key.rows == by_iri.rows


@pytest.mark.parametrize(
    ("name", "param", "value", "near"),
    [
        ("ptces_by_sector", "sector", "culture", "culture-creative-industries"),
        ("ptces_by_recognition", "recognition", "call2013", "call-2013"),
        ("fact_sources", "ptce", "le-damie", "le-damier"),
        ("ptces_by_region", "region_code", "99", None),
        ("ptces_by_departement", "departement_code", "96", None),
    ],
)
def test_an_unknown_reference_is_an_error_never_an_empty_answer(
    dataset_store: Store,
    named_queries: dict[str, NamedQuery],
    name: str,
    param: str,
    value: str,
    near: str | None,
) -> None:
    with pytest.raises(QueryError) as e:
        query_text(named_queries[name], {param: value}, dataset_store)
    assert f"parameter '{param}'" in e.value.message and repr(value) in e.value.message
    if near is not None:
        assert near in str(e.value.hint)


def test_labels_follow_lang_with_the_other_language_as_fallback() -> None:
    text = 'WHERE { OPTIONAL { ?s <p> ?l FILTER(LANG(?l) = "fr") } }'
    en = localise_labels(text, "en")
    assert en.index('"en"') < en.index('"fr"') and en.count("OPTIONAL") == 2
    with pytest.raises(QueryError, match="'lang'"):
        query_text(NamedQuery("q", {}, "", {}, (), "table", text), {}, lang="de")


def test_lang_en_gives_english_concept_labels(
    dataset_store: Store, named_queries: dict[str, NamedQuery]
) -> None:
    query = named_queries["ptces_by_sector"]
    params = {"sector": "culture-creative-industries"}
    fr = run_query(dataset_store, query, params)
    en = run_query(dataset_store, query, params, lang="en")
    assert len(fr.rows) == len(en.rows) > 0
    assert {str(b["ptce_label"]) for b in fr.bindings()} >= {"Le Damier"}


# ----------------------------------------------------------------------------------- HTTP
def test_http_accepts_keys_and_names_the_closest_on_a_typo(client: TestClient) -> None:
    by_key = client.get("/api/queries/fact_sources.csv", params={"ptce": "le-damier"})
    by_iri = client.get("/api/queries/fact_sources.csv", params={"ptce": DAMIER})
    assert by_key.status_code == 200 and by_key.text == by_iri.text
    r = client.get("/api/queries/ptces_by_sector", params={"sector": "culture"})
    assert r.status_code == 400
    body = r.json()
    assert "'sector'" in body["message"] and "'culture'" in body["message"]
    assert "culture-creative-industries" in body["hint"]
    r = client.get("/api/queries/ptces_by_recognition", params={"recognition": "call2013"})
    assert r.status_code == 400 and "call-2013" in r.json()["hint"]


def test_http_label_language_by_parameter_or_accept_language(client: TestClient) -> None:
    path = "/api/queries/ptces_by_region.csv"
    fr = client.get(path, params={"region_code": "84"})
    en = client.get(path, params={"region_code": "84", "lang": "en"})
    by_header = client.get(
        path, params={"region_code": "84"}, headers={"Accept-Language": "en-GB,fr;q=0.5"}
    )
    assert fr.headers["content-language"] == "fr" and en.headers["content-language"] == "en"
    assert by_header.text == en.text
    assert "Accept-Language" in en.headers["vary"]
    assert client.get(path, params={"lang": "de"}).status_code == 400


# ------------------------------------------------------------------------------------ CLI
def test_cli_accepts_keys_and_exits_2_on_an_unknown_concept(store_dir: str) -> None:  # noqa: F811
    code, out, _ = run(
        "run", "fact_sources", "-p", "ptce=le-damier", "-o", "csv", "--store", store_dir
    )
    assert code == 0 and DAMIER in out
    code, _, err = run("run", "ptces_by_sector", "-p", "sector=culture", "--store", store_dir)
    assert code == 2 and "culture-creative-industries" in err
