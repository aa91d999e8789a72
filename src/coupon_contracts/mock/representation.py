"""How the vendor writes the mock's entities on the wire: v1.1 strings, v2 numbers and booleans.

Each function renders one entity for one API family; the handlers only pick and order entities.
Readings (readings.py) are decided here where the docs leave a field's form open (null or absent,
a name, a zone); with no reading on, every entity is written as the docs' examples write it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from .dataset import Coupon, Customer, Redemption, Series, Store
from .readings import ReadingSet

__all__ = [
    "apply_code_case",
    "v11_coupon",
    "v11_customer",
    "v11_item_error_entry",
    "v11_redeemable",
    "v11_redeemable_unknown_customer",
    "v11_status",
    "v2_coupon_detail",
    "v2_coupon_lookup",
    "v2_coupon_summary",
    "v2_customer",
    "v2_error",
    "v2_flat_error",
]

NO_READINGS = ReadingSet()
ORG_ZONE = timezone(timedelta(hours=5, minutes=30))  # the offset of the v2 list's first examples (D-37)


def apply_code_case(code: str, case: str | None) -> str:
    """coupon_code_case: UPPER by default, LOWER, or AS_IT_IS (as created)."""
    mode = (case or "UPPER").upper()
    if mode == "LOWER":
        return code.lower()
    if mode == "AS_IT_IS":
        return code
    return code.upper()


def iso(moment: datetime) -> str:
    """`2025-05-29T23:59:59Z`: the v2 form."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_millis(moment: datetime) -> str:
    """`2019-07-29T16:13:14.000Z`: v1.1 created_date and redemption date."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def v11_datetime(moment: datetime, *, local: bool = False) -> str:
    """`2019-12-31 23:59:59`: v1.1 valid_till, in UTC or (`local`) in the org's zone."""
    return moment.astimezone(ORG_ZONE if local else timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def v11_status(success: bool, code: int, message: str) -> dict[str, Any]:
    """The v1.1 status object: success as a string, code as a number."""
    return {"success": "true" if success else "false", "code": code, "message": message}


def _v11_store(store: Store) -> dict[str, str]:
    return {"code": store.code, "name": store.name}


def _v11_redemption(r: Redemption) -> dict[str, Any]:
    return {"id": str(r.id), "date": iso_millis(r.date), "transaction_number": r.transaction_number, "redeemed_at": _v11_store(r.store)}


def v11_coupon(coupon: Coupon, case: str | None, readings: ReadingSet = NO_READINGS) -> dict[str, Any]:
    """A coupon of getCustomerCouponsV11."""
    props = [{"name": n, "value": v} for n, v in coupon.series.custom_properties]
    redemptions = [_v11_redemption(r) for r in coupon.redemptions]
    bare = readings.has("v11-empty-wrappers-without-array")  # an XML <custom_properties/> with no child
    return {
        "id": str(coupon.id),
        "series_id": str(coupon.series.id),
        "series_name": coupon.series.description,
        "redemption_count": coupon.redemption_count,
        "created_date": iso_millis(coupon.created_date),
        "valid_till": v11_datetime(coupon.valid_till, local=readings.has("v11-valid-till-local-zone")),
        "code": apply_code_case(coupon.code, case),
        "transaction_number": coupon.transaction_number,
        "issued_at": _v11_store(coupon.issued_at),
        "purpose": "",
        "custom_properties": {} if bare and not props else {"custom_property": props},
        "redemptions": {} if bare and not redemptions else {"redemption": redemptions},
    }


def v11_customer(customer: Customer, coupons: list[dict[str, Any]]) -> dict[str, Any]:
    """A customer entry with its coupons and item_status 1000."""
    return {
        "firstname": customer.firstname,
        "lastname": customer.lastname,
        "email": customer.email,
        "external_id": customer.external_id,
        "mobile": customer.mobile,
        "id": str(customer.id),
        "coupons": {"coupon": coupons},
        "item_status": v11_status(True, 1000, "Coupons retrieved successfully"),
    }


def v11_item_error_entry(code: int, message: str, *, null_customer: bool = False) -> dict[str, Any]:
    """A customer entry carrying an item error (701, 707); the docs print none (D-25)."""
    entry: dict[str, Any] = dict.fromkeys(("firstname", "lastname", "email", "external_id", "mobile", "id")) if null_customer else {}
    entry["item_status"] = v11_status(False, code, message)
    return entry


def v11_redeemable(customer: Customer, code: str, coupon: Coupon | None, now: datetime, readings: ReadingSet = NO_READINGS) -> dict[str, Any]:
    """One isredeemable item. `code` is already in the asked letter case."""
    own = coupon is not None and coupon.customer_id == customer.id
    if coupon is None or coupon.customer_id != customer.id:
        redeemable, item = False, (702, "Coupon code is invalid")
    elif coupon.is_expired(now):
        redeemable, item = False, (704, "Coupon has expired")
    elif coupon.redemptions_left == 0:
        redeemable, item = False, (705, "Coupon redemption limit reached")
    else:
        redeemable, item = True, (700, "Coupon isRedeem successful")
    flag = "true" if redeemable else "false"
    body = {
        "mobile": customer.mobile,
        "code": code,
        "is_redeemable": flag,
        "redemptions_left": coupon.redemptions_left if coupon and own else 0,
        "no_of_redemptions_by_user": coupon.redemption_count if coupon and own else 0,
        "coupon_value": str(coupon.series.discount_value) if coupon else "0",
        "customer": {"mobile": customer.mobile, "email": customer.email, "external_id": customer.external_id},
        "item_status": {"success": flag, "status": flag, "code": item[0], "message": item[1]},
    }
    if not own and readings.has("isredeemable-error-item-nulls"):
        body |= dict.fromkeys(("redemptions_left", "no_of_redemptions_by_user", "coupon_value"))
    return body


def v11_redeemable_unknown_customer(asked: dict[str, str], code: str) -> dict[str, Any]:
    """An isredeemable item for a customer nobody has: the identifiers as asked, item code 701 (D-25)."""
    mobile = asked.get("mobile", "")
    return {
        "mobile": mobile, "code": code, "is_redeemable": "false", "redemptions_left": 0, "no_of_redemptions_by_user": 0,
        "coupon_value": "0", "customer": {"mobile": mobile, "email": asked.get("email"), "external_id": asked.get("external_id")},
        "item_status": {"success": "false", "status": "false", "code": 701, "message": "Customer could not be found"},
    }  # fmt: skip


def _v2_store(store: Store) -> dict[str, str]:
    return {"code": store.code, "name": store.name}


def v2_coupon_summary(coupon: Coupon, case: str | None, readings: ReadingSet = NO_READINGS) -> dict[str, Any]:
    """A coupon of getCustomerCouponsV2 (the examples' spelling: `id`, `issuedAt`)."""
    body: dict[str, Any] = {
        "code": apply_code_case(coupon.code, case),
        "seriesId": coupon.series.id,
        "description": coupon.series.description,
        "validTill": iso(coupon.valid_till),
        "discountType": coupon.series.discount_type,
        "discountValue": float(coupon.series.discount_value),
        "discountUpto": float(coupon.series.discount_upto),
        "redemptionCount": coupon.redemption_count,
        "redemptionsLeft": coupon.redemptions_left,
        "couponId" if readings.has("v2-list-coupon-id-as-couponId") else "id": coupon.id,
        "createdDate": iso(coupon.created_date),
        "transactionNumber": coupon.transaction_number or (None if readings.has("v2-list-transaction-number-null") else "0"),
        "issuedAt": _v2_store(coupon.issued_at),
    }
    if coupon.series.custom_properties or readings.has("v2-list-custom-property-empty"):
        body["customProperty"] = [{"name": n, "value": v} for n, v in coupon.series.custom_properties]
    body["redemptions"] = [
        {"date": iso(r.date), "transactionNumber": r.transaction_number, "redeemedAt": _v2_store(r.store)} for r in coupon.redemptions
    ]
    body["reversedRedemptions"] = []
    return body


def v2_customer(customer: Customer, coupons: list[dict[str, Any]], readings: ReadingSet = NO_READINGS) -> dict[str, Any]:
    """A customer of getCustomerCouponsV2; email and externalId are left out when unknown."""
    body: dict[str, Any] = {"firstname": customer.firstname, "lastname": customer.lastname}
    as_null = readings.has("v2-list-contact-null")
    if customer.email is not None or as_null:
        body["email"] = customer.email
    body["mobile"] = customer.mobile
    body["id"] = customer.id
    if customer.external_id is not None or as_null:
        body["externalId"] = customer.external_id
    body["coupons"] = coupons
    return body


def v2_coupon_lookup(coupon: Coupon, case: str | None, readings: ReadingSet = NO_READINGS) -> dict[str, Any]:
    """An item of getCouponsV2."""
    valid_till = coupon.valid_till.astimezone(timezone.utc)
    if readings.has("v2-coupon-valid-till-day-start"):
        valid_till = valid_till.replace(hour=0, minute=0, second=0)
    return {
        "code": apply_code_case(coupon.code, case),
        "seriesId": coupon.series.id,
        "description": coupon.series.description,
        "discountCode": "NO_VALUE",
        "validTill": iso(valid_till),
        "discountType": coupon.series.discount_type,
        "discountValue": float(coupon.series.discount_value),
        "discountUpto": float(coupon.series.discount_upto),
        "discountOn": "BILL",
        "detailedInfo": coupon.series.description,
    }


def _v2_status(code: int, message: str) -> dict[str, Any]:
    return {
        "statusCode": {"status": True, "code": code, "message": message},
        "warnings": [],
        "warningsAsStatusCode": [],
        "code": code,
        "success": True,
        "message": message,
    }


def _v2_series(s: Series) -> dict[str, Any]:
    store_json = "[" + ",".join(str(i) for i in s.store_ids) + "]" if s.store_ids else "[-1]"
    return {
        "id": s.id, "orgId": 100737, "description": s.description, "discountCode": s.discount_code,
        "validTillDate": iso(s.valid_till), "validDaysFromCreation": 30, "expiryStrategyValue": 1,
        "maxCreate": 100000, "maxRedeem": 100000, "isTransferrable": False, "anyUser": False,
        "sameUserMultipleRedeem": s.max_redemptions_per_coupon != 1, "isReferralExistingUsersAllowed": False,
        "isMultipleUseAllowed": s.max_redemptions_per_coupon != 1, "isValidationRequired": False,
        "isValidWithDiscountedItem": True, "createdBy": 75155297, "numIssued": 0, "numRedeemed": 0,
        "createdOn": iso(s.created_on), "lastUsed": iso(s.created_on), "seriesCode": f"SC{s.id}",
        "smsTemplate": "Hi {{first_name}}, your voucher code {{voucher}}", "isSMSDisabled": False,
        "isUpdateProductData": False, "info": s.description, "isMultipleVouchersPerUserAllowed": True,
        "doNotResendExistingVoucher": True, "mutualExclusiveSeriesIds": "[-1]", "storeIdsJson": store_json,
        "isDvsEnabled": False, "dvsExpiryDate": iso(s.valid_till), "priority": 0,
        "shortSMSTemplate": "Your voucher code is {{voucher_code}}", "maxVouchersPerUser": 5,
        "minDaysBetweenVouchers": 0, "maxReferralsPerReferee": -1, "discountUpto": s.discount_upto,
        "discountValue": s.discount_value, "dvsItems": "items",
        "redemptionRange": '{"dom" : [-1], "dow": [-1], "hours": [-1]}', "minBillAmount": 0,
        "maxBillAmount": 1000000, "redeemAtStore": store_json, "campaignId": -1, "tag": s.description,
        "maxRedemptionsInSeriesPerUser": s.max_redemptions_per_coupon, "minDaysBetweenRedemption": 0,
        "redemptionValidFrom": iso(s.created_on), "sourceOrgId": -1, "issueToLoyalty": False,
        "redeemStoreType": "redeemable_stores", "offlineRedeemType": False, "isOldFlowEnabled": False,
        "isPreRedeemEventRequired": False, "brands": [], "products": [], "categories": [],
        "termsAndConditions": "T&C", "signalRedemptionEvent": False, "syncToClient": False, "showPinCode": False,
        "redemptionPerCouponMaxLimit": s.max_redemptions_per_coupon,
        "validRedemptionOrgEntityDetails": {"concepts": [], "zones": [], "stores": list(s.store_ids), "tills": []},
        "seriesType": "UNDEFINED", "clientHandlingType": "DISC_CODE", "expiryStrategyType": "SERIES_EXPIRY",
        "discountOn": "BILL", "discountType": s.discount_type, "dvsExpiryDateFormat": s.valid_till.strftime("%Y-%m-%d"),
        "updateProductData": False, "entityLevelRedemptionConfigsValues": [],
        "redemptionValidFromFormat": s.created_on.strftime("%Y-%m-%d"), "validTilldateFormat": s.valid_till.strftime("%Y-%m-%d"),
    }  # fmt: skip


def v2_coupon_detail(coupon: Coupon, case: str | None) -> dict[str, Any]:
    """An item of getCustomerCouponsByIdV2: the coupon with its whole series.

    redemptionInfo stays empty: the docs never show an item of it, so any item shape would be
    an undocumented field (D-64 in contracts/discrepancies.md).
    """
    code = apply_code_case(coupon.code, case)
    store = coupon.issued_at
    return {
        "id": coupon.id, "seriesId": coupon.series.id, "series": _v2_series(coupon.series),
        "code": code, "description": coupon.series.description, "createdDate": iso(coupon.created_date),
        "validTill": iso(coupon.valid_till), "isRedeemed": coupon.redemption_count > 0,
        "issuedTo": coupon.customer_id, "issuedBy": coupon.issued_by, "orgId": 100737, "refId": 0,
        "issuedAt": {"id": store.id, "code": store.code, "description": "", "name": store.name, "type": "STORE",
                     "adminType": "GENERAL", "isOrgUnit": False},
        "status": _v2_status(700, "Coupon Resent"), "couponDiscountType": coupon.series.discount_type,
        "issuedOn": iso(coupon.created_date), "activeFrom": iso(coupon.created_date),
        "redemptionsLeft": coupon.redemptions_left, "couponStatus": _v2_status(200, "Success"),
        "redemptionInfo": [],
        "reversedRedemptionInfo": [], "discountType": True, "discountValue": coupon.series.discount_value,
        "discountValueAsDouble": float(coupon.series.discount_value), "discountUpto": coupon.series.discount_upto,
        "trimmedCode": code, "seriesName": coupon.series.description, "redeemed": coupon.redemption_count > 0,
    }  # fmt: skip


def v2_error(code: str, message: str) -> dict[str, Any]:
    """The v2 envelope carrying one documented error code."""
    return {"entity": None, "warnings": [], "errors": [{"code": code, "message": message}], "success": False}


def v2_flat_error(status: int, code: str, message: str) -> dict[str, Any]:
    """A v2 error without the envelope: the docs print no error body at all (D-24)."""
    return {"status": status, "code": code, "message": message}
