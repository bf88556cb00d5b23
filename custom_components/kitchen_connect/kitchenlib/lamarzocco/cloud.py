"""The signed REST client of La Marzocco's cloud: tokens, things, dashboards and commands.

The aiohttp session is injected. Every request carries the installation key's signing
headers; REST requests also carry the bearer token, which is refreshed ahead of its expiry
by one request however many callers need it. A command's REST reply only says ``Pending``:
the client waits, bounded, for the command's id in a websocket push (fed in through
``command_updates``) and raises CommandRefusedError for a failure or a timeout.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
import json
import logging
import time
from typing import Any, Final

import aiohttp

from ..errors import AuthError, CommandRefusedError, ConnectionFailedError, ProtocolError
from ..tokens import TokenSet
from .commands import (
    COMMAND_TIMEOUT,
    Command,
    CommandOutcome,
    command_outcome,
    outcome_error,
    parse_command_reply,
)
from .dashboard import CommandUpdate, Dashboard, parse_dashboard
from .firmware import FirmwareUpdate, parse_firmware_update, update_path
from .installation import InstallationKey
from .models import Thing, parse_things
from .scheduling import Scheduling, parse_scheduling
from .settings import Settings, parse_settings
from .statistics import (
    COUNTER_WIDGET,
    LAST_COFFEE_WIDGET,
    TREND_WIDGET,
    CoffeeAndFlushCounter,
    CoffeeAndFlushTrend,
    LastCoffee,
    checked_days,
    checked_timezone,
    parse_counter,
    parse_last_coffees,
    parse_trend,
    stats_path,
)
from .stomp import checked_serial
from .tokens import (
    INIT_PATH,
    PRIVACY_POLICY_PATH,
    REFRESH_PATH,
    SIGNIN_PATH,
    TokenAction,
    parse_token_reply,
    privacy_policy_acceptance,
    refusal_error,
    token_action,
)

_LOGGER = logging.getLogger(__name__)

DEFAULT_REQUEST_TIMEOUT: Final = 15.0
MAX_REQUEST_TIMEOUT: Final = 300.0
MAX_COMMAND_TIMEOUT: Final = 120.0
_MAX_REPLY_BYTES: Final = 4 << 20
# Command results that arrived before their REST reply was read; a handful at most.
_EARLY_RESULTS: Final = 64


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where the REST API and the websocket live."""

    api: str
    websocket: str

    @classmethod
    def for_server(cls, base_url: str) -> Endpoints:
        """The endpoints of a server at ``base_url`` (``https://host`` or a simulator)."""
        base = base_url.rstrip("/")
        scheme, _, rest = base.partition("://")
        ws_scheme = "wss" if scheme == "https" else "ws"
        return cls(f"{base}/api/customer-app", f"{ws_scheme}://{rest}/ws/connect")


CLOUD: Final = Endpoints.for_server("https://lion.lamarzocco.io")


def checked_seconds(value: float, maximum: float, what: str) -> float:
    """``value`` when it is above 0 and at most ``maximum`` seconds; ValueError otherwise."""
    if not 0 < value <= maximum:
        raise ValueError(f"{what} must be above 0 and at most {maximum:g} seconds")
    return value


