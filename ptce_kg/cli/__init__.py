"""ptce-kg: the terminal adapter. Each command parses its arguments, calls library functions, and
turns errors into exit codes: 0 ok, 1 rejected or does not conform, 2 usage or input error,
3 internal error. Commands live in one module per topic; importing them registers them on ``app``.
"""

from ptce_kg.cli import (
    backup,
    compare,
    curate,
    data,
    importing,
    link,
    network,
    publish,
    query,
    run,
    serve,
)
from ptce_kg.cli.common import app, main

__all__ = [
    "app",
    "backup",
    "compare",
    "curate",
    "data",
    "importing",
    "link",
    "main",
    "network",
    "publish",
    "query",
    "run",
    "serve",
]
