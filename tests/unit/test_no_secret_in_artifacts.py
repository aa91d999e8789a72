"""No secret and no unmasked PII in any artifact of a run, nor in its console output.

The suite runs against the mock served on a port with known credentials and customers, and with
faults on, so that failures (messages, attachments, response bodies, curl lines) are written too.
Then every file under the reports folder, and everything printed, is searched for each secret and
for every customer's mobile number and e-mail, raw or URL-encoded.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
from urllib.parse import quote

import pytest

from .conftest import ROOT, clean_env, mock_description, served_mock

FAULTS = ["v11-coupon-id-as-number", "v2-list-offset-shifted", "isredeemable-expired-said-redeemable", "v2-list-field-added"]


@pytest.mark.parametrize("mask_pii", ["true", "false"], ids=["masked", "unmasked-for-debugging"])
def test_no_secret_or_pii_in_reports_or_console(tmp_path, mask_pii) -> None:
    """With masking off (local debugging) the same scan must find the PII: proof the scan can fail."""
    faults = [arg for name in FAULTS for arg in ("--fault", name)]
    described = mock_description()
    people = described["customers"]
    with served_mock(*faults) as served:
        env = clean_env(
            COUPON_API_BASE_URL=served.url,
            COUPON_API_USERNAME=described["username"],
            COUPON_API_PASSWORD=described["password"],
            COUPON_API_CUSTOMERS=",".join([f"mobile:{p['mobile']}" for p in people[:3]] + [f"email:{p['email']}" for p in people[3:5] if p["email"]]),
            COUPON_CONTRACTS_PROFILE="quick",
            COUPON_CONTRACTS_MASK_PII=mask_pii,
        )
        completed = subprocess.run([sys.executable, "-m", "coupon_contracts.cli", "run", "--reports", str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert completed.returncode == 1, completed.stdout[-2000:]  # the faults must have produced failures to write

    password = described["password"]
    md5 = hashlib.md5(password.encode()).hexdigest()
    secrets = {
        "password": password,
        "password md5": md5,
        "Basic value": base64.b64encode(f"{described['username']}:{md5}".encode()).decode(),
        "token": described["oauth_token"],
    }
    for person in people:
        for kind in ("mobile", "email"):
            if person[kind]:
                secrets[f"{kind} of {person['id']}"] = person[kind]
                secrets[f"{kind} of {person['id']} (URL-encoded)"] = quote(person[kind], safe="")
    texts = {"console": completed.stdout + completed.stderr}
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert {"junit.xml", "drift.json", "drift.md", "signoff.json", "signoff.md", "observed-shapes.json"} <= {p.name for p in files}
    assert len([p for p in files if p.parent.name == "allure-results"]) > 20
    texts |= {str(p.relative_to(tmp_path)): p.read_text(encoding="utf-8", errors="replace") for p in files}
    leaks = [f"{what} in {where}" for where, text in texts.items() for what, value in secrets.items() if value in text]
    if mask_pii == "true":
        assert not leaks, leaks[:20]
    else:
        assert leaks and all(leak.startswith(("mobile", "email")) for leak in leaks), leaks[:20]
