"""The state of a simulated Jura machine and its replies to instant commands.

Everything here is synchronous: networking, pairing and the timed brew and
maintenance sequences live in :mod:`.simulator`.
"""

from __future__ import annotations

from custom_components.kitchen_connect.kitchenlib.jura.messages import (
    LOCKED_KEYS_BIT,
    PRODUCT_COUNTER_BANK,
    PRODUCT_COUNTER_PAGES,
    RECIPE_LENGTH,
    REFUSAL,
    checksum,
    encode_maintenance_counters,
    encode_maintenance_percent,
    encode_product_counter_page,
    encode_setting_value,
    encode_status_bits,
)
from custom_components.kitchen_connect.kitchenlib.jura.models import (
    MachineProfile,
    Process,
    ProductDef,
    RangeParam,
    SettingDef,
    Severity,
)

READY_BIT = 13
ENERGY_SAFE_BIT = 36
STATUS_BYTES = 8
SLOTS_PER_PAGE = 4
LIMITS_ARGUMENT = 0x60
RECIPE_MARKER_OFFSET = 8
WATER_POSITION = 4

# Fallback alert bits of each process, for profiles that do not name them.
PROCESS_ALERT_BITS: dict[Process, int] = {
    Process.FILTER_CHANGE: 32,
    Process.DESCALE: 33,
    Process.CLEANING: 34,
    Process.CAPPU_RINSE: 35,
    Process.CAPPU_CLEAN: 41,
}

# Counter values of the S8 EB capture (jura.md §3.2), so that resets are visible.
_INITIAL_MAINTENANCE_COUNTERS: dict[Process, int] = {
    Process.CLEANING: 21,
    Process.FILTER_CHANGE: 1,
    Process.DESCALE: 8,
    Process.CAPPU_RINSE: 344,
    Process.COFFEE_RINSE: 3617,
    Process.CAPPU_CLEAN: 91,
}
_INITIAL_MAINTENANCE_PERCENT: dict[Process, int] = {Process.DESCALE: 70}

# Variants whose dongle took @AN:02 without a word and left the machine on (jura.md §2.5).
STANDBY_IGNORED_BY = frozenset({"S8 (EB)"})

# @TM:60 limit pairs, in wire order: water, milk, foam, bypass, milk break.
_LIMIT_POSITIONS = (4, 5, 6, 10, 11)
_FIVE_ML_POSITIONS = frozenset({4, 10})


