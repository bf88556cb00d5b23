"""How each simulated GE appliance type reacts to client writes and to passing time.

A model sees its appliance only through ErdStore, which reads raw ERD bytes and never changes
an ERD's length, so whatever a model does the household stays well-formed. Layouts follow
GE's public ERD dictionary (°F on the wire, tenths of °F for the water heater).
"""

from __future__ import annotations

from collections.abc import Callable
import math
import struct
from typing import ClassVar

DISPLAY_UNITS = 0x0007
APPLIANCE_TYPE = 0x0008

_MINUTE = 60.0
_HOUR = 3600.0


class ErdStore:
    """Typed reads and length-preserving writes of one appliance's ERD values."""

    def __init__(
        self, read: Callable[[int], str | None], store: Callable[[int, str], None]
    ) -> None:
        """Wrap a lookup of the current hex value and a sink that stores and publishes."""
        self._read = read
        self._store = store

    def has(self, code: int) -> bool:
        """Whether the appliance reports this ERD at all."""
        return self._read(code) is not None

    def raw(self, code: int) -> bytes:
        """The ERD's bytes; empty when the ERD is absent."""
        value = self._read(code)
        return bytes.fromhex(value) if value else b""

    def uint(self, code: int, offset: int = 0, size: int = 1, default: int = 0) -> int:
        """A big-endian unsigned field, or `default` when the ERD is too short for it."""
        chunk = self.raw(code)[offset : offset + size]
        return int.from_bytes(chunk, "big") if len(chunk) == size else default

    def sint(self, code: int, offset: int = 0, size: int = 1, default: int = 0) -> int:
        """A big-endian two's-complement field, or `default` when the ERD is too short."""
        chunk = self.raw(code)[offset : offset + size]
        return int.from_bytes(chunk, "big", signed=True) if len(chunk) == size else default

    def replace(self, code: int, data: bytes) -> None:
        """Store a whole new value; ignored unless it has the ERD's current length."""
        if self.has(code) and len(data) == len(self.raw(code)):
            self._store(code, data.hex().upper())

    def patch(self, code: int, offset: int, chunk: bytes) -> None:
        """Overwrite bytes inside the ERD; ignored when they would not fit."""
        data = self.raw(code)
        if offset >= 0 and offset + len(chunk) <= len(data):
            self.replace(code, data[:offset] + chunk + data[offset + len(chunk) :])

    def put_uint(self, code: int, value: int, offset: int = 0, size: int = 1) -> None:
        """Write an unsigned field, clamped to what its width can hold."""
        value = min(max(value, 0), (1 << (8 * size)) - 1)
        self.patch(code, offset, value.to_bytes(size, "big"))

    def put_sint(self, code: int, value: int, offset: int = 0, size: int = 1) -> None:
        """Write a signed field, clamped to what its width can hold."""
        half = 1 << (8 * size - 1)
        value = min(max(value, -half), half - 1)
        self.patch(code, offset, value.to_bytes(size, "big", signed=True))


