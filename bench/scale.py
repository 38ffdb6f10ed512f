"""Scale run: the embedded store and Virtuoso side by side at 1M-10M synthetic triples.

For each size (default 10M) it builds two stores from the same files:

  embedded  an on-disk Oxigraph store under bench/out/scale-embedded-<size>/: the ontology
            (``pipeline.load_ontology``), the territories, then the synthetic set
            bench/data/synthetic-<size>-s0.nt (bench/generate.py) through ``store.bulk_load``
            (Oxigraph's bulk loader), in a child process whose peak RSS is measured;
  virtuoso  a Virtuoso 7 started here (tests/store/virtuoso.py, its database in
            bench/out/scale-virtuoso-<size>/, buffers sized for the run), the ontology and the
            territories written through ptce_kg's RemoteStore, the synthetic set loaded by
            Virtuoso's own bulk loader (``ld_dir`` + ``rdf_loader_run()`` + ``checkpoint``
            through isql-vt): the documented migration path. Peak RSS is the server's VmHWM.

No entailment graphs are computed on either side (the same data on both); the queries that rely
on materialised superclasses see the asserted classes only, on both stores alike.

It then times, ``--repeat`` times after one warm-up (median), through ``ptce_kg.queries.run_query``
on each store: every named query with its example parameters, and with one synthetic PTCE of the
big set as ``ptce`` instead where it has that parameter (the examples name real PTCEs, which
are not in this store); then the comparison API
(``compare_ptces`` on three synthetic PTCEs). A query Virtuoso refuses is reported with its error.
Figures go to stdout and, with ``--json``, to bench/out/scale-latest.json.

    .venv/bin/python bench/scale.py --sizes 1000000
    nice -n 10 .venv/bin/python bench/scale.py --sizes 10000000 --json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
DATA = BENCH / "data"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the Virtuoso the tests start: tests/store/virtuoso.py

TERRITORIES = [
    ROOT / "data" / "territories" / f"{n}.ttl" for n in ("regions", "departements", "communes")
]
SYNTHETIC_GRAPH = "https://w3id.org/ptce/graph/synthetic"
PTCE_IRI = "https://w3id.org/ptce/id/ptce/synthetic-{}"
TRIPLES_PER_PTCE = 500


def dataset(size: int) -> Path:
    """The synthetic file of ``size`` triples (seed 0), generated once."""
    path = DATA / f"synthetic-{size}-s0.nt"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, str(BENCH / "generate.py"), "--triples", str(size)]
        subprocess.run([*cmd, "--format", "nt", "--output", str(path)], check=True, cwd=ROOT)
    return path


def peak_rss_mb(pid: int | str = "self") -> float:
    """Peak resident set size (VmHWM) of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------------------------ loading
def _load_reference(store: Any) -> None:
    from ptce_kg import pipeline
    from ptce_kg.config import get_settings

    settings = get_settings()
    pipeline.load_ontology(store, settings.ontology_dir)
    for path in TERRITORIES:
        store.replace_graphs({f"https://w3id.org/ptce/graph/{path.stem}": _ntriples(path)})


def _ntriples(path: Path) -> bytes:
    import pyoxigraph as ox

    triples = ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri="https://w3id.org/ptce/")
    return b"".join(str(q.triple).encode() + b" .\n" for q in triples)


def child_embedded(size: int) -> dict[str, Any]:
    """(in a child process) Build the embedded store; its load time and peak RSS."""
    from ptce_kg.formats import RdfFormat
    from ptce_kg.store.embedded import open_embedded_store

    path = OUT / f"scale-embedded-{size}"
    shutil.rmtree(path, ignore_errors=True)
    data = dataset(size)
    store = open_embedded_store(path, exclusive=True)
    _load_reference(store)
    t0 = time.perf_counter()
    store.bulk_load(data, RdfFormat.N_TRIPLES, SYNTHETIC_GRAPH)
    seconds = time.perf_counter() - t0
    quads = store.quad_count()
    store.close()
    return {"load_s": seconds, "quads": quads, "peak_rss_mb": peak_rss_mb()}


