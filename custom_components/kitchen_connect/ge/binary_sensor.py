"""GE binary sensors: doors, remote control allowed, alerts, brewing and the like."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components.binary_sensor import BinarySensorEntity, BinarySensorEntityDescription
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass

from ..kitchenlib.ge.appliance import Appliance
from .appliance_types import LAUNDRY, ApplianceKind
from .descriptions import (
    AIR_CONDITIONERS,
    BREWERS,
    COFFEE_MACHINES,
    DISHWASHERS,
    DRYERS,
    ESPRESSO_MAKERS,
    FRIDGES,
    OVEN_CAVITIES,
    OVENS,
    OvenCavity,
    is_slug,
    is_true,
    present,
    read,
)
from .entity import GeEntity, GeEntityDescription, platform_setup

FRIDGE_DOORS: Final = 0x1016
ICE_BUCKETS: Final = 0x1007
DISHWASHER_REMINDERS: Final = 0x3003
LAUNDRY_REMOTE: Final = 0x2039
# 0x2013: Home Assistant's lock class is on when unlocked.
_LOCK_STATES: Final = {"unlocked": True, "locked": False}


@dataclass(frozen=True, kw_only=True)
class GeBinarySensorEntityDescription(GeEntityDescription, BinarySensorEntityDescription):
    """An on/off state computed from the appliance's ERDs."""

    value_fn: Callable[[Appliance], bool | None]


def _binary(
    key: str,
    code: int,
    kinds: frozenset[ApplianceKind],
    value_fn: Callable[[Appliance], bool | None],
    **kwargs: Any,
) -> GeBinarySensorEntityDescription:
    kwargs.setdefault("translation_key", key)
    return GeBinarySensorEntityDescription(
        key=key, erds=(code,), kinds=kinds, value_fn=value_fn, **kwargs
    )


def _mapped(code: int, states: dict[str, bool]) -> Callable[[Appliance], bool | None]:
    """On or off for the listed slugs; unknown for any other."""

    def value(appliance: Appliance) -> bool | None:
        slug = read(appliance, code)
        return states.get(slug) if isinstance(slug, str) else None

    return value


def _oven_binary_sensors(cavity: OvenCavity) -> tuple[GeBinarySensorEntityDescription, ...]:
    remote, probe = cavity.code(0x0A), cavity.code(0x07)
    return (
        _binary(
            cavity.unique_key("remote_enabled"),
            remote,
            OVENS,
            is_true(remote),
            translation_key=cavity.translation_key("remote_enabled"),
            exists_fn=cavity.exists_when(present(remote)),
        ),
        _binary(
            cavity.unique_key("probe"),
            probe,
            OVENS,
            is_true(probe),
            translation_key=cavity.translation_key("probe"),
            exists_fn=cavity.exists_when(present(probe)),
            device_class=BinarySensorDeviceClass.PLUG,
        ),
    )


def _ice_bucket(compartment: str) -> GeBinarySensorEntityDescription:
    def equipped(appliance: Appliance) -> bool:
        return read(appliance, ICE_BUCKETS, f"{compartment}_ice_maker_present") == 1

    return _binary(
        f"{'fridge' if compartment == 'fresh_food' else compartment}_ice_bucket_full",
        ICE_BUCKETS,
        FRIDGES,
        is_true(ICE_BUCKETS, f"{compartment}_ice_maker_bucket_full"),
        exists_fn=equipped,
    )


def _fridge_door(key: str, field: str) -> GeBinarySensorEntityDescription:
    return _binary(
        key,
        FRIDGE_DOORS,
        FRIDGES,
        is_slug(FRIDGE_DOORS, "open", field),
        exists_fn=present(FRIDGE_DOORS, field),
        device_class=BinarySensorDeviceClass.DOOR,
    )


def _reminder(key: str, **kwargs: Any) -> GeBinarySensorEntityDescription:
    return _binary(
        key,
        DISHWASHER_REMINDERS,
        DISHWASHERS,
        is_true(DISHWASHER_REMINDERS, key),
        exists_fn=present(DISHWASHER_REMINDERS, key),
        **kwargs,
    )


def _laundry_remote_known(appliance: Appliance) -> bool:
    return read(appliance, LAUNDRY_REMOTE) in ("enabled", "disabled")


