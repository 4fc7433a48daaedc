"""Thresholds: values per sex, overrides, sources for the report."""

from __future__ import annotations

import dataclasses

import pytest

from valgus.thresholds import Threshold, Thresholds


@pytest.mark.parametrize(
    ("sex", "fppa_above"),
    [("f", 12.0), ("m", 9.0), (None, 12.0)],
)
def test_fppa_above_per_sex(sex, fppa_above):
    t = Thresholds.for_sex(sex)
    assert t.fppa_above_deg.value == fppa_above
    assert t.fppa_marked_deg.value == 16.8


@pytest.mark.parametrize(
    ("name", "value", "unit"),
    [
        ("fppa_marked_deg", 16.8, "deg"),
        ("fppa_hysteresis_deg", 2.0, "deg"),
        ("pelvic_drop_above_deg", 4.0, "deg"),
        ("pelvic_drop_marked_deg", 8.0, "deg"),
        ("pelvic_drop_hysteresis_deg", 1.0, "deg"),
        ("min_flag_duration_s", 0.1, "s"),
        ("fppa_sdd_deg", 7.5, "deg"),
        ("pelvic_drop_sdd_deg", 2.7, "deg"),
        ("fppa_sem_deg", 3.0, "deg"),
    ],
)
def test_defaults(name, value, unit):
    th = getattr(Thresholds(), name)
    assert (th.value, th.unit) == (value, unit)


def test_default_is_unspecified_sex():
    assert Thresholds() == Thresholds.for_sex(None)
    assert "sex not given" in Thresholds().fppa_above_deg.source


@pytest.mark.parametrize(
    ("name", "cited"),
    [
        ("fppa_above_deg", "Herrington & Munro 2010"),
        ("fppa_marked_deg", "Herrington 2014"),
        ("pelvic_drop_above_deg", "Youdas 2007"),
        ("pelvic_drop_marked_deg", "valgus heuristic"),
        ("min_flag_duration_s", "valgus heuristic"),
        ("fppa_sdd_deg", "Munro 2012"),
        ("pelvic_drop_sdd_deg", "Dingenen 2018"),
        ("fppa_sem_deg", "Munro 2012"),
    ],
)
def test_sources_name_their_origin(name, cited):
    assert cited in getattr(Thresholds.for_sex("m"), name).source


def test_to_dict_has_value_unit_and_source_for_every_threshold():
    d = Thresholds.for_sex("f").to_dict()
    assert list(d) == [f.name for f in dataclasses.fields(Thresholds)]
    assert len(d) == 13
    for entry in d.values():
        assert set(entry) == {"value", "unit", "source"}
        assert isinstance(entry["value"], float)
        assert entry["source"].strip()
    assert d["fppa_above_deg"]["value"] == 12.0


def test_override_returns_new_object_and_keeps_default():
    base = Thresholds.for_sex("m")
    changed = base.with_overrides(fppa_above_deg=10, min_flag_duration_s=0.2)
    assert changed.fppa_above_deg == Threshold(10.0, "deg", "user override (default was 9 deg)")
    assert changed.min_flag_duration_s.value == 0.2
    assert base.fppa_above_deg.value == 9.0
    assert Thresholds.for_sex("m").fppa_above_deg.value == 9.0


def test_override_with_threshold_keeps_its_source():
    mine = Threshold(14.0, "deg", "clinic protocol 2024")
    assert Thresholds().with_overrides(fppa_above_deg=mine).fppa_above_deg is mine


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fppa_abvoe_deg": 3}, "unknown threshold name(s): fppa_abvoe_deg; known: fppa_above_deg"),
        ({"fppa_above_deg": "12"}, "fppa_above_deg must be a number or a Threshold"),
        ({"fppa_above_deg": 20.0}, "fppa_marked_deg (16.8) must be greater than fppa_above_deg"),
        ({"pelvic_drop_hysteresis_deg": -1}, "pelvic_drop_hysteresis_deg must be >= 0"),
        ({"fppa_sem_deg": -1}, "fppa_sem_deg must be >= 0"),
        ({"fppa_marked_deg": float("nan")}, "threshold value must be finite"),
    ],
)
def test_bad_overrides(kwargs, message):
    with pytest.raises(ValueError) as err:
        Thresholds().with_overrides(**kwargs)
    assert message in str(err.value)


def test_bad_sex():
    with pytest.raises(ValueError, match="sex must be 'f', 'm' or None, got 'x'"):
        Thresholds.for_sex("x")


def test_frozen():
    t = Thresholds()
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.fppa_above_deg = Threshold(1.0, "deg", "x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.fppa_above_deg.value = 1.0
