"""The GATT conversation of a La Marzocco machine, on the household's shared state.

Commands received over Bluetooth are carried out through the household's own command
handlers (the cloud's), so both paths validate alike and change the same machine; the
household then tells its listeners, which the cloud turns into websocket pushes.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
import json
from typing import Any, Final
import uuid

from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth import gatt
from custom_components.kitchen_connect.kitchenlib.lamarzocco.bluetooth.legacy import (
    LEGACY_AUTH,
    LEGACY_CHARACTERISTICS,
    LEGACY_SETTINGS,
)
from custom_components.kitchen_connect.kitchenlib.lamarzocco.models import model_from

from .. import secrets_ledger
from .household import (
    COFFEE_HEAT_SECONDS,
    STEAM_HEAT_SECONDS,
    CommandRejected,
    Household,
    SimMachine,
)

ATT_INSUFFICIENT_AUTHENTICATION: Final = 0x05
ATT_REQUEST_NOT_SUPPORTED: Final = 0x06
ROOM_TEMPERATURE: Final = 21.0
TELEMETRY_TICKS: Final = 5  # boiler temperatures every this many ticks while subscribed
# The replay a machine sends first after a subscription: the end of some earlier shot.
STALE_REPLAY: Final = {
    "BrewingStoppedGroup1Time": 31.5,
    "BrewingStoppedGroup1DoseIndex": "DoseA",
    "BrewingStoppedGroup1StopType": "Volumetric",
}
_STEAM_LEVELS: Final = {126: "Level1", 128: "Level2", 131: "Level3"}
_FAMILIES: Final = {"LINEAMICRA": "MICRA", "LINEAMINI": "LINEA MINI", "GS3AV": "GS3 AV"}

type Notify = Callable[[str, bytes], None]


class GattError(Exception):
    """The machine answers a request with an ATT error."""

    def __init__(self, att_code: int) -> None:
        """An ATT error response with ``att_code``."""
        super().__init__(f"ATT error 0x{att_code:02x}")
        self.att_code = att_code


@dataclass(slots=True)
class BluetoothFaults:
    """Switches a test (or a demo) flips to make the machine misbehave."""

    connect_hangs: bool = False
    silent_reads: set[str] = field(default_factory=set)  # reads that never answer
    auth_read_back: bytes | None = None  # what the auth characteristic reads instead
    hidden_once: set[str] = field(default_factory=set)  # missing from the next services list
    drop_mid_shot: bool = False  # the link drops at the second update of a shot
    command_status: str = "success"  # the status every command reports
    plumb_in_unknown: bool = False  # older firmware: isPlumbedIn reads empty


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode() + b"\x00"


def steam_target(machine: SimMachine) -> float:
    """The steam boiler's target; a steam level stands for its temperature."""
    if machine.steam_level is not None:
        levels = {level: temperature for temperature, level in _STEAM_LEVELS.items()}
        return float(levels[machine.steam_level])
    return machine.steam_target


def _heated(machine: SimMachine, target: float, ready_ms: int | None, heat: float) -> float:
    """Room temperature rising to ``target`` until the boiler is ready."""
    left = 0 if ready_ms is None else max(0, ready_ms - machine.now_ms())
    done = 1.0 - min(1.0, left / max(1, machine.scaled_ms(heat)))
    return round(ROOM_TEMPERATURE + (target - ROOM_TEMPERATURE) * done, 1)


def coffee_temperature(machine: SimMachine) -> float:
    """The coffee boiler's current temperature (shared with the local gateway)."""
    if machine.mode != "BrewingMode":
        return ROOM_TEMPERATURE
    return _heated(machine, machine.coffee_target, machine.coffee_ready_ms, COFFEE_HEAT_SECONDS)


def steam_temperature(machine: SimMachine) -> float:
    """The steam boiler's current temperature."""
    if machine.mode != "BrewingMode" or not machine.steam_enabled:
        return ROOM_TEMPERATURE
    target = steam_target(machine)
    return _heated(machine, target, machine.steam_ready_ms, STEAM_HEAT_SECONDS)


