"""Device pages of each brand in English and German: translated names and a working control."""

from __future__ import annotations

from dataclasses import dataclass
import re

from playwright.sync_api import Page, expect
import pytest

from .conftest import BrowserEnvironment
from .ui import (
    assert_no_raw_keys,
    call_ws,
    entity_named,
    screenshot,
    use_server_language,
    wait_for_frontend,
    wait_for_state,
)


@dataclass(frozen=True, slots=True)
class DevicePage:
    """What a device page should show in one language."""

    device: str
    names: tuple[str, ...]  # entity names on the page, translated
    switch: str | None  # a switch to turn on there (Nespresso machines have none)
    screenshot: str  # the file scripts/screenshots saves the English page as
    lock: str | None = None  # a lock to lock or unlock there


PAGES = {
    "en": (
        DevicePage(
            "Simulated Jura S8",
            ("Water tank empty", "Cancel product"),
            None,
            "device_jura",
            lock="Panel",
        ),
        DevicePage("Fridge", ("Freezer door", "Turbo cool"), "Quick ice", "device_ge_fridge"),
        DevicePage(
            "Micra",
            ("Coffee boiler temperature", "Shot timer"),
            "Steam boiler",
            "device_lamarzocco",
        ),
        DevicePage(
            "Nespresso Expert&Milk", ("Capsules left", "Drip tray"), None, "device_nespresso"
        ),
    ),
    "de": (
        DevicePage(
            "Simulated Jura S8",
            ("Wassertank leer", "Zubereitung abbrechen"),
            None,
            "device_jura",
            lock="Bedienfeld",
        ),
        DevicePage("Fridge", ("Gefrierraumtür", "Superkühlen"), "Schnelleis", "device_ge_fridge"),
        DevicePage(
            "Micra", ("Temperatur Kaffeekessel", "Bezugstimer"), "Dampfkessel", "device_lamarzocco"
        ),
        DevicePage(
            "Nespresso Expert&Milk",
            ("Verbleibende Kapseln", "Abtropfschale"),
            None,
            "device_nespresso",
        ),
    ),
}
LOCALES = {"en": "en-US", "de": "de-DE"}
JURA = "Simulated Jura S8"
OUT_OF_RANGE = re.compile(r"Value 99 for number\.\w+ is outside valid range 1(\.0)? - 30")
WATER_TANK_BIT = 1  # the EF1091 profile's fill_water alert


def open_device(page: Page, url: str, device: str) -> None:
    """Settings > Devices & services > Kitchen Connect > the device's row."""
    wait_for_frontend(page, url, "/config/integrations/integration/kitchen_connect")
    # The last match is the device's row; a hub's own entry shows the same name above it.
    row = page.get_by_text(device, exact=True).last
    expect(row).to_be_visible()
    assert_no_raw_keys(page)
    row.click()
    page.wait_for_url("**/config/devices/device/**")


def _shown_state(page: Page, entity_id: str) -> str:
    """The state as the frontend words it in its language."""
    return str(
        page.evaluate(
            """id => { const hass = document.querySelector('home-assistant').hass;
                       return hass.formatEntityState(hass.states[id]); }""",
            entity_id,
        )
    )


def test_device_page_follows_the_machine_and_refuses_a_number_out_of_range(
    browser_environment: BrowserEnvironment,
) -> None:
    """The machine reports an empty tank: the page says so; a hardness of 99 is refused."""
    url = browser_environment.hass.url
    simulators = browser_environment.simulators

    def scenario(page: Page) -> None:
        wait_for_frontend(page, url)
        use_server_language(page, "en")
        open_device(page, url, JURA)
        tank = entity_named(page, JURA, "Water tank empty")
        row = page.locator("hui-simple-entity-row").filter(has_text="Water tank empty")
        expect(row).to_contain_text(_shown_state(page, tank))
        before = _shown_state(page, tank)

        simulators.command(f"jura_alert {WATER_TANK_BIT} on")
        try:
            wait_for_state(page, tank, "on")
            expect(row).to_contain_text(_shown_state(page, tank))
            assert _shown_state(page, tank) != before
        finally:
            simulators.command(f"jura_alert {WATER_TANK_BIT} off")
        wait_for_state(page, tank, "off")
        expect(row).to_contain_text(before)

        hardness = entity_named(page, JURA, "Water hardness")
        value = page.evaluate(
            "id => document.querySelector('home-assistant').hass.states[id].state", hardness
        )
        box = (
            page.locator("hui-number-entity-row")
            .filter(has_text="Water hardness")
            .get_by_role("spinbutton")
        )
        box.fill("99")
        box.press("Enter")
        # Home Assistant's own check, shown as a notification at the bottom of the page.
        expect(page.locator("ha-toast").get_by_text(OUT_OF_RANGE).first).to_be_visible()
        assert_no_raw_keys(page)
        screenshot(page, "refused_number")
        assert (
            page.evaluate(
                "id => document.querySelector('home-assistant').hass.states[id].state", hardness
            )
            == value
        )

    browser_environment.browser.run_on_page("device_page_changes", scenario, locale="en-US")


