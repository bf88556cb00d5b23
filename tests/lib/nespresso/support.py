"""Shared values and the client factory of the client and backend tests."""

from __future__ import annotations

from custom_components.kitchen_connect.kitchenlib.nespresso import auth
from custom_components.kitchen_connect.kitchenlib.nespresso.client import NespressoClient
from custom_components.kitchen_connect.kitchenlib.nespresso.gatt import OriginalModel
from custom_components.kitchen_connect.kitchenlib.nespresso.link import Timeouts, bleak_connector
from simulators.nespresso.backend import SimulatedAir, SimulatedPeripheral

KEY = auth.derive_key("A1B2C3D4E5F60718293A4B5C6D7E8F90")
OTHER_KEY = auth.parse_key("888cd4d9403865e1")
ADDRESS = "D2:A7:4C:76:F3:E0"
# Short enough for fast tests, long enough for a loaded CI runner.
FAST = Timeouts(connect=1.0, bond=0.5, gatt=0.3, response=0.3, disconnect=0.3)


def make_client(
    air: SimulatedAir,
    peripheral: SimulatedPeripheral,
    key: bytes = KEY,
    *,
    model: OriginalModel = OriginalModel.EXPERT,
    timeouts: Timeouts = FAST,
) -> NespressoClient:
    """A client for ``peripheral``, connecting through the real establish_connection."""
    connector = bleak_connector(peripheral.ble_device, max_attempts=1, backend=air.backend())
    return NespressoClient(connector, key, model=model, timeouts=timeouts)
