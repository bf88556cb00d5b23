"""The raw TCP protocol of GS/3 and Linea Mini machines on the oldest gateways (port 1774).

AES-framed ASCII-hex peeks and pokes into the machine's memory map. The machine takes one
connection at a time and the official app needs it too, so the client opens short sessions.
"""

from .client import DirectClient, DirectSession, MachineBusyError, Snapshot
from .memory import (
    Config,
    DrinkStats,
    FlowReport,
    PanelText,
    Preinfusion,
    Schedule,
    Status,
    Temperatures,
    Usage,
)

__all__ = [
    "Config",
    "DirectClient",
    "DirectSession",
    "DrinkStats",
    "FlowReport",
    "MachineBusyError",
    "PanelText",
    "Preinfusion",
    "Schedule",
    "Snapshot",
    "Status",
    "Temperatures",
    "Usage",
]
