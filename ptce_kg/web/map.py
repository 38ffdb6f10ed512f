"""A map of France as inline SVG: a simple outline, a graticule, and one point per PTCE.

Points come as longitude/latitude (WGS 84, from ``geo:asWKT "POINT(lon lat)"``). Metropolitan
France is drawn with an equirectangular projection scaled by cos(46.5°) so that shapes look right
at that latitude; overseas points go into small insets (Guadeloupe, Martinique, Guyane, La Réunion,
Mayotte), each with its own projection. The outline is a hand-simplified polygon (a few dozen
vertices): it places points, it is not a survey.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

_WKT_POINT = re.compile(
    r"^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*(-?[0-9.eE+-]+)\s+(-?[0-9.eE+-]+)\s*\)\s*$", re.IGNORECASE
)

#: Metropolitan France (mainland), clockwise from Dunkerque, (lon, lat).
MAINLAND: tuple[tuple[float, float], ...] = (
    (2.55, 51.09),
    (3.3, 50.8),
    (4.2, 50.25),
    (4.85, 50.15),
    (4.9, 49.8),
    (5.8, 49.55),
    (6.4, 49.47),
    (7.0, 49.15),
    (8.2, 48.97),
    (7.8, 48.5),
    (7.55, 47.6),
    (7.0, 47.45),
    (6.9, 47.3),
    (6.1, 46.6),
    (6.1, 46.15),
    (6.8, 46.4),
    (6.85, 45.85),
    (7.15, 45.25),
    (6.65, 45.05),
    (7.0, 44.25),
    (7.55, 43.8),
    (7.0, 43.5),
    (6.6, 43.15),
    (5.9, 43.05),
    (5.35, 43.2),
    (4.85, 43.35),
    (4.2, 43.45),
    (3.5, 43.25),
    (3.05, 42.9),
    (3.15, 42.45),
    (2.5, 42.35),
    (1.75, 42.5),
    (0.7, 42.8),
    (-0.3, 42.8),
    (-1.4, 43.25),
    (-1.8, 43.38),
    (-1.45, 43.95),
    (-1.25, 44.65),
    (-1.1, 45.6),
    (-1.25, 46.15),
    (-1.85, 46.65),
    (-2.15, 47.1),
    (-2.55, 47.3),
    (-3.2, 47.55),
    (-3.95, 47.8),
    (-4.4, 47.8),
    (-4.75, 48.05),
    (-4.78, 48.4),
    (-4.6, 48.65),
    (-3.9, 48.73),
    (-3.0, 48.82),
    (-2.3, 48.65),
    (-1.6, 48.65),
    (-1.55, 49.2),
    (-1.95, 49.72),
    (-1.25, 49.7),
    (-1.1, 49.37),
    (-0.2, 49.3),
    (0.1, 49.48),
    (0.55, 49.85),
    (1.4, 50.07),
    (1.58, 50.5),
    (1.6, 50.88),
)
CORSICA: tuple[tuple[float, float], ...] = (
    (9.35, 43.0),
    (9.5, 42.6),
    (9.55, 42.1),
    (9.4, 41.7),
    (9.25, 41.37),
    (8.85, 41.55),
    (8.65, 41.9),
    (8.6, 42.35),
    (8.75, 42.6),
    (9.25, 42.75),
)
#: Overseas insets: (key, label, lon min, lon max, lat min, lat max).
INSETS: tuple[tuple[str, str, float, float, float, float], ...] = (
    ("guadeloupe", "Guadeloupe", -61.9, -60.9, 15.8, 16.6),
    ("martinique", "Martinique", -61.3, -60.7, 14.35, 14.9),
    ("guyane", "Guyane", -54.7, -51.5, 2.0, 5.9),
    ("reunion", "La Réunion", 55.15, 55.9, -21.45, -20.85),
    ("mayotte", "Mayotte", 44.95, 45.35, -13.05, -12.6),
)

WIDTH, HEIGHT = 600, 540
_LON0, _LON1, _LAT0, _LAT1 = -5.4, 9.8, 41.2, 51.3
_K = math.cos(math.radians(46.5))
_MAIN_W, _MAIN_H, _PAD = 470.0, 520.0, 10.0
_SCALE = min(_MAIN_W / ((_LON1 - _LON0) * _K), _MAIN_H / (_LAT1 - _LAT0))
_INSET_X, _INSET_W, _INSET_H = 490.0, 100.0, 96.0


@dataclass(frozen=True)
class MapPoint:
    """One point to draw: a label, the link it opens, WGS 84 coordinates."""

    label: str
    href: str
    lon: float
    lat: float


def parse_wkt_point(wkt: str) -> tuple[float, float] | None:
    """Return ``(lon, lat)`` of a WKT ``POINT`` (an optional ``<crs>`` prefix is ignored)."""
    match = _WKT_POINT.match(wkt)
    if not match:
        return None
    return float(match.group(1)), float(match.group(2))


def project_mainland(lon: float, lat: float) -> tuple[float, float]:
    """Project a metropolitan point to SVG coordinates (y grows downwards)."""
    return _PAD + (lon - _LON0) * _K * _SCALE, _PAD + (_LAT1 - lat) * _SCALE


def _in_mainland(lon: float, lat: float) -> bool:
    return _LON0 <= lon <= _LON1 and _LAT0 <= lat <= _LAT1


def _inset_index(lon: float, lat: float) -> int | None:
    for index, (_key, _label, x0, x1, y0, y1) in enumerate(INSETS):
        if x0 - 0.5 <= lon <= x1 + 0.5 and y0 - 0.5 <= lat <= y1 + 0.5:
            return index
    return None


def _inset_box(index: int) -> tuple[float, float]:
    return _INSET_X, _PAD + index * (_INSET_H + 8)


def project_inset(index: int, lon: float, lat: float) -> tuple[float, float]:
    """Project an overseas point into inset ``index``."""
    _key, _label, x0, x1, y0, y1 = INSETS[index]
    bx, by = _inset_box(index)
    k = math.cos(math.radians((y0 + y1) / 2))
    scale = min((_INSET_W - 16) / ((x1 - x0) * k), (_INSET_H - 28) / (y1 - y0))
    lon = min(max(lon, x0), x1)
    lat = min(max(lat, y0), y1)
    return bx + 8 + (lon - x0) * k * scale, by + 20 + (y1 - lat) * scale


def project(lon: float, lat: float) -> tuple[float, float] | None:
    """Project any point of France (mainland or an inset); ``None`` when it is elsewhere."""
    if _in_mainland(lon, lat):
        return project_mainland(lon, lat)
    index = _inset_index(lon, lat)
    return project_inset(index, lon, lat) if index is not None else None


def _path(points: tuple[tuple[float, float], ...]) -> str:
    coords = [project_mainland(lon, lat) for lon, lat in points]
    return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in coords) + " Z"


def _graticule() -> list[str]:
    lines = []
    for lon in range(-4, 10, 2):
        (x, y0), (_x, y1) = project_mainland(lon, _LAT1), project_mainland(lon, _LAT0)
        lines.append(f'<line x1="{x:.1f}" y1="{y0:.1f}" x2="{x:.1f}" y2="{y1:.1f}"/>')
    for lat in range(42, 52, 2):
        (x0, y), (x1, _y) = project_mainland(_LON0, lat), project_mainland(_LON1, lat)
        lines.append(f'<line x1="{x0:.1f}" y1="{y:.1f}" x2="{x1:.1f}" y2="{y:.1f}"/>')
    return lines


def france_map(points: list[MapPoint], *, title: str, description: str, overseas: str) -> Markup:
    """Return the SVG map with ``points`` (each a link with its label as tooltip)."""
    parts = [
        f'<svg class="map" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="map-title map-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="map-title">{escape(title)}</title>',
        f'<desc id="map-desc">{escape(description)}</desc>',
        '<g class="graticule" aria-hidden="true">',
        *_graticule(),
        "</g>",
        f'<path class="land" d="{_path(MAINLAND)}" aria-hidden="true"/>',
        f'<path class="land" d="{_path(CORSICA)}" aria-hidden="true"/>',
        f'<text class="inset-title" x="{_INSET_X}" y="{_PAD - 1:.0f}" aria-hidden="true">'
        f"{escape(overseas)}</text>",
    ]
    for index, (_key, label, *_bounds) in enumerate(INSETS):
        bx, by = _inset_box(index)
        parts.append(
            f'<g class="inset" aria-hidden="true"><rect x="{bx}" y="{by + 4}" width="{_INSET_W}" '
            f'height="{_INSET_H - 4}" rx="4"/><text x="{bx + 6}" y="{by + 16}">'
            f"{escape(label)}</text></g>"
        )
    for point in points:
        xy = project(point.lon, point.lat)
        if xy is None:
            continue
        x, y = xy
        parts.append(
            f'<a href="{escape(point.href)}" class="point" aria-label="{escape(point.label)}">'
            f'<title>{escape(point.label)}</title><circle cx="{x:.1f}" cy="{y:.1f}" r="6"/></a>'
        )
    parts.append("</svg>")
    return Markup("\n".join(parts))
