"""The La Marzocco part of the development helper: the cloud and the machines' Bluetooth.

The simulated cloud runs inside Home Assistant's process so that its machines and their
Bluetooth peripherals share one state: a change made over Bluetooth shows in the cloud's
pushes, and a shot started in the cloud runs the Bluetooth shot counter.
"""

from __future__ import annotations

import logging
import os
from typing import Final

from homeassistant.core import HomeAssistant

from custom_components.kitchen_connect.const import CONF_BRAND, DOMAIN
from custom_components.kitchen_connect.kitchenlib.lamarzocco.installation import InstallationKey
from custom_components.kitchen_connect.lamarzocco.const import BRAND_KEY, CONF_INSTALLATION_KEY
from simulators.ha_bluetooth import SimulatedScanner, async_drop_discovery
from simulators.lamarzocco.household import default_household
from simulators.lamarzocco.peripheral import LaMarzoccoAir
from simulators.lamarzocco.server import LaMarzoccoCloudSimulator

# scripts/develop_setup.py stores entries pointing here.
DEFAULT_PORT: Final = 8767
PORT_VARIABLE: Final = "KC_LM_SIM_PORT"
# Home Assistant's own integration matches the same Bluetooth names; without its library it
# would only log errors for every simulated advert.
CORE_DOMAIN: Final = "lamarzocco"

_LOGGER = logging.getLogger(__name__)


def simulator_port() -> int:
    """The port of the simulated cloud (the environment can move it)."""
    return int(os.environ.get(PORT_VARIABLE, DEFAULT_PORT))


async def async_start(hass: HomeAssistant, scanner: SimulatedScanner) -> LaMarzoccoCloudSimulator:
    """Start the cloud, trust the entries' installation keys, put the machines on the air."""
    simulator = LaMarzoccoCloudSimulator(household=default_household(), tick_interval=0.5)
    await simulator.start(simulator_port())
    for entry in hass.config_entries.async_entries(DOMAIN):
        # Entries of machines reached on the local network have no installation key.
        if entry.data.get(CONF_BRAND) == BRAND_KEY and CONF_INSTALLATION_KEY in entry.data:
            # What the integration's config flow did once, against the cloud of that run.
            key = InstallationKey.from_dict(entry.data[CONF_INSTALLATION_KEY])
            simulator.auth.register(*key.init_request())
    air = LaMarzoccoAir.for_household(simulator.household)
    for peripheral in air.peripherals.values():
        scanner.add(peripheral)
    await async_drop_discovery(hass, CORE_DOMAIN)
    _LOGGER.info(
        "Simulated La Marzocco cloud at %s with %d machines on the air",
        simulator.base_url,
        len(air.peripherals),
    )
    return simulator
