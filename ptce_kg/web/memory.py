"""Keep the server's memory flat: malloc arenas capped and trimmed, write buffers flushed.

- glibc gives each thread that allocates concurrently an arena of its own (up to 8 per core) and
  keeps what is freed in them. Under a soak the server's pool threads grew its RSS by ~135 MB of
  freed memory, which ``malloc_trim`` gave back (bench/README.md, Soak). The server caps the arenas
  when it starts and trims after each write (a write frees a scratch copy of the dataset).
  Elsewhere than on glibc both are no-ops.
- RocksDB keeps every committed write in its memtables until it flushes them (~85 KB for a small
  graph replaced with its companions; +130 MB over 1,500 such writes in-process, all freed by a
  flush). :class:`AfterWrites` flushes an on-disk store every few writes: often enough to bound
  that memory, seldom enough not to litter the store with tiny files.

What is left after that is RocksDB's block caches in the server's store handle, which writes
fill (each reads the dataset for its scratch copy, and leaves new files whose blocks are cached
anew). Their size is fixed by Oxigraph (a 128 MB cache for its string column family, RocksDB's
default cache for the others) and pyoxigraph does not let it be changed: the server's RSS rises
by up to ~180 MB over its first writes (~1,500 of a 600-triple graph, ~8,000 of a 3-triple one),
then stays flat (bench/README.md, "Soak").
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
import threading
from functools import cache

from ptce_kg.errors import StoreError
from ptce_kg.store import EmbeddedStore, Store

log = logging.getLogger(__name__)

#: glibc's mallopt parameter number of M_ARENA_MAX.
_M_ARENA_MAX = -8


@cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


def cap_malloc_arenas(arenas: int = 2) -> bool:
    """Limit glibc to ``arenas`` malloc arenas, unless ``MALLOC_ARENA_MAX`` is already set.

    Returns whether the limit was set.
    """
    libc = _libc()
    if libc is None or "MALLOC_ARENA_MAX" in os.environ:
        return False
    return bool(libc.mallopt(_M_ARENA_MAX, arenas))


def release_free_memory() -> bool:
    """Give the memory malloc keeps after ``free`` back to the system (``malloc_trim(0)``).

    Returns whether some was released.
    """
    libc = _libc()
    return bool(libc.malloc_trim(0)) if libc is not None else False


class AfterWrites:
    """What the server does for memory after each committed write to ``store``."""

    def __init__(self, store: Store, flush_every: int = 32) -> None:
        self._store = (
            store if isinstance(store, EmbeddedStore) and store.location != ":memory:" else None
        )
        self._every = flush_every
        self._writes = 0
        self._lock = threading.Lock()
        self.flushes = 0

    def __call__(self) -> None:
        with self._lock:
            self._writes += 1
            due = self._store is not None and self._writes % self._every == 0
        if due and self._store is not None:
            try:
                self._store.flush()
                self.flushes += 1
            except StoreError as e:  # the data is committed (in the write-ahead log) either way
                log.warning("%s", e)
        release_free_memory()
