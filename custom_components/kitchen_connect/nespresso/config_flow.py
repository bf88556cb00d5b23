"""Config and reauth steps for Nespresso machines (Bluetooth LE).

A machine keeps every key it is ever given in write-once storage and stops pairing
after about 25, so these steps never pair on their own: a machine that has a key is
only ever given that key back (imported by the user), and one without a key is paired
only after the user confirmed the hazard twice and the machine, on that very link,
reported "no key" twice. Reauthentication only asks for the key again.
"""

from __future__ import annotations

from collections.abc import Mapping
import contextlib
import secrets
from typing import Any, Final

from homeassistant.components.bluetooth import (
    BluetoothServiceInfoBleak,
    async_discovered_service_info,
)
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.const import CONF_ADDRESS
from homeassistant.helpers.device_registry import format_mac
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol

from ..const import CONF_BRAND
from ..kitchenlib import InvalidValueError, KitchenError
from ..kitchenlib.nespresso.auth import (
    SEED_HEX_LENGTH,
    derive_key,
    key_from_credential,
    normalise_seed,
)
from ..kitchenlib.nespresso.errors import (
    KeyRejectedError,
    NotOnboardedError,
    OnboardingRefusedError,
)
from ..kitchenlib.nespresso.gatt import family_from_model_name, match_advertisement, model_name
from ..kitchenlib.nespresso.models import Family, KeyState
from ..spec import BrandFlow
from .connection import client_for
from .const import BRAND_KEY, CONF_FAMILY, CONF_KEY, CONF_MODEL, CONF_SEED

CONF_CREDENTIAL: Final = "credential"
CONF_UNDERSTOOD: Final = "understood"
FAMILY_NAMES: Final[Mapping[Family | None, str]] = {
    Family.ORIGINAL: "Original (Expert, Prodigio)",
    Family.VERTUO: "Vertuo",
    None: "?",
}
_CREDENTIAL_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_CREDENTIAL): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        )
    }
)


def is_nespresso_advert(service_info: BluetoothServiceInfoBleak) -> bool:
    """Whether a Bluetooth discovery is a Nespresso machine this brand can talk to."""
    return (
        match_advertisement(service_info.service_uuids, service_info.manufacturer_data) is not None
    )


def _label(service_info: BluetoothServiceInfoBleak) -> str:
    return f"Nespresso {model_name(service_info.name) or 'machine'}"


async def _check_key(flow: NespressoFlow, key: bytes) -> str | None:
    """Try the key with a protected read; the error key when it does not work."""
    client = client_for(flow.hass, flow.address, key, flow.model)
    try:
        await client.read_details()
    except KeyRejectedError:
        return "nespresso_key_rejected"
    except NotOnboardedError:
        return "nespresso_machine_has_no_key"
    except KitchenError:
        return "nespresso_cannot_connect"
    return None


def _credential(user_input: Mapping[str, Any]) -> tuple[bytes, dict[str, str]] | None:
    """The key and what to store of it (the seed too, when one was given)."""
    text = str(user_input[CONF_CREDENTIAL])
    try:
        key = key_from_credential(text)
    except InvalidValueError:
        return None
    stored = {CONF_KEY: key.hex()}
    with contextlib.suppress(InvalidValueError):
        stored[CONF_SEED] = normalise_seed(text)
    return key, stored


