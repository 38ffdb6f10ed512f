"""Fixtures of the hostile tests: a loopback listener that records every connection, stores
built by the real command line, and helpers to run a command in a subprocess and read its peak
memory."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ptce_kg.formats import RdfFormat
from ptce_kg.store import Store, open_store

HOSTILE_DATA = Path(__file__).resolve().parent.parent / "data" / "hostile"
PTCE_KG = str(Path(sys.executable).with_name("ptce-kg"))
TOKEN = "hostile-test-token-7f3a9c"


@dataclass
class Listener:
    """A TCP socket on 127.0.0.1 that accepts and records every connection (then closes it)."""

    port: int
    accepted: list[tuple[str, int]] = field(default_factory=list)

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.netloc}/"


@contextmanager
def listening() -> Iterator[Listener]:
    """Open a loopback listener for the duration of the block."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    found = Listener(port=server.getsockname()[1])
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, address = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            found.accepted.append(address)
            conn.close()

    thread = threading.Thread(target=serve, name="loopback-listener", daemon=True)
    thread.start()
    try:
        yield found
    finally:
        stop.set()
        thread.join(timeout=2)
        server.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    """The loopback listener that hostile inputs and queries point at. Tests assert it saw nothing
    (except where an allow-listed SERVICE is meant to reach it)."""
    with listening() as found:
        yield found


@dataclass(frozen=True)
class Run:
    """A finished subprocess: exit code, output, wall time and peak RSS (bytes)."""

    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss: int

    @property
    def output(self) -> str:
        return " ".join((self.stdout + self.stderr).split())


def run_measured(args: Sequence[str], *, timeout: float = 60.0) -> Run:
    """Run ``args`` and return its exit code, output, time and peak RSS (``wait4``'s rusage)."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["COLUMNS"] = "400"  # one line per message: regexes see it whole
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(list(args), stdout=out, stderr=err, env=env)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    return Run(proc.returncode, stdout, stderr, seconds, usage.ru_maxrss * 1024)


def dump_quads(store: Store) -> set[str]:
    """Every quad of the store as an N-Quads line."""
    buf = io.BytesIO()
    store.dump(buf, RdfFormat.N_QUADS)
    return set(buf.getvalue().decode("utf-8").splitlines())


def quads_at(path: Path) -> set[str]:
    """The quads of the on-disk store at ``path`` (opened read-only, released on return)."""
    store = open_store(str(path), read_only=True)
    try:
        return dump_quads(store)
    finally:
        store.close()
        del store


@dataclass(frozen=True)
class TemplateStore:
    """An on-disk store with the ontology, made by ``ptce-kg load-ontology``; copy it per case."""

    path: Path
    quads: frozenset[str]
    baseline_rss: int

    def copy(self, target: Path) -> Path:
        shutil.copytree(self.path, target)
        return target


@pytest.fixture(scope="session")
def template_store(tmp_path_factory: pytest.TempPathFactory) -> TemplateStore:
    """The ontology store, and the peak RSS of a plain ``ptce-kg load`` of one small valid file
    (the baseline memory deltas are measured from)."""
    root = tmp_path_factory.mktemp("template")
    path = root / "store"
    made = run_measured([PTCE_KG, "load-ontology", "--store", str(path)])
    assert made.code == 0, made.output
    quads = frozenset(quads_at(path))
    scratch = shutil.copytree(path, root / "baseline")
    sample = root / "baseline.ttl"
    sample.write_text(
        "<https://w3id.org/ptce/id/org/synthetic-baseline> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "baseline (synthetic)" .\n',
        encoding="utf-8",
    )
    baseline = run_measured([PTCE_KG, "load", str(sample), "--store", str(scratch)])
    assert baseline.code == 0, baseline.output
    return TemplateStore(path, quads, baseline.peak_rss)
