"""Running SPARQL queries for the endpoint: time limit and result caps.

The reach check (no SERVICE / FROM outside the store) runs before, in :mod:`ptce_kg.web.safety`;
its names are re-exported here for older imports. Two guards stand between a checked query and
the engine:

1. **Time limit**: with an on-disk store, :class:`ProcessQueryRunner` runs each query in one of a
   pool of worker processes that open the store read-only; a query past its limit has its worker
   killed (SIGKILL: the CPU is freed at once) and replaced. The event loop itself talks to the
   workers (non-blocking socketpairs, a small ``marshal`` header and the body as raw bytes): no
   thread and no pickling per query, and the kill is a timer of the loop set at the limit. A
   worker reopens its read-only view when the write generation (bumped by
   :class:`WriteNotifyingStore` after every write) has changed. An in-memory store cannot be
   shared between processes: :class:`ThreadQueryRunner` runs the query in a thread (pyoxigraph
   releases the GIL) and enforces the limit as a response deadline only; the engine finishes the
   abandoned query in the background.
2. **Caps**: the body streams into a buffer that raises :class:`ResultTooLarge` past ``max_bytes``
   (which stops the evaluation); SELECT rows are counted in the engine's serialisation, and a result
   over ``max_rows`` is an error, never a truncated answer.
"""

from __future__ import annotations

import asyncio
import io
import logging
import marshal
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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
# The parent and a worker talk over a socketpair in frames: an 8-byte prefix (the lengths of the
# header and of the body, big-endian), the header (``marshal``: plain tuples of str, int, float,
# None, dict) and the body as raw bytes — the query's answer goes through unpickled and uncopied.
# Job:   header (generation, sparql, media_types, default_graph, named_graphs, max_rows,
#        max_bytes, base_iri), no body.
# Reply: ("ok", kind, media_type, started, finished, pid) + the answer's body;
#        ("error", class name, message, hint); at startup ("ready", pid) or ("failed", message).
_PREFIX = struct.Struct("!II")
_FIRST_READ = 256 * 1024


def _frame(header: tuple[Any, ...], body: bytes = b"") -> list[bytes]:
    head = marshal.dumps(header)
    return [_PREFIX.pack(len(head), len(body)), head, body]


def _send_frame(sock: socket.socket, header: tuple[Any, ...], body: bytes = b"") -> None:
    """Send one frame on a blocking socket (one system call unless the body is large)."""
    parts = _frame(header, body)
    sent = sock.sendmsg(parts)
    total = sum(map(len, parts))
    if sent < total:
        sock.sendall(memoryview(b"".join(parts))[sent:])


def _recv_exactly(sock: socket.socket, size: int) -> bytearray:
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        n = sock.recv_into(view[got:])
        if n == 0:
            raise EOFError("the other end closed the connection")
        got += n
    return buffer


def _recv_frame(sock: socket.socket) -> tuple[Any, bytes]:
    """Read one frame from a blocking socket: ``(header, body)``."""
    head_size, body_size = _PREFIX.unpack(_recv_exactly(sock, _PREFIX.size))
    data = _recv_exactly(sock, head_size + body_size)
    return marshal.loads(data[:head_size]), bytes(data[head_size:])


async def _recv_frame_async(
    loop: asyncio.AbstractEventLoop, sock: socket.socket
) -> tuple[Any, bytes]:
    """Read one frame from a non-blocking socket on the event loop: ``(header, body)``."""
    data: bytes | bytearray = await loop.sock_recv(sock, _FIRST_READ)
    while len(data) < _PREFIX.size:
        if not data or not (more := await loop.sock_recv(sock, _FIRST_READ)):
            raise EOFError("the query worker closed the connection")
        data += more
    head_size, body_size = _PREFIX.unpack_from(data)
    total = _PREFIX.size + head_size + body_size
    if len(data) < total:  # a large answer: receive the rest in place
        buffer = bytearray(total)
        buffer[: len(data)] = data
        view = memoryview(buffer)
        got = len(data)
        while got < total:
            n = await loop.sock_recv_into(sock, view[got:])
            if n == 0:
                raise EOFError("the query worker closed the connection")
            got += n
        data = buffer
    start = _PREFIX.size + head_size
    return marshal.loads(data[_PREFIX.size : start]), bytes(data[start:total])


def _job_header(generation: int, job: QueryJob) -> tuple[Any, ...]:
    return (
        generation,
        job.sparql,
        dict(job.media_types),
        job.default_graph,
        job.named_graphs,
        job.max_rows,
        job.max_bytes,
        job.base_iri,
    )


def serve_worker(fd: int, path: str) -> None:
    """Body of a worker process: open the store read-only, then answer jobs until the socket closes.

    Started as ``python -c`` (not ``multiprocessing``), so the parent's ``__main__`` is never
    re-imported. Frames are described above :func:`_frame`.
    """
    sock = socket.socket(fileno=fd)
    generation = 0
    pid = os.getpid()
    try:
        store = _open_read_only(path)
        _send_frame(sock, ("ready", pid))
    except PtceError as e:
        _send_frame(sock, ("failed", str(e)))
        return
    while True:
        try:
            header, _ = _recv_frame(sock)
        except (EOFError, OSError):
            return
        job_generation, sparql, media_types, default_graph, named_graphs = header[:5]
        max_rows, max_bytes, base_iri = header[5:]
        job = QueryJob(
            sparql, media_types, default_graph, named_graphs, max_rows, max_bytes, base_iri
        )
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
            _send_frame(sock, reply, body)
        except OSError:
            return


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
    sock: socket.socket

    @property
    def pid(self) -> int:
        return self.process.pid


