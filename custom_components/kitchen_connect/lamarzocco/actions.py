"""La Marzocco's confirm-gated action: the backflush cleaning cycle.

Cloud entries send the cloud's command; GS/3 and Linea Mini entries on port 1774 write
the backflush start to the machine. Entries on the local API (port 8081) cannot write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
import probatio as vol

from ..fields import OneOf
from ..kitchenlib.lamarzocco import commands
from ..kitchenlib.lamarzocco.direct import writes as direct_writes
from ..kitchenlib.lamarzocco.models import ModelCode
from ..spec import BrandAction
from . import widgets
from .entity import async_send_command
from .legacy.const import CONF_TRANSPORT, TRANSPORT_DIRECT
from .legacy.setup import is_local_entry

ATTR_PROCESS = "process"
BACKFLUSH_MODELS = frozenset(
    {ModelCode.LINEA_MICRA, ModelCode.LINEA_MINI, ModelCode.LINEA_MINI_R, ModelCode.GS3_AV}
)
BACKFLUSH = "backflush"


def _is_direct(entry: ConfigEntry[Any]) -> bool:
    return entry.data.get(CONF_TRANSPORT) == TRANSPORT_DIRECT


def _can_backflush(entry: ConfigEntry[Any], _device: str) -> bool:
    """Home machines whose dashboard has the backflush widget (no grinder, no GS3 MP).

    On port 1774 a GS/3 AV or a Linea Mini; the local API cannot write. The action's
    device picker lists the same models (services.yaml).
    """
    if _is_direct(entry):
        return entry.runtime_data.coordinator.machine.model in BACKFLUSH_MODELS
    if is_local_entry(entry.data):
        return False
    coordinator = entry.runtime_data.coordinator
    dashboard = coordinator.data
    return (
        dashboard is not None
        and dashboard.thing.model in BACKFLUSH_MODELS
        and widgets.backflush(dashboard) is not None
    )


async def _async_backflush(
    hass: HomeAssistant, entry: ConfigEntry[Any], _device: str, _data: Mapping[str, Any]
) -> None:
    if _is_direct(entry):
        await entry.runtime_data.coordinator.async_write(direct_writes.start_backflush())
        return
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
