"""Soak test: drive the service with a bounded number of mixed requests from concurrent clients.

Without ``--url`` it builds an on-disk store from the bundled dataset (ontology, territories, the
PTCE sources, each validated) in a temporary directory and starts ``ptce-kg serve`` on it on
127.0.0.1 with a write token. Then ``--requests`` requests (default 5,000) run from
``--clients`` concurrent clients (default 32), ``--rounds`` times against the same server: cheap
and heavy SPARQL queries, named queries (``/api/queries/…`` with their example parameters), page
views (``/``, ``/id/ptce/…``) and authorised writes (Graph Store PUT of a small synthetic graph,
validated by the server). ``--mix`` sends only some kinds, e.g. ``--mix page`` or
``--mix page=3,write=1`` (kind=share), to find which kind of request memory follows.

It prints the count, the errors (any status >= 400 or transport error; must be 0), requests/s,
p50/p95/p99 latency per kind, and the RSS of the server process and of its query workers, sampled
every 0.25 s: the mean over each tenth of the requests (a plateau or a slope), and the growth
from the first to the last decile of the samples, over the whole run and after the warm-up.
"Memory flat" is judged after the warm-up (``--warmup``, the first 10 % of the requests by
default): less than 10 % growth, for the server and for the workers. Exit 1 otherwise, or on any
error. The warm-up is there because the first requests fill memory that stays bounded (the
thread pool grows to its size, templates compile, modules load lazily, caches fill: pages alone
grow 50 MB over their first 1,000 requests, then stay flat). Writes fill the server's store
caches, of fixed size, much more slowly (thousands of writes): when the mix has writes,
``--prefill-writes`` (default 1,600) are sent one by one before the run and not counted, so that
the run measures what comes after most of that filling. Run long enough to tell a plateau
from a slope (``--rounds 4``: 20,000 requests). bench/README.md, "Soak", has the figures.

    .venv/bin/python bench/soak.py                      # 5,000 requests, 32 clients
    .venv/bin/python bench/soak.py --rounds 4           # 20,000 requests, one server
    .venv/bin/python bench/soak.py --mix write --requests 300 --prefill-writes 0
    .venv/bin/python bench/soak.py --url http://127.0.0.1:8000 --token "$PTCE_WRITE_TOKEN" --pid PID
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PTCE_KG = str(Path(sys.executable).with_name("ptce-kg"))
JSON = "application/sparql-results+json"
BASE = "https://w3id.org/ptce/"
CHEAP = [
    "ASK { ?s ?p ?o }",
    "SELECT ?s ?label WHERE { ?s a <https://w3id.org/ptce/ontology#PTCE> ; "
    "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label } LIMIT 10",
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/ptce/graph/regions> { ?s ?p ?o } }",
]
HEAVY = [
    "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n)",
    "SELECT ?p (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?subjects) WHERE { ?s ?p ?o } GROUP BY ?p",
    "SELECT ?ptce (COUNT(DISTINCT ?m) AS ?members) WHERE { ?m <http://www.w3.org/ns/org#organization>"
    " ?ptce } GROUP BY ?ptce ORDER BY DESC(?members)",
]
#: Share of each kind of request.
#: Writes are serialised and each validates against a copy of the store (~0.1 s alone on the
#: bundled dataset, seconds under the soak as they queue for the writer lock): 2 %.
MIX = {"sparql-cheap": 33, "sparql-heavy": 10, "named-query": 22, "page": 33, "write": 2}
#: Writes sent before the run when the mix has writes (see :func:`prefill`).
PREFILL_WRITES = 1600


@dataclass
class Sample:
    """One RSS reading: requests completed so far (over all rounds), server and worker RSS."""

    done: int
    server: int
    workers: int


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    completed: int = 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(*args: str) -> None:
    subprocess.run([PTCE_KG, *args], check=True, stdout=subprocess.DEVNULL)


@contextmanager
def local_server(token: str, extra_env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """Build the bundled dataset's store and serve it; yield (url, server pid)."""
    with tempfile.TemporaryDirectory(prefix="ptce-soak-") as folder:
        store = str(Path(folder) / "store")
        started = time.monotonic()
        run("load-ontology", "--store", store)
        run("load", str(ROOT / "data" / "territories"), "--store", store)
        run("load", str(ROOT / "data" / "ptce"), "--store", store)
        print(f"store built in {time.monotonic() - started:.1f} s", file=sys.stderr)
        port = free_port()
        env = os.environ | extra_env | {"PTCE_WRITE_TOKEN": token}
        server = subprocess.Popen(
            [PTCE_KG, "serve", "--store", store, "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            else:
                raise SystemExit("the server did not start")
            yield url, server.pid
        finally:
            server.terminate()
            server.wait(timeout=30)


def tree_rss(pid: int) -> int:
    """RSS of ``pid`` and its children (the query worker processes)."""
    total = rss_of(pid) or 0
    children: list[str] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += (task / "children").read_text().split()
        except OSError:
            continue
    return total + sum(tree_rss(int(child)) for child in children)


def rss_of(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def synthetic_graph(i: int) -> bytes:
    node = f"https://w3id.org/ptce/id/org/synthetic-soak-{i}"
    return (
        f"<{node}> a <http://www.w3.org/ns/org#Organization> ;\n"
        f'  <http://www.w3.org/2004/02/skos/core#prefLabel> "Organisation {i} (synthétique)"@fr ;\n'
        f'  <http://www.w3.org/2000/01/rdf-schema#label> "Organisation {i} (synthétique)"@fr .\n'
    ).encode()


async def plan(
    client: httpx.AsyncClient,
) -> tuple[list[str], list[tuple[str, dict[str, list[str]]]]]:
    """Page paths and named queries (with example parameters) to draw from."""
    answer = await client.get(
        "/sparql",
        params={"query": "SELECT ?s WHERE { ?s a <https://w3id.org/ptce/ontology#PTCE> } LIMIT 50"},
        headers={"Accept": JSON},
    )
    answer.raise_for_status()
    pages = ["/"] + [
        "/" + b["s"]["value"].removeprefix(BASE)
        for b in answer.json()["results"]["bindings"]
        if b["s"]["value"].startswith(BASE)
    ]
    named: list[tuple[str, dict[str, list[str]]]] = []
    catalogue = await client.get("/api/queries", headers={"Accept": "application/json"})
    if catalogue.status_code == 200:
        for entry in catalogue.json():
            params = {
                name: str(spec["example"]).split() if spec.get("multiple") else [spec["example"]]
                for name, spec in entry["params"].items()
                if "example" in spec
            }
            if all(
                name in params for name, spec in entry["params"].items() if spec.get("required")
            ):
                named.append((entry["links"]["json"], params))
    return pages, named


async def one(
    client: httpx.AsyncClient,
    kind: str,
    i: int,
    rng: random.Random,
    pages: list[str],
    named: list[tuple[str, dict[str, list[str]]]],
    token: str,
) -> httpx.Response:
    if kind == "sparql-cheap":
        return await client.get(
            "/sparql", params={"query": rng.choice(CHEAP)}, headers={"Accept": JSON}
        )
    if kind == "sparql-heavy":
        return await client.post(
            "/sparql", data={"query": rng.choice(HEAVY)}, headers={"Accept": JSON}
        )
    if kind == "named-query":
        path, params = rng.choice(named)
        return await client.get(path, params=params, headers={"Accept": "application/json"})
    if kind == "page":
        return await client.get(rng.choice(pages), headers={"Accept": "text/html"})
    graph = f"https://w3id.org/ptce/graph/synthetic-soak-{i % 8}"
    return await client.put(
        "/store",
        params={"graph": graph},
        content=synthetic_graph(i),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"},
    )


async def drive(
    url: str,
    pid: int | None,
    requests: int,
    clients: int,
    token: str,
    mix: dict[str, int],
    tally: Tally,
    seed: int = 7,
) -> None:
    """Send ``requests`` requests drawn from ``mix``; add latencies, errors and RSS to ``tally``."""
    rng = random.Random(seed)
    kinds = [k for k, share in mix.items() for _ in range(share)]
    work = [rng.choice(kinds) for _ in range(requests)]
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        pages, named = await plan(client)
        if not named:
            work = [k if k != "named-query" else "sparql-cheap" for k in work]
        queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
        offset = tally.completed  # write targets keep cycling across rounds
        for i, kind in enumerate(work):
            queue.put_nowait((offset + i, kind))
        done = asyncio.Event()

        async def sample() -> None:
            while not done.is_set():
                if pid is not None and (rss := rss_of(pid)) is not None:
                    tally.samples.append(Sample(tally.completed, rss, tree_rss(pid) - rss))
                await asyncio.sleep(0.25)

        async def worker(seed: int) -> None:
            local = random.Random(seed)
            while True:
                try:
                    i, kind = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                started = time.perf_counter()
                try:
                    response = await one(client, kind, i, local, pages, named, token)
                    if response.status_code >= 400:
                        tally.errors.append(f"{kind} {response.status_code} {response.text[:200]}")
                except httpx.HTTPError as e:
                    tally.errors.append(f"{kind} {type(e).__name__}: {e}")
                tally.latencies[kind].append(time.perf_counter() - started)
                tally.completed += 1

        sampler = asyncio.create_task(sample())
        await asyncio.gather(*(worker(seed * 1000 + n) for n in range(clients)))
        done.set()
        await sampler


async def prefill(url: str, pid: int | None, token: str, writes: int) -> list[str]:
    """Send ``writes`` authorised PUTs one after the other, before the measured run; return errors.

    Each write reads the whole dataset through the server's store (the scratch copy it validates
    in) and leaves new RocksDB files, whose blocks then fill the block caches of the server's
    store handle. Those caches have a fixed size (Oxigraph gives its string column family a 128 MB
    cache and leaves RocksDB's default one to the others; pyoxigraph does not expose them), so
    the server's RSS climbs until they are full, then stays flat: ~0.02 MB per write of this
    script, flat after ~8,000 of them at +180 MB (bench/README.md, "Soak"). A run of a few
    hundred writes would read that filling as growth; 1,600 writes first do most of it.
    """
    errors: list[str] = []
    if writes <= 0:
        return errors
    started = time.monotonic()
    before = rss_of(pid) if pid is not None else None
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        for i in range(writes):
            try:
                response = await one(client, "write", i, random.Random(i), [], [], token)
                if response.status_code >= 400:
                    errors.append(f"prefill write {response.status_code} {response.text[:200]}")
            except httpx.HTTPError as e:
                errors.append(f"prefill write {type(e).__name__}: {e}")
            if (i + 1) % 250 == 0 or i + 1 == writes:
                rss = f", server RSS {rss_of(pid) / 2**20:.0f} MB" if pid is not None else ""
                print(
                    f"prefill: {i + 1}/{writes} writes, {time.monotonic() - started:.0f} s{rss}",
                    file=sys.stderr,
                    flush=True,
                )
    if pid is not None and before is not None and (after := rss_of(pid)) is not None:
        print(
            f"prefill: {writes} writes in {time.monotonic() - started:.0f} s, server RSS "
            f"{before / 2**20:.0f} → {after / 2**20:.0f} MB, {len(errors)} errors"
        )
    return errors


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def smaps_rollup(pid: int) -> str:
    """The main figures of ``/proc/PID/smaps_rollup`` (anonymous vs file-backed memory), in MB."""
    wanted = ("Rss", "Anonymous", "Private_Dirty", "Shared_Clean", "Swap")
    figures = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in wanted:
                figures[name] = int(rest.split()[0]) / 1024
    except OSError:
        return "(unavailable)"
    return "  ".join(f"{name} {figures[name]:.0f}" for name in wanted if name in figures)


def _mean_mb(samples: list[Sample], attr: str) -> float:
    return statistics.mean(float(getattr(s, attr)) for s in samples) / 2**20


def trajectory(samples: list[Sample], total: int) -> None:
    """Print the mean RSS over each tenth of the requests: a plateau or a slope."""
    print(f"{'requests up to':>15}{'server MB':>11}{'workers MB':>12}")
    for tenth in range(1, 11):
        low, high = (tenth - 1) * total / 10, tenth * total / 10
        chunk = [s for s in samples if low <= s.done < high or (tenth == 10 and s.done >= high)]
        if chunk:
            print(
                f"{int(high):>15}{_mean_mb(chunk, 'server'):>11.0f}"
                f"{_mean_mb(chunk, 'workers'):>12.0f}"
            )


def flatness(samples: list[Sample], total: int, warmup: float) -> bool:
    """Compare the first and last decile of the samples taken after the warm-up requests.

    The warm-up (the first ``warmup`` share of the requests) fills the caches that only grow to a
    bound: Oxigraph/RocksDB block cache, the lazily imported modules (rdflib's SPARQL parser for the
    reach check, the validation engine), Jinja's template cache, the service-description cache,
    glibc's arenas of the worker threads. After it, memory must stay flat.
    """
    flat = True
    measured = [s for s in samples if s.done >= warmup * total]
    for label, part in (("whole run", samples), (f"after {warmup:.0%} warm-up", measured)):
        if len(part) < 20:
            print(f"RSS, {label}: too few samples ({len(part)})")
            continue
        tenth = len(part) // 10
        for what, attr in (("server", "server"), ("workers", "workers")):
            first, last = _mean_mb(part[:tenth], attr), _mean_mb(part[-tenth:], attr)
            if not first:
                continue
            growth = (last - first) / first
            verdict = ""
            if part is measured:
                flat = flat and growth < 0.10
                verdict = ": memory flat" if growth < 0.10 else ": MEMORY GROWS"
            print(
                f"RSS {what}, {label}: first decile {first:.0f} MB, last decile {last:.0f} MB, "
                f"growth {growth:+.1%} over {len(part)} samples{verdict}"
            )
    return flat


def report(tally: Tally, seconds: float, mix: dict[str, int], warmup: float) -> bool:
    count = sum(len(v) for v in tally.latencies.values())
    print(f"requests: {count}  errors: {len(tally.errors)}  "
          f"{count / seconds:.0f} req/s over {seconds:.1f} s")  # fmt: skip
    print(f"{'kind':<14}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for kind in mix:
        values = tally.latencies.get(kind, [])
        if values:
            print(
                f"{kind:<14}{len(values):>6}{percentile(values, 0.5) * 1000:>9.1f}"
                f"{percentile(values, 0.95) * 1000:>9.1f}{percentile(values, 0.99) * 1000:>9.1f}"
            )
    for error in tally.errors[:10]:
        print(f"error: {error}")
    if not tally.samples:
        return not tally.errors
    trajectory(tally.samples, count)
    return flatness(tally.samples, count, warmup) and not tally.errors


def parse_mix(text: str | None) -> dict[str, int]:
    """``page`` or ``page=3,write=1``: the kinds to send and their shares (default: MIX)."""
    if not text:
        return dict(MIX)
    mix: dict[str, int] = {}
    for item in text.split(","):
        kind, _, share = item.strip().partition("=")
        if kind not in MIX:
            raise SystemExit(f"unknown kind {kind!r}: use {', '.join(MIX)}")
        mix[kind] = int(share or 1)
    return mix


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="A running service (else one is started here).")
    parser.add_argument("--token", help="Its write token (with --url).")
    parser.add_argument("--pid", type=int, help="Its process id, to sample RSS (with --url).")
    parser.add_argument("--requests", type=int, default=5000, help="Requests per round.")
    parser.add_argument("--rounds", type=int, default=1, help="Rounds against the same server.")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--mix", help=f"Kinds and shares, e.g. 'page' or 'page=3,write=1' (default: {MIX})."
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=0.1,
        help="Share of all requests not counted in the flatness check (default 0.1).",
    )
    parser.add_argument(
        "--prefill-writes",
        type=int,
        metavar="N",
        help=f"Writes sent one by one before the run, not counted (default {PREFILL_WRITES} when "
        "the mix has writes, else 0): they fill the server's fixed-size store caches.",
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="Environment of the server started here, e.g. MALLOC_ARENA_MAX=2 (repeatable).",
    )
    args = parser.parse_args(argv)
    mix = parse_mix(args.mix)
    server_env = dict(item.partition("=")[::2] for item in args.server_env)
    prefill_writes = args.prefill_writes
    if prefill_writes is None:
        prefill_writes = PREFILL_WRITES if "write" in mix else 0

    async def go(url: str, pid: int | None, token: str) -> bool:
        tally = Tally()
        tally.errors += await prefill(url, pid, token, prefill_writes)
        started = time.monotonic()
        for n in range(args.rounds):
            await drive(url, pid, args.requests, args.clients, token, mix, tally, seed=7 + n)
            if args.rounds > 1:
                print(
                    f"round {n + 1}/{args.rounds}: {tally.completed} requests, "
                    f"{len(tally.errors)} errors, {time.monotonic() - started:.0f} s"
                    + (f", server {smaps_rollup(pid)} MB" if pid else ""),
                    flush=True,
                )
        if pid is not None:
            print(f"server smaps_rollup at the end (MB): {smaps_rollup(pid)}")
        return report(tally, time.monotonic() - started, mix, args.warmup)

    if args.url:
        ok = asyncio.run(go(args.url, args.pid, args.token or ""))
    else:
        token = secrets.token_urlsafe(24)
        with local_server(token, server_env) as (url, pid):
            print(f"server pid {pid}, smaps_rollup at start (MB): {smaps_rollup(pid)}")
            ok = asyncio.run(go(url, pid, token))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
