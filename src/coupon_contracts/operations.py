"""The table of operations: what the suite needs to know of each API beyond its schemas, read from the contract.

Each operation's path, the parameters that name a customer, its doc page, and where its answers hold
the coupons and the pagination come from the contract (`x-coupon-contracts` on the operation, beside
its parameters); a fork of the contract that moves a path moves it for every check, discovery and
report at once. `OperationId` names the five operations in code.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .contract import Contract, Operation

__all__ = ["RED", "V11", "V2C", "V2ID", "V2L", "OperationId", "OperationRow", "items_at", "label_of", "labels_by_id", "operation_at", "operation_table", "shipped_table"]


class OperationId(StrEnum):
    """The five operations, by their operationId in the contract."""

    V11 = "getCustomerCouponsV11"
    RED = "isCouponRedeemableV11"
    V2C = "getCouponsV2"
    V2L = "getCustomerCouponsV2"
    V2ID = "getCustomerCouponsByIdV2"


V11, RED, V2C, V2L, V2ID = OperationId
# A customer's identifiers as the suite knows them (KnownCustomer), by the wire names the pages give them.
_KNOWN_AS = {"externalId": "external_id", "issuedToIds": "id", "customerId": "id"}


@dataclass(frozen=True)
class OperationRow:
    """One operation of the table: where to send it, how it names a customer, where its answer keeps what."""

    operation_id: OperationId
    label: str  # the method and the path, as reports name the operation
    path: str  # as the contract writes it, `{customerId}` and all
    page: str  # the doc page it is read from
    customer_parameters: tuple[str, ...]  # wire names that name the customer
    customer_in_path: bool
    coupons_at: str | None  # `entity.customers[].coupons[]`
    pagination_at: str | None

    def path_for(self, customer_id: int | str | None = None) -> str:
        """The path to send, with the customer's id in it when the operation takes one there."""
        if not self.customer_in_path:
            return self.path
        if customer_id is None:
            raise ValueError(f"{self.label}: the path needs a customer id")
        return self.path.replace(f"{{{self.customer_parameters[0]}}}", str(customer_id))

    def identifier_attributes(self) -> dict[str, str]:
        """Each wire name that names the customer, and the KnownCustomer identifier it takes."""
        return {name: _KNOWN_AS.get(name, name) for name in self.customer_parameters}

    def by_id(self, customer_id: int | str) -> dict[str, int | str]:
        """The query naming a customer by id: `{"id": 5}`, or `{"issuedToIds": 5}` where that is its name."""
        name = next((n for n, known_as in self.identifier_attributes().items() if known_as == "id"), None)
        if name is None or self.customer_in_path:
            raise ValueError(f"{self.label}: no query parameter names a customer by id")
        return {name: customer_id}

    def coupons_in(self, body: Any) -> list[dict[str, Any]]:
        """The coupons an answer lists, wherever the operation keeps them; none from a broken body."""
        return [c for c in items_at(body, self.coupons_at) if isinstance(c, dict)] if self.coupons_at else []

    def pagination_in(self, body: Any) -> dict[str, Any]:
        """The answer's pagination object, {} when it has none."""
        found = items_at(body, self.pagination_at) if self.pagination_at else []
        return found[0] if found and isinstance(found[0], dict) else {}


def labels_by_id(table: dict[str, OperationRow]) -> dict[str, str]:
    """Each operationId of a table and how reports name it (the known deviations name operations by id)."""
    return {str(op): row.label for op, row in table.items()}


def label_of(operation_id: str) -> str:
    """How reports name an operation of the shipped contract (its method and path)."""
    return shipped_table()[operation_id].label


def operation_at(path: str, table: dict[str, OperationRow] | None = None) -> OperationId | None:
    """The operation a request path is sent to (a `{parameter}` of the table's path matches one segment)."""
    asked = path.rstrip("/").split("/")
    for row in (table or shipped_table()).values():
        declared = row.path.split("/")
        if len(declared) == len(asked) and all(d == a or (d.startswith("{") and d.endswith("}") and a) for d, a in zip(declared, asked, strict=True)):
            return row.operation_id
    return None


def items_at(document: Any, at: str) -> list[Any]:
    """What sits at `at` (`a.b[].c[]`: `[]` steps into every item of a list) in a JSON document, leniently:
    a missing key, a null or a value of the wrong kind on the way contributes nothing."""
    found = [document]
    for step in at.split("."):
        name, many = (step[:-2], True) if step.endswith("[]") else (step, False)
        values = [node.get(name) for node in found if isinstance(node, dict)]
        found = [item for value in values if isinstance(value, list) for item in value] if many else [v for v in values if v is not None]
    return found


@functools.cache
def shipped_table() -> dict[str, OperationRow]:
    """The table of the shipped contract: for a target made without a contract at hand (the tool's own tests)."""
    from .contract import Contract

    return Contract.load().table


def operation_table(contract: Contract) -> dict[str, OperationRow]:
    """The table, from the contract; a `ContractError` naming the operation when its extension is missing or wrong."""
    from .contract_files import ContractError

    table: dict[str, OperationRow] = {}
    for operation in contract.operations.values():
        where = f"{contract.openapi_path}: {operation.label}"
        try:
            operation_id = OperationId(operation.operation_id)
        except ValueError:
            raise ContractError(f"{where}: operationId {operation.operation_id!r} is none of the five the suite checks ({', '.join(OperationId)})") from None
        extension = operation.extensions.get("x-coupon-contracts")
        if not isinstance(extension, dict) or not isinstance(extension.get("page"), str) or not isinstance(extension.get("customer"), str):
            raise ContractError(f"{where}: x-coupon-contracts needs `page` and `customer` (see the conventions in the contract's info.description)")
        table[operation_id] = OperationRow(
            operation_id, operation.label, operation.path, extension["page"], *_customer(operation, extension["customer"], where),
            extension.get("coupons"), extension.get("pagination"),
        )
    missing = set(OperationId) - set(table)
    if missing:
        raise ContractError(f"{contract.openapi_path}: no operation {', '.join(sorted(missing))} (the suite checks all five)")
    return table


def _customer(operation: Operation, name: str, where: str) -> tuple[tuple[str, ...], bool]:
    from .contract_files import ContractError

    for param in operation.parameters:
        properties = param.get("schema", {}).get("properties", {})
        if param["name"] == name:
            in_path = param.get("in") == "path"
            return (tuple(properties) if param.get("explode") and properties else (name,)), in_path
        if param.get("explode") and name in properties:
            return (name,), False
    raise ContractError(f"{where}: x-coupon-contracts names the customer parameter {name!r}, which the operation does not declare")
