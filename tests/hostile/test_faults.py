"""Faults: a load killed at a random moment leaves the old or the new source, never part of it;
readers see the old or the new graph during a replacement; unwritable, missing and corrupted
stores give a clear StoreError (exit 2) and are never reset; backup and restore give an
isomorphic dataset."""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from hostile.conftest import HOSTILE_DATA, PTCE_KG, quads_at, run_measured
from ptce_kg import pipeline
from ptce_kg.cli.backup import backup_store, restore_store
from ptce_kg.config import PROJECT_ROOT
from ptce_kg.errors import StoreError
from ptce_kg.store import Store, companion_graphs, open_store

SOURCE = "https://w3id.org/ptce/graph/synthetic-kill"
OTHER = "https://w3id.org/ptce/graph/synthetic-other"
ORG = "https://w3id.org/ptce/id/org/synthetic-"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
KILL_TRIALS = 20
SOURCE_TRIPLES = 15_000  # the replacement takes ~1 s on disk here; 200k would take ~30 s a trial


def version(tag: str, count: int) -> bytes:
    """A synthetic source: ``count`` organisations, labelled with ``tag``, and a blank node each."""
    lines = []
    for i in range(count):
        lines.append(f'<{ORG}{i}> <{LABEL}> "Organisation {i} ({tag}, synthetic)" .')
    lines.append(f'<{ORG}0> <{SEE_ALSO}> _:note{tag} .\n_:note{tag} <{LABEL}> "{tag}" .')
    return ("\n".join(lines) + "\n").encode()


def graphs_of(tag: str, count: int) -> dict[str, bytes]:
    inferred, provenance = companion_graphs(SOURCE)
    return {
        SOURCE: version(tag, count),
        inferred: f'<{ORG}0> <{LABEL}> "inferred {tag}" .\n'.encode(),
        provenance: f'<{SOURCE}> <{LABEL}> "{tag}" .\n'.encode(),
    }


WRITER = """
import sys
from pathlib import Path
from ptce_kg.store import open_store
from ptce_kg.store.base import companion_graphs
store_dir, source, data = sys.argv[1], sys.argv[2], Path(sys.argv[3]).read_bytes()
inferred, provenance = companion_graphs(source)
graphs = {source: data, inferred: b'<{org}0> <{label}> "inferred new" .\\n',
          provenance: b'<' + source.encode() + b'> <{label}> "new" .\\n'}
store = open_store(store_dir)
print("ready", flush=True)
store.replace_graphs(graphs)
store.close()
print("done", flush=True)
""".replace("{org}", ORG).replace("{label}", LABEL)


def source_quads(quads: set[str]) -> set[str]:
    """The quads of the source and its companions, blank node labels blanked (each write of a
    document mints new labels; a version holds a single blank node)."""
    names = (SOURCE, *companion_graphs(SOURCE))
    return {re.sub(r"_:\S+", "_:b", q) for q in quads if any(q.endswith(f"<{g}> .") for g in names)}


def raw_source_quads(quads: set[str]) -> set[str]:
    names = (SOURCE, *companion_graphs(SOURCE))
    return {q for q in quads if any(q.endswith(f"<{g}> .") for g in names)}


def finish(proc: subprocess.Popen[str], timeout: float) -> int:
    code = proc.wait(timeout=timeout)
    if proc.stdout is not None:
        proc.stdout.close()
    return code


