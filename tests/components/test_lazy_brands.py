"""A brand's package loads when an entry of that brand needs it, never before.

Each check runs in a fresh interpreter: the test process itself has imported every brand.
"""

from __future__ import annotations

import json
from pathlib import Path
import subprocess
import sys
import textwrap

import pytest

ROOT = Path(__file__).parents[2]
PACKAGE = "custom_components.kitchen_connect"
BRAND_PACKAGES = ("jura", "ge", "lamarzocco", "nespresso")

# Sets up one Jura entry against the simulator in a Home Assistant of its own, then
# prints which brand packages (and GE's ERD tables) the process has imported.
_JURA_ONLY = textwrap.dedent(
    """
    import asyncio, json, sys, tempfile

    from homeassistant import loader
    from homeassistant.config_entries import ConfigEntryState
    from pytest_homeassistant_custom_component.common import (
        MockConfigEntry,
        async_test_home_assistant,
    )

    import custom_components.kitchen_connect
    from custom_components.kitchen_connect.kitchenlib.jura.machine import async_pair
    from custom_components.kitchen_connect.kitchenlib.jura.profiles import get_profile
    from simulators.jura.simulator import JuraSimulator

    PACKAGE = "custom_components.kitchen_connect"

    def imported():
        return sorted(
            name for name in sys.modules
            if name.split(".")[2:3] in (["jura"], ["ge"], ["lamarzocco"], ["nespresso"])
            and name.startswith(PACKAGE + ".")
            or name == PACKAGE + ".kitchenlib.ge.erd"
        )

    async def main():
        after_import = imported()
        simulator = JuraSimulator(get_profile("EF1091"), auto_confirm_pairing=True)
        await simulator.start()
        token = await async_pair(
            simulator.host, conn_id="lazy", pin=simulator.pin, port=simulator.port
        )
        data = {
            "brand": "jura", "host": simulator.host, "port": simulator.port,
            "conn_id": "lazy", "token": token, "pin": simulator.pin,
            "model": "EF1091", "article": None, "machine_id": "15480-1-4242",
        }
        with tempfile.TemporaryDirectory() as config_dir:
            async with async_test_home_assistant(config_dir=config_dir) as hass:
                hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
                entry = MockConfigEntry(
                    domain="kitchen_connect", title="Kaffeebert", unique_id="m", data=data
                )
                entry.add_to_hass(hass)
                await hass.config_entries.async_setup(entry.entry_id)
                await hass.async_block_till_done()
                loaded = entry.state is ConfigEntryState.LOADED
                entities = len(hass.states.async_entity_ids())
                await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_stop(force=True)
        await simulator.stop()
        print(json.dumps({
            "after_import": after_import,
            "after_setup": imported(),
            "loaded": loaded,
            "entities": entities,
        }))

    asyncio.run(main())
    """
)


def _run(script: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


@pytest.mark.parametrize("package", [PACKAGE, f"{PACKAGE}.config_flow"])
def test_importing_the_integration_loads_no_brand(package: str) -> None:
    """Home Assistant imports the integration and its config flow at startup: no brand yet."""
    found = _run(
        f"import json, sys, {package}\n"
        f"print(json.dumps({{'brands': sorted(m for m in sys.modules "
        f"if m.split('.')[2:3] and m.split('.')[2] in {list(BRAND_PACKAGES)!r} "
        f"and m.startswith('{PACKAGE}.'))}}))"
    )
    assert found == {"brands": []}


def test_a_jura_only_home_never_loads_the_other_brands() -> None:
    """Setting up a Jura entry imports Jura's package, and not GE's ERD tables or the rest."""
    found = _run(_JURA_ONLY)
    assert found["loaded"] is True
    assert isinstance(found["entities"], int)
    assert found["entities"] > 10
    assert found["after_import"] == []
    after_setup = found["after_setup"]
    assert isinstance(after_setup, list)
    assert f"{PACKAGE}.jura" in after_setup
    assert [name for name in after_setup if not name.startswith(f"{PACKAGE}.jura")] == []
