"""Load benchmark: plain rdflib / plain pySHACL / ptce_kg validated load / ptce_kg bulk load.

For each size (default 10k and 100k triples) it generates synthetic data with bench/generate.py
(once, cached in bench/data/) and measures, each in its own subprocess so that peak RSS is per
measurement:

  (a) rdflib   ``Graph().parse(file)``                                time, triples/s, peak RSS
  (b) pyshacl  ``pyshacl.validate`` of that graph + the ontology with the project's shapes
               (inference none; skipped above 100k unless --with-pyshacl)  time, peak RSS
  (c) ptce_kg  ``pipeline.load_source(engine="sparql")`` into a fresh on-disk store (ontology
               loaded first, not timed), split into parse / context / entail / validate / store
  (d) ptce_kg  ``pipeline.bulk_load_source`` (the ``--no-validate`` path) into a fresh on-disk store

then prints a table, the ratios (c)/(a), (c)/(b), (d)/(a) and the targets with ✓/✗.

    .venv/bin/python bench/load.py                          # 10k and 100k
    .venv/bin/python bench/load.py --sizes 1000000 --json   # 1M, plus one JSON line
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
OUT = BENCH / "out"
KINDS = ("rdflib", "pyshacl", "validated", "bulk")
LABELS = {
    "rdflib": "(a) rdflib parse",
    "pyshacl": "(b) rdflib parse + pyshacl",
    "validated": "(c) ptce_kg validated load",
    "bulk": "(d) ptce_kg bulk load",
}
TARGETS = {  # name → (kind, size, metric, limit, comparison)
    "validated load 100k < 10 s": ("validated", 100_000, "seconds", 10.0, "<"),
    "validated load 1M < 60 s": ("validated", 1_000_000, "seconds", 60.0, "<"),
    "peak memory 1M < 1 GB (validated)": ("validated", 1_000_000, "peak_rss_mb", 1024.0, "<"),
    "peak memory 1M < 1 GB (bulk)": ("bulk", 1_000_000, "peak_rss_mb", 1024.0, "<"),
    "bulk ≥ 150k triples/s on disk": ("bulk", None, "triples_per_s", 150_000.0, ">="),
}


# ------------------------------------------------------------------------------------- children
def _peak_rss_mb() -> float:
    """Peak resident set size of this process (VmHWM), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    return path


def child_rdflib(path: Path, _size: int) -> dict[str, Any]:
    from rdflib import Graph

    t0 = time.perf_counter()
    graph = Graph().parse(path, format="nt" if path.suffix == ".nt" else "turtle")
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "triples": len(graph)}


def child_pyshacl(path: Path, _size: int) -> dict[str, Any]:
    import pyshacl
    from rdflib import Graph

    from ptce_kg import pipeline
    from ptce_kg.config import Settings

    settings = Settings()
    t0 = time.perf_counter()
    data = Graph().parse(path, format="nt" if path.suffix == ".nt" else "turtle")
    parse = time.perf_counter() - t0
    triples = len(data)
    # sh:class needs the class hierarchy in the data graph (shapes/ptce-core.ttl says so)
    data += pipeline.read_ontology(settings.ontology_dir)
    shapes = pipeline.read_shapes(settings.shapes_dir)
    t1 = time.perf_counter()
    conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    validate = time.perf_counter() - t1
    from rdflib.namespace import SH

    violations = sum(1 for _ in report.subjects(SH.resultSeverity, SH.Violation))
    warnings = sum(1 for _ in report.subjects(SH.resultSeverity, SH.Warning))
    return {
        "seconds": parse + validate,
        "steps": {"parse": parse, "validate": validate},
        "triples": triples,
        "conforms": bool(conforms),
        "violations": violations,
        "warnings": warnings,
    }


PEAK_AFTER: dict[str, float] = {}  # step → peak RSS (MiB) once the step had run


def _timed(steps: dict[str, float], name: str, func: Any) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            steps[name] = steps.get(name, 0.0) + time.perf_counter() - t0
            PEAK_AFTER[name] = _peak_rss_mb()

    return wrapper


STEP_FUNCTIONS = (  # pipeline module attribute → step it belongs to
    ("parse_rdf_file", "parse"),
    ("context_quads", "context"),
    ("_context_quads", "context"),
    ("store_hierarchy", "entail"),
    ("entail_source", "entail"),
    ("_entail", "entail"),
    ("validate_dataset", "validate"),
)
STEP_METHODS = (("add_quads", "context"), ("add_triples", "entail"), ("graph_ntriples", "store"))


