"""The contract as Schemathesis schemas, set up for the run's profile: the `positive_schema` and
`negative_schema` fixtures that `schemathesis.pytest.from_fixture` reads."""

from __future__ import annotations

from typing import Any

import pytest

from .bundle import bundled
from .contract import Contract
from .settings import Settings

__all__ = ["negative_schema", "positive_schema", "schema_for"]


@pytest.fixture(scope="session")
def positive_schema(suite_settings: Settings, contract: Contract) -> Any:
    """The contract as a Schemathesis schema, positive generation only."""
    from schemathesis import GenerationMode

    return schema_for(suite_settings, contract, [GenerationMode.POSITIVE])


@pytest.fixture(scope="session")
def negative_schema(suite_settings: Settings, contract: Contract) -> Any:
    """The contract as a Schemathesis schema, negative generation only."""
    from schemathesis import GenerationMode

    return schema_for(suite_settings, contract, [GenerationMode.NEGATIVE])


def schema_for(suite_settings: Settings, contract: Contract, modes: list[Any]) -> Any:
    """The contract as a Schemathesis schema, set up for the profile."""
    import schemathesis

    # The one-file form: the same schemas, and Schemathesis reads no file (through its YAML loader) for
    # each of the two schemas; relative references (the examples' externalValue) still resolve from here.
    schema = schemathesis.openapi.from_dict(bundled(contract))
    schema.location = contract.openapi_path.absolute().as_uri()
    profile = suite_settings.profile
    schema.config.seed = suite_settings.seed
    schema.config.generation.update(
        modes=modes,
        max_examples=profile.max_examples,
        deterministic=profile.is_deterministic,
        with_security_parameters=False,  # credentials come from the target, never from generation
        database="none",
    )
    phases = ["examples"] + (["coverage"] if profile.coverage_phase else []) + (["fuzzing"] if profile.fuzzing_phase else [])
    schema.config.phases.update(phases=phases)
    schema.config.phases.coverage.unexpected_methods = set()  # read-only: never send another method
    return schema
