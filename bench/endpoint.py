"""Endpoint benchmark: ptce_kg's SPARQL endpoint vs the Oxigraph server vs rdflib-endpoint.

For each size (default 100k triples) it prepares ONE dataset and serves it three ways, all on
127.0.0.1, on free ports, started and stopped by this script:

  ptce_kg   ``ptce-kg load --no-validate`` (or ``--validated``) of the synthetic file and the
            territory files into a fresh on-disk store, then ``ptce-kg serve`` with its defaults:
            time limit, result caps, reach check, read-only, query worker processes.
  oxigraph  ``oxigraph serve-read-only --union-default-graph`` over an on-disk store made with
            ``oxigraph load`` from the N-Quads dump of the ptce_kg store.
  rdflib    ``rdflib-endpoint serve`` of that same N-Quads dump (rdflib Dataset, default union).

The three therefore hold exactly the same quads (ptce_kg adds its ontology and ontology-closure
graphs to a store; the dump carries them to the others). Before timing, the total triple count
and every query's answer (row count, and the bag of values) are compared across servers; any
disagreement is printed.

Then one load client (raw HTTP/1.1 over keep-alive sockets, one thread and one connection per
concurrent client, GET ``?query=``) sends a fixed number of requests per (server, query,
concurrency) cell, under a wall-clock cap per cell, at 1, 4 and 16 concurrent clients, over the
query mix in bench/queries/*.rq. It prints requests/s, p50 and p95 latency per cell, the ratios
ptce_kg/oxigraph and ptce_kg/rdflib-endpoint (of requests/s), and the targets with ✓/✗.

    .venv/bin/python bench/endpoint.py                                   # 100k
    .venv/bin/python bench/endpoint.py --sizes 100000,1000000 --json     # rdflib only ≤ 100k
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
OUT = BENCH / "out"
QUERIES = BENCH / "queries"
BIN = Path(sys.executable).parent
TERRITORIES = sorted((ROOT / "data" / "territories").glob("*.ttl"))
SERVERS = ("ptce_kg", "oxigraph", "rdflib", "hello", "hello_hop")
DEFAULT_SERVERS = ("ptce_kg", "oxigraph", "rdflib")
LABELS = {
    "ptce_kg": "ptce_kg",
    "oxigraph": "oxigraph",
    "rdflib": "rdflib-endpoint",
    "hello": "asgi-hello",
    "hello_hop": "asgi-hello+hop",
}
# The ceiling of any Python ASGI server here: uvicorn (same settings as `ptce-kg serve`: httptools,
# uvloop, no access log) with a bare ASGI app that answers every request with a fixed SPARQL JSON
# body, touching neither a store nor a worker process. Not a SPARQL server: its answers are not
# checked, its cells only say how fast Python can answer HTTP on this machine. "hello_hop" adds
# what ptce_kg's safety needs at the least: one round trip per request to a worker process (a
# forked child answering a few raw bytes over a socketpair, read on the event loop).
HELLO_APP = """
import asyncio, os, socket

BODY = b'{"head":{"vars":["label"]},"results":{"bindings":[]}}'
HEADERS = [(b"content-type", b"application/sparql-results+json")]
SOCKETS = []
if os.environ.get("HELLO_HOP") == "1":
    for _ in range(2):  # two workers, like ptce_kg's default
        parent, child = socket.socketpair()
        if os.fork() == 0:
            parent.close()
            while child.recv(65536):
                child.sendall(BODY)
            os._exit(0)
        child.close()
        parent.setblocking(False)
        SOCKETS.append(parent)
FREE = None


async def app(scope, receive, send):
    global FREE
    if scope["type"] != "http":
        return
    body = BODY
    if SOCKETS:
        if FREE is None:
            FREE = asyncio.Queue()
            for sock in SOCKETS:
                FREE.put_nowait(sock)
        sock = await FREE.get()
        loop = asyncio.get_running_loop()
        await loop.sock_sendall(sock, scope["query_string"][:64] or b"q")
        body = await loop.sock_recv(sock, 65536)
        FREE.put_nowait(sock)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": body})