def child_validated(path: Path, size: int) -> dict[str, Any]:
    """``pipeline.load_source`` with timing wrappers around its steps (no ptce_kg code changed)."""
    from ptce_kg import pipeline
    from ptce_kg.config import Settings
    from ptce_kg.errors import DataRejected
    from ptce_kg.ingest import ParsedSource
    from ptce_kg.store import open_store

    settings = Settings()
    store = open_store(str(_fresh(OUT / f"store-validated-{size}")), exclusive=True)  # as the CLI
    t0 = time.perf_counter()
    pipeline.load_ontology(store, settings.ontology_dir)
    shapes = pipeline.read_shapes(settings.shapes_dir)
    setup = time.perf_counter() - t0

    steps: dict[str, float] = {}
    # wrap whichever step functions this version of the pipeline has (names have moved)
    for name, step in STEP_FUNCTIONS:
        if hasattr(pipeline, name):
            setattr(pipeline, name, _timed(steps, step, getattr(pipeline, name)))
    for name, step in STEP_METHODS:
        setattr(ParsedSource, name, _timed(steps, step, getattr(ParsedSource, name)))
    store.replace_graphs = _timed(steps, "store", store.replace_graphs)  # type: ignore[method-assign]

    t1 = time.perf_counter()
    try:
        outcome = pipeline.load_source(
            store, path, shapes, base_iri=settings.base_iri, engine="sparql"
        )
    except DataRejected as e:
        first = [f"{r.focus} {r.path or ''}: {r.message}" for r in e.report.violations[:3]]
        raise RuntimeError(
            f"rejected: {len(e.report.violations)} violation(s), e.g. {first}"
        ) from None
    seconds = time.perf_counter() - t1
    store.close()
    return {
        "seconds": seconds,
        "triples": outcome.triples,
        "inferred": outcome.inferred,
        "warnings": len(outcome.report.warnings),
        "steps": steps,
        "peak_rss_mb_after": PEAK_AFTER,
        "setup_seconds": setup,
    }


def child_bulk(path: Path, size: int) -> dict[str, Any]:
    from ptce_kg import pipeline
    from ptce_kg.config import Settings
    from ptce_kg.store import open_store

    settings = Settings()
    store = open_store(str(_fresh(OUT / f"store-bulk-{size}")))
    t0 = time.perf_counter()
    pipeline.load_ontology(store, settings.ontology_dir)
    setup = time.perf_counter() - t0
    t1 = time.perf_counter()
    outcome = pipeline.bulk_load_source(store, path, base_iri=settings.base_iri)
    store.close()
    seconds = time.perf_counter() - t1
    return {"seconds": seconds, "triples": outcome.triples, "setup_seconds": setup}


CHILDREN = {
    "rdflib": child_rdflib,
    "pyshacl": child_pyshacl,
    "validated": child_validated,
    "bulk": child_bulk,
}


def run_child(kind: str, path: Path, size: int) -> int:
    """Entry point of a measurement subprocess: one JSON line on stdout."""
    try:
        result = CHILDREN[kind](path, size)
        result["ok"] = True
    except Exception as e:
        result = {
            "ok": False,
            "error": f"{type(e).__name__}: {e}",
            "trace": traceback.format_exc(limit=6),
        }
    result["peak_rss_mb"] = _peak_rss_mb()
    if result.get("ok") and result.get("seconds"):
        result["triples_per_s"] = result["triples"] / result["seconds"]
    sys.stdout.write("BENCH-RESULT " + json.dumps(result) + "\n")
    return 0


