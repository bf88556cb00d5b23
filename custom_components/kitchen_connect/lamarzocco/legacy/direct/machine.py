"""What a machine on port 1774 has, by model: GS/3 keys and doses, or a Linea Mini's paddle."""

from __future__ import annotations

from dataclasses import dataclass

from ....kitchenlib.lamarzocco.models import ModelCode, model_from

# Serial prefixes of the two models that speak this protocol.
_PREFIXES = {"LM": ModelCode.LINEA_MINI, "GS": ModelCode.GS3_AV}


def model_of(model_code: str | None, serial: str | None) -> ModelCode | None:
    """The model from the entry, else from the serial's prefix."""
    model = model_from(model_code)
    if model is None and serial:
        model = _PREFIXES.get(serial[:2].upper())
    return model


@dataclass(frozen=True)
class Machine:
    """The features entities depend on."""

    model: ModelCode | None

    @property
    def volumetric(self) -> bool:
        """Doses per key and a hot-water dose: a GS/3 AV, not a Linea Mini."""
        return self.model is not ModelCode.LINEA_MINI

    @property
    def keys(self) -> int:
        """Keys with their own prebrew and pre-infusion times (a Linea Mini has its paddle)."""
        return 1 if self.model is ModelCode.LINEA_MINI else 4

    @property
    def preinfusion(self) -> bool:
        """Whether it offers pre-infusion (a Linea Mini prebrews only)."""
        return self.model is not ModelCode.LINEA_MINI
