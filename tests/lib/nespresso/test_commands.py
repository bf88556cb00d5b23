"""Command builders refuse bad parameters before building anything."""

from __future__ import annotations

import pytest

from custom_components.kitchen_connect.kitchenlib.errors import (
    CommandRefusedError,
    InvalidValueError,
)
from custom_components.kitchen_connect.kitchenlib.nespresso import commands as c
from custom_components.kitchen_connect.kitchenlib.nespresso.errors import MachineRefusedError
from custom_components.kitchen_connect.kitchenlib.nespresso.gatt import OriginalModel
from custom_components.kitchen_connect.kitchenlib.nespresso.models import (
    OriginalSettings,
    VertuoSettings,
)

EXPERT = OriginalModel.EXPERT
PRODIGIO = OriginalModel.PRODIGIO


@pytest.mark.parametrize("product", [c.Product.HOT_WATER, c.Product.AMERICANO, c.Product.CUSTOM])
def test_prodigio_products(product: c.Product) -> None:
    """The Prodigio makes ristretto, espresso and lungo only."""
    with pytest.raises(InvalidValueError, match="prodigio cannot make"):
        c.build_brew(product, model=PRODIGIO)
    assert c.build_brew(product, model=EXPERT)


def test_prodigio_temperature() -> None:
    """The Prodigio only knows the medium temperature."""
    with pytest.raises(InvalidValueError, match="no high temperature"):
        c.build_brew(c.Product.LUNGO, c.Temperature.HIGH, model=PRODIGIO)
    assert c.build_brew(c.Product.LUNGO, model=PRODIGIO) == bytes.fromhex("03050704000000000002")


@pytest.mark.parametrize(("product", "temperature"), [(3, c.Temperature.LOW), (c.Product.LUNGO, 2)])
def test_raw_numbers_are_refused(product: object, temperature: object) -> None:
    """Only the enums are accepted (product 03 is unknown)."""
    with pytest.raises(InvalidValueError):
        c.build_brew(product, temperature, model=EXPERT)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("coffee", "water"),
    [(14, None), (131, None), (None, 24), (None, 301), (None, None), (True, None), (50.0, None)],
)
def test_recipe_volumes(coffee: object, water: object) -> None:
    """Coffee 15-130 ml, water 25-300 ml, at least one, whole numbers."""
    with pytest.raises(InvalidValueError):
        c.build_recipe_prepare(coffee_ml=coffee, water_ml=water)  # type: ignore[arg-type]


def test_water_first() -> None:
    """The slot order is the pouring order."""
    frame = c.build_recipe_prepare(coffee_ml=97, water_ml=36, water_first=True)
    assert frame == bytes.fromhex("0110080000020024010061")


def test_custom_recipe_is_expert_only() -> None:
    """Recipes are refused for the Prodigio before anything is built."""
    with pytest.raises(InvalidValueError, match="Expert"):
        c.build_custom_brew(coffee_ml=40, water_ml=None, model=PRODIGIO)


def test_settings_validation() -> None:
    """Hardness 0-4, standby within 16 bits without the 0xFFFF marker."""
    current = OriginalSettings(standby_seconds=540, hardness=4)
    with pytest.raises(InvalidValueError):
        c.build_original_settings(current, hardness=5)
    with pytest.raises(InvalidValueError):
        c.build_original_settings(current, standby_seconds=0xFFFF)
    assert c.build_original_settings(current) == bytes.fromhex("021c0400")
    assert c.build_original_settings(current, standby_seconds=1800) == bytes.fromhex("07080400")
    vertuo = VertuoSettings(auto_off=300, hardness=3, standby=9)
    with pytest.raises(InvalidValueError):
        c.build_vertuo_settings(vertuo, hardness=-1)
    with pytest.raises(InvalidValueError):
        c.build_vertuo_settings(vertuo, auto_off=0x10000)
    assert c.build_vertuo_settings(vertuo) == bytes.fromhex("2c010309")


@pytest.mark.parametrize("count", [-1, 1001, 65535])
def test_stock_validation(count: int) -> None:
    """The app's range is 0-1000."""
    with pytest.raises(InvalidValueError):
        c.build_capsule_stock(count)
    with pytest.raises(InvalidValueError):
        c.build_stock_threshold(count)


def test_error_selection() -> None:
    """``00`` current error, ``01`` log entry."""
    assert c.build_error_selection(log=False) == b"\x00"
    assert c.build_error_selection(log=True) == b"\x01"


@pytest.mark.parametrize(
    "data", [b"", b"\x83\x05\x01", b"\x03\x05\x01\x20", b"\x83\x05\x00\x20", b"\x83\x05\x05\x20"]
)
def test_malformed_responses(data: bytes) -> None:
    """Empty after a reboot, no response flag, or a length that does not fit."""
    with pytest.raises(c.ProtocolError):
        c.decode_response(data)


def test_refusal_raises_with_outcome() -> None:
    """A refusal carries its outcome for the integration to translate."""
    c.decode_response(bytes.fromhex("83050120")).raise_for_refusal()
    with pytest.raises(MachineRefusedError) as caught:
        c.decode_response(bytes.fromhex("c305022412")).raise_for_refusal()
    assert caught.value.outcome is c.Outcome.LID_NOT_CYCLED
    assert isinstance(caught.value, CommandRefusedError)
