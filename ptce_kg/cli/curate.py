"""``ptce-kg curate``: build the real dataset from the curated tables of ``data/curation/``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ptce_kg.cli.common import (
    app,
    exit_codes,
    fail,
    out,
    settings_for,
)
from ptce_kg.ingest.curation import build_dataset, write_dataset
from ptce_kg.ingest.curation_tables import read_curation

curate_app = typer.Typer(
    help="Build the real PTCE dataset (data/ptce, data/actors, data/sources) from data/curation/.",
    no_args_is_help=True,
)
app.add_typer(curate_app, name="curate")

#: Exit code of ``curate build --check`` when a built file is out of date.
EXIT_OUT_OF_DATE = 1


@curate_app.command("build")
def build(
    curation: Annotated[
        Path | None,
        typer.Argument(
            help="Curation folder (batch folders of CSV tables) [default: data/curation]."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Data folder written to (ptce/, actors/, sources/) [default: data].",
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Write nothing; exit 1 if a built file is missing or differs."
        ),
    ] = False,
) -> None:
    """Check every row of the tables, then write one Turtle file per PTCE, one of the organisations
    and one of the source documents (each described once), removing stale files.

    A row that cannot be built (unknown key, bad code or date, missing source…) is reported with
    its file, line and column, and nothing is written (exit 2). Every fact cites the document
    that states it (docs/decisions/0006-per-fact-provenance.md).
    """
    with exit_codes():
        settings = settings_for()
        source_dir = curation or settings.data_dir / "curation"
        out_dir = output or settings.data_dir
        tables = read_curation(source_dir, settings.ontology_dir / "vocabularies")
        built = build_dataset(tables, base=settings.base_iri)
        changed = write_dataset(built, out_dir, check=check)
        if check:
            if changed:
                names = ", ".join(p.name for p in changed[:10])
                more = f" and {len(changed) - 10} more" if len(changed) > 10 else ""
                fail(EXIT_OUT_OF_DATE, f"{len(changed)} built file(s) out of date: {names}{more}; "
                     "run `make data`")  # fmt: skip
            out.print(f"{len(built)} built files in {out_dir} are up to date")
            return
        ptces = sum(1 for name in built if name.startswith("ptce/"))
        out.print(f"{ptces} PTCE built into {out_dir}: {len(changed)} file(s) written or removed")
