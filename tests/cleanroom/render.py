"""JSON representations of the shared dataset, one family per page.

Field names/types follow each page's example response (READINGS.md explains
where the example and the table disagree).
"""
from __future__ import annotations

import json
from datetime import datetime

from .dataset import Coupon, Customer, Dataset, Series, Store

CODE_CASES = ("UPPER", "LOWER", "AS_IT_IS")


def fmt_code(code: str, case: str = "UPPER") -> str:
    # default upper, LOWER, AS_IT_IS: v2-coupon.txt:22, v2-customers-coupons.txt:61
    if case == "LOWER":
        return code.lower()
    if case == "AS_IT_IS":
        return code
    return code.upper()


def iso_z(dt: datetime) -> str:            # v2-customers-coupons.txt:415
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(dt: datetime) -> str:           # v1.1-customer-coupons.txt:66
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def v1_till(dt: datetime) -> str:          # v1.1-customer-coupons.txt:67
    return dt.strftime("%Y-%m-%d %H:%M:%S")


def day_z(d) -> str:                       # date shown at midnight: v2-coupon.txt:30,43
    return d.strftime("%Y-%m-%dT00:00:00Z")


def num_str(v: float) -> str:              # coupon_value "17": v1.1-coupon-isredeemable.txt:58
    return str(int(v)) if float(v).is_integer() else repr(float(v))


# ---------------------------------------------------------------- v1.1 -----
def v1_store(s: Store) -> dict:
    return {"code": s.code, "name": s.name}


def v1_coupon(c: Coupon) -> dict:
    # v1.1-customer-coupons.txt:61-96, 129-150
    return {
        "id": str(c.id),
        "series_id": str(c.series.id),
        "series_name": c.series.description,
        "redemption_count": c.redemption_count,
        "created_date": iso_ms(c.created),
        "valid_till": v1_till(c.valid_till),
        "code": fmt_code(c.code),
        "transaction_number": c.transaction_number,
        "issued_at": v1_store(c.issued_at),
        "purpose": c.purpose,
        "custom_properties": {"custom_property": [
            {"name": n, "value": v} for n, v in c.series.custom_properties]},
        "redemptions": {"redemption": [
            {"id": str(r.id), "date": iso_ms(r.date),
             "transaction_number": r.transaction_number,
             "redeemed_at": v1_store(r.store)} for r in c.redemptions]},
    }


def v1_customer(cust: Customer) -> dict:
    # v1.1-customer-coupons.txt:53-58, 121-126
    return {"firstname": cust.firstname, "lastname": cust.lastname,
            "email": cust.email, "external_id": cust.external_id,
            "mobile": cust.mobile, "id": str(cust.id)}


def v1_series_info(s: Series) -> dict:
    # details=true (v1.1-coupon-isredeemable.txt:25); field set is our own choice
    return {
        "id": str(s.id), "description": s.description, "info": s.info,
        "discount_code": s.discount_code, "discount_type": s.discount_type,
        "discount_value": num_str(s.discount_value), "discount_upto": num_str(s.discount_upto),
        "discount_on": s.discount_on, "valid_till": v1_till_date(s.valid_till_date),
        "expiry_strategy": s.expiry_strategy, "valid_days_from_creation": s.valid_days,
        "redemption_valid_from": s.redemption_valid_from.isoformat(),
        "max_redemptions_per_coupon": s.per_coupon_max,
        "max_redemptions_per_user": s.per_user_max,
        "is_multiple_use_allowed": str(s.multiple_use).lower(),
        "same_user_multiple_redeem": str(s.same_user_multiple).lower(),
        "any_user": str(s.any_user).lower(),
        "redeem_at_store": [v1_store_id(x) for x in s.redeem_store_ids],
        "min_bill_amount": s.min_bill, "max_bill_amount": s.max_bill,
        "campaign_id": s.campaign_id,
        "custom_properties": {"custom_property": [
            {"name": n, "value": v} for n, v in s.custom_properties]},
    }


def v1_till_date(d) -> str:
    return d.strftime("%Y-%m-%d 23:59:59")


