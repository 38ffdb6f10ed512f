"""A query job and its answer: run here and now on a store, within the result caps.

The body streams into a buffer that raises :class:`~ptce_kg.errors.ResultTooLarge` past
``max_bytes`` (which stops the evaluation); SELECT rows are counted in the engine's serialisation,
and a result over ``max_rows`` is an error, never a truncated answer.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any, cast

from ptce_kg import errors
from ptce_kg.errors import PtceError, QueryError, QueryTimeout, ResultTooLarge
from ptce_kg.formats import ResultsFormat
from ptce_kg.store import Store


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
    if media_type == ResultsFormat.XML.media_type:
        return body.count(b"<result>") + body.count(b"<result/>")
    if media_type == ResultsFormat.TSV.media_type:  # newlines inside terms are escaped
        return max(body.count(b"\n") - 1, 0)
    if media_type == ResultsFormat.CSV.media_type:  # quoted fields may hold newlines: drop them
        return max(_CSV_FIELD.sub(b"", body).count(b"\n") - 1, 0)
    if media_type == ResultsFormat.JSON.media_type:
        # With strings removed, "},{" only separates two solutions (terms are separated by "},:").
        bare = _JSON_STRING.sub(b"", body)
        start = bare.find(b":[", bare.find(b":{", bare.find(b"}")))
        if start < 0 or bare[start + 2 : start + 3] == b"]":
            return 0
        return bare.count(b"},{") + 1
    raise ValueError(f"not a SPARQL results format: {media_type}")


def _base(base_iri: str | None) -> dict[str, str]:
    """``base_iri`` as a keyword argument, only when set (stores written before it need not
    take it)."""
    return {} if base_iri is None else {"base_iri": base_iri}


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


def timeout_error(limit: float, stopped: bool) -> QueryTimeout:
    """The error of a query past ``limit`` seconds (``stopped``: its worker was killed)."""
    what = "was stopped" if stopped else "was abandoned"
    return QueryTimeout(
        f"the query ran past the {limit:g} s time limit and {what}",
        hint="narrow the patterns, add LIMIT, or prefer joins to FILTER EXISTS",
    )
