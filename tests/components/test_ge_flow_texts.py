"""Every GE sign-in form is translated; selector keys pass hassfest; old entries migrate."""

from __future__ import annotations

import json
import logging
from pathlib import Path
import re
from typing import Any

from homeassistant import config_entries
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType, section
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.kitchen_connect.config_flow import KitchenConnectConfigFlow
from custom_components.kitchen_connect.const import DOMAIN
from custom_components.kitchen_connect.ge.const import (
    CONF_CODE,
    CONF_REGION,
    CONF_RESEND,
    CONF_SERVER,
    CONF_USER_ID,
    DEFAULT_REGION,
)
from simulators.ge import DEFAULT_ACCOUNT, SmartHqSimulator
from simulators.ge.auth_pages import AuthScenario
from simulators.jura.simulator import JuraSimulator

from ..helpers import GE_TITLE, add_jura_entry, ge_entry_data, load_develop_setup

COMPONENT = Path(__file__).parents[2] / "custom_components" / DOMAIN
LANGUAGES = ("en", "de")
# hassfest's rule for translation keys (selector options and entity states among them).
HASSFEST_KEY = re.compile(r"[a-z0-9-_]+")
OVEN = "D828C9A10701"
FRIDGE = "D828C9A10302"


def _texts(language: str) -> dict[str, Any]:
    return json.loads((COMPONENT / "translations" / f"{language}.json").read_text())


def _region(form: FlowResult) -> str:
    """The first region the form offers."""
    option: str = form["data_schema"].schema[CONF_REGION].config["options"][0]
    return option


def _sign_in(simulator: SmartHqSimulator, region: str, **overrides: Any) -> dict[str, Any]:
    return {
        CONF_USERNAME: DEFAULT_ACCOUNT.username,
        CONF_PASSWORD: DEFAULT_ACCOUNT.password,
        CONF_REGION: region,
        "advanced": {CONF_SERVER: simulator.base_url},
        **overrides,
    }


def _missing_texts(form: FlowResult) -> list[str]:
    """Every label, section title and error of a form that a language lacks."""
    missing: list[str] = []
    step_id = form["step_id"]
    for language in LANGUAGES:
        config = _texts(language)["config"]
        step = config["step"].get(step_id, {})
        if not step.get("title"):
            missing.append(f"{language} {step_id}: title")
        for marker, value in form["data_schema"].schema.items():
            key = str(marker)
            if isinstance(value, section):
                texts = step.get("sections", {}).get(key, {})
                if not texts.get("name"):
                    missing.append(f"{language} {step_id}: section {key}")
                missing += [
                    f"{language} {step_id}: {key}.{inner}"
                    for inner in map(str, value.schema.schema)
                    if not texts.get("data", {}).get(inner)
                ]
            elif not step.get("data", {}).get(key):
                missing.append(f"{language} {step_id}: {key}")
        missing += [
            f"{language} error {error}"
            for error in (form["errors"] or {}).values()
            if not config["error"].get(error)
        ]
    return missing


async def _user_form(hass: HomeAssistant) -> FlowResult:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER, "show_advanced_options": True}
    )
    return await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "ge"})


async def _ge_entry(hass: HomeAssistant, simulator: SmartHqSimulator) -> MockConfigEntry:
    data = await ge_entry_data(simulator)
    entry = MockConfigEntry(domain=DOMAIN, title=GE_TITLE, unique_id=data[CONF_USER_ID], data=data)
    entry.add_to_hass(hass)
    return entry


