"""Read commands (query, stats, graphs, run, dump): a missing store is exit 2 and none is created;
they open the store read-only, so they work while another process (``ptce-kg serve``) holds it;
``graphs`` and ``stats`` write JSON and CSV, and a table written to a file keeps IRIs whole."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEST_DATA
from typer.testing import CliRunner

from ptce_kg import cli
from ptce_kg.store import open_store

runner = CliRunner()
PTCE_KG = str(Path(sys.executable).with_name("ptce-kg"))
SMALL = TEST_DATA / "pipeline" / "small-ptce.ttl"
LONG_GRAPH = "https://w3id.org/ptce/graph/" + "synthetic-a-graph-name-long-enough-to-wrap-" * 3


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli.app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("read") / "store"
    code, _out, err = run("load", "--store", str(path), "--graph", LONG_GRAPH, str(SMALL))
    assert code == 0, err
    return str(path)


@pytest.mark.parametrize(
    "args",
    [
        ["stats"],
        ["graphs"],
        ["query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"],
        ["run", "actors_in_several_ptces"],
        ["dump"],
    ],
    ids=lambda args: args[0],
)
def test_a_read_command_on_a_missing_store_is_exit_2_and_creates_none(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PTCE_STORE", raising=False)
    code, _out, err = run(*args)
    assert code == 2, err
    assert "no store at" in err and "ptce-kg load" in err
    assert not (tmp_path / ".ptce-store").exists()


def test_graphs_as_json_and_csv(store_dir: str) -> None:
    code, out, _ = run("graphs", "--store", store_dir, "-o", "json")
    assert code == 0
    records = json.loads(out)
    mine = [r for r in records if r["graph"] == LONG_GRAPH]
    assert mine and mine[0]["triples"] > 0 and mine[0]["source"] == "small-ptce.ttl"
    code, out, _ = run("graphs", "--store", store_dir, "-o", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert any(row["graph"] == LONG_GRAPH for row in rows)


def test_stats_as_json_and_csv(store_dir: str) -> None:
    code, out, _ = run("stats", "--store", store_dir, "-o", "json")
    assert code == 0
    stats = json.loads(out)
    assert stats["quads"] > 0 and stats["sources"] == 1
    code, out, _ = run("stats", "--store", store_dir, "-o", "csv")
    assert code == 0
    assert out.splitlines()[0] == "measure,value"


def test_a_table_written_to_a_file_keeps_iris_whole(store_dir: str) -> None:
    """CliRunner's output is not a terminal: the long graph IRI stays on one line."""
    code, out, _ = run("graphs", "--store", store_dir)
    assert code == 0
    assert any(LONG_GRAPH in line for line in out.splitlines())


def test_read_commands_work_while_another_process_holds_the_store(store_dir: str) -> None:
    holder = open_store(store_dir)  # read-write: holds RocksDB's lock, as `ptce-kg serve` does
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PTCE_")}
        done = subprocess.run(
            [PTCE_KG, "query", "--store", store_dir, "-o", "csv", "ASK { ?s ?p ?o }"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert "true" in done.stdout
        validated = subprocess.run(
            [PTCE_KG, "validate", "--store", store_dir, str(SMALL)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert validated.returncode == 0, validated.stderr
        assert "conforms" in validated.stdout
        refused = subprocess.run(
            [PTCE_KG, "load", "--store", store_dir, str(SMALL)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert refused.returncode == 2
        assert "another ptce-kg process is using it" in " ".join(refused.stderr.split())
    finally:
        holder.close()
