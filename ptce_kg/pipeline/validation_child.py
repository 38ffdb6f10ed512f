"""Validate a document from outside against shapes from outside, in a child process of its own.

Used by ``POST /api/validate``: a network checks its directory against its own rules. Both inputs
are untrusted, and so is the work: a parser can crash, a shape can be slow. The child caps its
address space, parses the data (screened for nesting, as every document from outside is) and the
shapes, validates with the project's engine and writes the report (JSON and Turtle) on its
standard output; the parent waits at most the time bound, then kills it. A crash, a kill or the
time limit is a :class:`~ptce_kg.errors.SourceError`, and so is a shape the engine cannot evaluate
exactly (it is refused, never partly applied): the server goes on either way.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from rdflib import Graph

from ptce_kg.errors import PtceError, SourceError
from ptce_kg.formats import RdfFormat
from ptce_kg.ingest.rdf import ParseLimits, parse_rdf_bytes
from ptce_kg.validate import Written, validate_dataset
from ptce_kg.validate.sparql_engine import UnsupportedShapeError

_CHILD_CODE = "from ptce_kg.pipeline.validation_child import run_child; run_child()"
_GRAPH = "urn:x-ptce-validate:data"


@dataclass(frozen=True)
class IsolatedReport:
    """A validation report from the child: whether the data conforms, as JSON and as Turtle."""

    conforms: bool
    json: str
    turtle: str


def validate_isolated(
    data: bytes, fmt: RdfFormat, shapes: list[bytes], *, limits: ParseLimits
) -> IsolatedReport:
    """Validate ``data`` (as ``fmt``) against the Turtle ``shapes`` in a child process.

    Raises:
        SourceError: the data or the shapes cannot be read, a shape is refused, or the child
            crashed, ran out of memory or time.
    """
    header = {
        "format": fmt.name,
        "max_depth": limits.max_depth,
        "memory": limits.memory_bytes + len(data) + sum(map(len, shapes)),
        "sizes": [len(data), *map(len, shapes)],
    }
    message = json.dumps(header).encode() + b"\n" + data + b"".join(shapes)
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD_CODE],
            input=message,
            capture_output=True,
            timeout=limits.seconds,
            env={**os.environ, "RUST_BACKTRACE": "0"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SourceError(
            f"validation took longer than {limits.seconds:g} s and was stopped",
            hint="validate a smaller document, or simpler shapes",
        ) from None
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        how = f"signal {-done.returncode}" if done.returncode < 0 else f"code {done.returncode}"
        raise SourceError(
            f"the validation stopped without an answer (ended by {how}: a parser crash or the "
            "memory limit); nothing was stored",
            hint="check the data and the shapes, or validate a smaller document",
        ) from None
    if answer.get("error"):
        raise SourceError(answer["error"], hint=answer.get("hint"))
    return IsolatedReport(answer["conforms"], answer["json"], answer["turtle"])


def run_child() -> None:
    """Body of a validation child (``python -c``): one request in, one JSON answer out."""
    header = json.loads(sys.stdin.buffer.readline())
    resource.setrlimit(resource.RLIMIT_AS, (header["memory"], header["memory"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    payload = sys.stdin.buffer.read()
    parts, start = [], 0
    for size in header["sizes"]:
        parts.append(payload[start : start + size])
        start += size
    try:
        answer: dict[str, Any] = _validate(parts[0], RdfFormat[header["format"]], parts[1:], header)
    except (PtceError, UnsupportedShapeError) as e:
        hint = getattr(e, "hint", None)
        refused = isinstance(e, UnsupportedShapeError)
        answer = {"error": f"shapes refused, nothing validated: {e}" if refused else str(e),
                  "hint": hint}  # fmt: skip
    except RecursionError:
        answer = {"error": "the shapes or the data nest too deeply to be read", "hint": None}
    sys.stdout.write(json.dumps(answer))
    sys.stdout.flush()
    os._exit(0)


def _validate(data: bytes, fmt: RdfFormat, shapes: list[bytes], header: dict[str, Any]) -> Any:
    graph = Graph()
    for n, text in enumerate(shapes, start=1):
        try:
            graph.parse(data=text, format="turtle")
        except Exception as e:
            raise SourceError(f"shapes file {n} cannot be read: {e}") from e
    parsed = parse_rdf_bytes(
        data, fmt, graph=_GRAPH, source="data", limits=ParseLimits(max_depth=header["max_depth"])
    )
    report = validate_dataset(
        parsed.dataset,
        graph,
        focus_graphs=[_GRAPH],
        engine="sparql",
        source="data",
        written=Written.from_quads(parsed.as_written),
    )
    return {
        "conforms": report.conforms,
        "json": report.to_json(),
        "turtle": report.to_graph().serialize(format="turtle"),
    }
