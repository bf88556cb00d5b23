"""A loopback gateway before v5.0.9: ``/api/v1/config`` and the streaming websocket (8081).

The machine's state is the household's, so a Bluetooth command (the legacy set) changes
what this gateway reports and pushes. Choices where no public source says:

- Any key the gateway has not enabled gets 403, whether it is unknown or merely not
  enabled yet (``key_enabled=False``); public traces only ever show 403.
- The gateway keeps one streaming connection: a second upgrade is answered 503 without
  upgrading, while the first one stays open (the official app then cannot stream).
  ``app_holds`` makes it refuse as if the official app held the connection.
- KeepAlive frames every ``keep_alive`` seconds; ``silent`` stops every frame while the
  socket stays open, as a hung gateway would.

It only ever listens on 127.0.0.1 and writes no access log.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
from typing import Any, Final

from aiohttp import WSMsgType, web

from custom_components.kitchen_connect.kitchenlib.lamarzocco.local.client import (
    CONFIG_PATH,
    STREAMING_PATH,
)

from .. import secrets_ledger
from ..lifecycle import HOST, AppSimulator
from .bluetooth_machine import coffee_temperature, steam_target, steam_temperature
from .household import Household, SimMachine

_LOGGER = logging.getLogger(__name__)

GATEWAY_VERSION: Final = "v4.1.3"
_FAMILIES: Final = {"LINEAMICRA": "MICRA", "LINEAMINI": "LINEA", "GS3AV": "GS3AV"}
_DAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_PREINFUSION_MODES: Final = {"PreBrewing": "TypeA", "PreInfusion": "TypeB", "Disabled": "Disabled"}


def _text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def default_key(serial: str) -> str:
    """The communicationKey a simulated machine accepts."""
    return f"simulated-communication-key-{serial.lower()}"


class LocalGateway(AppSimulator):
    """One machine's local API on 127.0.0.1."""

    def __init__(
        self,
        household: Household,
        serial: str,
        key: str | None = None,
        *,
        tick: float = 1.0,
        keep_alive: float = 10.0,
    ) -> None:
        """``serial``'s gateway; temperatures and shot updates every ``tick`` seconds."""
        super().__init__()
        self.household = household
        self.serial = serial
        self.key = key or default_key(serial)
        secrets_ledger.record("La Marzocco communication key", self.key)
        secrets_ledger.record("La Marzocco module serial", f"Sn{serial}")
        self.tick = tick
        self.keep_alive = keep_alive
        self.key_enabled = True
        self.silent = False
        self.app_holds = False
        self.streams_opened = 0
        self.streams_refused = 0
        self.frames_sent: list[Any] = []
        self._socket: web.WebSocketResponse | None = None
        self._seen: dict[str, Any] = {}
        self._brewing = False
        machine = self.machine
        machine.gateway_version = GATEWAY_VERSION
        # Per-key doses, which only the gateway reports (pulses or grams by key).
        self.doses = _doses(machine)

    @property
    def machine(self) -> SimMachine:
        """The household's machine behind this gateway."""
        return self.household.machines[self.serial]

    @property
    def streaming(self) -> bool:
        """Whether a client holds the streaming connection."""
        return self._socket is not None and not self._socket.closed

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1 (``port`` 0 picks a free one)."""
        app = web.Application()
        app.router.add_get(CONFIG_PATH, self._config)
        app.router.add_get(STREAMING_PATH, self._streaming)
        await self._serve(app, port)
        self._seen = self._observed()
        self._unsubscribe = self.household.subscribe(self._on_change)
        self._spawn(self._ticker())
        self._spawn(self._keep_alive())

    async def _close_sockets(self) -> None:
        await self.drop_stream()

    async def drop_stream(self) -> None:
        """The gateway closes the streaming connection (a reboot, a Wi-Fi hiccup)."""
        socket, self._socket = self._socket, None
        if socket is not None and not socket.closed:
            await socket.close()

    # -- REST ----------------------------------------------------------------------------

    def _authorised(self, request: web.Request) -> bool:
        return self.key_enabled and request.headers.get("Authorization") == f"Bearer {self.key}"

    async def _config(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.Response(status=403, text="Forbidden")
        return web.json_response(self.config())

    def config(self) -> dict[str, Any]:
        """The ``/api/v1/config`` document, from the household's machine."""
        machine = self.machine
        family = _FAMILIES.get(machine.model_code, machine.model_code)
        document: dict[str, Any] = {
            "version": "v1",
            "preinfusionModesAvailable": ["ByDoseType"],
            "machineCapabilities": [
                {
                    "family": family,
                    "groupsNumber": 1,
                    "coffeeBoilersNumber": 1,
                    "hasCupWarmer": False,
                    "steamBoilersNumber": 1,
                    "teaDosesNumber": 1 if machine.hot_water_dose is not None else 0,
                    "machineModes": ["BrewingMode", "StandBy"],
                    "schedulingType": "smartWakeUpSleep",
                }
            ],
            "machine_sn": f"Sn{self.serial}",
            "machine_hw": "2",
            "isPlumbedIn": machine.plumbed_in,
            "isBackFlushEnabled": machine.backflush != "Off",
            "standByTime": 0,
            "smartStandBy": {
                "enabled": machine.smart_standby_enabled,
                "minutes": machine.smart_standby_minutes,
                "mode": machine.smart_standby_after,
            },
            "tankStatus": machine.tank_ok,
            "groupCapabilities": self._groups(),
            "machineMode": machine.mode,
            "teaDoses": {
                "DoseA": {"doseIndex": "DoseA", "stopTarget": machine.hot_water_dose or 0}
            },
            "boilers": self._boilers(),
            "boilerTargetTemperature": self._targets(),
            "preinfusionMode": {
                "Group1": {"groupNumber": "Group1", "preinfusionStyle": "PreinfusionByDoseType"}
            },
            "preinfusionSettings": self._preinfusion(),
            "wakeUpSleepEntries": [self._wake_up(entry) for entry in machine.schedules],
            "clock": "2026-12-01T07:30:00",
            "firmwareVersions": [
                {"name": "machine_firmware", "fw_version": machine.machine_version.lstrip("v")},
                {"name": "gateway_firmware", "fw_version": machine.gateway_version},
            ],
        }
        if machine.scale:
            document |= self._scale()
        return document

    def _groups(self) -> list[dict[str, Any]]:
        machine = self.machine
        volumetric = machine.group_doses is not None
        kind = "PulsesType" if volumetric else ("MassType" if machine.scale else "Continuous")
        doses = [
            {"groupNumber": "Group1", "doseIndex": index, "doseType": kind, "stopTarget": target}
            for index, target in self.doses.items()
        ]
        return [
            {
                "capabilities": {
                    "groupType": "AV_Group",
                    "groupNumber": "Group1",
                    "boilerId": "CoffeeBoiler1",
                    "hasScale": machine.scale,
                    "hasFlowmeter": volumetric,
                    "numberOfDoses": len(doses),
                },
                "doses": doses,
                "doseMode": {
                    "groupNumber": "Group1",
                    "brewingType": "PulsesType" if volumetric else "ManualType",
                },
            }
        ]

    def _boilers(self) -> list[dict[str, Any]]:
        machine = self.machine
        return [
            {
                "id": "SteamBoiler",
                "isEnabled": machine.steam_enabled,
                "target": steam_target(machine),
                "current": steam_temperature(machine),
            },
            {
                "id": "CoffeeBoiler1",
                "isEnabled": True,
                "target": machine.coffee_target,
                "current": coffee_temperature(machine),
            },
        ]

    def _targets(self) -> dict[str, float]:
        machine = self.machine
        return {"SteamBoiler": steam_target(machine), "CoffeeBoiler1": machine.coffee_target}

    def _preinfusion(self) -> dict[str, Any]:
        machine = self.machine
        wet, hold = machine.prebrew_times["PreBrewing"]
        soak = machine.prebrew_times["PreInfusion"][1]
        keys = list(self.doses) if machine.group_doses is not None else ["Continuous"]
        entries = []
        for key in keys:
            entries.append(_preinfusion_entry(key, "TypeA", wet, hold))
            if machine.group_doses is None:
                # Micra and Mini list each key twice: prebrew, then preinfusion.
                entries.append(_preinfusion_entry(key, "TypeB", 0.0, soak))
        return {"mode": _PREINFUSION_MODES[machine.prebrew_mode], "Group1": entries}

    @staticmethod
    def _wake_up(entry: dict[str, Any]) -> dict[str, Any]:
        on, off = entry["onTimeMinutes"], entry["offTimeMinutes"]
        return {
            "id": entry["id"],
            "enabled": entry["enabled"],
            "days": [day.lower() for day in entry["days"] if day.lower() in _DAYS],
            "timeOn": f"{on // 60}:{on % 60}",
            "timeOff": f"{off // 60}:{off % 60}",
            "steam": entry["steamBoiler"],
        }

    def _scale(self) -> dict[str, Any]:
        doses = self.machine.bbw_doses
        return {
            "scale": {
                "connected": True,
                "address": "44:b7:d0:00:00:01",
                "name": "LMZ-000001",
                "battery": 64,
            },
            "recipes": [
                {
                    "id": "Recipe1",
                    "dose_mode": "Mass",
                    "recipe_doses": [
                        {"id": "A", "target": doses["Dose1"]},
                        {"id": "B", "target": doses["Dose2"]},
                    ],
                }
            ],
            "recipeAssignment": [
                {
                    "dose_index": "DoseA",
                    "recipe_id": "Recipe1",
                    "recipe_dose": "A",
                    "group": "Group1",
                }
            ],
        }

    # -- streaming -----------------------------------------------------------------------

    async def _streaming(self, request: web.Request) -> web.StreamResponse:
        if not self._authorised(request):
            return web.Response(status=403, text="Forbidden")
        if self.streaming or self.app_holds:
            self.streams_refused += 1
            return web.Response(status=503, text="Busy")
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._socket = socket
        self.streams_opened += 1
        await self._send(socket, [{"MachineStatistics": _text(self.statistics())}])
        await self._send(socket, {"SystemInfo": _text(self._system_info())})
        async for message in socket:
            if message.type is WSMsgType.ERROR:
                break
        if self._socket is socket:
            self._socket = None
        return socket

    async def _send(self, socket: web.WebSocketResponse, frame: Any) -> None:
        if self.silent or socket.closed:
            return
        self.frames_sent.append(frame)
        with contextlib.suppress(ConnectionError, RuntimeError):
            await socket.send_str(_text(frame))

    async def push(self, frame: Any) -> None:
        """Send ``frame`` (a list of deltas or an object) to the streaming client, if any."""
        socket = self._socket
        if socket is not None:
            await self._send(socket, frame)

    async def push_raw(self, text: str) -> None:
        """Send any text as a frame (garbage on the wire)."""
        socket = self._socket
        if socket is not None and not socket.closed:
            await socket.send_str(text)

    def statistics(self) -> dict[str, Any]:
        """The ``MachineStatistics`` document."""
        machine = self.machine
        coffees, flushes = machine.total_coffees, machine.total_flushes
        return {
            "groups": [
                {
                    "doses": [
                        {"DoseA": coffees},
                        {"DoseB": 0},
                        {"DoseC": 0},
                        {"DoseD": 0},
                        {"ContinuousDose": 0},
                    ],
                    "clean": 3,
                    "ev_activations": coffees + flushes,
                    "ev_ontime": 11849,
                }
            ],
            "tot_doses": coffees,
            "boilers": [{"rsteam_ontime": 25}, {"rcoffee_ontime": 37}],
            "tea": {"count": 0, "ev_activation": 0, "ev_ontime": 0},
            "pump_ontime": 11660,
            "machine_ontime": 2522,
            "refill_ontime": 473,
            "count_liter": 0,
        }

    @staticmethod
    def _system_info() -> dict[str, Any]:
        return {
            "network_interfaces": [{"name": "wlan0", "address": HOST, "rssi": -61}],
            "up_time": 228801,
            "curr_time": "2026-12-01 07:30:00",
            "boot_reason": "ESP_RST_POWERON",
        }

    # -- what happens over time ----------------------------------------------------------

    def _observed(self) -> dict[str, Any]:
        machine = self.machine
        return {
            "mode": machine.mode,
            "steam": machine.steam_enabled,
            "targets": self._targets(),
            "tank": machine.tank_ok,
            "coffee": coffee_temperature(machine),
            "steam_now": steam_temperature(machine),
        }

    def _on_change(self, machine: SimMachine) -> None:
        if machine is self.machine:
            self._spawn(self._push_changes())

    async def _push_changes(self) -> None:
        """Deltas for what changed since the last look, and shot starts and ends."""
        machine = self.machine
        now, seen = self._observed(), self._seen
        self._seen = now
        deltas: list[dict[str, Any]] = []
        if now["mode"] != seen.get("mode"):
            deltas.append({"MachineMode": now["mode"]})
            deltas.append(
                {"WakeUp": "manual"} if now["mode"] == "BrewingMode" else {"Sleep": "command"}
            )
        if now["steam"] != seen.get("steam"):
            deltas.append({"SteamBoilerEnabled": now["steam"]})
        if now["targets"] != seen.get("targets"):
            deltas.append({"BoilersTargetTemperature": _text(now["targets"])})
            deltas.append({"Boilers": _text(self._boilers())})
        if now["tank"] != seen.get("tank"):
            deltas.append({"TankStatus": "full" if now["tank"] else "empty"})
        if now["coffee"] != seen.get("coffee"):
            deltas.append({"CoffeeBoiler1UpdateTemperature": now["coffee"]})
        if now["steam_now"] != seen.get("steam_now"):
            deltas.append({"SteamBoilerUpdateTemperature": now["steam_now"]})
        if deltas:
            await self.push(deltas)
        await self._shot_frames(machine)

    async def _shot_frames(self, machine: SimMachine) -> None:
        if machine.brewing_since is not None and not self._brewing:
            self._brewing = True
            await self.push(
                [
                    {"BrewingStartedGroup1StopType": "Volumetric"},
                    {"BrewingStartedGroup1DoseIndex": "DoseA"},
                    {"BrewingStartedGroup1VolumeTarget": 0},
                ]
            )
        elif machine.brewing_since is None and self._brewing:
            self._brewing = False
            last = machine.last_coffees[0]["extractionSeconds"] if machine.last_coffees else 0
            await self.push(self._snapshot_frame("BrewingSnapshotGroup1", last))
            await self.push([{"MachineStatistics": _text(self.statistics())}])

    def _elapsed(self, machine: SimMachine) -> float:
        assert machine.brewing_since is not None
        return round(
            max(0.0, (machine.now_ms() - machine.brewing_since) / 1000 * machine.time_scale), 3
        )

    def _snapshot_frame(self, name: str, seconds: float) -> list[dict[str, Any]]:
        snapshot = {
            "groupConfiguration": {
                "groupNumber": "Group1",
                "capabilities": {
                    "groupType": "AV_Group",
                    "boilerId": "CoffeeBoiler1",
                    "boilerTemperature": coffee_temperature(self.machine),
                    "hasScale": self.machine.scale,
                    "hasFlowmeter": False,
                },
                "dose": {"doseIndex": "DoseA", "stopTarget": 0, "doseType": "PulsesType"},
                "doseMode": {"brewingType": "PulsesType"},
            },
            "flushInfo": {
                "doseIndex": "DoseA",
                "stopReason": "Manual",
                "time": seconds,
                "stopType": "Volumetric",
                "volume": 0,
            },
        }
        return [
            {name: _text(snapshot)},
            {"FlushStoppedGroup1DoseIndex": "DoseA"},
            {"FlushStoppedGroup1Time": seconds},
            {"FlushStoppedGroup1Volume": 0},
        ]

    async def flush(self, seconds: float = 4.5) -> None:
        """Someone flushes the group: a flush snapshot and new statistics."""
        self.machine.total_flushes += 1
        await self.push(self._snapshot_frame("FlushSnapshotGroup1", seconds))
        await self.push([{"MachineStatistics": _text(self.statistics())}])

    async def _ticker(self) -> None:
        """Time passes: heating boilers and running shots are pushed every tick."""
        while True:
            await asyncio.sleep(self.tick)
            self.household.tick()
            await self._push_changes()
            machine = self.machine
            if machine.brewing_since is not None and self._brewing:
                await self.push(
                    [
                        {"BrewingUpdateGroup1Time": self._elapsed(machine)},
                        {"BrewingUpdateGroup1Ev": True},
                        {"BrewingUpdateGroup1Volume": 0},
                    ]
                )

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self.keep_alive)
            await self.push([{"KeepAlive": "ok"}])