async def test_every_form_is_translated_and_a_new_code_is_no_error(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, ge_scenario: AuthScenario
) -> None:
    """Sign-in, code, reauth and reconfigure forms, first shown and after a failure."""
    forms: list[FlowResult] = []
    form = await _user_form(hass)
    region = _region(form)
    forms.append(form)
    forms.append(
        await hass.config_entries.flow.async_configure(
            form["flow_id"], _sign_in(ge_simulator, region, **{CONF_PASSWORD: "wrong"})
        )
    )
    ge_scenario.mfa = True
    form = await hass.config_entries.flow.async_configure(
        form["flow_id"], _sign_in(ge_simulator, region)
    )
    assert form["step_id"] == "ge_mfa"
    forms.append(form)
    forms.append(await hass.config_entries.flow.async_configure(form["flow_id"], {}))
    resent = await hass.config_entries.flow.async_configure(form["flow_id"], {CONF_RESEND: True})
    # A new code on its way is news, not an error: its own text, an empty error list.
    assert resent["type"] is FlowResultType.FORM
    assert resent["step_id"] == "ge_mfa_resent"
    assert not resent["errors"]
    assert len(ge_simulator.auth.sent_codes) == 2
    forms.append(resent)
    forms.append(
        await hass.config_entries.flow.async_configure(
            form["flow_id"], {CONF_CODE: ge_simulator.auth.sent_codes[0]}
        )
    )
    done = await hass.config_entries.flow.async_configure(
        form["flow_id"], {CONF_CODE: ge_simulator.auth.sent_codes[-1]}
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    entry = done["result"]
    ge_scenario.mfa = False

    for source, step in (
        (config_entries.SOURCE_REAUTH, "ge_reauth_confirm"),
        (config_entries.SOURCE_RECONFIGURE, "ge_reconfigure"),
    ):
        form = await hass.config_entries.flow.async_init(
            DOMAIN,
            context={"source": source, "entry_id": entry.entry_id, "show_advanced_options": True},
            data=dict(entry.data) if source == config_entries.SOURCE_REAUTH else None,
        )
        assert form["step_id"] == step
        forms.append(form)
        # Tokens the API refuses right after sign-in: the same form again, with an error.
        ge_scenario.token_lifetime = 0.0
        failed = await hass.config_entries.flow.async_configure(
            form["flow_id"],
            {
                key: value
                for key, value in _sign_in(ge_simulator, region).items()
                if key in {str(marker) for marker in form["data_schema"].schema}
            },
        )
        ge_scenario.token_lifetime = 3600.0
        assert failed["step_id"] == step
        assert failed["errors"] == {"base": "ge_cannot_connect"}
        assert set(map(str, failed["data_schema"].schema)) == set(
            map(str, form["data_schema"].schema)
        )
        forms.append(failed)
        hass.config_entries.flow.async_abort(form["flow_id"])

    assert [form["step_id"] for form in forms if form["data_schema"] is None] == []
    assert [text for form in forms for text in _missing_texts(form)] == []


def test_resent_code_is_no_longer_an_error_text() -> None:
    """The old error text of a resent code is gone in every language."""
    for language in LANGUAGES:
        assert "ge_code_resent" not in _texts(language)["config"]["error"]


def _keys(node: object, path: str = "") -> list[tuple[str, str]]:
    """Every (path, key) of a JSON tree."""
    if not isinstance(node, dict):
        return []
    return [
        pair
        for key, value in node.items()
        for pair in [(path, key), *_keys(value, f"{path}.{key}")]
    ]


def test_selector_and_state_keys_pass_hassfest() -> None:
    """hassfest rejects option and state keys that are not lower-case slugs."""
    for language in LANGUAGES:
        texts = _texts(language)
        options = [
            (f"selector.{name}", key)
            for name, selector in texts.get("selector", {}).items()
            for key in selector.get("options", {})
        ]
        states = [
            (f"entity.{platform}.{name}", key)
            for platform, entities in texts.get("entity", {}).items()
            for name, entity in entities.items()
            for key in entity.get("state", {})
        ]
        assert options
        bad = [
            f"{path}: {key}" for path, key in options + states if not HASSFEST_KEY.fullmatch(key)
        ]
        assert bad == [], language


async def test_region_choices_are_lower_case(hass: HomeAssistant) -> None:
    """The sign-in form offers the regions under hassfest-proof keys, with their texts."""
    form = await _user_form(hass)
    selector = form["data_schema"].schema[CONF_REGION]
    options = selector.config["options"]
    assert options == ["us", "eu"]
    for language in LANGUAGES:
        texts = _texts(language)["selector"][selector.config["translation_key"]]["options"]
        assert set(texts) == set(options)


@pytest.mark.parametrize(("stored", "migrated"), [("US", "us"), ("EU", "eu")])
async def test_entry_of_the_first_version_is_migrated(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator, stored: str, migrated: str
) -> None:
    """An entry stored with an upper-case region loads, and its region becomes lower-case."""
    data = await ge_entry_data(ge_simulator)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=GE_TITLE,
        unique_id=data[CONF_USER_ID],
        data={**data, CONF_REGION: stored},
        version=1,
        minor_version=1,
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.data[CONF_REGION] == migrated
    assert (entry.version, entry.minor_version) == (
        KitchenConnectConfigFlow.VERSION,
        KitchenConnectConfigFlow.MINOR_VERSION,
    )
    assert KitchenConnectConfigFlow.MINOR_VERSION > 1
    # The stored tokens still work: nothing but the region changed.
    assert {k: v for k, v in entry.data.items() if k != CONF_REGION} == {
        k: v for k, v in data.items() if k != CONF_REGION
    }


@pytest.mark.parametrize(
    ("stored", "migrated"),
    [
        (f"GE Appliances ({DEFAULT_ACCOUNT.username})", GE_TITLE),
        ("Our kitchen", "Our kitchen"),
        ("GE Appliances (holiday home)", "GE Appliances (holiday home)"),
    ],
)
async def test_migration_takes_the_e_mail_address_out_of_the_title(
    hass: HomeAssistant,
    ge_simulator: SmartHqSimulator,
    caplog: pytest.LogCaptureFixture,
    stored: str,
    migrated: str,
) -> None:
    """Older entries were titled with the e-mail address, which then showed in the logs.

    A title the user chose stays as it is.
    """
    data = await ge_entry_data(ge_simulator)
    assert data[CONF_USERNAME] == DEFAULT_ACCOUNT.username
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=stored,
        unique_id=data[CONF_USER_ID],
        data=data,
        version=1,
        minor_version=1,
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.title == migrated
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert DEFAULT_ACCOUNT.username not in caplog.text


async def test_helper_and_develop_entries_store_the_region_as_the_flow_does(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """Entries written at the current version by tests and scripts/develop need no migration."""
    form = await _user_form(hass)
    created = await hass.config_entries.flow.async_configure(
        form["flow_id"], _sign_in(ge_simulator, DEFAULT_REGION)
    )
    assert created["type"] is FlowResultType.CREATE_ENTRY
    region = created["data"][CONF_REGION]

    assert (await ge_entry_data(ge_simulator))[CONF_REGION] == region
    develop = await load_develop_setup().ge_sign_in("127.0.0.1", ge_simulator.port)
    assert develop[CONF_REGION] == region


@pytest.mark.secrets_allowed(
    "GE appliance id (MAC)",
    "log line (homeassistant.helpers.entity_registry",
    "registers legacy entities whose ids hold the MAC, as an old version did",
)
async def test_migration_retires_the_light_select_and_number(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """The oven light select and the fridge light number of an old entry make way for lights."""
    entry = await _ge_entry(hass, ge_simulator)
    registry = er.async_get(hass)
    old = [
        registry.async_get_or_create(
            "select", DOMAIN, f"{OVEN}_upper_oven_light", config_entry=entry
        ),
        registry.async_get_or_create(
            "number", DOMAIN, f"{FRIDGE}_interior_light", config_entry=entry
        ),
    ]
    kept = registry.async_get_or_create("number", DOMAIN, f"{FRIDGE}_pods_remaining")
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    for retired in old:
        assert registry.async_get(retired.entity_id) is None
    assert registry.async_get(kept.entity_id) is not None
    assert registry.async_get_entity_id("light", DOMAIN, f"{OVEN}_upper_oven_light")
    assert registry.async_get_entity_id("light", DOMAIN, f"{FRIDGE}_interior_light")


async def test_a_newer_entry_is_not_loaded(
    hass: HomeAssistant, ge_simulator: SmartHqSimulator
) -> None:
    """An entry written by a later major version is left alone, not half understood."""
    data = await ge_entry_data(ge_simulator)
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=data[CONF_USER_ID],
        data=data,
        version=KitchenConnectConfigFlow.VERSION + 1,
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.MIGRATION_ERROR
    assert entry.data == data


async def test_jura_entries_migrate_unchanged(
    hass: HomeAssistant, jura_simulator: JuraSimulator
) -> None:
    """The flow is shared: a Jura entry gets the new version and keeps every setting."""
    entry = await add_jura_entry(hass, jura_simulator, setup=False)
    before = dict(entry.data)
    assert entry.minor_version == 1
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.minor_version == KitchenConnectConfigFlow.MINOR_VERSION
    assert dict(entry.data) == before