"""
CHEAP = ("lookup_label", "construct_ptce")  # the rest of the mix is "heavy"
SELECT_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples"
TARGETS = {  # (kind, other server) → least ratio of ptce_kg's requests/s to the other's
    ("cheap", "oxigraph"): 0.8,
    ("heavy", "oxigraph"): 0.9,
    ("heavy", "rdflib"): 20.0,
}


# ------------------------------------------------------------------------------------ the client
class HttpConnection:
    """A minimal keep-alive HTTP/1.1 client: GET, Content-Length or chunked bodies."""

    def __init__(self, port: int, timeout: float) -> None:
        self.port = port
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.reader: Any = None

    def _connect(self) -> None:
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile("rb", buffering=65536)

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.reader.close()
                self.sock.close()
            finally:
                self.sock = None

    def get(self, target: str, accept: str) -> tuple[int, bytes]:
        if self.sock is None:
            self._connect()
        assert self.sock is not None
        request = (
            f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nAccept: {accept}\r\n"
            "User-Agent: ptce-bench\r\n\r\n"
        ).encode("ascii")
        try:
            self.sock.sendall(request)
            status_line = self.reader.readline()
            if not status_line:
                raise ConnectionError("connection closed by the server")
            status = int(status_line.split()[1])
            length = None
            chunked = close = False
            while True:
                line = self.reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                name, value = name.strip().lower(), value.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "transfer-encoding" and "chunked" in value:
                    chunked = True
                elif name == "connection" and value == "close":
                    close = True
            if chunked:
                parts = []
                while True:
                    size = int(self.reader.readline().split(b";")[0].strip(), 16)
                    if size == 0:
                        while self.reader.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        break
                    parts.append(self.reader.read(size))
                    self.reader.readline()
                body = b"".join(parts)
            elif length is not None:
                body = self.reader.read(length)
            else:
                body = self.reader.read()
                close = True
        except BaseException:
            self.close()
            raise
        if close:
            self.close()
        return status, body


@dataclass
class Query:
    name: str
    text: str
    kind: str  # "cheap" / "heavy"
    form: str  # "select" / "graph"

    @property
    def accept(self) -> str:
        return GRAPH_ACCEPT if self.form == "graph" else SELECT_ACCEPT


def read_queries(names: list[str] | None) -> list[Query]:
    queries = []
    for path in sorted(QUERIES.glob("*.rq")):
        if names and path.stem not in names:
            continue
        text = path.read_text(encoding="utf-8")
        body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
        form = "graph" if "CONSTRUCT" in body.upper() or "DESCRIBE" in body.upper() else "select"
        queries.append(Query(path.stem, text, "cheap" if path.stem in CHEAP else "heavy", form))
    order = {name: i for i, name in enumerate(CHEAP)}
    return sorted(queries, key=lambda q: (q.kind != "cheap", order.get(q.name, 0), q.name))


# ------------------------------------------------------------------------------------ the servers
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    port: int
    path: str  # the query route
    process: subprocess.Popen[bytes]
    log: Path
    started_in: float = 0.0
    rss_mb: float = 0.0
    extra_pids: list[int] = field(default_factory=list)

    def target(self, sparql: str) -> str:
        return f"{self.path}?query={quote(sparql, safe='')}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def _rss_tree_mb(pid: int) -> float:
    """Resident memory of a process and its children (ptce_kg's query workers), in MiB."""
    total = 0
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):  # workers are started from other threads
        with contextlib.suppress(OSError):
            pids += [int(c) for c in (task / "children").read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def start_server(name: str, workdir: Path, nquads: Path, timeout: float) -> Server:
    port = free_port()
    log = workdir / f"{name}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PTCE_")}
    if name == "ptce_kg":
        cmd = [str(BIN / "ptce-kg"), "serve", "--store", str(workdir / "ptce-store")]
        cmd += ["--host", "127.0.0.1", "--port", str(port)]
        path = "/sparql"
    elif name == "oxigraph":
        cmd = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(workdir / "ox-store")]
        cmd += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
        path = "/query"
    elif name in ("hello", "hello_hop"):
        (workdir / "asgi_hello.py").write_text(HELLO_APP, encoding="utf-8")
        env["HELLO_HOP"] = "1" if name == "hello_hop" else "0"
        cmd = [str(BIN / "uvicorn"), "asgi_hello:app", "--app-dir", str(workdir)]
        cmd += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
        path = "/sparql"
    else:
        cmd = [str(BIN / "rdflib-endpoint"), "serve", str(nquads)]
        cmd += ["--host", "127.0.0.1", "--port", str(port)]
        path = "/"
    t0 = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=ROOT
        )
    server = Server(name, port, path, process, log)
    probe = "ASK { ?s ?p ?o }"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited ({process.returncode}): {log.read_text()[-500:]}")
        try:
            conn = HttpConnection(port, 30)
            status, _ = conn.get(server.target(probe), SELECT_ACCEPT)
            conn.close()
            if status == 200:
                server.started_in = time.perf_counter() - t0
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} did not answer within {timeout:.0f} s")


