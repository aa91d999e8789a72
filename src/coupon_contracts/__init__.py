"""coupon-contracts: contract and conformance test suite for the coupon APIs of a loyalty platform."""

__version__ = "0.1.0"
