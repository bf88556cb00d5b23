"""Adding appliances from Settings > Devices & services, as a user does."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Locator, Page, expect
import pytest

from .conftest import BrowserEnvironment
from .hass_main import JURA_PAIRING_TIMEOUT_S
from .sim_host import MFA_ACCOUNT, POLICY_MACHINE, POLICY_PASSWORD, POLICY_USERNAME
from .ui import (
    assert_no_raw_keys,
    flow_dialog,
    open_kitchen_connect_brand,
    screenshot,
    skip_naming,
    start_adding_kitchen_connect,
    submit,
    tick,
)

# The pairing step must end this soon after the user pressed OK on the machine: the
# dialog listens for the step's end, and one it missed would leave a spinner for ever.
PROGRESS_BOUND_S = 10.0
# The machine the simulated Bluetooth proxy offers for pairing (simulators/nespresso).
NESPRESSO_TO_PAIR = "Nespresso Expert"


@pytest.mark.parametrize("ok", ["pressed_later", "at_once"])
def test_add_jura_machine_by_address_pairs_and_asks_the_model(
    browser_environment: BrowserEnvironment, ok: str
) -> None:
    url = browser_environment.hass.url
    simulators = browser_environment.simulators
    port = simulators.ports["jura_new" if ok == "pressed_later" else "jura_quick"]

    def scenario(page: Page) -> None:
        dialog = start_adding_kitchen_connect(page, url)
        dialog.get_by_text("Jura coffee machine").click()

        # Nothing answers the network scan here, so the address form comes up.
        expect(dialog.get_by_text("Connect to a Jura machine")).to_be_visible()
        dialog.get_by_role("textbox", name="Host").fill("127.0.0.1")
        dialog.get_by_text("Advanced settings").click()
        dialog.get_by_role("spinbutton", name="Port").fill(str(port))
        submit(dialog)

        if ok == "pressed_later":
            expect(dialog.get_by_text("Confirm on the machine")).to_be_visible()
            expect(dialog.get_by_text("press OK on its display")).to_be_visible()
            assert_no_raw_keys(page)
            screenshot(page, "add_jura_confirm_on_the_machine")
            assert simulators.command("wait_pairing") is True
            assert simulators.command("press_ok") is True
        pressed = time.monotonic()

        expect(dialog.get_by_text("Which model is it?")).to_be_visible(
            timeout=PROGRESS_BOUND_S * 1000
        )
        assert time.monotonic() - pressed < PROGRESS_BOUND_S
        assert_no_raw_keys(page)
        dialog.locator("ha-selector-select").click()
        page.get_by_role("menuitem", name=re.compile(r"^S8 \(EB\) . EF1091$")).click()
        submit(dialog)

        # The entry exists: Home Assistant offers to name the new device and give it an area.
        expect(dialog.get_by_text("Name and assign")).to_be_visible()
        expect(dialog.get_by_role("textbox", name="Device name")).to_have_value("Jura S8 (EB)")
        skip_naming(dialog)
        page.goto(f"{url}/config/integrations/integration/kitchen_connect")
        expect(page.get_by_text("Jura S8 (EB)").first).to_be_visible()

    browser_environment.browser.run_on_page(f"add_jura_{ok}", scenario, locale="en-US")


def sign_in(dialog: Locator, username: str, password: str, server: str) -> None:
    """A cloud brand's sign-in form, aimed at a simulator."""
    dialog.get_by_role("textbox", name="E-mail address").fill(username)
    dialog.get_by_role("textbox", name="Password").fill(password)
    # Offered because the development helper marked this Home Assistant.
    dialog.get_by_role("heading", name="Development").click()
    dialog.get_by_role("textbox", name="Server").fill(server)
    submit(dialog)


def test_jura_pairing_nobody_confirms_ends_with_the_timeout_error(
    browser_environment: BrowserEnvironment,
) -> None:
    """In German: the wait ends with the translated timeout error, never a spinner for ever."""
    url = browser_environment.hass.url
    port = browser_environment.simulators.ports["jura_unattended"]

    def scenario(page: Page) -> None:
        dialog = start_adding_kitchen_connect(page, url, "de")
        dialog.get_by_text("Jura-Kaffeevollautomat").click()
        expect(dialog.get_by_text("Mit einer Jura-Maschine verbinden")).to_be_visible()
        dialog.get_by_role("textbox", name="Host").fill("127.0.0.1")
        dialog.get_by_text("Erweiterte Einstellungen").click()
        dialog.get_by_role("spinbutton", name="Port").fill(str(port))
        submit(dialog, "de")

        expect(dialog.get_by_text("An der Maschine bestätigen")).to_be_visible()
        expect(
            dialog.get_by_text(f"wartet bis zu {JURA_PAIRING_TIMEOUT_S:.0f} Sekunden")
        ).to_be_visible()
        assert_no_raw_keys(page)
        asked = time.monotonic()
        expect(
            dialog.get_by_text("Niemand hat die Verbindung rechtzeitig an der Maschine bestätigt.")
        ).to_be_visible(timeout=(JURA_PAIRING_TIMEOUT_S + PROGRESS_BOUND_S) * 1000)
        assert time.monotonic() - asked < JURA_PAIRING_TIMEOUT_S + PROGRESS_BOUND_S
        # Back on the address form, ready for another try.
        expect(dialog.get_by_text("An der Maschine bestätigen")).to_be_hidden()
        expect(dialog.get_by_role("textbox", name="Host")).to_have_value("127.0.0.1")
        assert_no_raw_keys(page)

    browser_environment.browser.run_on_page("add_jura_timeout", scenario, locale="de-DE")


