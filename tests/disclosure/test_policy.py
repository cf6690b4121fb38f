"""Policy defaults, presets, TOML loading and its errors."""

from __future__ import annotations

import dataclasses

import pytest

from mdlang.disclosure.policy import Policy, default_policy_text
from mdlang.errors import DatastoreError


def test_register_defaults_match_disclosure_md() -> None:
    p = Policy.from_preset("register")
    assert (p.threshold, p.noise_bound) == (10, 3)
    assert 1.5 <= p.noise_variance <= 2.0
    assert (p.dominance_n, p.dominance_k) == (2, 85.0)
    assert (p.winsor_lower, p.winsor_upper) == (1.0, 99.0)
    assert p.magnitude_noise == 0.10
    assert (p.quantile_k, p.quantile_digits) == (10, 3)
    assert (p.extreme_1_min_n, p.extreme_5_min_n) == (1000, 200)
    assert p.dataset_floor == 1000
    assert (p.budget_cells, p.budget_warning) == (20000, 0.8)
    assert p.class_group == 50
    assert p.overlap_audit is True
    assert (p.model_min_resid_df, p.model_max_param_ratio, p.model_max_leverage, p.model_max_r2) == (10, 0.33, 0.99, 0.999)


def test_health_survey_preset_lowers_floor_and_keeps_class_disclosure() -> None:
    p = Policy.from_preset("health-survey")
    assert p.preset == "health-survey"
    assert p.dataset_floor == 200
    assert p.class_disclosure is True
    assert dataclasses.replace(p, preset="register", dataset_floor=1000) == Policy()


@pytest.mark.parametrize("preset", ["register", "health-survey"])
def test_default_text_round_trips(tmp_path, preset: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(default_policy_text(preset), encoding="utf-8")
    assert Policy.load(path) == Policy.from_preset(preset)


def test_every_field_is_written_with_a_comment() -> None:
    text = default_policy_text()
    for f in dataclasses.fields(Policy):
        assert f"\n{f.metadata['key']} = " in text or text.startswith(f.metadata["key"])
    assert text.count("\n# ") >= len(dataclasses.fields(Policy))


def test_owner_may_tighten(tmp_path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('preset = "register"\n[counts]\nthreshold = 20\n[datasets]\nfloor = 5000\n', encoding="utf-8")
    p = Policy.load(path)
    assert (p.threshold, p.dataset_floor) == (20, 5000)


def _error(tmp_path, text: str) -> DatastoreError:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DatastoreError) as info:
        Policy.load(path)
    assert str(path) in info.value.message
    return info.value


def test_unknown_key_names_file_and_key(tmp_path) -> None:
    err = _error(tmp_path, "[counts]\nthreshhold = 10\n")
    assert "unknown key 'counts.threshhold'" in err.message
    assert "counts.threshold" in err.hint


def test_unknown_section(tmp_path) -> None:
    err = _error(tmp_path, "threshold = 10\n")
    assert "unknown key 'threshold'" in err.message


def test_bad_type(tmp_path) -> None:
    err = _error(tmp_path, '[counts]\nthreshold = "ten"\n')
    assert err.message.endswith("key 'counts.threshold' must be a whole number")


def test_loosening_is_refused(tmp_path) -> None:
    err = _error(tmp_path, "[counts]\nthreshold = 5\n")
    assert err.message.endswith("key 'counts.threshold' loosens the preset")
    assert "10" in err.hint
    err = _error(tmp_path, "[magnitudes]\ndominance_percent = 95.0\n")
    assert "loosens" in err.message
    err = _error(tmp_path, "[ledger]\noverlap_audit = false\n")
    assert "loosens" in err.message


def test_health_survey_floor_cannot_go_below_its_preset(tmp_path) -> None:
    err = _error(tmp_path, 'preset = "health-survey"\n[datasets]\nfloor = 100\n')
    assert "datasets.floor" in err.message


def test_out_of_range(tmp_path) -> None:
    err = _error(tmp_path, "[counts]\nnoise_bound = 50\n")
    assert "out of range" in err.message


def test_unknown_preset_and_bad_toml(tmp_path) -> None:
    assert "unknown preset" in _error(tmp_path, 'preset = "lenient"\n').message
    assert "not valid TOML" in _error(tmp_path, "[counts\n").message


def test_missing_file(tmp_path) -> None:
    with pytest.raises(DatastoreError, match="policy file not found"):
        Policy.load(tmp_path / "nope.toml")


def test_digest_changes_with_any_parameter() -> None:
    assert Policy().digest() == Policy().digest()
    assert Policy().digest() != dataclasses.replace(Policy(), threshold=11).digest()


def test_looser_than_lists_every_loosened_key() -> None:
    base = Policy()
    assert base.looser_than(base) == []
    assert dataclasses.replace(base, threshold=20, max_table_cells=100).looser_than(base) == []
    loose = dataclasses.replace(base, threshold=5, dominance_k=90.0, overlap_audit=False)
    assert loose.looser_than(base) == ["counts.threshold", "magnitudes.dominance_percent", "ledger.overlap_audit"]
    assert Policy.from_preset("health-survey").looser_than(base) == ["datasets.floor"]
