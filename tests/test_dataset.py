"""The real PTCE dataset (data/), checked against the IRI policy and decision 0006.

These tests check what shapes cannot: the built files are those the curation tables give, every
fact names exactly its documents, every document is described, completeness of the territories,
real data only in the default store (no synthetic node reachable from any public route), and the
synthetic example. The curation build itself is tested in tests/ingest/test_curation.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS

from ptce_kg import pipeline
from ptce_kg.cli.data import bundled_data
from ptce_kg.config import Settings
from ptce_kg.ingest.curation import BUILT_FOLDERS, build_dataset
from ptce_kg.ingest.curation_tables import FACT_PROPERTIES, luhn, read_curation
from ptce_kg.namespaces import ORG, PTCE
from ptce_kg.queries import load_queries, run_query
from ptce_kg.store import Store, open_store
from ptce_kg.web import create_app

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
PTCE_DIR = DATA / "ptce"
TERRITORIES = DATA / "territories"
SYNTHETIC = DATA / "examples" / "synthetic-example.ttl"
SOURCES_FILE = DATA / "sources" / "documents.ttl"
ACTORS_FILE = DATA / "actors" / "organisations.ttl"
DATA_MODEL = ROOT / "docs" / "decisions" / "0002-data-model.md"
ID_BASE = "https://w3id.org/ptce/id/"
CONCEPT_BASE = ID_BASE + "concept/"
#: Shared reference nodes, the same for real and made-up data: concepts, the periods and their first
#: and last days (docs/decisions/0007-standard-patterns.md).
REFERENCE_BASES = tuple(ID_BASE + kind for kind in ("concept/", "period/", "instant/"))

ALL_TTL = sorted(DATA.rglob("*.ttl"))
PTCE_FILES = sorted(PTCE_DIR.glob("*.ttl"))

REGION_CODES = {
    "01", "02", "03", "04", "06", "11", "24", "27", "28",
    "32", "44", "52", "53", "75", "76", "84", "93", "94",
}  # fmt: skip
DEPARTEMENT_CODES = (
    {f"{n:02d}" for n in range(1, 96) if n != 20}
    | {"2A", "2B"}
    | {"971", "972", "973", "974", "976"}
)
# Types of the nodes that carry facts and so must name their source.
FACT_TYPES = (
    PTCE.PTCE,
    PTCE.Recognition,
    PTCE.Indicator,
    ORG.Membership,
    PTCE.CooperationAction,
    PTCE.Project,
    PTCE.GovernanceBody,
    PTCE.Commune,
    PTCE.Departement,
    PTCE.Region,
    PTCE.EPCI,
)


@cache
def load(path: Path) -> Graph:
    """Parse one Turtle file of data/ (cached: files are read-only here)."""
    return Graph().parse(path, format="turtle")


def territory_codes(path: Path, cls: URIRef) -> dict[URIRef, str]:
    """Return ``{territory IRI: INSEE code}`` for the nodes of class ``cls`` in ``path``."""
    graph = load(path)
    return {s: str(graph.value(s, PTCE.inseeCode)) for s in graph.subjects(RDF.type, cls)}  # type: ignore[misc]


@pytest.mark.parametrize("path", ALL_TTL, ids=lambda p: str(p.relative_to(DATA)))
def test_data_file_parses_and_has_a_header(path: Path) -> None:
    assert len(load(path)) > 0
    assert path.read_text(encoding="utf-8").startswith("#"), "a header comment names the source"


@pytest.mark.parametrize("path", ALL_TTL, ids=lambda p: str(p.relative_to(DATA)))
def test_every_fact_node_names_its_source(path: Path) -> None:
    graph = load(path)
    nodes = {s for cls in FACT_TYPES for s in graph.subjects(RDF.type, cls)}
    nodes |= set(graph.objects(None, ORG.member))
    nodes |= set(graph.objects(None, PTCE.carrier)) | set(graph.objects(None, PTCE.legalStructure))
    # organisations are described (with their sources) once, in data/actors
    described = graph + load(ACTORS_FILE) if path.parent.name == "ptce" else graph
    unsourced = sorted(str(n) for n in nodes if described.value(n, DCTERMS.source) is None)
    assert not unsourced


def test_all_regions_are_present_with_their_codes() -> None:
    codes = territory_codes(TERRITORIES / "regions.ttl", PTCE.Region)
    assert sorted(codes.values()) == sorted(REGION_CODES)
    for iri, code in codes.items():
        assert iri == URIRef(f"{ID_BASE}region/{code}")


def test_all_departements_are_present_within_their_region() -> None:
    codes = territory_codes(TERRITORIES / "departements.ttl", PTCE.Departement)
    assert sorted(codes.values()) == sorted(DEPARTEMENT_CODES)
    regions = set(territory_codes(TERRITORIES / "regions.ttl", PTCE.Region))
    graph = load(TERRITORIES / "departements.ttl")
    for iri, code in codes.items():
        assert iri == URIRef(f"{ID_BASE}departement/{code}")
        assert set(graph.objects(iri, PTCE.within)) <= regions
        assert len(set(graph.objects(iri, PTCE.within))) == 1, f"département {code}: one région"


def test_every_commune_is_within_the_departement_its_code_starts_with() -> None:
    departements = territory_codes(TERRITORIES / "departements.ttl", PTCE.Departement)
    graph = load(TERRITORIES / "communes.ttl")
    communes = territory_codes(TERRITORIES / "communes.ttl", PTCE.Commune)
    assert communes
    for iri, code in communes.items():
        assert re.fullmatch(r"(\d{5}|2[AB]\d{3})", code), code
        assert iri == URIRef(f"{ID_BASE}commune/{code}")
        parents = list(graph.objects(iri, PTCE.within))
        assert len(parents) == 1, f"commune {code}: one département"
        assert code.startswith(departements[parents[0]]), f"commune {code} in {parents[0]}"  # type: ignore[index]


def test_every_territory_used_by_a_ptce_is_described() -> None:
    described: set[URIRef] = set()
    for name in ("regions.ttl", "departements.ttl", "communes.ttl"):
        described |= set(load(TERRITORIES / name).subjects(PTCE.inseeCode, None))  # type: ignore[arg-type]
    for path in PTCE_FILES:
        graph = load(path)
        used = set(graph.objects(None, PTCE.basedIn)) | set(
            graph.objects(None, PTCE.coversTerritory)
        )
        assert used, f"{path.name}: a PTCE needs at least one territory"
        assert used <= described, f"{path.name}: {sorted(map(str, used - described))}"


def test_synthetic_example_iris_all_say_synthetic() -> None:
    graph = load(SYNTHETIC)
    terms = set(graph.subjects())  # what the file describes; it may point at real territories
    data_iris = {
        str(t)
        for t in terms
        if isinstance(t, URIRef)
        and t.startswith(ID_BASE)
        and not str(t).startswith(REFERENCE_BASES)
    }
    assert data_iris
    assert not sorted(i for i in data_iris if "synthetic" not in i)
    for label in graph.objects(None, SKOS.prefLabel):
        assert str(label).endswith(("(synthétique)", "(synthetic)")), label


def test_synthetic_identifiers_are_luhn() -> None:
    graph = load(SYNTHETIC)
    notations = [str(graph.value(i, SKOS.notation)) for i in graph.subjects(RDF.type, None)]
    identifiers = [n for n in notations if n.isdigit()]
    assert identifiers
    for number in identifiers:
        assert len(number) in (9, 14) and luhn(number), number


def test_synthetic_example_uses_every_ptce_term_of_the_data_model() -> None:
    graph = load(SYNTHETIC)
    for path in sorted((DATA / "territories").glob("*.ttl")):
        graph += load(path)
    used = set(graph.predicates()) | set(graph.objects(None, RDF.type))
    named = set(
        re.findall(r"\bptce:([A-Za-z][A-Za-z0-9]*)", DATA_MODEL.read_text(encoding="utf-8"))
    )
    abstract = {"Territory"}  # only its four subclasses have instances
    # computed at load time: from ptce:within, and the inverse of ptce:hasIndicator
    entailed = {"withinTransitive", "indicatorOf"}
    ontology = load(ROOT / "ontology" / "ptce.ttl")
    deprecated = {  # named only to say what replaces them
        str(t).removeprefix(str(PTCE._NS)) for t in ontology.subjects(OWL.deprecated, Literal(True))
    }
    missing = sorted(
        t for t in named - abstract - entailed - deprecated if URIRef(str(PTCE._NS) + t) not in used
    )
    assert not missing


# --- built from the curation tables (decision 0006) ----------------------------------------------


def test_the_built_files_are_what_the_curation_tables_give() -> None:
    """`make data` has been run: data/ptce is exactly the build of data/curation."""
    built = build_dataset(read_curation(DATA / "curation", ROOT / "ontology" / "vocabularies"))
    on_disk = {
        str(p.relative_to(DATA)): p.read_text(encoding="utf-8")
        for folder in BUILT_FOLDERS
        for p in sorted((DATA / folder).glob("*.ttl"))
    }
    assert sorted(on_disk) == sorted(built), "run `make data`"
    stale = sorted(k for k in built if built[k] != on_disk[k])
    assert not stale, f"out of date (run `make data`): {stale[:10]}"


def test_no_triple_is_repeated_in_two_source_graphs() -> None:
    """The union default graph is a bag: a triple stated in two graphs answers twice."""
    seen: dict[tuple[object, object, object], Path] = {}
    for path in [*sorted(TERRITORIES.glob("*.ttl")), SOURCES_FILE, ACTORS_FILE, *PTCE_FILES]:
        for triple in load(path):
            assert triple not in seen, f"{triple} in {path.name} and {seen[triple].name}"
            seen[triple] = path


@pytest.mark.parametrize("path", PTCE_FILES, ids=lambda p: p.stem)
def test_every_plain_fact_about_a_ptce_cites_its_own_documents(path: Path) -> None:
    graph = load(path)
    (ptce,) = graph.subjects(RDF.type, PTCE.PTCE)
    predicates = {p for p, _kind in FACT_PROPERTIES.values()}
    for p, o in graph.predicate_objects(ptce):
        if p not in predicates:
            continue
        docs = {
            d
            for st in graph.subjects(RDF.subject, ptce)
            if (st, RDF.predicate, p) in graph and (st, RDF.object, o) in graph
            for d in graph.objects(st, DCTERMS.source)
        }
        assert docs, f"{p} {o}: no statement names its source"
        assert docs <= set(load(SOURCES_FILE).subjects(RDF.type, PTCE.SourceDocument))


@pytest.mark.parametrize("path", [*PTCE_FILES, ACTORS_FILE], ids=lambda p: p.stem)
def test_every_cited_document_is_described(path: Path) -> None:
    cited = set(load(path).objects(None, DCTERMS.source))
    graph = load(SOURCES_FILE)
    for doc in cited:
        assert (doc, RDF.type, PTCE.SourceDocument) in graph, doc
        assert graph.value(doc, PTCE.accessed) is not None, f"{doc}: no date of consultation"
        assert graph.value(doc, DCTERMS.language) is not None, f"{doc}: no language"
        assert graph.value(doc, DCTERMS.title) or graph.value(doc, DCTERMS.publisher), doc


def test_real_data_holds_no_synthetic_node() -> None:
    for path in [*PTCE_FILES, SOURCES_FILE, ACTORS_FILE, *sorted(TERRITORIES.glob("*.ttl"))]:
        graph = load(path)
        assert (None, PTCE.synthetic, None) not in graph, path
        assert not [t for t in graph.all_nodes() if "synthetic" in str(t).lower()], path


def test_every_synthetic_node_says_so_in_the_data() -> None:
    graph = load(SYNTHETIC)
    # the examples also describe the real territories they are placed in: those are not made up
    typed = {
        s
        for s in graph.subjects(RDF.type, None)
        if isinstance(s, URIRef) and str(s).startswith(ID_BASE)
        and not re.search(r"/id/(commune|departement|region|epci|geometry|period|instant)/", s)
    }  # fmt: skip
    assert len(typed) > 50
    assert {s for s in typed if (s, PTCE.synthetic, Literal(True)) not in graph} == set()


def makefile_dataset() -> list[Path]:
    """The files `make serve` loads: its ``load`` target runs ``ptce-kg load --bundled``."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = text[text.index("\nload:") :].split("\n\n", 1)[0]
    assert "--bundled" in recipe and "examples" not in recipe, recipe
    return bundled_data(DATA)


