"""Run Home Assistant with the Jura network scan aimed at 127.0.0.1 instead of broadcast.

The browser tests may send nothing beyond loopback; the config flow's scan target and port
are class attributes for exactly this, as is the pairing timeout, shortened so that a test
can wait for it. Everything else is Home Assistant's own ``main``.
Usage: python -m tests.browser.hass_main SCAN_PORT --config DIR
"""

from __future__ import annotations

from pathlib import Path
import sys

# Long enough to press OK in the tests that do; short enough to wait for in the one that doesn't.
JURA_PAIRING_TIMEOUT_S = 6.0


def main() -> int:
    """Aim the scan, then hand the remaining arguments to Home Assistant."""
    scan_port = int(sys.argv.pop(1))
    config_dir = Path(sys.argv[sys.argv.index("--config") + 1]).resolve()
    # Where Home Assistant itself finds custom_components, so both imports are one module.
    sys.path.insert(0, str(config_dir))
    from custom_components.kitchen_connect.jura.config_flow import JuraFlow

    JuraFlow.discovery_target = "127.0.0.1"
    JuraFlow.discovery_port = scan_port
    JuraFlow.pairing_timeout = JURA_PAIRING_TIMEOUT_S

    from homeassistant.__main__ import main as hass_main

    return hass_main()


if __name__ == "__main__":
    sys.exit(main())
