"""Overhead of parsing write bodies in a child process (docs/security.md, "Parsers that crash").

Runs ``graph_writes.put_graph`` (parse, context, entailment, validation, write) on an in-memory
store with the ontology, for bodies of 3, 600 and 15,000 triples, with the body parsed in-process,
in a child started for it, and in a child started ahead (what the server does). The modes are
interleaved, 0.15 s apart (as between requests: the spare child starts meanwhile); medians.

    .venv/bin/python bench/parse_isolation.py [--rounds 25]
"""

from __future__ import annotations

import argparse
import statistics
import time

from ptce_kg import pipeline
from ptce_kg.config import PROJECT_ROOT
from ptce_kg.formats import RdfFormat
from ptce_kg.ingest.isolation import ParseChildren
from ptce_kg.ingest.rdf import IN_PROCESS, ParseLimits
from ptce_kg.pipeline import graph_writes
from ptce_kg.store import open_store

GRAPH = "https://w3id.org/ptce/graph/synthetic-bench"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


def body(organisations: int) -> bytes:
    """Three triples per organisation: a label, and a blank node with a comment."""
    return "\n".join(
        f'<https://w3id.org/ptce/id/org/synthetic-o{i}> <{RDFS}label> "org {i} (synthetic)" ; '
        f'<{RDFS}seeAlso> [ <{RDFS}comment> "note {i}" ] .'
        for i in range(organisations)
    ).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25)
    rounds = parser.parse_args().rounds
    store = open_store(":memory:")
    pipeline.load_ontology(store, PROJECT_ROOT / "ontology")
    shapes = pipeline.read_shapes(PROJECT_ROOT / "shapes")
    modes = {
        "in-process": IN_PROCESS,
        "child": ParseLimits(isolated=True),
        "warm child": ParseLimits(isolated=True, children=ParseChildren()),
    }
    for organisations in (1, 200, 5000):
        data = body(organisations)
        times: dict[str, list[float]] = {mode: [] for mode in modes}
        for _ in range(rounds):
            for mode, limits in modes.items():
                time.sleep(0.15)
                started = time.perf_counter()
                graph_writes.put_graph(store, GRAPH, data, RdfFormat.TURTLE, shapes, limits=limits)
                times[mode].append(time.perf_counter() - started)
        medians = {mode: statistics.median(values) * 1000 for mode, values in times.items()}
        print(
            f"{organisations * 3:>6} triples ({len(data) // 1024} KiB): "
            + ", ".join(f"{mode} {ms:.1f} ms" for mode, ms in medians.items())
            + f"; warm child - in-process = {medians['warm child'] - medians['in-process']:+.1f} ms"
        )


if __name__ == "__main__":
    main()
