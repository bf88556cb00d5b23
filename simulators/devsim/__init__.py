"""Development-only helper integration: simulated appliances inside Home Assistant.

``scripts/develop`` links this package into the develop config's ``custom_components`` as
``kitchen_connect_devsim`` and enables it in ``configuration.yaml``. It registers a remote
scanner with Home Assistant's Bluetooth stack that advertises the simulated machines and
routes connections to their fake backends, so no radio is needed. It is never part of
what HACS installs. The simulated La Marzocco cloud runs here too, sharing its machines
with their Bluetooth peripherals. It also marks this Home Assistant as a development one, so
that the cloud brands' sign-in forms offer the simulators' server field.
"""

from __future__ import annotations

from datetime import timedelta
import logging

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, ServiceCall, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType
import probatio as vol

from custom_components.kitchen_connect.development_server import DEVELOPMENT_MARKER
from simulators.ha_bluetooth import SimulatedScanner, async_start_scanner
from simulators.nespresso.household import build_air

from . import lamarzocco

DOMAIN = "kitchen_connect_devsim"
# The simulated proxy's source name; scripts/develop_setup.py forgets its stored adverts.
SIMULATED_PROXY = "kitchen-connect-simulated-proxy"
CONFIG_SCHEMA = cv.empty_config_schema(DOMAIN)
# One machine "second" per tick: a brew takes three; adverts carry each change.
TICK = timedelta(seconds=2)
# Ticks after a brew until the simulated user ejects the capsule (opens and closes the
# lid), which the machine needs before it brews again.
LID_CYCLE_AFTER = 5

_LOGGER = logging.getLogger(__name__)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Put the simulated machines on a simulated proxy."""
    hass.data[DEVELOPMENT_MARKER] = True
    air = build_air()
    scanner = SimulatedScanner(SIMULATED_PROXY, air.peripherals.values())

    waiting: dict[str, int] = {}

    @callback
    def _tick() -> None:
        for address, peripheral in air.peripherals.items():
            machine = peripheral.machine
            machine.tick()
            if machine.lid_cycled or machine.brewing:
                waiting.pop(address, None)
            elif (ticks := waiting.get(address, 0) + 1) >= LID_CYCLE_AFTER:
                waiting.pop(address, None)
                machine.open_lid()
                machine.close_lid()
            else:
                waiting[address] = ticks

    lamarzocco_cloud = await lamarzocco.async_start(hass, scanner)
    stop = async_start_scanner(hass, scanner, interval=TICK, on_tick=_tick)

    async def _set_water_tank(call: ServiceCall) -> None:
        # Someone takes out (or puts back) every simulated machine's water tank, as a test
        # of the frontend needs the appliances themselves to change.
        empty = bool(call.data["empty"])
        for peripheral in air.peripherals.values():
            peripheral.machine.set_tank_empty(empty)
        household = lamarzocco_cloud.household
        for machine in household.machines.values():
            machine.tank_ok = not empty
            household.changed(machine)

    hass.services.async_register(
        DOMAIN, "set_water_tank", _set_water_tank, vol.Schema({vol.Required("empty"): bool})
    )

    async def _stop(_event: Event) -> None:
        stop()
        await lamarzocco_cloud.stop()

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _stop)
    _LOGGER.info("Simulated Bluetooth proxy with %d machines started", len(air.peripherals))
    return True
