"""Commands that put data in the store or check it: load, validate, drop, dump, load-ontology,
check-ontology."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ptce_kg import pipeline
from ptce_kg.cli.common import (
    EXIT_REJECTED,
    StoreOption,
    app,
    context_store,
    ensure_ontology,
    err,
    exit_codes,
    expand_paths,
    fail,
    open_configured,
    opened_store,
    out,
    parse_limits,
    print_report,
    settings_for,
    warning_summary,
)
from ptce_kg.errors import (
    DataRejected,
    NotFound,
    SourceError,
)
from ptce_kg.formats import RdfFormat
from ptce_kg.validate import Severity, load_shapes

#: The territories of the bundled data, in dependency order (a commune lies within a département,
#: which lies within a région); any other file of ``territories/`` follows, then ``ptce/``.
TERRITORIES_ORDER = ("regions.ttl", "departements.ttl", "communes.ttl")
#: Folders of graphs the PTCE share, loaded between the territories and ``ptce/`` (data/README.md).
SHARED_FOLDERS = ("sources", "actors")


def bundled_data(data_dir: Path) -> list[Path]:
    """Return the files of the real dataset under ``data_dir``: ``territories/``, ``sources/``,
    ``actors/``, ``ptce/``, then the link sets of ``links/``.

    Raises:
        SourceError: ``data_dir`` holds no ``territories/`` or no ``ptce/`` folder.
    """
    territories, ptces = data_dir / "territories", data_dir / "ptce"
    if not territories.is_dir() or not ptces.is_dir():
        raise SourceError(
            f"no bundled data in {data_dir} (it needs territories/ and ptce/)",
            hint="set PTCE_DATA_DIR to such a folder, or reinstall ptce-kg",
        )
    rank = {name: n for n, name in enumerate(TERRITORIES_ORDER)}
    first = sorted(expand_paths([territories]), key=lambda p: (rank.get(p.name, len(rank)), p.name))
    # the documents and the organisations the PTCE share come before the PTCE that cite them
    shared = [data_dir / name for name in SHARED_FOLDERS if (data_dir / name).is_dir()]
    # the link sets (links out, one void:Linkset per graph) point at all of the above
    links = [data_dir / "links"] if (data_dir / "links").is_dir() else []
    return first + expand_paths(shared) + expand_paths([ptces]) + expand_paths(links)


@app.command()
def load(
    files: Annotated[
        list[Path] | None, typer.Argument(help="RDF files or directories to load.")
    ] = None,
    bundled: Annotated[
        bool,
        typer.Option(
            "--bundled",
            help="First load the real dataset that comes with ptce-kg (territories, then the "
            "PTCEs; from PTCE_DATA_DIR if set).",
        ),
    ] = False,
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
    graph. With --bundled, the real dataset installed with ptce-kg is loaded first (no data/
    folder needed), then the FILES given.
    """
    with exit_codes():
        settings = settings_for(store)
        paths = bundled_data(settings.data_dir) if bundled else []
        paths += expand_paths(files or [])
        if not paths:
            raise SourceError(
                "no RDF file to load",
                hint="give files or directories with .ttl etc., or --bundled for the real dataset",
            )
        if graph and len(paths) > 1:
            raise SourceError("--graph names one graph: give one file with it")
        st = open_configured(settings)
        try:
            ensure_ontology(st, settings)
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
                                st,
                                path,
                                fmt=fmt,
                                graph=graph,
                                base_iri=settings.base_iri,
                                max_depth=settings.max_nesting_depth,
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
                                limits=parse_limits(settings),
                            )
                    except DataRejected as e:
                        rejected += 1
                        print_report(e.report, Severity.WARNING if verbose else Severity.VIOLATION)
                        err.print(f"[bold red]rejected:[/] {e}", highlight=False, soft_wrap=True)
                        bar.advance(task)
                        continue
                    if outcome.report.warnings and verbose:
                        print_report(outcome.report, Severity.WARNING)
                    out.print(
                        f"loaded {path} → <{outcome.graph}>: {outcome.triples} triples"
                        + (f" (+{outcome.inferred} inferred)" if outcome.inferred else "")
                        + warning_summary(outcome.report),
                        highlight=False,
                        soft_wrap=True,
                    )
                    bar.advance(task)
        finally:
            st.close()
        if rejected:
            fail(
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
    shapes_files: Annotated[
        list[Path] | None,
        typer.Option(
            "--shapes",
            help="A SHACL shapes file (Turtle) to validate against instead of the project's "
            "shapes; repeatable. A shape the engine cannot evaluate exactly is refused (exit 2).",
        ),
    ] = None,
) -> None:
    """Validate files against the shapes, in the context of the store, without storing anything.

    With --shapes, any RDF file is validated against any shapes (a network's own rules):
    -o turtle writes a standard sh:ValidationReport. Exit 0 conforms, 1 does not, 2 bad input.
    """
    with exit_codes():
        settings = settings_for(store)
        threshold = Severity.from_name(fail_on)
        paths = expand_paths(files)
        if not paths:
            raise SourceError("no RDF file to validate")
        shapes = (
            load_shapes(shapes_files) if shapes_files else pipeline.read_shapes(settings.shapes_dir)
        )
        st = context_store(settings)
        failed = False
        for path in paths:
            report = pipeline.validate_source(
                st,
                path,
                shapes,
                fmt=fmt,
                base_iri=settings.base_iri,
                engine=engine,
                limits=parse_limits(settings),
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
                print_report(report, Severity.INFO, console=out)  # as `load` prints them
        if failed:
            raise typer.Exit(EXIT_REJECTED)


@app.command()
def drop(
    graph: Annotated[str, typer.Argument(help="IRI of the source graph to remove.")],
    store: StoreOption = None,
) -> None:
    """Remove a source graph (and its inferred and provenance companions)."""
    with exit_codes():
        st = open_configured(settings_for(store))
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
    with exit_codes(), opened_store(settings_for(store), read_only=True) as st:
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
    with exit_codes():
        settings = settings_for(store)
        st = open_configured(settings)
        n = pipeline.load_ontology(st, settings.ontology_dir)
        st.close()
        out.print(f"ontology and vocabularies: {n} triples; hierarchy closure refreshed")


@app.command("check-ontology")
def check_ontology_cmd() -> None:
    """Run HermiT (through owlready2) on the ontology: it must be consistent, with no unsatisfiable
    class. Needs a Java runtime."""
    from ptce_kg import reasoning

    with exit_codes():
        settings = settings_for()
        result = reasoning.check_ontology(pipeline.ontology_files(settings.ontology_dir))
        if result.consistent and not result.unsatisfiable:
            out.print(f"consistent, no unsatisfiable class (HermiT, {result.seconds:.1f} s)")
            return
        if not result.consistent:
            err.print("[red]the ontology is inconsistent[/]")
        for cls in result.unsatisfiable:
            err.print(f"[red]unsatisfiable:[/] {cls}")
        raise typer.Exit(EXIT_REJECTED)
