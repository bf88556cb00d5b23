"""GE lights: each oven cavity's light and the fridge's interior light."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components.light import LightEntity, LightEntityDescription
from homeassistant.components.light.const import ATTR_BRIGHTNESS, ColorMode

from ..kitchenlib.ge.appliance import Appliance
from .descriptions import FRIDGES, OVEN_CAVITIES, OVENS, OvenCavity, number, present, read
from .entity import GeEntity, GeEntityDescription, platform_setup

FULL: Final = 255
INTERIOR_LIGHT: Final = 0x1024
# An oven light has three levels; "dim" shows as half brightness.
_OVEN_LEVELS: Final = {"off": 0, "dim": 128, "high": FULL}
# Asked-for brightness at or below this is "dim" (closer to half than to full).
_DIM_UP_TO: Final = 191


@dataclass(frozen=True, kw_only=True)
class GeLightEntityDescription(GeEntityDescription, LightEntityDescription):
    """A light: its brightness (0 when off) from the ERDs, and the write for a brightness.

    ``dimmable_fn`` tells whether this appliance's light has more than on and off;
    ``command_fn`` gets the wanted brightness (1-255, or 0 for off).
    """

    brightness_fn: Callable[[Appliance], int | None]
    dimmable_fn: Callable[[Appliance], bool]
    command_fn: Callable[[Appliance, int], tuple[int, Any]]


def _oven_light(cavity: OvenCavity) -> GeLightEntityDescription:
    light, availability = cavity.code(0x11), cavity.code(0x12)

    def dimmable(appliance: Appliance) -> bool:
        offered = read(appliance, availability)
        return not isinstance(offered, dict) or offered.get("dim") == "available"

    def brightness(appliance: Appliance) -> int | None:
        level = read(appliance, light)
        return _OVEN_LEVELS.get(level) if isinstance(level, str) else None

    def command(appliance: Appliance, wanted: int) -> tuple[int, Any]:
        if wanted == 0:
            return light, "off"
        return light, "dim" if dimmable(appliance) and wanted <= _DIM_UP_TO else "high"

    return GeLightEntityDescription(
        key=cavity.unique_key("light"),
        translation_key=cavity.translation_key("light"),
        erds=(light, availability),
        kinds=OVENS,
        exists_fn=cavity.exists_when(present(light)),
        brightness_fn=brightness,
        dimmable_fn=dimmable,
        command_fn=command,
    )


def _interior_percent(appliance: Appliance) -> float | None:
    level = number(appliance, INTERIOR_LIGHT)
    # No light fitted (FF) reads None; 101-254 are no percentage either.
    return level if level is not None and level <= 100 else None


def _interior_brightness(appliance: Appliance) -> int | None:
    percent = _interior_percent(appliance)
    return None if percent is None else round(percent * FULL / 100)


def _interior_command(_appliance: Appliance, wanted: int) -> tuple[int, Any]:
    # The fridge takes whole percent; any brightness above zero stays on.
    percent = 0 if wanted == 0 else min(100, max(1, round(wanted * 100 / FULL)))
    return INTERIOR_LIGHT, percent


LIGHTS: tuple[GeLightEntityDescription, ...] = (
    *(_oven_light(cavity) for cavity in OVEN_CAVITIES),
    GeLightEntityDescription(
        key="interior_light",
        translation_key="interior_light",
        erds=(INTERIOR_LIGHT,),
        kinds=FRIDGES,
        exists_fn=lambda appliance: _interior_percent(appliance) is not None,
        brightness_fn=_interior_brightness,
        dimmable_fn=lambda _appliance: True,
        command_fn=_interior_command,
    ),
)


class GeLight(GeEntity, LightEntity):
    """A light of one appliance; "turn on the oven light" reaches it."""

    entity_description: GeLightEntityDescription

    @property
    def color_mode(self) -> ColorMode:
        """Brightness where the light dims, on and off otherwise."""
        if self.entity_description.dimmable_fn(self.appliance):
            return ColorMode.BRIGHTNESS
        return ColorMode.ONOFF

    @property
    def supported_color_modes(self) -> set[ColorMode]:
        """The one mode this light has."""
        return {self.color_mode}

    @property
    def is_on(self) -> bool | None:
        """On at any level."""
        brightness = self.entity_description.brightness_fn(self.appliance)
        return None if brightness is None else brightness > 0

    @property
    def brightness(self) -> int | None:
        """The level the appliance last pushed (Home Assistant reads it only when it dims)."""
        return self.entity_description.brightness_fn(self.appliance)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Full brightness unless asked for less; the appliance's push confirms it."""
        wanted = max(1, int(kwargs.get(ATTR_BRIGHTNESS, FULL)))
        await self.async_write_erd(*self.entity_description.command_fn(self.appliance, wanted))

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch the light off."""
        await self.async_write_erd(*self.entity_description.command_fn(self.appliance, 0))


async_setup_entry = platform_setup(LIGHTS, GeLight)
