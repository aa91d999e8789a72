"""Secrets are removed and PII masked wherever they appear: text, JSON, headers, URLs, curl lines."""

from __future__ import annotations

import base64
import hashlib

import httpx

from coupon_contracts.auth import VendorBasicAuth
from coupon_contracts.operations import V2L
from coupon_contracts.redaction import REDACTED, Redactor, mask_value

from .conftest import path_of

PASSWORD, TOKEN, MOBILE, EMAIL = "s3cret-Pa55", "tok-123456789", "919900001234", "asha.rao@example.com"


def redactor() -> Redactor:
    r = Redactor()
    r.add_credentials(username="qa.user", password=PASSWORD, oauth_token=TOKEN)
    r.add_pii("mobile", [MOBILE])
    r.add_pii("email", [EMAIL])
    return r


def test_masks_keep_only_the_edges() -> None:
    assert mask_value("mobile", MOBILE) == "9199******34"
    assert mask_value("email", EMAIL) == "a***@example.com"


def test_text_loses_password_its_md5_the_basic_value_and_the_token() -> None:
    md5 = hashlib.md5(PASSWORD.encode()).hexdigest()
    basic = base64.b64encode(f"qa.user:{md5}".encode()).decode()
    text = redactor().text(f"pw={PASSWORD} md5={md5} basic={basic} token={TOKEN} mobile={MOBILE} mail={EMAIL} other=x.y@corp.io")
    for secret in (PASSWORD, md5, basic, TOKEN, MOBILE, EMAIL, "x.y@corp.io"):
        assert secret not in text
    assert REDACTED in text and "9199******34" in text


def test_json_masks_pii_fields_even_unknown_values() -> None:
    doc = {"customer": {"mobile": "918800000001", "firstname": f"autofn_{MOBILE}", "email": None}}
    assert redactor().json(doc) == {"customer": {"mobile": "9188******01", "firstname": "autofn_9199******34", "email": None}}


def test_curl_has_no_credentials_and_masked_query() -> None:
    request = httpx.Request("GET", "https://staging.example.com" + path_of(V2L), params={"mobile": MOBILE, "limit": 5})
    request = next(VendorBasicAuth("qa.user", PASSWORD).auth_flow(request))
    request.headers["X-CAP-API-OAUTH-TOKEN"] = TOKEN
    request.headers["Cookie"] = "_cfuvid=abc"
    curl = redactor().curl(request)
    assert MOBILE not in curl and TOKEN not in curl and "_cfuvid" not in curl and "Basic" not in curl
    assert "mobile=9199******34" in curl and curl.startswith(f"curl -X GET 'https://staging.example.com{path_of(V2L)}?")


def test_masking_can_be_switched_off_for_local_debugging_but_secrets_never() -> None:
    r = redactor()
    r.is_masking_pii = False
    text = r.text(f"{MOBILE} {PASSWORD}")
    assert MOBILE in text and PASSWORD not in text


def test_unknown_customers_mobiles_are_masked_where_named() -> None:
    text = Redactor().text('{"mobile": "918800000001"} and ?mobile=918800000002&id=5 and mobile: 918800000003')
    assert "918800000001" not in text and "918800000002" not in text and "918800000003" not in text
