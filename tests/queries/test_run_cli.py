"""``ptce-kg run``: named queries from the terminal, their parameters and exit codes."""

from __future__ import annotations

import csv
import gc
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ptce_kg import cli
from ptce_kg.formats import RdfFormat
from ptce_kg.queries import NamedQuery
from ptce_kg.store import Store, open_store

runner = CliRunner()
ID = "https://w3id.org/ptce/id/"


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli.app, list(args), env={"COLUMNS": "400"})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory, dataset_store: Store) -> str:
    """An on-disk copy of the dataset store (the CLI opens a directory)."""
    tmp = tmp_path_factory.mktemp("run")
    dump = tmp / "dataset.nq"
    with dump.open("wb") as f:
        dataset_store.dump(f, RdfFormat.N_QUADS)
    store = open_store(str(tmp / "store"))
    store.bulk_load(dump, RdfFormat.N_QUADS, None)
    store.close()
    del store
    gc.collect()  # release the RocksDB lock before the CLI opens the directory
    return str(tmp / "store")


def test_list_shows_every_query(named_queries: dict[str, NamedQuery]) -> None:
    code, out, _ = run("run", "--list")
    assert code == 0
    flat = "".join(line.strip(" │┃") for line in out.splitlines())
    for name in named_queries:
        assert name in flat


def test_run_with_params_as_csv(store_dir: str) -> None:
    code, out, err = run(
        "run",
        "ptce_indicators",
        "--param",
        f"ptce={ID}ptce/le-damier",
        "-p",
        "indicator=direct-jobs",
        "-o",
        "csv",
        "--store",
        store_dir,
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {(r["date"], float(r["value"])) for r in rows} == {
        ("2016", 167.0),
        ("2019", 348.0),
        ("2022", 430.0),
    }


def test_repeated_param_and_json(store_dir: str) -> None:
    code, out, err = run(
        "run",
        "compare_ptces",
        "--param",
        f"ptce={ID}ptce/synthetic-a",
        "--param",
        f"ptce={ID}ptce/synthetic-c",
        "-o",
        "json",
        "--store",
        store_dir,
    )
    assert code == 0, err
    bindings = json.loads(out)["results"]["bindings"]
    assert [b["ptce"]["value"] for b in bindings] == [
        f"{ID}ptce/synthetic-a",
        f"{ID}ptce/synthetic-c",
    ]


def test_table_output(store_dir: str) -> None:
    code, out, err = run(
        "run", "ptces_meeting_decree_2015_431", "--param", "verdict=meets", "--store", store_dir
    )
    assert code == 0, err
    assert "synthetic-b" in out and "synthetic-c" in out and "2 row(s)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["ptces_on_mars"], "no named query", id="unknown-query"),
        pytest.param(["similar_ptces"], "needs the parameter", id="missing-param"),
        pytest.param(
            ["ptce_indicators", "--param", "colour=red"], "unknown parameter", id="unknown"
        ),
        pytest.param(["ptce_indicators", "--param", "ptce"], "name=value", id="no-equals"),
        pytest.param(
            ["ptce_indicators", "--param", "ptce=> } ; DROP ALL #"], "not an absolute", id="inject"
        ),
        pytest.param(["ptces_by_region", "-o", "turtle"], "cannot be written", id="wrong-format"),
        pytest.param([], "give a query name", id="no-name"),
    ],
)
def test_usage_errors_exit_2(store_dir: str, args: list[str], message: str) -> None:
    code, _out, err = run("run", *args, "--store", store_dir)
    assert code == 2
    assert message in " ".join(err.split())


def test_the_store_is_untouched_by_an_injection(store_dir: str) -> None:
    before = run("stats", "--store", store_dir)[1]
    run("run", "ptces_by_region", "--param", 'region_code=84" } ; DROP ALL #', "--store", store_dir)
    assert run("stats", "--store", store_dir)[1] == before


def test_the_queries_dir_is_configurable(
    tmp_path: Path, store_dir: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken.rq").write_text("SELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    monkeypatch.setenv("PTCE_QUERIES_DIR", str(tmp_path))
    code, _out, err = run("run", "--list")
    assert code == 2
    assert "broken.rq" in err and "no #+ header" in " ".join(err.split())
