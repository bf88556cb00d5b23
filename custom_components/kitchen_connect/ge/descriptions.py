"""Shared pieces of the GE description tables: kinds, ERD readers, oven cavities."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from ..kitchenlib.ge.appliance import Appliance
from ..kitchenlib.ge.erd import erd_spec
from .appliance_types import ApplianceKind
from .entity import erd_field, erd_value, reports

OVENS: Final = frozenset({ApplianceKind.OVEN})
FRIDGES: Final = frozenset({ApplianceKind.FRIDGE})
DISHWASHERS: Final = frozenset({ApplianceKind.DISHWASHER})
WASHERS: Final = frozenset({ApplianceKind.WASHER, ApplianceKind.WASHER_DRYER})
DRYERS: Final = frozenset({ApplianceKind.DRYER, ApplianceKind.WASHER_DRYER})
BREWERS: Final = frozenset({ApplianceKind.COFFEE_BREWER})
ESPRESSO_MAKERS: Final = frozenset({ApplianceKind.ESPRESSO_MAKER})
COFFEE_MACHINES: Final = BREWERS | ESPRESSO_MAKERS
WATER_HEATERS: Final = frozenset({ApplianceKind.WATER_HEATER})
AIR_CONDITIONERS: Final = frozenset({ApplianceKind.AIR_CONDITIONER})

# Slugs GE uses for "this appliance has no such thing".
ABSENT: Final = frozenset({"not_applicable", "not_equipped", "na_not_equipped"})


def read(appliance: Appliance, code: int, key: str | None = None) -> object:
    """The decoded ERD, or one field of it when ``key`` is given."""
    return erd_value(appliance, code) if key is None else erd_field(appliance, code, key)


def present(code: int, key: str | None = None) -> Callable[[Appliance], bool]:
    """Whether the appliance reports the ERD (field) with a value that is not 'absent'."""

    def check(appliance: Appliance) -> bool:
        value = read(appliance, code, key)
        return value is not None and value not in ABSENT

    return check


def reported(code: int) -> Callable[[Appliance], bool]:
    """Whether the appliance sends the ERD with a value, whatever it reads.

    For a duration or timer, where the value None means "not set" (FFFF) rather than "not
    fitted": the entity exists and shows unknown until a time is set.
    """

    def check(appliance: Appliance) -> bool:
        erd = appliance.erds.get(code)
        return erd is not None and erd.raw != ""

    return check


def number(appliance: Appliance, code: int, key: str | None = None) -> float | None:
    """A numeric ERD (field) as decoded (whole numbers stay whole); None when not a number."""
    value = read(appliance, code, key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def reader(code: int, key: str | None = None) -> Callable[[Appliance], float | None]:
    """A value function reading one numeric ERD (field)."""
    return lambda appliance: number(appliance, code, key)


def is_slug(code: int, slug: str, key: str | None = None) -> Callable[[Appliance], bool | None]:
    """On when the ERD (field) reads ``slug``; unknown when it is missing or absent."""

    def check(appliance: Appliance) -> bool | None:
        value = read(appliance, code, key)
        if not isinstance(value, str) or value in ABSENT:
            return None
        return value == slug

    return check


def is_true(code: int, key: str | None = None) -> Callable[[Appliance], bool | None]:
    """A boolean ERD (field); 0/1 bit fields count as booleans too."""

    def check(appliance: Appliance) -> bool | None:
        value = read(appliance, code, key)
        return bool(value) if isinstance(value, (bool, int)) else None

    return check


@dataclass(frozen=True, slots=True)
class EnumReading:
    """How an enum ERD (field) shows: GE's slugs, minus the ones that mean 'unknown'.

    ``aliases`` folds old slugs into the current ones (legacy wash temperatures), so every
    state a user sees is one of ``options``.
    """

    code: int
    key: str | None = None
    hidden: frozenset[str] = ABSENT
    aliases: Mapping[str, str] | None = None

    @property
    def options(self) -> list[str]:
        """The slugs the ERD can show, in GE's order."""
        spec = erd_spec(self.code)
        if spec is None:
            return []
        fields = [f for f in spec.fields if self.key is None or f.key == self.key]
        aliased = set(self.aliases or ())
        return [s for s in fields[0].options if s not in self.hidden and s not in aliased]

    def value(self, appliance: Appliance) -> str | None:
        """The current slug, or None when unknown."""
        value = read(appliance, self.code, self.key)
        if not isinstance(value, str):
            return None
        value = (self.aliases or {}).get(value, value)
        return value if value in self.options else None


# --- Ovens -----------------------------------------------------------------------------------

UPPER_OVEN: Final = 0x5100
LOWER_OVEN: Final = 0x5200
OVEN_CONFIGURATION: Final = 0x5007


def is_double_oven(appliance: Appliance) -> bool:
    """Two cavities: the configuration says so, or the lower cavity reports its ERDs."""
    if erd_field(appliance, OVEN_CONFIGURATION, "has_lower_oven") is True:
        return True
    return any(code & 0xFF00 == LOWER_OVEN and reports(appliance, code) for code in appliance.erds)


@dataclass(frozen=True, slots=True)
class OvenCavity:
    """One oven cavity as entities see it.

    ``key`` keeps unique ids stable; ``prefix`` picks the translation ("Oven …" on a single
    oven, "Upper oven …"/"Lower oven …" on a double one); ``applies`` tells which ovens get
    this variant.
    """

    base: int
    key: str
    prefix: str
    applies: Callable[[Appliance], bool]

    def code(self, register: int) -> int:
        """The cavity's ERD with low byte ``register`` (0x09 → 0x5109 or 0x5209)."""
        return self.base + register

    def unique_key(self, metric: str) -> str:
        """The description key of ``metric`` in this cavity."""
        return f"{self.key}_{metric}"

    def translation_key(self, metric: str) -> str:
        """The translation key of ``metric`` in this cavity."""
        return f"{self.prefix}_{metric}"

    def exists_when(self, *checks: Callable[[Appliance], bool]) -> Callable[[Appliance], bool]:
        """This variant applies and every check passes."""
        return lambda appliance: self.applies(appliance) and all(c(appliance) for c in checks)


OVEN_CAVITIES: Final = (
    OvenCavity(UPPER_OVEN, "upper_oven", "oven", lambda a: not is_double_oven(a)),
    OvenCavity(UPPER_OVEN, "upper_oven", "upper_oven", is_double_oven),
    OvenCavity(LOWER_OVEN, "lower_oven", "lower_oven", is_double_oven),
)

# --- Refrigerators ---------------------------------------------------------------------------

FRIDGE_MODEL: Final = 0x101D
_FRESH_FOOD_ONLY: Final = frozenset(
    {
        "single_cabinet_fresh_food",
        "f_p_columns_fresh_food",
        "single_cabinet_fresh_food_with_deli_pan_under_counter",
    }
)
_FREEZER_ONLY: Final = frozenset({"single_cabinet_freezer", "f_p_columns_freezer"})


def has_fresh_food(appliance: Appliance) -> bool:
    """Not a freezer-only cabinet (a fridge without 0x101D is assumed to have both)."""
    return erd_field(appliance, FRIDGE_MODEL, "refrigerator_model") not in _FREEZER_ONLY


def has_freezer(appliance: Appliance) -> bool:
    """Not a fresh-food-only cabinet."""
    return erd_field(appliance, FRIDGE_MODEL, "refrigerator_model") not in _FRESH_FOOD_ONLY
