"""``ptce-kg network``: the actor–PTCE network and its projections as GraphML, GEXF or CSV."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ptce_kg.cli.common import (
    StoreOption,
    app,
    exit_codes,
    opened_store,
    settings_for,
    write_output,
)
from ptce_kg.errors import QueryError
from ptce_kg.network import FORMATS, GRAPHS, load_network


@app.command()
def network(
    graph: Annotated[
        str, typer.Option("--graph", "-g", help=f"One of {', '.join(GRAPHS)}.")
    ] = "bipartite",
    fmt: Annotated[
        str, typer.Option("--format", "-f", help=f"One of {', '.join(FORMATS)}.")
    ] = "graphml",
    file: Annotated[
        Path | None, typer.Option("--file", help="Write to this file (else standard output).")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of labels (fr, en).")] = "fr",
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Keep the memberships running on this day (YYYY-MM-DD)."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Export the actor–PTCE network (bipartite), or PTCEs linked by shared members (ptces), or
    actors linked by shared PTCEs (actors), for Gephi, networkx or igraph."""
    with exit_codes():
        if fmt not in FORMATS:
            raise QueryError(f"--format {fmt!r} is not a network format", hint=", ".join(FORMATS))
        day = None
        if as_of is not None:
            try:
                day = date.fromisoformat(as_of)
            except ValueError:
                raise QueryError(f"--as-of {as_of!r} is not a date", hint="YYYY-MM-DD") from None
        with opened_store(settings_for(store), read_only=True) as st:
            text = load_network(st, graph, lang=lang, as_of=day).serialize(fmt)
        write_output(text, file)
