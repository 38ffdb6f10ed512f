"""The serve command."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ptce_kg.cli.common import (
    StoreOption,
    app,
    err,
    exit_codes,
    settings_for,
)
from ptce_kg.config import Settings


@app.command()
def serve(
    store: StoreOption = None,
    host: Annotated[str | None, typer.Option(help="Address [env PTCE_HOST; 127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [env PTCE_PORT; 8000].")] = None,
    base_iri: Annotated[str | None, typer.Option(help="Base IRI [env PTCE_BASE_IRI].")] = None,
    access_log: Annotated[
        bool | None,
        typer.Option(
            "--access-log/--no-access-log",
            help="Log every request [env PTCE_ACCESS_LOG; off: /metrics counts them].",
        ),
    ] = None,
) -> None:
    """Serve the SPARQL endpoint, the Linked-Data pages and the API."""
    import uvicorn

    from ptce_kg.web import create_app

    with exit_codes():
        settings = settings_for(
            store, host=host, port=port, base_iri=base_iri, access_log=access_log
        )
        from ptce_kg.web.memory import cap_malloc_arenas

        cap_malloc_arenas()
        application = create_app(settings)
        err.print(f"serving {settings.store} on http://{settings.host}:{settings.port}")
        # One process: the app holds the store's only read-write handle and the write generation
        # its query workers follow (and `--workers` loses TCP_NODELAY: +43 ms per keep-alive
        # request, see docs/http.md). httptools and uvloop are uvicorn's "auto" choices here.
        uvicorn.run(application, **uvicorn_options(settings))


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's settings for ``serve``."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": "info",
        "access_log": settings.access_log,
        "timeout_keep_alive": settings.keep_alive,
    }
