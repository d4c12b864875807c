"""What both buyer channels (the app's REST channel and the widget's socket.io channel)
promise alike when Rasa builds them from credentials.yml: their name and route, and the
JWT secret they verify buyers' tokens with."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("rasa.core.channels.channel")

from rasa.core.run import create_http_input_channels  # noqa: E402
from rasa.shared.exceptions import RasaException  # noqa: E402

from jieru.auth import MissingSecretError  # noqa: E402
from jieru.rasa.channels.app import AppInput  # noqa: E402
from jieru.rasa.channels.socketio import WebChatInput  # noqa: E402

from .serving import CHANNELS, credentials_file  # noqa: E402
from .tokens import OTHER_SECRET, SECRET  # noqa: E402

pytestmark = pytest.mark.rasa

BOTH = pytest.mark.parametrize(
    ("name", "kind"), [("app", AppInput), ("web", WebChatInput)], ids=["app", "web"]
)


@BOTH
def test_channel_name_route_and_secret(tmp_path: Path, name: str, kind: type) -> None:
    [channel] = create_http_input_channels(None, str(credentials_file(tmp_path, CHANNELS[name])))
    assert isinstance(channel, kind)
    assert (channel.name(), channel.url_prefix(), channel.secret) == (name, name, SECRET)


@BOTH
def test_secret_from_credentials_overrides_the_environment(
    tmp_path: Path, name: str, kind: type
) -> None:
    path = credentials_file(tmp_path, CHANNELS[name], secret=OTHER_SECRET)
    [channel] = create_http_input_channels(None, str(path))
    assert channel.secret == OTHER_SECRET


@BOTH
def test_channel_refuses_to_start_without_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, kind: type
) -> None:
    monkeypatch.delenv("JIERU_APP_JWT_SECRET")
    with pytest.raises((MissingSecretError, RasaException), match="JIERU_APP_JWT_SECRET"):
        create_http_input_channels(None, str(credentials_file(tmp_path, CHANNELS[name])))
