"""The one error tree of ptce_kg.

::

    PtceError                 base: a message that says what, where and what to do
    ├── ConfigError           bad or missing settings (raised at start-up)
    ├── SourceError           an input that cannot be read or parsed; carries file, line, column
    │   └── MappingError      a spreadsheet mapping that names unknown columns, properties or values
    ├── DataRejected          a source that does not conform; carries the ValidationReport
    ├── StoreError            the store failed (I/O, locked, corrupted, remote down)
    ├── QueryError            a query that cannot run: syntax error, unknown name, bad parameter
    │   ├── StaleStoreView    a read-only view whose files the writer has compacted away
    │   ├── FormatMismatch    a result asked in a format its kind has not (a SELECT as Turtle)
    │   ├── QueryRefused      a query that would reach outside the store (SERVICE, LOAD, FROM <url>)
    │   ├── QueryTimeout      a query stopped at its time limit
    │   └── ResultTooLarge    a result over the configured cap
    ├── WriteForbidden        a wrong token, or writes are disabled
    │   └── MissingCredentials  a write without a bearer token
    ├── NotFound              no such resource, graph or named query
    ├── NotAcceptableError    no media type the client accepts fits the answer
    ├── UnsupportedMediaType  a request body of a type this endpoint does not read
    └── BodyTooLargeError     a request body over the configured cap

Library code raises these (``raise … from e``); only the CLI and the web adapter turn them into exit
codes and HTTP statuses.
"""

from __future__ import annotations

from typing import Any


class PtceError(Exception):
    """Base of every error ptce_kg raises on purpose."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(PtceError):
    """A setting is missing or invalid."""


class SourceError(PtceError):
    """An input file cannot be read or parsed; ``location`` is ``file:line:column`` when known."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        where = ":".join(str(p) for p in (path, line, column) if p is not None)
        super().__init__(f"{where}: {message}" if where else message, hint=hint)


class MappingError(SourceError):
    """A spreadsheet or its mapping names unknown columns, properties or vocabulary values."""


class DataRejected(PtceError):
    """A source has at least one ``sh:Violation``; nothing of it was stored."""

    def __init__(self, message: str, *, report: Any) -> None:
        super().__init__(message)
        self.report = report


class StoreError(PtceError):
    """The store could not do what was asked (I/O error, lock, corruption, remote store down)."""


class QueryError(PtceError):
    """A query cannot run: syntax error, unknown named query or bad parameter."""


class StaleStoreView(QueryError):
    """A read-only view of an on-disk store lost files the writer has since compacted away:
    opening a new view and running the query again answers it."""


class FormatMismatch(QueryError):
    """A result was asked in a format its kind has not: a SELECT or ASK as an RDF syntax, a
    CONSTRUCT or DESCRIBE as a results format."""


class QueryRefused(QueryError):
    """A query would reach outside the store (SERVICE, LOAD, FROM to a non-allowed place)."""


class QueryTimeout(QueryError):
    """A query ran past its time limit and was stopped."""


class ResultTooLarge(QueryError):
    """A result is larger than the configured cap; nothing partial is returned."""


class WriteForbidden(PtceError):
    """A write came without a valid token, or writes are disabled."""


class NotFound(PtceError):
    """No such resource, graph or named query."""


class MissingCredentials(WriteForbidden):
    """A write came without a bearer token (unlike a wrong token, the client may just retry)."""


class NotAcceptableError(PtceError):
    """No media type the client accepts fits the answer."""


class UnsupportedMediaType(PtceError):
    """A request body of a media type this endpoint does not read."""


class BodyTooLargeError(PtceError):
    """A request body larger than the configured cap."""
