"""Every ptce-kg command and exit code (0 ok, 1 rejected, 2 usage/input, 3 internal)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURE_DATA, TEST_DATA
from typer.testing import CliRunner

from ptce_kg import cli

runner = CliRunner()
SMALL = TEST_DATA / "pipeline" / "small-ptce.ttl"
INVALID = TEST_DATA / "pipeline" / "invalid-ptce.ttl"
SYNTAX = TEST_DATA / "pipeline" / "syntax-error.ttl"
TERRITORIES = FIXTURE_DATA / "territories"


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli.app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cli") / "store"
    code, _out, err = run("load", "--store", str(path), str(TERRITORIES), str(SMALL))
    assert code == 0, err
    return str(path)


def test_help_lists_every_command():
    code, out, _ = run("--help")
    assert code == 0
    for command in (
        "load",
        "validate",
        "query",
        "stats",
        "dump",
        "graphs",
        "drop",
        "serve",
        "check-ontology",
        "load-ontology",
    ):
        assert command in out


def test_load_reports_what_it_stored(store_dir: str):
    code, out, _ = run("graphs", "--store", store_dir)
    assert code == 0
    flat = "".join(line.strip(" │┃") for line in out.splitlines())
    assert "graph/small-ptce" in flat and "small-ptce.ttl" in flat


def test_load_rejects_invalid_data_with_exit_1_and_a_report(store_dir: str):
    code, _out, err = run("load", "--store", store_dir, str(INVALID))
    assert code == 1
    assert "synthetic-invalid" in err and "violation" in err


def test_load_syntax_error_exits_2_with_position(tmp_path: Path):
    code, _out, err = run("load", "--store", str(tmp_path / "s"), str(SYNTAX))
    assert code == 2
    assert f"{SYNTAX}:3:" in err.replace("\n", "")


def test_load_unknown_extension_exits_2(tmp_path: Path):
    weird = tmp_path / "data.weird"
    weird.write_text("x")
    code, _out, err = run("load", "--store", str(tmp_path / "s"), str(weird))
    assert code == 2 and "--format" in err


def test_load_no_validate_warns_and_loads(tmp_path: Path):
    code, out, err = run("load", "--no-validate", "--store", str(tmp_path / "s"), str(INVALID))
    assert code == 0
    assert "NOT checked" in err and "loaded" in out


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("scop.ttl", "<https://w3id.org/ptce/id/org/t1> a <https://w3id.org/ptce/ontology#SCOP> ."),
        (
            "scop.nq",
            "<https://w3id.org/ptce/id/org/t1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            "<https://w3id.org/ptce/ontology#SCOP> <https://w3id.org/ptce/graph/dump> .\n",
        ),
    ],
)
def test_load_no_validate_materialises_the_class_hierarchy(tmp_path: Path, name: str, text: str):
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    store = str(tmp_path / "s")
    assert run("load", "--no-validate", "--store", store, str(source))[0] == 0
    ask = (
        "ASK { GRAPH ?g { <https://w3id.org/ptce/id/org/t1> a "
        "<https://w3id.org/ptce/ontology#ESSEnterprise> } FILTER(STRENDS(STR(?g), '/inferred')) }"
    )
    code, out, err = run("query", "--store", store, "-o", "json", ask)
    assert code == 0, err
    assert json.loads(out)["boolean"] is True


def test_validate_text_json_turtle_and_fail_on(store_dir: str):
    code, out, _ = run("validate", "--store", store_dir, str(SMALL))
    assert code == 0 and "conforms" in out
    code, out, _ = run("validate", "--store", store_dir, "-o", "json", str(INVALID))
    assert code == 1
    report = json.loads(out)
    assert report["conforms"] is False and report["violations"] > 0
    code, out, _ = run("validate", "--store", store_dir, "-o", "turtle", str(INVALID))
    assert code == 1 and "sh:ValidationReport" in out
    code, _out, _err = run("validate", "--store", store_dir, "--fail-on", "bogus", str(SMALL))
    assert code == 2


@pytest.mark.parametrize(
    ("fmt", "needle"),
    [
        ("json", '"bindings"'),
        ("xml", "<sparql"),
        ("csv", "n\n1"),
        ("tsv", "?n"),
        ("table", "row(s)"),
    ],
)
def test_query_output_formats(store_dir: str, fmt: str, needle: str):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/ptce/ontology#PTCE> }"
    code, out, err = run("query", "--store", store_dir, "-o", fmt, q)
    assert code == 0, err
    assert needle in out.replace("\r\n", "\n")


def test_query_construct_as_turtle_and_ntriples(store_dir: str, tmp_path: Path):
    rq = tmp_path / "q.rq"
    rq.write_text("CONSTRUCT WHERE { ?s a <https://w3id.org/ptce/ontology#PTCE> }")
    code, out, _ = run("query", "--store", store_dir, "-o", "n-triples", str(rq))
    assert code == 0 and "synthetic-pipeline" in out
    code, out, _ = run("query", "--store", store_dir, "-o", "turtle", str(rq))
    assert code == 0 and "synthetic-pipeline" in out


def test_query_errors_exit_2(store_dir: str):
    code, _out, err = run("query", "--store", store_dir, "SELECT * WHERE { ?s ?p }")
    assert code == 2 and "syntax" in err.lower()
    code, _out, err = run(
        "query", "--store", store_dir, "-o", "turtle", "SELECT * WHERE {?s ?p ?o}"
    )
    assert code == 2


def test_stats_and_dump(store_dir: str, tmp_path: Path):
    code, out, _ = run("stats", "--store", store_dir)
    assert code == 0 and "quads" in out and "PTCE" in out
    target = tmp_path / "dump.nq"
    code, _out, _err = run("dump", "--store", store_dir, "-o", str(target))
    assert code == 0 and target.stat().st_size > 0
    code, out, _ = run(
        "dump",
        "--store",
        store_dir,
        "-f",
        "turtle",
        "--graph",
        "https://w3id.org/ptce/graph/small-ptce",
    )
    assert code == 0 and "synthetic-pipeline" in out
    code, _out, err = run("dump", "--store", store_dir, "-f", "turtle")
    assert code != 0 and "trig" in err


def test_drop_removes_a_graph_and_unknown_graph_exits_2(tmp_path: Path):
    store = str(tmp_path / "s")
    assert run("load", "--store", store, str(TERRITORIES), str(SMALL))[0] == 0
    code, out, _ = run("drop", "--store", store, "https://w3id.org/ptce/graph/small-ptce")
    assert code == 0
    code, out, _ = run("graphs", "--store", store)
    assert "small-ptce" not in out
    code, _out, err = run("drop", "--store", store, "https://w3id.org/ptce/graph/nothing")
    assert code == 2 and "no graph" in err


def test_a_locked_store_is_a_clear_error_for_writes(store_dir: str):
    from ptce_kg.store import open_store

    holder = open_store(store_dir)
    code, _out, err = run("load", "--store", store_dir, str(SMALL))
    reading, _out, _err = run("stats", "--store", store_dir)
    holder.close()
    del holder
    assert code == 2 and "cannot open the store" in err
    assert reading == 0  # read commands open a read-only view of the store


def test_an_unexpected_exception_exits_3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("ptce_kg.pipeline.load_ontology", explode)
    monkeypatch.setattr("sys.argv", ["ptce-kg", "load", "--store", str(tmp_path / "s"), str(SMALL)])
    with pytest.raises(SystemExit) as caught:
        cli.main()
    assert caught.value.code == 3


def test_serve_access_log_is_off_unless_asked(monkeypatch: pytest.MonkeyPatch):
    import uvicorn

    seen: list[bool] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.append(kw["access_log"]))
    monkeypatch.delenv("PTCE_ACCESS_LOG", raising=False)
    assert run("serve", "--store", ":memory:")[0] == 0
    assert run("serve", "--store", ":memory:", "--access-log")[0] == 0
    monkeypatch.setenv("PTCE_ACCESS_LOG", "true")
    assert run("serve", "--store", ":memory:")[0] == 0
    assert seen == [False, True, True]


def test_serve_keeps_idle_connections_longer_than_clients_do(monkeypatch: pytest.MonkeyPatch):
    import uvicorn

    seen: list[int] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.append(kw["timeout_keep_alive"]))
    monkeypatch.delenv("PTCE_KEEP_ALIVE", raising=False)
    assert run("serve", "--store", ":memory:")[0] == 0
    monkeypatch.setenv("PTCE_KEEP_ALIVE", "12")
    assert run("serve", "--store", ":memory:")[0] == 0
    # httpx keeps an idle pooled connection 5 s: the server must keep it longer
    assert seen[0] > 5 and seen[1] == 12


def test_coverage_reports_per_dimension_and_refuses_an_unknown_format(store_dir: str) -> None:
    code, out, err = run("coverage", "--store", store_dir, "-o", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["ptces"] >= 1 and report["examples_included"] is False
    for d in report["dimensions"]:
        assert d["documented"] + d["not_found"] + d["unknown"] == report["ptces"]
    code, _out, err = run("coverage", "--store", store_dir, "-o", "xml")
    assert code == 2 and "unknown output format" in err
