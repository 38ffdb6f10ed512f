"""Parse a document from outside in a child process of its own, with memory and time bounds
(and run a SPARQL update's parse there first: :func:`check_update_isolated`).

A native parser that crashes (a stack overflow is a SIGSEGV), or that allocates without end,
takes its process with it: here that process is a child started for this one document, never the
server or the command that asked. The child caps its own address space (``RLIMIT_AS``), screens
the document (nesting, XML entities: the same checks as in-process), parses it with Oxigraph and
writes the quads as N-Quads into a temporary file; the parent waits at most the time bound (then
kills it) and loads the N-Quads, a flat format its parser reads without recursion, into the
scratch dataset. Every way the child can end is a :class:`~ptce_kg.errors.SourceError`: a syntax
error keeps its line and column; a crash, a kill or the time limit say so.

Starting a child costs ~50 ms (Python and pyoxigraph): the server keeps one started ahead
(:class:`ParseChildren`); overhead measured in ``docs/security.md``.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ptce_kg.errors import QueryError, SourceError
from ptce_kg.formats import RdfFormat

log = logging.getLogger(__name__)

_CHILD_CODE = "from ptce_kg.ingest.parse_child import run_child; run_child()"
#: Marks the child's status line on its standard error (the parser may print there too).
STATUS_MARK = "\x00ptce-parse-status "


@dataclass
class _Child:
    """A started parse child, waiting for its request on standard input; its output file."""

    process: subprocess.Popen[bytes]
    output: IO[bytes]

    @classmethod
    def start(cls) -> _Child:
        output = tempfile.TemporaryFile(prefix="ptce-parse-")  # noqa: SIM115 (closed by discard)
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", _CHILD_CODE],
                stdin=subprocess.PIPE,
                stdout=output,
                stderr=subprocess.PIPE,
                env={**os.environ, "RUST_BACKTRACE": "0"},
            )
        except BaseException:
            output.close()
            raise
        return cls(process, output)

    def discard(self, *, keep_output: bool = False) -> None:
        """Kill the child if it still runs, reap it, close its pipes and (unless
        ``keep_output``) its output file."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for pipe in (self.process.stdin, self.process.stderr):
            if pipe is not None:
                pipe.close()
        if not keep_output:
            self.output.close()


