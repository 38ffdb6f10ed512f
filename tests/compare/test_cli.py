"""ptce-kg compare and ptce-kg similar: output formats and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from ptce_kg import cli

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli.app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_compare_prints_a_side_by_side_table(dataset_dir: str):
    code, out, _ = run("compare", "le-damier", "synthetic-a", "--store", dataset_dir)
    assert code == 0
    flat = " ".join(out.split())
    assert "Le Damier" in flat and "dimension" in flat and "similarity with" in flat


def test_compare_as_csv(dataset_dir: str):
    code, out, _ = run("compare", "le-damier", "pollens", "-o", "csv", "--store", dataset_dir)
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][0] == "dimension" and len(rows[0]) == 3
    assert [
        "iri",
        "https://w3id.org/ptce/id/ptce/le-damier",
        "https://w3id.org/ptce/id/ptce/pollens",
    ] in rows


def test_compare_as_json_to_a_file_with_weights(dataset_dir: str, tmp_path: Path):
    target = tmp_path / "comparison.json"
    code, out, _ = run(
        "compare",
        "https://w3id.org/ptce/id/ptce/synthetic-a",
        "synthetic-b",
        "-o",
        "json",
        "--file",
        str(target),
        "--weights",
        "regions=0",
        "-w",
        "sectors=1",
        "--store",
        dataset_dir,
    )
    assert code == 0 and out == ""
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["weights"]["regions"] == 0.0 and data["weights"]["sectors"] == 1.0
    assert "regions" not in data["similarity"][0][1]["per_dimension"]


def test_compare_with_an_unknown_ptce_exits_2(dataset_dir: str):
    code, _, err = run("compare", "le-damier", "no-such-pole", "--store", dataset_dir)
    assert code == 2 and "no PTCE" in err and "no-such-pole" in err and "closest" in err


def test_compare_with_one_ptce_exits_2(dataset_dir: str):
    code, _, err = run("compare", "le-damier", "--store", dataset_dir)
    assert code == 2 and "2 to 5" in err


def test_compare_with_a_bad_weight_exits_2(dataset_dir: str):
    code, _, err = run("compare", "le-damier", "pollens", "-w", "colour=1", "--store", dataset_dir)
    assert code == 2 and "colour" in err


def test_similar_lists_k_neighbours(dataset_dir: str):
    code, out, _ = run("similar", "le-damier", "-k", "2", "--store", dataset_dir)
    assert code == 0
    assert "culture-et-cooperation" in out and "│ 3 " not in out


def test_similar_with_an_unknown_ptce_exits_2(dataset_dir: str):
    code, _, err = run("similar", "no-such-pole", "--store", dataset_dir)
    assert code == 2 and "not a PTCE" in err


def test_compare_as_of_a_day(dataset_dir: str):
    args = ["compare", "synthetic-a", "synthetic-b", "-o", "json", "--store", dataset_dir]
    code, out, _ = run(*args, "--as-of", "2022-06-01")
    assert code == 0
    profile = json.loads(out)["profiles"][0]
    assert profile["reference_date"] == "2022-06-01"
    assert {i["kind"]["key"]: i["date"] for i in profile["indicators"]}["turnover"] == "2022"
    code, _, err = run(*args, "--as-of", "June 2022")
    assert code == 2 and "not a date" in err
