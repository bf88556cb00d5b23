"""Device pages of each brand in English and German: translated names and a working control."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page, expect
import pytest

from .conftest import BrowserEnvironment
from .ui import assert_no_raw_keys, use_server_language, wait_for_frontend


@dataclass(frozen=True, slots=True)
class DevicePage:
    """What a device page should show in one language."""

    device: str
    names: tuple[str, ...]  # entity names on the page, translated
    switch: str | None  # a switch to turn on there (Nespresso machines have none)


PAGES = {
    "en": (
        DevicePage("Simulated Jura S8", ("Water tank empty", "Cancel product"), "Panel lock"),
        DevicePage("Fridge", ("Freezer door", "Turbo cool"), "Quick ice"),
        DevicePage("Micra", ("Coffee boiler temperature", "Shot timer"), "Steam boiler"),
        DevicePage("Nespresso Expert&Milk", ("Capsules left", "Drip tray"), None),
    ),
    "de": (
        DevicePage(
            "Simulated Jura S8", ("Wassertank leer", "Zubereitung abbrechen"), "Tastensperre"
        ),
        DevicePage("Fridge", ("Gefrierraumtür", "Superkühlen"), "Schnelleis"),
        DevicePage("Micra", ("Temperatur Kaffeekessel", "Bezugstimer"), "Dampfkessel"),
        DevicePage("Nespresso Expert&Milk", ("Verbleibende Kapseln", "Abtropfschale"), None),
    ),
}
LOCALES = {"en": "en-US", "de": "de-DE"}


def open_device(page: Page, url: str, device: str) -> None:
    """Settings > Devices & services > Kitchen Connect > the device's row."""
    wait_for_frontend(page, url, "/config/integrations/integration/kitchen_connect")
    # The last match is the device's row; a hub's own entry shows the same name above it.
    page.get_by_text(device, exact=True).last.click()
    page.wait_for_url("**/config/devices/device/**")


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
            if expected.switch is None:
                continue

            row = page.locator("hui-toggle-entity-row").filter(has_text=expected.switch)
            switch = row.get_by_role("switch")
            wanted = "off" if switch.is_checked() else "on"
            # The switch's input sits under its drawn thumb, which takes the click.
            row.locator("ha-switch").click()
            # The appliance confirmed it: the new state came back from Home Assistant.
            page.wait_for_function(
                """([name, wanted]) => Object.values(
                    document.querySelector('home-assistant').hass.states
                ).some(s => (s.attributes.friendly_name || '').endsWith(' ' + name)
                            && s.state === wanted)""",
                arg=[expected.switch, wanted],
            )
            expect(switch).to_be_checked(checked=wanted == "on")

    browser_environment.browser.run_on_page(
        f"device_pages_{language}", scenario, locale=LOCALES[language]
    )
