"""Running SPARQL queries for the endpoint: time limit and result caps.

The reach check (no SERVICE / FROM outside the store) runs before, in :mod:`ptce_kg.web.safety`;
its names are re-exported here for older imports. Two guards stand between a checked query and
the engine:

1. **Time limit**: with an on-disk store, :class:`ProcessQueryRunner` runs each query in one of a
   pool of worker processes that open the store read-only; a query past its limit has its worker
   killed (SIGKILL: the CPU is freed at once) and replaced. A worker reopens its read-only view when
   the write generation (bumped by :class:`WriteNotifyingStore` after every write) has changed. An
   in-memory store cannot be shared between processes: :class:`ThreadQueryRunner` runs the query in
   a thread (pyoxigraph releases the GIL) and enforces the limit as a response deadline only; the
   engine finishes the abandoned query in the background.
2. **Caps**: the body streams into a buffer that raises :class:`ResultTooLarge` past ``max_bytes``
   (which stops the evaluation); SELECT rows are counted in the engine's serialisation, and a result
   over ``max_rows`` is an error, never a truncated answer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any, cast

from rdflib.term import Node

from ptce_kg import errors
from ptce_kg.errors import PtceError, QueryError, QueryTimeout, ResultTooLarge
from ptce_kg.formats import RdfFormat
from ptce_kg.store import EmbeddedStore, GraphInfo, QueryResult, Store
from ptce_kg.store.embedded import open_embedded_store
from ptce_kg.web.safety import QueryReach, analyse_query, check_reach

log = logging.getLogger(__name__)

__all__ = [
    "GraphInfo",
    "ProcessQueryRunner",
    "QueryAnswer",
    "QueryJob",
    "QueryReach",
    "QueryRunner",
    "ThreadQueryRunner",
    "WriteNotifyingStore",
    "analyse_query",
    "check_reach",
    "count_result_rows",
    "open_query_runner",
    "run_job",
]


# --------------------------------------------------------------------------------------- running
@dataclass(frozen=True)
class QueryJob:
    """One query to run: the media type for each kind (``None``: not acceptable) and the caps.

    ``base_iri`` resolves relative IRIs of a query without BASE (the endpoint passes its own URL).
    """

    sparql: str
    media_types: Mapping[str, str | None]
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    max_rows: int | None = None
    max_bytes: int | None = None
    base_iri: str | None = None


@dataclass(frozen=True)
class QueryAnswer:
    """The engine's answer: ``media_type`` is ``None`` when the kind has no acceptable format.

    ``started`` and ``finished`` are ``time.monotonic()`` readings (system-wide on Linux, so they
    compare across processes); ``worker`` is the pid of the process that ran it, if not this one.
    """

    kind: str
    media_type: str | None
    body: bytes
    started: float
    finished: float
    worker: int | None = None


class _UnacceptableError(Exception):
    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class _CappedBuffer(io.RawIOBase):
    """A write-only buffer that raises ResultTooLarge once more than ``limit`` bytes arrive."""

    def __init__(self, limit: int | None) -> None:
        super().__init__()
        self._chunks: list[bytes] = []
        self._size = 0
        self._limit = limit

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._size += len(chunk)
        if self._limit is not None and self._size > self._limit:
            raise ResultTooLarge(
                f"the result is larger than the {self._limit} bytes this endpoint returns",
                hint="add LIMIT, select fewer variables or narrow the patterns",
            )
        self._chunks.append(chunk)
        return len(chunk)

    def getvalue(self) -> bytes:
        return b"".join(self._chunks)


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_CSV_FIELD = re.compile(rb'"[^"]*"')


def count_result_rows(body: bytes, media_type: str) -> int:
    """Count the solutions in a SELECT result serialised by Oxigraph in ``media_type``."""
    if media_type == "application/sparql-results+xml":
        return body.count(b"<result>") + body.count(b"<result/>")
    if media_type == "text/tab-separated-values":  # newlines inside terms are escaped
        return max(body.count(b"\n") - 1, 0)
    if media_type == "text/csv":  # quoted fields may hold newlines: drop them first
        return max(_CSV_FIELD.sub(b"", body).count(b"\n") - 1, 0)
    if media_type == "application/sparql-results+json":
        # With strings removed, "},{" only separates two solutions (terms are separated by "},:").
        bare = _JSON_STRING.sub(b"", body)
        start = bare.find(b":[", bare.find(b":{", bare.find(b"}")))
        if start < 0 or bare[start + 2 : start + 3] == b"]":
            return 0
        return bare.count(b"},{") + 1
    raise ValueError(f"not a SPARQL results format: {media_type}")


def run_job(store: Store, job: QueryJob) -> QueryAnswer:
    """Run ``job`` on ``store`` here and now (in a worker process or a thread).

    Raises:
        QueryError: syntax or evaluation error; ResultTooLarge over a cap.
    """
    started = time.monotonic()
    buffer = _CappedBuffer(job.max_bytes)

    def choose(kind: str) -> str:
        media = job.media_types.get(kind)
        if media is None:
            raise _UnacceptableError(kind)
        return media

    failure: PtceError | None = None
    try:
        kind, _ = store.query_serialized(
            job.sparql,
            choose,
            default_graph=job.default_graph,
            named_graphs=job.named_graphs,
            output=cast(IO[bytes], buffer),
            **_base(job.base_iri),
        )
    except _UnacceptableError as e:
        return QueryAnswer(e.kind, None, b"", started, time.monotonic())
    except (QueryError, errors.StoreError) as e:
        # A fresh error without the traceback: its frames hold the engine's result object, which
        # pyoxigraph requires to be dropped in this thread, not in the one that handles the error.
        failure = type(e)(e.message, hint=e.hint)
    if failure is not None:
        raise failure
    media_type = job.media_types[kind]
    assert media_type is not None
    body = buffer.getvalue()
    if kind == "select" and job.max_rows is not None and len(body) > job.max_rows:
        rows = count_result_rows(body, media_type)  # a row takes one byte at least
        if rows > job.max_rows:
            raise ResultTooLarge(
                f"the query returns {rows} rows, over the {job.max_rows} this endpoint returns",
                hint="add LIMIT (and OFFSET to page through the results)",
            )
    return QueryAnswer(kind, media_type, body, started, time.monotonic())


def _timeout_error(limit: float, stopped: bool) -> QueryTimeout:
    what = "was stopped" if stopped else "was abandoned"
    return QueryTimeout(
        f"the query ran past the {limit:g} s time limit and {what}",
        hint="narrow the patterns, add LIMIT, or prefer joins to FILTER EXISTS",
    )


class QueryRunner:
    """Runs jobs off the event loop within a time limit. Subclasses choose where."""

    timeout: float

    async def run(self, job: QueryJob) -> QueryAnswer:
        """Run ``job`` within the time limit.

        Raises:
            QueryTimeout: past the limit; QueryError, ResultTooLarge from the engine.
        """
        raise NotImplementedError

    def note_write(self) -> None:
        """Tell the runner the store changed (workers reopen their read-only view)."""

    def start(self) -> None:
        """Start workers ahead of the first query (optional)."""

    def close(self) -> None:
        """Stop the workers."""


class ThreadQueryRunner(QueryRunner):
    """Runs queries in threads on the given store; the limit is a response deadline only."""

    def __init__(self, store: Store, timeout: float, threads: int = 8) -> None:
        self.store = store
        self.timeout = timeout
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ptce-query")

    async def run(self, job: QueryJob) -> QueryAnswer:
        future = asyncio.get_running_loop().run_in_executor(
            self._executor, run_job, self.store, job
        )
        try:
            return await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            raise _timeout_error(self.timeout, stopped=False) from None

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


# --------------------------------------------------------------------------- worker processes
def serve_worker(fd: int, path: str) -> None:
    """Body of a worker process: open the store read-only, then answer jobs until the pipe closes.

    Started as ``python -c`` (not ``multiprocessing``), so the parent's ``__main__`` is never
    re-imported. Messages are ``(generation, QueryJob)``; replies ``("ok", QueryAnswer)`` or
    ``("error", class name, message, hint)``.
    """
    conn = Connection(fd)
    generation = 0
    try:
        store = _open_read_only(path)
        conn.send(("ready", 0))
    except PtceError as e:
        conn.send(("failed", str(e)))
        return
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        job_generation, job = message
        try:
            if job_generation != generation:
                del store  # release the old view before opening the new one
                store = _open_read_only(path)
                generation = job_generation
            try:
                answer = run_job(store, job)
            except QueryError as e:
                if not _is_stale_view(e):
                    raise
                store = _open_read_only(path)  # a compaction removed files this view needed
                answer = run_job(store, job)
            conn.send(("ok", dataclasses.replace(answer, worker=os.getpid())))
        except PtceError as e:
            conn.send(("error", type(e).__name__, e.message, e.hint))
        except Exception as e:  # report, never die silently: the pool would lose the worker
            conn.send(("error", "QueryError", f"query failed: {type(e).__name__}: {e}", None))


def _is_stale_view(error: QueryError) -> bool:
    return "Corruption" in error.message or "No such file" in error.message


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


_WORKER_CODE = (
    "import sys; from ptce_kg.web.execution import serve_worker; "
    "serve_worker(int(sys.argv[1]), sys.argv[2])"
)


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection

    @property
    def pid(self) -> int:
        return self.process.pid


def _rebuild_error(name: str, message: str, hint: str | None) -> PtceError:
    cls = getattr(errors, name, QueryError)
    if not (isinstance(cls, type) and issubclass(cls, PtceError)) or cls is errors.DataRejected:
        cls = QueryError
    return cls(message, hint=hint)  # type: ignore[no-any-return]


class _FairPool:
    """Idle workers, handed to waiting queries in arrival order.

    ``queue.Queue`` lets a thread that returns a worker take it straight back for its next job,
    ahead of threads already waiting: under load some queries then wait far past their turn.
    Here a returned worker goes to the oldest waiter first.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._free: deque[_Worker] = deque()
        self._waiters: deque[_Waiter] = deque()

    def qsize(self) -> int:
        with self._lock:
            return len(self._free)

    def put(self, worker: _Worker) -> None:
        with self._lock:
            if self._waiters:
                waiter = self._waiters.popleft()
                waiter.worker = worker
                waiter.event.set()
            else:
                self._free.append(worker)

    def get(self, timeout: float) -> _Worker:
        """The next free worker; raises ``queue.Empty`` after ``timeout`` seconds."""
        with self._lock:
            if self._free and not self._waiters:
                return self._free.popleft()
            waiter = _Waiter()
            self._waiters.append(waiter)
        waiter.event.wait(timeout)
        with self._lock:
            if waiter.worker is not None:
                return waiter.worker
            self._waiters.remove(waiter)
        raise queue.Empty


