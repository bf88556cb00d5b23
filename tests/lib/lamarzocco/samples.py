"""Dashboard replies in the shape the reference documents, one per model of the household."""

from __future__ import annotations

from typing import Any

MS = 1_764_000_000_000


def _thing(serial: str, model_code: str, model_name: str, thing_type: str) -> dict[str, Any]:
    return {
        "serialNumber": serial,
        "type": thing_type,
        "name": f"My {model_name}",
        "location": None,
        "modelCode": model_code,
        "modelName": model_name,
        "connected": True,
        "connectionDate": MS,
        "offlineMode": False,
        "requireFirmwareUpdate": False,
        "availableFirmwareUpdate": False,
        "coffeeStation": None,
        "imageUrl": "https://example.invalid/image.png",
        "bleAuthToken": None,
        "invalidWidgets": [],
        "runningCommands": [],
    }


def _widget(code: str, output: Any, index: int = 1) -> dict[str, Any]:
    return {"code": code, "index": index, "output": output, "tutorialUrl": None}


def _machine_status(status: str, mode: str, brewing: int | None = None) -> dict[str, Any]:
    return _widget(
        "CMMachineStatus",
        {
            "status": status,
            "availableModes": ["BrewingMode", "StandBy"],
            "mode": mode,
            "nextStatus": {"status": "StandBy", "startTime": MS + 3_600_000},
            "brewingStartTime": brewing,
        },
    )


def _coffee_boiler(target: float, maximum: float) -> dict[str, Any]:
    return _widget(
        "CMCoffeeBoiler",
        {
            "status": "Ready",
            "enabled": True,
            "enabledSupported": False,
            "targetTemperature": target,
            "targetTemperatureMin": 80,
            "targetTemperatureMax": maximum,
            "targetTemperatureStep": 0.1,
            "readyStartTime": None,
        },
    )


def _prebrewing(modes: list[str]) -> dict[str, Any]:
    def dose(seconds_in: float, seconds_out: float) -> dict[str, Any]:
        return {
            "doseIndex": "ByGroup",
            "seconds": {"In": seconds_in, "Out": seconds_out},
            "secondsMin": {"In": 0, "Out": 0},
            "secondsMax": {"In": 10, "Out": 10},
            "secondsStep": {"In": 0.1, "Out": 0.1},
        }

    return _widget(
        "CMPreBrewing",
        {
            "availableModes": modes,
            "mode": "PreBrewing",
            "times": {"PreBrewing": [dose(2, 3)], "PreInfusion": [dose(0, 4)]},
            "doseIndexSupported": False,
        },
    )


def _backflush() -> dict[str, Any]:
    return _widget("CMBackFlush", {"status": "Off", "lastCleaningStartTime": MS - 86_400_000})


MICRA: dict[str, Any] = {
    **_thing("MR012345", "LINEAMICRA", "LINEA MICRA", "CoffeeMachine"),
    "widgets": [
        _machine_status("PoweredOn", "BrewingMode"),
        _coffee_boiler(94.0, 100),
        _widget(
            "CMSteamBoilerLevel",
            {
                "status": "HeatingUp",
                "enabled": True,
                "enabledSupported": True,
                "targetLevel": "Level3",
                "targetLevelSupported": True,
                "readyStartTime": MS + 120_000,
            },
        ),
        _prebrewing(["PreBrewing", "PreInfusion", "Disabled"]),
        _backflush(),
    ],
}

LINEA_MINI: dict[str, Any] = {
    **_thing("LM012345", "LINEAMINI", "LINEA MINI", "CoffeeMachine"),
    "widgets": [
        _machine_status("Brewing", "BrewingMode", brewing=MS),
        _coffee_boiler(93.5, 100),
        _widget(
            "CMSteamBoilerTemperature",
            {
                "status": "Ready",
                "enabled": True,
                "enabledSupported": True,
                "targetTemperature": 128,
                "targetTemperatureMin": 95,
                "targetTemperatureMax": 140,
                "targetTemperatureStep": 0.1,
                "targetTemperatureSupported": False,
                "readyStartTime": None,
            },
        ),
        _prebrewing(["PreBrewing", "Disabled"]),
        _widget(
            "CMBrewByWeightDoses",
            {
                "scaleConnected": True,
                "availableModes": ["Dose1", "Dose2", "Continuous"],
                "mode": "Dose1",
                "doses": {
                    "Dose1": {"dose": 36.0, "doseMin": 5, "doseMax": 100, "doseStep": 0.1},
                    "Dose2": {"dose": 40.5, "doseMin": 5, "doseMax": 100, "doseStep": 0.1},
                },
            },
        ),
        _widget(
            "ThingScale",
            {
                "name": "LMZ-123A45",
                "connected": True,
                "batteryLevel": 64,
                "calibrationRequired": False,
                "forceConnectSupported": True,
            },
        ),
        _backflush(),
        _widget("CMNoWater", {"allarm": True}),
    ],
}