def test_add_ge_account_with_one_time_code_lists_its_appliances(
    browser_environment: BrowserEnvironment,
) -> None:
    url = browser_environment.hass.url
    simulators = browser_environment.simulators

    def scenario(page: Page) -> None:
        dialog = start_adding_kitchen_connect(page, url)
        dialog.get_by_text("GE Appliances account").click()

        expect(dialog.get_by_text("Sign in to SmartHQ")).to_be_visible()
        sign_in(dialog, MFA_ACCOUNT.username, MFA_ACCOUNT.password, simulators.url("ge_mfa"))

        expect(dialog.get_by_text("Enter the security code")).to_be_visible()
        screenshot(page, "add_ge_security_code")
        code_field = dialog.get_by_role("textbox", name="Security code")
        code_field.fill("000000" if simulators.command("ge_code") != "000000" else "111111")
        submit(dialog)
        expect(dialog.get_by_text("The code is wrong or has expired.")).to_be_visible()
        assert_no_raw_keys(page)

        tick(dialog, "Send a new code")
        expect(dialog.get_by_role("switch")).to_be_checked()
        submit(dialog)
        expect(dialog.get_by_text("Enter the new security code")).to_be_visible()
        assert simulators.command("ge_codes_sent") == 2

        dialog.get_by_role("textbox", name="Security code").fill(simulators.command("ge_code"))
        submit(dialog)

        expect(dialog.get_by_text("Name and assign")).to_be_visible()
        names = dialog.get_by_role("textbox", name="Device name")
        expect(names).to_have_count(2)
        assert sorted(names.nth(i).input_value() for i in range(2)) == [
            "Bakery Coffee",
            "Bakery Fridge",
        ]
        skip_naming(dialog)
        page.goto(f"{url}/config/integrations/integration/kitchen_connect")
        expect(page.get_by_text("Bakery Fridge", exact=True).first).to_be_visible()
        assert_no_raw_keys(page)

    browser_environment.browser.run_on_page("add_ge", scenario, locale="en-US")


def test_add_lamarzocco_machine_accepting_the_privacy_policy(
    browser_environment: BrowserEnvironment,
) -> None:
    serial, name = POLICY_MACHINE
    url = browser_environment.hass.url
    simulators = browser_environment.simulators

    def scenario(page: Page) -> None:
        dialog = start_adding_kitchen_connect(page, url)
        dialog.get_by_text("La Marzocco espresso machine or Pico grinder").click()
        dialog.get_by_text("Sign in with the La Marzocco account").click()

        expect(dialog.get_by_text("Sign in to La Marzocco")).to_be_visible()
        sign_in(dialog, POLICY_USERNAME, POLICY_PASSWORD, simulators.url("lamarzocco"))

        expect(dialog.get_by_text("Accept La Marzocco's privacy policy")).to_be_visible()
        expect(dialog.get_by_text("Allow use of profile data", exact=True).first).to_be_visible()
        assert_no_raw_keys(page)
        tick(dialog, "Allow commercial messages")
        submit(dialog)

        expect(dialog.get_by_text("Choose the machine")).to_be_visible()
        assert_no_raw_keys(page)
        # The account's one machine, already chosen.
        expect(dialog.get_by_role("radio", name=f"{name} (Linea Micra, {serial})")).to_be_checked()
        submit(dialog)

        expect(dialog.get_by_text("Name and assign")).to_be_visible()
        expect(dialog.get_by_role("textbox", name="Device name")).to_have_value(name)
        skip_naming(dialog)
        # Only the optional consent the user ticked was given.
        assert simulators.command("lamarzocco_consents") == [False, True]

    browser_environment.browser.run_on_page("add_lamarzocco", scenario, locale="en-US")


def test_add_discovered_nespresso_by_pairing_after_the_warning(
    browser_environment: BrowserEnvironment,
) -> None:
    url = browser_environment.hass.url

    def scenario(page: Page) -> None:
        brands = open_kitchen_connect_brand(page, url)
        # The simulated proxy's Expert has no key yet; Home Assistant found it.
        brands.get_by_text(NESPRESSO_TO_PAIR).click()
        dialog = flow_dialog(page)
        expect(dialog.get_by_text(f"Home Assistant found {NESPRESSO_TO_PAIR}")).to_be_visible()
        expect(dialog.get_by_text("Machine family: Original")).to_be_visible()
        assert_no_raw_keys(page)
        submit(dialog)

        dialog.get_by_text("Pair this machine (gives it a new key for good)").click()
        expect(dialog.get_by_text(f"Before pairing {NESPRESSO_TO_PAIR}")).to_be_visible()
        expect(dialog.get_by_text("stops pairing for good after about 25 keys")).to_be_visible()
        screenshot(page, "add_nespresso_pairing_warning")
        submit(dialog)
        expect(
            dialog.get_by_text("Tick the box to confirm that you understand the risk")
        ).to_be_visible()
        assert_no_raw_keys(page)
        tick(dialog, "I understand that pairing uses up one of the machine's key slots for good")
        submit(dialog)

        expect(dialog.get_by_text(f"Pair {NESPRESSO_TO_PAIR} now?")).to_be_visible()
        assert_no_raw_keys(page)
        submit(dialog)

        expect(dialog.get_by_text("Name and assign")).to_be_visible()
        skip_naming(dialog)
        page.goto(f"{url}/config/integrations/integration/kitchen_connect")
        expect(page.get_by_text(NESPRESSO_TO_PAIR, exact=True).first).to_be_visible()

    browser_environment.browser.run_on_page("add_nespresso", scenario, locale="en-US")
