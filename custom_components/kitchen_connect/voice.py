"""Voice intents: brew, start a cycle or heat an oven by saying so, after a yes.

Each intent goes through the confirm-gated actions (``actions.py``) like any other call:
the first request calls the action without ``confirm`` and says what the refusal says
would happen; only a confirming next turn of the same conversation calls it with
``confirm: true``. The built-in agent confirms with the ``KitchenConnectConfirm``
sentences ("yes", "ja"); an LLM agent, which calls the intents as tools, confirms by
calling the same tool with the same arguments and ``confirmed: true`` on the turn after
the question (see ``voice_pending.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
import re
from typing import Any, override

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv, intent
from homeassistant.helpers.translation import async_get_translations
import probatio as vol

from .const import CONF_CONFIRM, DOMAIN
from .voice_machines import find_machine, normalize
from .voice_pending import (
    PendingRequest,
    Turn,
    async_forget,
    async_remember,
    async_take,
    current_turn,
)

INTENT_BREW = "KitchenConnectBrew"
INTENT_START_CYCLE = "KitchenConnectStartCycle"
INTENT_HEAT_OVEN = "KitchenConnectHeatOven"
INTENT_CONFIRM = "KitchenConnectConfirm"
INTENT_CANCEL = "KitchenConnectCancel"

ATTR_CONFIRMED = "confirmed"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

_HOW_TO_CONFIRM = (
    " Nothing starts on the first call: it answers with what would happen. Tell the user"
    " exactly that; if they say yes in their next message, call this tool again with the"
    " same arguments and confirmed set to true."
)
_NAME = vol.Optional(
    "name",
    description="The appliance's name; may be left out when only one appliance can do this.",
)
_CONFIRMED = vol.Optional(
    ATTR_CONFIRMED,
    description="Only true on the call right after the user said yes to the question.",
)


def _slot_value(slots: Mapping[str, Any], name: str) -> Any:
    return slots[name]["value"] if name in slots else None


def _slot_text(slots: Mapping[str, Any], name: str) -> str | None:
    """What the person said for a slot, for answers that repeat it."""
    if name not in slots:
        return None
    slot = slots[name]
    return str(slot.get("text") or slot["value"]).replace("_", " ")


async def _message(
    hass: HomeAssistant, language: str, keys: tuple[str, ...], placeholders: Mapping[str, str]
) -> str | None:
    """The first of ``keys`` whose text has every placeholder it names, filled in."""
    texts = await async_get_translations(hass, language, "exceptions", [DOMAIN])
    for key in keys:
        text = texts.get(f"component.{DOMAIN}.exceptions.{key}.message")
        if text is None:
            continue
        names = _PLACEHOLDER.findall(text)
        if all(name in placeholders for name in names):
            return _PLACEHOLDER.sub(lambda found: placeholders[found.group(1)], text)
    return None


async def _error_text(hass: HomeAssistant, language: str, err: HomeAssistantError) -> str:
    """A refusal or failure of the action, in the language of the conversation."""
    if err.translation_domain == DOMAIN and err.translation_key:
        placeholders = err.translation_placeholders or {}
        if text := await _message(hass, language, (err.translation_key,), placeholders):
            return text
    return str(err)


def _error(intent_obj: intent.Intent, text: str) -> intent.IntentResponse:
    response = intent_obj.create_response()
    response.async_set_error(intent.IntentResponseErrorCode.FAILED_TO_HANDLE, text)
    return response


async def _run(intent_obj: intent.Intent, request: PendingRequest) -> intent.IntentResponse:
    """Call the action with ``confirm: true``; the person said yes to exactly this."""
    hass = intent_obj.hass
    try:
        await hass.services.async_call(
            DOMAIN,
            request.action,
            {ATTR_DEVICE_ID: request.device_id, CONF_CONFIRM: True, **request.fields},
            blocking=True,
            context=intent_obj.context,
        )
    except HomeAssistantError as err:
        return _error(intent_obj, await _error_text(hass, intent_obj.language, err))
    response = intent_obj.create_response()
    response.async_set_results(
        success_results=[
            intent.IntentResponseTarget(
                type=intent.IntentResponseTargetType.DEVICE,
                name=request.device_name,
                id=request.device_id,
            )
        ]
    )
    response.async_set_speech_slots({"outcome": "started", "name": request.device_name})
    return response


class _GatedIntent(intent.IntentHandler):
    """An intent that runs one confirm-gated action, after a yes."""

    action: str
    # The slots beyond the appliance's name and the confirmation.
    own_slots: Mapping[vol.Marker, Any] = {}

    @property
    @override
    def slot_schema(self) -> dict[Any, Any]:
        return {_NAME: cv.string, **self.own_slots, _CONFIRMED: cv.boolean}

    def fields(self, slots: Mapping[str, Any], accepted: frozenset[str]) -> dict[str, Any]:
        """The action's fields from the slots, only those the appliance's brand accepts."""
        return {}

    def details(self, hass: HomeAssistant, slots: Mapping[str, Any]) -> dict[str, str]:
        """What the question repeats of the request, beyond the appliance's name."""
        return {}

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        hass = intent_obj.hass
        slots = self.async_validate_slots(intent_obj.slots)
        machine = find_machine(hass, self.action, _slot_value(slots, "name"), intent_obj.assistant)
        turn = current_turn(hass)
        request = PendingRequest(
            action=self.action,
            device_id=machine.device_id,
            device_name=machine.name,
            fields=self.fields(slots, machine.accepted_fields),
            turn=turn.number if turn else 0,
        )
        # An LLM agent could send confirmed: true by itself, even right after asking. It
        # only runs this exact request, asked in this conversation on the turn before, within
        # the window: the user's own next message came in between. Else it is a new question.
        if _slot_value(slots, ATTR_CONFIRMED) and turn is not None:
            waiting = async_take(hass, turn)
            if waiting is not None and waiting.same_request(request):
                return await _run(intent_obj, waiting)
        return await self._ask(intent_obj, request, turn, self.details(hass, slots))

    async def _ask(
        self,
        intent_obj: intent.Intent,
        request: PendingRequest,
        turn: Turn | None,
        details: Mapping[str, str],
    ) -> intent.IntentResponse:
        """Call the action without ``confirm`` and say back the gate's refusal."""
        hass = intent_obj.hass
        try:
            await hass.services.async_call(
                DOMAIN,
                request.action,
                {ATTR_DEVICE_ID: request.device_id, **request.fields},
                blocking=True,
                context=intent_obj.context,
            )
        except HomeAssistantError as err:
            # The gate names the refusal of a call without confirm ``<brand>_confirm_…``
            # (BrandAction.refusal_key_fn); its words for voice are ``<brand>_voice_…``.
            refusal = err.translation_key or ""
            if err.translation_domain != DOMAIN or "_confirm_" not in refusal:
                return _error(intent_obj, await _error_text(hass, intent_obj.language, err))
            spoken = refusal.replace("_confirm_", "_voice_", 1)
            placeholders = {**(err.translation_placeholders or {}), **details}
            question = await _message(
                hass, intent_obj.language, (spoken, f"{spoken}_default"), placeholders
            ) or await _error_text(hass, intent_obj.language, err)
        else:  # pragma: no cover - the gate refuses every call without confirm
            raise intent.IntentUnexpectedError(f"{request.action} ran without confirm")
        if turn is not None:
            async_remember(hass, turn.conversation_id, request)
        response = intent_obj.create_response()
        response.async_set_speech(question)
        return response


