"""buyer_from_tracker_metadata: the buyer id is trusted only from the app channel."""

from __future__ import annotations

import pytest

from jieru.identity import buyer_from_tracker_metadata


def _latest(metadata: object) -> dict:
    return {"text": "我的订单到哪了", "intent": {"name": "check_order"}, "metadata": metadata}


def test_app_channel_buyer_comes_from_the_metadata_the_channel_set() -> None:
    assert buyer_from_tracker_metadata(_latest({"jieru_buyer_id": "b1001"}), "app", None) == "b1001"


def test_app_channel_never_falls_back_to_the_development_buyer() -> None:
    assert buyer_from_tracker_metadata(_latest({}), "app", "b_dev") is None
    assert buyer_from_tracker_metadata({}, "app", "b_dev") is None
    assert buyer_from_tracker_metadata(None, "app", "b_dev") is None


@pytest.mark.parametrize("channel", ["rest", "cmdline", "socketio", None, "APP", "app "])
def test_other_channels_ignore_a_buyer_claimed_in_metadata(channel: str | None) -> None:
    latest = _latest({"jieru_buyer_id": "b_victim"})
    assert buyer_from_tracker_metadata(latest, channel, "b_dev") == "b_dev"
    assert buyer_from_tracker_metadata(latest, channel, None) is None


@pytest.mark.parametrize(
    "metadata",
    [
        None,
        "b1001",
        ["b1001"],
        {"jieru_buyer_id": ""},
        {"jieru_buyer_id": 1001},
        {"jieru_buyer_id": "b" * 65},
        {"buyer_id": "b1001"},
    ],
)
def test_app_channel_with_unusable_metadata_has_no_buyer(metadata: object) -> None:
    assert buyer_from_tracker_metadata(_latest(metadata), "app", "b_dev") is None