class ApplianceModel:
    """An appliance with only the common ERDs; it accepts a display-unit change."""

    writable: ClassVar[frozenset[int]] = frozenset({DISPLAY_UNITS})

    def __init__(self, erds: ErdStore) -> None:
        """Attach the model to one appliance's ERDs."""
        self.erds = erds
        self._carry: dict[str, float] = {}
        self._precise: dict[tuple[int, int], float] = {}

    def write(self, code: int, data: bytes) -> None:
        """Apply a client write to a writable ERD whose length already matches."""
        if code == DISPLAY_UNITS and data[0] in (0, 1):
            self.erds.replace(code, data)

    def tick(self, seconds: float) -> None:
        """Advance simulated time by `seconds` (positive and finite)."""

    def _periods(self, key: str, seconds: float, period: float = _MINUTE) -> int:
        """How many whole periods the timer `key` completed; the rest carries over."""
        carried = self._carry.get(key, 0.0) + seconds
        count = int(carried // period)
        self._carry[key] = carried - count * period
        return count

    def _restart(self, key: str) -> None:
        self._carry.pop(key, None)

    def _drift(self, key: tuple[int, int], current: int, goal: float, step: float) -> int:
        """Move a reading `step` towards `goal`, keeping sub-unit progress between ticks."""
        precise = self._precise.get(key)
        # A reading changed from outside (or first seen) restarts from its shown value.
        if precise is None or round(precise) != current:
            precise = float(current)
        precise = min(goal, precise + step) if precise < goal else max(goal, precise - step)
        self._precise[key] = precise
        return round(precise)


# --- Ovens (upper cavity 0x51xx, lower 0x52xx) ---------------------------------------------

_UPPER, _LOWER = 0x5100, 0x5200
# Low byte of each cavity ERD (0x51xx upper, 0x52xx lower).
_COOK_MODE, _STATE, _COOK_LEFT, _TIMER, _OFFSET = 0x00, 0x01, 0x04, 0x05, 0x06
_ELAPSED, _DISPLAY_TEMP, _REMOTE, _MODES = 0x08, 0x09, 0x0A, 0x0B
_RAW_TEMP, _LIGHT, _EXT_MODES = 0x0D, 0x11, 0x13
OVEN_LIMITS = 0x5008
_NO_TIME = 0xFFFF
_KITCHEN_ROOM_F = 75
_OVEN_HEAT_RATE = {_DISPLAY_TEMP: 25.0, _RAW_TEMP: 22.0}  # °F per minute; raw lags display
_OVEN_COOL_RATE = 6.0
_KITCHEN_TIMER_MAX = 719  # 11 h 59 min

# Remotely startable cook-mode byte → (current state while preheating, state once hot).
# Broil, warm and proof are advertised but, as on many real ovens, not startable remotely.
OVEN_MODES: dict[int, tuple[int, int]] = {
    1: (1, 5),  # bake
    18: (2, 7),  # convection bake
    27: (3, 9),  # convection multi-bake
    36: (4, 11),  # convection roast
    56: (35, 34),  # frozen snacks
    58: (37, 36),  # frozen pizza
    60: (43, 42),  # baked goods
    158: (91, 90),  # air fry (extended modes)
}


class Oven(ApplianceModel):
    """A wall oven or range: remote cook modes with preheat, timers, light and offset."""

    writable = ApplianceModel.writable | frozenset(
        base + reg for base in (_UPPER, _LOWER) for reg in (_COOK_MODE, _TIMER, _OFFSET, _LIGHT)
    )

    def write(self, code: int, data: bytes) -> None:
        """Start or stop a cook mode, set the kitchen timer, offset or light."""
        base, reg = code & 0xFF00, code & 0xFF
        if base not in (_UPPER, _LOWER):
            super().write(code, data)
        elif reg == _COOK_MODE:
            self._set_cook_mode(base, data)
        elif reg == _TIMER:
            if int.from_bytes(data, "big") <= _KITCHEN_TIMER_MAX:
                self.erds.replace(code, data)
                self._restart(f"timer{base}")
        elif reg == _OFFSET:
            if abs(int.from_bytes(data, "big", signed=True)) <= 35:
                self.erds.replace(code, data)
        elif data[0] <= 2:  # light: off, high, dim
            self.erds.replace(code, data)

    def _offers(self, base: int, mode: int) -> bool:
        # Bit n of the big-endian bitfield stands for cook-mode byte n.
        if mode < 80:
            bits = self.erds.raw(base + _MODES)
            return (mode == 1 and not bits) or bool(int.from_bytes(bits, "big") >> mode & 1)
        return bool(int.from_bytes(self.erds.raw(base + _EXT_MODES), "big") >> mode & 1)

    def _set_cook_mode(self, base: int, data: bytes) -> None:
        if self.erds.uint(base + _REMOTE) != 1:
            return
        if not any(data):
            self._turn_off(base)
            return
        states = OVEN_MODES.get(data[0])
        if states is None or not self._offers(base, data[0]):
            return
        temperature = int.from_bytes(data[1:3], "big")
        maximum = self.erds.uint(OVEN_LIMITS, 0, 2, 550)
        minimum = self.erds.uint(OVEN_LIMITS, 2, 2, 170)
        hours, minutes = data[3], data[4]  # GE's layout: cook time as hours + minutes bytes
        if not minimum <= temperature <= maximum or minutes >= 60:
            return
        already_hot = self.erds.sint(base + _DISPLAY_TEMP, 0, 2) >= temperature
        self.erds.replace(base + _COOK_MODE, data)
        self.erds.put_uint(base + _STATE, states[1] if already_hot else states[0])
        self.erds.put_uint(base + _COOK_LEFT, hours * 60 + minutes or _NO_TIME, size=2)
        self.erds.put_uint(base + _ELAPSED, 0, size=2)
        self._restart(f"cook{base}")

    def _turn_off(self, base: int) -> None:
        self.erds.replace(base + _COOK_MODE, bytes(len(self.erds.raw(base + _COOK_MODE))))
        self.erds.put_uint(base + _STATE, 0)
        self.erds.put_uint(base + _COOK_LEFT, _NO_TIME, size=2)
        self.erds.put_uint(base + _ELAPSED, 0, size=2)
        self._restart(f"cook{base}")

    def tick(self, seconds: float) -> None:
        """Heat or cool each cavity, finish preheat, count cook time and kitchen timers."""
        for base in (_UPPER, _LOWER):
            if self.erds.has(base + _COOK_MODE):
                self._tick_cavity(base, seconds)
            self._tick_kitchen_timer(base, seconds)

    def _tick_cavity(self, base: int, seconds: float) -> None:
        mode = self.erds.uint(base + _COOK_MODE)
        set_temperature = self.erds.uint(base + _COOK_MODE, 1, 2)
        goal = set_temperature if mode else _KITCHEN_ROOM_F
        for reg, heat_rate in _OVEN_HEAT_RATE.items():
            current = self.erds.sint(base + reg, 0, 2)
            rate = heat_rate if current < goal else _OVEN_COOL_RATE
            shown = self._drift((base + reg, 0), current, goal, rate * seconds / _MINUTE)
            self.erds.put_sint(base + reg, shown, size=2)
        states = OVEN_MODES.get(mode)
        hot = self.erds.sint(base + _DISPLAY_TEMP, 0, 2) >= goal
        if states and hot and self.erds.uint(base + _STATE) == states[0]:  # preheat done
            self.erds.put_uint(base + _STATE, states[1])
        if not mode:
            return
        passed = self._periods(f"cook{base}", seconds)
        if not passed:
            return
        elapsed = self.erds.uint(base + _ELAPSED, 0, 2)
        self.erds.put_uint(base + _ELAPSED, elapsed + passed, size=2)
        left = self.erds.uint(base + _COOK_LEFT, 0, 2, _NO_TIME)
        if left != _NO_TIME:
            if left <= passed:  # timed cook finished: the oven shuts off
                self._turn_off(base)
            else:
                self.erds.put_uint(base + _COOK_LEFT, left - passed, size=2)

    def _tick_kitchen_timer(self, base: int, seconds: float) -> None:
        key = f"timer{base}"
        remaining = self.erds.uint(base + _TIMER, 0, 2)
        if not remaining:
            self._restart(key)
            return
        passed = self._periods(key, seconds)
        if passed:
            self.erds.put_uint(base + _TIMER, remaining - passed, size=2)


# --- Refrigerators ---------------------------------------------------------------------------

FRIDGE_DISPLAY, FRIDGE_SETPOINTS, FRIDGE_LIMITS, FRIDGE_DOORS = 0x1004, 0x1005, 0x100B, 0x1016
ICE_MAKERS, QUICK_ICE, TURBO_FREEZE, TURBO_COOL = 0x100A, 0x100D, 0x100E, 0x100F
HOT_WATER_STATUS, HOT_WATER_SET = 0x1010, 0x1011
CONVERTIBLE_DRAWER, INTERIOR_LIGHT, LOCKOUT = 0x1020, 0x1024, 0x102C
_NOT_EQUIPPED = 0xFF
_FRIDGE_DEFAULT_LIMITS = (32, 46, -6, 7)
_COOLING_RATE = 0.1  # °F per minute with the door shut
_WARMING_RATE = 0.5  # °F per minute with the door open
_TURBO_FACTOR = 3.0
_HOT_WATER_RANGE = (90, 190)
_HOT_WATER_HEAT_RATE, _HOT_WATER_COOL_RATE = 3.0, 0.5
_HOT_WATER_READY_MARGIN = 2
_FRIDGE_INSIDE_F = 40.0


class Refrigerator(ApplianceModel):
    """A fridge/freezer whose compartments approach their setpoints; K-cup hot water."""

    writable = ApplianceModel.writable | frozenset(
        {
            FRIDGE_SETPOINTS,
            ICE_MAKERS,
            QUICK_ICE,
            TURBO_FREEZE,
            TURBO_COOL,
            HOT_WATER_SET,
            CONVERTIBLE_DRAWER,
            INTERIOR_LIGHT,
            LOCKOUT,
        }
    )

    def write(self, code: int, data: bytes) -> None:
        """Change setpoints (within limits), switches, hot water, drawer mode or light."""
        current = self.erds.raw(code)
        equipped = _NOT_EQUIPPED not in current
        match code:
            case 0x1005:
                accepted = self._within_limits(data)
            case 0x100A:
                # Each ice maker switches on/off; an absent one (FF) must stay FF.
                accepted = all(
                    new == old if old == _NOT_EQUIPPED else new in (0, 1)
                    for old, new in zip(current, data, strict=True)
                )
            case 0x100D | 0x100E | 0x100F | 0x102C:
                accepted = equipped and data[0] in (0, 1)
            case 0x1011:
                low, high = _HOT_WATER_RANGE
                accepted = data[0] == 0 or low <= data[0] <= high
            case 0x1020:
                accepted = equipped and 1 <= data[0] <= 7
            case 0x1024:
                accepted = data[0] <= 100
            case _:
                super().write(code, data)
                return
        if accepted:
            self.erds.replace(code, data)

    def _within_limits(self, data: bytes) -> bool:
        fridge, freezer = struct.unpack(">2b", data)
        raw = self.erds.raw(FRIDGE_LIMITS)
        limits = struct.unpack(">4b", raw) if len(raw) == 4 else _FRIDGE_DEFAULT_LIMITS
        low_f, high_f, low_z, high_z = limits
        return bool(low_f <= fridge <= high_f and low_z <= freezer <= high_z)

    def tick(self, seconds: float) -> None:
        """Move displayed temperatures towards the setpoints (or up with a door open)."""
        minutes = seconds / _MINUTE
        doors = self.erds.raw(FRIDGE_DOORS)
        compartments = (
            (1 in doors[0:2], TURBO_COOL, 55),
            (doors[2:3] == b"\x01", TURBO_FREEZE, 32),
        )
        shown = bytearray(self.erds.raw(FRIDGE_DISPLAY))
        for index, (door_open, turbo, warm_goal) in enumerate(compartments[: len(shown)]):
            current = self.erds.sint(FRIDGE_DISPLAY, index)
            if door_open:
                goal, rate = float(warm_goal), _WARMING_RATE
            else:
                goal = float(self.erds.sint(FRIDGE_SETPOINTS, index, default=current))
                boost = _TURBO_FACTOR if self.erds.uint(turbo) == 1 else 1.0
                rate = _COOLING_RATE * boost
            reading = self._drift((FRIDGE_DISPLAY, index), current, goal, rate * minutes)
            shown[index] = reading & 0xFF  # i8 on the wire
        self.erds.replace(FRIDGE_DISPLAY, bytes(shown))
        self._tick_hot_water(minutes)

    def _tick_hot_water(self, minutes: float) -> None:
        status = bytearray(self.erds.raw(HOT_WATER_STATUS))
        if len(status) < 4 or status[0] > 2:  # absent, not applicable or faulted
            return
        wanted = self.erds.uint(HOT_WATER_SET)
        current = status[3]
        goal = float(wanted) if wanted else _FRIDGE_INSIDE_F
        rate = _HOT_WATER_HEAT_RATE if wanted and current < wanted else _HOT_WATER_COOL_RATE
        water = self._drift((HOT_WATER_STATUS, 3), current, goal, rate * minutes)
        if not wanted:
            state, seconds_left = 0, 0  # not heating
        elif water < wanted - _HOT_WATER_READY_MARGIN:
            state = 1  # heating
            seconds_left = math.ceil((wanted - water) / _HOT_WATER_HEAT_RATE * _MINUTE)
        else:
            state, seconds_left = 2, 0  # ready to dispense
        status[0] = state
        status[1:3] = min(seconds_left, 0xFFFF).to_bytes(2, "big")
        status[3] = min(max(water, 0), 0xFF)
        self.erds.replace(HOT_WATER_STATUS, bytes(status))


# --- Dishwashers -----------------------------------------------------------------------------

DW_MODE, DW_CYCLE_STATE, DW_NAMES, DW_TIME_LEFT = 0x3001, 0x300E, 0x301C, 0xD004
DW_REMINDERS, DW_SETTINGS, DW_COUNTS, DW_DOOR = 0x3003, 0x3007, 0x3009, 0x3037
DW_PODS, DW_REMOTE_ENABLED, DW_COMMAND, DW_END_OF_CYCLE = 0x301F, 0x3087, 0x3204, 0xD003
_DW_STANDBY, _DW_DELAY, _DW_PAUSE, _DW_RUN, _DW_END = 2, 3, 4, 5, 6
_DW_STAGE_PAUSE, _DW_INACTIVE, _DW_STAGE_END = 8, 17, 18
_DW_SANITIZED = 0x04
_NAME_SIZE = 10

# Selected-cycle bits of the user settings → (panel name, minutes).
DISHWASHER_CYCLES: dict[int, tuple[str, int]] = {
    0: ("Auto", 130),
    1: ("Intense", 150),
    2: ("Normal", 120),
    3: ("Delicate", 100),
    4: ("30 Minute", 30),
    5: ("Eco", 170),
    6: ("Rinse", 15),
}
# (cycle-state value, active sub-cycle name, share of the cycle)
_DW_STAGES = ((3, "Main Wash", 0.45), (9, "Rinse", 0.25), (4, "Dry", 0.30))
_DW_RINSE_ONLY = ((9, "Rinse", 1.0),)


def _name_field(text: str) -> bytes:
    return text.encode("ascii")[:_NAME_SIZE].ljust(_NAME_SIZE, b"\0")


class Dishwasher(ApplianceModel):
    """A dishwasher started, paused and cancelled remotely through its command ERD."""

    writable = ApplianceModel.writable | frozenset({DW_COMMAND, DW_SETTINGS, DW_PODS})

    def __init__(self, erds: ErdStore) -> None:
        """Attach to the appliance; a cycle already running is picked up on the next tick."""
        super().__init__(erds)
        self._elapsed: float | None = None

    def _cycle(self) -> int:
        return self.erds.uint(DW_SETTINGS, 0, 3) >> 1 & 0x0F

    def _stages(self) -> tuple[tuple[int, str, float], ...]:
        return _DW_RINSE_ONLY if self._cycle() == 6 else _DW_STAGES

    def _total_seconds(self) -> float:
        return DISHWASHER_CYCLES.get(self._cycle(), DISHWASHER_CYCLES[2])[1] * _MINUTE

    def write(self, code: int, data: bytes) -> None:
        """Run a remote command, or change settings or the pod count while idle."""
        mode = self.erds.uint(DW_MODE)
        if code == DW_COMMAND:
            self._command(data[0], mode)
        elif code == DW_SETTINGS:
            cycle = int.from_bytes(data, "big") >> 1 & 0x0F
            if mode not in (_DW_RUN, _DW_PAUSE) and cycle in DISHWASHER_CYCLES:
                self.erds.replace(code, data)
                self.erds.patch(DW_NAMES, 0, _name_field(DISHWASHER_CYCLES[cycle][0]))
        elif code == DW_PODS:
            self.erds.replace(code, data)
        else:
            super().write(code, data)

    def _command(self, command: int, mode: int) -> None:
        if self.erds.uint(DW_REMOTE_ENABLED) != 1:
            return
        if command == 1 and mode == _DW_PAUSE:
            self.erds.put_uint(DW_MODE, _DW_RUN)
            self._show_progress()
        elif command == 1 and mode not in (_DW_RUN, _DW_DELAY) and self.erds.uint(DW_DOOR) == 1:
            self._start()
        elif command == 3 and mode == _DW_RUN:
            self.erds.put_uint(DW_MODE, _DW_PAUSE)
            self.erds.put_uint(DW_CYCLE_STATE, _DW_STAGE_PAUSE)
        elif command == 2 and mode in (_DW_RUN, _DW_PAUSE):
            self._elapsed = None
            self.erds.put_uint(DW_MODE, _DW_STANDBY)
            self.erds.put_uint(DW_CYCLE_STATE, _DW_INACTIVE)
            self.erds.put_uint(DW_TIME_LEFT, 0, size=2)
            self.erds.patch(DW_NAMES, _NAME_SIZE, _name_field(""))

    def _start(self) -> None:
        self._elapsed = 0.0
        self.erds.put_uint(DW_COUNTS, self.erds.uint(DW_COUNTS, 0, 2) + 1, 0, 2)
        pods = self.erds.uint(DW_PODS, 0, 2)
        if pods:
            self.erds.put_uint(DW_PODS, pods - 1, size=2)
        self.erds.put_uint(DW_END_OF_CYCLE, 0)
        self.erds.put_uint(DW_REMINDERS, self.erds.uint(DW_REMINDERS) & ~_DW_SANITIZED)
        self.erds.put_uint(DW_MODE, _DW_RUN)
        self._show_progress()

    def _show_progress(self) -> None:
        elapsed = self._elapsed or 0.0
        total = self._total_seconds()
        state, name = self._stage_at(elapsed, total)
        self.erds.put_uint(DW_CYCLE_STATE, state)
        self.erds.patch(DW_NAMES, _NAME_SIZE, _name_field(name))
        left = math.ceil(max(0.0, total - elapsed) / _MINUTE)
        self.erds.put_uint(DW_TIME_LEFT, left, size=2)

    def _stage_at(self, elapsed: float, total: float) -> tuple[int, str]:
        stages = self._stages()
        stage_end = 0.0
        for state, name, share in stages[:-1]:
            stage_end += share * total
            if elapsed < stage_end:
                return state, name
        return stages[-1][0], stages[-1][1]

    def _finish(self) -> None:
        self._elapsed = None
        self.erds.put_uint(DW_MODE, _DW_END)
        self.erds.put_uint(DW_CYCLE_STATE, _DW_STAGE_END)
        self.erds.put_uint(DW_TIME_LEFT, 0, size=2)
        self.erds.patch(DW_NAMES, _NAME_SIZE, _name_field(""))
        self.erds.put_uint(DW_END_OF_CYCLE, 1)
        self.erds.put_uint(DW_COUNTS, self.erds.uint(DW_COUNTS, 2, 2) + 1, 2, 2)
        wash_temperature = self.erds.uint(DW_SETTINGS, 0, 3) >> 12 & 0x07
        if wash_temperature >= 2:  # sanitize (or boost + sanitize) was selected
            self.erds.put_uint(DW_REMINDERS, self.erds.uint(DW_REMINDERS) | _DW_SANITIZED)

    def tick(self, seconds: float) -> None:
        """Progress a running cycle through its stages and finish it."""
        mode = self.erds.uint(DW_MODE)
        if mode not in (_DW_RUN, _DW_PAUSE):
            self._elapsed = None
            return
        if self._elapsed is None:  # running since before this model saw it
            left = self.erds.uint(DW_TIME_LEFT, 0, 2) * _MINUTE
            self._elapsed = max(0.0, self._total_seconds() - left)
        if mode == _DW_PAUSE:
            return
        self._elapsed += seconds
        if self._elapsed >= self._total_seconds():
            self._finish()
        else:
            self._show_progress()


# --- Washers and dryers ----------------------------------------------------------------------

LAUNDRY_STATE, LAUNDRY_SUB_CYCLE, LAUNDRY_END, LAUNDRY_TIME_LEFT = 0x2000, 0x2001, 0x2002, 0x2007
LAUNDRY_DELAY_LEFT, LAUNDRY_LOCK, LAUNDRY_DELAY_START = 0x2010, 0x2013, 0x2038
LAUNDRY_REMOTE, LAUNDRY_STOP = 0x2039, 0x2040
_IDLE_STANDBY, _RUN, _PAUSE, _END, _DELAY_RUN, _DELAY_PAUSE = 1, 2, 3, 4, 6, 7
_DELAY_MAX_MINUTES = 1440
_PROCESSED_DELAY, _PROCESSED_STOP = b"\xff\xff", b"\xff"


class _Laundry(ApplianceModel):
    """Shared washer/dryer behaviour: delayed start, remote start-now and stop, progress."""

    plan: ClassVar[tuple[tuple[int, int], ...]] = ()  # (sub-cycle, seconds)
    locks_door: ClassVar[bool] = False
    options: ClassVar[dict[int, frozenset[int]]] = {}

    def __init__(self, erds: ErdStore) -> None:
        """Attach to the appliance; a running cycle is picked up on the next tick."""
        super().__init__(erds)
        self._elapsed: float | None = None

    @property
    def _total(self) -> int:
        return sum(seconds for _, seconds in self.plan)

    def write(self, code: int, data: bytes) -> None:
        """Start a delayed cycle now (or re-delay it), stop a cycle, or change options."""
        state = self.erds.uint(LAUNDRY_STATE)
        remote = self.erds.uint(LAUNDRY_REMOTE) == 1
        if code == LAUNDRY_DELAY_START:
            minutes = int.from_bytes(data, "big")
            if remote and state in (_DELAY_RUN, _DELAY_PAUSE) and minutes <= _DELAY_MAX_MINUTES:
                if minutes:
                    self.erds.put_uint(LAUNDRY_DELAY_LEFT, minutes, size=2)
                    self._restart("delay")
                else:
                    self._start()
                self.erds.replace(code, _PROCESSED_DELAY)
        elif code == LAUNDRY_STOP:
            if remote and data[0] == 0 and state in (_RUN, _PAUSE, 5, _DELAY_RUN, _DELAY_PAUSE):
                self._stop()
                self.erds.replace(code, _PROCESSED_STOP)
        elif code in self.options:
            if state not in (_RUN, _PAUSE) and data[0] in self.options[code]:
                self.erds.replace(code, data)
        else:
            super().write(code, data)

    def _start(self) -> None:
        self._elapsed = 0.0
        self.erds.put_uint(LAUNDRY_STATE, _RUN)
        self.erds.put_uint(LAUNDRY_DELAY_LEFT, 0, size=2)
        self.erds.put_uint(LAUNDRY_END, 0)
        if self.locks_door:
            self.erds.put_uint(LAUNDRY_LOCK, 1)
        self._show_progress()

    def _stop(self) -> None:
        self._elapsed = None
        self.erds.put_uint(LAUNDRY_STATE, _IDLE_STANDBY)
        self.erds.put_uint(LAUNDRY_SUB_CYCLE, 0)
        self.erds.put_uint(LAUNDRY_TIME_LEFT, 0, size=2)
        self.erds.put_uint(LAUNDRY_DELAY_LEFT, 0, size=2)
        self.erds.put_uint(LAUNDRY_LOCK, 0)

    def _show_progress(self) -> None:
        elapsed = self._elapsed or 0.0
        self.erds.put_uint(LAUNDRY_SUB_CYCLE, self._sub_cycle_at(elapsed))
        # Appliances report remaining time in whole minutes, expressed in seconds.
        left = math.ceil(max(0.0, self._total - elapsed) / _MINUTE) * 60
        self.erds.put_uint(LAUNDRY_TIME_LEFT, left, size=2)

    def _sub_cycle_at(self, elapsed: float) -> int:
        stage_end = 0
        for sub_cycle, seconds in self.plan[:-1]:
            stage_end += seconds
            if elapsed < stage_end:
                return sub_cycle
        return self.plan[-1][0]

    def _finish(self) -> None:
        self._elapsed = None
        self.erds.put_uint(LAUNDRY_STATE, _END)
        self.erds.put_uint(LAUNDRY_SUB_CYCLE, 0)
        self.erds.put_uint(LAUNDRY_TIME_LEFT, 0, size=2)
        self.erds.put_uint(LAUNDRY_END, 1)
        self.erds.put_uint(LAUNDRY_LOCK, 0)

    def tick(self, seconds: float) -> None:
        """Count a delay down (then start), or progress a running cycle to its end."""
        state = self.erds.uint(LAUNDRY_STATE)
        if state == _DELAY_RUN:
            passed = self._periods("delay", seconds)
            delay = self.erds.uint(LAUNDRY_DELAY_LEFT, 0, 2)
            if passed >= delay:
                self._start()
            elif passed:
                self.erds.put_uint(LAUNDRY_DELAY_LEFT, delay - passed, size=2)
            return
        if state not in (_RUN, _PAUSE):
            self._elapsed = None
            return
        if self._elapsed is None:
            left = self.erds.uint(LAUNDRY_TIME_LEFT, 0, 2)
            self._elapsed = float(max(0, self._total - left))
        if state == _RUN:
            self._elapsed += seconds
            if self._elapsed >= self._total:
                self._finish()
            else:
                self._show_progress()


class Washer(_Laundry):
    """A front-load washer running a 50-minute normal cycle."""

    plan = ((1, 240), (3, 1080), (6, 120), (4, 720), (5, 840))  # fill wash drain rinse spin
    locks_door = True
    options = {
        0x2015: frozenset(range(5)),  # soil
        0x2016: frozenset(range(16, 23)),  # wash temperature
        0x2017: frozenset({0, 1, 2, 3, 4, 6}),  # spin
        0x2018: frozenset(range(4)),  # rinse
    }
    writable = ApplianceModel.writable | frozenset({LAUNDRY_DELAY_START, LAUNDRY_STOP, *options})


class Dryer(_Laundry):
    """A dryer running a 55-minute auto-dry cycle (drying, then cool down)."""

    plan = ((128, 3000), (130, 300))
    options = {
        0x204D: frozenset(range(1, 6)),  # dryness
        0x2050: frozenset(range(1, 6)),  # temperature
    }
    writable = ApplianceModel.writable | frozenset({LAUNDRY_DELAY_START, LAUNDRY_STOP, *options})


# --- Café coffee brewer and espresso maker ---------------------------------------------------

BREWING, BREW_TEMPERATURE, BREW_TEMPERATURE_LIMITS, BREW_CUPS = 0x9000, 0x9001, 0x9002, 0x9006
BREW_CUPS_LIMITS, BREW_STRENGTH, START_BREW, CANCEL_BREW = 0x9007, 0x9008, 0x900B, 0x900C
POT_PRESENT, OUT_OF_WATER, OUTLET_TEMPERATURE = 0x9012, 0x9013, 0x9014
DESCALING, START_DESCALE, CANCEL_DESCALE = 0x9019, 0x901A, 0x901B
DESCALE_NEEDED = 0x9030
_BREW_SETUP_SECONDS, _BREW_SECONDS_PER_CUP = 60.0, 45.0
_OUTLET_HEAT_RATE, _OUTLET_COOL_RATE, _COUNTER_ROOM_F = 20.0, 3.0, 72


class _DescalingMachine(ApplianceModel):
    """A coffee machine with a remote descale cycle of fixed length."""

    descale_seconds: ClassVar[float] = 1800.0

    def __init__(self, erds: ErdStore) -> None:
        """Attach to the appliance."""
        super().__init__(erds)
        self._descale_left = self.descale_seconds

    def _busy(self) -> bool:
        return self.erds.uint(DESCALING) == 1

    def write(self, code: int, data: bytes) -> None:
        """Start (01) or cancel (01) a descale; the command ERDs read 00 afterwards."""
        if code == START_DESCALE:
            if data[0] == 1 and not self._busy() and self.erds.uint(OUT_OF_WATER) == 0:
                self._descale_left = self.descale_seconds
                self.erds.put_uint(DESCALING, 1)
        elif code == CANCEL_DESCALE:
            if data[0] == 1:
                self.erds.put_uint(DESCALING, 0)
        else:
            super().write(code, data)

    def tick(self, seconds: float) -> None:
        """Finish a descale once its time is up."""
        if self.erds.uint(DESCALING) != 1:
            self._descale_left = self.descale_seconds
            return
        self._descale_left -= seconds
        if self._descale_left <= 0:
            self.erds.put_uint(DESCALING, 0)
            self.erds.put_uint(DESCALE_NEEDED, 0)


class CoffeeBrewer(_DescalingMachine):
    """A Café drip brewer: a start-brew write brews for about a minute per cup."""

    writable = ApplianceModel.writable | frozenset(
        {START_BREW, CANCEL_BREW, START_DESCALE, CANCEL_DESCALE}
    )

    def __init__(self, erds: ErdStore) -> None:
        """Attach to the appliance."""
        super().__init__(erds)
        self._brew_left: float | None = None

    def _busy(self) -> bool:
        return super()._busy() or self.erds.uint(BREWING) == 1

    def write(self, code: int, data: bytes) -> None:
        """Start a brew (strength, °F, cups), cancel it, or start/cancel a descale."""
        if code == START_BREW:
            self._start_brew(data)
        elif code == CANCEL_BREW:
            if data[0] == 1 and self.erds.uint(BREWING) == 1:
                self._brew_left = None
                self.erds.put_uint(BREWING, 0)
        else:
            super().write(code, data)

    def _start_brew(self, data: bytes) -> None:
        strength, temperature, cups = data
        low_t, high_t = (
            self.erds.uint(BREW_TEMPERATURE_LIMITS),
            self.erds.uint(BREW_TEMPERATURE_LIMITS, 1),
        )
        if not low_t or not high_t:
            low_t, high_t = 185, 205
        low_c = self.erds.uint(BREW_CUPS_LIMITS, default=1)
        high_c = self.erds.uint(BREW_CUPS_LIMITS, 1, default=10)
        ready = (
            not self._busy()
            and self.erds.uint(POT_PRESENT) == 1
            and self.erds.uint(OUT_OF_WATER) == 0
        )
        if not (ready and 1 <= strength <= 5 and low_t <= temperature <= high_t):
            return
        if not low_c <= cups <= high_c:
            return
        self.erds.replace(START_BREW, data)
        self.erds.put_uint(BREW_STRENGTH, strength)
        self.erds.put_uint(BREW_TEMPERATURE, temperature)
        self.erds.put_uint(BREW_CUPS, cups)
        self._brew_left = _BREW_SETUP_SECONDS + _BREW_SECONDS_PER_CUP * cups
        self.erds.put_uint(BREWING, 1)

    def tick(self, seconds: float) -> None:
        """Brew until done, warming the outlet; let it cool afterwards."""
        super().tick(seconds)
        brewing = self.erds.uint(BREWING) == 1
        if brewing:
            if self._brew_left is None:
                cups = self.erds.uint(BREW_CUPS)
                self._brew_left = _BREW_SETUP_SECONDS + _BREW_SECONDS_PER_CUP * cups
            self._brew_left -= seconds
        else:
            self._brew_left = None
        outlet = self.erds.uint(OUTLET_TEMPERATURE)
        goal = self.erds.uint(BREW_TEMPERATURE) if brewing else _COUNTER_ROOM_F
        rate = _OUTLET_HEAT_RATE if outlet < goal else _OUTLET_COOL_RATE
        shown = self._drift((OUTLET_TEMPERATURE, 0), outlet, goal, rate * seconds / _MINUTE)
        self.erds.put_uint(OUTLET_TEMPERATURE, shown)
        if self._brew_left is not None and self._brew_left <= 0:
            self._brew_left = None
            self.erds.put_uint(BREWING, 0)


class EspressoMaker(_DescalingMachine):
    """A Café Affetto espresso maker: only descaling is remote-controlled."""

    descale_seconds = 1500.0
    writable = ApplianceModel.writable | frozenset({START_DESCALE, CANCEL_DESCALE})


# --- Water heaters (tenths of °F) ------------------------------------------------------------

WH_MODE, WH_SETPOINT, WH_TEMPERATURE, WH_HOURS_LEFT = 0x4020, 0x4024, 0x4026, 0x4028
WH_MODES_AVAILABLE, WH_LIMITS, WH_BOOST, WH_BOOST_REQUEST = 0x4040, 0x4047, 0x4220, 0x4221
WH_ACTIVE, WH_ACTIVE_REQUEST, WH_USABLE_GALLONS = 0x4225, 0x4226, 0x40D0
_HYBRID, _STANDARD_ELECTRIC, _HEAT_PUMP, _HIGH_DEMAND, _VACATION = 0, 1, 2, 3, 4
# Tenths of °F per minute while heating, per mode; boost heats like high demand.
_WH_HEAT_RATE = {_HYBRID: 5.0, _STANDARD_ELECTRIC: 8.0, _HEAT_PUMP: 3.0, _HIGH_DEMAND: 10.0}
_WH_STANDBY_LOSS = 0.2  # tenths of °F per minute
_WH_VACATION_GOAL = 500  # 50.0 °F: freeze protection only
_WH_TANK_GALLONS = 50
_WH_COLD_INLET = 900  # below 90.0 °F no water counts as hot
_WH_MAX_HOURS = 8760


class WaterHeater(ApplianceModel):
    """A heat-pump water heater whose tank drifts towards the setpoint."""

    writable = ApplianceModel.writable | frozenset(
        {WH_MODE, WH_SETPOINT, WH_HOURS_LEFT, WH_BOOST_REQUEST, WH_ACTIVE_REQUEST}
    )

    def write(self, code: int, data: bytes) -> None:
        """Change mode, setpoint (within limits), timed-mode hours, boost or active state."""
        value = int.from_bytes(data, "big", signed=code == WH_SETPOINT)
        match code:
            case 0x4020:
                if value <= 7 and self.erds.uint(WH_MODES_AVAILABLE) >> value & 1:
                    self.erds.replace(code, data)
            case 0x4024:
                low = self.erds.uint(WH_LIMITS, 0, 2, 1000)
                high = self.erds.uint(WH_LIMITS, 2, 2, 1400)
                if low <= value <= high:
                    self.erds.replace(code, data)
            case 0x4028:
                if value <= _WH_MAX_HOURS:
                    self.erds.replace(code, data)
                    self._restart("hours")
            case 0x4221 | 0x4226:
                if value in (0, 1):  # the request ERD is echoed by its state ERD
                    self.erds.replace(code, data)
                    self.erds.replace(WH_BOOST if code == WH_BOOST_REQUEST else WH_ACTIVE, data)
            case _:
                super().write(code, data)

    def tick(self, seconds: float) -> None:
        """Heat or cool the tank, update usable gallons, count timed-mode hours."""
        mode = self.erds.uint(WH_MODE)
        setpoint = self.erds.sint(WH_SETPOINT, 0, 2)
        current = self.erds.sint(WH_TEMPERATURE, 0, 2)
        active = self.erds.uint(WH_ACTIVE, default=1) == 1
        goal = float(_WH_VACATION_GOAL if mode == _VACATION else setpoint)
        if active and current <= goal:  # the thermostat holds the setpoint
            boosted = self.erds.uint(WH_BOOST) == 1
            rate = _WH_HEAT_RATE[_HIGH_DEMAND] if boosted else _WH_HEAT_RATE.get(mode, 5.0)
        else:
            goal, rate = float(_WH_COLD_INLET), _WH_STANDBY_LOSS
            goal = min(goal, current)  # standby losses only cool
        tank = self._drift((WH_TEMPERATURE, 0), current, goal, rate * seconds / _MINUTE)
        self.erds.put_sint(WH_TEMPERATURE, tank, size=2)
        if setpoint > _WH_COLD_INLET:
            share = (tank - _WH_COLD_INLET) / (setpoint - _WH_COLD_INLET)
            gallons = round(_WH_TANK_GALLONS * min(1.0, max(0.0, share)))
            self.erds.put_uint(WH_USABLE_GALLONS, gallons)
        hours = self.erds.uint(WH_HOURS_LEFT, 0, 2)
        if not hours:
            self._restart("hours")
            return
        passed = self._periods("hours", seconds, _HOUR)
        if passed >= hours:
            self.erds.put_uint(WH_HOURS_LEFT, 0, size=2)
            if mode in (_STANDARD_ELECTRIC, _VACATION):  # timed mode over: back to hybrid
                self.erds.put_uint(WH_MODE, _HYBRID)
        elif passed:
            self.erds.put_uint(WH_HOURS_LEFT, hours - passed, size=2)


# --- Air conditioners ------------------------------------------------------------------------

AC_HEAT_TARGET, AC_COOL_TARGET, AC_FAN, AC_MODE = 0x7002, 0x7003, 0x7A00, 0x7A01
AC_AMBIENT, AC_FILTER, AC_POWER = 0x7A02, 0x7A04, 0x7A0F
AC_MODES_AVAILABLE, AC_RANGE, AC_FANS_AVAILABLE = 0x7B00, 0x7B06, 0x7B0B
# Mode value → bit in the available-modes ERD.
_AC_MODE_BITS = {0: 6, 1: 7, 2: 2, 3: 0, 4: 1, 5: 5, 6: 3, 7: 4}
# Fan value → bit in the available-fan-speeds ERD (auto, low, medium, high, smart dry).
_AC_FAN_BITS = {1: 0, 2: 3, 4: 2, 8: 1, 16: 4}
_AC_COOL, _AC_FAN_ONLY, _AC_HEAT, _AC_AUTO, _AC_TURBO, _AC_SILENT = 0, 1, 3, 5, 6, 7
_AC_ACTIVE_RATE, _AC_PASSIVE_RATE = 0.3, 0.05  # °F per minute
_AC_DEFAULT_RANGE = (60, 86)


class AirConditioner(ApplianceModel):
    """A window, portable, split or built-in AC conditioning one room."""

    writable = ApplianceModel.writable | frozenset(
        {AC_HEAT_TARGET, AC_COOL_TARGET, AC_FAN, AC_MODE, AC_FILTER, AC_POWER}
    )

    def __init__(self, erds: ErdStore) -> None:
        """Attach to the appliance; the room without AC stays at today's ambient."""
        super().__init__(erds)
        self._room = float(self.erds.uint(AC_AMBIENT, default=77))

    def _range(self) -> tuple[int, int]:
        low, high = self.erds.uint(AC_RANGE, 0), self.erds.uint(AC_RANGE, 1)
        if not low or low == 0xFF or high == 0xFF or high < low:
            return _AC_DEFAULT_RANGE
        return low, high

    def write(self, code: int, data: bytes) -> None:
        """Set a target (within range), fan, mode (if available), power or filter reset."""
        value = int.from_bytes(data, "big", signed=code in (AC_HEAT_TARGET, AC_COOL_TARGET))
        if code in (AC_HEAT_TARGET, AC_COOL_TARGET):
            low, high = self._range()
            accepted = low <= value <= high
        elif code == AC_FAN:
            bit = _AC_FAN_BITS.get(value)
            available = self.erds.uint(AC_FANS_AVAILABLE, default=0x0F)
            accepted = bit is not None and bool(available >> bit & 1)
        elif code == AC_MODE:
            bit = _AC_MODE_BITS.get(value)
            accepted = bit is not None and bool(self.erds.uint(AC_MODES_AVAILABLE) >> bit & 1)
        elif code in (AC_POWER, AC_FILTER):
            accepted = value in (0, 1)
        else:
            super().write(code, data)
            return
        if accepted:
            self.erds.replace(code, data)

    def tick(self, seconds: float) -> None:
        """Pull the room temperature towards the target while running, else back to normal."""
        if not self.erds.has(AC_AMBIENT):
            return
        goal, rate = self._room, _AC_PASSIVE_RATE
        mode = self.erds.uint(AC_MODE)
        if self.erds.uint(AC_POWER) == 1 and mode != _AC_FAN_ONLY:
            cool = float(self.erds.sint(AC_COOL_TARGET, 0, 2, default=round(self._room)))
            heat = float(self.erds.sint(AC_HEAT_TARGET, 0, 2, default=round(cool)))
            if mode == _AC_HEAT:
                goal = max(heat, self._room)
            elif mode == _AC_AUTO:
                goal = cool
            else:
                goal = min(cool, self._room)
            if goal != self._room:
                speed = {_AC_TURBO: 2.0, _AC_SILENT: 0.6}.get(mode, 1.0)
                rate = _AC_ACTIVE_RATE * speed
        current = self.erds.uint(AC_AMBIENT)
        shown = self._drift((AC_AMBIENT, 0), current, goal, rate * seconds / _MINUTE)
        self.erds.put_uint(AC_AMBIENT, shown)


_MODELS_BY_TYPE: dict[int, type[ApplianceModel]] = {
    0x00: WaterHeater,
    0x01: Dryer,
    0x02: Washer,
    0x03: Refrigerator,
    0x06: Dishwasher,
    0x07: Oven,
    0x08: Oven,
    0x09: Oven,
    0x0A: AirConditioner,
    0x0E: AirConditioner,
    0x16: AirConditioner,
    0x19: Refrigerator,
    0x1A: CoffeeBrewer,
    0x1F: AirConditioner,
    0x21: EspressoMaker,
}


def model_for(erds: ErdStore) -> ApplianceModel:
    """The behaviour matching the appliance type ERD 0x0008 (a passive one if unknown)."""
    kind = erds.uint(APPLIANCE_TYPE, default=0xFF)
    return _MODELS_BY_TYPE.get(kind, ApplianceModel)(erds)
