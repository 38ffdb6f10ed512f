"""Running SPARQL queries for a server: jobs, result caps, time limits, worker processes.

Beside the store, below any adapter: nothing here imports FastAPI or Starlette (an import contract
in pyproject.toml says so). The reach check (no SERVICE / FROM outside the store) runs before, in
:mod:`ptce_kg.web.safety`. Two guards stand between a checked query and the engine:

1. **Time limit** (:mod:`~ptce_kg.execution.runners`): worker processes over an on-disk store,
   killed at the limit; threads over any other store, with the limit as a response deadline.
2. **Caps** (:mod:`~ptce_kg.execution.jobs`): a result over ``max_bytes`` or ``max_rows`` is an
   error, never a truncated answer.

The worker processes (:mod:`~ptce_kg.execution.worker`) speak :mod:`~ptce_kg.execution.wire` with
the server; they import the embedded store and this package's job and wire modules only.
"""

from __future__ import annotations

from ptce_kg.execution.jobs import QueryAnswer, QueryJob, count_result_rows, run_job
from ptce_kg.execution.runners import (
    ProcessQueryRunner,
    QueryRunner,
    ThreadQueryRunner,
    open_query_runner,
)

__all__ = [
    "ProcessQueryRunner",
    "QueryAnswer",
    "QueryJob",
    "QueryRunner",
    "ThreadQueryRunner",
    "count_result_rows",
    "open_query_runner",
    "run_job",
]
