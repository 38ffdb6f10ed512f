"""The spreadsheet import end to end: validation in the store's context, ONE atomic source graph,
results traced back to sheet/row/column, idempotent re-import, and the ``import`` command's exit
codes (0 ok, 1 rejected, 2 input or mapping error)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BASE, DATA_DIR, FIXTURE_DATA, dump_quads
from rdflib import Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from ingest.conftest import VOCABULARIES_DIR
from ptce_kg import cli, pipeline
from ptce_kg.errors import DataRejected, MappingError
from ptce_kg.store import Store

SAMPLES = DATA_DIR / "samples"
MAPPING = SAMPLES / "annuaire.mapping.yaml"
WORKBOOK = SAMPLES / "annuaire.xlsx"
GRAPH = "https://w3id.org/ptce/graph/annuaire"
runner = CliRunner()


def import_file(store: Store, shapes: Graph, path: Path, **options: object) -> pipeline.LoadOutcome:
    _rows, outcome = pipeline.import_spreadsheet(
        store, path, MAPPING, shapes, vocabularies_dir=VOCABULARIES_DIR, base_iri=BASE,
        **options,  # type: ignore[arg-type]
    )  # fmt: skip
    return outcome


def without_provenance(quads: set[str]) -> set[str]:
    return {q for q in quads if "/provenance> ." not in q}


def bad_siren_csv(tmp_path: Path) -> Path:
    """The sample memberships with a SIREN whose Luhn check digit is wrong, on row 3."""
    text = (SAMPLES / "csv" / "membres.csv").read_bytes().decode("cp1252")
    path = tmp_path / "membres.csv"
    path.write_bytes(text.replace("900000118", "900000119", 1).encode("cp1252"))
    return path


def test_the_workbook_loads_as_one_source_graph(territory_store: Store, shapes: Graph) -> None:
    outcome = import_file(territory_store, shapes, WORKBOOK)
    assert outcome.graph == GRAPH and outcome.report.conforms
    stored = Graph().parse(data=territory_store.graph_triples(GRAPH), format="nt")
    assert isomorphic(stored, Graph().parse(SAMPLES / "expected" / "annuaire.ttl"))
    assert any("Membres" in r.message and "row 5" in r.message for r in outcome.report.warnings)


def test_reimport_is_idempotent(territory_store: Store, shapes: Graph) -> None:
    import_file(territory_store, shapes, WORKBOOK)
    first = dump_quads(territory_store)
    import_file(territory_store, shapes, WORKBOOK)
    second = dump_quads(territory_store)
    assert without_provenance(first) == without_provenance(second)
    assert len(first) == len(second)


def test_csv_files_load_one_after_the_other(territory_store: Store, shapes: Graph) -> None:
    for name in ("ptce", "membres", "cooperations"):
        outcome = import_file(territory_store, shapes, SAMPLES / "csv" / f"{name}.csv")
        assert outcome.graph == f"https://w3id.org/ptce/graph/{name}"


def test_a_violation_rejects_everything_and_names_the_row(
    territory_store: Store, shapes: Graph, tmp_path: Path
) -> None:
    import_file(territory_store, shapes, SAMPLES / "csv" / "ptce.csv")
    before = dump_quads(territory_store)
    with pytest.raises(DataRejected) as caught:
        import_file(territory_store, shapes, bad_siren_csv(tmp_path))
    assert dump_quads(territory_store) == before
    messages = [r.message for r in caught.value.report.violations]
    assert any("Luhn" in m and 'sheet "membres.csv", row 3' in m for m in messages), messages


def test_cell_errors_reject_everything(
    territory_store: Store, shapes: Graph, tmp_path: Path
) -> None:
    before = dump_quads(territory_store)
    path = tmp_path / "ptce.csv"
    path.write_text((SAMPLES / "csv" / "ptce.csv").read_text().replace("confirmé", "mûr"))
    with pytest.raises(MappingError, match='row 2, column J "Stade": unknown value "mûr"'):
        import_file(territory_store, shapes, path)
    assert dump_quads(territory_store) == before


def test_dry_run_validates_without_storing(territory_store: Store, shapes: Graph) -> None:
    before = dump_quads(territory_store)
    outcome = import_file(territory_store, shapes, WORKBOOK, dry_run=True)
    assert outcome.report.conforms and outcome.triples > 0
    assert dump_quads(territory_store) == before


# --- the command line ----------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli.app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("import") / "store"
    code, _out, err = run("load", "--store", str(path), str(FIXTURE_DATA / "territories"))
    assert code == 0, err
    return str(path)


def test_cli_imports_with_exit_0(store_dir: str) -> None:
    code, out, err = run("import", str(WORKBOOK), "--mapping", str(MAPPING), "--store", store_dir)
    assert code == 0, err
    assert f"<{GRAPH}>" in out and "Membres: 7 row(s)" in err


def test_cli_reports_encoding_and_delimiter(store_dir: str) -> None:
    code, _out, err = run("import", str(SAMPLES / "csv" / "ptce.csv"), "-m", str(MAPPING),
                          "--store", store_dir, "--dry-run")  # fmt: skip
    assert code == 0, err
    assert "encoding utf-8, delimiter ','" in err


def test_cli_rejects_violations_with_exit_1(store_dir: str, tmp_path: Path) -> None:
    ptce = str(SAMPLES / "csv" / "ptce.csv")
    assert run("import", ptce, "-m", str(MAPPING), "--store", store_dir)[0] == 0
    code, _out, err = run("import", str(bad_siren_csv(tmp_path)), "-m", str(MAPPING),
                          "--store", store_dir)  # fmt: skip
    assert code == 1
    assert "Luhn" in err and 'sheet "membres.csv", row 3' in err, err


@pytest.mark.parametrize(
    "args",
    [
        ("--mapping", str(SAMPLES / "nothing.yaml")),
        ("--mapping", str(MAPPING), "--sheet", "Adhérents"),
    ],
    ids=["no-mapping-file", "unknown-sheet"],
)
def test_cli_input_errors_exit_2(store_dir: str, args: tuple[str, ...]) -> None:
    code, _out, _err = run("import", str(WORKBOOK), "--store", store_dir, *args)
    assert code == 2


def test_cli_cell_errors_exit_2_with_coordinates(store_dir: str, tmp_path: Path) -> None:
    path = tmp_path / "ptce.csv"
    path.write_text((SAMPLES / "csv" / "ptce.csv").read_text().replace("42187", "4218x", 1))
    code, _out, err = run("import", str(path), "-m", str(MAPPING), "--store", store_dir)
    assert code == 2
    flat = " ".join(err.split())
    assert "ligne 2, colonne D « Commune (code INSEE) »" in flat and "nothing was loaded" in flat


def test_cli_output_writes_the_rdf_without_a_store(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    code, _out, err = run("import", str(WORKBOOK), "-m", str(MAPPING), "--output", str(target),
                          "--store", str(tmp_path / "never"))  # fmt: skip
    assert code == 0, err
    assert not (tmp_path / "never").exists()
    assert isomorphic(Graph().parse(target), Graph().parse(SAMPLES / "expected" / "annuaire.ttl"))
