"""Serve the default simulated household on 127.0.0.1 until interrupted.

Every misbehaviour the simulator can show has a switch, so the integration can be tried
against two-step verification, new terms, a refused appliance list and the like by hand.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
import dataclasses
import re

from custom_components.kitchen_connect.kitchenlib.ge.endpoints import REGION_COOKIE_VALUES, Region

from .auth_pages import AuthScenario
from .household import Household, default_household
from .server import DEFAULT_ACCOUNT, SmartHqSimulator

DEFAULT_PORT = 8766
_PLAIN = AuthScenario()
_MAC = re.compile(r"[0-9A-Fa-f]{12}")
_METHOD = re.compile(r"[a-z]{1,16}")


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < seconds < 1e9:
        raise argparse.ArgumentTypeError(f"needs more than 0 seconds: {text!r}")
    return seconds


def _count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if count < 0:
        raise argparse.ArgumentTypeError(f"cannot be negative: {text!r}")
    return count


def _error_status(text: str) -> int:
    status = _count(text)
    if not 400 <= status <= 599:
        raise argparse.ArgumentTypeError(f"not an HTTP error status (400-599): {text!r}")
    return status


def _methods(text: str) -> tuple[str, ...]:
    methods = tuple(part.strip() for part in text.split(",") if part.strip())
    if not methods or not all(_METHOD.fullmatch(method) for method in methods):
        raise argparse.ArgumentTypeError(f"not a comma-separated list like email,sms: {text!r}")
    return methods


def _mac(text: str) -> str:
    if not _MAC.fullmatch(text):
        raise argparse.ArgumentTypeError(f"not a 12-digit appliance id: {text!r}")
    return text.upper()


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m simulators.ge",
        description="Simulated SmartHQ cloud (sign-in, websocket, appliances) on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="TCP port (0: any)")
    parser.add_argument(
        "--tick", type=float, default=5.0, help="seconds between simulated-time steps (0: none)"
    )
    parser.add_argument(
        "--region",
        choices=[region.value for region in Region],
        default=Region.US.value,
        help="the region the account belongs to; signing in with the other one fails",
    )

    sign_in = parser.add_argument_group("sign-in")
    sign_in.add_argument(
        "--mfa",
        action="store_true",
        help="two-step verification: ask for a one-time code after the password; "
        "the code is printed here when the sign-in asks for it to be sent",
    )
    sign_in.add_argument(
        "--mfa-methods",
        type=_methods,
        default=_PLAIN.mfa_methods,
        metavar="LIST",
        help="ways the one-time code can be sent, comma-separated (default: email,sms)",
    )
    sign_in.add_argument(
        "--mfa-nudge",
        action="store_true",
        help="after the password, offer to set up two-step verification (can be skipped)",
    )
    sign_in.add_argument(
        "--mfa-setup-required",
        action="store_true",
        help="the set-up offer cannot be skipped: sign-in fails until it is done in the app "
        "(implies --mfa-nudge)",
    )
    sign_in.add_argument(
        "--terms", action="store_true", help="show new terms of use, accepted by a form"
    )
    sign_in.add_argument(
        "--terms-in-app-only",
        action="store_true",
        help="the new terms offer no form: they must be accepted in the app (implies --terms)",
    )
    sign_in.add_argument(
        "--no-authorisation-page",
        action="store_true",
        help="skip the page that asks to authorise the app",
    )
    sign_in.add_argument(
        "--unknown-page",
        metavar="TITLE",
        help="stop every sign-in at an unknown page with this title (a CAPTCHA, maintenance)",
    )
    sign_in.add_argument(
        "--token-lifetime",
        type=_positive_seconds,
        default=_PLAIN.token_lifetime,
        metavar="SECONDS",
        help="lifetime of access tokens (default: %(default).0f)",
    )
    sign_in.add_argument(
        "--keep-refresh-tokens",
        action="store_true",
        help="a refresh returns no new refresh token (the old one stays valid)",
    )
    sign_in.add_argument(
        "--code-lifetime",
        type=_positive_seconds,
        default=_PLAIN.code_lifetime,
        metavar="SECONDS",
        help="lifetime of one-time and authorisation codes (default: %(default).0f)",
    )

    websocket = parser.add_argument_group("websocket")
    websocket.add_argument(
        "--connection-lifetime",
        type=_positive_seconds,
        default=3600.0,
        metavar="SECONDS",
        help="cut every websocket after this long, like GE's one hour (default: %(default).0f)",
    )
    websocket.add_argument(
        "--rate-limit",
        type=_count,
        default=0,
        metavar="N",
        help="answer the first N API calls with 429 (rate limited)",
    )
    websocket.add_argument(
        "--fail-list",
        type=_count,
        default=0,
        metavar="N",
        help="refuse the first N appliance-list calls (status from --fail-status)",
    )
    websocket.add_argument(
        "--fail-reads",
        type=_count,
        default=0,
        metavar="N",
        help="refuse the first N full reads of an appliance",
    )
    websocket.add_argument(
        "--fail-writes", type=_count, default=0, metavar="N", help="refuse the first N writes"
    )
    websocket.add_argument(
        "--fail-status",
        type=_error_status,
        default=503,
        metavar="STATUS",
        help="HTTP status of refused calls (default: %(default)s)",
    )
    websocket.add_argument(
        "--write-ack-timeout",
        action="store_true",
        help='answer writes with status "timeout", as when the appliance does not confirm',
    )
    websocket.add_argument(
        "--no-pongs", action="store_true", help="leave keep-alive pings unanswered"
    )
    websocket.add_argument(
        "--offline",
        type=_mac,
        action="append",
        default=[],
        metavar="MAC",
        help="list this appliance as offline (repeatable)",
    )
    websocket.add_argument(
        "--leave-out",
        type=_mac,
        action="append",
        default=[],
        metavar="MAC",
        help="leave this appliance out of the first appliance lists, as GE's list sometimes "
        "does; it still pushes meanwhile (repeatable)",
    )
    websocket.add_argument(
        "--leave-out-lists",
        type=_count,
        default=1,
        metavar="N",
        help="how many lists --leave-out applies to (default: %(default)s)",
    )
    return parser


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    return _build_parser().parse_args(argv)


def _simulator(args: argparse.Namespace, household: Household | None = None) -> SmartHqSimulator:
    """The simulator the command line describes (``household`` replaces the default one)."""
    household = household if household is not None else default_household()
    unknown = [mac for mac in (*args.offline, *args.leave_out) if mac not in household.appliances]
    if unknown:
        _build_parser().error(f"no appliance {', '.join(unknown)} in the household")
    scenario = AuthScenario(
        mfa=args.mfa,
        mfa_methods=args.mfa_methods,
        mfa_nudge=args.mfa_nudge or args.mfa_setup_required,
        mfa_nudge_skippable=not args.mfa_setup_required,
        terms=args.terms or args.terms_in_app_only,
        terms_acceptable=not args.terms_in_app_only,
        authorisation_page=not args.no_authorisation_page,
        unknown_page_title=args.unknown_page,
        token_lifetime=args.token_lifetime,
        rotate_refresh_tokens=not args.keep_refresh_tokens,
        code_lifetime=args.code_lifetime,
    )
    account = dataclasses.replace(DEFAULT_ACCOUNT, region=REGION_COOKIE_VALUES[Region(args.region)])
    simulator = SmartHqSimulator(
        household=household,
        accounts=[account],
        scenario=scenario,
        connection_lifetime=args.connection_lifetime,
        tick_interval=args.tick,
    )
    simulator.write_ack_status = "timeout" if args.write_ack_timeout else ""
    simulator.answer_pings = not args.no_pongs
    simulator.rate_limit_next(args.rate_limit)
    for count, path in (
        (args.fail_list, "/v1/appliance"),
        (args.fail_reads, "/v1/appliance/*/erd"),
        (args.fail_writes, "/v1/appliance/*/erd/*"),
    ):
        simulator.fail_next(count, status=args.fail_status, path=path)
    for mac in args.offline:
        simulator.set_online(mac, False)
    simulator.leave_out_of_lists(args.leave_out, args.leave_out_lists)
    simulator.auth.code_listener = _print_code
    return simulator


def _print_code(method: str, code: str) -> None:
    print(f"One-time code ({method}): {code}", flush=True)


async def _serve(simulator: SmartHqSimulator, port: int) -> None:
    await simulator.start(port)
    try:
        print(f"Simulated SmartHQ cloud at {simulator.base_url}", flush=True)
        account = simulator.accounts[0]
        print(f"Sign in as {account.username} / {account.password}", flush=True)
        for appliance in simulator.household.appliances.values():
            state = "" if appliance.online else "  (offline)"
            print(f"  {appliance.mac}  {appliance.label}  {appliance.nickname}{state}", flush=True)
        await asyncio.Event().wait()
    finally:
        await simulator.stop()


def main(argv: Sequence[str] | None = None) -> None:
    """Run the simulator until interrupted."""
    args = _parse_args(argv)
    simulator = _simulator(args)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(simulator, args.port))


if __name__ == "__main__":
    main()
