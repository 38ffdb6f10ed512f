"""Commands that read the store: query, stats, graphs, coverage.

They open the store read-only (a secondary view of an on-disk store): they work while
``ptce-kg serve`` holds it, and a store that does not exist is an error (exit 2), never an empty
one created in the working directory.
"""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, OverflowMethod
from rich.table import Table

from ptce_kg import pipeline
from ptce_kg.cli.common import (
    QueryFormat,
    StoreOption,
    app,
    exit_codes,
    opened_store,
    out,
    settings_for,
    write_query_result,
)
from ptce_kg.compare.coverage import coverage_report, format_coverage
from ptce_kg.errors import SourceError
from ptce_kg.namespaces import PTCE


@app.command()
def query(
    sparql: Annotated[str, typer.Argument(help="A SPARQL query, or the path of a .rq file.")],
    store: StoreOption = None,
    output: Annotated[QueryFormat, typer.Option("--output", "-o", help="Output format.")] = (
        QueryFormat.table
    ),
) -> None:
    """Run a SPARQL query on the store (the default graph is the union of all graphs)."""
    with exit_codes():
        text = Path(sparql).read_text(encoding="utf-8") if sparql.endswith(".rq") else sparql
        with opened_store(settings_for(store), read_only=True) as st:
            write_query_result(st, text, output)


class TableFormat(StrEnum):
    """Output formats of ``stats`` and ``graphs``."""

    table = "table"
    json = "json"
    csv = "csv"


OutputOption = Annotated[
    TableFormat,
    typer.Option(
        "--output",
        "-o",
        help="table (IRIs kept whole when not written to a terminal), json or csv.",
    ),
]


def write_rows(columns: list[str], rows: list[list[str | int]], output: TableFormat) -> None:
    """Write ``rows`` under ``columns`` as a table, a JSON array of objects, or CSV."""
    if output is TableFormat.json:
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        sys.stdout.write(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
        return
    if output is TableFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return
    # On a terminal long IRIs fold; written to a file or a pipe, every row stays on one line.
    terminal = out.is_terminal
    overflow: OverflowMethod = "fold" if terminal else "ignore"
    table = Table()
    for column in columns:
        table.add_column(column, overflow=overflow, no_wrap=not terminal)
    for row in rows:
        table.add_row(*(str(v) for v in row))
    (out if terminal else Console(width=1_000_000)).print(table)


@app.command()
def stats(store: StoreOption = None, output: OutputOption = TableFormat.table) -> None:
    """Print the number of quads, graphs and sources in the store."""
    with exit_codes(), opened_store(settings_for(store), read_only=True) as st:
        sizes = st.graph_sizes()
        sources = pipeline.source_graphs(st)
        rows: list[list[str | int]] = [
            ["quads", st.quad_count()],
            ["named graphs", len([g for g in sizes if g])],
            ["sources", len(sources)],
            ["source triples", sum(sizes[g] for g in sources)],
        ]
        for label, cls in (("PTCE", PTCE.PTCE), ("organisations", PTCE.Organisation)):
            result = st.query(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{cls}> }}")
            rows.append([label, int(str(result.rows[0][0]))])
        if output is TableFormat.json:  # one object: {"quads": n, "named graphs": n, …}
            record = {str(measure): value for measure, value in rows}
            sys.stdout.write(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
            return
        write_rows(["measure", "value"], rows, output)


@app.command()
def graphs(store: StoreOption = None, output: OutputOption = TableFormat.table) -> None:
    """List the named graphs with their triple counts and the file each source came from."""
    with exit_codes(), opened_store(settings_for(store), read_only=True) as st:
        sizes = st.graph_sizes()
        sources = {
            str(b["g"]): (str(b.get("src", "")), str(b.get("at", "")))
            for b in st.query(
                "SELECT ?g ?src ?at WHERE { GRAPH ?pg { ?g <http://purl.org/dc/terms/source> ?src "
                "OPTIONAL { ?g <http://www.w3.org/ns/prov#generatedAtTime> ?at } } "
                "FILTER(STRENDS(STR(?pg), '/provenance')) }"
            ).bindings()
        }
        rows: list[list[str | int]] = []
        for graph in sorted(sizes):
            src, at = sources.get(graph, ("", ""))
            rows.append([graph or "(default graph)", sizes[graph], src, at])
        write_rows(["graph", "triples", "source", "loaded at"], rows, output)


@app.command()
def coverage(
    store: StoreOption = None,
    output: Annotated[
        str, typer.Option("--output", "-o", help="Output format: text or json.")
    ] = "text",
    include_synthetic: Annotated[
        bool,
        typer.Option("--include-synthetic", help="Count the synthetic examples too (if loaded)."),
    ] = False,
) -> None:
    """Report, per dimension and per recognition round, how many real PTCEs the store documents.

    Each dimension separates documented, searched-but-not-found (a documentation gap) and unknown;
    each round compares the PTCEs in the store with the laureates public sources count.
    """
    with exit_codes():
        if output not in ("text", "json"):
            raise SourceError(f"unknown output format {output!r}", hint="use text or json")
        with opened_store(settings_for(store), read_only=True) as st:
            report = coverage_report(st, include_synthetic=include_synthetic)
        if output == "json":
            sys.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stdout.write(format_coverage(report) + "\n")
