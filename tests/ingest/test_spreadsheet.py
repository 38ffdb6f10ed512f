"""Reading CSV and XLSX tables and turning rows into RDF: encodings, delimiters, multi-valued
cells, look-ups, links across sheets, errors by sheet/row/column, formula-looking cells, and the
synthetic samples against their expected RDF."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import DATA_DIR
from hypothesis import assume, given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from ingest.conftest import SIMPLE_MAPPING
from ptce_kg.errors import MappingError, SourceError
from ptce_kg.ingest.mapping import ImportMapping, Vocabularies, read_mapping
from ptce_kg.ingest.sheets import column_letter, read_csv_bytes
from ptce_kg.ingest.spreadsheet import SpreadsheetRdf, read_spreadsheet
from ptce_kg.namespaces import PTCE

SAMPLES = DATA_DIR / "samples"
SAMPLE_MAPPING = SAMPLES / "annuaire.mapping.yaml"
POLE = URIRef("https://w3id.org/ptce/id/ptce/synthetic-pole-alpha-synthetique")
SECTOR = "https://w3id.org/ptce/id/concept/sector/"
HEADER = "Nom;Secteurs;Commune;Note;Création"


def rows_of(
    tmp_path: Path, mapping: ImportMapping, vocabularies: Vocabularies, text: str, name: str
) -> SpreadsheetRdf:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return read_spreadsheet(path, mapping, vocabularies)


@pytest.fixture
def simple(
    tmp_path: Path, write_mapping: Callable[[str], ImportMapping], vocabularies: Vocabularies
) -> Callable[[str], SpreadsheetRdf]:
    """Import CSV text (header + rows) with the simple one-table mapping."""
    mapping = write_mapping(SIMPLE_MAPPING)
    return lambda text: rows_of(tmp_path, mapping, vocabularies, text, "poles.csv")


# --- reading CSV -------------------------------------------------------------------------------

TEXT = "Nom,Ville\nPôle Été (synthétique),Saint-Étienne — « Loire »\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8 (BOM)"),
        (TEXT.encode("cp1252"), "cp1252"),
        (TEXT.encode("utf-16"), "utf-16 (BOM)"),
    ],
    ids=["utf-8", "utf-8-bom", "cp1252", "utf-16"],
)
def test_csv_encodings_are_detected_and_named(data: bytes, encoding: str) -> None:
    table = read_csv_bytes(data, name="t.csv")
    assert table.encoding == encoding
    assert table.headers == ["Nom", "Ville"]
    assert table.rows == [(2, ["Pôle Été (synthétique)", "Saint-Étienne — « Loire »"])]
    assert encoding in table.describe()


def test_bytes_cp1252_cannot_decode_fall_back_to_latin_1() -> None:
    table = read_csv_bytes("a,b\nx\x81,é\n".encode("latin-1"), name="t.csv")
    assert table.encoding == "latin-1"
    assert table.rows[0][1] == ["x\x81", "é"]


@pytest.mark.parametrize(
    "delimiter", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"]
)
def test_delimiters_are_sniffed(delimiter: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerows([["Nom", "Secteurs", "Note"], ["A, B; C|D", "x\ty", "z"]])
    table = read_csv_bytes(buffer.getvalue().encode(), name="t.csv")
    assert table.delimiter == delimiter
    assert table.rows == [(2, ["A, B; C|D", "x\ty", "z"])]


def test_quoted_multi_line_cells_keep_their_lines_and_row_numbers() -> None:
    data = b'Nom;Note\n"Un\r\ndeux";"trois\ntrois"\n\nQuatre;cinq\n'
    table = read_csv_bytes(data, name="t.csv")
    assert table.rows == [(2, ["Un\r\ndeux", "trois\ntrois"]), (4, ["Quatre", "cinq"])]


def test_broken_quoting_is_a_source_error_with_a_line() -> None:
    with pytest.raises(SourceError, match="broken CSV"):
        read_csv_bytes(b'Nom;Note\n"open;x\n', name="t.csv")


CELL = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)))


@given(
    st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=5),
    st.sampled_from([",", ";", "\t", "|"]),
    st.sampled_from(["utf-8", "utf-8-sig"]),
)
def test_any_cell_text_round_trips_through_csv(
    rows: list[list[str]], delimiter: str, encoding: str
) -> None:
    rows = [r for r in rows if any(c.strip() for c in r)]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows([["Nom", "Secteurs", "Note"], *rows])
    table = read_csv_bytes(buffer.getvalue().encode(encoding), name="t.csv")
    assert [r for _n, r in table.rows] == rows


@given(st.lists(st.text(st.sampled_from("aàéèçÉ€œ;,|\"' \n-=+@x")), min_size=3, max_size=3))
def test_cp1252_cell_text_round_trips(row: list[str]) -> None:
    assume(any(c.strip() for c in row) and not all(c.isascii() for c in row))
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";").writerows([["Nom", "Secteurs", "Note"], row])
    data = buffer.getvalue().encode("cp1252")
    try:  # a few short cp1252 texts are valid UTF-8 too ("Éœ"): nothing can tell them apart
        data.decode("utf-8")
        assume(False)
    except UnicodeDecodeError:
        pass
    table = read_csv_bytes(data, name="t.csv")
    assert table.encoding == "cp1252"
    assert table.rows == [(2, row)]


def test_column_letters_follow_spreadsheets() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A", "Z", "AA", "AB", "ZZ", "AAA",
    ]  # fmt: skip


# --- rows → RDF ----------------------------------------------------------------------------------


def test_multi_valued_cells_and_lookups(simple: Callable[[str], SpreadsheetRdf]) -> None:
    result = simple(f'{HEADER}\nPôle Alpha (synthétique);"Culture; alimentation ; ";6069;;2014\n')
    assert result.problems == []
    sectors = set(result.graph.objects(POLE, PTCE.sector))
    assert sectors == {
        URIRef(SECTOR + "culture-creative-industries"),
        URIRef(SECTOR + "food-sustainable-agriculture"),
    }
    commune = URIRef("https://w3id.org/ptce/id/commune/06069")  # the lost leading zero is back
    assert result.graph.value(POLE, PTCE.basedIn) == commune


def test_unknown_vocabulary_value_is_reported_where_with_the_accepted_values(
    simple: Callable[[str], SpreadsheetRdf],
) -> None:
    result = simple(f"{HEADER}\nPôle Alpha (synthétique);Culture;42187;;\nB;Aéronautique;;;\n")
    [problem] = result.problems
    assert (problem.sheet, problem.row, problem.column, problem.header) == (
        "poles.csv", 3, "B", "Secteurs",
    )  # fmt: skip
    assert "Aéronautique" in problem.fr and "valeurs acceptées" in problem.fr
    assert "accepted values" in problem.en and "textile et mode" in problem.en
    text = str(result.error())
    assert 'sheet "poles.csv", row 3, column B "Secteurs"' in text
    assert "feuille « poles.csv », ligne 3, colonne B « Secteurs »" in text


@pytest.mark.parametrize(
    ("cells", "column", "english"),
    [
        (";;42187;;", "A", "required value missing"),
        ("A;;421;;", "C", "is not an INSEE commune code"),
        ("A;;;;32/13/2020", "E", "is neither a year"),
        ("!!!;;;;", "A", "cannot make an IRI key"),
    ],
    ids=["required-missing", "bad-commune", "bad-date", "no-key"],
)
def test_cell_errors_carry_row_column_and_both_languages(
    simple: Callable[[str], SpreadsheetRdf], cells: str, column: str, english: str
) -> None:
    result = simple(f"{HEADER}\n{cells}\n")
    assert [(p.row, p.column) for p in result.problems] == [(2, column)]
    assert english in result.problems[0].en
    assert result.problems[0].fr


def test_two_rows_with_the_same_key_are_reported(simple: Callable[[str], SpreadsheetRdf]) -> None:
    result = simple(f"{HEADER}\nPôle Alpha (synthétique);;;;\npole alpha synthetique;;;;\n")
    assert [(p.row, "same key as row 2" in p.en) for p in result.problems] == [(3, True)]


def test_missing_mapped_column_is_a_mapping_error(simple: Callable[[str], SpreadsheetRdf]) -> None:
    with pytest.raises(MappingError) as caught:
        simple("Nom;Secteurs;Commune;Note\nA;;;\n")
    assert "no column 'Création'" in str(caught.value)
    assert "'Nom', 'Secteurs', 'Commune', 'Note'" in str(caught.value)


def test_missing_required_column_is_a_mapping_error(
    simple: Callable[[str], SpreadsheetRdf],
) -> None:
    with pytest.raises(MappingError, match="no column 'Nom'"):
        simple("Secteurs;Commune;Note;Création\n;;;\n")


def test_duplicated_column_is_a_mapping_error(simple: Callable[[str], SpreadsheetRdf]) -> None:
    with pytest.raises(MappingError, match=r"'note' is written twice \(D and F\)"):
        simple(f"{HEADER};note\nA;;;;;\n")


def test_unmapped_columns_are_noted_and_ignored(simple: Callable[[str], SpreadsheetRdf]) -> None:
    result = simple(f"{HEADER};Commentaire\nPôle Alpha (synthétique);;;;;libre\n")
    assert result.problems == []
    assert result.notes == ["poles.csv: column(s) not in the mapping, ignored: Commentaire"]
    assert Literal("libre") not in set(result.graph.objects())


FORMULAS = ["=1+1", "+33 6 00 00 00 00", "-2", "@SUM(A1:A2)", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("text", FORMULAS, ids=["equals", "plus", "minus", "at", "hyperlink"])
def test_formula_looking_csv_cells_stay_text(
    simple: Callable[[str], SpreadsheetRdf], tmp_path: Path, text: str
) -> None:
    quoted = '"' + text.replace('"', '""') + '"'
    result = simple(f"{HEADER}\nPôle Alpha (synthétique);;;{quoted};\n")
    assert result.problems == []
    assert result.graph.value(POLE, PTCE.sourceNote) == Literal(text)


def test_xlsx_text_cells_stay_text_and_formulas_are_never_evaluated(
    tmp_path: Path, write_mapping: Callable[[str], ImportMapping], vocabularies: Vocabularies
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Pôles"
    sheet.append(HEADER.split(";"))
    for index, text in enumerate(FORMULAS):
        sheet.append([f"Pôle {index} (synthétique)", None, None, None, None])
        cell = sheet.cell(row=index + 2, column=4, value=text)
        cell.data_type = "s"  # typed as text, as a spreadsheet does for '=1+1 entered as text
    sheet.append(["Pôle formule (synthétique)", None, None, "=1+1", None])  # a real formula
    path = tmp_path / "poles.xlsx"
    workbook.save(path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = read_spreadsheet(path, write_mapping(SIMPLE_MAPPING), vocabularies)
    assert result.problems == []
    notes = {str(o) for o in result.graph.objects(None, PTCE.sourceNote)}
    assert notes == set(FORMULAS)  # the formula cell has no stored value: nothing, never "2"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


# --- samples and links across sheets -------------------------------------------------------------

CASES = {
    "annuaire.xlsx": "annuaire.ttl",
    "csv/ptce.csv": "ptce.ttl",
    "csv/membres.csv": "membres.ttl",
    "csv/cooperations.csv": "cooperations.ttl",
}


@pytest.fixture(scope="module")
def sample_mapping() -> ImportMapping:
    return read_mapping(SAMPLE_MAPPING)


@pytest.mark.parametrize(("source", "expected"), CASES.items(), ids=CASES.keys())
def test_samples_give_their_expected_rdf(
    source: str, expected: str, sample_mapping: ImportMapping, vocabularies: Vocabularies
) -> None:
    result = read_spreadsheet(SAMPLES / source, sample_mapping, vocabularies)
    assert result.problems == []
    wanted = Graph().parse(SAMPLES / "expected" / expected, format="turtle")
    assert isomorphic(result.graph, wanted)


def test_the_csv_files_and_the_workbook_say_the_same(
    sample_mapping: ImportMapping, vocabularies: Vocabularies
) -> None:
    union = Graph()
    for name in ("ptce", "membres", "cooperations"):
        union += read_spreadsheet(
            SAMPLES / "csv" / f"{name}.csv", sample_mapping, vocabularies
        ).graph
    workbook = read_spreadsheet(SAMPLES / "annuaire.xlsx", sample_mapping, vocabularies)
    assert [t.describe() for t in workbook.tables] == [
        "PTCE: 2 row(s)", "Membres: 7 row(s)", "Coopérations: 3 row(s)",
    ]  # fmt: skip
    assert isomorphic(union, workbook.graph)


def test_every_sample_iri_and_label_is_synthetic(
    sample_mapping: ImportMapping, vocabularies: Vocabularies
) -> None:
    graph = read_spreadsheet(SAMPLES / "annuaire.xlsx", sample_mapping, vocabularies).graph
    for subject in set(graph.subjects()):
        # the days that bound a membership are shared reference nodes, not made up (decision 0007)
        if "/id/" in str(subject) and "/id/instant/" not in str(subject):
            assert "/synthetic-" in str(subject)
    for label in graph.objects(None, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")):
        assert "(synthétique)" in str(label)


def _membres_workbook(tmp_path: Path, ptce_name: str) -> Path:
    workbook = Workbook()
    pole = workbook.active
    pole.title = "PTCE"
    ptce_csv = read_csv_bytes((SAMPLES / "csv" / "ptce.csv").read_bytes(), name="ptce")
    pole.append(ptce_csv.headers)
    for _n, record in ptce_csv.rows:
        pole.append(record)
    members = workbook.create_sheet("Membres")
    membres_csv = read_csv_bytes((SAMPLES / "csv" / "membres.csv").read_bytes(), name="m")
    members.append(membres_csv.headers)
    first = list(membres_csv.rows[0][1])
    first[0] = ptce_name
    members.append(first)
    path = tmp_path / "links.xlsx"
    workbook.save(path)
    return path


def test_links_find_rows_of_another_sheet_by_key(
    tmp_path: Path, sample_mapping: ImportMapping, vocabularies: Vocabularies
) -> None:
    path = _membres_workbook(tmp_path, "pôle des coteaux (SYNTHÉTIQUE)")
    result = read_spreadsheet(path, sample_mapping, vocabularies)
    assert result.problems == []
    coteaux = URIRef("https://w3id.org/ptce/id/ptce/synthetic-pole-des-coteaux-synthetique")
    organizations = set(result.graph.objects(None, URIRef("http://www.w3.org/ns/org#organization")))
    assert organizations == {coteaux}


def test_a_link_to_no_row_is_reported(
    tmp_path: Path, sample_mapping: ImportMapping, vocabularies: Vocabularies
) -> None:
    path = _membres_workbook(tmp_path, "Pôle inconnu (synthétique)")
    result = read_spreadsheet(path, sample_mapping, vocabularies)
    [problem] = result.problems
    assert (problem.sheet, problem.row, problem.column, problem.header) == (
        "Membres", 2, "A", "PTCE",
    )  # fmt: skip
    assert 'no row of sheet "PTCE" has "Pôle inconnu (synthétique)" in column "Nom"' in problem.en


def test_sheet_option_picks_one_sheet_and_unknown_sheet_is_an_error(
    sample_mapping: ImportMapping, vocabularies: Vocabularies
) -> None:
    only = read_spreadsheet(SAMPLES / "annuaire.xlsx", sample_mapping, vocabularies,
                            sheets=["Membres"])  # fmt: skip
    assert [t.name for t in only.tables] == ["Membres"]
    with pytest.raises(MappingError, match="no table or sheet 'Adhérents'"):
        read_spreadsheet(SAMPLES / "annuaire.xlsx", sample_mapping, vocabularies,
                         sheets=["Adhérents"])  # fmt: skip


def test_unsupported_files_are_source_errors(
    tmp_path: Path, sample_mapping: ImportMapping, vocabularies: Vocabularies
) -> None:
    ods = tmp_path / "annuaire.ods"
    ods.write_bytes(b"PK")
    with pytest.raises(SourceError, match=r"cannot import \.ods"):
        read_spreadsheet(ods, sample_mapping, vocabularies)
    fake = tmp_path / "annuaire.xlsx"
    fake.write_bytes(b"not a zip")
    with pytest.raises(SourceError, match="not a readable XLSX"):
        read_spreadsheet(fake, sample_mapping, vocabularies)


def test_a_link_finds_an_organisation_by_its_siren_though_its_iri_is_keyed_by_name(
    tmp_path: Path, sample_mapping: ImportMapping, vocabularies: Vocabularies
) -> None:
    # the same workbook, with a participant written as its SIREN instead of its name
    workbook = load_workbook(SAMPLES / "annuaire.xlsx")
    sheet = workbook["Coopérations"]
    column = [c.value for c in sheet[1]].index("Participants") + 1
    sheet.cell(row=2, column=column, value="900000118; Transports du Plateau (synthétique)")
    workbook.save(tmp_path / "annuaire.xlsx")
    result = read_spreadsheet(tmp_path / "annuaire.xlsx", sample_mapping, vocabularies)
    assert result.problems == []
    org = URIRef("https://w3id.org/ptce/id/org/synthetic-recyclerie-cooperative-synthetique")
    assert (None, PTCE.participant, org) in result.graph
    assert not any("900000118" in str(o) for o in result.graph.objects(None, PTCE.participant))