class BluetoothMachine:
    """One household machine as seen over Bluetooth, by one central at a time."""

    def __init__(
        self,
        household: Household,
        serial: str,
        *,
        token: str | None = None,
        tick: float = 1.0,
        legacy_key: str | None = None,
    ) -> None:
        """``serial``'s machine; shot updates every ``tick`` seconds while brewing.

        ``legacy_key`` makes it a machine on a gateway before v5: only the legacy
        characteristic set, authenticated with ``base64(user:serial)@base64(key)``.
        """
        self.household = household
        self.serial = serial
        machine = household.machines[serial]
        # A machine on the air has a token, and the cloud hands out the one it accepts.
        self.token = token or machine.ble_auth_token or f"simulated-ble-token-{serial.lower()}"
        machine.ble_auth_token = self.token
        secrets_ledger.record("La Marzocco Bluetooth token", self.token)
        self.tick = tick
        self.faults = BluetoothFaults()
        self.legacy_key = legacy_key
        if legacy_key is not None:
            encoded = base64.b64encode(legacy_key.encode())
            secrets_ledger.record("La Marzocco communication key", legacy_key, encoded)
        self.legacy_commands: list[dict[str, Any]] = []  # legacy results, for tests
        self.on_notify: Notify | None = None
        self.on_drop: Callable[[], None] | None = None
        self.notifications: list[dict[str, Any]] = []  # everything sent, for tests
        self._authenticated = False
        self._legacy_authenticated = False
        self._auth_state = b"\x00"
        self._pending_read: str | None = None
        self._command_reply = b""
        self._subscribed = False
        self._last_notification: dict[str, Any] = dict(STALE_REPLAY)
        self._shot_started: float | None = None
        self._shot_updates = 0
        self._shot_timer: asyncio.TimerHandle | None = None
        self._telemetry_timer: asyncio.TimerHandle | None = None
        self._unsubscribe = household.subscribe(self._household_changed)

    @property
    def machine(self) -> SimMachine:
        """The shared machine state."""
        return self.household.machines[self.serial]

    @property
    def name(self) -> str:
        """The advertised local name (``MICRA_<serial>``)."""
        model = model_from(self.machine.model_code, self.machine.model_name)
        if model is None:
            return f"LINEA_{self.serial}"
        return gatt.advertised_name(model, self.serial)

    def close(self) -> None:
        """Stop listening to the household and stop the timers."""
        self._unsubscribe()
        self._cancel_timer()
        self.disconnect()

    # -- link ------------------------------------------------------------------------------

    def connect(self, on_notify: Notify, on_drop: Callable[[], None]) -> None:
        """A central connected: nothing is authenticated yet."""
        self.on_notify = on_notify
        self.on_drop = on_drop
        self._authenticated = False
        self._legacy_authenticated = False
        self._auth_state = b"\x00"
        self._pending_read = None
        self._command_reply = b""
        self._subscribed = False

    def disconnect(self) -> None:
        """The central is gone."""
        if self._telemetry_timer is not None:
            self._telemetry_timer.cancel()
            self._telemetry_timer = None
        self.on_notify = None
        self.on_drop = None
        self._authenticated = False
        self._subscribed = False

    def characteristics(self) -> tuple[str, ...]:
        """The characteristics this connection's services list shows."""
        hidden = self.faults.hidden_once
        self.faults.hidden_once = set()
        offered = LEGACY_CHARACTERISTICS if self.legacy_key is not None else gatt.CHARACTERISTICS
        return tuple(uuid for uuid in offered if uuid not in hidden)

    # -- GATT ------------------------------------------------------------------------------

    def read(self, uuid: str) -> bytes:
        """A read request."""
        if self.legacy_key is not None:
            return self._legacy_read(uuid)
        if uuid == gatt.AUTH:
            override = self.faults.auth_read_back
            return self._auth_state if override is None else override
        if uuid == gatt.TOKEN:
            raise GattError(ATT_INSUFFICIENT_AUTHENTICATION)  # only in pairing mode
        self._require_auth()
        if uuid == gatt.READ:
            name, self._pending_read = self._pending_read, None
            return self._setting(name)
        if uuid == gatt.WRITE:
            return self._command_reply
        raise GattError(ATT_REQUEST_NOT_SUPPORTED)

    def write(self, uuid: str, data: bytes) -> None:
        """A write request (with response)."""
        if self.legacy_key is not None:
            self._legacy_write(uuid, data)
            return
        if uuid == gatt.AUTH:
            self._authenticated = data.decode(errors="replace") == self.token
            self._auth_state = b"\x01" if self._authenticated else b"\x00"
            return
        self._require_auth()
        text = data.partition(b"\x00")[0].decode(errors="replace")
        if uuid == gatt.READ:
            self._pending_read = text
        elif uuid == gatt.WRITE:
            self._command_reply = _json(self._command(text))
        else:
            raise GattError(ATT_REQUEST_NOT_SUPPORTED)

    # -- legacy set ------------------------------------------------------------------------

    def _legacy_read(self, uuid: str) -> bytes:
        if uuid != LEGACY_SETTINGS:
            raise GattError(ATT_REQUEST_NOT_SUPPORTED)
        self._require_legacy_auth()
        return self._command_reply

    def _legacy_write(self, uuid: str, data: bytes) -> None:
        if uuid == LEGACY_AUTH:
            self._legacy_authenticated = self._legacy_token_ok(data)
            return
        if uuid != LEGACY_SETTINGS:
            raise GattError(ATT_REQUEST_NOT_SUPPORTED)
        self._require_legacy_auth()
        result = self._command(data.partition(b"\x00")[0].decode(errors="replace"))
        self.legacy_commands.append(result)
        self._command_reply = _json(result)

    def _legacy_token_ok(self, data: bytes) -> bool:
        """The user part must name this machine's serial; the key must be the machine's."""
        user_part, at, key_part = data.partition(b"@")
        try:
            user = base64.b64decode(user_part, validate=True).decode()
            key = base64.b64decode(key_part, validate=True).decode()
        except binascii.Error, UnicodeDecodeError:
            return False
        username, _, serial = user.partition(":")
        secrets_ledger.record("La Marzocco e-mail", username, user_part)
        return bool(at and username) and serial == self.serial and key == self.legacy_key

    def _require_legacy_auth(self) -> None:
        if not self._legacy_authenticated:
            raise GattError(ATT_INSUFFICIENT_AUTHENTICATION)

    def subscribe(self, uuid: str) -> None:
        """The central subscribes: first the stale replay, then fresh telemetry."""
        self._require_auth()
        if uuid != gatt.SHOT_COUNTER:
            raise GattError(ATT_REQUEST_NOT_SUPPORTED)
        self._subscribed = True
        self._send(self._last_notification, remember=False)
        self._send(self._telemetry(statistics=True))
        self._schedule_telemetry()

    def _schedule_telemetry(self) -> None:
        loop = asyncio.get_running_loop()
        self._telemetry_timer = loop.call_later(self.tick * TELEMETRY_TICKS, self._idle_telemetry)

    def _idle_telemetry(self) -> None:
        if self._subscribed:
            self._send(self._telemetry())
            self._schedule_telemetry()

    def _require_auth(self) -> None:
        if not self._authenticated:
            raise GattError(ATT_INSUFFICIENT_AUTHENTICATION)

    # -- reads -----------------------------------------------------------------------------

    def _setting(self, name: str | None) -> bytes:
        machine = self.machine
        replies: dict[str, Any] = {
            "machineCapabilities": [
                {
                    "family": _FAMILIES.get(machine.model_code, machine.model_code),
                    "groupsNumber": 1,
                    "coffeeBoilersNumber": 1,
                    "hasCupWarmer": False,
                    "steamBoilersNumber": 1,
                    "teaDosesNumber": 1 if machine.model_code.startswith("GS3") else 0,
                    "machineModes": ["BrewingMode", "StandBy"],
                    "schedulingType": "smartWakeUpSleep",
                }
            ],
            "machineMode": machine.mode,
            "tankStatus": "true" if machine.tank_ok else "false",
            "isPlumbedIn": "true" if machine.plumbed_in else "false",
            "boilers": [
                {
                    "id": "SteamBoiler",
                    "isEnabled": machine.steam_enabled,
                    "target": self._steam_target(),
                    "current": self.steam_temperature(),
                },
                {
                    "id": "CoffeeBoiler1",
                    "isEnabled": True,
                    "target": machine.coffee_target,
                    "current": self.coffee_temperature(),
                },
            ],
            "smartStandBy": {
                "mode": machine.smart_standby_after,
                "minutes": machine.smart_standby_minutes,
                "enabled": "true" if machine.smart_standby_enabled else "false",
            },
        }
        if name == "isPlumbedIn" and self.faults.plumb_in_unknown:
            return b"\x00"
        if name not in replies:
            return _json(None)
        return _json(replies[name])

    def _steam_target(self) -> float:
        return steam_target(self.machine)

    def coffee_temperature(self) -> float:
        """The coffee boiler's current temperature."""
        return coffee_temperature(self.machine)

    def steam_temperature(self) -> float:
        """The steam boiler's current temperature."""
        return steam_temperature(self.machine)

    # -- commands --------------------------------------------------------------------------

    def _command(self, text: str) -> dict[str, Any]:
        command_id = str(uuid.uuid4())
        try:
            name, body = self._cloud_command(json.loads(text))
            if self.faults.command_status.lower() != "success":
                raise CommandRejected("the machine refused the command")
            self.machine.apply(name, body)
        except (CommandRejected, ValueError, TypeError, KeyError) as err:
            status = self.faults.command_status
            status = status if status.lower() != "success" else "error"
            return {"id": command_id, "message": str(err), "status": status}
        self.household.changed(self.machine)
        return {"id": command_id, "message": "Success", "status": "success"}

    def _cloud_command(self, command: Any) -> tuple[str, Mapping[str, Any]]:
        """The household command a Bluetooth command stands for."""
        name = command["name"]
        parameter = command["parameter"]
        if name == "MachineChangeMode":
            return "CoffeeMachineChangeMode", {"mode": parameter["mode"]}
        if name == "SettingBoilerEnable" and parameter["identifier"] == "SteamBoiler":
            body = {"boilerIndex": 1, "enabled": parameter["state"]}
            return "CoffeeMachineSettingSteamBoilerEnabled", body
        if name == "SettingBoilerTarget" and parameter["identifier"] == "CoffeeBoiler1":
            body = {"boilerIndex": 1, "targetTemperature": parameter["value"]}
            return "CoffeeMachineSettingCoffeeBoilerTargetTemperature", body
        if name == "SettingBoilerTarget" and parameter["identifier"] == "SteamBoiler":
            value = parameter["value"]
            if self.machine.steam_level is not None:
                whole = isinstance(value, int | float) and float(value).is_integer()
                level = _STEAM_LEVELS.get(int(value)) if whole else None
                body = {"boilerIndex": 1, "targetLevel": level}
                return "CoffeeMachineSettingSteamBoilerTargetLevel", body
            body = {"boilerIndex": 1, "targetTemperature": value}
            return "CoffeeMachineSettingSteamBoilerTargetTemperature", body
        if name == "SettingSmartStandby":
            body = {
                "enabled": parameter["enabled"],
                "minutes": parameter["minutes"],
                "after": parameter["mode"],
            }
            return "CoffeeMachineSettingSmartStandBy", body
        raise CommandRejected(f"{name} is not a Bluetooth command")

    # -- shot counter ----------------------------------------------------------------------

    def start_shot(self) -> None:
        """Someone pulls a shot at the machine."""
        self.household.start_brewing(self.serial, at_ms=self.machine.now_ms())

    def stop_shot(self) -> None:
        """The running shot ends."""
        self.household.stop_brewing(self.serial)

    def _household_changed(self, machine: SimMachine) -> None:
        if machine is not self.machine:
            return
        if machine.brewing_since is not None and self._shot_started is None:
            self._begin_shot()
        elif machine.brewing_since is None and self._shot_started is not None:
            self._end_shot()
        elif self._subscribed:
            self._send(self._telemetry())

    def _begin_shot(self) -> None:
        self._shot_started = asyncio.get_running_loop().time()
        self._shot_updates = 0
        self._send({"BrewingStartedGroup1DoseIndex": "DoseA"})
        self._schedule_update()

    def _schedule_update(self) -> None:
        self._shot_timer = asyncio.get_running_loop().call_later(self.tick, self._shot_update)

    def _elapsed(self) -> float:
        """The shot timer, in the household's (possibly sped-up) seconds."""
        assert self._shot_started is not None
        seconds = asyncio.get_running_loop().time() - self._shot_started
        return round(seconds * self.machine.time_scale, 3)

    def _shot_update(self) -> None:
        self._shot_updates += 1
        update = {"BrewingUpdateGroup1Ev": True, "BrewingUpdateGroup1Time": self._elapsed()}
        self._send({**update, **self._telemetry()})
        self._schedule_update()
        if self.faults.drop_mid_shot and self._shot_updates == 2 and self.on_drop is not None:
            self.faults.drop_mid_shot = False
            self.on_drop()

    def _end_shot(self) -> None:
        elapsed = self._elapsed()
        self._cancel_timer()
        self._shot_started = None
        self._send(
            {
                "BrewingStoppedGroup1Time": elapsed,
                "BrewingStoppedGroup1DoseIndex": "DoseA",
                "BrewingStoppedGroup1StopType": "Manual",
                "BrewingStoppedGroup1StopReason": "User",
            }
        )

    def _cancel_timer(self) -> None:
        if self._shot_timer is not None:
            self._shot_timer.cancel()
            self._shot_timer = None

    def notify_telemetry(self, **values: Any) -> None:
        """Send one shot-counter notification with ``values`` now (benchmarks, demos)."""
        self._send(values)

    def _telemetry(self, *, statistics: bool = False) -> dict[str, Any]:
        machine = self.machine
        values: dict[str, Any] = {
            "CoffeeBoiler1UpdateTemperature": self.coffee_temperature(),
            "SteamBoilerUpdateTemperature": self.steam_temperature(),
            "MachineMode": machine.mode,
            "Sleep": machine.mode != "BrewingMode",
        }
        if statistics:
            counters = {"coffees": 1234, "flushes": 567}
            values["MachineStatistics"] = json.dumps(counters, separators=(",", ":"))
        return values

    def _send(self, values: dict[str, Any], *, remember: bool = True) -> None:
        if remember:
            self._last_notification = dict(values)
        if not self._subscribed or self.on_notify is None:
            return
        self.notifications.append(dict(values))
        self.on_notify(gatt.SHOT_COUNTER, _json(values))
