"""La Marzocco's confirm-gated action: the backflush cleaning cycle."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
import probatio as vol

from ..fields import OneOf
from ..kitchenlib.lamarzocco import commands
from ..kitchenlib.lamarzocco.models import ModelCode
from ..spec import BrandAction
from . import widgets
from .entity import async_send_command
from .runtime import LaMarzoccoConfigEntry

ATTR_PROCESS = "process"
BACKFLUSH_MODELS = frozenset(
    {ModelCode.LINEA_MICRA, ModelCode.LINEA_MINI, ModelCode.LINEA_MINI_R, ModelCode.GS3_AV}
)
BACKFLUSH = "backflush"


def _can_backflush(entry: ConfigEntry[Any], _device: str) -> bool:
    """Home machines whose dashboard has the backflush widget (no grinder, no GS3 MP).

    The action's device picker lists the same models (services.yaml).
    """
    coordinator = entry.runtime_data.coordinator
    dashboard = coordinator.data
    return (
        dashboard is not None
        and dashboard.thing.model in BACKFLUSH_MODELS
        and widgets.backflush(dashboard) is not None
    )


async def _async_backflush(
    hass: HomeAssistant, entry: LaMarzoccoConfigEntry, _device: str, _data: Mapping[str, Any]
) -> None:
    await async_send_command(entry.runtime_data.coordinator, commands.start_backflush)


LAMARZOCCO_ACTIONS: tuple[BrandAction, ...] = (
    BrandAction(
        name="start_maintenance",
        fields={vol.Required(ATTR_PROCESS): OneOf((BACKFLUSH,))},
        can_run=_can_backflush,
        refusal_key_fn=lambda _data: "lamarzocco_confirm_backflush",
        run=_async_backflush,
    ),
)