def _rebuild_error(name: str, message: str, hint: str | None) -> PtceError:
    cls = getattr(errors, name, QueryError)
    if not (isinstance(cls, type) and issubclass(cls, PtceError)) or cls is errors.DataRejected:
        cls = QueryError
    return cls(message, hint=hint)  # type: ignore[no-any-return]


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running in this thread, if any."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class _FairPool:
    """Idle workers, handed to waiting queries in arrival order.

    A worker given back goes to the query that has waited longest (never to a newcomer that
    happens to run first). Waiters are futures of whatever event loop they wait on; workers may
    be given back from any thread (the threads that start new workers do).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._free: deque[_Worker] = deque()
        self._waiters: deque[asyncio.Future[_Worker]] = deque()

    def qsize(self) -> int:
        with self._lock:
            return len(self._free)

    def put(self, worker: _Worker) -> None:
        with self._lock:
            while self._waiters:
                waiter = self._waiters.popleft()
                if not waiter.done():
                    break
            else:
                self._free.append(worker)
                return
        loop = waiter.get_loop()
        if _running_loop() is loop:
            self._hand(waiter, worker)
        else:
            try:
                loop.call_soon_threadsafe(self._hand, waiter, worker)
            except RuntimeError:  # that loop is closed: its waiter is gone
                self.put(worker)

    def _hand(self, waiter: asyncio.Future[_Worker], worker: _Worker) -> None:
        if waiter.done():  # timed out or cancelled meanwhile
            self.put(worker)
        else:
            waiter.set_result(worker)

    async def get(self, timeout: float) -> _Worker:
        """The next free worker; raises ``TimeoutError`` after ``timeout`` seconds."""
        with self._lock:
            if self._free and not self._waiters:
                return self._free.popleft()
            waiter: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
        try:
            async with asyncio.timeout(timeout):
                return await waiter
        except BaseException:
            with self._lock:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
            if waiter.done() and not waiter.cancelled():  # handed over just as we gave up
                self.put(waiter.result())
            raise


class ProcessQueryRunner(QueryRunner):
    """Runs queries in worker processes over the on-disk store at ``path``; kills on timeout.

    The event loop talks to the workers directly (non-blocking sockets): no thread per query.
    """

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
        worker = _Worker(process, parent)
        with self._lock:
            self._all[worker.pid] = worker
        threading.Thread(target=self._await_ready, args=(worker,), daemon=True).start()

    def _await_ready(self, worker: _Worker) -> None:
        try:
            (status, detail), _ = _recv_frame(worker.sock)
        except (EOFError, OSError, ValueError, struct.error) as e:
            status, detail = "failed", f"exited while starting ({e})"
        if status == "ready" and not self._closed:
            worker.sock.setblocking(False)
            self._idle.put(worker)
        else:
            log.error("query worker %s did not start: %s", worker.pid, detail)
            self._discard(worker)

    def _discard(self, worker: _Worker) -> None:
        """Kill ``worker``, reap it and close its socket (blocking: not on the event loop)."""
        with self._lock:
            self._all.pop(worker.pid, None)
        worker.process.kill()
        worker.process.wait(5)
        worker.sock.close()

    def _replace_later(self) -> None:
        """Start a worker in place of a discarded one, off the event loop."""
        if not self._closed:
            threading.Thread(target=self._spawn, daemon=True).start()

    async def _kill(self, worker: _Worker) -> None:
        """SIGKILL ``worker`` now (the CPU is freed at once), reap it, start a replacement."""
        with self._lock:
            self._all.pop(worker.pid, None)
        worker.process.kill()
        deadline = time.monotonic() + 5.0
        while worker.process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.002)
        worker.sock.close()
        self._replace_later()

    def note_write(self) -> None:
        with self._lock:
            self._generation += 1

    async def run(self, job: QueryJob) -> QueryAnswer:
        self.start()
        deadline = time.monotonic() + self.timeout
        try:
            worker = await self._idle.get(timeout=self.timeout)
        except TimeoutError:
            raise QueryTimeout(
                f"no query worker became free within the {self.timeout:g} s time limit",
                hint="the endpoint is busy; retry later",
            ) from None
        loop = asyncio.get_running_loop()
        expired = False

        def expire() -> None:  # at the limit: SIGKILL frees the CPU at once
            nonlocal expired
            expired = True
            worker.process.kill()

        timer = loop.call_later(max(deadline - time.monotonic(), 0.0), expire)
        try:
            frame = b"".join(_frame(_job_header(self._generation, job)))
            await loop.sock_sendall(worker.sock, frame)
            reply, body = await _recv_frame_async(loop, worker.sock)
        except (EOFError, OSError, ValueError, struct.error) as e:
            timer.cancel()
            await self._kill(worker)
            if expired:
                raise _timeout_error(self.timeout, stopped=True) from None
            raise QueryError(f"the query worker died: {e}") from e
        except BaseException:  # cancelled mid-query: the worker's state is unknown
            timer.cancel()
            await asyncio.shield(self._kill(worker))
            raise
        timer.cancel()
        if expired:  # the answer came in just as the limit passed: the worker is gone anyway
            await self._kill(worker)
            raise _timeout_error(self.timeout, stopped=True)
        self._idle.put(worker)
        if reply[0] == "ok":
            _, kind, media_type, started, finished, pid = reply
            return QueryAnswer(kind, media_type, body, started, finished, pid)
        raise _rebuild_error(reply[1], reply[2], reply[3])

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all.values())
            self._all.clear()
        for worker in workers:
            worker.process.kill()
        for worker in workers:
            worker.process.wait(5)
            worker.sock.close()


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
