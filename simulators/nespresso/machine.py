"""A deterministic, transport-free Nespresso machine answering GATT by characteristic UUID.

The test drives it: ``connect``/``bond``/``read``/``write`` as a central would, the
physical controls (lid, tank, container, wake) as a user would, and ``tick`` for time.
A later session wraps it in a fake bleak backend.
"""

from __future__ import annotations

from collections.abc import Callable

from custom_components.kitchen_connect.kitchenlib.nespresso import gatt
from custom_components.kitchen_connect.kitchenlib.nespresso.auth import (
    ATT_INSUFFICIENT_AUTHENTICATION,
    ATT_READ_NOT_PERMITTED,
    ATT_UNLIKELY_ERROR,
    KEY_LENGTH,
)
from custom_components.kitchen_connect.kitchenlib.nespresso.commands import (
    CMD_BREW,
    CMD_RECIPE,
    CODE_ACK,
    CODE_CONDITIONS,
    CODE_NOTHING_TO_CANCEL,
    CODE_OUT_OF_RANGE,
    CODE_PREPARE_REFUSED,
    SUB_BREW,
    SUB_CANCEL,
    SUB_RECIPE_PREPARE,
    Product,
    encode_response,
    supported_products,
    supported_temperatures,
)
from custom_components.kitchen_connect.kitchenlib.nespresso.gatt import OriginalModel
from custom_components.kitchen_connect.kitchenlib.nespresso.models import (
    CAPSULES_UNTRACKED_ABOVE,
    Family,
    KeyState,
    OriginalState,
    OriginalStatus,
    VertuoState,
    VertuoStatus,
)
from custom_components.kitchen_connect.kitchenlib.nespresso.status import (
    CAPSULE_COUNTER_MAX,
    SLIDER_CLOSED,
    encode_original_status,
    encode_vertuo_status,
)

from .. import secrets_ledger

# ATT errors the library does not name.
ATT_WRITE_NOT_PERMITTED = 0x03
ATT_INVALID_LENGTH = 0x0D
KEY_STORAGE_SLOTS = 25  # the BL600 stops pairing after about this many keys
BREW_TICKS = 3

type Notify = Callable[[str, bytes], None]

# Characteristics readable without the key (identity and pairing state).
_OPEN_READS = frozenset({gatt.KEY_STATE, gatt.PROFILE_VERSION})
_NOTIFIABLE = frozenset(
    {
        gatt.KEY_STATE,
        gatt.STATUS,
        gatt.SLIDER,
        gatt.COMMAND_RESPONSE,
        gatt.ERROR_INFO,
        gatt.USER_SETTINGS,
        gatt.CAPSULE_STOCK,
    }
)


class GattError(Exception):
    """An ATT error response, as a central would receive it."""

    def __init__(self, att_code: int) -> None:
        super().__init__(f"ATT error 0x{att_code:02x}")
        self.att_code = att_code


class UnknownCharacteristicError(LookupError):
    """The machine has no such characteristic."""


