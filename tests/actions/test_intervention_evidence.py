"""Evidence files the buyer uploads through the widget (issue 14), exact events and
messages: each file is acknowledged against the checklist. The web service tells Rasa
with a triggered event (trigger_intent), which carries no buyer: the action speaks for the
conversation's buyer."""

from __future__ import annotations

from bot.actions.intervention import ActionAcknowledgeEvidence
from jieru.services import evidence
from tests.actions.helpers import BUYER_B1001, run_action, said, triggered
from tests.services.conftest import MINE, THEIRS
from tests.services.images import photo


async def test_each_uploaded_file_is_acknowledged_with_the_checklist(widget_db, no_dev_buyer):
    upload = evidence.upload_evidence(buyer_id="b1001", data=photo(), intervention=MINE)
    tracker = triggered("inform_evidence_uploaded", {"evidence_id": str(upload.evidence_id)})
    events, messages = await run_action(ActionAcknowledgeEvidence(), tracker)
    assert events == []
    # JD's sources name no photo (kb/evidence.yml): the file is kept off the checklist.
    assert messages == [
        said("utter_evidence_received_off_checklist", number=MINE, count=1, limit=9)
    ]
    notice = evidence.upload_evidence(
        buyer_id="b1001", data=photo(), intervention=MINE, item="jd_notice"
    )
    tracker = triggered("inform_evidence_uploaded", {"evidence_id": str(notice.evidence_id)})
    events, messages = await run_action(ActionAcknowledgeEvidence(), tracker)
    assert events == []
    assert messages == [
        said("utter_evidence_received", item="平台通知要求的凭证", number=MINE, count=2, limit=9),
        said("utter_evidence_checklist_left", done="平台通知要求的凭证", missing="情况说明"),
    ]


async def test_someone_elses_file_is_not_found(widget_db, no_dev_buyer):
    theirs = evidence.upload_evidence(buyer_id="b2002", data=photo(), intervention=THEIRS)
    assert theirs.accepted
    for value in (str(theirs.evidence_id), "not-a-number", "99999"):
        tracker = triggered("inform_evidence_uploaded", {"evidence_id": value})
        assert await run_action(ActionAcknowledgeEvidence(), tracker) == (
            [],
            [said("utter_evidence_not_found")],
        )


async def test_a_triggered_event_takes_no_buyer_from_another_channel(widget_db, no_dev_buyer):
    upload = evidence.upload_evidence(buyer_id="b1001", data=photo(), intervention=MINE)
    # The last real message came over the unauthenticated local REST channel: an earlier
    # app-channel buyer of the same conversation id must not be borrowed.
    tracker = triggered(
        "inform_evidence_uploaded", {"evidence_id": str(upload.evidence_id)}, channel="rest"
    )
    tracker.events.insert(
        0, {"event": "user", "text": "hi", "input_channel": "app", "metadata": BUYER_B1001}
    )
    assert await run_action(ActionAcknowledgeEvidence(), tracker) == (
        [],
        [said("utter_login_required")],
    )
