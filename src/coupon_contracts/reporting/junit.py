"""junit.xml as a CI reads it: one test case per check test, not one more per Schemathesis subtest.

Schemathesis reports each operation of a test as a pytest subtest, which junit.xml lists as a test case
of its own beside its parent. A parent that was not checked (its cases never reached real data) would
then still show a passed child: a skip counted as a pass. The children are dropped and the counts redone.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

__all__ = ["drop_subtests", "mark_known_cases"]


def drop_subtests(path: Path) -> int:
    """Remove every subtest case whose parent case is in the same file; return how many were removed."""
    tree = ET.parse(path)
    removed = 0
    for suite in tree.getroot().iter("testsuite"):
        names = {(case.get("classname"), case.get("name")) for case in suite.findall("testcase")}
        for case in suite.findall("testcase"):
            name = case.get("name") or ""
            parent = name.split("[", 1)[0]
            if "[" in name and parent != name and (case.get("classname"), parent) in names and name.endswith("]") and " /" in name:
                suite.remove(case)
                removed += 1
        cases = suite.findall("testcase")
        suite.set("tests", str(len(cases)))
        for attribute, tag in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
            suite.set(attribute, str(sum(1 for case in cases if case.find(tag) is not None)))
    if removed:
        tree.write(path, encoding="utf-8", xml_declaration=True)
    return removed


def mark_known_cases(path: Path, known: dict[str, Any]) -> int:
    """Mark each failed case whose check a known deviation excuses (check id -> entry): a `known_deviation`
    property and the entry at the head of the failure's message. It stays a failure: known is not passed.

    Marks already there (a shard's, judged by its own file) are replaced: the merging run's file decides."""
    tree = ET.parse(path)
    marked = 0
    for case in tree.getroot().iter("testcase"):
        failure = case.find("failure")
        properties = case.find("properties")
        for earlier in [p for p in (properties if properties is not None else []) if p.get("name") == "known_deviation"]:
            properties.remove(earlier)  # type: ignore[union-attr]
        if failure is not None:
            failure.set("message", _KNOWN_HEAD.sub("", failure.get("message", "")))
        check = next((p.get("value") for p in (properties if properties is not None else []) if p.get("name") == "coupon_check"), None)
        entry = known.get(check or "")
        if failure is None or entry is None or properties is None:
            continue
        said = f"{entry.id} ({entry.ticket}, until {entry.expires.isoformat()})"  # _KNOWN_HEAD reads it back
        ET.SubElement(properties, "property", {"name": "known_deviation", "value": said})
        failure.set("message", f"[known deviation {said}: does not block the release] {failure.get('message', '')}")
        marked += 1
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return marked


_KNOWN_HEAD = re.compile(r"^(?:\[known deviation [^\]]*: does not block the release\] )+")
