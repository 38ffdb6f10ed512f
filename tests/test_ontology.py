"""The ontology, its alignments, vocabularies, QC checks and shapes: metadata and DL hygiene."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from ptce_kg.config import PROJECT_ROOT
from ptce_kg.namespaces import ONTOLOGY_IRI, PTCE

ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
SHAPES_DIR = PROJECT_ROOT / "shapes"
CHECKS = sorted((ONTOLOGY_DIR / "checks").glob("*-violation.rq"))
BROKEN = Path(__file__).parent / "data" / "ontology" / "broken.ttl"
VANN = Namespace("http://purl.org/vocab/vann/")
SH = Namespace("http://www.w3.org/ns/shacl#")
ONTOLOGY = URIRef(ONTOLOGY_IRI)
PTCE_NS = str(PTCE._NS)
TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
SCHEMES = [
    *("actor-category", "ess-family", "legal-form", "identifier-type", "role", "college"),
    *("cooperation-type", "sector", "territory-type", "scale", "recognition", "indicator"),
    *("unit", "stage", "origin", "pole-type", "funding", "verification", "dimension"),
]


@cache
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "ptce.ttl", format="turtle")


@cache
def full() -> Graph:
    """Ontology + alignments + vocabularies, as the QC checks and HermiT see them."""
    g = Graph()
    g.parse(ONTOLOGY_DIR / "ptce.ttl", format="turtle")
    g.parse(ONTOLOGY_DIR / "alignments.ttl", format="turtle")
    for path in sorted((ONTOLOGY_DIR / "vocabularies").glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


@cache
def shapes() -> Graph:
    g = Graph()
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


def ptce_terms(g: Graph) -> set[URIRef]:
    return {
        s
        for kind in TERM_KINDS
        for s in g.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(PTCE_NS)
    }


def langs(g: Graph, s: URIRef, p: URIRef) -> set[str | None]:
    return {o.language for o in g.objects(s, p) if isinstance(o, Literal)}


def test_header_is_complete() -> None:
    g = ontology()
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in g
    for p in (DCTERMS.title, DCTERMS.description):
        assert langs(g, ONTOLOGY, p) >= {"fr", "en"}, p
    assert g.value(ONTOLOGY, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert g.value(ONTOLOGY, DCTERMS.creator) is not None
    assert str(g.value(ONTOLOGY, VANN.preferredNamespacePrefix)) == "ptce"
    assert str(g.value(ONTOLOGY, VANN.preferredNamespaceUri)) == PTCE_NS


def test_version_iri_and_changelog_agree_with_version_info() -> None:
    g = ontology()
    version = str(g.value(ONTOLOGY, OWL.versionInfo))
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert g.value(ONTOLOGY, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{version}")
    changelog = (ONTOLOGY_DIR / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(version)}\]", changelog, re.MULTILINE)


@pytest.mark.parametrize(
    "term", sorted(ptce_terms(ontology()), key=str), ids=lambda t: str(t).split("#")[1]
)
def test_term_is_documented(term: URIRef) -> None:
    g = ontology()
    assert langs(g, term, RDFS.label) >= {"fr", "en"}
    assert langs(g, term, SKOS.definition) >= {"fr", "en"}
    assert list(g.objects(term, RDFS.isDefinedBy)) == [ONTOLOGY]


def test_namespace_class_lists_exactly_the_ontology_terms() -> None:
    declared = {name for name in PTCE.__annotations__ if not name.startswith("_")}
    in_ontology = {str(t)[len(PTCE_NS) :] for t in ptce_terms(ontology())}
    assert declared == in_ontology


def test_no_punning() -> None:
    g = full()
    kinds = {k: {s for s in g.subjects(RDF.type, k) if isinstance(s, URIRef)} for k in TERM_KINDS}
    for i, a in enumerate(TERM_KINDS):
        for b in TERM_KINDS[i + 1 :]:
            assert not kinds[a] & kinds[b], (a, b, kinds[a] & kinds[b])


def test_every_property_used_in_an_axiom_is_typed() -> None:
    g = full()
    typed = {s for k in TERM_KINDS[1:] for s in g.subjects(RDF.type, k)}
    axioms = (RDFS.subPropertyOf, OWL.inverseOf, RDFS.domain, RDFS.range, OWL.equivalentProperty)
    used = {s for p in axioms for s in g.subjects(p, None)}
    used |= set(g.objects(None, RDFS.subPropertyOf)) | set(g.objects(None, OWL.inverseOf))
    # every predicate of the ontology files (outside RDF/RDFS/OWL) is declared too
    builtin = (str(RDF), str(RDFS), str(OWL))
    used |= {p for p in g.predicates() if not str(p).startswith(builtin)}
    assert used - typed == set()


def test_every_scheme_has_its_file() -> None:
    files = {p.stem for p in (ONTOLOGY_DIR / "vocabularies").glob("*.ttl")}
    assert files == set(SCHEMES)
    g = full()
    for scheme in SCHEMES:
        iri = URIRef(f"https://w3id.org/ptce/id/scheme/{scheme}")
        assert (iri, RDF.type, SKOS.ConceptScheme) in g, scheme


def test_role_concepts_are_org_roles() -> None:
    g = full()
    roles = set(g.subjects(SKOS.inScheme, URIRef("https://w3id.org/ptce/id/scheme/role")))
    assert roles
    org_role = URIRef("http://www.w3.org/ns/org#Role")
    assert all((r, RDF.type, org_role) in g for r in roles)


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_check_finds_nothing(check: Path) -> None:
    rows = list(full().query(check.read_text(encoding="utf-8")))
    assert rows == [], rows[:5]


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_check_catches_its_defect(check: Path) -> None:
    """Each check finds a row in a fixture broken on purpose: a check must be able to fail."""
    broken = Graph().parse(BROKEN, format="turtle")
    assert list(broken.query(check.read_text(encoding="utf-8")))


def test_shapes_use_only_declared_terms() -> None:
    g, s = full(), shapes()
    declared = {x for k in TERM_KINDS for x in g.subjects(RDF.type, k)}
    used = set(s.objects(None, SH.targetClass)) | set(s.objects(None, SH.targetSubjectsOf))
    used |= set(s.objects(None, SH["class"]))
    used |= {p for p in s.objects(None, SH.path) if isinstance(p, URIRef)}
    assert used - declared == set()


def test_shape_concept_lists_name_real_concepts() -> None:
    g, s = full(), shapes()
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    for lst in s.objects(None, SH["in"]):
        for item in s.items(lst):
            if str(item).startswith("https://w3id.org/ptce/id/concept/"):
                assert item in concepts, item


def test_shapes_pass_shacl_shacl() -> None:
    s = shapes()
    conforms, _, text = pyshacl.validate(s, shacl_graph=s, meta_shacl=True, advanced=True)
    assert conforms, text


def test_shapes_have_metadata_and_bilingual_messages() -> None:
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        g = Graph().parse(path, format="turtle")
        (header,) = g.subjects(RDF.type, OWL.Ontology)
        assert g.value(header, DCTERMS.conformsTo) == URIRef("https://www.w3.org/TR/shacl")
        assert g.value(header, OWL.versionInfo) is not None
        assert langs(g, header, DCTERMS.title) >= {"fr", "en"}
        constraints = set(g.subjects(RDF.type, SH.PropertyShape)) | set(g.objects(None, SH.sparql))
        for c in constraints:
            assert isinstance(c, URIRef), f"{path.name}: unnamed constraint"
            assert langs(g, c, SH.message) >= {"fr", "en"}, c
        for shape in g.subjects(RDF.type, SH.NodeShape):
            assert isinstance(shape, URIRef) and str(shape).endswith("Shape"), shape


def test_recommended_shapes_are_warnings() -> None:
    g = Graph().parse(SHAPES_DIR / "ptce-recommended.ttl", format="turtle")
    named = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    named |= set(g.objects(None, SH.sparql))
    assert named
    assert all(g.value(n, SH.severity) == SH.Warning for n in named)


# --- alignments: axioms that hold, and a SSSOM mapping set for the rest (decision 0007) -----------
SKOS_MATCHES = {SKOS[m] for m in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch")}
SSSOM = ONTOLOGY_DIR / "mappings.sssom.tsv"
SSSOM_REQUIRED = ("subject_id", "predicate_id", "object_id", "mapping_justification")


def read_sssom(path: Path) -> tuple[dict[str, object], list[dict[str, str]]]:
    """The metadata block (YAML behind ``#``) and the rows of an SSSOM/TSV file."""
    import csv

    import yaml

    lines = path.read_text(encoding="utf-8").splitlines()
    meta = yaml.safe_load("\n".join(line[1:] for line in lines if line.startswith("#")))
    rows = list(
        csv.DictReader([line for line in lines if not line.startswith("#")], delimiter="\t")
    )
    return meta, rows


def test_alignments_never_match_owl_terms_with_skos() -> None:
    """A skos:*Match between OWL terms would make them SKOS concepts (punning)."""
    g = full()
    owl_terms = {s for kind in TERM_KINDS for s in g.subjects(RDF.type, kind)}
    aligned = Graph().parse(ONTOLOGY_DIR / "alignments.ttl", format="turtle")
    matches = [(s, p, o) for s, p, o in aligned if p in SKOS_MATCHES]
    assert [m for m in matches if m[0] in owl_terms or m[0].startswith(PTCE_NS)] == []


def test_the_sssom_mapping_set_is_complete_and_maps_declared_terms() -> None:
    meta, rows = read_sssom(SSSOM)
    assert {"curie_map", "mapping_set_id", "license", "mapping_set_version"} <= set(meta)
    assert meta["mapping_set_version"] == str(ontology().value(ONTOLOGY, OWL.versionInfo))
    curie_map = meta["curie_map"]
    assert isinstance(curie_map, dict)
    assert rows
    declared = ptce_terms(ontology())
    axioms = Graph().parse(ONTOLOGY_DIR / "alignments.ttl", format="turtle")

    def expand(curie: str) -> URIRef:
        prefix, _, local = curie.partition(":")
        assert prefix in curie_map, f"{curie}: prefix not in curie_map"
        return URIRef(curie_map[prefix] + local)

    for row in rows:
        assert all(row[c] for c in SSSOM_REQUIRED), row
        subject, predicate, obj = (
            expand(row[c]) for c in ("subject_id", "predicate_id", "object_id")
        )
        assert subject in declared, row["subject_id"]
        assert predicate in SKOS_MATCHES, row["predicate_id"]
        assert expand(row["mapping_justification"]).startswith("https://w3id.org/semapv/vocab/")
        # a mapping that holds as an axiom belongs in alignments.ttl, not twice
        assert not set(axioms.predicate_objects(subject)) & {
            (RDFS.subClassOf, obj),
            (RDFS.subPropertyOf, obj),
        }, row
