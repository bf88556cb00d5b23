"""Which kind of appliance an ERD 0x0008 value means, as far as entities and devices care."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from ..kitchenlib.ge.appliance import Appliance


class ApplianceKind(StrEnum):
    """Groups of GE appliance types that share their entities."""

    OVEN = "oven"  # wall ovens and ranges (ranges report their oven ERDs too)
    FRIDGE = "fridge"
    DISHWASHER = "dishwasher"
    WASHER = "washer"
    DRYER = "dryer"
    WASHER_DRYER = "washer_dryer"
    COFFEE_BREWER = "coffee_brewer"
    ESPRESSO_MAKER = "espresso_maker"
    WATER_HEATER = "water_heater"
    AIR_CONDITIONER = "air_conditioner"
    OTHER = "other"


# ERD 0x0008 numbers (GE's dictionary), never the appliance list's label.
_KINDS: Final[dict[int, ApplianceKind]] = {
    0x00: ApplianceKind.WATER_HEATER,
    0x01: ApplianceKind.DRYER,
    0x02: ApplianceKind.WASHER,
    0x03: ApplianceKind.FRIDGE,
    0x06: ApplianceKind.DISHWASHER,
    0x07: ApplianceKind.OVEN,
    0x08: ApplianceKind.OVEN,
    0x09: ApplianceKind.OVEN,
    0x0A: ApplianceKind.AIR_CONDITIONER,
    0x0E: ApplianceKind.AIR_CONDITIONER,
    0x16: ApplianceKind.AIR_CONDITIONER,
    0x17: ApplianceKind.WASHER_DRYER,
    0x18: ApplianceKind.FRIDGE,
    0x19: ApplianceKind.FRIDGE,
    0x1A: ApplianceKind.COFFEE_BREWER,
    0x1F: ApplianceKind.AIR_CONDITIONER,
    0x21: ApplianceKind.ESPRESSO_MAKER,
}

# The device model of each kind (GE's model number is the model id). The action device
# pickers in services.yaml filter on these words, so they must match exactly; OTHER has none.
DEVICE_MODELS: Final[Mapping[ApplianceKind, str]] = {
    ApplianceKind.OVEN: "Oven",
    ApplianceKind.FRIDGE: "Refrigerator",
    ApplianceKind.DISHWASHER: "Dishwasher",
    ApplianceKind.WASHER: "Washer",
    ApplianceKind.DRYER: "Dryer",
    ApplianceKind.WASHER_DRYER: "Washer-dryer",
    ApplianceKind.COFFEE_BREWER: "Drip coffee maker",
    ApplianceKind.ESPRESSO_MAKER: "Espresso maker",
    ApplianceKind.WATER_HEATER: "Water heater",
    ApplianceKind.AIR_CONDITIONER: "Air conditioner",
}

LAUNDRY: Final = frozenset({ApplianceKind.WASHER, ApplianceKind.DRYER, ApplianceKind.WASHER_DRYER})


def appliance_kind(appliance: Appliance) -> ApplianceKind:
    """The kind of ``appliance`` from its ERD 0x0008."""
    raw = appliance.appliance_type_raw
    return ApplianceKind.OTHER if raw is None else _KINDS.get(raw, ApplianceKind.OTHER)