class _Waiter:
    def __init__(self) -> None:
        self.event = threading.Event()
        self.worker: _Worker | None = None


class ProcessQueryRunner(QueryRunner):
    """Runs queries in worker processes over the on-disk store at ``path``; kills on timeout."""

    def __init__(self, path: str, timeout: float, workers: int = 2) -> None:
        self.path = path
        self.timeout = timeout
        self.size = workers
        self._idle = _FairPool()
        self._all: dict[int, _Worker] = {}
        self._lock = threading.Lock()
        self._generation = 0
        self._closed = False
        self._started = False
        self._executor = ThreadPoolExecutor(
            max_workers=4 * workers + 4, thread_name_prefix="ptce-query-wait"
        )

    @property
    def worker_pids(self) -> list[int]:
        """Pids of the live workers (for tests and metrics)."""
        with self._lock:
            return list(self._all)

    def start(self) -> None:
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
        for _ in range(self.size):
            self._spawn()

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until every worker has opened the store (tests; startup)."""
        self.start()
        deadline = time.monotonic() + timeout
        while self._idle.qsize() < self.size and time.monotonic() < deadline:
            time.sleep(0.02)

    def _spawn(self) -> None:
        parent, child = socket.socketpair()
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", _WORKER_CODE, str(child.fileno()), self.path],
                pass_fds=(child.fileno(),),
                stdin=subprocess.DEVNULL,
            )
        finally:
            child.close()
        worker = _Worker(process, Connection(parent.detach()))
        with self._lock:
            self._all[worker.pid] = worker
        threading.Thread(target=self._await_ready, args=(worker,), daemon=True).start()

    def _await_ready(self, worker: _Worker) -> None:
        try:
            status, detail = worker.conn.recv()
        except (EOFError, OSError):
            status, detail = "failed", "exited while starting"
        if status == "ready" and not self._closed:
            self._idle.put(worker)
        else:
            log.error("query worker %s did not start: %s", worker.pid, detail)
            self._discard(worker)

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._all.pop(worker.pid, None)
        worker.process.kill()
        worker.process.wait(5)
        worker.conn.close()

    def note_write(self) -> None:
        with self._lock:
            self._generation += 1

    def _run_blocking(self, job: QueryJob, deadline: float) -> QueryAnswer:
        self.start()
        try:
            worker = self._idle.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            raise QueryTimeout(
                f"no query worker became free within the {self.timeout:g} s time limit",
                hint="the endpoint is busy; retry later",
            ) from None
        try:
            worker.conn.send((self._generation, job))
            ready = worker.conn.poll(max(deadline - time.monotonic(), 0.0))
            reply = worker.conn.recv() if ready else None
        except (EOFError, OSError, BrokenPipeError) as e:
            self._discard(worker)
            self._replace()
            raise QueryError(f"the query worker died: {e}") from e
        if reply is None:  # past the limit: SIGKILL frees the CPU at once
            self._discard(worker)
            self._replace()
            raise _timeout_error(self.timeout, stopped=True)
        self._idle.put(worker)
        if reply[0] == "ok":
            answer: QueryAnswer = reply[1]
            return answer
        raise _rebuild_error(reply[1], reply[2], reply[3])

    def _replace(self) -> None:
        if not self._closed:
            self._spawn()

    async def run(self, job: QueryJob) -> QueryAnswer:
        deadline = time.monotonic() + self.timeout
        future = asyncio.get_running_loop().run_in_executor(
            self._executor, self._run_blocking, job, deadline
        )
        try:  # the worker thread enforces the deadline; this is a backstop
            return await asyncio.wait_for(future, self.timeout + 10.0)
        except TimeoutError:
            raise _timeout_error(self.timeout, stopped=False) from None

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all.values())
            self._all.clear()
        for worker in workers:
            worker.process.kill()
        for worker in workers:
            worker.process.wait(5)
            worker.conn.close()
        self._executor.shutdown(wait=False, cancel_futures=True)


def open_query_runner(store: Store, timeout: float, workers: int) -> QueryRunner:
    """Worker processes for an on-disk embedded store; threads for any other store."""
    if isinstance(store, EmbeddedStore) and store.location != ":memory:":
        return ProcessQueryRunner(store.location, timeout, workers)
    return ThreadQueryRunner(store, timeout, threads=max(8, 2 * workers))


# ------------------------------------------------------------------------------ write generation
def _base(base_iri: str | None) -> dict[str, str]:
    """``base_iri`` as a keyword argument, only when set (stores written before it need not
    take it)."""
    return {} if base_iri is None else {"base_iri": base_iri}


class WriteNotifyingStore:
    """A store that calls ``on_write`` after each write, so query workers see fresh data."""

    def __init__(self, store: Store, on_write: Callable[[], None]) -> None:
        self.inner = store
        self.location = store.location
        self._on_write = on_write

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        bindings: Mapping[str, Node] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        return self.inner.query(
            sparql,
            default_graph=default_graph,
            named_graphs=named_graphs,
            bindings=bindings,
            **_base(base_iri),
        )

    def query_serialized(
        self,
        sparql: str,
        media_type: str | Callable[[str], str],
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        output: IO[bytes] | None = None,
        base_iri: str | None = None,
    ) -> tuple[str, bytes]:
        return self.inner.query_serialized(
            sparql,
            media_type,
            default_graph=default_graph,
            named_graphs=named_graphs,
            output=output,
            **_base(base_iri),
        )

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        try:
            self.inner.update(sparql, **_base(base_iri))
        finally:
            self._on_write()

    def replace_graphs(self, graphs: Mapping[str, bytes]) -> None:
        try:
            self.inner.replace_graphs(graphs)
        finally:
            self._on_write()

    def drop_graphs(self, graphs: Sequence[str]) -> None:
        try:
            self.inner.drop_graphs(graphs)
        finally:
            self._on_write()

    def bulk_load(self, path: Path, fmt: RdfFormat, graph: str | None) -> None:
        try:
            self.inner.bulk_load(path, fmt, graph)
        finally:
            self._on_write()

    def dump(self, output: IO[bytes], fmt: RdfFormat, *, graph: str | None = None) -> None:
        self.inner.dump(output, fmt, graph=graph)

    def graph_sizes(self) -> dict[str, int]:
        return self.inner.graph_sizes()

    def quad_count(self) -> int:
        return self.inner.quad_count()

    def graph_triples(self, graph: str) -> bytes:
        return self.inner.graph_triples(graph)

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        """Backend-specific attributes (``engine``, ``backup``…) of the wrapped store."""
        return getattr(self.inner, name)
