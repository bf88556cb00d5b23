"""The development field that points a cloud brand's sign-in at a loopback simulator.

Only a flow started in advanced mode, or any flow on a Home Assistant that the development
helper (``simulators/devsim``, never shipped) has marked, shows it; every other user signs in
to the brand's own cloud. Each cloud brand (GE, La Marzocco) offers it the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import TextSelector, TextSelectorConfig, TextSelectorType
from homeassistant.util.hass_dict import HassKey
import probatio as vol
from yarl import URL

CONF_ADVANCED: Final = "advanced"
CONF_SERVER: Final = "server"
# The flow context key of Home Assistant's advanced mode. The flow's own property says True
# for every flow while it is deprecated, so the context is read instead.
ADVANCED_MODE: Final = "show_advanced_options"
# Set by the development helper's setup. The frontend never starts a flow in advanced mode,
# so without it the simulators could not be signed in to from the UI.
DEVELOPMENT_MARKER: Final[HassKey[bool]] = HassKey("kitchen_connect_development")


def wants_server_field(hass: HomeAssistant, context: Mapping[str, object]) -> bool:
    """Whether to offer the field: advanced mode or a development Home Assistant.

    Only a simulator needs it.
    """
    return context.get(ADVANCED_MODE) is True or hass.data.get(DEVELOPMENT_MARKER) is True


def server_section(default: str) -> Any:
    """The collapsed *Development* section with the server field."""
    server = vol.Optional(CONF_SERVER, default=default or "")
    return section(
        vol.Schema({server: TextSelector(TextSelectorConfig(type=TextSelectorType.URL))}),
        {"collapsed": not default},
    )


def is_valid_server(value: str) -> bool:
    """An ``http(s)://host[:port]`` base URL without a path."""
    try:
        url = URL(value)
    except ValueError:
        return False
    return url.scheme in ("http", "https") and bool(url.host) and url.path in ("", "/")


def server_from_input(user_input: dict[str, Any], defaults: Mapping[str, Any]) -> str:
    """The server the form asked for (and removes the section from the input).

    Without the section a new entry signs in to the brand's own cloud and an entry signing in
    again stays with the server it was set up with.
    """
    advanced = user_input.pop(CONF_ADVANCED, defaults)
    return str(advanced.get(CONF_SERVER) or "").strip()