@pytest.mark.parametrize(
    ("device", "name", "change", "undo"),
    [
        ("Fridge", "Freezer door", "ge_freezer_door open", "ge_freezer_door closed"),
        ("Micra", "Water tank empty", "water_tank empty", "water_tank full"),
        ("Nespresso Expert&Milk", "Water tank empty", "water_tank empty", "water_tank full"),
    ],
)
def test_each_device_page_follows_its_appliance(
    browser_environment: BrowserEnvironment, device: str, name: str, change: str, undo: str
) -> None:
    """The appliance changes (a door opens, a tank is taken out): its page shows it."""
    url = browser_environment.hass.url
    simulators = browser_environment.simulators

    def act(page: Page, command: str) -> None:
        if command.startswith("water_tank"):
            # The La Marzocco cloud and the Nespresso proxy run inside Home Assistant.
            empty = command.endswith("empty")
            call_ws(
                page,
                {
                    "type": "call_service",
                    "domain": "kitchen_connect_devsim",
                    "service": "set_water_tank",
                    "service_data": {"empty": empty},
                },
            )
        else:
            simulators.command(command)

    def scenario(page: Page) -> None:
        wait_for_frontend(page, url)
        use_server_language(page, "en")
        open_device(page, url, device)
        entity = entity_named(page, device, name)
        row = page.locator("hui-simple-entity-row").filter(has_text=name).first
        before = _shown_state(page, entity)
        expect(row).to_contain_text(before)
        act(page, change)
        try:
            wait_for_state(page, entity, "on")
            expect(row).to_contain_text(_shown_state(page, entity))
            assert _shown_state(page, entity) != before
        finally:
            act(page, undo)
        wait_for_state(page, entity, "off")
        expect(row).to_contain_text(before)

    browser_environment.browser.run_on_page(
        f"device_page_follows_{device.split(maxsplit=1)[0].lower()}", scenario, locale="en-US"
    )


@pytest.mark.parametrize("language", ["en", "de"])
def test_device_pages_are_translated_and_controls_work(
    browser_environment: BrowserEnvironment, language: str
) -> None:
    url = browser_environment.hass.url

    def scenario(page: Page) -> None:
        wait_for_frontend(page, url)
        # The frontend speaks the browser's language; entity names follow the server's.
        assert page.evaluate("() => document.querySelector('home-assistant').hass.language") == (
            language
        )
        use_server_language(page, language)
        for expected in PAGES[language]:
            open_device(page, url, expected.device)
            for name in expected.names:
                expect(page.get_by_text(name, exact=True).first).to_be_visible()
            assert_no_raw_keys(page)
            if language == "en":
                screenshot(page, expected.screenshot)
            if expected.lock is not None:
                current = page.evaluate(
                    """(name) => Object.values(
                        document.querySelector('home-assistant').hass.states
                    ).find(s => s.entity_id.startsWith('lock.')
                        && (s.attributes.friendly_name || '').endsWith(' ' + name)).state""",
                    expected.lock,
                )
                wanted = "unlocked" if current == "locked" else "locked"
                row = page.locator("hui-lock-entity-row").filter(has_text=expected.lock)
                row.locator("ha-button").click()
                _wait_for_state(page, expected.lock, wanted)
            if expected.switch is None:
                continue

            row = page.locator("hui-toggle-entity-row").filter(has_text=expected.switch)
            switch = row.get_by_role("switch")
            wanted = "off" if switch.is_checked() else "on"
            # The switch's input sits under its drawn thumb, which takes the click.
            row.locator("ha-switch").click()
            _wait_for_state(page, expected.switch, wanted)
            expect(switch).to_be_checked(checked=wanted == "on")

    browser_environment.browser.run_on_page(
        f"device_pages_{language}", scenario, locale=LOCALES[language]
    )


def _wait_for_state(page: Page, name: str, wanted: str) -> None:
    """The appliance confirmed it: the new state came back from Home Assistant."""
    page.wait_for_function(
        """([name, wanted]) => Object.values(
            document.querySelector('home-assistant').hass.states
        ).some(s => (s.attributes.friendly_name || '').endsWith(' ' + name)
                    && s.state === wanted)""",
        arg=[name, wanted],
    )
