"""Commands that compare PTCEs: compare (side by side) and similar (nearest neighbours)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ptce_kg.cli.common import (
    StoreOption,
    app,
    exit_codes,
    open_configured,
    out,
    settings_for,
    write_output,
)
from ptce_kg.compare import SimilarityWeights, compare_ptces, nearest, resolve_ptce
from ptce_kg.errors import QueryError


class CompareFormat(StrEnum):
    """Output formats of ``ptce-kg compare``."""

    table = "table"
    csv = "csv"
    json = "json"


WeightsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--weights",
        "-w",
        help="Weight of a similarity dimension, as name=number (repeatable): sectors, "
        "cooperation_types, actor_classes, territory_types, scale, regions, recognitions, "
        "legal_form.",
        show_default=False,
    ),
]
LangOption = Annotated[str, typer.Option("--lang", help="Language of labels (fr, en).")]


def parse_weights(pairs: list[str] | None) -> SimilarityWeights:
    """``["sectors=2", "regions=0"]`` → weights (defaults elsewhere)."""
    values: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--weights takes name=number, not {pair!r}")
        values[name.strip()] = value.strip()
    return SimilarityWeights.from_mapping(values)


def parse_day(text: str | None) -> date | None:
    """``--as-of YYYY-MM-DD`` as a date.

    Raises:
        QueryError: not a date.
    """
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise QueryError(f"--as-of {text!r} is not a date", hint="YYYY-MM-DD") from None


@app.command()
def compare(
    ptces: Annotated[
        list[str], typer.Argument(help="2 to 5 PTCEs: IRIs, or keys such as le-damier.")
    ],
    store: StoreOption = None,
    output: Annotated[
        CompareFormat, typer.Option("--output", "-o", help="Output format.")
    ] = CompareFormat.table,
    file: Annotated[
        Path | None, typer.Option("--file", help="Write the output to this file.")
    ] = None,
    weights: WeightsOption = None,
    lang: LangOption = "fr",
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Describe the PTCEs as they stood on this day (YYYY-MM-DD; default today).",
        ),
    ] = None,
) -> None:
    """Compare 2 to 5 PTCEs side by side, with their pairwise similarity."""
    with exit_codes():
        if file is not None and output is CompareFormat.table:
            raise QueryError("--file writes csv or json", hint="add --output csv or --output json")
        settings = settings_for(store)
        chosen = parse_weights(weights)
        on = parse_day(as_of)
        st = open_configured(settings, read_only=True)
        comparison = compare_ptces(st, ptces, chosen, lang=lang, on=on, base=settings.base_iri)
        if output is CompareFormat.table:
            table = Table(*comparison.header(), show_lines=True)
            for row in comparison.as_table_rows():
                table.add_row(*row)
            out.print(table)
            return
        text = comparison.to_csv() if output is CompareFormat.csv else comparison.to_json() + "\n"
        write_output(text, file)


@app.command()
def similar(
    ptce: Annotated[str, typer.Argument(help="A PTCE: IRI, or key such as le-damier.")],
    store: StoreOption = None,
    k: Annotated[int, typer.Option("-k", min=1, help="How many neighbours.")] = 5,
    weights: WeightsOption = None,
    lang: LangOption = "fr",
) -> None:
    """List the PTCEs most similar to one (weighted Jaccard over profile dimensions)."""
    with exit_codes():
        settings = settings_for(store)
        chosen = parse_weights(weights)
        st = open_configured(settings, read_only=True)
        iri = str(resolve_ptce(ptce, base=settings.base_iri))
        neighbours = nearest(st, iri, k, chosen, lang=lang)
        width = max((len(n.profile.key) for n in neighbours), default=3)
        table = Table("rank", "PTCE")
        table.add_column("key", no_wrap=True, min_width=width)
        table.add_column("similarity")
        table.add_column("shared dimensions")
        for rank, n in enumerate(neighbours, 1):
            shared = ", ".join(f"{d} {v:.2f}" for d, v in n.score.per_dimension.items() if v > 0)
            table.add_row(str(rank), n.profile.label, n.profile.key, f"{n.score.total:.3f}", shared)
        out.print(table)
