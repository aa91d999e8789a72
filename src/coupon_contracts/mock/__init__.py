"""The embedded mock of the five coupon APIs: faithful by default, faulty by name, and any reading of the docs' silences."""

from .app import MockCredentials, create_app
from .dataset import Dataset, build_dataset
from .faults import FAULTS, Fault, FaultSet, Probe
from .hostile import HOSTILE_FAULTS, HostileFault, HostileSizes
from .readings import READINGS, Reading, ReadingSet

__all__ = [
    "FAULTS",
    "HOSTILE_FAULTS",
    "Dataset",
    "Fault",
    "FaultSet",
    "HostileFault",
    "HostileSizes",
    "MockCredentials",
    "Probe",
    "READINGS",
    "Reading",
    "ReadingSet",
    "build_dataset",
    "create_app",
]
