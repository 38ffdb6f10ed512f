"""``ptce-kg run``: the named research queries of ``queries/`` from the terminal."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

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
from ptce_kg.errors import QueryError
from ptce_kg.queries import find_query, load_queries, query_text


def parse_params(pairs: list[str]) -> dict[str, list[str]]:
    """Turn ``["k=v", "k=w", "x=y"]`` into ``{"k": ["v", "w"], "x": ["y"]}``.

    Raises:
        QueryError: an item without ``=``.
    """
    params: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--param {pair!r}: write it as name=value")
        params.setdefault(name.strip(), []).append(value)
    return params


@app.command()
def run(
    name: Annotated[
        str | None, typer.Argument(help="The named query (file stem in queries/).")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", "-p", help="A parameter as name=value; repeat it (also for several values)."
        ),
    ] = None,
    output: Annotated[QueryFormat, typer.Option("--output", "-o", help="Output format.")] = (
        QueryFormat.table
    ),
    list_queries: Annotated[
        bool, typer.Option("--list", help="List the named queries and their parameters.")
    ] = False,
    store: StoreOption = None,
    lang: Annotated[
        str, typer.Option("--lang", help="Language of the labels (fr, en), else the other.")
    ] = "fr",
) -> None:
    """Run a named research query (see docs/queries.md), or list them with --list.

    A PTCE, organisation, territory or concept is given by its IRI, its key (le-damier) or, for
    a territory, its INSEE code; one the store does not have is an error (exit 2) naming the
    closest accepted values."""
    with exit_codes():
        settings = settings_for(store)
        queries = load_queries(settings.queries_dir)
        if list_queries:
            table = Table("query", "title", "parameters", "returns")
            for q in queries.values():
                params = ", ".join(
                    f"{p.name}: {p.type}{'' if p.required else '?'}{'…' if p.multiple else ''}"
                    for p in q.params.values()
                )
                table.add_row(q.name, q.title["en"], params, q.returns)
            out.print(table)
            return
        if name is None:
            raise QueryError("give a query name, or --list to see them")
        query = find_query(queries, name)
        values = parse_params(param or [])
        with opened_store(settings, read_only=True) as st:
            text = query_text(query, values, st, lang=lang, base=settings.base_iri)
            write_query_result(st, text, output)
