"""Research-query benchmark: every named query of queries/ and the comparison API, embedded.

For each size (default 1M triples) it builds, or reuses, an on-disk store under bench/out/
(``research-store-<size>/``, rebuilt when an input file changed, or with ``--rebuild``) holding
what the queries need, loaded the way ``ptce-kg load --no-validate`` does:

  - the ontology and its hierarchy closure graph (``pipeline.load_ontology``);
  - the reference territories (data/territories: régions, départements, communes);
  - the bundled dataset (data/sources, data/actors, data/ptce) and data/examples;
  - the synthetic set bench/data/synthetic-<size>-s0.nt (made by bench/generate.py if missing);
  - every source's ``/inferred`` graph (superclass types, super-properties, inverses), which the
    bulk path computes after each file: the queries read the materialised class hierarchy.

It then times, in this process, through ``ptce_kg.queries.run_query`` on the ``EmbeddedStore``
(pyoxigraph; the answer turned into rdflib terms, as ``ptce-kg run`` does):

  example  every query with the example parameters of its header;
  all      every query with no optional parameter, i.e. over the whole dataset; a required
           parameter keeps its example (marked ``req``: such a query is never "whole");
  one      every query with a ``ptce`` parameter, bound to synthetic PTCE(s) of the big set
           (``synthetic-<n/2>`` and the next one), other required parameters at their example,
           optional ones left out: the per-PTCE cost in a big store;
  unbound  (not run by default) the queries with a required parameter, run with nothing bound
           (their text as written): what they would cost over the whole dataset;

and the comparison API: ``load_profiles(store, None)`` (every PTCE), ``load_profiles`` of one
PTCE, and ``nearest(store, <synthetic PTCE>, k=5)``. Each is run ``--repeat`` times (default 3)
after one untimed warm-up; the median and the number of rows are printed, with ✓/✗ against
``--limit`` (1 s). ``--engine`` also times Oxigraph alone (``query_serialized`` to SPARQL JSON,
no rdflib conversion) to tell the engine's share from Python's.

Runs are deterministic (same data, same parameters, same order); timings are not, on a shared
machine: the load average is printed before and after, compare ratios within one run.

    .venv/bin/python bench/research_queries.py                        # 1M, every query
    .venv/bin/python bench/research_queries.py --sizes 10k,100k --repeat 5
    .venv/bin/python bench/research_queries.py --queries ptce_composition,similar_ptces --modes all
    .venv/bin/python bench/research_queries.py --json    # + bench/out/research-queries-latest.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
OUT = BENCH / "out"
SIZE_NAMES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
MODES = ("example", "all", "one", "unbound")
DEFAULT_MODES = ("example", "all", "one")
TERRITORIES = [
    ROOT / "data" / "territories" / f"{name}.ttl"
    for name in ("regions", "departements", "communes")
]
# the documents and organisations the PTCE share, then the PTCE (as ptce-kg load --bundled)
BUNDLED = [
    ROOT / "data" / "sources" / "documents.ttl",
    ROOT / "data" / "actors" / "organisations.ttl",
    *sorted((ROOT / "data" / "ptce").glob("*.ttl")),
    *sorted((ROOT / "data" / "examples").glob("*.ttl")),
]
SYNTHETIC_PTCE = "https://w3id.org/ptce/id/ptce/synthetic-{}"
#: Generator's density (bench/generate.py TRIPLES_PER_PTCE): the number of synthetic PTCEs.
TRIPLES_PER_PTCE = 500


def parse_sizes(text: str) -> list[int]:
    """``"10k,100k,1M"`` or ``"10000,1000000"`` → sizes in triples."""
    sizes = []
    for part in text.split(","):
        part = part.strip().lower()
        if part:
            sizes.append(SIZE_NAMES.get(part) or int(part))
    return sizes


def size_name(size: int) -> str:
    return next(
        (k.upper() if k == "1m" else k for k, v in SIZE_NAMES.items() if v == size), str(size)
    )


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


# ------------------------------------------------------------------------------------- the store
def dataset(size: int) -> Path:
    """The synthetic file of ``size`` triples (seed 0), generated once."""
    path = DATA / f"synthetic-{size}-s0.nt"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, str(BENCH / "generate.py"), "--triples", str(size)]
        subprocess.run([*cmd, "--format", "nt", "--output", str(path)], check=True, cwd=ROOT)
    return path


def _inputs(size: int) -> list[Path]:
    return [*TERRITORIES, *BUNDLED, dataset(size)]


def _stamp(size: int) -> dict[str, Any]:
    ontology = sorted(p for p in (ROOT / "ontology").rglob("*") if p.is_file())
    return {
        "version": 1,
        "files": [
            [str(p.relative_to(ROOT)), p.stat().st_size, p.stat().st_mtime_ns]
            for p in [*ontology, *_inputs(size)]
        ],
    }


def build_store(size: int, rebuild: bool) -> tuple[Path, float | None]:
    """Return the store directory for ``size`` and its build time (``None`` when reused)."""
    from ptce_kg import pipeline
    from ptce_kg.config import get_settings
    from ptce_kg.store.embedded import open_embedded_store

    path = OUT / f"research-store-{size}"
    stamp_file = OUT / f"research-store-{size}.json"
    stamp = _stamp(size)
    fresh = path.is_dir() and stamp_file.exists()
    if not rebuild and fresh and json.loads(stamp_file.read_text()) == stamp:
        return path, None
    settings = get_settings()
    scratch = path.with_name(path.name + ".new")
    shutil.rmtree(scratch, ignore_errors=True)
    t0 = time.perf_counter()
    store = open_embedded_store(scratch, exclusive=True)
    try:
        pipeline.load_ontology(store, settings.ontology_dir)
        for file in _inputs(size):
            pipeline.bulk_load_source(store, file, base_iri=settings.base_iri)
    finally:
        store.close()
    seconds = time.perf_counter() - t0
    shutil.rmtree(path, ignore_errors=True)
    scratch.rename(path)
    stamp_file.write_text(json.dumps(stamp))
    return path, seconds


# ------------------------------------------------------------------------------------- timing
def timed(call: Callable[[], int], repeat: int) -> dict[str, Any]:
    """One untimed warm-up, then ``repeat`` timed calls; ``call`` returns a row count."""
    try:
        rows = call()
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            rows = call()
            times.append(time.perf_counter() - t0)
    except Exception as e:  # a failing measurement is reported in its row, the others still run
        return {"error": f"{type(e).__name__}: {e}"}
    return {"median": statistics.median(times), "times": [round(t, 4) for t in times], "rows": rows}


def mode_params(query: Any, mode: str, ptces: Sequence[str]) -> dict[str, list[str]] | None:
    """The parameters of ``query`` in ``mode``; ``None`` when the mode does not apply."""
    if mode == "example":
        return query.example_params()
    required = {n: v for n, v in query.example_params().items() if query.params[n].required}
    if mode == "all":
        return required
    if mode == "unbound":
        return {} if required else None
    param = query.params.get("ptce")
    if param is None or param.type != "iri":
        return None
    return {**required, "ptce": list(ptces) if param.multiple else [ptces[0]]}


def query_cases(
    store: Any, names: Sequence[str] | None, modes: Sequence[str], size: int
) -> list[tuple[str, str, str, bool]]:
    """(query, mode, SPARQL text, required parameter kept in mode all) for every measurement."""
    from ptce_kg.config import get_settings
    from ptce_kg.queries import load_queries, query_text

    queries = load_queries(get_settings().queries_dir)
    middle = size // TRIPLES_PER_PTCE // 2
    ptces = [SYNTHETIC_PTCE.format(middle), SYNTHETIC_PTCE.format(middle + 1)]
    cases = []
    for name, query in queries.items():
        if names and name not in names:
            continue
        for mode in modes:
            params = mode_params(query, mode, ptces)
            if params is None:
                continue
            required = mode == "all" and any(p.required for p in query.params.values())
            text = query.text if mode == "unbound" else query_text(query, params)
            cases.append((name, mode, text, required))
    return cases


def run_size(size: int, args: argparse.Namespace) -> dict[str, Any]:
    from ptce_kg.compare import load_profiles, nearest
    from ptce_kg.store.embedded import open_embedded_store

    path, build_seconds = build_store(size, args.rebuild)
    store = open_embedded_store(path, read_only=True)
    results: dict[str, Any] = {
        "size": size,
        "store": str(path.relative_to(ROOT)),
        "build_seconds": None if build_seconds is None else round(build_seconds, 1),
        "quads": store.quad_count(),
        "loadavg_before": loadavg(),
        "queries": [],
        "compare": [],
    }
    names = [n for n in args.queries.split(",") if n] if args.queries else None
    for name, mode, text, required in query_cases(store, names, args.modes, size):
        row: dict[str, Any] = {"query": name, "mode": mode, "required_bound": required}
        row.update(timed(lambda text=text: len(store.query(text).rows), args.repeat))
        if args.engine and "error" not in row:
            engine = timed(
                lambda text=text: len(
                    store.query_serialized(text, "application/sparql-results+json")[1]
                ),
                args.repeat,
            )
            row["engine_median"] = engine.get("median")
        results["queries"].append(row)
        print_row(row, args.limit)
    middle = SYNTHETIC_PTCE.format(size // TRIPLES_PER_PTCE // 2)
    if args.compare:
        calls: Mapping[str, Callable[[], int]] = {
            "load_profiles(all)": lambda: len(load_profiles(store, None)),
            "load_profiles(one)": lambda: len(load_profiles(store, [middle])),
            "nearest(one, k=5)": lambda: len(nearest(store, middle, k=5)),
        }
        for name, call in calls.items():
            row = {"query": name, "mode": "api", "required_bound": False}
            row.update(timed(call, args.repeat))
            results["compare"].append(row)
            print_row(row, args.limit)
    results["loadavg_after"] = loadavg()
    store.close()
    return results


def print_row(row: Mapping[str, Any], limit: float) -> None:
    name = f"{row['query']}{' (req)' if row['required_bound'] else ''}"
    if "error" in row:
        print(f"  {name:<42} {row['mode']:<8} FAIL {row['error']}", flush=True)
        return
    mark = "✓" if row["median"] < limit else "✗"
    engine = f"  engine {row['engine_median']:.3f} s" if row.get("engine_median") else ""
    print(
        f"  {name:<42} {row['mode']:<8} {row['median']:8.3f} s {mark}  {row['rows']:>8} rows"
        f"  {' '.join(f'{t:.3f}' for t in row['times'])}{engine}",
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", default="1M", help="comma-separated: 10k, 100k, 1M or numbers")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement (3)")
    parser.add_argument("--limit", type=float, default=1.0, help="target in seconds (1.0)")
    parser.add_argument("--queries", default="", help="comma-separated query names (default all)")
    parser.add_argument(
        "--modes",
        default=",".join(DEFAULT_MODES),
        help=f"comma-separated among {', '.join(MODES)} (default {','.join(DEFAULT_MODES)})",
    )
    parser.add_argument(
        "--no-compare", dest="compare", action="store_false", help="skip load_profiles and nearest"
    )
    parser.add_argument(
        "--engine",
        action="store_true",
        help="also time Oxigraph alone (serialised SPARQL JSON, no rdflib terms)",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the stores again")
    parser.add_argument(
        "--json",
        action="store_true",
        help="write bench/out/research-queries-latest.json (and print one line)",
    )
    args = parser.parse_args(argv)
    args.modes = [m for m in args.modes.split(",") if m]
    if unknown := set(args.modes) - set(MODES):
        parser.error(f"unknown mode(s): {', '.join(sorted(unknown))}")
    OUT.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    print(
        f"research queries, {started}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {loadavg()}; median of {args.repeat} after a warm-up; "
        f"target < {args.limit} s",
        flush=True,
    )
    runs = []
    for size in parse_sizes(args.sizes):
        print(f"{size_name(size)} ({size} synthetic triples):", flush=True)
        result = run_size(size, args)
        built = result["build_seconds"]
        print(
            f"  store {result['store']}: {result['quads']} quads"
            f" ({'built in ' + str(built) + ' s' if built is not None else 'reused'}); "
            f"load average {result['loadavg_before']} → {result['loadavg_after']}",
            flush=True,
        )
        runs.append(result)
    rows = [r for run in runs for r in (*run["queries"], *run["compare"])]
    over = [r for r in rows if "error" in r or r["median"] >= args.limit]
    print(f"{len(rows) - len(over)}/{len(rows)} measurements under {args.limit} s", flush=True)
    if args.json:
        import pyoxigraph

        payload = {
            "started": started,
            "python": platform.python_version(),
            "pyoxigraph": pyoxigraph.__version__,
            "cpus": os.cpu_count(),
            "repeat": args.repeat,
            "limit": args.limit,
            "runs": runs,
        }
        line = json.dumps(payload, ensure_ascii=False)
        (OUT / "research-queries-latest.json").write_text(line + "\n", encoding="utf-8")
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
