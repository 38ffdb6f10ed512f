"""The body of a parse child: the process :mod:`ptce_kg.ingest.isolation` starts per document.

It reads one request line (JSON) and the document on its standard input, caps its own address
space, screens and parses the document as :mod:`ptce_kg.ingest.rdf` does in-process, writes the
quads as N-Quads on its standard output and a status line on its standard error, then exits. A
module of its own: it imports both the isolation protocol and the parser, which import only one
way (the parser starts children through the isolation module).
"""

from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ptce_kg.errors import SourceError
from ptce_kg.formats import RdfFormat, oxigraph_format
from ptce_kg.ingest.isolation import STATUS_MARK, bare_message
from ptce_kg.ingest.rdf import _parse_errors, _read, _screen


def _run_update_child(request: dict[str, Any]) -> None:
    """An update run once on an empty in-memory store: it ends with the status line, or dies."""
    text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    status: dict[str, Any] = {"error": None}
    try:
        ox.Store().update(text, base_iri=request.get("base_iri"))
    except (SyntaxError, OSError, ValueError, RuntimeError) as e:
        status["error"] = {"message": str(e)}  # the real run reports it
    sys.stderr.write(STATUS_MARK + json.dumps(status) + "\n")
    sys.stderr.flush()
    os._exit(0)


def run_child() -> None:
    """Body of a parse child (``python -c``): one document in, N-Quads and a status line out."""
    request = json.loads(sys.stdin.buffer.readline())
    resource.setrlimit(resource.RLIMIT_AS, (request["memory"], request["memory"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if request.get("kind") == "update":
        _run_update_child(request)
    fmt = RdfFormat[request["format"]]
    where, hint, depth = request["where"], request["hint"], request["max_depth"]
    status: dict[str, Any] = {"error": None}
    out = os.fdopen(sys.stdout.fileno(), "wb", closefd=False)
    try:
        if request["path"] is None:
            data = sys.stdin.buffer.read()
        else:
            data = _read(Path(request["path"]), where)
        _screen(data, fmt, where, depth)
        with _parse_errors(fmt, where, hint):
            quads = ox.parse(data, format=oxigraph_format(fmt))
            ox.serialize(quads, out, format=ox.RdfFormat.N_QUADS)
        out.flush()
    except SourceError as e:
        status["error"] = {
            "message": bare_message(e),
            "path": e.path,
            "line": e.line,
            "column": e.column,
            "hint": e.hint,
        }
    sys.stderr.write(STATUS_MARK + json.dumps(status) + "\n")
    sys.stderr.flush()
    os._exit(0)  # the work is written: no interpreter teardown for the parent to wait for
