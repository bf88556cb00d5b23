"""The things on a La Marzocco account: which models we support, and what each thing is."""

from __future__ import annotations

from collections.abc import Callable, Mapping
import contextlib
from dataclasses import dataclass, field
from enum import StrEnum
import logging
from typing import Any, Final

from ..errors import ProtocolError
from .reader import Reader

_LOGGER = logging.getLogger(__name__)


_MAX_CHANGELOG: Final = 20_000


class ModelCode(StrEnum):
    """The cloud's model codes."""

    LINEA_MICRA = "LINEAMICRA"
    LINEA_MINI = "LINEAMINI"
    LINEA_MINI_R = "LINEAMINIR"
    GS3 = "GS3"
    GS3_AV = "GS3AV"
    GS3_MP = "GS3MP"
    STRADA_X = "STRADAX"
    PICO_GRINDER = "PICOGRINDER"
    SWAN_GRINDER = "SWANGRINDER"


SUPPORTED_MODELS: Final = frozenset(
    {
        ModelCode.LINEA_MICRA,
        ModelCode.LINEA_MINI,
        ModelCode.LINEA_MINI_R,
        ModelCode.GS3_AV,
        ModelCode.GS3_MP,
        ModelCode.PICO_GRINDER,
    }
)

# Model names as the cloud and older APIs spell them, upper-cased without spaces.
_NAMES: Final = {
    "LINEAMICRA": ModelCode.LINEA_MICRA,
    "MICRA": ModelCode.LINEA_MICRA,
    "LINEAMINI": ModelCode.LINEA_MINI,
    "LINEAMINIR": ModelCode.LINEA_MINI_R,
    "LINEAMINI2023": ModelCode.LINEA_MINI_R,
    "GS3": ModelCode.GS3,
    "GS3AV": ModelCode.GS3_AV,
    "GS3MP": ModelCode.GS3_MP,
    "STRADAX": ModelCode.STRADA_X,
    "PICOGRINDER": ModelCode.PICO_GRINDER,
    "PICO": ModelCode.PICO_GRINDER,
    "SWANGRINDER": ModelCode.SWAN_GRINDER,
    "SWAN": ModelCode.SWAN_GRINDER,
}


def model_from(model_code: str | None, model_name: str | None = None) -> ModelCode | None:
    """The model from its code, else from its name ("LINEA MINI 2023" is the Mini R)."""
    for candidate in (model_code, model_name):
        if candidate:
            model = _NAMES.get(candidate.replace(" ", "").replace("_", "").upper())
            if model is not None:
                return model
    return None


class ThingType(StrEnum):
    """What kind of thing the account holds."""

    COFFEE_MACHINE = "CoffeeMachine"
    GRINDER = "Grinder"
    OTHER = "Other"


@dataclass(frozen=True, slots=True)
class Accessory:
    """An accessory of a coffee station, such as the ``ScaleAcaiaLunar`` scale."""

    accessory_type: str
    name: str | None
    connected: bool
    battery_level: float | None

    @property
    def is_scale(self) -> bool:
        """Whether this is a scale (the Acaia Lunar of the Linea Mini)."""
        return self.accessory_type.casefold().startswith("scale")


@dataclass(frozen=True, slots=True)
class CoffeeStation:
    """``coffeeStation`` of a thing: the machine, its grinders and accessories.

    Serials are left out of ``repr`` so they never reach a log line.
    """

    machine_serial: str | None = field(repr=False)
    grinder_serials: tuple[str, ...] = field(repr=False)
    accessories: tuple[Accessory, ...]

    @property
    def scale(self) -> Accessory | None:
        """The station's scale, if it has one."""
        return next((item for item in self.accessories if item.is_scale), None)


@dataclass(frozen=True, slots=True)
class Thing:
    """One thing of ``/things`` (or the thing fields of a dashboard).

    ``model`` is None for a model this library does not know; ``supported`` is False for
    every thing the integration shows with model and firmware only. The serial number and
    the Bluetooth token are left out of ``repr`` so they never reach a log line.
    """

    serial_number: str = field(repr=False)
    thing_type: ThingType
    name: str
    model: ModelCode | None
    model_name: str
    connected: bool
    offline_mode: bool
    ble_auth_token_present: bool
    model_code: str | None = None
    ble_auth_token: str | None = field(default=None, repr=False)
    connection_date_ms: int | None = None
    require_firmware_update: bool = False
    available_firmware_update: bool = False
    shot_counter_supported: bool = False
    coffee_station: CoffeeStation | None = None

    @property
    def supported(self) -> bool:
        """Whether the integration offers this thing's controls."""
        return self.model in SUPPORTED_MODELS

    @property
    def is_coffee_machine(self) -> bool:
        """Whether this is a coffee machine (only those have scheduling)."""
        return self.thing_type is ThingType.COFFEE_MACHINE


def _member[E: StrEnum](kind: type[E], value: str | None, fallback: E) -> E:
    for member in kind:
        if member.value == value:
            return member
    return fallback


def _soft[T](read: Callable[[], T], fallback: T) -> T:
    """An optional field's value, or ``fallback`` when it has an odd shape."""
    try:
        return read()
    except ProtocolError:
        return fallback