@pytest.fixture(scope="module")
def real_store() -> Store:
    """The store `make serve` builds: the Makefile's DATASET, validated, in memory."""
    store = open_store(":memory:")
    pipeline.load_ontology(store, ROOT / "ontology")
    shapes = pipeline.read_shapes(ROOT / "shapes")
    for path in makefile_dataset():  # DataRejected (a core violation) fails the test
        pipeline.load_source(store, path, shapes, base_iri="https://w3id.org/ptce/")
    return store


@pytest.fixture(scope="module")
def real_site(real_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(store=":memory:"), real_store)) as client:
        yield client


def test_make_serve_loads_real_data_only() -> None:
    files = makefile_dataset()
    assert all("examples" not in str(p) for p in files)
    assert set(PTCE_FILES) <= set(files)


#: What a synthetic node looks like from outside: its IRI or its "(synthétique)" label.
MADE_UP = re.compile(r"id/[a-z-]+/synthetic|\((synth[ée]tique|synthetic)\)", re.I)


def test_the_default_store_has_no_synthetic_node(real_store: Store) -> None:
    ask = "ASK { ?s <https://w3id.org/ptce/ontology#synthetic> true }"
    assert real_store.query(ask).boolean is False


def test_no_synthetic_node_is_reachable_from_any_public_route(real_site: TestClient) -> None:
    paths = ["/", "/?format=json", "/compare", "/api/coverage", "/catalog", "/.well-known/void"]
    paths += ["/dumps/", "/api/queries", "/sparql?query=SELECT * WHERE { ?s ?p ?o }"]
    queries = load_queries(ROOT / "queries")
    for name, query in queries.items():
        params = "&".join(f"{k}={v}" for k, vs in query.example_params().items() for v in vs)
        paths.append(f"/api/queries/{name}.csv?{params}")
        paths.append(f"/api/queries/{name}.csv")
    checked = 0
    for path in paths:
        response = real_site.get(path, headers={"Accept": "text/html,application/json;q=0.9"})
        if response.status_code == 400 and path.startswith("/api/queries/"):
            continue  # a required parameter left out
        assert response.status_code == 200, (path, response.text[:300])
        # no synthetic IRI and no synthetic label; the ontology's own term ptce:synthetic may show
        assert not MADE_UP.search(response.text), (path, MADE_UP.search(response.text))
        checked += 1
    assert checked > len(queries)


