"""Appliance types as reported by ERD 0x0008, which picks the device handler."""

from __future__ import annotations

from enum import IntEnum
from functools import cache
import string

from .codec import ErdValue
from .table import CODECS

APPLIANCE_TYPE_ERD = 0x0008
_HEX_DIGITS = frozenset(string.hexdigits)


class ApplianceType(IntEnum):
    """The one-byte appliance type number; UNKNOWN (0xFF) stands for anything unlisted."""

    WATER_HEATER = 0x00
    DRYER = 0x01
    WASHER = 0x02
    FRIDGE = 0x03
    MICROWAVE = 0x04
    ADVANTIUM = 0x05
    DISHWASHER = 0x06
    OVEN = 0x07
    ELECTRIC_RANGE = 0x08
    GAS_RANGE = 0x09
    AIR_CONDITIONER = 0x0A
    ELECTRIC_COOKTOP = 0x0B
    PIZZA_OVEN = 0x0C
    GAS_COOKTOP = 0x0D
    SPLIT_AIR_CONDITIONER = 0x0E
    HOOD = 0x0F
    POE_WATER_FILTER = 0x10
    COOKTOP = 0x11
    DELIVERY_BOX = 0x12
    KITCHEN_HUB_VENT_HOOD = 0x13
    ZONELINE = 0x14
    WATER_SOFTENER = 0x15
    PORTABLE_AIR_CONDITIONER = 0x16
    COMBINATION_WASHER_DRYER = 0x17
    DUAL_ZONE_WINE_CHILLER = 0x18
    BEVERAGE_CENTER = 0x19
    CAFE_COFFEE_MAKER = 0x1A
    OPAL_ICE_MAKER = 0x1B
    IN_HOME_GROWER = 0x1C
    DEHUMIDIFIER = 0x1D
    UNDER_COUNTER_ICE_MAKER = 0x1E
    BUILT_IN_AIR_CONDITIONER = 0x1F
    DUAL_DISHWASHER = 0x20
    ESPRESSO_MAKER = 0x21
    TOASTER_OVEN = 0x22
    ZONELINE_VERTICAL = 0x23
    CENTRAL_DFS_CONTROLLER = 0x24
    BLE_MESH_GATEWAY = 0x25
    STAND_MIXER = 0x26
    FP_COOKTOP = 0x27
    FP_TEPPANYAKI = 0x28
    FP_DOWNDRAFT = 0x29
    SMART_PLUG = 0x2A
    SMOKER = 0x2B
    AIR_HANDLER_VRF = 0x2C
    FABRIC_CARE_CABINET = 0x2D
    LAUNDRY_CENTER = 0x2E
    GRILL = 0x2F
    FREEZER = 0x30
    WARMING_DRAWER = 0x31
    VACUUM_SEAL_DRAWER = 0x32
    WINE_CABINET = 0x33
    CENTRAL_AIR_CONDITIONER = 0x34
    SOFT_STARTER = 0x35
    HEARTH_PIZZA_OVEN = 0x36
    SOURDOUGH_STARTER = 0x37
    THERMOSTAT = 0x38
    AIR_PURIFIER = 0x39
    HOME_VENTILATION = 0x3A
    UNKNOWN = 0xFF


@cache
def _numbers_by_slug() -> dict[str, int]:
    field = CODECS[APPLIANCE_TYPE_ERD].spec.fields[0]
    return dict(zip(field.options, field.numbers, strict=True))


def appliance_type(value: ErdValue | int | str | None) -> ApplianceType:
    """The appliance type from a decoded 0x0008 value, its raw hex, its number or its ErdValue.

    ``"oven"`` (GE's slug), ``"07"``, ``7`` and ``ErdValue(0x0008, "07", "oven")`` all give
    OVEN; anything unlisted or unreadable gives UNKNOWN.
    """
    if isinstance(value, ErdValue):
        value = value.raw[:2]
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        number = _numbers_by_slug().get(value)
        if number is None and len(value) == 2 and set(value) <= _HEX_DIGITS:
            number = int(value, 16)
    if number is None:
        return ApplianceType.UNKNOWN
    try:
        return ApplianceType(number)
    except ValueError:
        return ApplianceType.UNKNOWN