def _serial_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value if 0 < len(value) <= 64 else None
    if isinstance(value, Mapping):
        return _soft(lambda: Reader(value, "station thing").opt_text("serialNumber"), None)
    return None


def parse_accessory(data: Any) -> Accessory:
    """One accessory of a coffee station; ProtocolError when it has no type."""
    item = Reader(data, "accessory")
    return Accessory(
        accessory_type=item.text("type"),
        name=_soft(lambda: item.opt_text("name"), None),
        connected=_soft(lambda: item.opt_flag("connected"), False),
        battery_level=_soft(lambda: item.opt_number("batteryLevel", 0, 100), None),
    )


def parse_coffee_station(data: Any) -> CoffeeStation | None:
    """``coffeeStation``: None when absent or not an object; odd parts are left out."""
    if not isinstance(data, Mapping):
        return None
    station = Reader(data, "coffeeStation")
    empty: list[Any] = []
    grinders = _soft(lambda: station.items("grinders", optional=True), empty)
    accessories = []
    for item in _soft(lambda: station.items("accessories", optional=True), empty):
        with contextlib.suppress(ProtocolError):
            accessories.append(parse_accessory(item))
    return CoffeeStation(
        machine_serial=_serial_of(data.get("machine")),
        grinder_serials=tuple(s for s in map(_serial_of, grinders) if s is not None),
        accessories=tuple(accessories),
    )


def parse_thing(data: Any) -> Thing:
    """A thing from ``/things`` or a dashboard; ProtocolError only without a serial number.

    Every other field is optional: an odd value falls back to "unknown", never an error.
    """
    thing = Reader(data, "thing")
    serial = thing.text("serialNumber")
    thing_type = _member(ThingType, _soft(lambda: thing.opt_text("type"), None), ThingType.OTHER)
    model_code = _soft(lambda: thing.opt_text("modelCode"), None)
    model_name = _soft(lambda: thing.opt_text("modelName"), None) or model_code or "unknown"
    token = _soft(lambda: thing.opt_text("bleAuthToken"), None)
    return Thing(
        serial_number=serial,
        thing_type=thing_type,
        name=_soft(lambda: thing.opt_text("name"), None) or model_name,
        model=model_from(model_code, model_name),
        model_name=model_name,
        connected=_soft(lambda: thing.opt_flag("connected"), False),
        offline_mode=_soft(lambda: thing.opt_flag("offlineMode"), False),
        ble_auth_token_present=token is not None,
        model_code=model_code,
        ble_auth_token=token,
        connection_date_ms=_soft(lambda: thing.opt_epoch_ms("connectionDate"), None),
        require_firmware_update=_soft(lambda: thing.opt_flag("requireFirmwareUpdate"), False),
        available_firmware_update=_soft(lambda: thing.opt_flag("availableFirmwareUpdate"), False),
        shot_counter_supported=_soft(lambda: thing.opt_flag("shotCounterSupported"), False),
        coffee_station=parse_coffee_station(thing.raw.get("coffeeStation")),
    )


def parse_things(data: Any) -> tuple[Thing, ...]:
    """The reply of ``GET /things``; an entry without a serial number is left out."""
    if not isinstance(data, list):
        raise ProtocolError("things reply is not a list")
    things = []
    for item in data:
        try:
            things.append(parse_thing(item))
        except ProtocolError:
            _LOGGER.debug("Left out a La Marzocco thing that could not be read")
    return tuple(things)


class FirmwareType(StrEnum):
    """Which part a firmware runs on."""

    GATEWAY = "Gateway"
    MACHINE = "Machine"
    FILE = "File"
    OTHER = "Other"


@dataclass(frozen=True, slots=True)
class Firmware:
    """One entry of the settings' ``actualFirmwares``."""

    firmware_type: FirmwareType
    version: str
    status: str | None
    available_version: str | None
    changelog: str | None = None
    available_changelog: str | None = None

    @property
    def update_available(self) -> bool:
        """Whether a newer build than the installed one is offered."""
        return self.available_version is not None and self.available_version != self.version


def parse_firmwares(data: Any) -> tuple[Firmware, ...]:
    """The ``actualFirmwares`` list of ``/things/{sn}/settings``."""
    if not isinstance(data, list):
        raise ProtocolError("actualFirmwares is not a list")
    firmwares = []
    for item in data:
        entry = Reader(item, "firmware")
        update = entry.opt_obj("availableUpdate")
        firmwares.append(
            Firmware(
                firmware_type=_member(FirmwareType, entry.text("type"), FirmwareType.OTHER),
                version=entry.text("buildVersion"),
                status=entry.opt_text("status"),
                available_version=update.opt_text("buildVersion") if update else None,
                changelog=_changelog(entry),
                available_changelog=_changelog(update) if update else None,
            )
        )
    return tuple(firmwares)


def _changelog(entry: Reader) -> str | None:
    # Release notes can be long; they are shown, never interpreted.
    value = entry.raw.get("changeLog")
    return value[:_MAX_CHANGELOG] if isinstance(value, str) and value else None
