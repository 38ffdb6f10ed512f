"""Charts as inline SVG (no JavaScript, no external library): bars, grouped bars, radar.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>``; the pages show the same
numbers in a table beside it, so the chart is never the only way to read them.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

#: Colour-blind-safe palette (Okabe-Ito), dark enough on white for graphics (WCAG 1.4.11).
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#8A6D00",
    "#56B4E9",
    "#333333",
)


def _number(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _open(width: int, height: int, title: str, description: str, css: str) -> list[str]:
    ident = f"chart-{zlib.crc32((title + description).encode()):08x}"
    return [
        f'<svg class="chart {css}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(description)}</desc>',
    ]


def bar_chart(
    items: Sequence[tuple[str, float]], *, title: str, description: str, colour: str = PALETTE[0]
) -> Markup:
    """Horizontal bars, one per ``(label, value)``, with the value written after each bar."""
    label_w, bar_w, row_h = 210, 280, 26
    width, height = label_w + bar_w + 50, max(row_h * len(items) + 10, 40)
    top = max((value for _label, value in items), default=0.0) or 1.0
    parts = _open(width, height, title, description, "bars")
    for row, (label, value) in enumerate(items):
        y = 5 + row * row_h
        length = bar_w * value / top
        parts.append(
            f'<text class="label" x="{label_w - 8}" y="{y + 17}" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="{row_h - 8}" '
            f'fill="{colour}"/>'
            f'<text class="value" x="{label_w + length + 6:.1f}" y="{y + 17}">'
            f"{_number(value)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def grouped_bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    description: str,
) -> Markup:
    """Vertical bars grouped by category, one colour per series (with a legend)."""
    plot_h, group_w, bar_w, left, legend_h = 200, 24 + 18 * len(series), 18, 40, 22
    width = left + group_w * max(len(categories), 1) + 110
    height = legend_h * len(series) + plot_h + 150
    top = max((v for _name, values in series for v in values), default=0.0) or 1.0
    parts = _open(width, height, title, description, "grouped")
    for index, (name, _values) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        y = 4 + index * legend_h
        parts.append(
            f'<rect x="{left}" y="{y}" width="14" height="14" fill="{colour}"/>'
            f'<text class="legend" x="{left + 20}" y="{y + 12}">{escape(name)}</text>'
        )
    base = legend_h * len(series) + 10 + plot_h
    parts.append(
        f'<line class="axis" x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}"/>'
        f'<text class="tick" x="{left - 6}" y="{base - plot_h + 4}" text-anchor="end">'
        f"{_number(top)}</text>"
        f'<text class="tick" x="{left - 6}" y="{base + 4}" text-anchor="end">0</text>'
    )
    for c, category in enumerate(categories):
        x0 = left + 12 + c * group_w
        for s, (name, values) in enumerate(series):
            value = values[c] if c < len(values) else 0.0
            h = plot_h * value / top
            colour = PALETTE[s % len(PALETTE)]
            parts.append(
                f'<rect x="{x0 + s * bar_w}" y="{base - h:.1f}" width="{bar_w - 2}" '
                f'height="{h:.1f}" fill="{colour}"><title>{escape(name)}: {escape(category)} '
                f"= {_number(value)}</title></rect>"
            )
        cx = x0 + len(series) * bar_w / 2
        parts.append(
            f'<text class="label" transform="translate({cx:.1f},{base + 10}) rotate(35)">'
            f"{escape(category)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def radar_chart(
    axes: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    description: str,
) -> Markup:
    """A radar (spider) chart of values in [0, 1], one polygon per series."""
    size, radius, legend_h = 460, 150, 22
    cx, cy = size / 2, radius + 60 + legend_h * len(series)
    height = int(cy + radius + 60)
    parts = _open(size, height, title, description, "radar")
    for index, (name, _values) in enumerate(series):
        top, colour = 4 + index * legend_h, PALETTE[index % len(PALETTE)]
        parts.append(
            f'<rect x="10" y="{top}" width="14" height="14" fill="{colour}"/>'
            f'<text class="legend" x="30" y="{top + 12}">{escape(name)}</text>'
        )
    n = max(len(axes), 3)

    def point(i: int, r: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    for ring in (0.25, 0.5, 0.75, 1.0):
        ring_points = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in (point(i, radius * ring) for i in range(n))
        )
        parts.append(f'<polygon class="ring" points="{ring_points}"/>')
    for i, axis in enumerate(axes):
        x, y = point(i, radius)
        lx, ly = point(i, radius + 18)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        parts.append(
            f'<line class="spoke" x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}"/>'
            f'<text class="label" x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="{anchor}">'
            f"{escape(axis)}</text>"
        )
    for s, (name, values) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        vertices = [point(i, radius * min(max(v, 0.0), 1.0)) for i, v in enumerate(values)]
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in vertices)
        parts.append(
            f'<polygon class="series" points="{coords}" fill="{colour}" fill-opacity="0.15" '
            f'stroke="{colour}" stroke-width="2"><title>{escape(name)}</title></polygon>'
        )
        parts.extend(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in vertices
        )
    parts.append("</svg>")
    return Markup("".join(parts))
