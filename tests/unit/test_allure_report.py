"""The offline Allure report: categories, environment.properties, the external-reference scan, rendering."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from coupon_contracts.cli import main
from coupon_contracts.reporting import allure_report
from coupon_contracts.reporting.allure_report import (
    ALLURE_VERSION,
    CATEGORIES,
    RendererMissing,
    allure_config,
    properties_text,
    render,
    write_categories,
    write_environment,
)
from coupon_contracts.reporting.offline_page import external_references

from .conftest import ROOT

SAMPLES = {
    "[schema] v2 list: coupons[0].id missing": "Schema drift",
    "AssertionError: [schema] v1.1: pagination.total is a string": "Schema drift",
    "[filters] status=redeemed returned an unredeemed coupon": "Behaviour",
    "AssertionError: [consistency] by-id redemptionsLeft 3, list says 2\n  reproduce: curl ...": "Behaviour",
    "Failed: [errors] unknown customer: 200 instead of 404": "Behaviour",
    "[security] getCouponsV2 answered 200 to wrong-token credentials": "Security",
    "[target unavailable] connect to https://api.example.com refused": "Target unavailable",
    "AssertionError: 9 coupons for limit=1": "Other failures",
    "a message mentioning [schema] later on": "Other failures",
}


def _categories_for(message: str, status: str = "failed") -> list[str]:
    """Names of the categories whose status and regex match, as Allure 2 (full match, DOTALL) reads them."""
    return [
        c["name"]
        for c in CATEGORIES
        if status in c["matchedStatuses"] and re.fullmatch(c["messageRegex"], message, flags=re.DOTALL)
    ]


# --- categories ------------------------------------------------------------------------------------


def test_categories_are_well_formed_and_cover_the_families() -> None:
    assert all(c.get("name") and c.get("messageRegex") for c in CATEGORIES)
    assert len({c["name"] for c in CATEGORIES}) == len(CATEGORIES)
    for category in CATEGORIES:
        re.compile(category["messageRegex"])
        assert "(?" + "s)" not in category["messageRegex"], "inline flags do not work in JavaScript (Allure 3)"
    assert {"Schema drift", "Behaviour", "Security", "Target unavailable"} <= {c["name"] for c in CATEGORIES}


@pytest.mark.parametrize(("message", "expected"), SAMPLES.items())
def test_each_message_falls_in_exactly_one_category(message: str, expected: str) -> None:
    assert _categories_for(message) == [expected]


def test_broken_and_skipped_results() -> None:
    assert _categories_for("ConnectError: connection refused", "broken") == ["Broken tests"]
    assert _categories_for("[schema] drift found by a crashed check", "broken") == ["Schema drift"]
    assert _categories_for("[target unavailable] timed out", "skipped") == ["Target unavailable"]
    assert _categories_for("no store id discovered", "skipped") == []


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_regexes_mean_the_same_in_javascript() -> None:
    """Allure 3 matches with RegExp.test (no flags); the first matching category wins."""
    script = (
        "const [cats, msgs] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(msgs.map(m => (cats.find(c => c.matchedStatuses.includes('failed')"
        " && new RegExp(c.messageRegex).test(m)) || {}).name)));"
    )
    done = subprocess.run(
        ["node", "-e", script], input=json.dumps([CATEGORIES, list(SAMPLES)]), capture_output=True, text=True, timeout=30, check=True
    )
    assert json.loads(done.stdout) == list(SAMPLES.values())


def test_write_categories_writes_categories_json(tmp_path: Path) -> None:
    results = tmp_path / "allure-results"
    write_categories(results)
    assert json.loads((results / "categories.json").read_text(encoding="utf-8")) == CATEGORIES


def test_the_allure3_config_carries_the_categories_and_one_file(tmp_path: Path) -> None:
    config = allure_config(tmp_path / "out")
    assert config["categories"] == CATEGORIES  # what Allure 3's own plugins (awesome) read
    assert config["plugins"] == {"allure2": {"options": {"singleFile": True, "reportName": "coupon-contracts", "reportLanguage": "en"}}}


# --- environment.properties ------------------------------------------------------------------------


def test_environment_properties_are_escaped_as_java_does(tmp_path: Path) -> None:
    properties = {
        "target host": "https://api.example.com:8443",
        "contract hash": "sha256:0123abcd",
        "profile": " ci",
        "seed": "7",
        "suite version": "0.1.0",
        "note": "a=b # c! d\\e\tf\ng",
        "unicode": "café €😀",
    }
    write_environment(tmp_path, properties)
    raw = (tmp_path / "environment.properties").read_bytes()
    assert raw.isascii()
    assert raw.decode("ascii").splitlines() == [
        r"target\ host=https\://api.example.com\:8443",
        r"contract\ hash=sha256\:0123abcd",
        r"profile=\ ci",
        r"seed=7",
        r"suite\ version=0.1.0",
        r"note=a\=b \# c\! d\\e\tf\ng",
        r"unicode=caf\u00E9 \u20AC\uD83D\uDE00",
    ]


def test_properties_text_round_trips_through_a_properties_reader() -> None:
    values = {"k:e=y #1": "v\\al\nue", "": "empty key", " lead": " lead and trail "}
    text = properties_text(values)
    parsed = {}
    for line in text.splitlines():
        key, value = re.match(r"((?:\\.|[^=:\\])*)[=:](.*)", line).groups()
        unescape = lambda s: s.encode("ascii").decode("unicode_escape").encode("utf-16", "surrogatepass").decode("utf-16")  # noqa: E731
        parsed[unescape(re.sub(r"\\([ =:#!])", r"\1", key))] = unescape(re.sub(r"\\([ =:#!])", r"\1", value))
    assert parsed == values


# --- the external-reference scan -------------------------------------------------------------------

CLEAN_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>r</title>
<link rel="icon" href="data:image/svg+xml;base64,{svg}">
<link rel="stylesheet" href="data:text/css;base64,{css}">
</head><body><div id="app"></div>
<a href="https://allurereport.org/docs/">docs</a>
<script src="data:text/javascript;base64,{js}"></script>
<script>d("data/x.json","eyJ1cmwiOiJodHRwczovL2V4YW1wbGUuY29tIn0=")</script>
</body></html>"""


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _page(js: str = "document.createElementNS('http://www.w3.org/2000/svg','svg');", css: str = "body{color:red}") -> str:
    svg = "<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'/>"
    return CLEAN_PAGE.format(svg=_b64(svg), css=_b64(css), js=_b64(js))


