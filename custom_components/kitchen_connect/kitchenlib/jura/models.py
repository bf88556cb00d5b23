"""Typed data shared by the Jura codec, client, simulator and profiles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How much an alert matters, per the machine's own description."""

    ERROR = "error"  # blocks every product until the user acts
    MAINTENANCE = "maintenance"  # a reminder that a care process is due
    INFO = "info"


class Process(StrEnum):
    """Care processes the machine can run."""

    CLEANING = "cleaning"
    DESCALE = "descale"
    FILTER_CHANGE = "filter_change"
    CAPPU_CLEAN = "cappu_clean"
    CAPPU_RINSE = "cappu_rinse"
    COFFEE_RINSE = "coffee_rinse"


@dataclass(frozen=True, slots=True)
class AlertDef:
    """One bit of the ``@TF`` status field."""

    bit: int
    key: str
    severity: Severity
    blocks: str | None = None  # product kinds it blocks ("ALL", "C", "M", ...)
    process: Process | None = None  # the process that clears it


@dataclass(frozen=True, slots=True)
class RangeParam:
    """A numeric recipe parameter (water, milk, foam, bypass, milk break)."""

    name: str
    position: int  # the F number; blob byte = position - 1
    minimum: int
    maximum: int
    step: int
    default: int


@dataclass(frozen=True, slots=True)
class ChoiceParam:
    """A recipe parameter chosen from items (strength, temperature, grinder)."""

    name: str
    position: int
    items: tuple[tuple[str, int], ...]  # (option name, wire byte) in machine order
    default: int


type RecipeParam = RangeParam | ChoiceParam


@dataclass(frozen=True, slots=True)
class ProductDef:
    """A drink the machine can make."""

    code: int
    key: str
    kind: str  # C coffee, M milk, CM coffee+milk, T water, P powder
    active: bool
    params: tuple[RecipeParam, ...] = ()
    double: int | None = None

    def param(self, name: str) -> RecipeParam | None:
        """The parameter called ``name``, if the product has it."""
        return next((param for param in self.params if param.name == name), None)


# A decoded setting: the option name for item settings, a number for step sliders.
type SettingValue = int | str


@dataclass(frozen=True, slots=True)
class SettingDef:
    """A machine setting read and written with ``@TM``."""

    argument: int  # P_Argument, e.g. 0x02 hardness
    key: str
    kind: str  # step_slider, item_slider, switch, combobox
    default: str  # wire value as hex
    minimum: int | None = None
    maximum: int | None = None
    step: int | None = None
    items: tuple[tuple[str, str], ...] = ()  # (option name, wire value hex)


@dataclass(frozen=True, slots=True)
class MachineProfile:
    """Everything model-specific that the client needs."""

    ef_code: str
    names: tuple[str, ...]
    articles: tuple[int, ...]
    alerts: tuple[AlertDef, ...]
    products: tuple[ProductDef, ...]
    settings: tuple[SettingDef, ...]
    maintenance_counter_fields: tuple[Process, ...]  # @TG:43 field order
    maintenance_percent_fields: tuple[Process, ...]  # @TG:C0 field order
    processes: tuple[tuple[Process, str], ...]  # (process, start command)
    accept_command: str | None = None
    intake_f18: bool = False
    is_baseline: bool = False  # True when the model is unknown and this is a fallback
    # Lookups built once: every status push names its alerts through them.
    _alerts_by_bit: dict[int, AlertDef] = field(init=False, repr=False, compare=False)
    _products_by_code: dict[int, ProductDef] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The first definition of a bit or code wins, as a linear search would find it.
        alerts = {alert.bit: alert for alert in reversed(self.alerts)}
        products = {product.code: product for product in reversed(self.products)}
        object.__setattr__(self, "_alerts_by_bit", alerts)
        object.__setattr__(self, "_products_by_code", products)

    @property
    def name(self) -> str:
        """A human name for the model family (first listed variant)."""
        return self.names[0] if self.names else self.ef_code

    def product(self, code: int) -> ProductDef | None:
        """The product with wire code ``code``."""
        return self._products_by_code.get(code)

    def product_by_key(self, key: str) -> ProductDef | None:
        """The product called ``key`` (e.g. ``espresso``)."""
        return next((product for product in self.products if product.key == key), None)

    def setting(self, argument: int) -> SettingDef | None:
        """The setting with P_Argument ``argument``."""
        return next((item for item in self.settings if item.argument == argument), None)

    def alert(self, bit: int) -> AlertDef | None:
        """The alert at status bit ``bit``."""
        return self._alerts_by_bit.get(bit)

    def alert_keys(self, bits: Iterable[int]) -> frozenset[str]:
        """Names of the alerts at the given status bits that the model declares."""
        alerts = self._alerts_by_bit
        return frozenset(alerts[bit].key for bit in bits if bit in alerts)


@dataclass(frozen=True, slots=True)
class Progress:
    """A decoded ``@TV`` progress frame."""

    state: int  # the machine's progress state code
    code: int  # product or process code
    percent: int | None  # whole-product progress, when the frame carries it
    raw: bytes = b""


@dataclass(frozen=True, slots=True)
class DiscoveredMachine:
    """What the dongle says about itself in a UDP reply."""

    host: str
    dongle_firmware: str
    name: str
    machine_firmware: str  # e.g. "EF1091 V01.00"
    article: int
    machine_number: int
    serial_number: int
    production_date: str | None  # ISO date, or None when not set
    flags: int
    status: bytes  # the live status payload (an @TF body when idle)

    @property
    def unique_id(self) -> str:
        """A stable id for the machine, independent of its address."""
        return f"{self.article}-{self.machine_number}-{self.serial_number}"


@dataclass(frozen=True, slots=True)
class MachineState:
    """A snapshot of everything known about one machine."""

    alerts: frozenset[int] = frozenset()  # set status bits (MSB-first numbering)
    progress: Progress | None = None
    brewing: bool = False  # between @TB/@TV and the end of ENJOY
    maintenance_counters: dict[Process, int] = field(default_factory=dict)
    maintenance_percent: dict[Process, int | None] = field(default_factory=dict)
    product_counters: dict[int, int] = field(default_factory=dict)  # code -> count; 0 = total
    # argument -> decoded value; a setting whose value could not be decoded is left out
    settings: dict[int, SettingValue] = field(default_factory=dict)
