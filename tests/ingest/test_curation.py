"""The curation build: tables → one Turtle file per PTCE, each fact with exactly its documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ONTOLOGY_DIR
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS, XSD

from ptce_kg.ingest.curation import build_dataset, pick, write_dataset
from ptce_kg.ingest.curation_tables import TABLES, CurationError, read_curation
from ptce_kg.ingest.periods import period_bounds
from ptce_kg.namespaces import ADMS, PTCE, QB, QUDT, SCHEMA, SDMX_ATTRIBUTE, TIME

VOCAB = ONTOLOGY_DIR / "vocabularies"
ACTORS_FILE, SOURCES_FILE = "actors/organisations.ttl", "sources/documents.ttl"
PERIODS_FILE = "sources/periods.ttl"
ID = "https://w3id.org/ptce/id/"
DOC_A = URIRef("https://example.org/a")
DOC_B = URIRef("https://example.org/b")


def write_batch(root: Path, name: str, tables: dict[str, list[list[str]]]) -> Path:
    """Write the given rows (header added) as CSV tables of batch ``name``."""
    batch = root / name
    batch.mkdir(parents=True, exist_ok=True)
    for table, rows in tables.items():
        lines = [",".join(TABLES[table])] + [",".join(f'"{c}"' for c in row) for row in rows]
        (batch / f"{table}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return batch


SOURCES = [
    ["doc-a", str(DOC_A), "Page A", "Site A", "2020-05-01", "2026-12-07", "fr"],
    ["doc-b", str(DOC_B), "Page B", "Site B", "", "2026-12-07", "fr"],
]


@pytest.fixture
def curation(tmp_path: Path) -> Path:
    root = tmp_path / "curation"
    write_batch(
        root,
        "one",
        {
            "sources": SOURCES,
            "ptce": [["pole-x", "Pôle X", "doc-a", "list of laureates", ""]],
            "facts": [
                ["pole-x", "founded", "2014", "doc-a", "", ""],
                ["pole-x", "founded", "2016", "doc-b", "history", ""],
                ["pole-x", "commune", "63113", "doc-a", "", ""],
                ["pole-x", "sector", "culture-creative-industries", "doc-b", "", ""],
                ["pole-x", "carrier", "asso-y", "doc-b", "", ""],
            ],
            "organisations": [
                ["asso-y", "Asso Y", "ess-enterprise", "association", "9220", "", "", "doc-b", ""],
                ["firm-z", "Firm Z", "enterprise-outside-ess", "", "", "", "", "doc-a", ""],
            ],
            "memberships": [["pole-x", "firm-z", "member", "2019", "", "doc-a", "", ""]],
            "indicators": [
                ["pole-x", "direct-jobs", "2016", "40", "person", "doc-a", "", ""],
                ["pole-x", "direct-jobs", "2019", "55", "person", "doc-b", "", ""],
            ],
        },
    )
    write_batch(
        root,
        "two",
        {
            "ptce": [["pole-x", "Pôle X", "doc-b", "", ""]],
            "recognitions": [
                ["pole-x", "call-2013", "2014", "", "doc-a", "", ""],
                ["pole-x", "call-2013", "2014-01-10", "100000", "doc-b", "", ""],
            ],
            "gaps": [["pole-x", "governance", "2026-12-07", "searched the carrier's site"]],
        },
    )
    return root


def build(root: Path) -> Graph:
    """The union of the built graphs: the PTCE's, the organisations' and the documents'."""
    built = build_dataset(read_curation(root, VOCAB))
    assert sorted(built) == [ACTORS_FILE, "ptce/pole-x.ttl", SOURCES_FILE, PERIODS_FILE]
    graph = Graph()
    for text in built.values():
        graph.parse(data=text, format="turtle")
    return graph


def sources_of(g: Graph, s: URIRef, p: URIRef, o: URIRef | Literal) -> set[URIRef]:
    """The documents the statements of ``s p o`` cite."""
    docs = set()
    for st in g.subjects(RDF.subject, s):
        if (st, RDF.predicate, p) in g and (st, RDF.object, o) in g:
            docs |= set(g.objects(st, DCTERMS.source))
    return docs


def test_each_plain_fact_cites_exactly_the_document_that_states_it(curation: Path) -> None:
    g = build(curation)
    pole = URIRef(ID + "ptce/pole-x")
    commune = URIRef(ID + "commune/63113")
    assert (pole, PTCE.basedIn, commune) in g
    assert sources_of(g, pole, PTCE.basedIn, commune) == {DOC_A}
    sector = URIRef(ID + "concept/sector/culture-creative-industries")
    assert sources_of(g, pole, PTCE.sector, sector) == {DOC_B}


