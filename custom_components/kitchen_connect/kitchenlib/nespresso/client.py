"""NespressoClient: one short, authenticated connection per operation, one at a time.

The key is only ever written to a machine that already holds one (its own); a machine
without a key is onboarded solely through ``PairingSession.onboard``, which nothing here
calls. Each onboarding fills a write-once slot and the module stops pairing after ~25.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from bleak.backends.device import BLEDevice

from ..bluetooth_link import Connector
from ..errors import InvalidValueError
from . import gatt
from .auth import KEY_LENGTH, decode_key_state
from .commands import (
    CommandResponse,
    Product,
    Temperature,
    build_brew,
    build_cancel,
    build_capsule_stock,
    build_custom_brew,
    build_error_selection,
    build_original_settings,
    build_stock_threshold,
    build_vertuo_settings,
)
from .errors import (
    BondRequiredError,
    KeyRejectedError,
    NotOnboardedError,
    OnboardingRefusedError,
)
from .gatt import OriginalModel
from .link import Link, Timeouts, bleak_connector
from .models import (
    Details,
    ErrorInfo,
    Family,
    KeyState,
    MachineInfo,
    OriginalSettings,
    OriginalStatus,
    VertuoSettings,
    VertuoStatus,
)
from .status import (
    decode_count,
    decode_original_error,
    decode_original_info,
    decode_original_settings,
    decode_original_status,
    decode_serial,
    decode_vertuo_error,
    decode_vertuo_info,
    decode_vertuo_settings,
    decode_vertuo_status,
)

type Status = OriginalStatus | VertuoStatus
type Settings = OriginalSettings | VertuoSettings
NONE_READS_BEFORE_ONBOARDING = 2
KEY_ATTEMPTS = 2  # connections that must refuse the key before it counts as rejected


async def _with_bond[T](link: Link, call: Callable[[], Awaitable[T]]) -> T:
    """Run ``call``; if the link must be bonded first, bond once and run it again."""
    try:
        return await call()
    except BondRequiredError:
        await link.pair()
        return await call()


def _decode_status(family: Family | None, data: bytes) -> Status:
    if family is Family.VERTUO:
        return decode_vertuo_status(data)
    return decode_original_status(data)


def _decode_info(family: Family | None, data: bytes) -> MachineInfo:
    if family is Family.VERTUO:
        return decode_vertuo_info(data)
    return decode_original_info(data)


def _decode_settings(family: Family | None, data: bytes) -> Settings:
    if family is Family.VERTUO:
        return decode_vertuo_settings(data)
    return decode_original_settings(data)


def _decode_error(family: Family | None, data: bytes) -> ErrorInfo:
    if family is Family.VERTUO:
        return decode_vertuo_error(data)
    return decode_original_error(data)


def _require_original(link: Link, what: str) -> None:
    if link.family is not Family.ORIGINAL:
        raise InvalidValueError(f"Vertuo machines have no {what} over Bluetooth")


class PairingSession:
    """A connection without the key, for a machine the user is pairing deliberately."""

    def __init__(self, link: Link) -> None:
        self._link = link
        self._none_reads = 0
        self._onboarded = False

    @property
    def family(self) -> Family | None:
        """The family confirmed over GATT."""
        return self._link.family

    @property
    def key_sent(self) -> bool:
        """Whether ``onboard`` got as far as sending a key (it may be stored now)."""
        return self._onboarded

    async def read_key_state(self) -> KeyState:
        """Read the key state; onboarding needs two consecutive NONE answers on this link."""
        state = decode_key_state(
            await _with_bond(self._link, lambda: self._link.read(gatt.KEY_STATE))
        )
        self._none_reads = self._none_reads + 1 if state is KeyState.NONE else 0
        return state

    async def onboard(self, key: bytes, *, confirm_hazard: bool) -> None:
        """Give a factory-state machine its key. Each call uses up one of ~25 slots for good.

        Refuses, writing nothing, unless the caller confirmed the hazard and the key
        state was read as NONE twice in a row on this connection.
        """
        if confirm_hazard is not True:
            raise OnboardingRefusedError("onboarding needs the user's explicit confirmation")
        if self._onboarded or self._none_reads < NONE_READS_BEFORE_ONBOARDING:
            raise OnboardingRefusedError("the machine was not read twice as having no key")
        if len(key) != KEY_LENGTH:
            raise InvalidValueError(f"a key is {KEY_LENGTH} bytes")
        self._onboarded = True
        link = self._link
        await link.write(gatt.TX_LEVEL, gatt.TX_LEVEL_REDUCE)
        # A write refused for want of a bond stores nothing, so sending it again is safe.
        await _with_bond(link, lambda: link.write(gatt.KEY, key))
        state = decode_key_state(await link.read(gatt.KEY_STATE))
        if state is not KeyState.FINAL:
            raise NotOnboardedError(f"the machine did not keep the key (state {state.name})")
        await link.read(gatt.STATUS)


class NespressoClient:
    """Reads and commands for one machine, each on its own bounded connection."""

    def __init__(
        self,
        connector: Connector,
        key: bytes,
        *,
        model: OriginalModel = OriginalModel.EXPERT,
        timeouts: Timeouts | None = None,
    ) -> None:
        if len(key) != KEY_LENGTH:
            raise InvalidValueError(f"a key is {KEY_LENGTH} bytes")
        self._connector = connector
        self._key = key
        self._model = model
        self._timeouts = timeouts or Timeouts()
        self._lock = asyncio.Lock()
        self.family: Family | None = None

    @classmethod
    def for_device(
        cls,
        device: Callable[[], BLEDevice | None],
        key: bytes,
        *,
        model: OriginalModel = OriginalModel.EXPERT,
        timeouts: Timeouts | None = None,
    ) -> NespressoClient:
        """A client connecting through bleak-retry-connector; ``device`` is asked each time."""
        return cls(bleak_connector(device), key, model=model, timeouts=timeouts)

    def __repr__(self) -> str:
        return f"NespressoClient(model={self._model.value}, family={self.family})"

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Link]:
        async with self._lock:
            link = Link(self._timeouts)
            try:
                await link.open(self._connector)
                self.family = link.family
                yield link
            finally:
                await link.close()

    @asynccontextmanager
    async def _authenticated(self) -> AsyncIterator[tuple[Link, bytes]]:
        """A connection on which the key was accepted; yields the status read to verify it.

        A refused key is tried once more on a new connection before it counts as
        rejected: one garbled write must not send the user off to re-enter the key, and
        nothing but the key has been sent when it is refused.
        """
        for attempt in range(1, KEY_ATTEMPTS + 1):
            async with self._connection() as link:
                try:
                    status = await self._send_key(link)
                except KeyRejectedError:
                    if attempt == KEY_ATTEMPTS:
                        raise
                    continue
                yield link, status
                return

    async def _send_key(self, link: Link) -> bytes:
        """Give the machine our key; the status read that proves it was accepted."""
        state = decode_key_state(await _with_bond(link, lambda: link.read(gatt.KEY_STATE)))
        if state is not KeyState.FINAL:
            raise NotOnboardedError("the machine holds no key; import one or pair it")
        await _with_bond(link, lambda: link.write(gatt.KEY, self._key))
        return await link.read(gatt.STATUS)

    @asynccontextmanager
    async def pairing_session(self) -> AsyncIterator[PairingSession]:
        """A keyless connection for deliberate onboarding (see PairingSession)."""
        async with self._connection() as link:
            yield PairingSession(link)

    async def _read(self, uuid: str) -> tuple[Family | None, bytes]:
        async with self._authenticated() as (link, _status):
            return link.family, await link.read(uuid)

    # -- reads -----------------------------------------------------------------------------

    async def read_key_state(self) -> KeyState:
        """The key state, readable without the key."""
        async with self.pairing_session() as session:
            return await session.read_key_state()

    async def read_status(self) -> Status:
        """Machine status, decoded for the machine's family."""
        async with self._authenticated() as (link, status):
            return _decode_status(link.family, status)

    async def read_machine_info(self) -> MachineInfo:
        """Versions and Bluetooth address."""
        family, data = await self._read(gatt.MACHINE_INFO)
        return _decode_info(family, data)

    async def read_serial(self) -> str:
        """The serial number."""
        _family, data = await self._read(gatt.SERIAL)
        return decode_serial(data)

    async def read_settings(self) -> Settings:
        """Water hardness and standby/auto-off."""
        family, data = await self._read(gatt.USER_SETTINGS)
        return _decode_settings(family, data)

    async def read_error(self, *, log: bool = False) -> ErrorInfo:
        """The current error, or the error log entry."""
        async with self._authenticated() as (link, _status):
            await link.write(gatt.ERROR_SELECTION, build_error_selection(log=log))
            return _decode_error(link.family, await link.read(gatt.ERROR_INFO))

    async def read_capsule_stock(self) -> int:
        """Capsules left as the machine counts them (original line)."""
        return await self._read_count(gatt.CAPSULE_STOCK, "capsule stock")

    async def read_stock_threshold(self) -> int:
        """Low-stock alert threshold (original line)."""
        return await self._read_count(gatt.STOCK_THRESHOLD, "capsule stock")

    async def _read_count(self, uuid: str, what: str) -> int:
        async with self._authenticated() as (link, _status):
            _require_original(link, what)
            return decode_count(await link.read(uuid))

    async def read_details(self) -> Details:
        """Status and every slow value (versions, serial, settings, stock) on one connection."""
        async with self._authenticated() as (link, status):
            family = link.family
            info = _decode_info(family, await link.read(gatt.MACHINE_INFO))
            serial = decode_serial(await link.read(gatt.SERIAL))
            settings = _decode_settings(family, await link.read(gatt.USER_SETTINGS))
            stock: int | None = None
            threshold: int | None = None
            if family is Family.ORIGINAL:
                stock = decode_count(await link.read(gatt.CAPSULE_STOCK))
                threshold = decode_count(await link.read(gatt.STOCK_THRESHOLD))
            return Details(
                family=family or Family.ORIGINAL,
                status=_decode_status(family, status),
                info=info,
                serial=serial,
                settings=settings,
                capsule_stock=stock,
                stock_threshold=threshold,
            )

    # -- commands --------------------------------------------------------------------------

    async def brew(
        self, product: Product, temperature: Temperature = Temperature.MEDIUM
    ) -> CommandResponse:
        """Brew a predefined product; MachineRefusedError carries the machine's reason."""
        frame = build_brew(product, temperature, model=self._model)
        return await self._command(frame)

    async def brew_custom(
        self,
        *,
        coffee_ml: int | None,
        water_ml: int | None,
        temperature: Temperature = Temperature.MEDIUM,
        water_first: bool = False,
    ) -> CommandResponse:
        """Prepare a custom recipe, then brew it (Expert only)."""
        prepare, brew = build_custom_brew(
            coffee_ml=coffee_ml,
            water_ml=water_ml,
            temperature=temperature,
            water_first=water_first,
            model=self._model,
        )
        return await self._command(prepare, brew)

    async def cancel(self) -> CommandResponse:
        """Stop the running brew."""
        return await self._command(build_cancel())

    async def _command(self, *frames: bytes) -> CommandResponse:
        async with self._authenticated() as (link, _status):
            _require_original(link, "commands")
            for frame in frames:
                response = await link.command(frame)
                response.raise_for_refusal()
            return response

    # -- settings --------------------------------------------------------------------------

    async def set_water_hardness(self, level: int) -> Settings:
        """Set the water hardness level; returns the settings read back."""
        return await self._change_settings(hardness=level)

    async def set_auto_off(self, value: int) -> Settings:
        """Set the standby delay (original line, seconds) or the Vertuo auto-off value."""
        return await self._change_settings(auto_off=value)

    async def _change_settings(
        self, *, hardness: int | None = None, auto_off: int | None = None
    ) -> Settings:
        async with self._authenticated() as (link, _status):
            current = await link.read(gatt.USER_SETTINGS)
            if link.family is Family.VERTUO:
                data = build_vertuo_settings(
                    decode_vertuo_settings(current), auto_off=auto_off, hardness=hardness
                )
            else:
                data = build_original_settings(
                    decode_original_settings(current), standby_seconds=auto_off, hardness=hardness
                )
            await link.write(gatt.USER_SETTINGS, data)
            return _decode_settings(link.family, await link.read(gatt.USER_SETTINGS))

    async def set_capsule_stock(self, count: int) -> int:
        """Set the capsules left; returns the count read back."""
        return await self._write_count(gatt.CAPSULE_STOCK, build_capsule_stock(count))

    async def set_stock_threshold(self, count: int) -> int:
        """Set the low-stock threshold; returns the value read back."""
        return await self._write_count(gatt.STOCK_THRESHOLD, build_stock_threshold(count))

    async def _write_count(self, uuid: str, data: bytes) -> int:
        async with self._authenticated() as (link, _status):
            _require_original(link, "capsule stock")
            await link.write(uuid, data)
            return decode_count(await link.read(uuid))
