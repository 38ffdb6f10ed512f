"""Shared pieces of the ptce-kg command line: the Typer app, settings, exit codes, reports.

ptce-kg is the terminal adapter. Each command parses its arguments, calls library functions, and
turns errors into exit codes: 0 ok, 1 rejected or does not conform, 2 usage or input error,
3 internal error."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ptce_kg import pipeline
from ptce_kg.config import Settings
from ptce_kg.errors import (
    ConfigError,
    DataRejected,
    FormatMismatch,
    MappingError,
    NotFound,
    PtceError,
    QueryError,
    SourceError,
    StoreError,
)
from ptce_kg.formats import RdfFormat, ResultsFormat
from ptce_kg.ingest.rdf import ParseLimits
from ptce_kg.namespaces import ONTOLOGY_GRAPH
from ptce_kg.sparql.reach import screen_sparql
from ptce_kg.store import Store, open_store
from ptce_kg.validate import Severity, ValidationReport
from ptce_kg.validate.sparql_engine import UnsupportedShapeError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

app = typer.Typer(
    name="ptce-kg",
    help="Knowledge base of France's PTCE: load and validate RDF, query with SPARQL, compare "
    "PTCEs, serve a SPARQL endpoint and Linked-Data pages.\n\nExit codes: 0 ok, 1 data rejected "
    "or does not conform, 2 usage or input error, 3 internal error. Every option also "
    "reads a PTCE_ "
    "environment variable (PTCE_STORE, PTCE_BASE_IRI, PTCE_HOST, PTCE_PORT, …).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts show [brackets] as written
)
out = Console()
err = Console(stderr=True)

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        "-s",
        help="Store directory, ':memory:', or a SPARQL endpoint URL [env PTCE_STORE; "
        "default ./.ptce-store].",
        show_default=False,
    ),
]


def settings_for(store: str | None = None, **overrides: object) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if store is not None:
        values["store"] = store
    try:
        return Settings(**values)  # type: ignore[arg-type]
    except ValueError as e:
        raise ConfigError(f"invalid setting: {e}") from e


def parse_limits(settings: Settings) -> ParseLimits:
    """How the command line parses the files it is given: in a child process, within the
    configured nesting, memory and time bounds (a parser crash is exit 2, never a half-done
    command)."""
    return ParseLimits(
        max_depth=settings.max_nesting_depth,
        isolated=True,
        memory_bytes=settings.parse_memory_mb * 1024 * 1024,
        seconds=settings.parse_timeout,
    )


def open_configured(settings: Settings, *, read_only: bool = False) -> Store:
    """Open the configured store for a command.

    A read-write embedded store is locked by this process for the command's duration, so no one
    else reads it while the command writes: it is opened ``exclusive`` (the bulk loader's fast,
    crash-safe path for large new graphs).
    """
    password = settings.store_password.get_secret_value() if settings.store_password else None
    return open_store(
        settings.store,
        read_only=read_only,
        exclusive=not read_only,
        user=settings.store_user,
        password=password,
    )


@contextmanager
def opened_store(settings: Settings, *, read_only: bool = False) -> Iterator[Store]:
    """Open the configured store for the duration of a command, and close it after."""
    st = open_configured(settings, read_only=read_only)
    try:
        yield st
    finally:
        st.close()


def write_output(text: str, file: Path | None) -> None:
    """Write a command's result to ``file`` (then say so on standard error), or to standard output.

    Raises:
        SourceError: the file cannot be written.
    """
    if file is None:
        typer.echo(text, nl=False)
        return
    try:
        file.write_text(text, encoding="utf-8")
    except OSError as e:
        raise SourceError(f"cannot write {file}: {e.strerror}", path=str(file)) from e
    err.print(f"wrote {file}")


def fail(code: int, message: str) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def describe(error: PtceError) -> str:
    """``message (hint)``; a message or hint of several lines (a SPARQL syntax error with its
    line and caret, PREFIX lines to add) keeps its lines, the hint after ``hint:``."""
    if error.hint and ("\n" in error.message or "\n" in error.hint):
        return f"{error.message}\nhint: {error.hint}"
    return str(error)


@contextmanager
def exit_codes() -> Iterator[None]:
    """Map ptce_kg errors to exit codes (the one place that does)."""
    try:
        yield
    except DataRejected as e:
        print_report(e.report, Severity.WARNING)
        fail(EXIT_REJECTED, str(e))
    except (SourceError, MappingError, QueryError, ConfigError, NotFound) as e:
        fail(EXIT_USAGE, describe(e))
    except StoreError as e:  # the store is missing, locked, unreachable or failing: not a bug here
        fail(EXIT_USAGE, str(e))
    except UnsupportedShapeError as e:  # a user's shape the engine cannot evaluate exactly
        fail(EXIT_USAGE, f"shapes refused, nothing validated: {e}")
    except PtceError as e:
        fail(EXIT_INTERNAL, str(e))


def print_report(
    report: ValidationReport, at_least: Severity, *, console: Console | None = None
) -> None:
    """Print the results at least as severe as ``at_least`` (to standard error by default).

    The one layout of validation results: `load` (on standard error) and `validate` (on standard
    output, where they are the answer) print them alike.
    """
    console = console or err
    for r in sorted(report.at_least(at_least), key=lambda r: (-r.severity, r.focus)):
        colour = "red" if r.severity is Severity.VIOLATION else "yellow"
        path = f"\n    path:  {r.path}" if r.path else ""
        value = f"\n    value: {r.value}" if r.value is not None else ""
        details = f"    focus: {r.focus}{path}{value}\n    {r.message}\n    shape: {r.shape}"
        console.print(
            f"[{colour}]{r.severity.name.lower()}[/] {escape(report.source or '')}\n"
            f"{escape(details)}",
            highlight=False,
            soft_wrap=True,
        )


def warning_summary(report: ValidationReport) -> str:
    """``", 3 warning(s): Shape-a ×2, Shape-b ×1"`` (details with --verbose)."""
    if not report.warnings:
        return ""
    counts: dict[str, int] = {}
    for r in report.warnings:
        name = r.shape.rsplit("#", 1)[-1]
        counts[name] = counts.get(name, 0) + 1
    listed = ", ".join(f"{name} ×{n}" for name, n in sorted(counts.items()))
    return f", {len(report.warnings)} warning(s): {listed}"


def expand_paths(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and any(p.suffix.lower() in f.extensions for f in RdfFormat)
            )
        else:
            files.append(path)
    return files


def ensure_ontology(store: Store, settings: Settings) -> None:
    if str(ONTOLOGY_GRAPH) not in store.graph_sizes():
        pipeline.load_ontology(store, settings.ontology_dir)


def context_store(settings: Settings) -> Store:
    """The store to validate against: the configured one if it exists (read-only when on disk,
    so that `validate` works while `serve` holds it), else the ontology alone."""
    if settings.store.startswith(("http://", "https://")):
        st = open_configured(settings)
    elif settings.store != ":memory:" and Path(settings.store).exists():
        st = open_configured(settings, read_only=True)
        if str(ONTOLOGY_GRAPH) in st.graph_sizes():
            return st
        st.close()  # a store without the ontology: validate against the ontology alone
        st = open_store(":memory:")
    else:
        st = open_store(":memory:")
    ensure_ontology(st, settings)
    return st


class QueryFormat(StrEnum):
    """Output formats of ``ptce-kg query``."""

    table = "table"
    json = "json"
    xml = "xml"
    csv = "csv"
    tsv = "tsv"
    turtle = "turtle"
    ntriples = "n-triples"


MEDIA_TYPES = {
    QueryFormat.json: ResultsFormat.JSON.media_type,
    QueryFormat.xml: ResultsFormat.XML.media_type,
    QueryFormat.csv: ResultsFormat.CSV.media_type,
    QueryFormat.tsv: ResultsFormat.TSV.media_type,
    QueryFormat.turtle: RdfFormat.TURTLE.media_type,
    QueryFormat.ntriples: RdfFormat.N_TRIPLES.media_type,
}


def write_query_result(st: Store, text: str, output: QueryFormat) -> None:
    """Run ``text`` and write the answer in ``output`` format to standard output."""
    screen_sparql(text)  # the engine runs in this process: a too deep query would crash it
    if output is QueryFormat.table:
        result = st.query(text)
        if result.kind == "ask":
            out.print("yes" if result.boolean else "no")
            return
        if result.kind == "graph":
            for s, p, o in result.triples:
                out.print(f"{s.n3()} {p.n3()} {o.n3()} .", highlight=False, soft_wrap=True)
            return
        table = Table(*result.variables)
        for row in result.rows:
            table.add_row(*("" if t is None else str(t) for t in row))
        out.print(table)
        out.print(f"{len(result.rows)} row(s)")
        return
    media = MEDIA_TYPES[output]
    graph_formats = {QueryFormat.turtle, QueryFormat.ntriples}
    try:
        _kind, body = st.query_serialized(text, media)
    except FormatMismatch as e:
        wanted = "turtle or n-triples" if output not in graph_formats else "json, xml, csv, tsv"
        raise QueryError(f"{e}", hint=f"use --output {wanted} or table") from e
    sys.stdout.buffer.write(body)
    sys.stdout.flush()


def main() -> None:
    """Entry point that also maps unexpected exceptions to exit code 3."""
    logging.basicConfig(level=logging.WARNING)
    try:
        app()
    except typer.Exit:
        raise
    except Exception as e:  # the last resort of the terminal adapter: report, exit 3
        err.print(f"[bold red]internal error:[/] {type(e).__name__}: {e}")
        raise SystemExit(EXIT_INTERNAL) from e