GS3_AV: dict[str, Any] = {
    **_thing("GS012345", "GS3AV", "GS3 AV", "CoffeeMachine"),
    "widgets": [
        _machine_status("StandBy", "StandBy"),
        _coffee_boiler(93.0, 110),
        _widget(
            "CMSteamBoilerTemperature",
            {
                "status": "Off",
                "enabled": False,
                "enabledSupported": True,
                "targetTemperature": 123.9,
                "targetTemperatureMin": 95,
                "targetTemperatureMax": 140,
                "targetTemperatureStep": 0.1,
                "targetTemperatureSupported": True,
                "readyStartTime": None,
            },
        ),
        _widget(
            "CMGroupDoses",
            {
                "mirrorWithGroup1Supported": False,
                "availableModes": ["PulsesType"],
                "mode": "PulsesType",
                "doses": {
                    "PulsesType": [
                        {
                            "doseIndex": index,
                            "dose": 120 + n,
                            "doseMin": 0,
                            "doseMax": 9999,
                            "doseStep": 1,
                        }
                        for n, index in enumerate(("DoseA", "DoseB", "DoseC", "DoseD"))
                    ]
                },
                "continuousDoseSupported": False,
                "brewingPressureSupported": False,
            },
        ),
        _widget(
            "CMHotWaterDose",
            {
                "enabled": True,
                "enabledSupported": False,
                "doses": [
                    {"doseIndex": "DoseA", "dose": 8, "doseMin": 0, "doseMax": 30, "doseStep": 1}
                ],
            },
        ),
        _widget(
            "CMPreExtraction",
            {
                "availableModes": ["PreBrewing", "PreInfusion", "Disabled"],
                "mode": "PreInfusion",
                "times": {
                    "In": {"seconds": 0, "secondsMin": {"PreBrewing": 0, "PreInfusion": 0}},
                    "Out": {"seconds": 4, "secondsMax": {"PreBrewing": 10, "PreInfusion": 30}},
                },
            },
        ),
        _backflush(),
    ],
}

LINEA_MINI_R: dict[str, Any] = {
    **_thing("MI012345", "LINEAMINIR", "LINEA MINI 2023", "CoffeeMachine"),
    "widgets": [
        _machine_status("PoweredOn", "BrewingMode"),
        _widget(
            "CMRinseFlush",
            {
                "enabled": True,
                "enabledSupported": True,
                "timeSeconds": 3,
                "timeSecondsMin": 0,
                "timeSecondsMax": 30,
                "timeSecondsStep": 0.5,
            },
        ),
        _widget("CMCupWarmer", {"enabled": False}),
    ],
}

PICO: dict[str, Any] = {
    **_thing("PG012345", "PICOGRINDER", "PICO GRINDER", "Grinder"),
    "widgets": [
        _widget(
            "GMachineStatus",
            {
                "status": "PoweredOn",
                "mode": "GrindingMode",
                "availableModes": ["GrindingMode", "StandBy"],
                "readyStartTime": None,
            },
        ),
        _widget(
            "GDoses",
            {
                "scaleConnected": False,
                "mode": "TimeType",
                "doses": {
                    "TimeType": [
                        {
                            "doseIndex": "DoseA",
                            "dose": 8.5,
                            "doseMin": 1,
                            "doseMax": 45,
                            "doseStep": 0.1,
                            "speedAutoSupported": False,
                            "speedAuto": False,
                        },
                        {
                            "doseIndex": "DoseB",
                            "dose": 12,
                            "doseMin": 1,
                            "doseMax": 45,
                            "doseStep": 0.1,
                            "speedAutoSupported": False,
                            "speedAuto": False,
                        },
                    ],
                    "MassType": [
                        {
                            "doseIndex": "DoseA",
                            "dose": 18,
                            "doseMin": 5,
                            "doseMax": 50,
                            "doseStep": 0.1,
                        },
                    ],
                },
                "speedLevelsSupported": False,
                "speedLevels": [],
            },
        ),
        _widget("GSingleDoseMode", {"enabled": True}),
        _widget("GBaristaLight", {"enabled": False}),
        _widget("GHopperOpened", {"opened": False}),
    ],
}

STRADA_X: dict[str, Any] = {
    **_thing("SR012345", "STRADAX", "STRADA X", "CoffeeMachine"),
    "widgets": [
        _widget(
            "CMMachineGroupStatus",
            {
                "status": "Brewing",
                "availableModes": [],
                "mode": "BrewingMode",
                "nextStatus": None,
                "brewingStartTime": None,
            },
        ),
        _widget("CMTapMode", {"mode": "Something"}),
        _widget("CMAutoFlush", {"enabled": True}),
        _widget("CMSteamFlush", {"enabled": False}),
    ],
}

SWAN: dict[str, Any] = {
    **_thing("SW012345", "SWANGRINDER", "SWAN GRINDER", "Grinder"),
    "widgets": [
        _widget(
            "GMoreDose",
            {"revolutions": 2, "revolutionsMin": 0, "revolutionsMax": 10, "revolutionsStep": 1},
        ),
        _widget("GGrindWith", {"mode": "Portafilter"}),
        _widget("GSpeed", {"speeds": [{"doseIndex": "DoseA", "speed": 1200}]}),
    ],
}

PUSH: dict[str, Any] = {
    "connected": True,
    "connectionDate": MS,
    "uuid": "5b1c7c8e-9d0a-4f4b-8e7e-3c2d1b0a9f8e",
    "widgets": [_machine_status("Brewing", "BrewingMode", brewing=MS)],
    "removedWidgets": [{"code": "CMNoWater", "index": 1}],
    "commands": [
        {"id": "2f0e3c1b-6b61-4b5c-9a8f-7e6d5c4b3a29", "status": "Success", "errorCode": None},
        {
            "id": "7a9b8c7d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
            "status": "Error",
            "errorCode": "MachineOff",
        },
    ],
}
