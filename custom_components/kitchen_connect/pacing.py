"""Heavy work in turns: one piece per event-loop step for the whole integration.

Fifty appliances of every brand set up together at startup. Their setups wake in the
same loop steps (answers arrive together), and Home Assistant adds the entities of one
``async_add_entities`` call in one step: a Jura machine has fifty binary sensors. Left
alone, dozens of such pieces share one step and hold the event loop for a tenth of a
second; taking turns here, each piece gets a step of its own. Pushes are alike: machines
on connections of their own that push at the same moment wake in the same step, and
each push rewrites all of its machine's entities.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util.hass_dict import HassKey

# Adding one entity costs about 0.1 ms (registry entry, device lookup, first state).
ENTITIES_PER_STEP: Final = 8

TURN: HassKey[asyncio.Lock] = HassKey("kitchen_connect_turn")


async def async_own_step(hass: HomeAssistant) -> None:
    """Return in a loop step that no other caller of this function runs in.

    The lock is held into the next step and let go there: the next in line wakes one
    step later still, so the caller has this step for itself until it awaits.
    """
    async with hass.data.setdefault(TURN, asyncio.Lock()):
        await asyncio.sleep(0)


async def async_add_entities_paced(
    hass: HomeAssistant,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: Callable[[], Iterable[Entity]],
) -> None:
    """Build the entities in a step of its own, then add them a few per step of their own.

    Entries often reach this together (their platforms wait for the same component to
    load), so even building a machine's entities waits for its turn.
    """
    await async_own_step(hass)
    pending = list(build())
    while pending:
        async_add_entities(pending[:ENTITIES_PER_STEP])
        del pending[:ENTITIES_PER_STEP]
        if pending:
            await async_own_step(hass)


class OwnStepTrigger:
    """Runs ``action`` in a loop step of its own, soon after ``trigger`` is called.

    Calls made while it waits for its turn run it once: ``action`` reads the newest
    state itself, so a run of pushes costs one pass over the entities.
    """

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, name: str, action: Callable[[], None]
    ) -> None:
        self._hass = hass
        self._entry = entry
        self._name = name
        self._action = action
        self._waiting = False

    @callback
    def trigger(self) -> None:
        """Ask for a run of ``action``; nothing more if one is already waiting."""
        if self._waiting:
            return
        self._waiting = True
        self._entry.async_create_task(self._hass, self._run_in_turn(), self._name)

    async def _run_in_turn(self) -> None:
        try:
            await async_own_step(self._hass)
        finally:
            self._waiting = False
        self._action()
