"""The link sets of data/links/: every link has its target's IRI pattern, each file is one
void:Linkset with its provenance and its count, the files are what the builder makes from the
repository, and they load (validated) in graphs of their own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import DATA_DIR, ROOT, SHAPES_DIR
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, VOID, XSD

from ptce_kg import pipeline
from ptce_kg.cli.data import bundled_data
from ptce_kg.errors import SourceError
from ptce_kg.ingest.linksets import SPECS, build_linksets, naf_links, write_linksets
from ptce_kg.namespaces import ADMS, PTCE, dataset_iri
from ptce_kg.publish.void import VoidContext, compute_statistics, describe_void
from ptce_kg.store import open_store

LINKS = DATA_DIR / "links"
FILES = sorted(LINKS.glob("links-*.ttl"))
ID = "https://w3id.org/ptce/id/"

#: Each link set's target IRI pattern, written out here from the documented patterns
#: (docs/decisions/0008-links-and-stable-iris.md), independently of the builder's.
PATTERNS = {
    "geonames": r"https://sws\.geonames\.org/[1-9][0-9]*/",
    "insee-legal-categories": r"http://id\.insee\.fr/codes/cj/niveauIII/[0-9]{4}",
    "naf-close": r"http://id\.insee\.fr/codes/nafr2/(section/[A-U]|division/[0-9]{2})",
    "naf-narrow": r"http://id\.insee\.fr/codes/nafr2/(section/[A-U]|division/[0-9]{2})",
    "naf-related": r"http://id\.insee\.fr/codes/nafr2/(section/[A-U]|division/[0-9]{2})",
    "annuaire-entreprises": r"https://annuaire-entreprises\.data\.gouv\.fr/entreprise/[0-9]{9}",
}
#: The class (or scheme) every linked node of ours belongs to, by link set.
SUBJECTS = {
    "geonames": ("territories/communes.ttl", PTCE.Commune),
    "annuaire-entreprises": ("actors/organisations.ttl", PTCE.Organisation),
}


def name_of(path: Path) -> str:
    return path.stem.removeprefix("links-")


def test_the_shipped_link_sets_are_the_documented_ones() -> None:
    assert {name_of(p) for p in FILES} == set(PATTERNS) == set(SPECS)


@pytest.mark.parametrize("path", FILES, ids=name_of)
def test_every_link_has_its_target_pattern_and_the_linkset_counts_them(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    (linkset,) = graph.subjects(RDF.type, VOID.Linkset)
    assert linkset == URIRef(ID + "linkset/" + name_of(path))
    (predicate,) = graph.objects(linkset, VOID.linkPredicate)
    links = [(s, o) for s, o in graph.subject_objects(predicate) if s != linkset]
    assert links, "a shipped link set holds links"
    pattern = re.compile(PATTERNS[name_of(path)])
    for subject, target in links:
        assert str(subject).startswith(ID), subject
        assert isinstance(target, URIRef) and pattern.fullmatch(str(target)), target
    assert graph.value(linkset, VOID.triples) == Literal(len(links), datatype=XSD.integer)
    # nothing else is in the graph than the links and the link set's own description
    assert {s for s, _p, _o in graph} == {s for s, _o in links} | {linkset}
    assert graph.value(linkset, VOID.subjectsTarget) == dataset_iri()
    assert graph.value(linkset, VOID.objectsTarget) is not None
    assert graph.value(linkset, DCTERMS.license) is not None
    assert list(graph.objects(linkset, DCTERMS.source)), "the link set names its source"
    assert list(graph.objects(linkset, PROV.wasDerivedFrom)), "and the graphs it comes from"


@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_every_linked_node_is_described_in_the_data(name: str) -> None:
    file, cls = SUBJECTS[name]
    data = Graph().parse(DATA_DIR / file, format="turtle")
    links = Graph().parse(LINKS / f"links-{name}.ttl", format="turtle")
    (predicate,) = links.objects(None, VOID.linkPredicate)
    subjects = {s for s, _o in links.subject_objects(predicate)}
    assert subjects <= set(data.subjects(RDF.type, cls))


def test_every_organisation_with_a_siren_links_to_its_record() -> None:
    actors = Graph().parse(DATA_DIR / "actors/organisations.ttl", format="turtle")
    with_siren = set(actors.subjects(ADMS.identifier, None))
    links = Graph().parse(LINKS / "links-annuaire-entreprises.ttl", format="turtle")
    linked = {s for s, _p, _o in links if s != URIRef(ID + "linkset/annuaire-entreprises")}
    assert linked == with_siren
    for org, identifier in actors.subject_objects(ADMS.identifier):
        number = actors.value(identifier, SKOS.notation)
        assert any(str(o).endswith(f"/{number}") for o in links.objects(org, None))


def test_the_files_are_what_the_builder_makes_from_the_repository() -> None:
    stale = write_linksets(build_linksets(ROOT), LINKS, check=True)
    assert stale == [], "run make links (data/scripts/build_links.py)"


def test_a_bad_row_of_the_sector_table_names_its_line(tmp_path: Path) -> None:
    table = tmp_path / "sector-naf.csv"
    table.write_text(
        "sector,match,naf,note\ndigital,closeMatch,section/J,\ndigital,closeMatch,division/620,\n",
        encoding="utf-8",
    )
    sectors = Graph().parse(ROOT / "ontology/vocabularies/sector.ttl", format="turtle")
    with pytest.raises(SourceError, match=r"sector-naf\.csv:3: not section"):
        naf_links(table, sectors)


def test_the_link_sets_load_validated_each_in_its_own_graph() -> None:
    assert set(FILES) <= set(bundled_data(DATA_DIR)), "load --bundled loads them"
    store = open_store(":memory:")
    pipeline.load_ontology(store, ROOT / "ontology")
    shapes = pipeline.read_shapes(SHAPES_DIR)
    for path in FILES:
        pipeline.load_source(store, path, shapes, base_iri="https://w3id.org/ptce/")
    sizes = store.graph_sizes()
    for path in FILES:
        graph = f"https://w3id.org/ptce/graph/links-{name_of(path)}"
        assert sizes[graph] == len(Graph().parse(path, format="turtle"))


def test_void_counts_each_link_set_as_a_subset_of_the_dataset() -> None:
    store = open_store(":memory:")
    store.replace_graphs(
        {
            f"https://w3id.org/ptce/graph/links-{name_of(path)}": Graph()
            .parse(path, format="turtle")
            .serialize(format="nt", encoding="utf-8")
            for path in FILES
        }
    )
    graphs = sorted(store.graph_sizes())
    stats = compute_statistics(store, graphs, base_iri="https://w3id.org/ptce/")
    void = describe_void(stats, VoidContext("https://w3id.org/ptce/", "https://example.org/sparql"))
    dataset = dataset_iri()
    for path in FILES:
        shipped = Graph().parse(path, format="turtle")
        (linkset,) = shipped.subjects(RDF.type, VOID.Linkset)
        assert (dataset, VOID.subset, linkset) in void
        assert (linkset, RDF.type, VOID.Linkset) in void
        assert void.value(linkset, VOID.triples) == shipped.value(linkset, VOID.triples)
        assert void.value(linkset, VOID.linkPredicate) == shipped.value(linkset, VOID.linkPredicate)
        assert void.value(linkset, VOID.objectsTarget) == shipped.value(linkset, VOID.objectsTarget)
