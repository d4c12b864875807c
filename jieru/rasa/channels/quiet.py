"""What the app and web channels send when the bot said nothing to a buyer's message:
never an empty screen, unless a human agent is answering.

- The conversation is paused and an agent has written since: nothing (the agent's
  replies reach the buyer their own way).
- It is paused and no agent has written yet: the buyer is waiting in the queue, and is
  told so (kb/labels.yml ``templates.waiting_for_agent``); their message is in the
  tracker, where the agent will read it.
- Otherwise something failed (an action, the action server): the no-reply message, with
  a human offered (``templates.no_reply``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from rasa.shared.core.events import BotUttered, ConversationPaused

from jieru.identity import AGENT_METADATA_KEY
from jieru.kb import load_yaml

logger = logging.getLogger(__name__)

HUMAN_BUTTON = {"title": "转人工客服", "payload": "/request_human"}


@dataclass(frozen=True)
class QuietReply:
    """The text to send, and its buttons."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


def _template(name: str) -> str:
    return str(load_yaml("labels.yml")["templates"][name])


def agent_answered_since_pause(events: Any) -> bool:
    """Whether a human agent wrote to the buyer after the conversation's latest pause."""
    for event in reversed(list(events)):
        if isinstance(event, ConversationPaused):
            return False
        if isinstance(event, BotUttered) and (event.metadata or {}).get(AGENT_METADATA_KEY):
            return True
    return False


async def quiet_reply(tracker_store: Any, buyer: str, channel: str) -> QuietReply | None:
    """What to send ``buyer`` when the bot said nothing (see the module's docstring);
    None while an agent is answering. A tracker store that cannot be read counts as a
    failure: the no-reply message."""
    tracker = None
    if tracker_store is not None:
        try:
            tracker = await tracker_store.retrieve(buyer)
        except Exception:  # the tracker store's own failure: the no-reply message then
            logger.exception("%s channel: could not read the tracker of %s", channel, buyer)
    if tracker is not None and tracker.is_paused():
        if agent_answered_since_pause(tracker.events):
            return None
        return QuietReply(_template("waiting_for_agent"))
    return QuietReply(_template("no_reply"), [HUMAN_BUTTON])