class ParseChildren:
    """Keeps one parse child started ahead, so that a request does not wait for a Python to start
    (~50 ms). Each child parses one document and exits; the next one is started in the
    background. Thread-safe. A child that waits has no rights beyond its parent's and reads
    nothing until it is given a request; it exits when its parent does (its standard input
    closes), and is stopped by :meth:`close` or when this object is garbage-collected."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spare: list[_Child] = []  # at most one; a list so that the finalizer can reach it
        self._closed = False
        weakref.finalize(self, _discard_all, self._spare, self._lock)

    def take(self) -> _Child:
        """A started child (the spare if it is alive, else a new one); a new spare follows."""
        with self._lock:
            child = self._spare.pop() if self._spare else None
        if child is not None and child.process.poll() is not None:
            child.discard()
            child = None
        if child is None:
            child = _Child.start()
        threading.Thread(target=self._refill, name="ptce-parse-spare", daemon=True).start()
        return child

    def _refill(self) -> None:
        with self._lock:
            if self._spare or self._closed:
                return
        child: _Child | None = _Child.start()
        with self._lock:
            if not self._spare and not self._closed:
                self._spare.append(child)  # type: ignore[arg-type]
                child = None
        if child is not None:
            child.discard()

    def close(self) -> None:
        """Stop the spare child; no other is started."""
        with self._lock:
            self._closed = True
        _discard_all(self._spare, self._lock)


def _discard_all(spare: list[_Child], lock: threading.Lock) -> None:
    with lock:
        children = list(spare)
        spare.clear()
    for child in children:
        child.discard()


def parse_isolated(
    data: bytes | None,
    path: Path | None,
    fmt: RdfFormat,
    where: str,
    syntax_hint: str,
    limits: Any,
) -> IO[bytes]:
    """Parse ``data`` (or the file at ``path``) in a child process; return the quads as the
    child parsed them (literals as written), an N-Quads file open for reading, which the caller
    closes. ``limits`` is a :class:`~ptce_kg.ingest.rdf.ParseLimits`; its ``children``, when set,
    gives a child started ahead.

    Raises:
        SourceError: what the child found wrong with the document, or how it ended (crash, memory
            limit, time limit).
    """
    memory = limits.memory_bytes
    if path is not None:
        try:  # the child reads the file to screen it: its size counts in its address space
            memory += path.stat().st_size
        except OSError as e:
            raise SourceError(f"cannot read: {e.strerror or e}", path=where) from e
    request = {
        "path": None if path is None else str(path),
        "format": fmt.name,
        "where": where,
        "hint": syntax_hint,
        "max_depth": limits.max_depth,
        "memory": memory,
    }
    children: ParseChildren | None = limits.children
    child = children.take() if children is not None else _Child.start()
    message = json.dumps(request).encode() + b"\n" + (data or b"")
    try:
        try:
            _, errors = child.process.communicate(input=message, timeout=limits.seconds)
        except subprocess.TimeoutExpired:
            raise SourceError(
                f"parsing took longer than {limits.seconds:g} s and was stopped; nothing was "
                "loaded",
                path=where,
                hint="split the document, or raise PTCE_PARSE_TIMEOUT if it is trusted",
            ) from None
        status = _read_status(errors)
        if child.process.returncode != 0 or status is None:
            raise _crash_error(child.process.returncode, errors, where, limits)
        if status.get("error") is not None:
            raise _rebuild(status["error"])
        child.output.seek(0)
    except BaseException:
        child.discard()
        raise
    child.discard(keep_output=True)
    return child.output


def _read_status(errors: bytes) -> dict[str, Any] | None:
    text = errors.decode("utf-8", errors="replace")
    at = text.rfind(STATUS_MARK)
    if at < 0:
        return None
    try:
        status = json.loads(text[at + len(STATUS_MARK) :].splitlines()[0])
    except (ValueError, IndexError):
        return None
    return status if isinstance(status, dict) else None


def _how_it_ended(code: int | None, errors: bytes) -> str:
    """How a child ended without its status: the signal or exit status, and the first thing it
    said (a Rust panic's message comes before its backtrace)."""
    if code is not None and code < 0:
        try:
            how = f"killed by {signal.Signals(-code).name}"
        except ValueError:
            how = f"killed by signal {-code}"
    else:
        how = f"exit status {code}"
    said = next(
        (
            f": {line.strip()[:200]}"
            for line in errors.decode("utf-8", errors="replace").splitlines()
            if line.strip() and STATUS_MARK not in line
        ),
        "",
    )
    return how + said


def _crash_error(code: int | None, errors: bytes, where: str, limits: Any) -> SourceError:
    """The error for a child that died (a signal) or exited without its status."""
    how = _how_it_ended(code, errors)
    log.warning("parse child for %s ended: %s", where, how)
    return SourceError(
        f"the parser stopped on this document ({how}); nothing was loaded",
        path=where,
        hint="it may nest too deeply or need more than the parser's memory limit "
        f"({limits.memory_bytes >> 20} MiB, PTCE_PARSE_MEMORY_MB); check the document",
    )


def check_update_isolated(update: str, limits: Any, base_iri: str | None = None) -> None:
    """Run ``update`` once on an empty store in a child process, so that a crash of Oxigraph's
    SPARQL parser ends the child, not the caller. Call it after the reach check (no LOAD, no
    SERVICE): the child has nothing to read and must reach nothing.

    A syntax error is not reported here: the real run reports it, with its position.

    Raises:
        QueryError: the child crashed, or went over its memory or time bound.
    """
    request = {"kind": "update", "memory": limits.memory_bytes, "base_iri": base_iri}
    children: ParseChildren | None = limits.children
    child = children.take() if children is not None else _Child.start()
    message = json.dumps(request).encode() + b"\n" + update.encode("utf-8")
    try:
        try:
            _, errors = child.process.communicate(input=message, timeout=limits.seconds)
        except subprocess.TimeoutExpired:
            raise QueryError(
                f"the update took longer than {limits.seconds:g} s to parse and was stopped; "
                "nothing was changed",
                hint="split it into smaller updates",
            ) from None
        if child.process.returncode != 0 or _read_status(errors) is None:
            how = _how_it_ended(child.process.returncode, errors)
            log.warning("update check child ended: %s", how)
            raise QueryError(
                f"the SPARQL parser stopped on this update ({how}); nothing was changed",
                hint="it may nest too deeply or be too large: write it flatter or split it",
            )
    finally:
        child.discard()


def _rebuild(fields: dict[str, Any]) -> SourceError:
    """The child's SourceError, rebuilt from its fields (the message without its location)."""
    return SourceError(
        fields["message"],
        path=fields.get("path"),
        line=fields.get("line"),
        column=fields.get("column"),
        hint=fields.get("hint"),
    )


def bare_message(error: SourceError) -> str:
    where = ":".join(str(p) for p in (error.path, error.line, error.column) if p is not None)
    prefix = f"{where}: "
    return (
        error.message[len(prefix) :]
        if where and error.message.startswith(prefix)
        else error.message
    )
