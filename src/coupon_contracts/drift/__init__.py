"""Schema drift: findings from every observed response, and the files that report them."""

from ..observed_shape import ParsedBody, parse_body
from .compare import ShapeChange, ShapesError, closed_value_fields, compare_shapes, load_shapes, seen_there
from .detect import findings_for
from .finding import DriftFinding, DriftKind, DriftLog, Severity
from .report import write_drift_report
from .run_diff import RunDiff, diff_runs
from .shapes import ObservedShapes

__all__ = [
    "DriftFinding",
    "DriftKind",
    "DriftLog",
    "ObservedShapes",
    "ParsedBody",
    "RunDiff",
    "Severity",
    "ShapeChange",
    "ShapesError",
    "closed_value_fields",
    "compare_shapes",
    "diff_runs",
    "findings_for",
    "load_shapes",
    "parse_body",
    "seen_there",
    "write_drift_report",
]
