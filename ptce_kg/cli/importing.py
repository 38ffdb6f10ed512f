"""The ``import`` command: a CSV or XLSX spreadsheet, through a YAML mapping, into one graph."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ptce_kg import pipeline
from ptce_kg.cli.common import (
    StoreOption,
    app,
    ensure_ontology,
    err,
    exit_codes,
    open_configured,
    out,
    print_report,
    settings_for,
    warning_summary,
)
from ptce_kg.ingest.mapping import Vocabularies, read_mapping
from ptce_kg.ingest.spreadsheet import read_spreadsheet
from ptce_kg.validate import Severity


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file.")],
    mapping: Annotated[
        Path, typer.Option("--mapping", "-m", help="The YAML mapping (see docs/import.md).")
    ],
    store: StoreOption = None,
    sheet: Annotated[
        list[str] | None,
        typer.Option(
            "--sheet",
            help="Import only this sheet or table of the mapping (repeatable); for a CSV file, "
            "the table it holds.",
        ),
    ] = None,
    graph: Annotated[
        str | None, typer.Option(help="Named graph IRI (default: from the file name).")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the RDF made from the rows as Turtle to this file instead of loading it "
            "(no validation, the store is not opened).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate against the store, but store nothing.")
    ] = False,
    engine: Annotated[str, typer.Option(help="Validation engine: sparql or pyshacl.")] = "sparql",
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every warning, not only their count.")
    ] = False,
) -> None:
    """Import a spreadsheet: its rows become RDF through the mapping, are validated like any
    source and, if they conform, replace ONE named graph in a single transaction.

    Any unreadable cell, unknown vocabulary value or violation is reported by sheet, row and
    column, and nothing is stored (exit 2 for cells and mapping, 1 for violations).
    """
    with exit_codes():
        settings = settings_for(store)
        sheets = sheet or []
        if output is not None:
            vocabularies = Vocabularies.read(settings.ontology_dir / "vocabularies")
            rows = read_spreadsheet(
                file,
                read_mapping(mapping, schemes=vocabularies.schemes),
                vocabularies,
                sheets=sheets,
                base=settings.base_iri,
            )
            if rows.problems:
                raise rows.error()
            rows.graph.serialize(destination=output, format="turtle")
            for table in rows.tables:
                err.print(f"read {table.describe()}", highlight=False, soft_wrap=True)
            out.print(f"wrote {output}: {len(rows.graph)} triples", highlight=False)
            return
        shapes = pipeline.read_shapes(settings.shapes_dir)
        st = open_configured(settings)
        try:
            ensure_ontology(st, settings)
            rows, outcome = pipeline.import_spreadsheet(
                st,
                file,
                mapping,
                shapes,
                vocabularies_dir=settings.ontology_dir / "vocabularies",
                sheets=sheets,
                graph=graph,
                base_iri=settings.base_iri,
                engine=engine,
                dry_run=dry_run,
            )
        finally:
            st.close()
        for table in rows.tables:
            err.print(f"read {table.describe()}", highlight=False, soft_wrap=True)
        for note in rows.notes:
            err.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)
        if outcome.report.warnings and verbose:
            print_report(outcome.report, Severity.WARNING)
        verb = "conforms (dry run, nothing stored)" if dry_run else f"→ <{outcome.graph}>"
        out.print(
            f"imported {file} {verb}: {outcome.triples} triples"
            + (f" (+{outcome.inferred} inferred)" if outcome.inferred else "")
            + warning_summary(outcome.report),
            highlight=False,
            soft_wrap=True,
        )