class BrewIntent(_GatedIntent):
    """Brew a drink on a coffee machine."""

    intent_type = INTENT_BREW
    action = "brew"
    description = (
        "Brews a drink on a Kitchen Connect coffee machine (Jura, Nespresso, GE Café)."
        + _HOW_TO_CONFIRM
    )

    own_slots = {
        vol.Optional(
            "drink", description="The drink, e.g. espresso, coffee, lungo, ristretto, cappuccino."
        ): cv.string
    }

    @override
    def fields(self, slots: Mapping[str, Any], accepted: frozenset[str]) -> dict[str, Any]:
        drink = _slot_value(slots, "drink")
        if drink is None or "product" not in accepted:
            return {}
        return {"product": "_".join(normalize(str(drink)).split())}

    @override
    def details(self, hass: HomeAssistant, slots: Mapping[str, Any]) -> dict[str, str]:
        drink = _slot_text(slots, "drink")
        return {} if drink is None else {"drink": drink}


class StartCycleIntent(_GatedIntent):
    """Start the waiting cycle of a GE dishwasher, washer or dryer."""

    intent_type = INTENT_START_CYCLE
    action = "start_cycle"
    description = (
        "Starts the cycle waiting on a Kitchen Connect dishwasher, washer or dryer."
        + _HOW_TO_CONFIRM
    )


