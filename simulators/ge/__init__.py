"""A loopback SmartHQ cloud for tests and demos: sign-in, the websocket and a household.

Run it with ``python -m simulators.ge``.
"""

from __future__ import annotations

from .server import DEFAULT_ACCOUNT, RequestRecord, SmartHqSimulator

__all__ = ["DEFAULT_ACCOUNT", "RequestRecord", "SmartHqSimulator"]