def test_a_clean_page_has_no_external_reference() -> None:
    assert external_references(_page()) == []


def test_an_injected_analytics_script_is_caught() -> None:
    gtag = '<script async src="https://www.googletagmanager.com/gtag/js?id=G-LNDJ3J7WT0"></script>'
    found = external_references(_page().replace("</body>", gtag + "</body>"))
    assert found and any("googletagmanager.com" in f for f in found)


@pytest.mark.parametrize(
    ("js", "css"),
    [
        ("fetch('https://telemetry.example.com/hit')", "body{}"),
        ('const s=document.createElement("script");s.src="https://cdn.example.com/x.js"', "body{}"),
        ("import('https://esm.example.com/m.js')", "body{}"),
        ("x", "@font-face{src:url(https://fonts.gstatic.com/a.woff2)}"),
        ("x", "@import url('//fonts.googleapis.com/css?family=Inter');"),
    ],
)
def test_requests_hidden_in_inlined_scripts_and_styles_are_caught(js: str, css: str) -> None:
    assert external_references(_page(js=js, css=css))


# --- rendering -------------------------------------------------------------------------------------


def test_the_pinned_version_is_the_one_the_makefile_installs() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^ALLURE_VERSION\s*:?=\s*(\S+)", makefile, re.M).group(1) == ALLURE_VERSION


def test_render_without_the_renderer_says_to_run_make_report(tmp_path: Path) -> None:
    with pytest.raises(RendererMissing, match="make report") as caught:
        render(tmp_path, tmp_path / "report", tools_dir=tmp_path / "no-tools")
    assert len(str(caught.value).splitlines()) == 1