# --------------------------------------------------------------------------------------- prepare
def run(cmd: list[str], what: str) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed ({proc.returncode}): {proc.stderr[-800:]}")
    return time.perf_counter() - t0


def data_file(size: int, seed: int) -> Path:
    path = DATA / f"synthetic-{size}-s{seed}.nt"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        run(
            [
                sys.executable,
                str(BENCH / "generate.py"),
                "--triples",
                str(size),
                "--format",
                "nt",
                "--seed",
                str(seed),
                "--output",
                str(path),
            ],
            "generate.py",
        )
    return path


def prepare(size: int, seed: int, validated: bool) -> tuple[Path, Path, dict[str, float]]:
    """The ptce_kg store, its N-Quads dump and the Oxigraph store for ``size``."""
    workdir = OUT / f"endpoint-{size}"
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    source = data_file(size, seed)
    store, nquads, ox = workdir / "ptce-store", workdir / "dataset.nq", workdir / "ox-store"
    times = {}
    load = [str(BIN / "ptce-kg"), "load", "--store", str(store)]
    load += [] if validated else ["--no-validate"]
    times["ptce_kg load"] = run([*load, str(source), *map(str, TERRITORIES)], "ptce-kg load")
    times["dump"] = run(
        [str(BIN / "ptce-kg"), "dump", "--store", str(store), "--output", str(nquads)],
        "ptce-kg dump",
    )
    times["oxigraph load"] = run(
        [str(BIN / "oxigraph"), "load", "--location", str(ox), "--file", str(nquads)],
        "oxigraph load",
    )
    return workdir, nquads, times


# ------------------------------------------------------------------------------------- answers
def _term_key(term: dict[str, str]) -> str:
    """A value as the servers agree on it: kind, lexical form, language (datatype left out:
    rdflib and Oxigraph differ on whether plain literals carry xsd:string)."""
    return f"{term.get('type')}|{term.get('value')}|{term.get('xml:lang', '')}"