def v1_store_id(x: int) -> str:
    return str(x)


# ------------------------------------------------------------ v2/coupon -----
def v2_coupon_brief(c: Coupon, case: str) -> dict:
    # v2-coupon.txt:26-35, 38-49
    s = c.series
    return {"code": fmt_code(c.code, case), "seriesId": s.id, "description": s.description,
            "discountCode": s.discount_code, "validTill": day_z(c.valid_till.date()),
            "discountType": s.discount_type, "discountValue": float(s.discount_value),
            "discountUpto": float(s.discount_upto), "discountOn": s.discount_on,
            "detailedInfo": s.info}


# ------------------------------------------------ v2/customers/coupons -----
def v2_list_customer(cust: Customer) -> dict:
    # v2-customers-coupons.txt:85-95, 397-402; null fields omitted (:159-162)
    out = {"firstname": cust.firstname, "lastname": cust.lastname, "email": cust.email,
           "mobile": cust.mobile, "id": cust.id, "externalId": cust.external_id}
    return {k: v for k, v in out.items() if v is not None}


def v2_list_coupon(c: Coupon, case: str) -> dict:
    # v2-customers-coupons.txt:99-135, 404-423, 524-569
    s = c.series
    out = {
        "code": fmt_code(c.code, case), "seriesId": s.id, "description": s.description,
        "validTill": day_z(c.valid_till.date()), "discountType": s.discount_type,
        "discountValue": float(s.discount_value), "discountUpto": float(s.discount_upto),
        "redemptionCount": c.redemption_count, "redemptionsLeft": c.redemptions_left,
        "id": c.id, "createdDate": iso_z(c.created),
        "transactionNumber": c.transaction_number or "0",
        "issuedAt": {"code": c.issued_at.code, "name": c.issued_at.name},
    }
    if s.custom_properties:
        out["customProperty"] = [{"name": n, "value": v} for n, v in s.custom_properties]
    out["redemptions"] = [
        {"date": iso_z(r.date), "transactionNumber": r.transaction_number,
         "redeemedAt": {"code": r.store.code, "name": r.store.name}} for r in c.redemptions]
    out["reversedRedemptions"] = []
    return out


# ------------------------------------------ v2/customers/{id}/coupons -----
def v2_store_full(s: Store) -> dict:
    # v2-customers-customerId-coupons.txt:152-161, 273-281
    return {"id": s.id, "code": s.code, "description": "", "name": s.name,
            "type": "STORE", "adminType": "GENERAL", "isOrgUnit": False}


def status_obj(code: int, message: str) -> dict:
    # v2-customers-customerId-coupons.txt:163-174, 282-293
    return {"statusCode": {"status": True, "code": code, "message": message},
            "warnings": [], "warningsAsStatusCode": [],
            "code": code, "success": True, "message": message}