def _result(name: str, status: str, message: str | None = None) -> dict:
    result = {
        "uuid": str(uuid.uuid4()),
        "historyId": uuid.uuid4().hex,
        "testCaseId": uuid.uuid4().hex,
        "fullName": f"tests.conformance.test_demo#{name}",
        "name": name,
        "status": status,
        "stage": "finished",
        "start": 1_700_000_000_000,
        "stop": 1_700_000_000_250,
        "labels": [{"name": "suite", "value": "test_demo"}, {"name": "framework", "value": "pytest"}],
    }
    if message:
        result["statusDetails"] = {"message": message, "trace": "Traceback (most recent call last): ..."}
    return result


def _report_data(html: str) -> dict[str, object]:
    """The JSON data files the single-file report embeds, as d("name","base64") calls."""
    calls = re.findall(r'd\("([^"]+\.json)","([A-Za-z0-9+/=]+)"\)', html)
    return {name: json.loads(base64.b64decode(value)) for name, value in calls}


def test_render_makes_one_offline_page(tmp_path: Path) -> None:
    try:
        allure_report._renderer(allure_report.TOOLS_DIR)
    except RendererMissing as exc:
        pytest.skip(f"renderer not installed: {exc}")
    results = tmp_path / "allure-results"
    results.mkdir()
    for result in (_result("test_passes", "passed"), _result("test_drifts", "failed", "AssertionError: [schema] coupons[0].id missing")):
        (results / f"{result['uuid']}-result.json").write_text(json.dumps(result), encoding="utf-8")
    write_categories(results)
    write_environment(results, {"target host": "mock", "seed": "7", "suite version": "0.1.0"})
    report = tmp_path / "report"

    page = render(results, report)

    assert page == report / "index.html" and [p.name for p in report.iterdir()] == ["index.html"]
    html = page.read_text(encoding="utf-8")
    assert external_references(html) == []
    assert "googletagmanager" not in html
    data = _report_data(html)
    categories = json.dumps(data["widgets/categories.json"])
    assert "Schema drift" in categories
    environment = {item["name"]: item["values"] for item in data["widgets/environment.json"]}
    assert environment == {"target host": ["mock"], "seed": ["7"], "suite version": ["0.1.0"]}
    summary = data["widgets/summary.json"]["statistic"]
    assert (summary["passed"], summary["failed"], summary["total"]) == (1, 1, 2)


# --- the command -----------------------------------------------------------------------------------


def test_report_without_results_exits_2(tmp_path: Path, capsys) -> None:
    assert main(["report", "--reports", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "run `make run` first" in err and len(err.strip().splitlines()) == 1


def test_report_without_renderer_exits_2_with_one_line(tmp_path: Path, capsys, monkeypatch) -> None:
    (tmp_path / "allure-results").mkdir()
    monkeypatch.setattr(allure_report, "TOOLS_DIR", tmp_path / "no-tools")
    assert main(["report", "--reports", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "make report" in err and len(err.strip().splitlines()) == 1
    assert (tmp_path / "allure-results" / "categories.json").is_file()


def test_report_refuses_a_page_that_phones_home(tmp_path: Path, capsys, monkeypatch) -> None:
    (tmp_path / "allure-results").mkdir()

    def fake_render(results: Path, report_dir: Path, **_: object) -> Path:
        report_dir.mkdir(parents=True, exist_ok=True)
        page = report_dir / "index.html"
        page.write_text(_page().replace("</head>", '<script async src="https://www.googletagmanager.com/gtag/js?id=G-X"></script></head>'))
        return page

    monkeypatch.setattr(allure_report, "render", fake_render)
    assert main(["report", "--reports", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "googletagmanager.com" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "allure-report" / "index.html").exists()


def test_a_check_not_checked_has_a_category_of_its_own() -> None:
    assert _categories_for("coupon_contracts.properties.NotChecked: not checked: no test customer has coupons", "skipped") == ["Not checked"]
