"""Prometheus metrics (text exposition format 0.0.4) at ``/metrics``.

``ptce_http_requests_total{method,route,status}`` counts requests by route template;
``ptce_http_request_duration_seconds`` is a histogram by route; ``ptce_store_quads`` is the number
of quads in the store (counted once per write generation). The middleware is plain ASGI: it adds no
per-request task or thread.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """Request counters and latency histograms, safe to update from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: defaultdict[tuple[str, str, str], int] = defaultdict(int)
        self.buckets: defaultdict[str, list[int]] = defaultdict(lambda: [0] * len(BUCKETS))
        self.sums: defaultdict[str, float] = defaultdict(float)
        self.counts: defaultdict[str, int] = defaultdict(int)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Record one finished request."""
        with self._lock:
            self.requests[(method, route, str(status))] += 1
            counts = self.buckets[route]
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    counts[i] += 1
            self.sums[route] += seconds
            self.counts[route] += 1

    def render(self, quads: int | None) -> str:
        """Return the metrics in the Prometheus text format 0.0.4."""
        out = [
            "# HELP ptce_http_requests_total HTTP requests by method, route and status.",
            "# TYPE ptce_http_requests_total counter",
        ]
        with self._lock:
            for (method, route, status), n in sorted(self.requests.items()):
                labels = f'method="{method}",route="{_escape(route)}",status="{status}"'
                out.append(f"ptce_http_requests_total{{{labels}}} {n}")
            out += [
                "# HELP ptce_http_request_duration_seconds Time to answer HTTP requests, by route.",
                "# TYPE ptce_http_request_duration_seconds histogram",
            ]
            for route in sorted(self.counts):
                label = f'route="{_escape(route)}"'
                for bound, n in zip(BUCKETS, self.buckets[route], strict=True):
                    out.append(
                        f'ptce_http_request_duration_seconds_bucket{{{label},le="{bound}"}} {n}'
                    )
                total = self.counts[route]
                out.append(
                    f'ptce_http_request_duration_seconds_bucket{{{label},le="+Inf"}} {total}'
                )
                out.append(f"ptce_http_request_duration_seconds_sum{{{label}}} {self.sums[route]}")
                out.append(f"ptce_http_request_duration_seconds_count{{{label}}} {total}")
        if quads is not None:
            out += [
                "# HELP ptce_store_quads Quads in the store.",
                "# TYPE ptce_store_quads gauge",
                f"ptce_store_quads {quads}",
            ]
        return "\n".join(out) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class MetricsMiddleware:
    """ASGI middleware that times each HTTP request and records it under its route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.observe(scope["method"], route, status, time.perf_counter() - start)


def metrics_router(metrics: Metrics, quad_count: Callable[[], int]) -> APIRouter:
    """Return the router serving ``GET /metrics``."""
    router = APIRouter(tags=["operations"])

    @router.get("/metrics", summary="Prometheus metrics (text format 0.0.4)")
    async def get_metrics(request: Request) -> Response:
        del request
        quads = await run_in_threadpool(quad_count)
        return Response(metrics.render(quads).encode(), headers={"content-type": CONTENT_TYPE})

    return router