FRIDGE_BINARY_SENSORS: tuple[GeBinarySensorEntityDescription, ...] = (
    _fridge_door("fridge_right_door", "fresh_food_right_door_status"),
    _fridge_door("fridge_left_door", "fresh_food_left_door_status"),
    _fridge_door("freezer_door", "freezer_door_status"),
    _fridge_door("convertible_drawer_door", "convertible_drawer_status"),
    _ice_bucket("fresh_food"),
    _ice_bucket("freezer"),
)

DISHWASHER_BINARY_SENSORS: tuple[GeBinarySensorEntityDescription, ...] = (
    _reminder("add_rinse_aid", device_class=BinarySensorDeviceClass.PROBLEM),
    _reminder("clean_filter", device_class=BinarySensorDeviceClass.PROBLEM),
    _reminder("sanitized"),
    _binary(
        "door",
        0x3037,
        DISHWASHERS,
        _mapped(0x3037, {"open": True, "closed": False}),
        device_class=BinarySensorDeviceClass.DOOR,
    ),
    _binary("remote_start", 0x3087, DISHWASHERS, is_true(0x3087)),
)

LAUNDRY_BINARY_SENSORS: tuple[GeBinarySensorEntityDescription, ...] = (
    _binary(
        "door",
        0x2012,
        LAUNDRY,
        is_slug(0x2012, "door_lid_open"),
        device_class=BinarySensorDeviceClass.DOOR,
    ),
    _binary(
        "door_lock",
        0x2013,
        LAUNDRY,
        _mapped(0x2013, _LOCK_STATES),
        device_class=BinarySensorDeviceClass.LOCK,
    ),
    _binary(
        "remote_control",
        LAUNDRY_REMOTE,
        LAUNDRY,
        is_slug(LAUNDRY_REMOTE, "enabled"),
        exists_fn=_laundry_remote_known,
    ),
    _binary("end_of_cycle", 0x2002, LAUNDRY, is_slug(0x2002, "end_of_cycle")),
    _binary(
        "blocked_vent",
        0x206F,
        DRYERS,
        is_slug(0x206F, "blocked_vent_fault_is_set"),
        device_class=BinarySensorDeviceClass.PROBLEM,
    ),
)

COFFEE_BINARY_SENSORS: tuple[GeBinarySensorEntityDescription, ...] = (
    _binary(
        "brewing",
        0x9000,
        BREWERS,
        is_true(0x9000),
        device_class=BinarySensorDeviceClass.RUNNING,
    ),
    _binary(
        "making_espresso",
        0x9047,
        ESPRESSO_MAKERS,
        is_true(0x9047),
        device_class=BinarySensorDeviceClass.RUNNING,
    ),
    _binary(
        "descaling",
        0x9019,
        COFFEE_MACHINES,
        is_true(0x9019),
        device_class=BinarySensorDeviceClass.RUNNING,
    ),
    _binary(
        "descale_needed",
        0x9030,
        COFFEE_MACHINES,
        is_true(0x9030),
        device_class=BinarySensorDeviceClass.PROBLEM,
    ),
    _binary(
        "out_of_water",
        0x9013,
        COFFEE_MACHINES,
        is_slug(0x9013, "out_of_water"),
        device_class=BinarySensorDeviceClass.PROBLEM,
    ),
    _binary("carafe_present", 0x9012, BREWERS, is_slug(0x9012, "present")),
)

AIR_CONDITIONER_BINARY_SENSORS: tuple[GeBinarySensorEntityDescription, ...] = (
    _binary(
        "filter",
        0x7A04,
        AIR_CONDITIONERS,
        is_slug(0x7A04, "clean_filter_light_on"),
        device_class=BinarySensorDeviceClass.PROBLEM,
    ),
)

BINARY_SENSORS: tuple[GeBinarySensorEntityDescription, ...] = (
    *(description for cavity in OVEN_CAVITIES for description in _oven_binary_sensors(cavity)),
    *FRIDGE_BINARY_SENSORS,
    *DISHWASHER_BINARY_SENSORS,
    *LAUNDRY_BINARY_SENSORS,
    *COFFEE_BINARY_SENSORS,
    *AIR_CONDITIONER_BINARY_SENSORS,
)


class GeBinarySensor(GeEntity, BinarySensorEntity):
    """A read-only on/off state of one appliance."""

    entity_description: GeBinarySensorEntityDescription

    @property
    def is_on(self) -> bool | None:
        """The state as the description computes it."""
        return self.entity_description.value_fn(self.appliance)


async_setup_entry = platform_setup(BINARY_SENSORS, GeBinarySensor)