def test_fact_nodes_cite_only_their_own_rows_documents(curation: Path) -> None:
    g = build(curation)
    jobs_2016 = URIRef(ID + "indicator/pole-x-direct-jobs-2016")
    jobs_2019 = URIRef(ID + "indicator/pole-x-direct-jobs-2019")
    assert set(g.objects(jobs_2016, DCTERMS.source)) == {DOC_A}
    assert set(g.objects(jobs_2019, DCTERMS.source)) == {DOC_B}
    membership = URIRef(ID + "membership/pole-x-firm-z-member")
    assert set(g.objects(membership, DCTERMS.source)) == {DOC_A}
    assert g.value(membership, PTCE.startDate) == Literal("2019", datatype=XSD.gYear)


def test_a_membership_runs_during_an_interval_with_xsd_date_bounds(curation: Path) -> None:
    """A start given as a year begins on its first day, so it compares with any xsd:date."""
    g = build(curation)
    membership = URIRef(ID + "membership/pole-x-firm-z-member")
    during = g.value(membership, ORG.memberDuring)
    assert during == URIRef(ID + "interval/pole-x-firm-z-member")
    assert (during, RDF.type, TIME.ProperInterval) in g
    begin = g.value(g.value(during, TIME.hasBeginning), TIME.inXSDDate)
    assert begin == Literal("2019-01-01", datatype=XSD.date)
    assert g.value(during, TIME.hasEnd) is None  # no end stated: still running
    found = g.query(
        """PREFIX org: <http://www.w3.org/ns/org#>
        PREFIX time: <http://www.w3.org/2006/time#>
        PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        SELECT ?m WHERE { ?m org:memberDuring/time:hasBeginning/time:inXSDDate ?d
          FILTER(?d >= "2015-01-01"^^xsd:date) }"""
    )
    assert [row[0] for row in found] == [membership]


def test_one_recognition_per_round_merging_batches_and_precision(curation: Path) -> None:
    g = build(curation)
    pole = URIRef(ID + "ptce/pole-x")
    recognitions = list(g.objects(pole, PTCE.hasRecognition))
    assert recognitions == [URIRef(ID + "recognition/pole-x-call-2013")]
    (rec,) = recognitions
    assert set(g.objects(rec, DCTERMS.source)) == {DOC_A, DOC_B}
    # "2014" and "2014-01-10" agree: the more precise date is kept, once
    assert list(g.objects(rec, PTCE.recognitionDate)) == [Literal("2014-01-10", datatype=XSD.date)]


def test_disagreeing_sources_keep_both_statements_and_assert_one(curation: Path) -> None:
    g = build(curation)
    pole = URIRef(ID + "ptce/pole-x")
    assert list(g.objects(pole, SCHEMA.foundingDate)) == [Literal("2014", datatype=XSD.gYear)]
    y2016 = Literal("2016", datatype=XSD.gYear)
    assert sources_of(g, pole, SCHEMA.foundingDate, y2016) == {DOC_B}
    assert (pole, SCHEMA.foundingDate, y2016) not in g
    assert any("disagree" in str(n) for n in g.objects(pole, SKOS.note))


def test_documents_are_described_and_gaps_recorded(curation: Path) -> None:
    g = build(curation)
    assert g.value(DOC_A, DCTERMS.title) == Literal("Page A", lang="fr")
    assert g.value(DOC_A, DCTERMS.issued) == Literal("2020-05-01", datatype=XSD.date)
    assert g.value(DOC_A, PTCE.accessed) == Literal("2026-12-07", datatype=XSD.date)
    assert g.value(g.value(DOC_B, DCTERMS.publisher), URIRef("http://xmlns.com/foaf/0.1/name"))
    pole = URIRef(ID + "ptce/pole-x")
    gap = g.value(pole, PTCE.documentationGap)
    assert g.value(gap, PTCE.dimension) == URIRef(ID + "concept/dimension/governance")
    # a carrier and a member are named: composition documented, no "false" flag
    assert (pole, PTCE.compositionDocumented, None) not in g
    assert (URIRef(ID + "org/asso-y"), RDF.type, PTCE.Association) in g
    assert (URIRef(ID + "org/firm-z"), RDF.type, PTCE.EnterpriseOutsideESS) in g
    assert (URIRef(ID + "membership/pole-x-firm-z-member"), ORG.organization, pole) in g