def summarise(query: Query, status: int, body: bytes) -> dict[str, Any]:
    """Rows (SELECT) or distinct triples (CONSTRUCT) and a digest of the values."""
    if status != 200:
        return {"status": status, "error": body[:300].decode("utf-8", "replace")}
    if query.form == "graph":
        lines = {
            line.strip()
            for line in body.decode("utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        }
        digest = hashlib.sha1("\n".join(sorted(lines)).encode()).hexdigest()[:12]
        return {"status": status, "rows": len(lines), "digest": digest}
    doc = json.loads(body)
    bindings = doc["results"]["bindings"]
    rows = sorted("\t".join(f"{k}={_term_key(b[k])}" for k in sorted(b)) for b in bindings)
    digest = hashlib.sha1("\n".join(rows).encode()).hexdigest()[:12]
    return {"status": status, "rows": len(bindings), "digest": digest}


def check_answers(
    servers: dict[str, Server], queries: list[Query], timeout: float
) -> tuple[dict[str, Any], list[str]]:
    """One request per (server, query) plus a triple count; returns answers and disagreements."""
    # DISTINCT: Oxigraph's union default graph repeats a triple held by several graphs (the
    # ontology and its closure share some), rdflib's Dataset(default_union=True) does not.
    count = Query(
        "triple_count",
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
        "check",
        "select",
    )
    answers: dict[str, Any] = {}
    problems = []
    for query in [count, *queries]:
        answers[query.name] = {}
        for name, server in servers.items():
            if name.startswith("hello"):
                continue
            conn = HttpConnection(server.port, timeout)
            t0 = time.perf_counter()
            try:
                status, body = conn.get(server.target(query.text), query.accept)
                summary = summarise(query, status, body)
                if query is count and status == 200:
                    summary["triples"] = int(
                        json.loads(body)["results"]["bindings"][0]["n"]["value"]
                    )
            except (OSError, ValueError) as e:
                summary = {"status": None, "error": f"{type(e).__name__}: {e}"}
            finally:
                conn.close()
            summary["seconds"] = time.perf_counter() - t0
            answers[query.name][name] = summary
        got = answers[query.name]
        keys = {n: (s.get("rows"), s.get("digest"), s.get("triples")) for n, s in got.items()}
        if len(set(keys.values())) > 1 or any(s.get("status") != 200 for s in got.values()):
            problems.append(
                f"{query.name}: "
                + "; ".join(
                    f"{LABELS[n]} {s.get('triples', s.get('rows', 'ERR'))} "
                    f"({s.get('digest') or s.get('error', '')[:120]})"
                    for n, s in got.items()
                )
            )
    return answers, problems


# ------------------------------------------------------------------------------------- timing
def percentile(values: list[float], p: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _quiet_get(conn: HttpConnection, target: str, accept: str) -> None:
    with contextlib.suppress(OSError):
        conn.get(target, accept)


def run_cell(
    server: Server,
    query: Query,
    concurrency: int,
    requests: int,
    cap: float,
    warm_up: bool = True,
) -> dict[str, Any]:
    """``requests`` requests by ``concurrency`` clients, stopped at ``cap`` seconds.

    Each client first sends one untimed request when ``warm_up`` (the endpoint's first requests
    start threads and fill caches)."""
    target = server.target(query.text)
    conns = [HttpConnection(server.port, cap) for _ in range(concurrency)]
    for c in conns:
        c._connect()
    if warm_up:  # one untimed request per connection, all at once (threads, worker caches)
        warmers = [
            threading.Thread(target=_quiet_get, args=(c, target, query.accept), daemon=True)
            for c in conns
        ]
        for t in warmers:
            t.start()
        for t in warmers:
            t.join()
    lock = threading.Lock()
    issued = 0
    latencies: list[float] = []
    errors: dict[str, int] = {}
    start = threading.Barrier(concurrency + 1)
    deadline = 0.0

    def client(conn: HttpConnection) -> None:
        nonlocal issued
        start.wait()
        while True:
            with lock:
                if issued >= requests or time.perf_counter() >= deadline:
                    return
                issued += 1
            t0 = time.perf_counter()
            try:
                status, _ = conn.get(target, query.accept)
                error = None if status == 200 else f"HTTP {status}"
            except TimeoutError:
                error = "request timed out"
            except OSError as e:
                error = type(e).__name__
            elapsed = time.perf_counter() - t0
            with lock:
                if error is None:
                    latencies.append(elapsed)
                else:
                    errors[error] = errors.get(error, 0) + 1

    threads = [threading.Thread(target=client, args=(c,), daemon=True) for c in conns]
    for t in threads:
        t.start()
    t_start = time.perf_counter()
    deadline = t_start + cap
    start.wait()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t_start
    for c in conns:
        c.close()
    done = len(latencies)
    return {
        "requests": requests,
        "completed": done,
        "errors": errors,
        "seconds": wall,
        "rps": done / wall if wall > 0 else 0.0,
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "partial": done < requests,
    }


def settle(server: Server, seconds: float) -> None:
    """After a cell that left requests behind, wait until the server answers a trivial query."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        conn = HttpConnection(server.port, max(deadline - time.monotonic(), 1.0))
        try:
            status, _ = conn.get(server.target("ASK {}"), SELECT_ACCEPT)
            if status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()


# ------------------------------------------------------------------------------------- report
def ratio(cells: dict[str, Any], server: str, other: str) -> float | None:
    a, b = cells.get(server), cells.get(other)
    if not a or not b or "rps" not in a or "rps" not in b or not b["rps"] or not a["rps"]:
        return None
    return float(a["rps"] / b["rps"])


def render(size: int, result: dict[str, Any], queries: list[Query], levels: list[int]) -> str:
    lines = [f"== {size:,} triples ({result['triples']:,} quads served) =="]
    head = (
        f"{'query':<24}{'c':>3}  "
        + "  ".join(f"{LABELS[s] + ' req/s':>22} {'p50':>8} {'p95':>8}" for s in result["servers"])
        + f"  {'ptce/ox':>8} {'ptce/rdflib':>11}"
        + "".join(f" {h + '/ox':>13}" for h in ("hello", "hello_hop") if h in result["servers"])
    )
    lines += [head, "-" * len(head)]
    for query in queries:
        for c in levels:
            cells = result["cells"][query.name][str(c)]
            parts = []
            for s in result["servers"]:
                cell = cells.get(s)
                if cell is None:
                    parts.append(f"{'—':>22} {'':>8} {'':>8}")
                elif "skipped" in cell:
                    parts.append(f"{cell['skipped'][:22]:>22} {'':>8} {'':>8}")
                else:
                    mark = ""
                    if cell["partial"]:
                        mark = f" ({cell['completed']}/{cell['requests']})"
                    if cell["errors"]:
                        mark += " E"
                    rps = f"{cell['rps']:,.1f}{mark}"
                    parts.append(f"{rps:>22} {cell['p50_ms']:8.1f} {cell['p95_ms']:8.1f}")
            r_ox, r_rd = ratio(cells, "ptce_kg", "oxigraph"), ratio(cells, "ptce_kg", "rdflib")
            hellos = [h for h in ("hello", "hello_hop") if h in result["servers"]]
            lines.append(
                f"{query.name + ' (' + query.kind[0] + ')':<24}{c:>3}  "
                + "  ".join(parts)
                + f"  {_fmt_ratio(r_ox):>8} {_fmt_ratio(r_rd):>11}"
                + "".join(f" {_fmt_ratio(ratio(cells, h, 'oxigraph')):>13}" for h in hellos)
            )
    return "\n".join(lines)


def _fmt_ratio(r: float | None) -> str:
    return "—" if r is None else f"{r:.2f}×"


def check_targets(
    results: dict[int, dict[str, Any]], queries: list[Query], levels: list[int]
) -> list[dict[str, Any]]:
    """Per size and target: geometric mean of the per-cell ratios, the worst cell, ✓/✗."""
    rows = []
    for size, result in results.items():
        for (kind, other), limit in TARGETS.items():
            ratios = []
            lower_bound = False
            for query in queries:
                if query.kind != kind:
                    continue
                for c in levels:
                    cells = result["cells"][query.name][str(c)]
                    r = ratio(cells, "ptce_kg", other)
                    if r is None:
                        continue
                    ratios.append((r, query.name, c))
                    if other == "rdflib" and cells[other].get("partial"):
                        lower_bound = True  # rdflib's rps is an upper bound → ratio a lower one
            label = f"{size:,}: ptce_kg ≥ {limit:g}× {LABELS[other]} on {kind} queries"
            if not ratios:
                rows.append({"target": label, "met": "?", "measured": "no measurement"})
                continue
            geo = math.exp(statistics.fmean(math.log(r) for r, _, _ in ratios))
            worst = min(ratios)
            ok = sum(r >= limit for r, _, _ in ratios)
            measured = (
                f"geomean {geo:.2f}× over {len(ratios)} cells, worst {worst[0]:.2f}× "
                f"({worst[1]} c={worst[2]}), {ok}/{len(ratios)} cells ≥ {limit:g}×"
                + (" (rdflib partial: lower bound)" if lower_bound else "")
            )
            rows.append(
                {"target": label, "met": "✓" if geo >= limit else "✗", "measured": measured}
            )
    return rows


def machine() -> dict[str, Any]:
    try:
        load = os.getloadavg()
    except OSError:
        load = (math.nan,) * 3
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "loadavg": [round(x, 2) for x in load],
    }


# ------------------------------------------------------------------------------------- main
def bench_size(size: int, args: argparse.Namespace, queries: list[Query]) -> dict[str, Any]:
    levels = args.levels

    def say(msg: str) -> None:
        print(f"[{size:,}] {msg}", file=sys.stderr, flush=True)

    workdir, nquads, prep = prepare(size, args.seed, args.validated)
    say("prepared: " + ", ".join(f"{k} {v:.1f} s" for k, v in prep.items()))
    wanted = args.servers.split(",") if args.servers else DEFAULT_SERVERS
    names = [s for s in SERVERS if s in wanted and not (s == "rdflib" and size > args.rdflib_max)]
    servers: dict[str, Server] = {}
    result: dict[str, Any] = {"prepare_seconds": prep, "servers": names, "cells": {}}
    try:
        for name in names:
            servers[name] = start_server(name, workdir, nquads, args.start_timeout)
            say(f"{LABELS[name]} up on :{servers[name].port} in {servers[name].started_in:.1f} s")
        result["started_in"] = {n: s.started_in for n, s in servers.items()}
        answers, problems = check_answers(servers, queries, args.cap * 3)
        result["answers"], result["disagreements"] = answers, problems
        counts = answers["triple_count"]
        result["triples"] = counts.get("ptce_kg", {}).get("triples", 0)
        for problem in problems:
            say("DISAGREEMENT " + problem)
        if not problems:
            say(
                "answers agree: "
                + ", ".join(f"{q.name} {answers[q.name]['ptce_kg']['rows']}" for q in queries)
                + f"; {result['triples']:,} triples"
            )
        for query in queries:
            result["cells"][query.name] = {}
            for c in levels:
                cells: dict[str, Any] = {}
                for name, server in servers.items():
                    single = answers[query.name].get(name, {"status": 200, "seconds": 0.0})
                    if single.get("status") != 200:
                        cells[name] = {"skipped": "error in check"}
                        continue
                    if single["seconds"] > args.cap:
                        cells[name] = {"skipped": f"timed out ({single['seconds']:.0f} s/req)"}
                        continue
                    warm = single["seconds"] * c < args.cap / 4  # not for very slow cells
                    cell = run_cell(server, query, c, args.requests, args.cap, warm_up=warm)
                    cells[name] = cell
                    if cell["partial"] or cell["errors"]:
                        settle(server, args.cap * 2)
                    say(
                        f"{query.name:<24} c={c:<2} {LABELS[name]:<16} {cell['rps']:8.1f} req/s "
                        f"p50 {cell['p50_ms']:7.1f} ms p95 {cell['p95_ms']:7.1f} ms"
                        + (
                            f" partial {cell['completed']}/{cell['requests']}"
                            if cell["partial"]
                            else ""
                        )
                        + (f" errors {cell['errors']}" if cell["errors"] else "")
                    )
                result["cells"][query.name][str(c)] = cells
        result["rss_mb"] = {n: _rss_tree_mb(s.process.pid) for n, s in servers.items()}
    finally:
        for server in servers.values():
            server.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000", help="comma-separated triple counts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--levels", default="1,4,16", help="concurrent clients per cell")
    parser.add_argument("--requests", type=int, default=200, help="requests per cell")
    parser.add_argument("--cap", type=float, default=20.0, help="wall-clock cap per cell (s)")
    parser.add_argument(
        "--rdflib-max", type=int, default=100_000, help="largest size rdflib-endpoint serves"
    )
    parser.add_argument(
        "--servers",
        help=f"subset of: {', '.join(SERVERS)} (default {','.join(DEFAULT_SERVERS)}; "
        "hello = a bare uvicorn ASGI app, the ceiling of a Python server)",
    )
    parser.add_argument("--queries", help="comma-separated subset of bench/queries/*.rq names")
    parser.add_argument(
        "--validated", action="store_true", help="validated ptce-kg load (default --no-validate)"
    )
    parser.add_argument("--start-timeout", type=float, default=600.0)
    parser.add_argument("--keep", action="store_true", help="keep bench/out/endpoint-SIZE/")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args(argv)
    args.levels = [int(x) for x in args.levels.split(",")]
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    queries = read_queries(args.queries.split(",") if args.queries else None)
    OUT.mkdir(parents=True, exist_ok=True)

    info = machine()
    results: dict[int, dict[str, Any]] = {}
    for size in sizes:
        results[size] = bench_size(size, args, queries)
    info["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]

    print(
        f"\nptce_kg endpoint benchmark — {info['date']}, {info['cpus']} CPUs, Python "
        f"{info['python']}, load average {info['loadavg']} → {info['loadavg_after']}"
    )
    print(
        f"{args.requests} requests per cell, cap {args.cap:g} s per cell; GET ?query=, keep-alive; "
        f"Accept {SELECT_ACCEPT} (SELECT) / {GRAPH_ACCEPT} (CONSTRUCT); (c) cheap, (h) heavy;\n"
        "req/s with (completed/requested) when the cap stopped a cell, E when errors; "
        "p50/p95 in ms\n"
    )
    for size, result in results.items():
        print(render(size, result, queries, args.levels))
        for problem in result.get("disagreements", []):
            print(f"  DISAGREEMENT {problem}")
        if not result.get("disagreements"):
            print("  answers agree across servers (rows and values) for every query")
        print(
            "  prepare: "
            + ", ".join(f"{k} {v:.1f} s" for k, v in result["prepare_seconds"].items())
            + "; started in: "
            + ", ".join(f"{LABELS[k]} {v:.1f} s" for k, v in result.get("started_in", {}).items())
            + "; RSS after: "
            + ", ".join(f"{LABELS[k]} {v:.0f} MB" for k, v in result.get("rss_mb", {}).items())
        )
        print()
    targets = check_targets(results, queries, args.levels)
    print("targets (ratios of requests/s):")
    for t in targets:
        print(f"  {t['met']} {t['target']}: {t['measured']}")
    if args.json:
        payload = {
            "machine": info,
            "settings": {
                "requests": args.requests,
                "cap": args.cap,
                "levels": args.levels,
                "validated": args.validated,
            },
            "results": {str(s): r for s, r in results.items()},
            "targets": targets,
        }
        line = json.dumps(payload, ensure_ascii=False)
        print(line)
        (OUT / "endpoint-latest.json").write_text(line + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