class NespressoFlow(BrandFlow):
    """The Nespresso steps of the integration's config flow."""

    address: str = ""
    model: str | None = None
    _family: Family | None = None
    _key_state: KeyState | None = None
    _discovered: dict[str, BluetoothServiceInfoBleak]

    # -- finding the machine ---------------------------------------------------------------

    async def async_step_bluetooth(
        self, discovery_info: BluetoothServiceInfoBleak
    ) -> ConfigFlowResult:
        """A machine's advert matched the manifest."""
        await self.flow.async_set_unique_id(format_mac(discovery_info.address))
        self.flow._abort_if_unique_id_configured()
        self._take(discovery_info)
        self.flow.context["title_placeholders"] = {"name": _label(discovery_info)}
        return await self.async_step_nespresso_confirm()

    async def async_step_nespresso(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick one of the machines Home Assistant's Bluetooth currently hears."""
        if user_input is not None:
            info = self._discovered[user_input[CONF_ADDRESS]]
            await self.flow.async_set_unique_id(format_mac(info.address), raise_on_progress=False)
            self.flow._abort_if_unique_id_configured()
            self._take(info)
            return await self.async_step_nespresso_confirm()
        configured = self.flow._async_current_ids(include_ignore=False)
        self._discovered = {
            info.address: info
            for info in async_discovered_service_info(self.hass, connectable=True)
            if is_nespresso_advert(info) and format_mac(info.address) not in configured
        }
        if not self._discovered:
            return self.flow.async_abort(reason="nespresso_no_devices_found")
        options = [
            SelectOptionDict(value=address, label=f"{_label(info)} ({address})")
            for address, info in self._discovered.items()
        ]
        return self.flow.async_show_form(
            step_id="nespresso",
            data_schema=vol.Schema(
                {vol.Required(CONF_ADDRESS): SelectSelector(SelectSelectorConfig(options=options))}
            ),
        )

    def _take(self, info: BluetoothServiceInfoBleak) -> None:
        self.address = info.address
        self.model = model_name(info.name)
        self._family = family_from_model_name(self.model)

    async def async_step_nespresso_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the machine and its family; connect (without any key) only once confirmed.

        Discovery runs this step in the background, so nothing here connects until the
        user submits it.
        """
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = await self._probe()
            if not errors:
                return await self.async_step_nespresso_setup()
        return self.flow.async_show_form(
            step_id="nespresso_confirm",
            errors=errors,
            description_placeholders=self._placeholders(),
        )

    async def async_step_nespresso_setup(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer pairing only to a machine that reported no key; otherwise ask for its key."""
        if self._key_state is not KeyState.NONE:
            return await self.async_step_nespresso_key()
        return self.flow.async_show_menu(
            step_id="nespresso_setup",
            menu_options=["nespresso_key", "nespresso_pair"],
            description_placeholders=self._placeholders(),
        )

    async def _probe(self) -> dict[str, str]:
        """Connect once without a key: the family over GATT and whether there is a key."""
        client = client_for(self.hass, self.address, secrets.token_bytes(8), self.model)
        try:
            self._key_state = await client.read_key_state()
        except KitchenError:
            return {"base": "nespresso_cannot_connect"}
        self._family = client.family
        return {}

    def _placeholders(self) -> dict[str, str]:
        return {
            "name": f"Nespresso {self.model or 'machine'}",
            "family": FAMILY_NAMES[self._family],
        }

    # -- the user's own key ----------------------------------------------------------------

    async def async_step_nespresso_key(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Use the key (or the app's seed) the user already has; tried before it is stored."""
        errors: dict[str, str] = {}
        if user_input is not None:
            credential = _credential(user_input)
            if credential is None:
                errors[CONF_CREDENTIAL] = "nespresso_invalid_key"
            elif (error := await _check_key(self, credential[0])) is not None:
                errors["base"] = error
            else:
                return self._create_entry(credential[1])
        return self.flow.async_show_form(
            step_id="nespresso_key",
            data_schema=_CREDENTIAL_SCHEMA,
            errors=errors,
            description_placeholders=self._placeholders(),
        )

    def _create_entry(self, stored: Mapping[str, str]) -> ConfigFlowResult:
        family = self._family or Family.ORIGINAL
        model = self.model or ("Vertuo" if family is Family.VERTUO else "Expert")
        return self.flow.async_create_entry(
            title=f"Nespresso {model}",
            data={
                CONF_BRAND: BRAND_KEY,
                CONF_ADDRESS: self.address,
                CONF_FAMILY: family.value,
                CONF_MODEL: model,
                **stored,
            },
        )

    # -- pairing a machine that has no key ---------------------------------------------------

    async def async_step_nespresso_pair(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """First confirmation: the hazard, in full."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if user_input.get(CONF_UNDERSTOOD) is True:
                return await self.async_step_nespresso_pair_confirm()
            errors[CONF_UNDERSTOOD] = "nespresso_not_understood"
        return self.flow.async_show_form(
            step_id="nespresso_pair",
            data_schema=vol.Schema(
                {vol.Required(CONF_UNDERSTOOD, default=False): BooleanSelector()}
            ),
            errors=errors,
            description_placeholders=self._placeholders(),
        )

    async def async_step_nespresso_pair_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Second confirmation; then pair, on one link that reads "no key" twice first."""
        errors: dict[str, str] = {}
        if user_input is not None:
            result = await self._pair()
            if isinstance(result, str):
                errors["base"] = result
            else:
                return result
        return self.flow.async_show_form(
            step_id="nespresso_pair_confirm",
            errors=errors,
            description_placeholders=self._placeholders(),
        )

    async def _pair(self) -> ConfigFlowResult | str:
        seed = secrets.token_hex(SEED_HEX_LENGTH // 2)
        key = derive_key(seed)
        stored = {CONF_KEY: key.hex(), CONF_SEED: seed}
        client = client_for(self.hass, self.address, key, self.model)
        sent = False
        try:
            async with client.pairing_session() as session:
                for _ in range(2):
                    await session.read_key_state()
                try:
                    await session.onboard(key, confirm_hazard=True)
                finally:
                    sent = session.key_sent
                    self._family = session.family or self._family
        except OnboardingRefusedError:
            return self.flow.async_abort(reason="nespresso_already_has_key")
        except KeyRejectedError:
            return self.flow.async_abort(reason="nespresso_pair_refused")
        except NotOnboardedError:
            return self.flow.async_abort(reason="nespresso_pair_failed")
        except KitchenError:
            if not sent:
                return "nespresso_cannot_connect"
            # The key went out and may be stored: keep it, so nothing ever sends another.
        return self._create_entry(stored)

    # -- reauthentication --------------------------------------------------------------------

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The machine no longer accepts the stored key."""
        self.address = entry_data[CONF_ADDRESS]
        self.model = entry_data.get(CONF_MODEL)
        self._family = Family(entry_data[CONF_FAMILY])
        return await self.async_step_nespresso_reauth_confirm()

    async def async_step_nespresso_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the machine's key again; never pair."""
        errors: dict[str, str] = {}
        if user_input is not None:
            credential = _credential(user_input)
            if credential is None:
                errors[CONF_CREDENTIAL] = "nespresso_invalid_key"
            elif (error := await _check_key(self, credential[0])) is not None:
                errors["base"] = (
                    "nespresso_machine_was_reset"
                    if error == "nespresso_machine_has_no_key"
                    else error
                )
            else:
                entry = self.flow._get_reauth_entry()
                data = {k: v for k, v in entry.data.items() if k != CONF_SEED}
                return self.flow.async_update_reload_and_abort(
                    entry, data={**data, **credential[1]}
                )
        return self.flow.async_show_form(
            step_id="nespresso_reauth_confirm",
            data_schema=_CREDENTIAL_SCHEMA,
            errors=errors,
            description_placeholders=self._placeholders(),
        )