def test_the_coverage_report_counts_every_real_ptce(real_site: TestClient) -> None:
    report = real_site.get("/api/coverage").json()
    assert report["ptces"] == len(PTCE_FILES)
    by = {d["dimension"]: d for d in report["dimensions"]}
    assert by["territory"]["documented"] == len(PTCE_FILES)  # the core shapes require one
    for d in report["dimensions"]:
        assert d["documented"] + d["not_found"] + d["unknown"] == len(PTCE_FILES)
    rounds = {r["round"]: r for r in report["rounds"]}
    assert rounds["ami-2021-phase-2"]["laureates_in_sources"] == 15
    assert rounds["call-2013"]["in_store"] <= rounds["call-2013"]["laureates_in_sources"]


def test_a_ptce_page_cites_a_source_next_to_its_facts(real_site: TestClient) -> None:
    text = real_site.get("/id/ptce/pole-sud-archer", headers={"Accept": "text/html"}).text
    assert 'id="source-1"' in text and 'class="cite"' in text


def test_an_undocumented_composition_is_not_shown_as_zero(
    real_store: Store, real_site: TestClient
) -> None:
    rows = real_store.query(
        "SELECT ?p WHERE { ?p <https://w3id.org/ptce/ontology#compositionDocumented> false }"
    ).rows
    assert rows, "some PTCE has no documented composition"
    path = "/id/ptce/" + str(rows[0][0]).rsplit("/", 1)[-1]
    text = real_site.get(path, headers={"Accept": "text/html"}).text
    assert 'id="composition-unknown"' in text and "Membres (0)" not in text


def test_every_named_query_example_answers_on_the_real_data(real_store: Store) -> None:
    """The catalogue's examples name real PTCEs that have the facts each query reads."""
    # dimensions no source has stated yet for any real PTCE (the coverage report shows them);
    # when one is curated, this test fails until the entry goes
    not_documented_yet = {"ptces_by_scale": "no source read states a PTCE's scale"}
    for name, query in load_queries(ROOT / "queries").items():
        rows = run_query(real_store, query, query.example_params()).rows
        if name in not_documented_yet:
            assert not rows, f"{name} answers now: remove it from not_documented_yet"
        else:
            assert rows, f"{name}: its example answers nothing on the real dataset"
