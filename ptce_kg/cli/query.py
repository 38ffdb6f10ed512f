"""Commands that read the store: query, stats, graphs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
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
        with opened_store(settings_for(store)) as st:
            write_query_result(st, text, output)


@app.command()
def stats(store: StoreOption = None) -> None:
    """Print the number of quads, graphs and sources in the store."""
    with exit_codes(), opened_store(settings_for(store)) as st:
        sizes = st.graph_sizes()
        sources = pipeline.source_graphs(st)
        table = Table("measure", "value")
        table.add_row("quads", str(st.quad_count()))
        table.add_row("named graphs", str(len([g for g in sizes if g])))
        table.add_row("sources", str(len(sources)))
        table.add_row("source triples", str(sum(sizes[g] for g in sources)))
        for label, cls in (("PTCE", PTCE.PTCE), ("organisations", PTCE.Organisation)):
            result = st.query(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{cls}> }}")
            table.add_row(label, str(result.rows[0][0]))
        out.print(table)


@app.command()
def graphs(store: StoreOption = None) -> None:
    """List the named graphs with their triple counts and the file each source came from."""
    with exit_codes(), opened_store(settings_for(store)) as st:
        sizes = st.graph_sizes()
        sources = {
            str(b["g"]): (str(b.get("src", "")), str(b.get("at", "")))
            for b in st.query(
                "SELECT ?g ?src ?at WHERE { GRAPH ?pg { ?g <http://purl.org/dc/terms/source> ?src "
                "OPTIONAL { ?g <http://www.w3.org/ns/prov#generatedAtTime> ?at } } "
                "FILTER(STRENDS(STR(?pg), '/provenance')) }"
            ).bindings()
        }
        table = Table()
        for column in ("graph", "triples", "source", "loaded at"):
            table.add_column(column, overflow="fold")
        for graph in sorted(sizes):
            src, at = sources.get(graph, ("", ""))
            table.add_row(graph or "(default graph)", str(sizes[graph]), src, at)
        out.print(table)
