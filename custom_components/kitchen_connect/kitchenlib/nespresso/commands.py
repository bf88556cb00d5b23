"""Command frames for 06aa3a42 and the decoder of 06aa3a52 responses (original line).

Builders validate every parameter and raise InvalidValueError before building
anything. Factory reset and key changes are deliberately not offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from ..errors import InvalidValueError, ProtocolError
from .errors import MachineRefusedError
from .gatt import OriginalModel
from .models import OriginalSettings, VertuoSettings
from .status import encode_original_settings, encode_vertuo_settings

RESPONSE_LENGTH = 20
CMD_BREW = 0x03
SUB_BREW = 0x05
SUB_CANCEL = 0x06
CMD_RECIPE = 0x01
SUB_RECIPE_PREPARE = 0x10
FLAG_RESPONSE = 0x80
FLAG_ERROR = 0x40
_LENGTH_MASK = 0x1F

COFFEE_ML = (15, 130)
WATER_ML = (25, 300)
HARDNESS_LEVELS = (0, 4)
STANDBY_SECONDS = (0, 0xFFFE)  # 0xFFFF is read by some clients as "leave unchanged"
CAPSULE_STOCK = (0, 1000)


class Product(IntEnum):
    """Predefined products of the brew command."""

    RISTRETTO = 0x00
    ESPRESSO = 0x01
    LUNGO = 0x02
    HOT_WATER = 0x04
    AMERICANO = 0x05
    CUSTOM = 0x07  # needs a recipe prepared first (Expert only)


class Temperature(IntEnum):
    """Brew temperature byte."""

    MEDIUM = 0x00
    LOW = 0x01
    HIGH = 0x02


class Ingredient(IntEnum):
    """Ingredients of a custom recipe slot."""

    COFFEE = 0x01
    WATER = 0x02


_PRODIGIO_PRODUCTS = frozenset({Product.RISTRETTO, Product.ESPRESSO, Product.LUNGO})


def supported_products(model: OriginalModel) -> frozenset[Product]:
    """Products the model accepts."""
    if model is OriginalModel.PRODIGIO:
        return _PRODIGIO_PRODUCTS
    return frozenset(Product)


def supported_temperatures(model: OriginalModel) -> frozenset[Temperature]:
    """Temperatures the model accepts (the Prodigio only knows medium)."""
    if model is OriginalModel.PRODIGIO:
        return frozenset({Temperature.MEDIUM})
    return frozenset(Temperature)


def _frame(command: int, sub: int, payload: bytes) -> bytes:
    return bytes((command, sub, len(payload))) + payload


def _in_range(value: int, bounds: tuple[int, int], what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValueError(f"{what} must be a whole number")
    low, high = bounds
    if not low <= value <= high:
        raise InvalidValueError(f"{what} must be between {low} and {high}")
    return value


def build_brew(
    product: Product, temperature: Temperature = Temperature.MEDIUM, *, model: OriginalModel
) -> bytes:
    """The 10-byte brew frame: ``03 05 07 04``, four delay bytes (0 = now), temperature, product."""
    if not isinstance(product, Product):
        raise InvalidValueError("unknown product")
    if not isinstance(temperature, Temperature):
        raise InvalidValueError("unknown temperature")
    if product not in supported_products(model):
        raise InvalidValueError(f"{model.value} cannot make {product.name.lower()}")
    if temperature not in supported_temperatures(model):
        raise InvalidValueError(f"{model.value} has no {temperature.name.lower()} temperature")
    payload = bytes((0x04, 0, 0, 0, 0, temperature, product))
    return _frame(CMD_BREW, SUB_BREW, payload)


def build_recipe_prepare(
    *, coffee_ml: int | None, water_ml: int | None, water_first: bool = False
) -> bytes:
    """The 11-byte custom-recipe prepare frame (one or two ingredients, in pouring order)."""
    slots: list[tuple[Ingredient, int]] = []
    if coffee_ml is not None:
        slots.append((Ingredient.COFFEE, _in_range(coffee_ml, COFFEE_ML, "coffee volume")))
    if water_ml is not None:
        slots.append((Ingredient.WATER, _in_range(water_ml, WATER_ML, "water volume")))
    if not slots:
        raise InvalidValueError("a recipe needs coffee, water or both")
    if water_first:
        slots.reverse()
    payload = bytearray(2)  # recipe id 00 00
    for ingredient, volume in slots:
        payload += bytes((ingredient,)) + volume.to_bytes(2)
    payload += bytes(8 - len(payload))
    return _frame(CMD_RECIPE, SUB_RECIPE_PREPARE, bytes(payload))


def build_custom_brew(
    *,
    coffee_ml: int | None,
    water_ml: int | None,
    temperature: Temperature = Temperature.MEDIUM,
    water_first: bool = False,
    model: OriginalModel,
) -> tuple[bytes, bytes]:
    """The prepare frame and the brew frame of a custom recipe, in sending order."""
    if model is not OriginalModel.EXPERT:
        raise InvalidValueError("custom recipes are only supported on the Expert")
    prepare = build_recipe_prepare(coffee_ml=coffee_ml, water_ml=water_ml, water_first=water_first)
    return prepare, build_brew(Product.CUSTOM, temperature, model=model)


def build_cancel() -> bytes:
    """Stop the running brew: ``03 06 01 02``."""
    return _frame(CMD_BREW, SUB_CANCEL, b"\x02")


def build_original_settings(
    current: OriginalSettings,
    *,
    standby_seconds: int | None = None,
    hardness: int | None = None,
) -> bytes:
    """Read-modify-write of 06aa3a44 on the original line."""
    standby = current.standby_seconds
    level = current.hardness
    if standby_seconds is not None:
        standby = _in_range(standby_seconds, STANDBY_SECONDS, "standby delay")
    if hardness is not None:
        level = _in_range(hardness, HARDNESS_LEVELS, "water hardness")
    return encode_original_settings(
        OriginalSettings(standby_seconds=standby, hardness=level, reserved=current.reserved)
    )


def build_vertuo_settings(
    current: VertuoSettings, *, auto_off: int | None = None, hardness: int | None = None
) -> bytes:
    """Read-modify-write of 06aa3a44 on the Vertuo line."""
    apo = current.auto_off
    level = current.hardness
    if auto_off is not None:
        apo = _in_range(auto_off, (0, 0xFFFF), "auto-off time")
    if hardness is not None:
        level = _in_range(hardness, HARDNESS_LEVELS, "water hardness")
    return encode_vertuo_settings(
        VertuoSettings(auto_off=apo, hardness=level, standby=current.standby)
    )


def build_capsule_stock(count: int) -> bytes:
    """Remaining capsules for 06aa3a15 (2 bytes BE, the app's 0-1000)."""
    return _in_range(count, CAPSULE_STOCK, "capsule stock").to_bytes(2)


def build_stock_threshold(count: int) -> bytes:
    """Low-stock alert threshold for 06aa3a25 (2 bytes BE)."""
    return _in_range(count, CAPSULE_STOCK, "low-stock threshold").to_bytes(2)


def build_error_selection(*, log: bool) -> bytes:
    """Select the current error (``00``) or the error log entry (``01``) on 06aa3a13."""
    return b"\x01" if log else b"\x00"


class Outcome(StrEnum):
    """What the machine answered, as a user would be told."""

    ACCEPTED = "accepted"
    NOTHING_TO_CANCEL = "nothing_to_cancel"
    INVALID_STATE = "invalid_state"
    WATER_TANK_EMPTY = "water_tank_empty"
    CONTAINER_FULL = "container_full"
    OBSTACLE = "obstacle"
    DESCALING_ON = "descaling_on"
    LAST_ACTION_NOT_FINISHED = "last_action_not_finished"
    NOT_ABORTABLE = "not_abortable"
    SLIDER_OPEN = "slider_open"
    NO_PROGRAMMED_BREW = "no_programmed_brew"
    PUMP_RUNNING = "pump_running"
    MOTOR_RUNNING = "motor_running"
    LID_NOT_CYCLED = "lid_not_cycled"
    UNSUPPORTED_PRODUCT = "unsupported_product"
    INVALID_TEMPERATURE = "invalid_temperature"
    OUT_OF_RANGE = "out_of_range"
    UNKNOWN = "unknown"


CODE_ACK = 0x20
CODE_NOTHING_TO_CANCEL = 0x21
CODE_PREPARE_REFUSED = 0x23
CODE_CONDITIONS = 0x24
CODE_OUT_OF_RANGE = 0x36
TANK_EMPTY_DETAIL = 0x04

# Reasons after 0x24, as wire bytes (the observed "24 12" is lid-not-cycled).
_CONDITION_REASONS: dict[int, Outcome] = {
    0x01: Outcome.INVALID_STATE,
    0x02: Outcome.INVALID_STATE,
    0x03: Outcome.CONTAINER_FULL,
    0x04: Outcome.OBSTACLE,
    0x05: Outcome.DESCALING_ON,
    0x06: Outcome.LAST_ACTION_NOT_FINISHED,
    0x07: Outcome.NOT_ABORTABLE,
    0x08: Outcome.SLIDER_OPEN,
    0x09: Outcome.NO_PROGRAMMED_BREW,
    0x10: Outcome.PUMP_RUNNING,
    0x11: Outcome.MOTOR_RUNNING,
    0x12: Outcome.LID_NOT_CYCLED,
}
_RANGE_REASONS: dict[int, Outcome] = {
    0x01: Outcome.UNSUPPORTED_PRODUCT,
    0x03: Outcome.INVALID_TEMPERATURE,
}


@dataclass(frozen=True, slots=True)
class CommandResponse:
    """A decoded 06aa3a52 value."""

    command: int
    sub_command: int
    error: bool
    codes: bytes
    outcome: Outcome

    def raise_for_refusal(self) -> None:
        """Raise MachineRefusedError unless the machine accepted the command."""
        if self.outcome is not Outcome.ACCEPTED:
            raise MachineRefusedError(self.outcome)


def _outcome(codes: bytes) -> Outcome:
    head = codes[0]
    reason = codes[1] if len(codes) > 1 else None
    if head == CODE_ACK:
        return Outcome.ACCEPTED
    if head == CODE_NOTHING_TO_CANCEL:
        return Outcome.NOTHING_TO_CANCEL
    if head == CODE_PREPARE_REFUSED and reason == 0x60:
        # Seen on a recipe prepare while the lid had not been cycled.
        return Outcome.LID_NOT_CYCLED
    if head == CODE_CONDITIONS and reason is not None:
        if reason == 0x01 and codes[2:3] == bytes((TANK_EMPTY_DETAIL,)):
            return Outcome.WATER_TANK_EMPTY
        return _CONDITION_REASONS.get(reason, Outcome.UNKNOWN)
    if head == CODE_OUT_OF_RANGE:
        return _RANGE_REASONS.get(reason or 0, Outcome.OUT_OF_RANGE)
    return Outcome.UNKNOWN


def decode_response(data: bytes) -> CommandResponse:
    """Decode a command response: flags|command, sub-command, length, status codes, padding."""
    if not 4 <= len(data) <= RESPONSE_LENGTH:
        raise ProtocolError(f"command response: {len(data)} bytes")
    head = data[0]
    if not head & FLAG_RESPONSE:
        raise ProtocolError("command response without the response flag")
    length = data[2] & _LENGTH_MASK
    if length == 0 or 3 + length > len(data):
        raise ProtocolError("command response length does not fit")
    codes = bytes(data[3 : 3 + length])
    return CommandResponse(
        command=head & 0x3F,
        sub_command=data[1],
        error=bool(head & FLAG_ERROR),
        codes=codes,
        outcome=_outcome(codes),
    )


def encode_response(command: int, sub_command: int, codes: bytes, *, error: bool) -> bytes:
    """A 20-byte response as the machine sends it (used by the simulator)."""
    head = command | FLAG_RESPONSE | (FLAG_ERROR if error else 0)
    body = bytes((head, sub_command, len(codes))) + codes
    return body + bytes(RESPONSE_LENGTH - len(body))