# --------------------------------------------------------------------------------------- parent
def data_file(size: int, fmt: str, seed: int) -> Path:
    """The synthetic file for ``size`` triples, generated once."""
    path = DATA / f"synthetic-{size}-s{seed}.{fmt}"
    if not path.exists():
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                str(BENCH / "generate.py"),
                "--triples",
                str(size),
                "--format",
                fmt,
                "--seed",
                str(seed),
                "--output",
                str(path),
            ],
            check=True,
        )
        print(f"  generated {path.name} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return path


def measure(kind: str, path: Path, size: int, timeout: float) -> dict[str, Any]:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        kind,
        "--file",
        str(path),
        "--sizes",
        str(size),
    ]
    print(f"  {size:>9,} {LABELS[kind]} …", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - t0
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            result: dict[str, Any] = json.loads(line.removeprefix("BENCH-RESULT "))
            result["wall_seconds"] = wall
            if not result["ok"]:
                print(result.get("trace", ""), file=sys.stderr)
            return result
    tail = (proc.stderr or "").strip().splitlines()[-3:]
    return {"ok": False, "error": f"exit {proc.returncode}: {' | '.join(tail)}"}


def _fmt_steps(steps: dict[str, float]) -> str:
    order = ("parse", "context", "entail", "validate", "store")
    names = [n for n in order if n in steps] + [n for n in steps if n not in order]
    return " ".join(f"{n} {steps[n]:.2f}" for n in names)


def render(results: dict[int, dict[str, dict[str, Any]]]) -> str:
    lines = []
    head = (
        f"{'size':>10}  {'measurement':<28} {'time s':>8} {'triples/s':>10} {'peak MB':>8}  notes"
    )
    lines += [head, "-" * len(head)]
    for size, row in results.items():
        for kind in KINDS:
            r = row.get(kind)
            if r is None:
                continue
            if r.get("skipped"):
                lines.append(
                    f"{size:>10,}  {LABELS[kind]:<28} {'—':>8} {'—':>10} {'—':>8}  "
                    f"skipped ({r['skipped']})"
                )
                continue
            if not r.get("ok"):
                peak = f"{r['peak_rss_mb']:8.0f}" if "peak_rss_mb" in r else f"{'—':>8}"
                lines.append(
                    f"{size:>10,}  {LABELS[kind]:<28} {'FAIL':>8} {'—':>10} {peak}  "
                    f"{r.get('error', '')[:300]}"
                )
                continue
            notes = []
            if r.get("steps"):
                notes.append(_fmt_steps(r["steps"]))
            if "violations" in r:
                notes.append(f"{r['violations']} violations, {r['warnings']} warnings")
            elif "warnings" in r:
                notes.append(f"{r['warnings']} warnings")
            if r.get("inferred"):
                notes.append(f"+{r['inferred']} inferred")
            lines.append(
                f"{size:>10,}  {LABELS[kind]:<28} {r['seconds']:8.2f} "
                f"{r.get('triples_per_s', 0):10,.0f} {r['peak_rss_mb']:8.0f}  {'; '.join(notes)}"
            )
        ratios = ratios_for(row)
        if ratios:
            lines.append(
                f"{'':>10}  ratios: " + ", ".join(f"{k} = {v:.2f}×" for k, v in ratios.items())
            )
        lines.append("")
    return "\n".join(lines)


def _ok(r: dict[str, Any] | None) -> bool:
    return bool(r and r.get("ok") and r.get("seconds"))


def ratios_for(row: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Time ratios (c)/(a), (c)/(b), (d)/(a): above 1 means slower than the plain stack."""
    out = {}
    a, b, c, d = (row.get(k) for k in KINDS)
    if _ok(c) and _ok(a):
        out["(c)/(a)"] = c["seconds"] / a["seconds"]  # type: ignore[index]
    if _ok(c) and _ok(b):
        out["(c)/(b)"] = c["seconds"] / b["seconds"]  # type: ignore[index]
    if _ok(d) and _ok(a):
        out["(d)/(a)"] = d["seconds"] / a["seconds"]  # type: ignore[index]
    return out


def check_targets(results: dict[int, dict[str, dict[str, Any]]]) -> list[tuple[str, str, str]]:
    """(target, mark, measured) for each target whose size was run; mark is ✓, ✗ or ?."""
    rows = []
    for name, (kind, size, metric, limit, cmp) in TARGETS.items():
        sizes = [size] if size is not None else sorted(results)
        for s in sizes:
            if s not in results:
                continue
            r = results[s].get(kind)
            label = name if size is not None else f"{name} ({s:,})"
            if not _ok(r):
                rows.append((label, "?", "no measurement"))
                continue
            value = r[metric]  # type: ignore[index]
            good = value < limit if cmp == "<" else value >= limit
            unit = {"seconds": "s", "peak_rss_mb": "MB", "triples_per_s": "triples/s"}[metric]
            rows.append((label, "✓" if good else "✗", f"{value:,.1f} {unit}"))
    return rows


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated triple counts")
    parser.add_argument("--format", choices=("nt", "ttl"), default="nt", help="data file format")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", help="comma-separated subset of: " + ", ".join(KINDS))
    parser.add_argument("--with-pyshacl", action="store_true", help="run (b) at every size")
    parser.add_argument(
        "--pyshacl-max",
        type=int,
        default=100_000,
        help="largest size (b) runs at without --with-pyshacl (default 100000)",
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per measurement")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    parser.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.child:
        return run_child(args.child, args.file, sizes[0])

    kinds = [k for k in KINDS if not args.only or k in args.only.split(",")]
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict[str, dict[str, Any]]] = {}
    for size in sizes:
        path = data_file(size, args.format, args.seed)
        row: dict[str, dict[str, Any]] = {}
        for kind in kinds:
            if kind == "pyshacl" and size > args.pyshacl_max and not args.with_pyshacl:
                row[kind] = {"skipped": f"> {args.pyshacl_max:,}, use --with-pyshacl"}
                continue
            row[kind] = measure(kind, path, size, args.timeout)
        results[size] = row
        for kind in ("validated", "bulk"):  # the stores are large: keep only the last ones
            shutil.rmtree(OUT / f"store-{kind}-{size}", ignore_errors=True)

    info = machine()
    print(
        f"\nptce_kg load benchmark — {info['date']}, {info['cpus']} CPUs, Python {info['python']}"
    )
    print(f"data: bench/generate.py --format {args.format} --seed {args.seed}\n")
    print(render(results))
    print("targets:")
    targets = check_targets(results)
    for name, mark, value in targets:
        print(f"  {mark} {name}: {value}")
    if args.json:
        payload = {
            "machine": info,
            "format": args.format,
            "results": {str(s): row for s, row in results.items()},
            "ratios": {str(s): ratios_for(row) for s, row in results.items()},
            "targets": [{"target": n, "met": m, "measured": v} for n, m, v in targets],
        }
        for row in payload["results"].values():
            for r in row.values():
                r.pop("trace", None)
        line = json.dumps(payload, ensure_ascii=False)
        print(line)
        (OUT / "load-latest.json").write_text(line + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
