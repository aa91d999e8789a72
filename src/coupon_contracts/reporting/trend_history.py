"""The renderer's history (Allure 3 `historyPath`, one JSON line per rendered report) kept as a trend of
releases: one point per release, in the order of the runs, whatever the order and number of renders.

The renderer reads the history, draws the trend from it and appends a point for the report it renders,
stamped with the time of the render. `for_render` gives it a copy holding only the points before this
run, less any of the same name (a release rendered again) and any line that is not JSON (a torn write
would stop the renderer); `settle` then writes the folder's file anew from the original and the point
the render added, stamped with the run's time. A failed render leaves the file as it was.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["KEPT_POINTS", "for_render", "settle", "unreadable_lines"]

KEPT_POINTS = 200  # the newest, in the folder (the renderer draws at most 20 of them)


def _points(history: Path) -> tuple[list[dict[str, Any]], int]:
    """The points of a history file, and how many lines were not one."""
    if not history.is_file():
        return [], 0
    points, bad = [], 0
    for line in history.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            point = json.loads(line)
        except (ValueError, RecursionError):
            bad += line.strip() != ""
            continue
        if isinstance(point, dict) and isinstance(point.get("timestamp", 0), (int, float)):
            points.append(point)
        else:
            bad += 1
    return points, bad


def unreadable_lines(history: Path) -> int:
    """Lines of the history that are not a point (a torn write): left out of the render and of the file."""
    return _points(history)[1]


def for_render(history: Path, copy: Path, *, name: str, run_ms: int | None) -> None:
    """Write to `copy` the points the render of run `name` (at `run_ms`) should draw before its own."""
    points, _ = _points(history)
    kept = [p for p in points if p.get("name") != name and (run_ms is None or p.get("timestamp", 0) <= run_ms)]
    _write(copy, kept)


def settle(history: Path, rendered: Path, *, name: str, run_ms: int | None, given: Path) -> None:
    """After a render from `given` (the copy) into `rendered`: the folder's history with the new point in place."""
    before = {p.get("uuid") for p in _points(given)[0]}
    added = [p for p in _points(rendered)[0] if p.get("uuid") not in before]
    for point in added:
        if run_ms is not None:
            point["timestamp"] = run_ms  # the run's time orders the trend, not the render's
    points = [p for p in _points(history)[0] if p.get("name") != name] + added
    _write(history, sorted(points, key=lambda p: p.get("timestamp", 0))[-KEPT_POINTS:])


def _write(path: Path, points: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(path.name + ".part")
    staging.write_text("".join(json.dumps(p, separators=(",", ":")) + "\n" for p in points), encoding="utf-8")
    os.replace(staging, path)
