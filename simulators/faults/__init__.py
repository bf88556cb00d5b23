"""Fault injection for every brand's tests: a loopback proxy and a Bluetooth link layer.

Development only; nothing here ships with the integration.
"""

from .bluetooth import BluetoothFaultInjector
from .framing import Framing
from .proxy import FaultProxy, ProxyStats
from .schedule import CUTTING, Fault, FaultKind, FaultSchedule, Scheduled

__all__ = [
    "CUTTING",
    "BluetoothFaultInjector",
    "Fault",
    "FaultKind",
    "FaultProxy",
    "FaultSchedule",
    "Framing",
    "ProxyStats",
    "Scheduled",
]
