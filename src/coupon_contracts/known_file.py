"""Reading `known-deviations.yaml`: every defect of the file is one line naming the file, the line of the
wrong key and the fix; nothing in it (its size, its encoding, an alias, a date) ends in a traceback."""

from __future__ import annotations

import difflib
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from .known import KnownDeviation, KnownDeviationsError

__all__ = ["MAX_FILE_BYTES", "read_entries"]

MAX_FILE_BYTES = 1 << 20  # a team's list of vendor bugs; a file larger than this is not one


def read_entries(path: Path, *, known_checks: set[str], known_kinds: set[str], operations: set[str]) -> tuple[KnownDeviation, ...]:
    """The entries of the file at `path`, checked against the format and the names a run knows."""
    text = _text_of(path)
    try:
        node, document = yaml.compose(text, Loader=_Loader), yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as exc:
        raise KnownDeviationsError(f"{path}:{min(_yaml_line(exc), max(1, len(text.splitlines())))}: invalid YAML: {_yaml_problem(exc)}") from None
    except RecursionError:  # an alias that holds itself, or nesting thousands deep
        raise KnownDeviationsError(f"{path}: nested too deep to read (thousands of brackets, or an alias that refers to itself): write the entries out plainly") from None
    if document is None or node is None:
        return ()
    try:
        _refuse_twice_keys(node, path)
        # a key not allowed first: `expirs:` is the typo behind "expires is missing"
        errors = sorted(_validator().iter_errors(document), key=lambda e: ([str(p) for p in e.absolute_path], e.validator != "additionalProperties"))
    except RecursionError:
        raise KnownDeviationsError(f"{path}: nested too deep to check (an alias that refers to itself): write the entries out plainly") from None
    if errors:
        error, where = errors[0], list(errors[0].absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):  # the line of the key not allowed
            where += sorted(set(error.instance) - set(error.schema.get("properties", {})))[:1]
        raise KnownDeviationsError(f"{path}:{_line_at(node, where)}: {_say(error)} (format: schemas/known-deviations.json)")
    entries = []
    for index, item in enumerate(document["deviations"] or ()):
        line = _line_at(node, ["deviations", index])
        _check_names(item, path, node, index, known_checks, known_kinds, operations)
        broad = item.get("path")
        if isinstance(broad, str) and "*" in broad and not broad.strip("*?.[]") and not (item.get("operation") or item.get("kind")):
            raise KnownDeviationsError(f"{path}:{line}: path {broad!r} alone excuses every finding of every operation: give the operation or the kind too")
        try:
            expires = date.fromisoformat(item["expires"])
        except ValueError:  # the schema's format check should have said so; never a traceback
            raise KnownDeviationsError(f"{path}:{line}: expires {item['expires']!r} of {item['id']!r} is not a day: write YYYY-MM-DD") from None
        entries.append(KnownDeviation(item["id"], item["reason"], item["ticket"], expires, item.get("check"), item.get("operation"),
                                      item.get("kind"), item.get("path"), line))  # fmt: skip
    _refuse_twice_entries(entries, path)
    return tuple(entries)


def _text_of(path: Path) -> str:
    """The file as text: UTF-8 (a BOM allowed), small enough to be a list of bugs."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise KnownDeviationsError(f"{path}: {size / (1 << 20):.1f} MiB; a known-deviations file is a short list (at most {MAX_FILE_BYTES >> 20} MiB): is it the right file?")
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise KnownDeviationsError(f"{path}: written in UTF-16 (as Windows PowerShell 5 writes); save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise KnownDeviationsError(f"{path}:{line}: not UTF-8 (byte {data[exc.start]:#04x}); save the file as UTF-8") from None


def _check_names(item: dict[str, Any], path: Path, node: yaml.Node, index: int, checks: set[str], kinds: set[str], operations: set[str]) -> None:
    """Names a run knows: a check of the catalog, a kind of drift, an operationId (only a path takes `*`)."""
    for key, known, fix in (("check", checks, "`coupon-contracts checks` lists them"), ("kind", kinds, "docs/drift.md lists them"),
                            ("operation", operations, "an operationId of the contract")):  # fmt: skip
        if key in item and item[key] not in known:
            line = _line_at(node, ["deviations", index, key])
            raise KnownDeviationsError(f"{path}:{line}: {key} {item[key]!r} of {item['id']!r} does not exist ({fix}; only path takes * and ?)")


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps `2027-01-31` as text: the schema checks the day, with its line (PyYAML would
    build a date itself and raise on 2027-02-30)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"] for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _yaml_line(exc: yaml.YAMLError) -> int:
    """Where the parser found the problem (not where the enclosing block began; the end of the text can be
    a line past its last)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else 1


