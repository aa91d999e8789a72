"""The offline Allure report of a run: categories, environment, and one self-contained `index.html`.

The renderer is Allure 3 (npm package `allure`, pinned in ALLURE_VERSION and in the Makefile), run from
the project's `.tools/` folder with its `allure2` plugin (the classic Allure 2 interface) in single-file
mode. Why that plugin and not Allure 3's default `awesome` one: every Allure 3 HTML plugin embeds a Google
Analytics script (googletagmanager.com) in its page, and only `allure2` lets it be switched off, by the
environment variable `ALLURE_NO_ANALYTICS=true` (@allurereport/plugin-allure2, dist/generators.js);
`awesome`, `classic` and `dashboard` hard-code `analyticsEnable: true` (3.0.0 to 3.18.0). The page is then
checked by `offline_page.external_references` anyway, so an upgrade that brings the analytics back fails loudly.

Categories live in two places because the two kinds of Allure plugin read them from two places: the
`allure2` plugin (and Allure 2 itself) from `categories.json` in the results folder, which
`write_categories` writes; Allure 3's own plugins (`awesome`) from the `categories` key of the config file,
which `render` generates (`allurerc.json`, in a temporary folder) from the same CATEGORIES.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Mapping

from ..history import ALLURE_HISTORY
from ..shipped_files import home, is_checkout
from . import trend_history

__all__ = [
    "ALLURE_VERSION",
    "CATEGORIES",
    "RenderFailed",
    "RendererMissing",
    "TOOLS_DIR",
    "allure_config",
    "properties_text",
    "render",
    "write_categories",
    "write_environment",
]

ALLURE_VERSION = "3.18.0"  # keep equal to ALLURE_VERSION in the Makefile (a unit test checks it)
# `make report` installs the renderer into the checkout's .tools/ (git-ignored); an installed package
# looks in .tools/ of the folder it runs in (`npm install --prefix .tools allure@VERSION`).
TOOLS_DIR = home() / ".tools" if is_checkout() else Path(".tools").absolute()
REPORT_NAME = "coupon-contracts"
RENDER_TIMEOUT = 600  # seconds


class RendererMissing(Exception):
    """The pinned renderer is not installed in .tools/ (or node is missing): `make report` installs it."""


class RenderFailed(Exception):
    """The renderer ran but produced no report; the message is its last line of output."""


# --------------------------------------------------------------------------------------------------
# Categories
# --------------------------------------------------------------------------------------------------

# Failure messages start with a family tag. allure-pytest puts the exception's name before the text
# ("AssertionError: [schema] ...", "Failed: [security] ..."), hence the optional "Name: " prefix.
# The regexes are written to mean the same in Java (Allure 2, which matches the whole message with
# DOTALL), JavaScript (Allure 3, RegExp.test without flags) and Python: no inline flags, [\s\S]* for
# "anything, newlines included", ^ for "at the start".
_PREFIX = r"^(?:[\w.]+: )?"
TAGS = ("schema", "filters", "consistency", "errors", "security", "target unavailable")
_FAILING = ["failed", "broken"]


def _tagged(*tags: str) -> str:
    return _PREFIX + r"\[(?:" + "|".join(tags) + r")\][\s\S]*"


_UNTAGGED = _PREFIX.replace("^", "^(?!") + r"\[(?:" + "|".join(TAGS) + r")\])[\s\S]*"

CATEGORIES: list[dict[str, Any]] = [
    {"name": "Schema drift", "matchedStatuses": _FAILING, "messageRegex": _tagged("schema")},
    {"name": "Behaviour", "matchedStatuses": _FAILING, "messageRegex": _tagged("filters", "consistency", "errors")},
    {"name": "Security", "matchedStatuses": _FAILING, "messageRegex": _tagged("security")},
    {"name": "Target unavailable", "matchedStatuses": [*_FAILING, "skipped"], "messageRegex": _tagged("target unavailable")},
    # A documented behaviour the run could not check (no data for it): never a pass, never a failure.
    {"name": "Not checked", "matchedStatuses": ["skipped"], "messageRegex": r"[\s\S]*not checked: [\s\S]*"},
    # Anything without a family tag: a failed check that forgot its tag, or a crash of a test (broken).
    {"name": "Other failures", "matchedStatuses": ["failed"], "messageRegex": _UNTAGGED},
    {"name": "Broken tests", "matchedStatuses": ["broken"], "messageRegex": _UNTAGGED},
]


def write_categories(results_dir: Path) -> None:
    """Write `categories.json` into the results folder (read by Allure 2 and Allure 3's allure2 plugin).

    Allure 3's own plugins read the same CATEGORIES from the config file that `render` generates.
    """
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / "categories.json").write_text(json.dumps(CATEGORIES, indent=2) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------------------------------

_SPECIAL = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\f": "\\f", "=": "\\=", ":": "\\:", "#": "\\#", "!": "\\!"}


def _escape(text: str, *, is_key: bool) -> str:
    """Escape as java.util.Properties.store does: the result is plain ASCII."""
    out: list[str] = []
    for index, char in enumerate(text):
        if char == " ":
            out.append("\\ " if is_key or index == 0 else " ")
        elif char in _SPECIAL:
            out.append(_SPECIAL[char])
        elif " " < char <= "~":
            out.append(char)
        else:  # control characters and non-ASCII as \uXXXX, UTF-16 surrogate pairs above the BMP
            encoded = char.encode("utf-16-be")
            out.extend(f"\\u{int.from_bytes(encoded[i:i + 2], 'big'):04X}" for i in range(0, len(encoded), 2))
    return "".join(out)


def properties_text(properties: Mapping[str, str]) -> str:
    """The text of a Java properties file holding `properties`, in their order."""
    return "".join(f"{_escape(str(key), is_key=True)}={_escape(str(value), is_key=False)}\n" for key, value in properties.items())


def write_environment(results_dir: Path, properties: dict[str, str]) -> None:
    """Write `environment.properties` (the report's Environment panel) into the results folder."""
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / "environment.properties").write_text(properties_text(properties), encoding="ascii")


# --------------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------------


def allure_config(output: Path, *, history: Path | None = None, point: str = "") -> dict[str, Any]:
    """The Allure 3 config `render` uses: the allure2 plugin, one file, the categories, and the history its
    trend reads (the render adds a point named `point`: `release 2026.12.0`, or the time of an unlabelled run)."""
    name = f"{REPORT_NAME}, {point}" if point else REPORT_NAME
    return {
        "name": name,
        **({"historyPath": str(history.resolve() / ALLURE_HISTORY), "historyLimit": 50, "appendHistory": True} if history is not None else {}),
        "output": str(output),
        "plugins": {"allure2": {"options": {"singleFile": True, "reportName": name, "reportLanguage": "en"}}},
        "categories": CATEGORIES,
    }


def _renderer(tools_dir: Path) -> tuple[str, Path]:
    """node and the pinned allure CLI in tools_dir, or RendererMissing."""
    hint = f"run `make report`, which installs it into {tools_dir}/" if is_checkout() else f"run `npm install --prefix {tools_dir} allure@{ALLURE_VERSION}`"
    package = tools_dir / "node_modules" / "allure" / "package.json"
    cli = package.with_name("cli.js")
    if not package.is_file() or not cli.is_file():
        raise RendererMissing(f"the report renderer (allure {ALLURE_VERSION}, npm) is not installed: {hint}")
    try:
        installed = json.loads(package.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        installed = None
    if installed != ALLURE_VERSION:
        raise RendererMissing(f"the report renderer in {tools_dir}/ is allure {installed}, not the pinned {ALLURE_VERSION}: {hint}")
    node = shutil.which("node")
    if node is None:
        raise RendererMissing("node (Node.js 20+) is not on PATH: install it, then run `make report`")
    return node, cli


def _last_line(*texts: str) -> str:
    """The line that says what went wrong: Node ends a crash with its own version, after the error and its stack."""
    for text in texts:
        lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
        said = [line for line in lines if "error" in line.lower() and not line.startswith("at ")]
        if said or lines:
            return (said or lines)[-1]
    return "no output"


def render(results_dir: Path, report_dir: Path, *, tools_dir: Path | None = None, history: Path | None = None, point: str = "",
           run_ms: int | None = None) -> Path:  # fmt: skip
    """Render `report_dir/index.html`: one self-contained page, analytics off. Returns its path.

    Only index.html is written to report_dir (the renderer's side files stay in a temporary folder);
    it replaces the previous one atomically. With `history` (a folder), the trend has one point per
    `point`, ordered by the runs' times (`run_ms`: this run's, in ms): see trend_history.
    """
    results_dir, report_dir = Path(results_dir).resolve(), Path(report_dir)
    node, cli = _renderer(Path(tools_dir) if tools_dir is not None else TOOLS_DIR)
    env = {**os.environ, "ALLURE_NO_ANALYTICS": "true", "NO_COLOR": "1", "FORCE_COLOR": "0"}
    with tempfile.TemporaryDirectory(prefix="coupon-contracts-allure-") as work:
        work_dir = Path(work)
        output = work_dir / "allure-report"
        config = work_dir / "allurerc.json"
        settings = allure_config(output, history=work_dir if history is not None else None, point=point)
        config.write_text(json.dumps(settings, indent=2), encoding="utf-8")
        given = work_dir / ".given-history.jsonl"
        if history is not None:
            trend_history.for_render(history / ALLURE_HISTORY, work_dir / ALLURE_HISTORY, name=settings["name"], run_ms=run_ms)
            shutil.copyfile(work_dir / ALLURE_HISTORY, given)
        command = [node, str(cli), "generate", "--config", str(config), "--cwd", str(work_dir), "--output", str(output), str(results_dir)]
        try:
            done = subprocess.run(command, cwd=work_dir, env=env, capture_output=True, text=True, timeout=RENDER_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise RenderFailed(f"allure generate took more than {RENDER_TIMEOUT} s") from None
        page = output / "index.html"
        if done.returncode != 0 or not page.is_file():
            raise RenderFailed(f"allure generate failed (exit {done.returncode}): {_last_line(done.stderr, done.stdout)}")
        report_dir.mkdir(parents=True, exist_ok=True)
        target = report_dir / "index.html"
        staging = report_dir / ".index.html.part"
        shutil.copyfile(page, staging)
        os.replace(staging, target)
        if history is not None:
            trend_history.settle(history / ALLURE_HISTORY, work_dir / ALLURE_HISTORY, name=settings["name"], run_ms=run_ms, given=given)
    return target
