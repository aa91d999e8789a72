"""The contract, its schemas and examples, and the conformance suite, as the wheel carries them.

The build maps the repository's `contracts/`, `schemas/` and `tests/conformance/` here (pyproject.toml),
so `pytest --pyargs coupon_contracts.shipped.conformance` runs the suite from a team's own project.
In a checkout this folder holds only this file; `coupon_contracts.shipped_files` finds the real ones.
"""
