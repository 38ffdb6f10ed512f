"""``ptce-kg link``: link our territories, organisations and PTCE to a remote SPARQL catalogue."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ptce_kg import link as linking
from ptce_kg.cli.common import StoreOption, app, exit_codes, open_configured, out, settings_for


class LinkTarget(StrEnum):
    """Catalogues ``ptce-kg link`` knows how to match against."""

    insee_geo = "insee-geo"
    wikidata = "wikidata"
    ptce_kg = "ptce-kg"


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/ptce-kg/link`` (``~/.cache/ptce-kg/link``): per user, not shared."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "ptce-kg" / "link"


@app.command()
def link(
    endpoint: Annotated[
        str, typer.Option("--endpoint", "-e", help="URL of the remote SPARQL endpoint.")
    ],
    target: Annotated[LinkTarget, typer.Option("--target", "-t", help="What the endpoint holds.")],
    store: StoreOption = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(help="Where remote answers are cached [default: ~/.cache/ptce-kg/link]."),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option("--no-cache", help="Ask the endpoint again; do not read or write the cache."),
    ] = False,
    max_age: Annotated[float, typer.Option(help="Hours a cached answer stays valid.", min=0)] = 24
    * 7,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for each remote answer.", min=1)
    ] = 30.0,
    retries: Annotated[
        int, typer.Option(help="Retries on connection errors and 5xx/429 answers.", min=0)
    ] = 2,
) -> None:
    """Link records to a remote catalogue by key (INSEE code, SIREN, exact label, owl:sameAs).

    The links (skos:exactMatch; owl:sameAs only when the other ptce_kg states it) replace the
    graph <base>graph/links-<target> in one transaction, with their provenance (the endpoint, the
    queries, when they were answered) in its /provenance companion. Re-running replaces them.
    Federated SERVICE queries are not used: the remote is queried directly.
    """
    with exit_codes():
        settings = settings_for(store)
        remote = linking.CatalogueEndpoint(
            endpoint,
            cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
            max_age=max_age * 3600,
            timeout=timeout,
            retries=retries,
        )
        st = open_configured(settings)
        try:
            outcome = linking.link_store(st, remote, target.value, base_iri=settings.base_iri)
        finally:
            st.close()
        table = Table("records", "with a key", "linked", "ambiguous", "not found")
        for rule, count in outcome.counts.items():
            table.add_row(
                rule,
                str(count.candidates),
                str(count.linked),
                str(count.ambiguous),
                str(count.unmatched),
            )
        out.print(table)
        out.print(
            f"{len(outcome.links)} link(s) to {outcome.endpoint} → <{outcome.graph}> "
            f"({outcome.queries} remote queries, {outcome.cached} from the cache)",
            highlight=False,
            soft_wrap=True,
        )