class LaMarzoccoCloud:
    """One account's signed cloud client."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        key: InstallationKey,
        username: str,
        password: str,
        *,
        endpoints: Endpoints = CLOUD,
        tokens: TokenSet | None = None,
        clock: Callable[[], float] = time.time,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        command_timeout: float = COMMAND_TIMEOUT,
    ) -> None:
        """A client; nothing is sent until the first call."""
        self._session = session
        self._key = key
        self._username = username
        self._password = password
        self.endpoints = endpoints
        self._tokens = tokens
        self._clock = clock
        self._timeout = aiohttp.ClientTimeout(
            total=checked_seconds(request_timeout, MAX_REQUEST_TIMEOUT, "request timeout")
        )
        self._command_timeout = checked_seconds(command_timeout, MAX_COMMAND_TIMEOUT, "timeout")
        self._token_lock = asyncio.Lock()
        self._waiters: dict[str, asyncio.Queue[CommandUpdate]] = {}
        self._early: OrderedDict[str, CommandUpdate] = OrderedDict()

    @property
    def key(self) -> InstallationKey:
        """The installation key requests are signed with."""
        return self._key

    @property
    def tokens(self) -> TokenSet | None:
        """The current token set (None before the first sign-in)."""
        return self._tokens

    def signed_headers(self) -> dict[str, str]:
        """Fresh signing headers for one request (also used for the websocket upgrade)."""
        return self._key.signed_headers()

    # --- authentication --------------------------------------------------------------------

    async def async_register(self) -> None:
        """Register the installation key with ``/auth/init`` (once per key)."""
        headers, body = self._key.init_request()
        status, reply = await self._post(INIT_PATH, body, headers)
        if status >= 400:
            raise refusal_error(status, reply)
        _LOGGER.debug("La Marzocco installation key registered")

    async def async_access_token(self) -> str:
        """A valid access token: signed in, or refreshed ahead of expiry, when needed."""
        tokens = self._tokens
        if tokens is not None and token_action(tokens, self._clock()) is TokenAction.USE:
            return tokens.access_token
        async with self._token_lock:
            # Whoever waited for the lock finds the token the first caller got.
            tokens = self._tokens
            action = token_action(tokens, self._clock())
            if tokens is None or action is TokenAction.SIGN_IN:
                tokens = await self._sign_in()
            elif action is TokenAction.REFRESH:
                tokens = await self._refresh_or_sign_in(tokens)
            self._tokens = tokens
            return tokens.access_token

    async def async_sign_in(self) -> TokenSet:
        """Sign in now (checks credentials); AuthError, PrivacyPolicyError, blocked..."""
        async with self._token_lock:
            self._tokens = await self._sign_in()
            return self._tokens

    async def _sign_in(self) -> TokenSet:
        body = {"username": self._username, "password": self._password}
        status, reply = await self._post(SIGNIN_PATH, body, self.signed_headers())
        if status >= 400:
            raise refusal_error(status, reply)
        tokens = parse_token_reply(reply, now=self._clock())
        _LOGGER.debug(
            "Signed in to La Marzocco (token valid for %.0f s)", tokens.seconds_left(self._clock())
        )
        return tokens

    async def async_accept_privacy_policy(self, *, profile_data: bool, commercial: bool) -> None:
        """Accept the current privacy policy (two optional consents), then sign in.

        For an account whose sign-in raised PrivacyPolicyError; the wire shape is our
        design until the real one is captured (see ``tokens.PRIVACY_POLICY_PATH``).
        """
        body = privacy_policy_acceptance(
            self._username, self._password, profile_data=profile_data, commercial=commercial
        )
        async with self._token_lock:
            status, reply = await self._post(PRIVACY_POLICY_PATH, body, self.signed_headers())
            if status >= 400:
                raise refusal_error(status, reply)
            _LOGGER.debug("La Marzocco privacy policy accepted")
            self._tokens = await self._sign_in()

    async def _refresh_or_sign_in(self, tokens: TokenSet) -> TokenSet:
        body = {"username": self._username, "refreshToken": tokens.refresh_token}
        status, reply = await self._post(REFRESH_PATH, body, self.signed_headers())
        if status >= 400:
            error = refusal_error(status, reply)
            if type(error) is not AuthError:
                raise error
            _LOGGER.debug("La Marzocco refused the refresh token; signing in again")
            return await self._sign_in()
        new = parse_token_reply(
            reply, now=self._clock(), previous_refresh_token=tokens.refresh_token
        )
        _LOGGER.debug(
            "La Marzocco token refreshed (valid for %.0f s)", new.seconds_left(self._clock())
        )
        return new

    # --- REST ------------------------------------------------------------------------------

    async def async_things(self) -> tuple[Thing, ...]:
        """Every thing on the account."""
        return parse_things(await self._get("/things"))

    async def async_dashboard(self, serial_number: str) -> Dashboard:
        """A thing's dashboard."""
        return parse_dashboard(
            await self._get(f"/things/{checked_serial(serial_number)}/dashboard")
        )

    async def async_settings(self, serial_number: str) -> Settings:
        """A thing's settings: firmware, plumb-in, Wi-Fi, Bluetooth token."""
        return parse_settings(await self._get(f"/things/{checked_serial(serial_number)}/settings"))

    async def async_scheduling(self, serial_number: str) -> Scheduling:
        """A coffee machine's smart standby and wake-up schedules (grinders have none)."""
        return parse_scheduling(
            await self._get(f"/things/{checked_serial(serial_number)}/scheduling")
        )

    async def async_coffee_and_flush_counter(self, serial_number: str) -> CoffeeAndFlushCounter:
        """Total coffees and flushes."""
        return parse_counter(
            await self._get(stats_path(checked_serial(serial_number), COUNTER_WIDGET))
        )

    async def async_last_coffees(self, serial_number: str, days: int = 7) -> tuple[LastCoffee, ...]:
        """The coffees of the last ``days`` days (1 to 365), newest first."""
        path = stats_path(
            checked_serial(serial_number), LAST_COFFEE_WIDGET, days=checked_days(days)
        )
        return parse_last_coffees(await self._get(path))

    async def async_coffee_and_flush_trend(
        self, serial_number: str, days: int = 7, timezone: str = "UTC"
    ) -> CoffeeAndFlushTrend:
        """Coffees and flushes per day over ``days`` days in an IANA ``timezone``."""
        path = stats_path(
            checked_serial(serial_number),
            TREND_WIDGET,
            days=checked_days(days),
            timezone=checked_timezone(timezone),
        )
        return parse_trend(await self._get(path))

    async def async_firmware_update_status(self, serial_number: str) -> FirmwareUpdate:
        """Where a firmware update stands, with its progress."""
        return parse_firmware_update(await self._get(update_path(checked_serial(serial_number))))

    async def async_start_firmware_update(self, serial_number: str) -> FirmwareUpdate:
        """Start installing the offered firmware; poll ``async_firmware_update_status``."""
        path = update_path(checked_serial(serial_number))
        return parse_firmware_update(await self._authorized("POST", path, None))

    async def async_send_command(self, serial_number: str, command: Command) -> None:
        """Send ``command`` and wait for the machine's result; CommandRefusedError if none."""
        path = command.path(checked_serial(serial_number))
        reply = await self._authorized("POST", path, dict(command.body))
        update = parse_command_reply(reply)
        queue = self._waiters.setdefault(update.command_id, asyncio.Queue())
        early = self._early.pop(update.command_id, None)
        if early is not None:
            queue.put_nowait(early)
        try:
            # The timeout is the deadline; command_outcome only judges the status (elapsed 0).
            async with asyncio.timeout(self._command_timeout):
                while (outcome := command_outcome(update, elapsed=0)) is CommandOutcome.WAITING:
                    update = await queue.get()
        except TimeoutError:
            outcome = CommandOutcome.TIMED_OUT
        finally:
            del self._waiters[update.command_id]
        error = outcome_error(command, outcome, update)
        _LOGGER.debug("%s ended: %s", command.name, outcome.value)
        if error is not None:
            raise error

    def command_updates(self, updates: Iterable[CommandUpdate]) -> None:
        """Command results from a websocket push."""
        for update in updates:
            queue = self._waiters.get(update.command_id)
            if queue is not None:
                queue.put_nowait(update)
                continue
            self._early[update.command_id] = update
            while len(self._early) > _EARLY_RESULTS:
                self._early.popitem(last=False)

    async def _get(self, path: str) -> Any:
        return await self._authorized("GET", path, None)

    async def _authorized(self, method: str, path: str, body: Any) -> Any:
        for attempt in range(2):
            token = await self.async_access_token()
            headers = {**self.signed_headers(), "Authorization": f"Bearer {token}"}
            status, reply = await self._request(method, path, body, headers)
            if status == 401 and attempt == 0:
                # The token was refused before its time: sign in again once. Only a refusal
                # of the current token clears it; concurrent requests refused with the
                # same old token then share the one sign-in the first of them caused.
                if self._tokens is not None and self._tokens.access_token == token:
                    self._tokens = None
                continue
            if status == 400:
                # The cloud names what it did not accept; the account itself is fine.
                raise CommandRefusedError(f"La Marzocco refused the request (HTTP {status})")
            if status >= 400:
                raise refusal_error(status, reply)
            return reply
        raise AuthError("La Marzocco refused a fresh token")  # pragma: no cover

    async def _post(self, path: str, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
        return await self._request("POST", path, body, headers)

    async def _request(
        self, method: str, path: str, body: Any, headers: dict[str, str]
    ) -> tuple[int, Any]:
        try:
            async with self._session.request(
                method,
                f"{self.endpoints.api}{path}",
                json=body,
                headers=headers,
                timeout=self._timeout,
            ) as response:
                status = response.status
                raw = bytearray()
                # read(n) returns what has arrived so far, not n bytes: collect the chunks.
                async for chunk in response.content.iter_chunked(1 << 16):
                    raw += chunk
                    if len(raw) > _MAX_REPLY_BYTES:
                        raise ProtocolError("La Marzocco reply is too large")
        except (aiohttp.ClientError, TimeoutError) as err:
            raise ConnectionFailedError(
                f"La Marzocco's cloud is unreachable ({type(err).__name__})"
            ) from err
        return status, _decode(bytes(raw), status)


def _decode(raw: bytes, status: int) -> Any:
    """The JSON body; None for an error page that is not JSON (CloudFront's HTML)."""
    try:
        return json.loads(raw) if raw else None
    except (ValueError, RecursionError) as err:
        if status >= 400:
            return None
        raise ProtocolError("La Marzocco reply is not JSON") from err
