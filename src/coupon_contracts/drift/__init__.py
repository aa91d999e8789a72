"""Schema drift: findings from every observed response, and the files that report them."""

from .detect import findings_for
from .finding import DriftFinding, DriftKind, DriftLog, Severity
from .report import write_drift_report

__all__ = ["DriftFinding", "DriftKind", "DriftLog", "Severity", "findings_for", "write_drift_report"]