def _yaml_problem(exc: yaml.YAMLError) -> str:
    context, mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return f"{problem} ({context} at line {mark.line + 1})" if context and mark is not None else str(problem)


def _line_at(node: yaml.Node | None, where: list[Any]) -> int:
    """The line of the deepest key or item of `where` (`["deviations", 0, "expires"]`) that the file has."""
    line = 1
    for step in where:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == step), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _refuse_twice_keys(node: yaml.Node, path: Path) -> None:
    """A key written twice in one mapping: YAML would keep the last one without a word."""
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key, value in node.value:
            if key.value in seen:
                raise KnownDeviationsError(f"{path}:{key.start_mark.line + 1}: {key.value!r} is written twice here (YAML keeps only the last): keep one")
            seen.add(key.value)
            _refuse_twice_keys(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_twice_keys(item, path)


def _refuse_twice_entries(entries: list[KnownDeviation], path: Path) -> None:
    """The same id twice, or two entries matching the same thing (the second would never match)."""
    first: dict[Any, KnownDeviation] = {}
    for entry in entries:
        for key, what in ((("id", entry.id), f"id {entry.id!r} is used twice; give each entry its own"),
                          (("matches", entry.check, entry.operation, entry.kind, entry.path), "")):  # fmt: skip
            if key in first:
                other = first[key]
                raise KnownDeviationsError(f"{path}:{entry.line}: {what or f'{entry.id!r} matches what {other.id!r} (line {other.line}) matches: keep one'}")
            first[key] = entry


def _say(error: Any) -> str:
    where = list(error.absolute_path)
    entry = f"entry {where[1] + 1}: " if len(where) > 1 else ""
    if not where and error.validator == "additionalProperties" and isinstance(error.instance, dict):
        return f"{', '.join(repr(k) for k in sorted(set(error.instance) - {'deviations'}))}: not a key of the file (it has `deviations:` only)"
    if not where:
        return "the file is a mapping with `deviations:`, a list of entries (`deviations: []` when there is none)"
    if where == ["deviations"]:
        return "`deviations:` is a list of entries (`deviations: []` when there is none)"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict) and len(where) == 2:
        allowed = list(error.schema.get("properties", {}))
        wrong = sorted(set(error.instance) - set(allowed))[0]
        near = difflib.get_close_matches(wrong, allowed, n=1)
        return f"{entry}{wrong!r} is not a key of an entry" + (f": did you mean {near[0]!r}?" if near else f" (keys: {', '.join(allowed)})")
    if error.validator == "not":
        return f"{entry}an entry matches either a failed check (check) or drift findings (operation, kind, path), not both"
    if error.validator == "anyOf":
        return f"{entry}say what it matches: check, or operation, kind and/or path"
    if error.validator == "required":
        return f"{entry}{error.message.split(' is a required')[0]} is missing (every entry has id, reason, ticket and expires)"
    if error.validator == "pattern" and where[-1] in ("reason", "ticket"):
        return f"{entry}{where[-1]}: one line, please (the reports show it in tables)"
    if error.validator == "format" and where[-1] == "expires":
        return f"{entry}expires: {error.instance!r} is not a day of the calendar (YYYY-MM-DD)"
    return f"{entry}{'.'.join(map(str, list(error.absolute_path)[2:])) or 'the entry'}: {error.message}"


def _validator() -> Draft202012Validator:
    from .shipped_files import tool_schema

    return Draft202012Validator(tool_schema("known-deviations.json"), format_checker=Draft202012Validator.FORMAT_CHECKER)