def build_embedded(size: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child-embedded", str(size)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.splitlines()[-1])


def build_virtuoso(size: int, server: Any) -> dict[str, Any]:
    """Load the reference graphs through RemoteStore, the synthetic set by Virtuoso's loader."""
    from store.virtuoso import binaries

    from ptce_kg.store import open_remote_store

    store = open_remote_store(server.url, user=server.user, password=server.password)
    _load_reference(store)
    data = dataset(size)
    local = server.location / data.name  # the loader reads files under DirsAllowed only
    if not local.exists():
        os.link(data, local)
    sql = (
        f"ld_dir ('{server.location}', '{data.name}', '{SYNTHETIC_GRAPH}');\n"
        "rdf_loader_run ();\ncheckpoint;\n"
    )
    t0 = time.perf_counter()
    subprocess.run(
        [binaries()[1], f"127.0.0.1:{server.sql_port}", "dba", "dba"],
        input=sql.encode(),
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - t0
    quads = store.quad_count()
    store.close()
    return {"load_s": seconds, "quads": quads, "peak_rss_mb": peak_rss_mb(server.process.pid)}


# ------------------------------------------------------------------------------------- timing
def timed(call: Callable[[], int], repeat: int) -> dict[str, Any]:
    try:
        rows = call()  # warm-up
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            call()
            times.append(time.perf_counter() - t0)
    except Exception as e:  # a refusal is a result here
        return {"error": f"{type(e).__name__}: {str(e)[:200]}"}
    return {"median_s": statistics.median(times), "rows": rows}


def cases(size: int) -> list[tuple[str, str, dict[str, list[str]]]]:
    from ptce_kg.config import get_settings
    from ptce_kg.queries import load_queries

    middle = size // TRIPLES_PER_PTCE // 2
    ptces = [PTCE_IRI.format(middle), PTCE_IRI.format(middle + 1)]
    out = []
    for name, query in sorted(load_queries(get_settings().queries_dir).items()):
        param = query.params.get("ptce")
        if param is None or param.type != "iri":  # examples name real PTCEs: not in this store
            out.append((name, "example", query.example_params()))
        else:
            params = {n: v for n, v in query.example_params().items() if query.params[n].required}
            out.append(
                (name, "synthetic", {**params, "ptce": ptces if param.multiple else ptces[:1]})
            )
    return out


def time_store(
    store: Any, size: int, repeat: int, report: Callable[[str, dict[str, Any]], None]
) -> dict[str, Any]:
    from ptce_kg.compare.comparison import compare_ptces
    from ptce_kg.config import get_settings
    from ptce_kg.queries import load_queries, run_query

    queries = load_queries(get_settings().queries_dir)
    results: dict[str, Any] = {}
    for name, mode, params in cases(size):
        results[f"{name} [{mode}]"] = timed(
            lambda q=queries[name], p=params: len(run_query(store, q, p).rows), repeat
        )
        report(f"{name} [{mode}]", results[f"{name} [{mode}]"])
    middle = size // TRIPLES_PER_PTCE // 2
    trio = [PTCE_IRI.format(middle + k) for k in range(3)]
    results["comparison API [3 synthetic]"] = timed(
        lambda: len(compare_ptces(store, trio).as_table_rows()), repeat
    )
    report("comparison API [3 synthetic]", results["comparison API [3 synthetic]"])
    return results


def progress(side: str) -> Callable[[str, dict[str, Any]], None]:
    """Print each measurement as it comes (a long run can be read, or stopped, half-way)."""

    def show(name: str, result: dict[str, Any]) -> None:
        print(f"  {side} {name}: {json.dumps(result)}", flush=True)

    return show


def run_size(size: int, repeat: int, timeout: float) -> dict[str, Any]:
    from store.virtuoso import virtuoso_serving

    from ptce_kg.store import open_remote_store
    from ptce_kg.store.embedded import open_embedded_store

    report: dict[str, Any] = {"size": size, "loadavg_before": os.getloadavg()}
    report["embedded_load"] = build_embedded(size)
    print(f"  embedded load: {json.dumps(report['embedded_load'])}", flush=True)
    embedded = open_embedded_store(OUT / f"scale-embedded-{size}", read_only=True)
    report["embedded"] = time_store(embedded, size, repeat, progress("embedded"))
    embedded.close()
    location = OUT / f"scale-virtuoso-{size}"
    shutil.rmtree(location, ignore_errors=True)
    # about 8 KiB a buffer: 2/3 of the RAM Virtuoso's guide gives, capped at 4 GiB here
    buffers = min(500_000, max(10_000, size // 20))
    with virtuoso_serving(location, buffers=buffers) as server:
        report["virtuoso_load"] = build_virtuoso(size, server)
        print(f"  virtuoso load: {json.dumps(report['virtuoso_load'])}", flush=True)
        remote = open_remote_store(
            server.url, user=server.user, password=server.password, timeout=timeout
        )
        report["virtuoso"] = time_store(remote, size, repeat, progress("virtuoso"))
        remote.close()
        report["virtuoso_load"]["peak_rss_mb"] = peak_rss_mb(server.process.pid)
    report["loadavg_after"] = os.getloadavg()
    return report


def render(report: dict[str, Any]) -> str:
    e, v = report["embedded_load"], report["virtuoso_load"]
    lines = [
        f"== {report['size']:,} synthetic triples (load average {report['loadavg_before']})",
        f"embedded bulk load {e['load_s']:.1f} s, {e['quads']:,} quads, peak RSS "
        f"{e['peak_rss_mb']:.0f} MiB",
        f"virtuoso bulk load {v['load_s']:.1f} s, {v['quads']:,} quads, server peak RSS "
        f"{v['peak_rss_mb']:.0f} MiB",
        f"{'query':58} {'embedded':>10} {'virtuoso':>10} {'ratio':>7}  rows",
    ]
    for name, emb in report["embedded"].items():
        vir = report["virtuoso"][name]
        te, tv = emb.get("median_s"), vir.get("median_s")
        cell_e = f"{te:.3f}" if te is not None else "error"
        cell_v = f"{tv:.3f}" if tv is not None else "refused"
        ratio = f"{tv / te:.1f}" if te and tv else "-"
        rows = f"{emb.get('rows', '-')}/{vir.get('rows', '-')}"
        lines.append(f"{name:58} {cell_e:>10} {cell_v:>10} {ratio:>7}  {rows}")
        if "error" in vir:
            lines.append(f"    virtuoso: {vir['error']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000000", help="comma-separated triple counts")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds a Virtuoso query may take"
    )
    parser.add_argument("--json", action="store_true", help="also bench/out/scale-latest.json")
    parser.add_argument("--child-embedded", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_embedded:
        print(json.dumps(child_embedded(args.child_embedded)))
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    reports = []
    for size in (int(s) for s in args.sizes.split(",")):
        report = run_size(size, args.repeat, args.timeout)
        print(render(report), flush=True)
        reports.append(report)
    if args.json:
        (OUT / "scale-latest.json").write_text(json.dumps(reports, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
