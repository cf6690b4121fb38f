"""The data owner's disclosure policy: every parameter of disclosure.md D1–D14 with its default.

A :class:`Policy` is frozen. The data owner writes it as ``policy.toml`` beside a datastore
version; :meth:`Policy.load` reads it, :func:`default_policy_text` writes the commented file a new
datastore gets. A preset (``register`` or ``health-survey``, D14) supplies the defaults and the
owner may only *tighten* them: a value looser than the preset's is refused with an error naming
the file and the key. Researchers never pass a policy, so nothing they write can loosen it.

Each field carries metadata: its TOML section and key, a one-line description, and which
direction is stricter (``"higher"``, ``"lower"``, ``"true"`` or ``None`` when neither).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from mdlang.errors import DatastoreError

PRESETS = ("register", "health-survey")


def _p(section: str, key: str, default: Any, doc: str, stricter: str | None, lo: float | None = None, hi: float | None = None) -> Any:
    """A policy field with its TOML place, description, strict direction and sane range."""
    return field(
        default=default,
        metadata={"section": section, "key": key, "doc": doc, "stricter": stricter, "lo": lo, "hi": hi},
    )


@dataclass(frozen=True)
class Policy:
    """Every disclosure-control parameter; the defaults are the ``register`` preset."""

    preset: str = field(default="register", metadata={"section": "", "key": "preset", "doc": "register | health-survey (D14)", "stricter": None, "lo": None, "hi": None})
    # D3/D4: counts
    threshold: int = _p("counts", "threshold", 10, "T: a count below T is shown as <T; every released number needs T distinct persons (D4)", "higher", 2, 1000)
    noise_bound: int = _p("counts", "noise_bound", 3, "D: cell-key noise on counts is an integer in [-D, D] (D3)", "higher", 1, 10)
    noise_variance: float = _p("counts", "noise_variance", 1.75, "target variance of the count noise, between 1.5 and 2 for D = 3 (D3)", "higher", 0.5, 10.0)
    # D5: magnitudes
    winsor_lower: float = _p("magnitudes", "winsor_lower_percentile", 1.0, "values below this percentile of the whole population are raised to it (D5)", "higher", 0.0, 10.0)
    winsor_upper: float = _p("magnitudes", "winsor_upper_percentile", 99.0, "values above this percentile of the whole population are lowered to it (D5)", "lower", 90.0, 100.0)
    dominance_n: int = _p("magnitudes", "dominance_n", 2, "n of the (n, k) dominance rule: the n largest contributors (D5)", "higher", 1, 10)
    dominance_k: float = _p("magnitudes", "dominance_percent", 85.0, "k of the (n, k) rule: suppress when the n largest hold more than k % of the absolute total (D5)", "lower", 50.0, 100.0)
    magnitude_noise: float = _p("magnitudes", "noise_fraction", 0.10, "sd of the noise on a sum as a fraction of the largest winsorised contributor (D5)", "higher", 0.0, 1.0)
    magnitude_digits: int = _p("magnitudes", "significant_digits", 4, "released sums, means, sds and ginis are rounded to this many significant digits (A23)", "lower", 2, 8)
    # D6: quantiles
    quantile_k: int = _p("quantiles", "k", 10, "each quantile is the mean of the k order statistics nearest to it (D6)", "higher", 3, 100)
    quantile_digits: int = _p("quantiles", "significant_digits", 3, "released quantiles are rounded to this many significant digits (D6)", "lower", 1, 6)
    extreme_1_min_n: int = _p("quantiles", "p1_p99_min_n", 1000, "p1 and p99 are released only for at least this many persons (D6)", "higher", 100, None)
    extreme_5_min_n: int = _p("quantiles", "p5_p95_min_n", 200, "p5 and p95 are released only for at least this many persons (D6)", "higher", 20, None)
    # D7: models (used by the model family)
    model_min_resid_df: int = _p("models", "min_residual_df", 10, "a model needs at least this many residual degrees of freedom (D7)", "higher", 1, None)
    model_max_param_ratio: float = _p("models", "max_parameter_ratio", 0.33, "parameters may be at most this fraction of N (D7)", "lower", 0.01, 1.0)
    model_max_leverage: float = _p("models", "max_leverage", 0.99, "no observation may have leverage at or above this (D7)", "lower", 0.5, 1.0)
    model_max_r2: float = _p("models", "max_r2", 0.999, "OLS fits with R-squared at or above this are refused (D7)", "lower", 0.9, 1.0)
    model_digits: int = _p("models", "significant_digits", 4, "coefficients, SEs and test statistics are rounded to this many significant digits (D7)", "lower", 2, 8)
    # D10: ledger
    budget_cells: int = _p("ledger", "budget_cells", 20000, "released cells allowed per project and data version (D10)", "lower", 1, None)
    budget_warning: float = _p("ledger", "budget_warning", 0.8, "warn when this fraction of the budget is used (D10)", "lower", 0.1, 1.0)
    overlap_audit: bool = _p("ledger", "overlap_audit", True, "refuse statistics whose contributors differ from an earlier release by 1..T-1 persons (D10)", "true")
    audit_every_cell: bool = _p("ledger", "audit_every_cell", False, "audit every released cell against every earlier one, whatever its variables (D10; stricter, refuses more ordinary analyses)", "true")
    # D12: dataset floor
    dataset_floor: int = _p("datasets", "floor", 1000, "keep if / drop if / sample may not bring a dataset below this many units (D12)", "higher", 10, None)
    # D13: class disclosure
    class_disclosure: bool = _p("class_disclosure", "enabled", True, "suppress 0 % / 100 % groups in variables the metadata marks sensitive (D13)", "true")
    class_group: int = _p("class_disclosure", "group_size", 50, "G: groups smaller than this may not be all-or-nothing in a sensitive category (D13)", "higher", 1, None)
    # tables
    max_table_cells: int = _p("tables", "max_cells", 2500, "a table may have at most this many cells before margins", "lower", 1, None)

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise ValueError(f"unknown policy preset {self.preset!r}")

    @classmethod
    def from_preset(cls, preset: str = "register") -> Policy:
        """The policy a preset gives: ``register`` (defaults) or ``health-survey`` (D14)."""
        if preset not in PRESETS:
            raise DatastoreError(
                f"unknown policy preset '{preset}'", hint="use one of: " + ", ".join(PRESETS)
            )
        if preset == "health-survey":
            return cls(preset="health-survey", dataset_floor=200, class_disclosure=True)
        return cls()

    @classmethod
    def load(cls, path: str | Path) -> Policy:
        """Read a ``policy.toml``; unknown keys, bad values and loosened values name file and key."""
        path = Path(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise DatastoreError(f"{path}: policy file not found", hint="every datastore version needs a policy.toml") from exc
        except tomllib.TOMLDecodeError as exc:
            raise DatastoreError(f"{path}: not valid TOML ({exc})", hint="fix the syntax of the policy file") from exc
        return cls.from_mapping(raw, source=str(path))

    @classmethod
    def from_mapping(cls, raw: dict[str, Any], source: str = "<policy>") -> Policy:
        """Build a policy from a parsed TOML mapping (see :meth:`load`)."""
        preset = raw.get("preset", "register")
        if not isinstance(preset, str) or preset not in PRESETS:
            raise DatastoreError(
                f"{source}: key 'preset': unknown preset {preset!r}", hint="use one of: " + ", ".join(PRESETS)
            )
        base = cls.from_preset(preset)
        places = {(f.metadata["section"], f.metadata["key"]): f for f in fields(cls)}
        changes: dict[str, Any] = {}
        for top, value in raw.items():
            if top == "preset":
                continue
            if not isinstance(value, dict):
                raise DatastoreError(f"{source}: unknown key '{top}'", hint=_known_hint())
            for key, item in value.items():
                name = f"{top}.{key}"
                fld = places.get((top, key))
                if fld is None:
                    raise DatastoreError(f"{source}: unknown key '{name}'", hint=_known_hint())
                changes[fld.name] = _checked(fld, item, getattr(base, fld.name), source, name)
        return replace(base, **changes)

    def looser_than(self, base: Policy) -> list[str]:
        """The TOML keys (``section.key``) where this policy is looser than ``base`` (empty: none).

        A session given another policy than its datastore's (tests, an owner's experiments) should
        refuse it unless this list is empty: nothing outside the owner's file may loosen it.
        """
        out = []
        for f in fields(self):
            if _looser(f.metadata["stricter"], getattr(self, f.name), getattr(base, f.name)):
                out.append(f"{f.metadata['section']}.{f.metadata['key']}")
        return out

    def to_toml(self) -> str:
        """This policy as commented TOML that :meth:`load` reads back to an equal policy."""
        return _render(self)

    def digest(self) -> str:
        """A stable SHA-256 of every parameter (recorded in the audit log)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _known_hint() -> str:
    keys = [f"{f.metadata['section']}.{f.metadata['key']}" for f in fields(Policy) if f.metadata["section"]]
    return "known keys: preset, " + ", ".join(keys)


