"""Where quads live: one interface, two backends.

``open_store(location)`` gives an :class:`~ptce_kg.store.base.Store`: the embedded Oxigraph store (a
directory, or ``":memory:"``), or a remote SPARQL 1.1 store (an ``http(s)://`` endpoint URL).
Callers never import pyoxigraph or httpx themselves, nor this package's backend modules: only
this module imports ``ptce_kg.store.embedded`` and ``ptce_kg.store.remote`` (an import contract
in pyproject.toml says so).

The remote backend is imported on first use (``open_store`` of a URL, or one of its names): it
brings httpx, which a query worker process (it opens the embedded store only) need not import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ptce_kg.store.base import (
    GraphInfo,
    QueryResult,
    Store,
    WriteListener,
    WriteListeners,
    companion_graphs,
    is_companion_graph,
)
from ptce_kg.store.embedded import EmbeddedStore, open_embedded_store

if TYPE_CHECKING:
    from ptce_kg.store.remote import (
        RemoteStore,
        open_remote_store,
        redact_url,
        term_from_json,
    )

_REMOTE_NAMES = frozenset({"RemoteStore", "open_remote_store", "redact_url", "term_from_json"})


def __getattr__(name: str) -> Any:
    """The remote backend's names, imported on first use (see the module docstring)."""
    if name in _REMOTE_NAMES:
        from ptce_kg.store import remote

        return getattr(remote, name)
    raise AttributeError(f"module 'ptce_kg.store' has no attribute {name!r}")


def open_store(
    location: str,
    *,
    read_only: bool = False,
    exclusive: bool = False,
    user: str | None = None,
    password: str | None = None,
) -> Store:
    """Open the store at ``location``.

    ``location`` is a directory path (embedded Oxigraph on disk, created if missing), ``":memory:"``
    (embedded, in memory) or an ``http(s)://`` URL of a SPARQL 1.1 endpoint (remote store;
    ``user`` and ``password`` for HTTP basic authentication). ``exclusive`` promises that no one
    reads the store while this process writes it (the CLI): large new graphs then take the bulk
    loader's fast, crash-safe path (embedded store only).

    Raises:
        StoreError: if the store cannot be opened (locked by another process, corrupted,
            not writable).
    """
    if location.startswith(("http://", "https://")):
        from ptce_kg.store.remote import open_remote_store

        return open_remote_store(location, read_only=read_only, user=user, password=password)
    return open_embedded_store(
        None if location == ":memory:" else location, read_only=read_only, exclusive=exclusive
    )


__all__ = [
    "EmbeddedStore",
    "GraphInfo",
    "QueryResult",
    "RemoteStore",
    "Store",
    "WriteListener",
    "WriteListeners",
    "companion_graphs",
    "is_companion_graph",
    "open_embedded_store",
    "open_remote_store",
    "open_store",
    "redact_url",
    "term_from_json",
]