def v2_series_full(s: Series, ds: Dataset) -> dict:
    # v2-customers-customerId-coupons.txt:74-150, 183-263
    stores = json.dumps(s.redeem_store_ids or [-1], separators=(",", ":"))
    return {
        "id": s.id, "orgId": s.org_id, "description": s.description,
        "discountCode": s.discount_code, "validTillDate": day_z(s.valid_till_date),
        "validDaysFromCreation": s.valid_days,
        "expiryStrategyValue": s.valid_days if s.expiry_strategy == "DAYS_FROM_CREATION" else 1,
        "maxCreate": s.max_create, "maxRedeem": s.max_redeem,
        "isTransferrable": False, "anyUser": s.any_user,
        "sameUserMultipleRedeem": s.same_user_multiple,
        "isReferralExistingUsersAllowed": False, "isMultipleUseAllowed": s.multiple_use,
        "isValidationRequired": False, "isValidWithDiscountedItem": True,
        "createdBy": s.created_by, "numIssued": s.num_issued, "numRedeemed": s.num_redeemed,
        "createdOn": iso_z(s.created_on), "lastUsed": iso_z(s.last_used),
        "seriesCode": s.series_code,
        "smsTemplate": "Dear {{first_name}}, use voucher {{voucher}} before {{valid_till}}.",
        "isSMSDisabled": False, "isUpdateProductData": False, "info": s.info,
        "isMultipleVouchersPerUserAllowed": True, "doNotResendExistingVoucher": True,
        "mutualExclusiveSeriesIds": "[-1]", "storeIdsJson": stores,
        "isDvsEnabled": False, "dvsExpiryDate": day_z(s.created_on.date()), "priority": 0,
        "shortSMSTemplate": "Voucher {{voucher_code}} for {{cust_name}}",
        "maxVouchersPerUser": s.max_vouchers_per_user, "minDaysBetweenVouchers": 0,
        "maxReferralsPerReferee": -1, "discountUpto": int(s.discount_upto),
        "discountValue": int(s.discount_value), "dvsItems": "",
        "redemptionRange": '{"dom": [-1], "dow": [-1], "hours": [-1]}',
        "minBillAmount": s.min_bill, "maxBillAmount": s.max_bill,
        "redeemAtStore": stores, "campaignId": s.campaign_id, "tag": s.description,
        "maxRedemptionsInSeriesPerUser": s.per_user_max, "minDaysBetweenRedemption": 0,
        "redemptionValidFrom": day_z(s.redemption_valid_from), "sourceOrgId": -1,
        "issueToLoyalty": False, "redeemStoreType": "redeemable_stores",
        "offlineRedeemType": False, "isOldFlowEnabled": False,
        "isPreRedeemEventRequired": False, "brands": [], "products": [], "categories": [],
        "termsAndConditions": dict(s.custom_properties).get(
            "standard_terms_and_conditions", "Standard terms apply"),
        "signalRedemptionEvent": False, "syncToClient": False, "showPinCode": False,
        "redemptionPerCouponMaxLimit": s.per_coupon_max,
        "validRedemptionOrgEntityDetails": {"concepts": [], "zones": [],
                                            "stores": list(s.redeem_store_ids), "tills": []},
        "seriesType": "UNDEFINED", "clientHandlingType": "DISC_CODE",
        "expiryStrategyType": s.expiry_strategy, "discountOn": s.discount_on,
        "discountType": s.discount_type,
        "dvsExpiryDateFormat": s.created_on.date().isoformat(),
        "updateProductData": False, "entityLevelRedemptionConfigsValues": [],
        "redemptionValidFromFormat": s.redemption_valid_from.isoformat(),
        "validTilldateFormat": s.valid_till_date.isoformat(),
    }


def v2_detailed_coupon(c: Coupon, ds: Dataset, case: str) -> dict:
    # v2-customers-customerId-coupons.txt:43-72, 180-319
    s = c.series
    code = fmt_code(c.code, case)
    redeemed = c.redemption_count > 0
    return {
        "id": c.id, "seriesId": s.id, "series": v2_series_full(s, ds),
        "code": code, "description": s.description,
        "createdDate": iso_z(c.created), "validTill": iso_z(c.valid_till),
        "isRedeemed": redeemed, "issuedTo": c.customer_id, "issuedBy": c.issued_by,
        "orgId": c.org_id, "refId": 0, "issuedAt": v2_store_full(c.issued_at),
        "status": status_obj(700, "Coupon Resent"),
        "couponDiscountType": s.discount_type,
        "issuedOn": iso_z(c.created), "activeFrom": iso_z(c.active_from),
        "redemptionsLeft": c.redemptions_left,
        "couponStatus": status_obj(200, "Success"),
        "redemptionInfo": [
            {"id": r.id, "date": iso_z(r.date), "transactionNumber": r.transaction_number,
             "redeemedAt": v2_store_full(r.store)} for r in c.redemptions],
        "reversedRedemptionInfo": [],
        "discountType": s.discount_type == "ABS",
        "discountValue": int(s.discount_value),
        "discountValueAsDouble": float(s.discount_value),
        "discountUpto": int(s.discount_upto),
        "trimmedCode": code.strip(),
        "seriesName": s.description,
        "redeemed": redeemed,
    }
