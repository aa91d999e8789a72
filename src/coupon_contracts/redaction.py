"""Redaction at the write boundary: every report, log line and curl command goes through here.

Secrets (Authorization and token headers, cookies, the password and its MD5, the token) are
removed; customer PII (mobile numbers, e-mails) is masked, both where a field names it and wherever
a known value appears in free text (a first name that embeds the mobile, a URL query).
"""

from __future__ import annotations

import base64
import hashlib
import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Iterable
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import httpx

__all__ = ["REDACTED", "Redactor", "mask_value"]

REDACTED = "[REDACTED]"
SENSITIVE_HEADERS = frozenset({"authorization", "x-cap-api-oauth-token", "cookie", "set-cookie", "proxy-authorization"})
PII_FIELDS = {"mobile": "mobile", "email": "email"}
# A mobile number named as such in free text (JSON text, a query string), whoever's it is.
NAMED_MOBILE = re.compile(r'((?:"mobile"|\bmobile)\s*[:=]\s*"?)(\+?\d{6,})')
EMAIL = re.compile(r"[A-Za-z0-9._+-]+(?:@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def mask_value(kind: str, value: str) -> str:
    """`9188******01` for a mobile, `t***@example.com` for an e-mail."""
    if kind == "email" and "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    if len(value) <= 6:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]


@dataclass
class Redactor:
    """Knows the run's secrets and PII values, and scrubs text, JSON and requests of them."""

    secrets: set[str] = field(default_factory=set)
    pii: dict[str, str] = field(default_factory=dict)  # value -> mask
    is_masking_pii: bool = True
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _replacements: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)
    _pattern_key: tuple[Any, ...] | None = field(default=None, init=False, repr=False, compare=False)

    def add_credentials(self, *, username: str | None = None, password: str | None = None, oauth_token: str | None = None) -> None:
        """Register the run's credentials, with the derived forms that could leak (MD5, Basic value)."""
        if password:
            digest = hashlib.md5(password.encode()).hexdigest()  # noqa: S324 - the vendor's scheme
            self.secrets.update({password, digest, quote(password, safe="")})
            if username:
                for secret in (password, digest):
                    self.secrets.add(base64.b64encode(f"{username}:{secret}".encode()).decode())
        if oauth_token:
            self.secrets.update({oauth_token, quote(oauth_token, safe="")})

    def add_pii(self, kind: str, values: Iterable[str | None]) -> None:
        """Register customer mobiles or e-mails to mask wherever they appear, URL-encoded too."""
        for value in values:
            if value and len(value) >= 5:
                self.pii[value] = mask_value(kind, value)
                self.pii[quote(value, safe="")] = mask_value(kind, value)

    def text(self, text: str) -> str:
        """Scrub a piece of text."""
        known = self._known_values()
        if known is not None:
            replacement = self._replacements
            text = known.sub(lambda m: replacement[m.group(0)], text)  # one pass, however many values are known
        if self.is_masking_pii:
            text = EMAIL.sub(lambda m: mask_value("email", unquote(m.group(0))), text)
            text = NAMED_MOBILE.sub(lambda m: m.group(1) + mask_value("mobile", m.group(2)), text)
        return text

    def _known_values(self) -> re.Pattern[str] | None:
        """One pattern of every secret and (when masking) PII value, longest first; rebuilt when they change."""
        key = (frozenset(self.secrets), tuple(self.pii.items()) if self.is_masking_pii else ())
        if key != self._pattern_key:
            values = dict.fromkeys(self.secrets, REDACTED)
            values |= {value: masked for value, masked in self.pii.items() if value not in values} if self.is_masking_pii else {}
            ordered = sorted(values, key=len, reverse=True)  # a longer value wins over one it contains
            self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None
            self._replacements, self._pattern_key = values, key
        return self._pattern

    def json(self, document: Any) -> Any:
        """Scrub a JSON document: PII fields masked by name, every string scrubbed."""
        if isinstance(document, dict):
            return {k: self._field(k, v) for k, v in document.items()}
        if isinstance(document, list):
            return [self.json(v) for v in document]
        if isinstance(document, str):
            return self.text(document)
        return document

    def _field(self, key: str, value: Any) -> Any:
        if self.is_masking_pii and key in PII_FIELDS and isinstance(value, str):
            return mask_value(PII_FIELDS[key], value)
        return self.json(value)

    def headers(self, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Headers with every credential-bearing one replaced by [REDACTED]."""
        return [(k, REDACTED if k.lower() in SENSITIVE_HEADERS else self.text(v)) for k, v in headers]

    def url(self, url: str) -> str:
        """A URL with PII query values masked and secrets removed."""
        parts = urlsplit(url)
        query = [(k, mask_value(k, v) if self.is_masking_pii and k in PII_FIELDS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        return self.text(urlunsplit(parts._replace(query=urlencode(query, safe=",:*@"))))

    def curl(self, request: httpx.Request) -> str:
        """The request as a curl line a reader can paste (credentials shown as a placeholder)."""
        parts = ["curl", "-X", request.method, shlex.quote(self.url(str(request.url)))]
        for key, value in self.headers(request.headers.multi_items()):
            if key.lower() in ("host", "content-length", "accept-encoding", "connection", "user-agent"):
                continue
            parts += ["-H", shlex.quote(f"{key}: {value}")]
        return " ".join(parts)
