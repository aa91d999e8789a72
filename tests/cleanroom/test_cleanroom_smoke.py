"""Smoke tests: each of the five endpoints answers with auth and refuses without."""
import base64
import hashlib

import pytest
from starlette.testclient import TestClient

from .server import create_app, describe

INFO = describe(7)


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(7))


@pytest.fixture(scope="module")
def ds(client):
    return client.app.state.dataset


def basic(user, secret):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()}


AUTH = basic(INFO["username"], hashlib.md5(INFO["password"].encode()).hexdigest())
BEARER = {"Authorization": "Bearer " + INFO["oauth_token"]}


def customer_params(entry, external_key="external_id"):
    field, value = entry.split(":", 1)
    return {(external_key if field == "external_id" else field): value}


def test_describe_shape():
    assert set(INFO) == {"username", "password", "oauth_token", "customers"}
    assert [c.split(":")[0] for c in INFO["customers"]] == ["mobile", "id", "email", "external_id"]


def test_v11_customer_coupons(client):
    for entry in INFO["customers"]:
        r = client.get("/v1.1/customer/coupons", params=customer_params(entry), headers=AUTH)
        assert r.status_code == 200, r.text
        body = r.json()["response"]
        assert body["status"]["code"] == 200
        cust = body["customers"]["customer"][0]
        assert cust["item_status"]["code"] == 1000
        assert cust["coupons"]["coupon"]
    big = customer_params(INFO["customers"][0])
    body = client.get("/v1.1/customer/coupons", params=big, headers=AUTH).json()["response"]
    assert body["pagination"]["limit"] == "100" and body["pagination"]["total"] > 100
    assert len(body["customers"]["customer"][0]["coupons"]["coupon"]) == 100


def test_v11_isredeemable(client, ds):
    coupon = ds.coupons_of(ds.big.id)[0]
    r = client.get("/v1.1/coupon/isredeemable", headers=BEARER,
                   params={"mobile": ds.big.mobile, "code": coupon.code.lower(),
                           "coupon_code_case": "lower"})
    assert r.status_code == 200, r.text
    item = r.json()["response"]["coupons"]["redeemable"]
    assert item["code"] == coupon.code.lower()
    assert item["is_redeemable"] in ("true", "false")


def test_v2_coupon(client, ds):
    r = client.get("/v2/coupon", params={"issuedToIds": str(ds.c2.id)}, headers=AUTH)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert len(data) == len(ds.coupons_of(ds.c2.id))
    assert all(d["code"] == d["code"].upper() for d in data)


def test_v2_customers_coupons(client):
    for entry in INFO["customers"]:
        r = client.get("/v2/customers/coupons", params=customer_params(entry, "externalId"),
                       headers=AUTH)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["success"] is True and body["entity"]["customers"][0]["coupons"]


def test_v2_customer_id_coupons(client, ds):
    r = client.get(f"/v2/customers/{ds.c4.id}/coupons", headers=AUTH,
                   params={"coupon_code_case": "AS_IT_IS"})
    assert r.status_code == 200, r.text
    codes = {e["code"] for e in r.json()["entity"]}
    assert codes == {c.code for c in ds.coupons_of(ds.c4.id)}


@pytest.mark.parametrize("path,params", [
    ("/v1.1/customer/coupons", {"mobile": "1"}),
    ("/v1.1/coupon/isredeemable", {"mobile": "1", "code": "X"}),
    ("/v2/coupon", {"issuedToIds": "1"}),
    ("/v2/customers/coupons", {"mobile": "1"}),
    ("/v2/customers/1/coupons", {}),
])
@pytest.mark.parametrize("headers", [
    {},
    basic(INFO["username"], INFO["password"]),          # plain password: not accepted
    basic(INFO["username"], "0" * 32),
    {"Authorization": "Bearer wrong"},
])
def test_rejects_missing_or_bad_auth(client, path, params, headers):
    r = client.get(path, params=params, headers=headers)
    assert r.status_code == 401