def _checked(fld: Any, value: Any, preset_value: Any, source: str, name: str) -> Any:
    """Type- and range-check one value and refuse a value looser than the preset's."""
    kind = type(fld.default) if fld.default is not MISSING else str
    if kind is bool:
        if not isinstance(value, bool):
            raise DatastoreError(f"{source}: key '{name}' must be true or false", hint=f"default: {_toml(fld.default)}")
    elif kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise DatastoreError(f"{source}: key '{name}' must be a whole number", hint=f"default: {fld.default}")
    elif kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise DatastoreError(f"{source}: key '{name}' must be a number", hint=f"default: {fld.default}")
        value = float(value)
    lo, hi = fld.metadata["lo"], fld.metadata["hi"]
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        span = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
        raise DatastoreError(f"{source}: key '{name}' is out of range", hint=f"use a value {span}")
    if _looser(fld.metadata["stricter"], value, preset_value):
        raise DatastoreError(
            f"{source}: key '{name}' loosens the preset",
            hint=f"a policy may only tighten its preset; the preset value is {_toml(preset_value)}",
        )
    return value


def _looser(stricter: str | None, value: Any, base: Any) -> bool:
    """Whether ``value`` protects less than ``base`` for a field whose strict direction is given."""
    return bool(
        (stricter == "higher" and value < base)
        or (stricter == "lower" and value > base)
        or (stricter == "true" and base and not value)
    )


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def _render(policy: Policy) -> str:
    lines = [
        "# mdlang disclosure policy (disclosure.md D1-D14), set by the data owner.",
        "# A preset supplies the defaults; any value below may only be tightened.",
        "# Researchers cannot change any of it.",
        "",
        "# register | health-survey (D14)",
        f"preset = {_toml(policy.preset)}",
    ]
    section = None
    for f in fields(policy):
        sec = f.metadata["section"]
        if not sec:
            continue
        if sec != section:
            lines += ["", f"[{sec}]"]
            section = sec
        lines.append(f"# {f.metadata['doc']}")
        lines.append(f"{f.metadata['key']} = {_toml(getattr(policy, f.name))}")
    return "\n".join(lines) + "\n"


def default_policy_text(preset: str = "register") -> str:
    """The commented ``policy.toml`` a new datastore gets; it loads back to ``from_preset(preset)``."""
    return Policy.from_preset(preset).to_toml()
