"""The wire protocol between the server and its query worker processes.

The parent and a worker talk over a socketpair in frames: an 8-byte prefix (the lengths of the
header and of the body, big-endian), the header (``marshal``: plain tuples of str, int, float,
None, dict) and the body as raw bytes — the query's answer goes through unpickled and uncopied.

- Job:   header (generation, sparql, media_types, default_graph, named_graphs, max_rows,
  max_bytes, base_iri), no body.
- Reply: ("ok", kind, media_type, started, finished, pid) + the answer's body;
  ("error", class name, message, hint); at startup ("ready", pid) or ("failed", message).
"""

from __future__ import annotations

import marshal
import socket
import struct
from typing import TYPE_CHECKING, Any

from ptce_kg import errors
from ptce_kg.errors import PtceError, QueryError
from ptce_kg.execution.jobs import QueryJob

if TYPE_CHECKING:
    import asyncio

_PREFIX = struct.Struct("!II")
_FIRST_READ = 256 * 1024

#: What a broken connection to the other end raises while reading or writing a frame.
WIRE_ERRORS = (EOFError, OSError, ValueError, struct.error)


def frame(header: tuple[Any, ...], body: bytes = b"") -> list[bytes]:
    """The parts of one frame: prefix, header, body."""
    head = marshal.dumps(header)
    return [_PREFIX.pack(len(head), len(body)), head, body]


def send_frame(sock: socket.socket, header: tuple[Any, ...], body: bytes = b"") -> None:
    """Send one frame on a blocking socket (one system call unless the body is large)."""
    parts = frame(header, body)
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


def recv_frame(sock: socket.socket) -> tuple[Any, bytes]:
    """Read one frame from a blocking socket: ``(header, body)``."""
    head_size, body_size = _PREFIX.unpack(_recv_exactly(sock, _PREFIX.size))
    data = _recv_exactly(sock, head_size + body_size)
    return marshal.loads(data[:head_size]), bytes(data[head_size:])


async def recv_frame_async(
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


def job_header(generation: int, job: QueryJob) -> tuple[Any, ...]:
    """The header of a job frame."""
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


def job_from_header(header: tuple[Any, ...]) -> tuple[int, QueryJob]:
    """The write generation and the job of a job frame's header."""
    generation, sparql, media_types, default_graph, named_graphs = header[:5]
    max_rows, max_bytes, base_iri = header[5:]
    job = QueryJob(sparql, media_types, default_graph, named_graphs, max_rows, max_bytes, base_iri)
    return generation, job


def rebuild_error(name: str, message: str, hint: str | None) -> PtceError:
    """The error an ``("error", name, message, hint)`` reply stands for."""
    cls = getattr(errors, name, QueryError)
    if not (isinstance(cls, type) and issubclass(cls, PtceError)) or cls is errors.DataRejected:
        cls = QueryError
    return cls(message, hint=hint)  # type: ignore[no-any-return]
