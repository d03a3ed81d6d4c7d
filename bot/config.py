"""Settings: config.toml (or the file named by QUANTRIET_CONFIG) plus environment overrides.

Every module reads its own section into its own dataclass with :meth:`Config.section`, so adding
a setting never means touching a central class. Secrets are never read from the file: they come
from the environment only (see :func:`secret`).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO_ROOT / "config.toml"


class ConfigError(ValueError):
    """A setting has the wrong type or an unknown value."""


@dataclasses.dataclass
class Config:
    """The parsed configuration file and where it lives (relative paths are resolved from there)."""

    raw: dict[str, Any]
    path: Path

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Config:
        path = Path(path or os.environ.get("QUANTRIET_CONFIG") or DEFAULT_CONFIG)
        raw: dict[str, Any] = {}
        if path.exists():
            with path.open("rb") as fh:
                raw = tomllib.load(fh)
        return cls(raw=raw, path=path.resolve())

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def resolve(self, value: str | os.PathLike[str]) -> Path:
        """A path from the file, taken relative to the file's folder."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    @property
    def data_dir(self) -> Path:
        """Where the database and the index live; QUANTRIET_DATA_DIR wins over the file."""
        env = os.environ.get("QUANTRIET_DATA_DIR")
        if env:
            return Path(env).expanduser().resolve()
        return self.resolve(self.raw.get("data", {}).get("dir", "data"))

    def section(self, name: str, cls: type[T], env: dict[str, str] | None = None) -> T:
        """Fill dataclass ``cls`` from ``[name]``; ``env`` maps field → environment variable.

        Unknown keys are an error (a typo in config.toml should not be silently ignored).
        """
        values = dict(self.raw.get(name, {}))
        fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = set(values) - set(fields)
        if unknown:
            raise ConfigError(f"[{name}] has unknown setting(s): {', '.join(sorted(unknown))}")
        for field_name, var in (env or {}).items():
            if os.environ.get(var):
                values[field_name] = _coerce(os.environ[var], fields[field_name].type)
        return cls(**values)


def _coerce(text: str, annotation: Any) -> Any:
    kind = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    if kind.startswith("int"):
        return int(text)
    if kind.startswith("float"):
        return float(text)
    if kind.startswith("bool"):
        return text.strip().lower() in {"1", "true", "yes", "on"}
    return text


def secret(name: str) -> str | None:
    """A secret from the environment (never from a file in git); empty counts as unset."""
    value = os.environ.get(name, "").strip()
    return value or None
