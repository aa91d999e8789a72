"""The discrepancy register stays true: every D-NN cited exists, every test it names exists."""

from __future__ import annotations

import re
import subprocess
import sys

from .conftest import ROOT

REGISTER = (ROOT / "contracts" / "discrepancies.md").read_text(encoding="utf-8")
ENTRIES = set(re.findall(r"^## (D-\d\d) ", REGISTER, flags=re.M))


def test_register_entries_are_numbered_without_gaps() -> None:
    numbers = sorted(int(e[2:]) for e in ENTRIES)
    assert numbers == list(range(1, len(numbers) + 1))


def test_every_cited_decision_exists_in_the_register() -> None:
    cited: dict[str, set[str]] = {}
    sources = [ROOT / "contracts" / "openapi.yaml", *(ROOT / "schemas").glob("*.json"), *(ROOT / "src").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]
    for source in sources:
        for ref in re.findall(r"\bD-\d\d\b", source.read_text(encoding="utf-8")):
            cited.setdefault(ref, set()).add(source.name)
    missing = {ref: sorted(files) for ref, files in cited.items() if ref not in ENTRIES}
    assert not missing, f"cited but not in contracts/discrepancies.md: {missing}"


def test_every_test_the_register_names_exists() -> None:
    named = set(re.findall(r"`(tests/unit/[\w/]+\.py::[^`]+)`", REGISTER))
    assert named, "the register names no test"
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "tests/unit", "-p", "no:cacheprovider"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    missing = sorted(named - set(collected))
    assert not missing, f"the register names tests that do not exist: {missing[:10]}"


def test_register_carries_no_credential() -> None:
    assert not re.search(r"Basic [A-Za-z0-9+/=]{16,}", REGISTER)
    assert "_cfuvid=" not in REGISTER
    assert not re.search(r"\b[0-9a-f]{32}\b", REGISTER)
