"""Whether a rendered page works offline: every reference to another host it would contact when opened,
including in the data URIs it embeds (a single-file report keeps its scripts there)."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Iterator

__all__ = ["ANALYTICS_HOSTS", "external_references"]

# Hosts of analytics and tracking scripts: flagged wherever they appear.
ANALYTICS_HOSTS = (
    "googletagmanager.com",
    "google-analytics.com",
    "analytics.google.com",
    "doubleclick.net",
    "cdn.segment.com",
    "api.segment.io",
    "cdn.mxpnl.com",
    "api-js.mixpanel.com",
    "static.hotjar.com",
    "clarity.ms",
    "plausible.io",
    "mc.yandex.ru",
    "i.posthog.com",
)

_Q = r"""\\?["'`]?\s*"""  # an optional (JSON-escaped) quote
_ABS = r"""(?:https?|wss?|ftp):\\?/\\?/[^\s"'`<>)\\]*"""  # an absolute URL to another host
_REL = r"""\\?["'`]\s*//[A-Za-z0-9][^\s"'`<>)\\]*"""  # a quoted protocol-relative URL
_TARGET = rf"(?:{_Q}{_ABS}|{_REL})"
_PATTERNS = [
    # attributes the browser fetches while loading the page; `src:` for JS-built elements
    re.compile(rf"\b(?:src|srcset|poster|background|ping|manifest|xlink:href|lowsrc|longdesc)\s*[:=]\s*{_TARGET}", re.I),
    # href= except on links the user has to click (<a>, <area>)
    re.compile(rf"<(?!a\b|area\b)[a-z][\w:-]*\b[^<>]*?\bhref\s*=\s*{_TARGET}", re.I),
    re.compile(rf"\.href\s*=\s*{_Q}{_ABS}", re.I),  # location.href = ... (navigation on load)
    re.compile(rf"\burl\(\s*{_TARGET}", re.I),  # CSS url(...)
    re.compile(rf"@import\s+(?:url\(\s*)?{_TARGET}", re.I),  # CSS @import
    re.compile(rf"\bimport\s*\(?\s*{_Q}{_ABS}", re.I),  # import("https://...") / import "https://..."
    re.compile(rf"\bimport\b[^;]{{0,200}}?\bfrom\s*{_Q}{_ABS}", re.I),  # import x from "https://..."
    re.compile(rf"\b(?:fetch|sendBeacon|importScripts|WebSocket|EventSource|Worker|SharedWorker)\s*\(\s*{_Q}{_ABS}", re.I),
    re.compile(rf"\.open\(\s*{_Q}[A-Za-z]+\\?[\"'`]\s*,\s*{_Q}{_ABS}", re.I),  # XMLHttpRequest.open("GET", ...)
    re.compile(rf"\bcontent\s*=\s*{_Q}\d+\s*;\s*url\s*=\s*{_Q}{_ABS}", re.I),  # <meta http-equiv=refresh>
    re.compile(r"\bgtag\s*\(\s*\\?[\"']config", re.I),
]
# Applied to the lower-cased text (much faster than re.I on megabytes of inlined script).
_ANALYTICS = re.compile(r"(?:" + "|".join(re.escape(host) for host in ANALYTICS_HOSTS) + r")[^\s\"'`<>)\\]*")
_DATA_URI = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+)(?:;[\w.+-]+=[\w.+-]+)*;base64,(?P<data>[A-Za-z0-9+/]+=*)")
_TEXT_MIME = ("text/", "application/javascript", "application/x-javascript", "application/json", "application/xhtml", "image/svg")


def _texts(text: str, where: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """The text and, decoded, every textual base64 data URI inside it (the inlined JS, CSS, SVG)."""
    yield where, text.replace("\\/", "/")
    if depth >= 3:
        return
    for match in _DATA_URI.finditer(text):
        mime = match.group("mime").lower()
        if not mime.startswith(_TEXT_MIME):
            continue
        try:
            decoded = base64.b64decode(match.group("data")).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            continue
        yield from _texts(decoded, f"{where} > inlined {mime}", depth + 1)


def external_references(html: str) -> list[str]:
    """Every place in the page that makes the browser contact another host when the page is opened.

    Looks in the HTML and in the inlined (base64 data URI) scripts and styles, for http(s)/ws(s) and
    protocol-relative URLs in src/href/url()/@import/import/fetch-like calls, and for analytics hosts
    anywhere. Links the user clicks (<a href>) and XML namespaces are not requests and are not reported.
    Returns "where: excerpt" strings, empty when the page is self-contained.
    """
    found: list[str] = []
    seen: set[tuple[str, str]] = set()
    for where, text in _texts(html, "index.html"):
        matches = [match for pattern in _PATTERNS for match in pattern.finditer(text)]
        matches += _ANALYTICS.finditer(text.lower())
        for match in matches:
            excerpt = match.group(0)
            excerpt = " ".join((excerpt if len(excerpt) <= 160 else f"{excerpt[:80]} ... {excerpt[-60:]}").split())
            if (where, excerpt) not in seen:
                seen.add((where, excerpt))
                found.append(f"{where}: {excerpt}")
    return found