class SimulatedMachine:
    """Counters, settings and status bits of one simulated machine."""

    def __init__(self, profile: MachineProfile, *, filter_installed: bool = False) -> None:
        self.profile = profile
        self.filter_installed = filter_installed
        # Idle means "coffee ready" only; energy-safe (36) is set by @AN:02.
        self.alerts: set[int] = {READY_BIT}
        self.settings: dict[int, str] = {
            setting.argument: _starting_value(setting) for setting in profile.settings
        }
        self.ignores_standby = not STANDBY_IGNORED_BY.isdisjoint(profile.names)
        self.maintenance_counters: dict[Process, int] = {
            process: _INITIAL_MAINTENANCE_COUNTERS.get(process, 0) for process in Process
        }
        self.maintenance_percent: dict[Process, int | None] = {
            process: _INITIAL_MAINTENANCE_PERCENT.get(process, 0) for process in Process
        }
        self.product_counters: dict[int, int] = {0: 0} | {
            product.code: 0 for product in profile.products
        }
        # Real firmware answers a "21xx" item-slider value with just "xx" (jura.md §3.3).
        self.short_item_slider_readback = False
        self._double_codes = frozenset(
            product.double for product in profile.products if product.double is not None
        )

    @property
    def locked(self) -> bool:
        """Whether the front panel is locked (status bit 39)."""
        return LOCKED_KEYS_BIT in self.alerts

    def status_hex(self) -> str:
        """The current ``@TF`` payload."""
        length = max(STATUS_BYTES, (max(self.alerts, default=0) // 8) + 1)
        return encode_status_bits(self.alerts, length)

    def reply(self, command: str) -> str | None:
        """The reply to an instant command; None means the machine stays silent.

        Verbs the firmware does not know (``@TT:00`` on the S8 EB, anything made up) get
        no answer at all, so a client has to time out; known verbs with arguments they
        do not take get the generic refusal.
        """
        verb, _, argument = command.partition(":")
        match verb:
            case "@TG":
                return self._reply_tg(argument)
            case "@TR":
                return self._reply_counters(argument)
            case "@TM":
                return self._reply_setting(argument)
            case "@TS" if argument in {"00", "01"}:
                if argument == "01":
                    self.alerts.add(LOCKED_KEYS_BIT)
                else:
                    self.alerts.discard(LOCKED_KEYS_BIT)
                return "@ts"
            case "@AN" if argument == "02":
                if self.ignores_standby:
                    return None
                self.alerts.add(ENERGY_SAFE_BIT)
                return "@an:02"
            case "@HU?" if not argument:
                return "@hu:800"
            case "@TS" | "@AN":
                return REFUSAL
        return None

    def _reply_tg(self, argument: str) -> str:
        if argument == "43":
            fields = self.profile.maintenance_counter_fields
            return "@tg:43" + encode_maintenance_counters(self.maintenance_counters, fields)
        if argument == "C0":
            values = dict(self.maintenance_percent)
            if not self.filter_installed:
                values[Process.FILTER_CHANGE] = None
            fields = self.profile.maintenance_percent_fields
            return "@tg:C0" + encode_maintenance_percent(values, fields)
        if argument == "7E" or argument.startswith("7E,"):
            # What J.O.E.'s "skip quality assistant" did to a real S8 EB.
            for process in self.maintenance_counters:
                self.maintenance_counters[process] = 0
            return "@tg:7E"
        return REFUSAL

    def _reply_counters(self, argument: str) -> str | None:
        bank, separator, page_hex = argument.partition(",")
        if not separator:
            return None  # bank reads are page-addressed; the dongle stays silent
        try:
            page = int(page_hex, 16)
        except ValueError:
            return REFUSAL
        if (
            bank != f"{PRODUCT_COUNTER_BANK:02X}"
            or len(page_hex) != 2
            or page >= PRODUCT_COUNTER_PAGES
        ):
            return "@tr:00"
        first = page * SLOTS_PER_PAGE
        counts = {
            slot: self.product_counters[slot]
            for slot in range(first, first + SLOTS_PER_PAGE)
            if slot in self.product_counters
        }
        return encode_product_counter_page(page, counts)

    def _reply_setting(self, argument: str) -> str:
        address, separator, rest = argument.partition(",")
        try:
            arg = int(address, 16)
        except ValueError:
            return REFUSAL
        if len(address) != 2:
            return REFUSAL
        if arg != LIMITS_ARGUMENT and arg not in self.settings:
            # Any form at an address the firmware lacks, the batch read @TM:00,FC included.
            return f"@tm:{arg | 0x80:02X}"
        if not separator:
            return self._read_setting(arg)
        value, sent_checksum = rest[:-2], rest[-2:]
        if not value or checksum(f"{address.upper()},{value.upper()}") != sent_checksum.upper():
            return REFUSAL
        if arg == LIMITS_ARGUMENT:
            return self._read_limits(value)
        return self._write_setting(arg, value.upper())

    def _read_setting(self, arg: int) -> str:
        setting = self.profile.setting(arg)
        if setting is None or arg not in self.settings:
            return f"@tm:{arg | 0x80:02X}"
        value = self.settings[arg]
        if (
            self.short_item_slider_readback
            and setting.kind == "item_slider"
            and len(value) == 4
            and value.startswith("21")
        ):
            value = value[2:]
        # The S8 EB echoes the address in lower case (@tm:0a,04FE); the checksum is the
        # one of the upper-case text all the same.
        return f"@tm:{arg:02x},{value}{checksum(f'{arg:02X},{value}')}"

    def _write_setting(self, arg: int, value: str) -> str:
        setting = self.profile.setting(arg)
        if setting is None:
            return f"@tm:{arg | 0x80:02X}"
        if not self.locked:
            return "@tm:00"  # acknowledged but ignored without the @TS:01 wrapper
        if not _valid_setting_value(setting, value):
            return REFUSAL
        self.settings[arg] = value
        return f"@tm:{arg:02X}"

    def _read_limits(self, code_hex: str) -> str:
        try:
            product = self.profile.product(int(code_hex, 16))
        except ValueError:
            product = None
        if product is None or len(code_hex) != 2:
            return REFUSAL
        pairs = "".join(_limit_pair(product, position) for position in _LIMIT_POSITIONS)
        payload = f"60,{code_hex.upper()}{pairs}00"
        return f"@tm:{payload}{checksum(payload)}"

    def recipe_product(self, blob_hex: str) -> ProductDef | None:
        """The product a ``@TP`` blob asks for, or None when the machine would refuse it."""
        try:
            blob = bytes.fromhex(blob_hex)
        except ValueError:
            return None
        if len(blob) < RECIPE_LENGTH or blob[RECIPE_MARKER_OFFSET] != 0x01:
            return None
        product = self.profile.product(blob[0])
        # Double products are hidden (inactive) but reachable via the double preselection.
        if product is None or not (product.active or product.code in self._double_codes):
            return None
        has_water = any(param.position == WATER_POSITION for param in product.params)
        if has_water and blob[WATER_POSITION - 1] == 0:
            return None
        return product

    def is_blocked(self, product: ProductDef) -> bool:
        """Whether a set alert stops ``product`` (an error, or an alert naming its kind)."""
        for bit in self.alerts:
            alert = self.profile.alert(bit)
            if alert is None:
                continue
            if alert.severity is Severity.ERROR or alert.blocks == "ALL":
                return True
            if alert.blocks and any(kind in product.kind for kind in alert.blocks.split("|")):
                return True
        return False

    def record_brew(self, code: int) -> None:
        """Count one finished product; a double is two cups in the total."""
        self.product_counters[code] = self.product_counters.get(code, 0) + 1
        # Slot 0 minus the per-product sum equals the number of doubles on real machines.
        self.product_counters[0] += 2 if code in self._double_codes else 1

    def process_alert_bits(self, process: Process) -> set[int]:
        """Every status bit that the process clears."""
        bits = {alert.bit for alert in self.profile.alerts if alert.process is process}
        if process in PROCESS_ALERT_BITS:
            bits.add(PROCESS_ALERT_BITS[process])
        return bits

    def record_process(self, process: Process) -> None:
        """Count one finished care process and clear what it was due for."""
        self.maintenance_counters[process] += 1
        if self.maintenance_percent[process] is not None:
            self.maintenance_percent[process] = 0
        if process is Process.FILTER_CHANGE:
            self.filter_installed = True
        self.alerts -= self.process_alert_bits(process)


def _starting_value(setting: SettingDef) -> str:
    """The declared default, or the option whose band holds it when it is none of them.

    The ENA 4 declares hardness 0A (10 °dH) while its steps start at 01, 08, 10 and 18;
    a fresh machine holds a value its own display can show, so step 2 (08).
    """
    default = setting.default.upper()
    options = [wire.upper() for _name, wire in setting.items]
    if not options or default in options:
        return default
    below = [wire for wire in options if int(wire, 16) <= int(default, 16)]
    return max(below, key=lambda wire: int(wire, 16)) if below else options[0]


def _valid_setting_value(setting: SettingDef, value: str) -> bool:
    if setting.items:
        return value in {item.upper() for _, item in setting.items}
    try:
        return encode_setting_value(setting, int(value, 16)) == value
    except ValueError:  # includes InvalidValueError
        return False


def _limit_pair(product: ProductDef, position: int) -> str:
    param = next((item for item in product.params if item.position == position), None)
    if not isinstance(param, RangeParam):
        return "FFFF"
    unit = 5 if position in _FIVE_ML_POSITIONS else 1
    low, high = (min(value // unit, 0xFF) for value in (param.minimum, param.maximum))
    return f"{low:02X}{high:02X}"