def test_a_ptce_whose_sources_name_no_member_is_composition_not_documented(tmp_path: Path) -> None:
    root = tmp_path / "c"
    write_batch(
        root,
        "b",
        {
            "sources": SOURCES[:1],
            "ptce": [["pole-w", "Pôle W", "doc-a", "", ""]],
            "facts": [["pole-w", "covers-region", "84", "doc-a", "", ""]],
        },
    )
    built = build_dataset(read_curation(root, VOCAB))["ptce/pole-w.ttl"]
    g = Graph().parse(data=built, format="turtle")
    assert (URIRef(ID + "ptce/pole-w"), PTCE.compositionDocumented, Literal(False)) in g


@pytest.mark.parametrize(
    ("table", "row", "where", "what"),
    [
        ("facts", ["pole-x", "sector", "culture", "doc-a", "", ""], "column 'value'", "sector"),
        ("facts", ["pole-x", "commune", "6311", "doc-a", "", ""], "column 'value'", "commune"),
        ("facts", ["pole-x", "colour", "blue", "doc-a", "", ""], "column 'property'", "unknown"),
        ("facts", ["pole-q", "sector", "digital", "doc-a", "", ""], "column 'ptce'", "pole-q"),
        ("recognitions", ["pole-x", "call2013", "", "", "doc-a", "", ""], "'round'", "call2013"),
        ("indicators", ["pole-x", "direct-jobs", "", "4", "person", "doc-a", "", ""], "'date'", ""),
        ("memberships", ["pole-x", "nobody", "member", "", "", "doc-a", "", ""], "'org'", "nobody"),
        ("facts", ["pole-x", "sector", "digital", "doc-zz", "", ""], "'source'", "doc-zz"),
        (
            "organisations",
            ["org-q", "Q", "ess-enterprise", "", "", "123456789", "", "doc-a", ""],
            "'siren'",
            "Luhn",
        ),
        (
            "organisations",
            ["900000019", "Q", "ess-enterprise", "", "", "", "", "doc-a", ""],
            "column 'org'",
            "siren column",
        ),
    ],
)
def test_a_bad_row_is_reported_with_file_line_and_column_and_nothing_is_built(
    tmp_path: Path, table: str, row: list[str], where: str, what: str
) -> None:
    root = tmp_path / "c"
    write_batch(
        root,
        "b",
        {
            "sources": SOURCES[:1],
            "ptce": [["pole-x", "Pôle X", "doc-a", "", ""]],
            "facts": [["pole-x", "covers-region", "84", "doc-a", "", ""]],
        },
    )
    batch = write_batch(root, "bad", {table: [row]})
    with pytest.raises(CurationError) as caught:
        read_curation(root, VOCAB)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{batch / (table + '.csv')}:2") and where in problem
    assert what in problem


def test_a_wrong_header_names_the_missing_and_unknown_columns(tmp_path: Path) -> None:
    batch = tmp_path / "c" / "b"
    batch.mkdir(parents=True)
    (batch / "ptce.csv").write_text("ptce,name,source\nx,X,doc\n", encoding="utf-8")
    with pytest.raises(
        CurationError, match=r"ptce\.csv:1: .*missing \['label'.*unknown \['name'\]"
    ):
        read_curation(tmp_path / "c", VOCAB)


def test_write_dataset_checks_and_removes_stale_files(curation: Path, tmp_path: Path) -> None:
    built = build_dataset(read_curation(curation, VOCAB))
    out = tmp_path / "out"
    (out / "ptce").mkdir(parents=True)
    (out / "ptce" / "gone.ttl").write_text("# stale\n", encoding="utf-8")
    changed = {str(p.relative_to(out)) for p in write_dataset(built, out, check=True)}
    assert changed == {"ptce/pole-x.ttl", "ptce/gone.ttl", ACTORS_FILE, SOURCES_FILE, PERIODS_FILE}
    assert (out / "ptce" / "gone.ttl").exists()  # --check writes nothing
    write_dataset(built, out)
    assert sorted(p.name for p in (out / "ptce").iterdir()) == ["pole-x.ttl"]
    assert write_dataset(built, out, check=True) == []
    # the output is stable: the same tables build the same bytes
    assert build_dataset(read_curation(curation, VOCAB)) == built


def test_shared_nodes_are_described_once_not_in_each_ptce_graph(curation: Path) -> None:
    """A triple in several graphs would answer several times (the union graph is a bag)."""
    built = build_dataset(read_curation(curation, VOCAB))
    ptce = Graph().parse(data=built["ptce/pole-x.ttl"], format="turtle")
    assert (URIRef(ID + "org/asso-y"), None, None) not in ptce
    assert (DOC_A, None, None) not in ptce
    actors = Graph().parse(data=built[ACTORS_FILE], format="turtle")
    assert (URIRef(ID + "org/asso-y"), RDF.type, PTCE.Association) in actors
    documents = Graph().parse(data=built[SOURCES_FILE], format="turtle")
    assert set(documents.subjects(RDF.type, PTCE.SourceDocument)) == {DOC_A, DOC_B}
    periods = Graph().parse(data=built[PERIODS_FILE], format="turtle")
    period = URIRef(ID + "period/2016")
    assert (period, RDF.type, TIME.ProperInterval) in periods
    assert (period, None, None) not in ptce


