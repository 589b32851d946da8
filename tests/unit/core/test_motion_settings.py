"""Motion settings: defaults off, validation errors that name the field, JSON round trip, typed polygons."""

from __future__ import annotations

import pytest

from nvr_desktop.core.errors import ValidationError
from nvr_desktop.core.motion import MotionSettings, parse_polygon


def test_defaults_are_off_and_round_trip_through_json() -> None:
    assert MotionSettings.from_json("") == MotionSettings() and not MotionSettings().enabled
    settings = MotionSettings(
        enabled=True, sensitivity=8, zones=(((0.1, 0.1), (0.9, 0.1), (0.5, 0.9)),), masks=(((0, 0), (1, 0), (1, 0.2)),)
    )
    assert MotionSettings.from_json(settings.to_json()) == settings
    assert MotionSettings.from_json(settings.to_json()).masks[0][0] == (0.0, 0.0)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sensitivity": 0}, "sensitivity"),
        ({"sensitivity": 11}, "sensitivity"),
        ({"min_area": 0}, "min_area"),
        ({"fps": 100}, "fps"),
        ({"cooldown_s": -1}, "cooldown_s"),
        ({"burst": 0}, "burst"),
        ({"warmup_frames": -1}, "warmup_frames"),
        ({"zones": (((0, 0), (1, 0)),)}, "zones"),
        ({"masks": (((0, 0), (1, 0), (1.5, 1)),)}, "masks"),
    ],
)
def test_invalid_settings_name_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        MotionSettings().changed(**changes)


def test_json_with_unknown_keys_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown motion settings: colour"):
        MotionSettings.from_json('{"enabled": true, "colour": 1}')


def test_a_typed_polygon() -> None:
    assert parse_polygon("0,0 1,0 0.5,0.75") == ((0.0, 0.0), (1.0, 0.0), (0.5, 0.75))
    with pytest.raises(ValidationError, match="zone point"):
        parse_polygon("0,0 1 0.5,0.5")
