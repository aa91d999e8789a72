"""Schema drift: findings from every observed response, and the files that report them."""

from .compare import ShapeChange, ShapesError, closed_value_fields, compare_shapes, load_shapes
from .detect import findings_for
from .finding import DriftFinding, DriftKind, DriftLog, Severity
from .report import write_drift_report
from .shapes import ObservedShapes

__all__ = [
    "DriftFinding",
    "DriftKind",
    "DriftLog",
    "ObservedShapes",
    "Severity",
    "ShapeChange",
    "ShapesError",
    "closed_value_fields",
    "compare_shapes",
    "findings_for",
    "load_shapes",
    "write_drift_report",
]
