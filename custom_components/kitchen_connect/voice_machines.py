"""Which appliance a voice request means: by its name, in part, or the only one there is."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er, intent

from .brands import spec_for_entry
from .const import DOMAIN


@dataclass(frozen=True)
class Machine:
    """An appliance that can run an action, and the field names its brand accepts."""

    device_id: str
    name: str
    accepted_fields: frozenset[str]


def normalize(text: str) -> str:
    """A name as compared: case and spacing are not what tells appliances apart."""
    return " ".join(text.casefold().split())


def _exposed(hass: HomeAssistant, device_id: str, assistant: str | None) -> bool:
    """A machine counts when one of its entities is exposed to the asking assistant."""
    if assistant is None:
        return True
    return any(
        async_should_expose(hass, assistant, entity.entity_id)
        for entity in er.async_entries_for_device(er.async_get(hass), device_id)
    )


def _machines(hass: HomeAssistant, action: str, assistant: str | None) -> Iterator[Machine]:
    """Every loaded appliance that can run ``action`` and that this assistant may use."""
    devices = dr.async_get(hass)
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        brand_action = spec_for_entry(entry).action(action)
        if brand_action is None:
            continue
        for device in dr.async_entries_for_config_entry(devices, entry.entry_id):
            identifier = next((ident for dom, ident in device.identifiers if dom == DOMAIN), None)
            if identifier is None or not brand_action.can_run(entry, identifier):
                continue
            if not _exposed(hass, device.id, assistant):
                continue
            yield Machine(
                device.id,
                device.name_by_user or device.name or entry.title,
                frozenset(str(marker) for marker in brand_action.fields),
            )


def any_machine(hass: HomeAssistant, action: str, assistant: str | None) -> bool:
    """Whether some appliance this assistant may use can run ``action``."""
    return next(_machines(hass, action, assistant), None) is not None


def _no_match(reason: intent.MatchFailedReason, name: str | None) -> intent.MatchFailedError:
    """Home Assistant's own answer for a name it cannot place, in the person's language."""
    return intent.MatchFailedError(
        result=intent.MatchTargetsResult(is_match=False, no_match_reason=reason),
        constraints=intent.MatchTargetsConstraints(name=name),
    )


def find_machine(
    hass: HomeAssistant, action: str, name: str | None, assistant: str | None
) -> Machine:
    """The one appliance meant: named exactly, named in part, or the only one there is."""
    machines = list(_machines(hass, action, assistant))
    if name:
        wanted = normalize(name)
        exact = [machine for machine in machines if normalize(machine.name) == wanted]
        machines = exact or [
            machine
            for machine in machines
            if wanted in normalize(machine.name) or normalize(machine.name) in wanted
        ]
    if not machines:
        raise _no_match(intent.MatchFailedReason.NAME, name)
    if len(machines) > 1:
        raise _no_match(intent.MatchFailedReason.MULTIPLE_TARGETS, name)
    return machines[0]