def _doses(machine: SimMachine) -> dict[str, float]:
    """Pulses per key on a GS3 AV, the brew-by-weight target on a Mini with a scale."""
    if machine.group_doses is not None:
        return dict(machine.group_doses)
    return {"DoseA": machine.bbw_doses["Dose1"] if machine.scale else 0.0}


def _preinfusion_entry(key: str, mode: str, wet: float, hold: float) -> dict[str, Any]:
    return {
        "mode": mode,
        "groupNumber": "Group1",
        "doseType": key,
        "preWetTime": wet,
        "preWetHoldTime": hold,
    }


def old_gateway_household(*, time_scale: float = 1.0) -> Household:
    """A Linea Mini with scale and recipes and a Linea Micra, both on gateway v4."""
    return Household(
        [
            SimMachine("LM000101", "LINEAMINI", "LINEA MINI", "Mini", scale=True),
            SimMachine(
                "MR000102",
                "LINEAMICRA",
                "LINEA MICRA",
                "Micra",
                steam_level="Level2",
                prebrew_modes=("PreBrewing", "PreInfusion", "Disabled"),
            ),
        ],
        time_scale=time_scale,
    )


async def _main(port: int, serial: str, time_scale: float) -> None:
    household = old_gateway_household(time_scale=time_scale)
    gateway = LocalGateway(household, serial)
    await gateway.start(port)
    try:
        print(
            f"gateway of {serial} on http://{HOST}:{gateway.port}; "
            "its key is simulators.lamarzocco.local_gateway.default_key(serial)"
        )
        await asyncio.Event().wait()
    finally:
        await gateway.stop()


def main() -> None:
    """``python -m simulators.lamarzocco.local_gateway [--port 8081] [--serial LM000101]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--serial", default="LM000101", choices=["LM000101", "MR000102"])
    parser.add_argument("--time-scale", type=float, default=10.0)
    arguments = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(arguments.port, arguments.serial, arguments.time_scale))


if __name__ == "__main__":
    main()
