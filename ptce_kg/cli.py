"""ptce-kg: the terminal adapter. Each command parses its arguments, calls library functions, and
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
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ptce_kg import pipeline
from ptce_kg.config import Settings
from ptce_kg.errors import (
    ConfigError,
    DataRejected,
    MappingError,
    NotFound,
    PtceError,
    QueryError,
    SourceError,
    StoreError,
)
from ptce_kg.formats import RdfFormat
from ptce_kg.namespaces import ONTOLOGY_GRAPH, PTCE
from ptce_kg.store import Store, open_store
from ptce_kg.validate import Severity, ValidationReport

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


def _settings(store: str | None = None, **overrides: object) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if store is not None:
        values["store"] = store
    try:
        return Settings(**values)  # type: ignore[arg-type]
    except ValueError as e:
        raise ConfigError(f"invalid setting: {e}") from e


def _open(settings: Settings, *, read_only: bool = False) -> Store:
    password = settings.store_password.get_secret_value() if settings.store_password else None
    return open_store(
        settings.store, read_only=read_only, user=settings.store_user, password=password
    )


def _fail(code: int, message: str) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def _exit_codes() -> Iterator[None]:
    """Map ptce_kg errors to exit codes (the one place that does)."""
    try:
        yield
    except DataRejected as e:
        _print_report(e.report, Severity.WARNING)
        _fail(EXIT_REJECTED, str(e))
    except (SourceError, MappingError, QueryError, ConfigError, NotFound) as e:
        _fail(EXIT_USAGE, str(e))
    except StoreError as e:
        _fail(EXIT_USAGE if "open" in str(e) else EXIT_INTERNAL, str(e))
    except PtceError as e:
        _fail(EXIT_INTERNAL, str(e))


def _print_report(report: ValidationReport, at_least: Severity) -> None:
    for r in sorted(report.at_least(at_least), key=lambda r: (-r.severity, r.focus)):
        colour = "red" if r.severity is Severity.VIOLATION else "yellow"
        path = f"\n    path:  {r.path}" if r.path else ""
        value = f"\n    value: {r.value}" if r.value is not None else ""
        err.print(
            f"[{colour}]{r.severity.name.lower()}[/] {report.source or ''}\n"
            f"    focus: {r.focus}{path}{value}\n    {r.message}\n    shape: {r.shape}",
            highlight=False,
            soft_wrap=True,
        )


def _warning_summary(report: ValidationReport) -> str:
    """``", 3 warning(s): Shape-a ×2, Shape-b ×1"`` (details with --verbose)."""
    if not report.warnings:
        return ""
    counts: dict[str, int] = {}
    for r in report.warnings:
        name = r.shape.rsplit("#", 1)[-1]
        counts[name] = counts.get(name, 0) + 1
    listed = ", ".join(f"{name} ×{n}" for name, n in sorted(counts.items()))
    return f", {len(report.warnings)} warning(s): {listed}"


def _expand(paths: list[Path]) -> list[Path]:
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


def _ensure_ontology(store: Store, settings: Settings) -> None:
    if str(ONTOLOGY_GRAPH) not in store.graph_sizes():
        pipeline.load_ontology(store, settings.ontology_dir)


@app.command()
def load(
    files: Annotated[list[Path], typer.Argument(help="RDF files or directories to load.")],
    store: StoreOption = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="turtle, trig, n-triples, n-quads, rdf-xml, json-ld."),
    ] = None,
    graph: Annotated[
        str | None, typer.Option(help="Named graph IRI (default: from the file name).")
    ] = None,
    no_validate: Annotated[
        bool,
        typer.Option(
            "--no-validate", help="Bulk path for large trusted dumps: no validation, not atomic."
        ),
    ] = False,
    engine: Annotated[str, typer.Option(help="Validation engine: sparql or pyshacl.")] = "sparql",
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every warning, not only their count.")
    ] = False,
) -> None:
    """Validate each file against the shapes and the ontology, then store it in its own graph.

    A file with any violation is rejected whole and the store is left exactly as it was; warnings
    are counted (listed with --verbose) and do not block. Loading a file again replaces only its
    graph.
    """
    with _exit_codes():
        settings = _settings(store)
        paths = _expand(files)
        if not paths:
            raise SourceError(
                "no RDF file to load", hint="give files or directories with .ttl etc."
            )
        if graph and len(paths) > 1:
            raise SourceError("--graph names one graph: give one file with it")
        st = _open(settings)
        try:
            _ensure_ontology(st, settings)
            shapes = None if no_validate else pipeline.read_shapes(settings.shapes_dir)
            if no_validate:
                err.print(
                    "[yellow]warning:[/] --no-validate: data is NOT checked against the shapes and "
                    "the bulk load is not atomic (an interrupted load leaves part of the file)."
                )
            rejected = 0
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=err,
                transient=True,
                disable=not err.is_terminal,
            ) as bar:
                task = bar.add_task("loading", total=len(paths))
                for path in paths:
                    bar.update(task, description=f"loading {path.name}")
                    try:
                        if shapes is None:
                            outcome = pipeline.bulk_load_source(
                                st, path, fmt=fmt, graph=graph, base_iri=settings.base_iri
                            )
                        else:
                            outcome = pipeline.load_source(
                                st,
                                path,
                                shapes,
                                fmt=fmt,
                                graph=graph,
                                base_iri=settings.base_iri,
                                engine=engine,
                                progress=lambda m: bar.update(task, description=m),
                            )
                    except DataRejected as e:
                        rejected += 1
                        _print_report(e.report, Severity.WARNING if verbose else Severity.VIOLATION)
                        err.print(f"[bold red]rejected:[/] {e}", highlight=False, soft_wrap=True)
                        bar.advance(task)
                        continue
                    if outcome.report.warnings and verbose:
                        _print_report(outcome.report, Severity.WARNING)
                    out.print(
                        f"loaded {path} → <{outcome.graph}>: {outcome.triples} triples"
                        + (f" (+{outcome.inferred} inferred)" if outcome.inferred else "")
                        + _warning_summary(outcome.report),
                        highlight=False,
                        soft_wrap=True,
                    )
                    bar.advance(task)
        finally:
            st.close()
        if rejected:
            _fail(
                EXIT_REJECTED, f"{rejected} of {len(paths)} file(s) rejected; they were not stored"
            )


class ReportFormat(StrEnum):
    """Formats of a validation report."""

    text = "text"
    turtle = "turtle"
    json = "json"


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="RDF files or directories to validate.")],
    store: StoreOption = None,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="Input RDF format.")] = None,
    output: Annotated[ReportFormat, typer.Option("--output", "-o", help="Report format.")] = (
        ReportFormat.text
    ),
    fail_on: Annotated[
        str,
        typer.Option(
            help="Exit 1 when a result is at least this severe: violation, warning, info."
        ),
    ] = "violation",
    engine: Annotated[str, typer.Option(help="Validation engine: sparql or pyshacl.")] = "sparql",
) -> None:
    """Validate files against the shapes, in the context of the store, without storing anything."""
    with _exit_codes():
        settings = _settings(store)
        threshold = Severity.from_name(fail_on)
        paths = _expand(files)
        if not paths:
            raise SourceError("no RDF file to validate")
        shapes = pipeline.read_shapes(settings.shapes_dir)
        st = _context_store(settings)
        failed = False
        for path in paths:
            report = pipeline.validate_source(
                st, path, shapes, fmt=fmt, base_iri=settings.base_iri, engine=engine
            )
            failed = failed or bool(report.at_least(threshold))
            if output is ReportFormat.json:
                sys.stdout.write(report.to_json() + "\n")
            elif output is ReportFormat.turtle:
                sys.stdout.write(report.to_graph().serialize(format="turtle"))
            else:
                status = "conforms" if report.conforms else "does not conform"
                out.print(
                    f"{path}: {status} ({len(report.violations)} violation(s), "
                    f"{len(report.warnings)} warning(s))",
                    highlight=False,
                )
                if report.results:
                    out.print(report.to_text(), highlight=False, soft_wrap=True)
        if failed:
            raise typer.Exit(EXIT_REJECTED)


def _context_store(settings: Settings) -> Store:
    """The store to validate against: the configured one if it exists, else the ontology alone."""
    if settings.store.startswith(("http://", "https://")) or Path(settings.store).exists():
        st = _open(settings)
    else:
        st = open_store(":memory:")
    _ensure_ontology(st, settings)
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


_MEDIA = {
    QueryFormat.json: "application/sparql-results+json",
    QueryFormat.xml: "application/sparql-results+xml",
    QueryFormat.csv: "text/csv",
    QueryFormat.tsv: "text/tab-separated-values",
    QueryFormat.turtle: "text/turtle",
    QueryFormat.ntriples: "application/n-triples",
}


@app.command()
def query(
    sparql: Annotated[str, typer.Argument(help="A SPARQL query, or the path of a .rq file.")],
    store: StoreOption = None,
    output: Annotated[QueryFormat, typer.Option("--output", "-o", help="Output format.")] = (
        QueryFormat.table
    ),
) -> None:
    """Run a SPARQL query on the store (the default graph is the union of all graphs)."""
    with _exit_codes():
        text = Path(sparql).read_text(encoding="utf-8") if sparql.endswith(".rq") else sparql
        st = _open(_settings(store))
        write_query_result(st, text, output)


def write_query_result(st: Store, text: str, output: QueryFormat) -> None:
    """Run ``text`` and write the answer in ``output`` format to standard output."""
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
    media = _MEDIA[output]
    graph_formats = {QueryFormat.turtle, QueryFormat.ntriples}
    try:
        _kind, body = st.query_serialized(text, media)
    except QueryError as e:
        if "cannot be written" in str(e):
            wanted = "turtle or n-triples" if output not in graph_formats else "json, xml, csv, tsv"
            raise QueryError(f"{e}", hint=f"use --output {wanted} or table") from e
        raise
    sys.stdout.buffer.write(body)
    sys.stdout.flush()


@app.command()
def stats(store: StoreOption = None) -> None:
    """Print the number of quads, graphs and sources in the store."""
    with _exit_codes():
        st = _open(_settings(store))
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
    with _exit_codes():
        st = _open(_settings(store))
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


@app.command()
def drop(
    graph: Annotated[str, typer.Argument(help="IRI of the source graph to remove.")],
    store: StoreOption = None,
) -> None:
    """Remove a source graph (and its inferred and provenance companions)."""
    with _exit_codes():
        st = _open(_settings(store))
        if graph not in st.graph_sizes():
            raise NotFound(f"no graph <{graph}> in the store", hint="see ptce-kg graphs")
        pipeline.drop_source(st, graph)
        st.close()
        out.print(f"dropped <{graph}>")


@app.command()
def dump(
    store: StoreOption = None,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="n-quads or trig (or any RDF format with --graph)."),
    ] = "n-quads",
    graph: Annotated[str | None, typer.Option(help="Dump only this graph.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout).")
    ] = None,
) -> None:
    """Write the store (or one graph) as N-Quads, TriG or, for one graph, any RDF format."""
    with _exit_codes():
        st = _open(_settings(store))
        rdf_format = RdfFormat.from_name(fmt)
        if output is None:
            st.dump(sys.stdout.buffer, rdf_format, graph=graph)
            sys.stdout.flush()
        else:
            with output.open("wb") as handle:
                st.dump(handle, rdf_format, graph=graph)
            err.print(f"wrote {output}")


@app.command("load-ontology")
def load_ontology_cmd(store: StoreOption = None) -> None:
    """(Re)load the ontology and vocabularies; refresh the hierarchy closure and entailments."""
    with _exit_codes():
        settings = _settings(store)
        st = _open(settings)
        n = pipeline.load_ontology(st, settings.ontology_dir)
        st.close()
        out.print(f"ontology and vocabularies: {n} triples; hierarchy closure refreshed")


@app.command("check-ontology")
def check_ontology_cmd() -> None:
    """Run HermiT (through owlready2) on the ontology: it must be consistent, with no unsatisfiable
    class. Needs a Java runtime."""
    from ptce_kg import reasoning

    with _exit_codes():
        settings = _settings()
        result = reasoning.check_ontology(pipeline.ontology_files(settings.ontology_dir))
        if result.consistent and not result.unsatisfiable:
            out.print(f"consistent, no unsatisfiable class (HermiT, {result.seconds:.1f} s)")
            return
        if not result.consistent:
            err.print("[red]the ontology is inconsistent[/]")
        for cls in result.unsatisfiable:
            err.print(f"[red]unsatisfiable:[/] {cls}")
        raise typer.Exit(EXIT_REJECTED)


@app.command()
def serve(
    store: StoreOption = None,
    host: Annotated[str | None, typer.Option(help="Address [env PTCE_HOST; 127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [env PTCE_PORT; 8000].")] = None,
    base_iri: Annotated[str | None, typer.Option(help="Base IRI [env PTCE_BASE_IRI].")] = None,
) -> None:
    """Serve the SPARQL endpoint, the Linked-Data pages and the API."""
    import uvicorn

    from ptce_kg.web import create_app

    with _exit_codes():
        settings = _settings(store, host=host, port=port, base_iri=base_iri)
        application = create_app(settings)
        err.print(f"serving {settings.store} on http://{settings.host}:{settings.port}")
        uvicorn.run(application, host=settings.host, port=settings.port, log_level="info")


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