def start_writer(store_dir: Path, data_file: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(store_dir), SOURCE, str(data_file)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


@pytest.fixture(scope="module")
def previous_version(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    """A store holding the previous version of the source and another graph; its quads."""
    path = tmp_path_factory.mktemp("kill") / "template"
    store = open_store(str(path))
    store.replace_graphs({OTHER: version("other", 50)})
    store.replace_graphs(graphs_of("old", SOURCE_TRIPLES))
    store.close()
    del store
    return path, quads_at(path)


def test_a_load_killed_at_any_moment_leaves_the_old_or_the_new_source(
    tmp_path: Path, previous_version: tuple[Path, set[str]]
) -> None:
    template, old_quads = previous_version
    data_file = tmp_path / "new.nt"
    data_file.write_bytes(version("new", SOURCE_TRIPLES + 37))

    # One full run: the new version's quads, and how long the write takes here.
    calibration = shutil.copytree(template, tmp_path / "calibration")
    writer = start_writer(calibration, data_file)
    started = time.monotonic()
    assert finish(writer, 120) == 0
    duration = time.monotonic() - started
    new_quads = quads_at(calibration)
    assert source_quads(new_quads) != source_quads(old_quads)
    other_quads = old_quads - raw_source_quads(old_quads)
    assert new_quads - raw_source_quads(new_quads) == other_quads

    rng = random.Random(20261126)
    outcomes: list[str] = []
    for trial in range(KILL_TRIALS):
        store_dir = shutil.copytree(template, tmp_path / f"trial-{trial}")
        writer = start_writer(store_dir, data_file)
        time.sleep(rng.uniform(0, duration))
        writer.send_signal(signal.SIGKILL)
        code = finish(writer, 30)
        after = quads_at(store_dir)
        kept = source_quads(after)
        assert after - raw_source_quads(after) == other_quads, f"trial {trial}: others changed"
        if kept == source_quads(old_quads):
            outcomes.append("old")
        elif kept == source_quads(new_quads):
            outcomes.append("new")
        else:
            pytest.fail(f"trial {trial}: {len(kept)} source quads, neither version")
        outcomes[-1] += "" if code == -signal.SIGKILL else " (finished)"
        shutil.rmtree(store_dir)
    killed = [o for o in outcomes if "finished" not in o]
    assert len(killed) >= KILL_TRIALS // 2, f"most kills came too late: {outcomes}"
    assert "old" in killed, f"no kill landed before the commit: {outcomes}"


def test_readers_see_the_old_or_the_new_graph_during_replacements(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "store"))
    sizes = {"a": 3000, "b": 4500}
    store.replace_graphs({SOURCE: version("a", sizes["a"])})
    expected = {sizes["a"] + 2, sizes["b"] + 2}
    seen: list[int] = []
    stop = threading.Event()
    failures: list[BaseException] = []
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SOURCE}> {{ ?s ?p ?o }} }}"

    def read() -> None:
        try:
            while not stop.is_set():
                (row,) = store.query(count).rows
                seen.append(int(str(row[0])))
        except BaseException as e:
            failures.append(e)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        for tag in ("b", "a", "b", "a", "b", "a"):
            store.replace_graphs({SOURCE: version(tag, sizes[tag])})
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=30)
    assert not failures
    assert seen and set(seen) <= expected, sorted(set(seen) - expected)
    store.close()


# ------------------------------------------------------------------------- bad store locations
def files_digest(path: Path) -> dict[str, str]:
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def immutable_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory nobody may write in, root included (``chattr +i``)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available on this file system")
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_a_store_in_a_read_only_directory_is_a_store_error(immutable_dir: Path) -> None:
    target = immutable_dir / "store"
    with pytest.raises(StoreError, match="cannot open the store"):
        open_store(str(target))
    assert not target.exists()
    sample = PROJECT_ROOT / "data" / "territories" / "regions.ttl"
    run = run_measured([PTCE_KG, "load", str(sample), "--store", str(target)])
    assert run.code == 2 and "cannot open the store" in run.output, run.output


def test_a_file_where_the_store_should_be_is_a_store_error(tmp_path: Path) -> None:
    target = tmp_path / "store"
    target.write_text("not a store\n")
    with pytest.raises(StoreError, match="is not a store directory"):
        open_store(str(target))
    assert target.read_text() == "not a store\n"


def test_a_missing_store_opened_read_only_is_a_store_error(tmp_path: Path) -> None:
    target = tmp_path / "missing"
    with pytest.raises(StoreError, match="no store at"):
        open_store(str(target), read_only=True)
    assert not target.exists()