class HeatOvenIntent(_GatedIntent):
    """Heat a GE oven in a cook mode, at a temperature."""

    intent_type = INTENT_HEAT_OVEN
    action = "start_cooking"
    description = "Heats a Kitchen Connect oven in a cook mode." + _HOW_TO_CONFIRM

    own_slots = {
        vol.Optional(
            "mode",
            description="Cook mode: bake (the default), convection_bake, convection_roast,"
            " broil_high, broil_low, proof or warm.",
        ): cv.string,
        vol.Optional(
            "temperature", description="Temperature in the unit system of Home Assistant."
        ): vol.Coerce(float),
        vol.Optional("cavity", description="upper (the default) or lower."): cv.string,
    }

    @override
    def fields(self, slots: Mapping[str, Any], accepted: frozenset[str]) -> dict[str, Any]:
        mode = _slot_value(slots, "mode") or "bake"
        found = {"mode": "_".join(normalize(str(mode)).split())}
        for name in ("temperature", "cavity"):
            if (value := _slot_value(slots, name)) is not None:
                found[name] = value
        return found

    @override
    def details(self, hass: HomeAssistant, slots: Mapping[str, Any]) -> dict[str, str]:
        found = {"mode": _slot_text(slots, "mode") or "bake"}
        if (temperature := _slot_value(slots, "temperature")) is not None:
            unit = hass.config.units.temperature_unit
            found["temperature"] = f"{temperature:g} {unit}"
        return found


class ConfirmIntent(intent.IntentHandler):
    """The person's yes: run what this conversation was asked about on the turn before."""

    intent_type = INTENT_CONFIRM
    description = "The user says yes to a Kitchen Connect question."

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        turn = current_turn(intent_obj.hass)
        waiting = async_take(intent_obj.hass, turn) if turn is not None else None
        if waiting is None:
            response = intent_obj.create_response()
            response.async_set_speech_slots({"outcome": "nothing_waiting"})
            return response
        return await _run(intent_obj, waiting)


class CancelIntent(intent.IntentHandler):
    """The person's no: forget what this conversation was asked about."""

    intent_type = INTENT_CANCEL
    description = "The user says no to a Kitchen Connect question."

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        if (turn := current_turn(intent_obj.hass)) is not None:
            async_forget(intent_obj.hass, turn.conversation_id)
        response = intent_obj.create_response()
        response.async_set_speech_slots({"outcome": "cancelled"})
        return response


GATED_INTENTS: tuple[_GatedIntent, ...] = (BrewIntent(), StartCycleIntent(), HeatOvenIntent())


@callback
def async_setup_voice(hass: HomeAssistant) -> None:
    """Register the intents; sentences come from the shipped custom sentence files."""
    for handler in (*GATED_INTENTS, ConfirmIntent(), CancelIntent()):
        intent.async_register(hass, handler)
