"""The query worker process: opens the on-disk store read-only and answers jobs until told to stop.

Started by :class:`~ptce_kg.execution.runners.ProcessQueryRunner` as ``python -c`` (not
``multiprocessing``, so the parent's ``__main__`` is never re-imported), with :data:`WORKER_CODE`.
Every start and every restart after a timeout pays this module's imports: it imports the embedded
store and the wire protocol, never the web adapter nor asyncio.
"""

from __future__ import annotations

import os
import socket
import time
from typing import Any

from ptce_kg import errors
from ptce_kg.errors import PtceError, StaleStoreView
from ptce_kg.execution.jobs import run_job
from ptce_kg.execution.wire import job_from_header, recv_frame, send_frame
from ptce_kg.store import Store, open_embedded_store

#: The ``python -c`` program of a worker; its arguments are the socket's fd and the store's path.
WORKER_CODE = (
    "import sys; from ptce_kg.execution.worker import serve_worker; "
    "serve_worker(int(sys.argv[1]), sys.argv[2])"
)


def serve_worker(fd: int, path: str) -> None:
    """Body of a worker process: open the store read-only, then answer jobs until the socket closes.

    Frames are described in :mod:`ptce_kg.execution.wire`.
    """
    sock = socket.socket(fileno=fd)
    generation = 0
    pid = os.getpid()
    try:
        store = _open_read_only(path)
        send_frame(sock, ("ready", pid))
    except PtceError as e:
        send_frame(sock, ("failed", str(e)))
        return
    while True:
        try:
            header, _ = recv_frame(sock)
        except (EOFError, OSError):
            return
        job_generation, job = job_from_header(header)
        try:
            if job_generation != generation:
                del store  # release the old view before opening the new one
                store = _open_read_only(path)
                generation = job_generation
            try:
                answer = run_job(store, job)
            except StaleStoreView:
                store = _open_read_only(path)  # a compaction removed files this view needed
                answer = run_job(store, job)
            reply: tuple[Any, ...] = (
                "ok",
                answer.kind,
                answer.media_type,
                answer.started,
                answer.finished,
                pid,
            )
            body = answer.body
        except PtceError as e:
            reply, body = ("error", type(e).__name__, e.message, e.hint), b""
        except Exception as e:  # report, never die silently: the pool would lose the worker
            message = f"query failed: {type(e).__name__}: {e}"
            reply, body = ("error", "QueryError", message, None), b""
        try:
            send_frame(sock, reply, body)
        except OSError:
            return


def _open_read_only(path: str, attempts: int = 20) -> Store:
    """Open a read-only view of the store at ``path``.

    RocksDB may refuse a read-only open while the writer compacts (the manifest names a file just
    removed): try again for a short while.
    """
    for attempt in range(attempts):
        try:
            return open_embedded_store(path, read_only=True)
        except (PtceError, RuntimeError, OSError) as e:
            if attempt == attempts - 1:
                raise errors.StoreError(f"cannot open a read-only view of {path}: {e}") from e
            time.sleep(0.05)
    raise AssertionError("unreachable")