def corrupted_store(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    store = open_store(str(path))
    store.replace_graphs({OTHER: version("corrupt", 20)})
    store.close()
    del store
    rng = random.Random(7)
    for item in path.iterdir():
        if (item.is_file() and item.name.endswith((".sst", ".log"))) or item.name == "CURRENT":
            item.write_bytes(rng.randbytes(max(item.stat().st_size, 64)))
    return path


def test_a_corrupted_store_is_never_reset(tmp_path: Path) -> None:
    path = corrupted_store(tmp_path)
    before = files_digest(path)
    run = run_measured([PTCE_KG, "graphs", "--store", str(path)])
    assert run.code != 0
    with pytest.raises(Exception, match=r"[Cc]orrupt"):
        open_store(str(path))
    after = files_digest(path)
    assert {k: v for k, v in after.items() if not k.startswith("LOG")} == {
        k: v for k, v in before.items() if not k.startswith("LOG")
    }


def test_a_corrupted_store_is_a_store_error_and_exit_2(tmp_path: Path) -> None:
    path = corrupted_store(tmp_path)
    run = run_measured([PTCE_KG, "graphs", "--store", str(path)])
    assert run.code == 2, run.output
    with pytest.raises(StoreError, match=r"[Cc]orrupt"):
        open_store(str(path))


# ------------------------------------------------------------------------------ backup, restore
def graphs_of_store(store: Store) -> dict[str, Graph]:
    """Every graph of the store (``""``: its own default graph) as an rdflib graph."""
    graphs = {g: store.graph_triples(g) for g in store.graph_sizes() if g}
    _kind, graphs[""] = store.query_serialized(
        "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples", default_graph=[""]
    )
    return {g: Graph().parse(data=nt.decode("utf-8"), format="nt") for g, nt in graphs.items()}


def assert_isomorphic(first: Store, second: Store) -> None:
    a, b = graphs_of_store(first), graphs_of_store(second)
    assert set(a) == set(b)
    for name in a:
        assert isomorphic(a[name], b[name]), f"graph <{name}> differs"


@pytest.fixture(scope="module")
def populated_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store: ontology, two PTCE sources, blank nodes, and the default graph."""
    path = tmp_path_factory.mktemp("backup") / "store"
    store = open_store(str(path))
    pipeline.load_ontology(store, PROJECT_ROOT / "ontology")
    shapes = pipeline.read_shapes(PROJECT_ROOT / "shapes")
    for name in ("regions.ttl", "departements.ttl"):
        pipeline.load_source(
            store, PROJECT_ROOT / "data" / "territories" / name, shapes,
            base_iri="https://w3id.org/ptce/",
        )  # fmt: skip
    store.replace_graphs({OTHER: version("bnodes", 10)})
    store.update(f'INSERT DATA {{ <{ORG}d> <{LABEL}> "default graph" . _:x <{LABEL}> "b" }}')
    store.close()
    del store
    return path


def test_backup_and_restore_give_an_isomorphic_dataset(
    tmp_path: Path, populated_store: Path
) -> None:
    backup = tmp_path / "backup"
    made = run_measured([PTCE_KG, "backup", str(backup), "--store", str(populated_store)])
    assert made.code == 0, made.output
    target = tmp_path / "restored"
    restored = run_measured([PTCE_KG, "restore", str(backup), "--store", str(target)])
    assert restored.code == 0, restored.output
    original, copy = open_store(str(populated_store), read_only=True), open_store(str(target))
    assert copy.quad_count() == original.quad_count() > 0
    assert_isomorphic(original, copy)


def test_restore_never_overwrites_a_store(tmp_path: Path, populated_store: Path) -> None:
    backup = tmp_path / "backup"
    assert run_measured([PTCE_KG, "backup", str(backup), "--store", str(populated_store)]).code == 0
    target = tmp_path / "existing"
    store = open_store(str(target))
    store.replace_graphs({OTHER: version("keep", 5)})
    store.close()
    del store
    before = quads_at(target)
    run = run_measured([PTCE_KG, "restore", str(backup), "--store", str(target)])
    assert run.code == 2 and "already holds a store" in run.output, run.output
    assert quads_at(target) == before
    again = run_measured([PTCE_KG, "backup", str(backup), "--store", str(populated_store)])
    assert again.code == 2 and "already exists" in again.output


def test_a_memory_store_backs_up_as_n_quads(tmp_path: Path) -> None:
    store = open_store(":memory:")
    store.replace_graphs({OTHER: version("memory", 10)})
    store.update(f'INSERT DATA {{ _:x <{LABEL}> "default" }}')
    info = backup_store(store, tmp_path / "backup")
    assert info["format"] == "n-quads" and (tmp_path / "backup" / "dataset.nq").is_file()
    target = tmp_path / "restored"
    quads = restore_store(tmp_path / "backup", str(target), lambda: open_store(str(target)))
    assert quads == store.quad_count()
    assert_isomorphic(store, open_store(str(target), read_only=True))


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    run = run_measured([PTCE_KG, "restore", str(HOSTILE_DATA), "--store", str(tmp_path / "t")])
    assert run.code == 2 and "not a ptce-kg backup" in run.output
    assert not (tmp_path / "t").exists()
    assert os.listdir(tmp_path) == []