def test_indicators_are_data_cube_observations_with_a_period_and_a_qudt_unit(
    curation: Path,
) -> None:
    built = build_dataset(read_curation(curation, VOCAB))
    g = build(curation)
    jobs = URIRef(ID + "indicator/pole-x-direct-jobs-2016")
    assert (jobs, RDF.type, QB.Observation) in g
    assert g.value(jobs, QB.dataSet) == URIRef(ID + "dataset/indicators")
    assert g.value(jobs, PTCE.indicatorOf) == URIRef(ID + "ptce/pole-x")
    # persons: QUDT has no such unit, the observation carries the unit concept (decision 0007)
    assert g.value(jobs, SDMX_ATTRIBUTE.unitMeasure) == URIRef(ID + "concept/unit/person")
    assert (jobs, PTCE.unit, None) not in g and (jobs, PTCE.date, None) not in g
    period = g.value(jobs, PTCE.refPeriod)
    assert period == URIRef(ID + "period/2016")
    begin = g.value(g.value(period, TIME.hasBeginning), TIME.inXSDDate)
    end = g.value(g.value(period, TIME.hasEnd), TIME.inXSDDate)
    assert (begin, end) == (
        Literal("2016-01-01", datatype=XSD.date),
        Literal("2016-12-31", datatype=XSD.date),
    )
    assert g.value(period, TIME.hasXSDDuration) == Literal("P1Y", datatype=XSD.duration)
    # the periods file describes only the periods the data states: the indicators' years, the
    # membership's start (2019), the recognition's day (its most precise date) and the founding
    # year asserted among 2014 and 2016 (the earliest, on a tie)
    periods = Graph().parse(data=built[PERIODS_FILE], format="turtle")
    assert set(periods.subjects(RDF.type, TIME.ProperInterval)) == {
        URIRef(ID + "period/2016"),
        URIRef(ID + "period/2019"),
        URIRef(ID + "period/2014-01-10"),
        URIRef(ID + "period/2014"),
    }
    recognition = URIRef(ID + "recognition/pole-x-call-2013")
    assert g.value(recognition, TIME.hasTime) == URIRef(ID + "period/2014-01-10")


def test_the_founding_is_an_org_change_event_dated_by_its_period(curation: Path) -> None:
    """Sources give 2014 and 2016: the asserted year names the founding event's period, and the
    event cites only the document that gives that year."""
    g = build(curation)
    pole = URIRef(ID + "ptce/pole-x")
    founded = g.value(pole, SCHEMA.foundingDate)
    founding = URIRef(ID + "event/pole-x-founding")
    assert (founding, RDF.type, ORG.ChangeEvent) in g
    assert g.value(founding, ORG.resultingOrganization) == pole
    assert g.value(founding, TIME.hasTime) == URIRef(ID + f"period/{founded}")
    expected = {DOC_A} if str(founded) == "2014" else {DOC_B}
    assert set(g.objects(founding, DCTERMS.source)) == expected


def test_a_granted_amount_is_a_qudt_quantity_in_euros(curation: Path) -> None:
    g = build(curation)
    rec = URIRef(ID + "recognition/pole-x-call-2013")
    assert (rec, PTCE.amount, None) not in g
    amount = g.value(rec, PTCE.grantedAmount)
    assert (amount, RDF.type, QUDT.QuantityValue) in g
    value = g.value(amount, QUDT.numericValue)
    assert (
        isinstance(value, Literal) and value.datatype == XSD.decimal and value.toPython() == 100000
    )
    assert g.value(amount, QUDT.unit) == URIRef("http://qudt.org/vocab/unit/CCY_EUR")


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("2016", ("2016-01-01", "2016-12-31", "P1Y")),
        ("2024-02", ("2024-02-01", "2024-02-29", "P1M")),
        ("2023-06-30", ("2023-06-30", "2023-06-30", "P1D")),
    ],
)
def test_a_stated_date_names_a_period_from_its_first_to_its_last_day(
    text: str, bounds: tuple[str, str, str]
) -> None:
    assert period_bounds(text) == bounds


