"""Constants of GS/3 and Linea Mini machines on the raw TCP protocol (port 1774)."""

from __future__ import annotations

from typing import Final

# The machine holds one connection and the official app needs it too. A session (connect,
# read nine blocks, listen for temperature reports, hang up) holds it about five seconds;
# once a minute that leaves the app the machine more than nine tenths of the time, and
# when the app finds it busy its own retry gets through seconds later. Boiler
# temperatures and settings that change a few times a day need no faster pace.
DEFAULT_SESSION_INTERVAL: Final = 60
# Below 20 s the app would find the machine busy every fourth try; above an hour the
# values are stale enough to mislead.
SESSION_INTERVAL_RANGE: Final = (20, 3600)
# How long each session listens for the temperature reports the machine pushes.
LISTEN_SECONDS: Final = 4.0
# Each request of a session, and connecting, must be answered within this time.
REQUEST_TIMEOUT: Final = 4.0
# The config flow's probe gives up after this long.
PROBE_TIMEOUT: Final = 10.0
