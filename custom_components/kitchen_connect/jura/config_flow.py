"""Config, reauth, reconfigure and options steps for Jura machines (Smart Connect WiFi)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
import secrets
from typing import Any, Final

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    ConfigEntry,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_HOST, CONF_PIN, CONF_PORT, CONF_TOKEN, UnitOfTime
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol

from ..const import CONF_BRAND
from ..kitchenlib.errors import (
    AuthError,
    CommandRefusedError,
    ConnectionFailedError,
    ProtocolError,
)
from ..kitchenlib.jura.discovery import DISCOVERY_PORT, async_discover, async_poll_status
from ..kitchenlib.jura.machine import PAIRING_TIMEOUT, async_pair
from ..kitchenlib.jura.models import DiscoveredMachine, MachineProfile
from ..kitchenlib.jura.profiles import (
    ef_code_from_machine_firmware,
    get_profile,
    model_choices,
    profile_for_article,
    resolve_profile,
)
from ..spec import BrandFlow
from .const import (
    BRAND_KEY,
    CONF_ARTICLE,
    CONF_CONN_ID,
    CONF_MACHINE_ID,
    CONF_MODEL,
    DEFAULT_COUNTER_INTERVAL,
    DEFAULT_PRODUCT_COUNTER_INTERVAL,
    DEFAULT_RECONNECT_GAP,
    OPTION_COUNTER_INTERVAL,
    OPTION_PRODUCT_COUNTER_INTERVAL,
    OPTION_RECONNECT_GAP,
)
from .entry_data import machine_from_entry

CONF_ADVANCED: Final = "advanced"
CONF_MACHINE: Final = "machine"

# Machines that never answer UDP (dongle firmware V06.11) get an id derived from our
# conn-id, which is unique per pairing; the IP alone would change with DHCP.
NO_UDP_ID_PREFIX: Final = "jura-"
CONN_ID_PREFIX: Final = "ha-"
UNKNOWN_MODEL_TITLE: Final = "Jura coffee machine"
# How long a submitted form waits for a pairing outcome before it shows the progress
# step, and how long that step lasts at least: long enough for the dialog to listen.
PAIRING_GRACE: Final = 1.5
PROGRESS_HOLD: Final = 1.5

DEFAULT_OPTIONS: Final[Mapping[str, int]] = {
    OPTION_COUNTER_INTERVAL: DEFAULT_COUNTER_INTERVAL,
    OPTION_PRODUCT_COUNTER_INTERVAL: DEFAULT_PRODUCT_COUNTER_INTERVAL,
    OPTION_RECONNECT_GAP: DEFAULT_RECONNECT_GAP,
}

_PIN_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_PORT_SECTION = section(
    vol.Schema(
        {
            vol.Required(CONF_PORT, default=DISCOVERY_PORT): NumberSelector(
                NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX)
            )
        }
    ),
    {"collapsed": True},
)
_ADDRESS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_HOST): TextSelector(),
        vol.Required(CONF_ADVANCED): _PORT_SECTION,
    }
)
_MANUAL_SCHEMA = _ADDRESS_SCHEMA.extend({vol.Optional(CONF_PIN): _PIN_SELECTOR})
_PIN_SCHEMA = vol.Schema({vol.Optional(CONF_PIN): _PIN_SELECTOR})


def _minutes(minimum: int) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum,
            max=1440,
            step=1,
            mode=NumberSelectorMode.BOX,
            unit_of_measurement=UnitOfTime.MINUTES,
        )
    )


_OPTIONS_SCHEMA = vol.Schema(
    {
        vol.Required(OPTION_COUNTER_INTERVAL): _minutes(1),
        vol.Required(OPTION_PRODUCT_COUNTER_INTERVAL): _minutes(5),
        vol.Required(OPTION_RECONNECT_GAP): NumberSelector(
            NumberSelectorConfig(
                min=0,
                max=120,
                step=1,
                mode=NumberSelectorMode.BOX,
                unit_of_measurement=UnitOfTime.SECONDS,
            )
        ),
    }
)


@dataclass(slots=True)
class _Pairing:
    """Where and how to pair, and what came back."""

    host: str
    port: int
    pin: str
    machine: DiscoveredMachine | None = None  # the UDP reply, when the dongle sent one
    conn_id: str = ""
    token: str = ""


def _new_conn_id() -> str:
    # Fresh for every pairing: a paired conn-id asking again is refused with ABORTED.
    return CONN_ID_PREFIX + secrets.token_hex(4)


def _input_errors(host: str | None, pin: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if host is not None and not host:
        errors[CONF_HOST] = "jura_invalid_host"
    if pin and not (pin.isascii() and pin.isdigit()):
        errors[CONF_PIN] = "jura_invalid_pin"
    return errors


def _address(user_input: Mapping[str, Any]) -> tuple[str, int]:
    return str(user_input[CONF_HOST]).strip(), int(user_input[CONF_ADVANCED][CONF_PORT])


def _pin(user_input: Mapping[str, Any]) -> str:
    return str(user_input.get(CONF_PIN, "")).strip()


def _model_title(profile: MachineProfile) -> str:
    return UNKNOWN_MODEL_TITLE if profile.is_baseline else f"Jura {profile.name}"


def _machine_label(machine: DiscoveredMachine) -> str:
    profile = resolve_profile(article=machine.article)
    return f"{machine.name or _model_title(profile)} ({machine.host})"


async def _async_outlast(attempt: asyncio.Task[str], hold: float) -> None:
    """End once ``attempt`` has, but not sooner than ``hold`` seconds from now."""
    await asyncio.sleep(hold)
    await asyncio.wait((attempt,))


class JuraFlow(BrandFlow):
    """The Jura steps of the integration's config flow.

    The broadcast target, ports and timeouts are class attributes so that tests
    can point them at a loopback simulator.
    """

    discovery_target: str = "255.255.255.255"
    discovery_port: int = DISCOVERY_PORT
    discovery_timeout: float = 3.0
    poll_timeout: float = 1.5
    pairing_timeout: float = PAIRING_TIMEOUT
    pairing_grace: float = PAIRING_GRACE
    progress_hold: float = PROGRESS_HOLD

    _jura_found: dict[str, DiscoveredMachine]
    _jura_pairing: _Pairing
    _jura_form: str  # the form that pairing errors return to
    _jura_input: Mapping[str, Any] | None = None  # last submitted form, to refill it
    _jura_attempt: asyncio.Task[str] | None = None
    _jura_progress: asyncio.Task[None] | None = None
    _jura_error: str | None = None

    async def async_step_jura(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Look for machines on the local network; offer them, else ask for an address."""
        found = await async_discover(
            target=self.discovery_target, port=self.discovery_port, timeout=self.discovery_timeout
        )
        known_ids = self.flow._async_current_ids(include_ignore=False)
        known_endpoints = {
            (entry.data.get(CONF_HOST), entry.data.get(CONF_PORT))
            for entry in self.flow._async_current_entries(include_ignore=False)
        }
        self._jura_found = {
            machine.unique_id: machine
            for machine in found
            if machine.unique_id not in known_ids
            and (machine.host, self.discovery_port) not in known_endpoints
        }
        if not self._jura_found:
            return await self.async_step_jura_manual()
        return self.flow.async_show_menu(
            step_id="jura",
            menu_options=["jura_discovered", "jura_manual"],
            description_placeholders={"count": str(len(self._jura_found))},
        )

    async def async_step_jura_discovered(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick one of the machines that answered the scan."""
        errors = self._jura_take_errors()
        if user_input is not None:
            pin = _pin(user_input)
            if not (errors := _input_errors(None, pin)):
                machine = self._jura_found[user_input[CONF_MACHINE]]
                # The dongle serves TCP on the port it answered UDP on (51515).
                pairing = _Pairing(machine.host, self.discovery_port, pin, machine)
                return await self._async_jura_begin("jura_discovered", user_input, pairing)
        schema = vol.Schema(
            {
                vol.Required(CONF_MACHINE): SelectSelector(
                    SelectSelectorConfig(
                        options=[
                            SelectOptionDict(value=unique_id, label=_machine_label(machine))
                            for unique_id, machine in self._jura_found.items()
                        ],
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Optional(CONF_PIN): _PIN_SELECTOR,
            }
        )
        suggested = user_input or self._jura_input or {CONF_MACHINE: next(iter(self._jura_found))}
        return self.flow.async_show_form(
            step_id="jura_discovered",
            data_schema=self.flow.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
        )

    async def async_step_jura_manual(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the machine's address (and PIN, if it has one)."""
        errors = self._jura_take_errors()
        if user_input is not None:
            host, port = _address(user_input)
            pin = _pin(user_input)
            if not (errors := _input_errors(host, pin)):
                machine = await self._async_jura_poll(host, port)
                pairing = _Pairing(host, port, pin, machine)
                return await self._async_jura_begin("jura_manual", user_input, pairing)
        return self.flow.async_show_form(
            step_id="jura_manual",
            data_schema=self.flow.add_suggested_values_to_schema(
                _MANUAL_SCHEMA, user_input or self._jura_input
            ),
            errors=errors,
        )

    async def _async_jura_begin(
        self, form: str, user_input: Mapping[str, Any], pairing: _Pairing
    ) -> ConfigFlowResult:
        """Claim the machine's unique id, then start pairing."""
        pairing.conn_id = _new_conn_id()
        if pairing.machine is not None:
            await self.flow.async_set_unique_id(pairing.machine.unique_id)
            # A known machine that moved to another address: follow it.
            self.flow._abort_if_unique_id_configured(
                updates={CONF_HOST: pairing.host, CONF_PORT: pairing.port}
            )
        else:
            await self.flow.async_set_unique_id(NO_UDP_ID_PREFIX + pairing.conn_id)
        self.flow._async_abort_entries_match({CONF_HOST: pairing.host, CONF_PORT: pairing.port})
        self._jura_form = form
        self._jura_input = user_input
        self._jura_pairing = pairing
        return await self.async_step_jura_pair()

    async def async_step_jura_pair(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pair: wait while the user confirms on the machine's display, unless it answers at once.

        Home Assistant's dialog listens for the end of a progress step only once it
        has shown that step, so an end that came sooner would be lost and the dialog
        would spin for ever. An outcome within ``pairing_grace`` is therefore shown
        at once, without a progress step, and a progress step lasts at least
        ``progress_hold``.
        """
        if self._jura_attempt is None:
            attempt = self._jura_attempt = self._jura_start_pairing()
            await asyncio.wait((attempt,), timeout=self.pairing_grace)
            if attempt.done():
                return await self._async_jura_show(self._jura_outcome())
            self._jura_progress = self.hass.async_create_task(
                _async_outlast(attempt, self.progress_hold), name="jura-pair-progress"
            )
        if self._jura_progress is not None and not self._jura_progress.done():
            return self.flow.async_show_progress(
                step_id="jura_pair",
                progress_action="jura_pair",
                progress_task=self._jura_progress,
                description_placeholders={"timeout": str(round(self.pairing_timeout))},
            )
        return self.flow.async_show_progress_done(next_step_id=self._jura_outcome())

    def _jura_start_pairing(self) -> asyncio.Task[str]:
        pairing = self._jura_pairing
        return self.hass.async_create_task(
            async_pair(
                pairing.host,
                conn_id=pairing.conn_id,
                pin=pairing.pin,
                port=pairing.port,
                timeout=self.pairing_timeout,
            ),
            name=f"jura-pair-{pairing.host}",
        )

    def _jura_outcome(self) -> str:
        """Take the finished pairing's result; return the step that shows it."""
        attempt, self._jura_attempt, self._jura_progress = self._jura_attempt, None, None
        assert attempt is not None
        if attempt.cancelled():
            # Only an abandoned flow cancels it; nobody sees what follows.
            self._jura_error = "jura_cannot_connect"
            return self._jura_form
        try:
            self._jura_pairing.token = attempt.result()
        except AuthError:
            self._jura_error = "jura_wrong_pin"
        except CommandRefusedError:
            self._jura_error = "jura_pairing_refused"
        except TimeoutError:
            self._jura_error = "jura_pairing_timeout"
        except ConnectionFailedError, ProtocolError:
            self._jura_error = "jura_cannot_connect"
        else:
            return "jura_paired"
        return self._jura_form

    async def _async_jura_show(self, step_id: str) -> ConfigFlowResult:
        """What the step ``step_id`` shows before any input."""
        step: Callable[[], Awaitable[ConfigFlowResult]] = getattr(self, f"async_step_{step_id}")
        return await step()

    def async_remove(self) -> None:
        """Hang up a pairing the user walked away from, rather than let it run out."""
        if self._jura_attempt is not None:
            self._jura_attempt.cancel()

    async def async_step_jura_paired(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Store the new pairing: update the entry on reauth, else ask for the model."""
        pairing = self._jura_pairing
        if self.flow.source == SOURCE_REAUTH:
            return self.flow.async_update_reload_and_abort(
                self.flow._get_reauth_entry(),
                data_updates={
                    CONF_CONN_ID: pairing.conn_id,
                    CONF_TOKEN: pairing.token,
                    CONF_PIN: pairing.pin,
                },
            )
        return await self.async_step_jura_model()

    async def async_step_jura_model(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the model unless the UDP reply's article number already told us."""
        machine = self._jura_pairing.machine
        known = profile_for_article(machine.article) if machine is not None else None
        if known is not None:
            return self._async_jura_create_entry(known.ef_code)
        if user_input is not None:
            return self._async_jura_create_entry(user_input.get(CONF_MODEL) or None)
        schema = vol.Schema(
            {
                vol.Optional(CONF_MODEL): SelectSelector(
                    SelectSelectorConfig(
                        options=[
                            SelectOptionDict(value=ef_code, label=label)
                            for ef_code, label in model_choices()
                        ],
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                )
            }
        )
        # The type string in the UDP reply names the EF code, though not its variant.
        hinted = get_profile(
            (machine and ef_code_from_machine_firmware(machine.machine_firmware)) or ""
        )
        return self.flow.async_show_form(
            step_id="jura_model",
            data_schema=self.flow.add_suggested_values_to_schema(
                schema, {CONF_MODEL: hinted.ef_code} if hinted else None
            ),
        )

    def _async_jura_create_entry(self, model: str | None) -> ConfigFlowResult:
        pairing = self._jura_pairing
        machine = pairing.machine
        article = machine.article if machine is not None else None
        # Another flow may have added the machine while this one waited for OK.
        self.flow._abort_if_unique_id_configured()
        title = (machine and machine.name) or _model_title(
            resolve_profile(ef_code=model, article=article)
        )
        return self.flow.async_create_entry(
            title=title,
            data={
                CONF_BRAND: BRAND_KEY,
                CONF_HOST: pairing.host,
                CONF_PORT: pairing.port,
                CONF_CONN_ID: pairing.conn_id,
                CONF_TOKEN: pairing.token,
                CONF_PIN: pairing.pin,
                CONF_MODEL: model,
                CONF_ARTICLE: article,
                CONF_MACHINE_ID: self.flow.unique_id,
            },
            options=dict(DEFAULT_OPTIONS),
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The machine rejected the stored pairing."""
        return await self.async_step_jura_reauth_confirm()

    async def async_step_jura_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pair again, with a fresh conn-id, at the stored address."""
        entry = self.flow._get_reauth_entry()
        host, port = entry.data[CONF_HOST], entry.data.get(CONF_PORT, DISCOVERY_PORT)
        errors = self._jura_take_errors()
        if user_input is not None:
            pin = _pin(user_input)
            if not (errors := _input_errors(None, pin)):
                await self._async_jura_verify_udp(entry, host, port)
                self._jura_form = "jura_reauth_confirm"
                self._jura_input = user_input
                self._jura_pairing = _Pairing(host, port, pin, conn_id=_new_conn_id())
                return await self.async_step_jura_pair()
        suggested = user_input or self._jura_input or {CONF_PIN: entry.data.get(CONF_PIN, "")}
        return self.flow.async_show_form(
            step_id="jura_reauth_confirm",
            data_schema=self.flow.add_suggested_values_to_schema(_PIN_SCHEMA, suggested),
            errors=errors,
            description_placeholders={"host": host},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Home Assistant's reconfigure entry point: the address form."""
        return await self.async_step_jura_reconfigure(user_input)

    async def async_step_jura_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Move the entry to a new address once the machine there proves to be ours."""
        entry = self.flow._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            host, port = _address(user_input)
            if not (errors := _input_errors(host, "")):
                self.flow._async_abort_entries_match({CONF_HOST: host, CONF_PORT: port})
                error = None
                if not await self._async_jura_verify_udp(entry, host, port):
                    error = await self._async_jura_check_token(entry, host, port)
                if error is None:
                    return self.flow.async_update_reload_and_abort(
                        entry, data_updates={CONF_HOST: host, CONF_PORT: port}
                    )
                errors["base"] = error
        suggested = user_input or {
            CONF_HOST: entry.data[CONF_HOST],
            CONF_ADVANCED: {CONF_PORT: entry.data.get(CONF_PORT, DISCOVERY_PORT)},
        }
        return self.flow.async_show_form(
            step_id="jura_reconfigure",
            data_schema=self.flow.add_suggested_values_to_schema(_ADDRESS_SCHEMA, suggested),
            errors=errors,
        )

    async def _async_jura_poll(self, host: str, port: int) -> DiscoveredMachine | None:
        try:
            return await async_poll_status(host, port=port, timeout=self.poll_timeout)
        except ConnectionFailedError:
            return None  # dongles with V06.11 firmware never answer UDP

    async def _async_jura_verify_udp(self, entry: ConfigEntry, host: str, port: int) -> bool:
        """Compare the UDP identity at ``host`` with the entry's; abort on a mismatch.

        False when UDP cannot tell: the machine is silent or the entry's id did not
        come from UDP.
        """
        if not entry.unique_id or entry.unique_id.startswith(NO_UDP_ID_PREFIX):
            return False
        machine = await self._async_jura_poll(host, port)
        if machine is None:
            return False
        await self.flow.async_set_unique_id(machine.unique_id, raise_on_progress=False)
        self.flow._abort_if_unique_id_mismatch()
        return True

    async def _async_jura_check_token(self, entry: ConfigEntry, host: str, port: int) -> str | None:
        """Log in at ``host`` with the stored pairing; only our machine accepts it."""
        machine = machine_from_entry(entry.data, entry.options, host=host, port=port)
        try:
            await machine.connect()
        except AuthError:
            return "jura_wrong_machine"
        except ConnectionFailedError:
            return "jura_cannot_connect"
        await machine.disconnect()
        return None

    def _jura_take_errors(self) -> dict[str, str]:
        """The pairing error to show on the form it returned to, shown once."""
        error, self._jura_error = self._jura_error, None
        return {"base": error} if error else {}


class JuraOptionsFlow(OptionsFlowWithReload):
    """How often to read counters, and how long to wait between sessions."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Options steps carry the brand in their id, as the translations are shared."""
        return await self.async_step_jura()

    async def async_step_jura(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and store the three cadences."""
        if user_input is not None:
            return self.async_create_entry(
                data={key: int(value) for key, value in user_input.items()}
            )
        return self.async_show_form(
            step_id="jura",
            data_schema=self.add_suggested_values_to_schema(
                _OPTIONS_SCHEMA, {**DEFAULT_OPTIONS, **self.config_entry.options}
            ),
        )
