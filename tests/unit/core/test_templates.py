"""Brand RTSP templates: main and sub paths, DVR/NVR expansion, and no credentials in the built URLs."""

from __future__ import annotations

import pytest

from nvr_desktop.core.errors import ValidationError
from nvr_desktop.core.templates import TEMPLATES, check_host, custom_template, expand, template_for
from nvr_desktop.services.cameras import BRANDS


def test_every_camera_brand_has_a_template_with_main_and_sub_paths() -> None:
    assert set(TEMPLATES) == set(BRANDS) - {"demo"}
    for brand, template in TEMPLATES.items():
        if brand == "onvif":
            assert not template.expandable
            continue
        urls = expand(template, "192.0.2.7")
        assert urls[0].main_url.startswith("rtsp://192.0.2.7:554/")
        assert urls[0].sub_url is not None and urls[0].sub_url != urls[0].main_url


@pytest.mark.parametrize(
    ("brand", "channel", "main", "sub"),
    [
        ("hikvision", 16, "/Streaming/Channels/1601", "/Streaming/Channels/1602"),
        ("dahua", 3, "/cam/realmonitor?channel=3&subtype=0", "/cam/realmonitor?channel=3&subtype=1"),
        ("uniview", 2, "/unicast/c2/s0/live", "/unicast/c2/s1/live"),
        ("reolink", 4, "/h264Preview_04_main", "/h264Preview_04_sub"),
        ("axis", 1, "/axis-media/media.amp?camera=1", "/axis-media/media.amp?camera=1&resolution=640x360"),
    ],
)
def test_brand_paths_per_channel(brand: str, channel: int, main: str, sub: str) -> None:
    (urls,) = expand(template_for(brand), "cam.local", port=8554, first_channel=channel)
    assert urls.channel == channel
    assert urls.main_url == f"rtsp://cam.local:8554{main}"
    assert urls.sub_url == f"rtsp://cam.local:8554{sub}"


def test_a_16_channel_dvr_expands_to_16_distinct_channels() -> None:
    urls = expand(template_for("Hikvision"), "127.0.0.1", channels=16)
    assert [u.channel for u in urls] == list(range(1, 17))
    assert len({u.main_url for u in urls}) == 16
    assert urls[-1].main_url == "rtsp://127.0.0.1:554/Streaming/Channels/1601"


def test_custom_template_maps_channel_to_path() -> None:
    urls = expand(custom_template("/cam{channel}"), "::1", port=9000, channels=2)
    assert [u.main_url for u in urls] == ["rtsp://[::1]:9000/cam1", "rtsp://[::1]:9000/cam2"]
    assert urls[0].sub_url is None


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("cam{channel}", "must start with '/'"),
        ("/cam {channel}", "spaces"),
        ("/{user}/{channel}", "unknown placeholder"),
        ("/cam{channel", "unbalanced"),
    ],
)
def test_bad_path_templates_are_refused(path: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        custom_template(path)


@pytest.mark.parametrize(
    "host", ["admin:pw@192.0.2.1", "rtsp://192.0.2.1", "192.0.2.1/x", "", "-oProxyCommand", "a b", "host:554"]
)
def test_hosts_with_credentials_schemes_or_paths_are_refused(host: str) -> None:
    with pytest.raises(ValidationError, match="not a host"):
        check_host(host)


def test_limits() -> None:
    generic = template_for("generic")
    with pytest.raises(ValidationError, match="channels"):
        expand(generic, "127.0.0.1", channels=0)
    with pytest.raises(ValidationError, match="channels"):
        expand(generic, "127.0.0.1", channels=10, first_channel=250)
    with pytest.raises(ValidationError, match="port"):
        expand(generic, "127.0.0.1", port=70000)
    with pytest.raises(ValidationError, match="ONVIF"):
        expand(template_for("onvif"), "127.0.0.1")
    with pytest.raises(ValidationError, match="unknown brand"):
        template_for("acme")