class SimulatedMachine:
    """One machine of either family, with the original line's brewing rules."""

    def __init__(
        self,
        family: Family = Family.ORIGINAL,
        *,
        model: OriginalModel = OriginalModel.EXPERT,
        key: bytes | None = None,
        capsules: int = 15,
        on_notify: Notify | None = None,
        machine_info: bytes = bytes.fromhex("006c006d007d0076d2a74c76f3e0"),
        serial: bytes = b"16069D70p13036820NJ",
    ) -> None:
        self.family = family
        self.model = model
        self.on_notify = on_notify
        self.machine_info = machine_info
        self.serial = serial
        self._key = key
        secrets_ledger.record("Nespresso key", key)
        secrets_ledger.record("Nespresso serial number", serial)
        self.keys_written = 0 if key is None else 1
        self.key_write_attempts = 0
        self.bonded = False
        self.connected = False
        self.authenticated = False
        self.subscriptions: set[str] = set()
        self.state_ready()
        self.tank_empty = False
        self.container_full = False
        self.slider_closed = True
        self.lid_cycled = True
        self.capsules = capsules
        self.stock_threshold = 5
        self.settings = bytes.fromhex("021c0400")
        self.error_selection = 0
        self.error_info = bytes(4)
        self.command_response = b""
        self.recipe_prepared = False
        self.brew_ticks_left = 0
        self.blocked_events = 0

    # -- state helpers -------------------------------------------------------------------

    def state_ready(self) -> None:
        """Put the machine into its ready state."""
        self.original_state = OriginalState.READY
        self.vertuo_state = VertuoState.READY

    @property
    def key_state(self) -> KeyState:
        """FINAL once a key is stored, NONE in factory state."""
        return KeyState.NONE if self._key is None else KeyState.FINAL

    @property
    def brewing(self) -> bool:
        """True while a brew runs."""
        return self.brew_ticks_left > 0

    def status_bytes(self) -> bytes:
        """The current status characteristic value, built with the library's encoder."""
        if self.family is Family.VERTUO:
            return encode_vertuo_status(
                VertuoStatus(
                    water_tank_empty=self.tank_empty,
                    cleaning_needed=False,
                    descaling_needed=False,
                    led_signalling=False,
                    error_present=False,
                    key_state=self.key_state,
                    bootloader_active=False,
                    state=self.vertuo_state,
                    state_code=int(self.vertuo_state),
                    milk_frother_running=False,
                    cup_programming=False,
                    container_full=self.container_full,
                    brewing_unit_closed=self.slider_closed,
                )
            )
        return encode_original_status(
            OriginalStatus(
                water_tank_empty=self.tank_empty,
                descaling_needed=False,
                fault_flag=False,
                key_state=self.key_state,
                bootloader_active=False,
                state=self.original_state,
                tray_sensor_tripped=False,
                container_full=self.container_full,
                capsule_engaged=self.brewing,
                capsule_stock_low=self.capsules <= self.stock_threshold,
                capsule_counter=min(self.capsules, CAPSULE_COUNTER_MAX),
                programmed_brew_active=False,
                programmed_brew_events=0,
                capsule_stock_events=0,
                blocked_events=self.blocked_events,
                descaling_countdown=None,
            )
        )

    def services(self) -> tuple[str, ...]:
        """Primary services a GATT discovery finds."""
        if self.family is Family.VERTUO:
            return gatt.VERTUO_SERVICES
        return gatt.ORIGINAL_SERVICES

    def advertisement(self) -> tuple[list[str], dict[int, bytes]]:
        """Service UUIDs and manufacturer data (the name is only in the scan response)."""
        return [gatt.SERVICE_IDENTITY], {gatt.COMPANY_IDS[0]: self.status_bytes()[:6]}

    def _notify(self, uuid: str, value: bytes, *, unsolicited: bool = False) -> None:
        if self.on_notify is not None and (unsolicited or uuid in self.subscriptions):
            self.on_notify(uuid, value)

    def _status_changed(self) -> None:
        self._notify(gatt.STATUS, self.status_bytes())

    # -- link ------------------------------------------------------------------------------

    def connect(self) -> None:
        """A central connected; the key must be written again on this link."""
        self.connected = True
        self.authenticated = False
        self.subscriptions.clear()

    def disconnect(self) -> None:
        """The link dropped (the machine does this after brews and when idle)."""
        self.connected = False
        self.authenticated = False
        self.subscriptions.clear()

    def bond(self) -> None:
        """Just Works bonding; harmless to repeat."""
        self._require_link()
        self.bonded = True

    def forget_bond(self) -> None:
        """The machine lost the bond (for example after a factory reset)."""
        self.bonded = False

    def _require_link(self) -> None:
        if not self.connected:
            raise ConnectionError("not connected")

    def characteristics(self) -> frozenset[str]:
        """Characteristic UUIDs a GATT discovery finds on this machine."""
        return self._characteristics()

    def _characteristics(self) -> frozenset[str]:
        common = {
            gatt.PROFILE_VERSION,
            gatt.MACHINE_INFO,
            gatt.SERIAL,
            gatt.KEY,
            gatt.KEY_STATE,
            gatt.TX_LEVEL,
            gatt.STATUS,
            gatt.SLIDER,
            gatt.COMMAND_REQUEST,
            gatt.COMMAND_RESPONSE,
            gatt.ERROR_SELECTION,
            gatt.ERROR_INFO,
            gatt.USER_SETTINGS,
        }
        if self.family is Family.ORIGINAL:
            common |= {gatt.CAPSULE_STOCK, gatt.STOCK_THRESHOLD}
        return frozenset(common)

    def _check(self, uuid: str) -> None:
        self._require_link()
        if uuid not in self._characteristics():
            raise UnknownCharacteristicError(uuid)

    # -- GATT ------------------------------------------------------------------------------

    def subscribe(self, uuid: str) -> None:
        """Enable notifications (CCCD write)."""
        self._check(uuid)
        if uuid not in _NOTIFIABLE:
            raise GattError(ATT_WRITE_NOT_PERMITTED)
        if not self.bonded:
            raise GattError(ATT_INSUFFICIENT_AUTHENTICATION)
        self.subscriptions.add(uuid)

    def read(self, uuid: str) -> bytes:
        """A GATT read."""
        self._check(uuid)
        if uuid == gatt.KEY:
            raise GattError(ATT_READ_NOT_PERMITTED)
        if uuid in _OPEN_READS:
            return self._value(uuid)
        if not self.bonded:
            raise GattError(ATT_INSUFFICIENT_AUTHENTICATION)
        if not self.authenticated:
            raise GattError(ATT_READ_NOT_PERMITTED)
        return self._value(uuid)

    def _value(self, uuid: str) -> bytes:
        values: dict[str, bytes] = {
            gatt.PROFILE_VERSION: b"\x01",
            gatt.KEY_STATE: bytes((self.key_state,)),
            gatt.MACHINE_INFO: self.machine_info,
            gatt.SERIAL: self.serial,
            gatt.STATUS: self.status_bytes(),
            gatt.SLIDER: bytes((SLIDER_CLOSED,)) if self.slider_closed else b"\x00",
            gatt.COMMAND_RESPONSE: self.command_response,
            gatt.ERROR_SELECTION: bytes((self.error_selection,)),
            gatt.ERROR_INFO: self.error_info,
            gatt.USER_SETTINGS: self.settings,
            gatt.CAPSULE_STOCK: self.capsules.to_bytes(2),
            gatt.STOCK_THRESHOLD: self.stock_threshold.to_bytes(2),
        }
        if uuid not in values:
            raise GattError(ATT_READ_NOT_PERMITTED)
        return values[uuid]

    def write(self, uuid: str, data: bytes) -> None:
        """A GATT write with response."""
        self._check(uuid)
        if uuid == gatt.TX_LEVEL:
            return  # accepted without encryption, as in the capture
        if not self.bonded:
            raise GattError(ATT_INSUFFICIENT_AUTHENTICATION)
        if uuid == gatt.KEY:
            self._write_key(bytes(data))
            return
        if not self.authenticated:
            raise GattError(ATT_WRITE_NOT_PERMITTED)
        self._write_protected(uuid, bytes(data))

    def _write_key(self, key: bytes) -> None:
        self.key_write_attempts += 1
        if len(key) != KEY_LENGTH:
            raise GattError(ATT_INVALID_LENGTH)
        if self._key is None:
            if self.keys_written >= KEY_STORAGE_SLOTS:
                raise GattError(ATT_UNLIKELY_ERROR)
            secrets_ledger.record("Nespresso key", key)
            self._key = key
            self.keys_written += 1
            self._notify(gatt.KEY_STATE, bytes((self.key_state,)))
        elif key != self._key:
            # A machine that has a key never takes another one.
            raise GattError(ATT_UNLIKELY_ERROR)
        self.authenticated = True
        # The capture shows these two pushed without a CCCD write.
        self._notify(gatt.STATUS, self.status_bytes(), unsolicited=True)
        self._notify(gatt.SLIDER, self._value(gatt.SLIDER), unsolicited=True)

    def _write_protected(self, uuid: str, data: bytes) -> None:
        if uuid == gatt.COMMAND_REQUEST:
            self._command(data)
        elif uuid in (gatt.CAPSULE_STOCK, gatt.STOCK_THRESHOLD):
            if len(data) != 2:
                raise GattError(ATT_INVALID_LENGTH)
            if uuid == gatt.CAPSULE_STOCK:
                self.capsules = int.from_bytes(data)
                self._notify(gatt.CAPSULE_STOCK, data)
            else:
                self.stock_threshold = int.from_bytes(data)
            self._status_changed()
        elif uuid == gatt.USER_SETTINGS:
            if len(data) != 4:
                raise GattError(ATT_INVALID_LENGTH)
            self.settings = data
            self._notify(gatt.USER_SETTINGS, data)
        elif uuid == gatt.ERROR_SELECTION:
            if len(data) != 1:
                raise GattError(ATT_INVALID_LENGTH)
            self.error_selection = data[0]
        else:
            raise GattError(ATT_WRITE_NOT_PERMITTED)

    # -- commands --------------------------------------------------------------------------

    def _respond(self, command: int, sub: int, codes: bytes) -> None:
        error = codes[0] != CODE_ACK
        self.command_response = encode_response(command, sub, codes, error=error)
        self._notify(gatt.COMMAND_RESPONSE, self.command_response)

    def _command(self, frame: bytes) -> None:
        if self.family is Family.VERTUO:
            return  # Vertuo machines ignore every known command
        if len(frame) < 3 or len(frame) != 3 + (frame[2] & 0x1F):
            raise GattError(ATT_INVALID_LENGTH)
        command, sub, payload = frame[0], frame[1], frame[3:]
        if command == CMD_BREW and sub == SUB_BREW and len(payload) == 7:
            self._respond(command, sub, self._brew(payload[5], payload[6]))
        elif command == CMD_BREW and sub == SUB_CANCEL:
            self._respond(command, sub, self._cancel())
        elif command == CMD_RECIPE and sub == SUB_RECIPE_PREPARE and len(payload) == 8:
            self._respond(command, sub, self._prepare())
        else:
            self._respond(command, sub, bytes((CODE_OUT_OF_RANGE, 0x01)))

    def _refusal(self) -> bytes | None:
        if self.original_state is not OriginalState.READY:
            return bytes((CODE_CONDITIONS, 0x01))
        if self.tank_empty:
            return bytes((CODE_CONDITIONS, 0x01, 0x04))
        if self.container_full:
            return bytes((CODE_CONDITIONS, 0x03))
        if not self.slider_closed:
            return bytes((CODE_CONDITIONS, 0x08))
        if not self.lid_cycled:
            return bytes((CODE_CONDITIONS, 0x12))
        return None

    def _brew(self, temperature: int, product: int) -> bytes:
        if product not in {int(p) for p in supported_products(self.model)}:
            return bytes((CODE_OUT_OF_RANGE, 0x01))
        if temperature not in {int(t) for t in supported_temperatures(self.model)}:
            return bytes((CODE_OUT_OF_RANGE, 0x03))
        refusal = self._refusal()
        if refusal is not None:
            self.blocked_events = (self.blocked_events + 1) & 0x03
            self._status_changed()
            return refusal
        if product == Product.CUSTOM:
            if not self.recipe_prepared:
                return bytes((CODE_CONDITIONS, 0x01))
            self.recipe_prepared = False
        self.original_state = OriginalState.BREWING
        self.brew_ticks_left = BREW_TICKS
        self.lid_cycled = False
        self._status_changed()
        return bytes((CODE_ACK,))

    def _prepare(self) -> bytes:
        if self.model is not OriginalModel.EXPERT:
            return bytes((CODE_OUT_OF_RANGE, 0x01))
        if not self.lid_cycled:
            return bytes((CODE_PREPARE_REFUSED, 0x60))
        self.recipe_prepared = True
        return bytes((CODE_ACK,))

    def _cancel(self) -> bytes:
        if not self.brewing:
            return bytes((CODE_NOTHING_TO_CANCEL,))
        self._finish_brew()
        return bytes((CODE_ACK,))

    def _finish_brew(self) -> None:
        self.brew_ticks_left = 0
        self.original_state = OriginalState.READY
        if self.capsules <= CAPSULES_UNTRACKED_ABOVE and self.capsules > 0:
            self.capsules -= 1
            self._notify(gatt.CAPSULE_STOCK, self.capsules.to_bytes(2))
        self._status_changed()

    # -- time and the physical world -------------------------------------------------------

    def tick(self) -> None:
        """One step of machine time: brews progress, heat-up finishes."""
        if self.brewing:
            self.brew_ticks_left -= 1
            if self.brew_ticks_left == 0:
                self._finish_brew()
        elif self.original_state is OriginalState.HEAT_UP:
            self.state_ready()
            self._status_changed()

    def sleep(self) -> None:
        """Power save."""
        self.original_state = OriginalState.POWER_SAVE
        self.vertuo_state = VertuoState.POWER_SAVE
        self._status_changed()

    def wake(self) -> None:
        """The user pressed a button: heat-up, ready after one tick."""
        self.original_state = OriginalState.HEAT_UP
        self.vertuo_state = VertuoState.HEAT_UP
        self._status_changed()

    def open_lid(self) -> None:
        """Open the slider/lid (the capsule is ejected)."""
        self.slider_closed = False
        self._notify(gatt.SLIDER, b"\x00")

    def close_lid(self) -> None:
        """Close the slider/lid; a full open-close cycle re-arms brewing."""
        if not self.slider_closed:
            self.lid_cycled = True
        self.slider_closed = True
        self._notify(gatt.SLIDER, bytes((SLIDER_CLOSED,)))

    def set_tank_empty(self, empty: bool) -> None:
        """Take out or refill the water tank."""
        self.tank_empty = empty
        self._status_changed()

    def set_container_full(self, full: bool) -> None:
        """Fill or empty the capsule container / drip tray."""
        self.container_full = full
        self._status_changed()

    def factory_reset(self) -> None:
        """The user's factory reset: the key is cleared, its storage slot is not reclaimed."""
        self._key = None
        self.authenticated = False
        self.bonded = False
        self._notify(gatt.KEY_STATE, bytes((self.key_state,)))