@pytest.mark.parametrize(
    ("values", "dates", "expected"),
    [
        (["2014"], True, ("2014", False)),
        (["2014", "2014-01-10"], True, ("2014-01-10", False)),
        (["2016", "2017"], True, ("2016", True)),
        (["2017", "2016", "2017"], True, ("2017", True)),
        (["emerging", "established"], False, ("emerging", True)),
    ],
)
def test_pick(values: list[str], dates: bool, expected: tuple[str, bool]) -> None:
    assert pick(values, dates=dates) == expected


def test_a_legal_form_change_is_one_dated_change_event(curation: Path) -> None:
    write_batch(
        curation,
        "three",
        {
            "events": [
                ["asso-y", "2015", "association", "scic", "", "doc-a", "", ""],
                ["asso-y", "2015-03", "association", "scic", "", "doc-b", "", "statutes signed"],
            ]
        },
    )
    g = build(curation)
    org = URIRef(ID + "org/asso-y")
    (event,) = list(g.objects(org, ORG.changedBy))
    assert (event, RDF.type, ORG.ChangeEvent) in g
    assert g.value(event, PTCE.legalFormBefore) == URIRef(ID + "concept/ess-family/association")
    assert g.value(event, PTCE.legalFormAfter) == URIRef(ID + "concept/legal-form/scic")
    assert list(g.objects(event, DCTERMS.date)) == [Literal("2015-03", datatype=XSD.gYearMonth)]
    assert set(g.objects(event, DCTERMS.source)) == {DOC_A, DOC_B}


def test_a_split_is_one_change_event_naming_every_entity_it_created(curation: Path) -> None:
    split = ["asso-y", "2001", "association", "", "", "doc-a", "", "split in two"]
    write_batch(
        curation,
        "three",
        {
            "organisations": [
                ["sarl-z", "SARL Z", "ess-enterprise", "", "", "", "", "doc-a", ""],
                ["aci-w", "ACI W", "ess-enterprise", "association", "", "", "", "doc-a", ""],
            ],
            "events": [
                [*split[:4], "sarl-z", *split[5:]],
                [*split[:4], "aci-w", *split[5:]],
            ],
        },
    )
    g = build(curation)
    (event,) = list(g.objects(URIRef(ID + "org/asso-y"), ORG.changedBy))
    assert g.value(event, ORG.originalOrganization) == URIRef(ID + "org/asso-y")
    created = {URIRef(ID + "org/sarl-z"), URIRef(ID + "org/aci-w")}
    assert set(g.objects(event, ORG.resultingOrganization)) == created
    # named by no PTCE, the entities created are still described (label, class, source)
    for org in created:
        assert (org, RDF.type, PTCE.Organisation) in g
        assert g.value(org, DCTERMS.source) == DOC_A


def test_an_event_cannot_create_an_unknown_or_the_same_organisation(curation: Path) -> None:
    write_batch(
        curation,
        "three",
        {
            "events": [
                ["asso-y", "2001", "association", "", "nobody", "doc-a", "", "split"],
                ["asso-y", "2002", "association", "", "asso-y", "doc-a", "", "split"],
            ]
        },
    )
    with pytest.raises(CurationError) as raised:
        build(curation)
    problems = [p for p in raised.value.problems if "'resulting'" in p]
    assert len(problems) == 2, raised.value.problems


def test_a_gap_is_left_out_when_another_batch_documents_the_dimension(curation: Path) -> None:
    # batch "two" searched governance in vain; a third batch finds the PTCE's indicators gap wrong
    write_batch(curation, "three", {"gaps": [["pole-x", "indicators", "2026-12-07", "none"]]})
    g = build(curation)
    dimensions = {g.value(gap, PTCE.dimension) for gap in g.objects(None, PTCE.documentationGap)}
    assert dimensions == {URIRef(ID + "concept/dimension/governance")}


def test_finding_a_siren_later_leaves_the_organisation_iri_unchanged(curation: Path) -> None:
    before = build(curation)
    orgs = set(before.subjects(RDF.type, PTCE.Organisation))
    # a later batch finds firm-z's SIREN (synthetic, Luhn-valid) in another document
    row = ["firm-z", "Firm Z", "", "", "", "900000019", "", "doc-b", "registry page"]
    write_batch(curation, "three", {"organisations": [row]})
    after = build(curation)
    assert set(after.subjects(RDF.type, PTCE.Organisation)) == orgs
    firm = URIRef(ID + "org/firm-z")
    (identifier,) = list(after.objects(firm, ADMS.identifier))
    assert identifier == URIRef(ID + "identifier/siren/900000019")
    assert after.value(identifier, SKOS.notation) == Literal("900000019")
    # the membership still names the organisation by the IRI minted before the SIREN was known
    assert (None, ORG.member, firm) in after
