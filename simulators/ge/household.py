"""A simulated GE SmartHQ household: appliances whose raw ERDs behave like real ones.

Pure, deterministic and synchronous: the simulator's server calls write() for client
writes, tick() to let time pass, and relays what subscribers receive as publish#erd pushes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
import math
import re

from custom_components.kitchen_connect.kitchenlib.errors import InvalidValueError

from .. import secrets_ledger
from .appliances import ApplianceModel, ErdStore, model_for

ErdListener = Callable[[str, int, str], None]

_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")
_MAC = re.compile(r"[0-9A-F]{12}")
_SERIAL = 0x0002
_MAX_STEP_SECONDS = 60.0
_MAX_STEPS_PER_TICK = 1000


@dataclass
class SimAppliance:
    """One appliance as the cloud lists it, with its ERD cache (code → upper-case hex)."""

    mac: str
    nickname: str
    label: str
    brand: str
    online: bool = True
    erds: dict[int, str] = field(default_factory=dict)


class Household:
    """The appliances of one SmartHQ account and how they react to writes and time.

    Offline appliances ignore writes and stand still. Every ERD change is published to the
    subscribers as (MAC, code, new hex), and only when the value really changed.
    """

    def __init__(self, appliances: Iterable[SimAppliance] = ()) -> None:
        """Start with the given appliances."""
        self.appliances: dict[str, SimAppliance] = {}
        self.write_log: list[tuple[str, int, str]] = []
        self._listeners: list[ErdListener] = []
        self._models: dict[str, tuple[SimAppliance, ApplianceModel]] = {}
        for appliance in appliances:
            self.add_appliance(appliance)

    def subscribe(self, callback: ErdListener) -> Callable[[], None]:
        """Call `callback(mac, code, raw)` on every ERD change; returns an unsubscribe."""
        self._listeners.append(callback)

        def unsubscribe() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return unsubscribe

    def add_appliance(self, appliance: SimAppliance) -> None:
        """Add (or replace) an appliance; its MAC and hex values are normalised to upper case."""
        mac = appliance.mac.upper()
        if not _MAC.fullmatch(mac):
            raise InvalidValueError(f"not a 12-digit hex MAC: {appliance.mac!r}")
        for code, value in appliance.erds.items():
            _check_erd(code, value)
        appliance.mac = mac
        appliance.erds = {code: value.upper() for code, value in appliance.erds.items()}
        _record_identity(appliance)
        self.appliances[mac] = appliance
        self._models.pop(mac, None)

    def remove_appliance(self, mac: str) -> None:
        """Forget an appliance; unknown MACs are ignored."""
        self.appliances.pop(mac.upper(), None)
        self._models.pop(mac.upper(), None)

    def write(self, mac: str, code: int, raw: str) -> None:
        """Apply a client's ERD write as the appliance would; refused writes change nothing.

        Every write is recorded in `write_log` as received, accepted or not.
        """
        self.write_log.append((mac, code, raw))
        appliance = self.appliances.get(mac.upper())
        if appliance is None or not appliance.online or not _HEX.fullmatch(raw):
            return
        data = bytes.fromhex(raw)
        model = self._model(appliance)
        current = appliance.erds.get(code)
        if code not in model.writable or current is None or len(current) != len(raw):
            return
        model.write(code, data)

    def tick(self, seconds: float) -> None:
        """Let `seconds` of simulated time pass for every online appliance."""
        if not math.isfinite(seconds) or seconds <= 0:
            return
        # Small steps let long ticks pass through every intermediate stage; the step count
        # is capped so that even a huge jump stays cheap.
        step = max(_MAX_STEP_SECONDS, seconds / _MAX_STEPS_PER_TICK)
        remaining = seconds
        while remaining > 0:
            this_step = min(step, remaining)
            remaining -= this_step
            for appliance in list(self.appliances.values()):
                if appliance.online:
                    self._model(appliance).tick(this_step)

    def set_erd(self, mac: str, code: int, raw: str) -> None:
        """Test hook: set an ERD as if the appliance changed it locally, and publish it."""
        appliance = self.appliances.get(mac.upper())
        if appliance is None:
            raise InvalidValueError(f"no appliance {mac!r}")
        _check_erd(code, raw)
        self._store(appliance, code, raw.upper())

    def _model(self, appliance: SimAppliance) -> ApplianceModel:
        entry = self._models.get(appliance.mac)
        if entry is None or entry[0] is not appliance:

            def read(code: int) -> str | None:
                return appliance.erds.get(code)

            def store(code: int, raw: str) -> None:
                self._store(appliance, code, raw)

            entry = (appliance, model_for(ErdStore(read, store)))
            self._models[appliance.mac] = entry
        return entry[1]

    def _store(self, appliance: SimAppliance, code: int, raw: str) -> None:
        if appliance.erds.get(code) == raw:
            return
        appliance.erds[code] = raw
        for listener in list(self._listeners):
            listener(appliance.mac, code, raw)


def _check_erd(code: int, value: str) -> None:
    if not 0 <= code <= 0xFFFF:
        raise InvalidValueError(f"ERD code out of range: {code}")
    if value and not _HEX.fullmatch(value):
        raise InvalidValueError(f"ERD 0x{code:04X} value is not hex")


# --- The default household -------------------------------------------------------------------

_GE, _PROFILE, _CAFE, _UNKNOWN = "05", "06", "07", "00"


def _text(text: str, size: int = 32) -> str:
    """A model/serial style field: length byte, ASCII, zero padding."""
    return (bytes([len(text)]) + text.encode("ascii")).ljust(size, b"\0").hex().upper()


def _record_identity(appliance: SimAppliance) -> None:
    mac = appliance.mac
    secrets_ledger.record(
        "GE appliance id (MAC)", mac, ":".join(mac[i : i + 2] for i in range(0, len(mac), 2))
    )
    raw = appliance.erds.get(_SERIAL)
    if raw is not None:
        field = bytes.fromhex(raw)
        serial = field[1 : 1 + field[0]] if field else b""
        secrets_ledger.record("GE serial number", raw, serial)


def _bits(*positions: int, size: int) -> str:
    """A big-endian bitfield with the given bits (numbered from the least significant) set."""
    return sum(1 << bit for bit in positions).to_bytes(size, "big").hex().upper()


def _identity(
    model: str, serial: str, kind: int, brand: str, firmware: str, *, units: str = "00"
) -> dict[int, str]:
    return {
        0x0001: _text(model),
        0x0002: _text(serial),
        0x0007: units,
        0x0008: f"{kind:02X}",
        0x0099: brand,
        0x0100: firmware,
    }


def _oven_cavity(
    base: int, remote: bool, modes: Iterable[int], extended: Iterable[int]
) -> dict[int, str]:
    return {
        base + 0x00: "00" * 13,  # cook mode: off
        base + 0x01: "00",  # current state: no mode
        base + 0x02: "0000",  # delay time remaining
        base + 0x03: "0000",  # probe temperature
        base + 0x04: "FFFF",  # cook time remaining: none
        base + 0x05: "0000",  # kitchen timer
        base + 0x06: "00",  # user temperature offset
        base + 0x07: "00",  # probe present
        base + 0x08: "0000",  # elapsed cook time
        base + 0x09: "004B",  # display temperature 75 °F
        base + 0x0A: "01" if remote else "00",
        base + 0x0B: _bits(*modes, size=10),
        base + 0x0D: "004B",  # raw cavity temperature
        base + 0x11: "00",  # light off
        base + 0x12: "07",  # light levels off/high/dim available
        base + 0x13: _bits(*extended, size=22),
    }


def _oven() -> SimAppliance:
    # Bit n = cook-mode byte n: bake, broil low/high, proof, warm, convection bake,
    # multi-bake, roast, convection broil low/high/crisp, frozen snacks, frozen pizza,
    # baked goods; extended: air fry.
    upper = (1, 11, 12, 13, 15, 18, 27, 36, 45, 46, 47, 56, 58, 60)
    lower = (1, 11, 12, 13, 15)
    erds = _identity("JTD5000SNSS", "ZA512345", 0x07, _GE, "00020C0A")
    erds |= {
        0x5007: "0898",  # lower oven, its kitchen timer, scan-to-cook, extended modes
        0x5008: "022600AA",  # 170-550 °F
        **_oven_cavity(0x5100, remote=True, modes=upper, extended=(158,)),
        **_oven_cavity(0x5200, remote=False, modes=lower, extended=()),
    }
    return SimAppliance("D828C9A10701", "Kitchen Oven", "Oven", "GE", erds=erds)


def _fridge() -> SimAppliance:
    erds = _identity("CVE28DP2NS1", "ZS408812", 0x03, _CAFE, "00020E05")
    erds |= {
        0x1004: "2602",  # showing 38 °F / 2 °F, settling to the setpoints
        0x1005: "2500",  # 37 °F / 0 °F
        0x100B: "2126F807",  # fridge 33-38 °F, freezer -8-7 °F
        0x1016: "00000000",  # all doors and the convertible drawer closed
        0x1007: "0B",  # both ice makers present, freezer bucket full
        0x100A: "0101",  # both ice makers on
        0x100D: "00",  # quick ice
        0x100E: "00",  # turbo freeze
        0x100F: "00",  # turbo cool
        0x1009: "000050007800000000",  # filter good, 80 %, 120 days left
        0x101C: "00",  # air filter good
        0x1010: "020000BE010101",  # hot water ready at 190 °F, tank full, pod ready
        0x1011: "BE",  # hot water set to 190 °F
        0x1018: "00",  # hot water available
        0x101D: "070000",  # quad-door with convertible drawer
        0x1020: "03",  # convertible drawer position 3 (meat)
        0x1024: "64",  # interior light 100 %
        0x102C: "00",  # lockout off
    }
    return SimAppliance("D828C9A10302", "Fridge", "Refrigerator", "Cafe", erds=erds)


def _dishwasher() -> SimAppliance:
    erds = _identity("PDT715SYNFS", "ZD200417", 0x06, _PROFILE, "00020B03")
    names = b"Normal".ljust(20, b"\0").hex().upper()
    erds |= {
        0x3001: "02",  # standby
        0x300E: "11",  # cycle inactive
        0x301C: names,
        0xD004: "0000",
        0x3003: "00",  # no reminders
        0x3007: "008084",  # normal cycle, Wi-Fi enabled, rinse-aid option on
        0x3008: "0000",  # no error
        0x3009: "001200100003",  # 18 started, 16 completed, 3 resets
        0x301F: "0014",  # 20 pods
        0x3037: "01",  # door closed
        0x3038: "00",  # rinse aid not empty
        0x3087: "01",  # remote start enabled
        0x3204: "00",
        0xD003: "00",
    }
    return SimAppliance("D828C9A10603", "Dishwasher", "Dishwasher", "Profile", erds=erds)


def _laundry_common(
    state: str, sub_cycle: str, seconds_left: str, delay: str, cycle: str
) -> dict[int, str]:
    return {
        0x2000: state,
        0x2001: sub_cycle,
        0x2002: "00",  # not end of cycle
        0x2007: seconds_left,
        0x2010: delay,
        0x200A: cycle,
        0x2012: "01",  # door closed
        0x2013: "00",  # unlocked
        0x2038: "FFFF",  # no pending delay-start request
        0x2039: "01",  # remote control enabled
        0x2040: "FF",  # no pending stop request
    }


def _washer() -> SimAppliance:
    erds = _identity("GFW850SPNRS", "ZW310288", 0x02, _GE, "00020A11")
    # Waiting in delay run: 60 minutes to go before a 50-minute normal cycle.
    erds |= _laundry_common("06", "00", "0BB8", "003C", "08")
    erds |= {
        0x2015: "02",  # soil normal
        0x2016: "11",  # cold
        0x2017: "03",  # spin high
        0x2018: "00",  # no extra rinse
        0x203C: "02",  # detergent tank filled
        0x203D: "1401",  # about 20 loads of detergent left
    }
    return SimAppliance("D828C9A10204", "Washer", "Clothes Washer", "GE", erds=erds)


def _dryer() -> SimAppliance:
    erds = _identity("GFD85ESPNRS", "ZW310289", 0x01, _GE, "00020A11")
    # Drying, 40 minutes left of a 55-minute auto-dry cycle.
    erds |= _laundry_common("02", "80", "0960", "0000", "91")
    erds |= {
        0x204D: "03",  # dry
        0x2050: "04",  # medium heat
        0x206F: "00",  # vent clear
    }
    return SimAppliance("D828C9A10105", "Dryer", "Clothes Dryer", "GE", erds=erds)


def _coffee_brewer() -> SimAppliance:
    erds = _identity("C7CDAAS2PS3", "ZC118052", 0x1A, _CAFE, "00010703")
    erds |= {
        0x9000: "00",  # not brewing
        0x9001: "C8",  # last brew 200 °F
        0x9002: "B9CD",  # 185-205 °F
        0x9006: "04",  # 4 cups
        0x9007: "010A",  # 1-10 cups
        0x9008: "02",  # medium
        0x900B: "02C804",  # last start-brew request
        0x900C: "00",
        0x9012: "01",  # pot present
        0x9013: "00",  # water in the tank
        0x9014: "48",  # outlet at room temperature, 72 °F
        0x9015: "0000",
        0x9019: "00",  # not descaling
        0x901A: "00",
        0x901B: "00",
    }
    return SimAppliance("D828C9A11A06", "Coffee Maker", "Coffee Maker", "Cafe", erds=erds)


def _espresso_maker() -> SimAppliance:
    erds = _identity("C7CEBBS4RS3", "ZC220931", 0x21, _CAFE, "00010902")
    erds |= {
        0x9013: "00",  # water in the tank
        0x9019: "00",  # not descaling
        0x901A: "00",
        0x901B: "00",
        0x9030: "01",  # descale needed
        0x9047: "00",  # not making espresso
    }
    return SimAppliance("D828C9A12107", "Espresso Maker", "Espresso Maker", "Cafe", erds=erds)


def _water_heater() -> SimAppliance:
    erds = _identity("GEH50DFEJSR", "ZH093317", 0x00, _GE, "00000B27")
    erds |= {
        0x4020: "00",  # hybrid
        0x4024: "04B0",  # setpoint 120.0 °F
        0x4026: "0480",  # tank 115.2 °F, still heating
        0x4028: "0000",  # no timed mode running
        0x4040: "1F",  # all five modes available
        0x4047: "03E80578",  # 100.0-140.0 °F
        0x4220: "00",  # boost off
        0x4221: "00",
        0x4225: "01",  # active
        0x4226: "01",
        0x40D0: "2A",  # 42 gallons of hot water
        0x40C2: "5A",  # anode 90 %
    }
    return SimAppliance("D828C9A10008", "Water Heater", "Whole Home Water Heater", "GE", erds=erds)


def _window_ac() -> SimAppliance:
    erds = _identity("AHEK10AC", "ZR501146", 0x0A, _GE, "00000620")
    erds |= {
        0x7002: "0044",  # heat to 68 °F
        0x7003: "0048",  # cool to 72 °F
        0x7A00: "01",  # fan auto
        0x7A01: "00",  # cool
        0x7A02: "4D",  # room at 77 °F
        0x7A04: "00",  # filter clean
        0x7A0F: "00",  # off
        0x7B00: "C7",  # heat, dry, energy saver, cool, fan only
        0x7B0B: "0F",  # auto, high, medium, low
        0x7B06: "4056",  # 64-86 °F
    }
    return SimAppliance("D828C9A10A09", "Bedroom AC", "Window AC", "GE", erds=erds)


def _portable_ac() -> SimAppliance:
    # The panel shows Celsius, yet the wire carries °F (as real portable units do).
    erds = _identity("APWA12YZBW", "ZR600212", 0x16, _UNKNOWN, "00000B27", units="01")
    erds |= {
        0x7003: "0046",  # cool to 70 °F
        0x7A00: "02",  # fan low
        0x7A01: "00",  # cool
        0x7A02: "4D",  # room at 77 °F
        0x7A04: "00",
        0x7A0F: "01",  # running
        0x7B00: "C2",  # dry, cool, fan only
        0x7B0B: "0E",  # high, medium, low
        0x7B06: "4056",
    }
    return SimAppliance("D828C9A1160A", "Office AC", "Portable AC", "Unknown", erds=erds)


def default_household() -> Household:
    """Ten appliances, one of each supported kind, in a plausible everyday state."""
    return Household(
        [
            _oven(),
            _fridge(),
            _dishwasher(),
            _washer(),
            _dryer(),
            _coffee_brewer(),
            _espresso_maker(),
            _water_heater(),
            _window_ac(),
            _portable_ac(),
        ]
    )
