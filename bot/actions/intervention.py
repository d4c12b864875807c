"""The intervention form: ask only what is missing, confirm, file in one transaction."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import (
    BuyerAction,
    call,
    deadline_lines,
    intent_label,
    label,
    labels,
    order_line,
)
from bot.actions.knowledge import answer_faq, faq_key_of
from bot.actions.orders import FILING_SLOTS, PROBLEMS
from jieru.kb.evidence import checklist
from jieru.services import disputes, progress

# Words by which a buyer says they have no evidence at all.
NO_EVIDENCE = ("没有", "没", "无", "木有", "沒有", "没得")
MAX_DESCRIPTION = 500


def is_question(text: str) -> bool:
    """Whether the words read as a question (kb/labels.yml question_markers)."""
    return any(marker in text for marker in labels()["question_markers"])


def is_payload(text: str) -> bool:
    """A button payload ("/affirm") rather than words the buyer wrote."""
    return text.lstrip().startswith("/")


def _answered_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """If the buyer asked a knowledge question instead of answering, answer it (the
    form then asks again) and say so."""
    key = faq_key_of(tracker)
    if key is None or not is_question(tracker.latest_message.get("text") or ""):
        return False
    answer_faq(dispatcher, key, tracker.get_slot("platform"))
    return True


def evidence_names() -> dict[str, dict]:
    """kb/labels.yml's short name and keywords of each evidence item."""
    return labels()["evidence"]


def parse_evidence(text: str) -> list[str]:
    """Evidence item ids the buyer's words mention (keywords in kb/labels.yml); words
    that mention none are kept as the buyer's own description of what they have."""
    text = text.strip()
    if not text or any(text.startswith(w) for w in NO_EVIDENCE):
        return []
    names = evidence_names()
    named = [i for i, spec in names.items() if any(k in text for k in spec["keywords"])]
    return named or [f"other:{text[:200]}"]


def evidence_pairs(ids: list[str]) -> list[tuple[str, str]]:
    """(database kind, description) pairs for the repository."""
    names = evidence_names()
    pairs = []
    for i in ids:
        spec = names.get(i)
        pairs.append((spec["kind"], spec["name"]) if spec else ("other", i.removeprefix("other:")))
    return pairs


class ValidateInterventionForm(FormValidationAction):
    def name(self) -> str:
        return "validate_intervention_form"

    def validate_problem(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return {"problem": value if value in PROBLEMS else None}

    def validate_description(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        if value is None or is_payload(str(value)):  # cleared, or a button: ask again
            return {"description": None}
        if _answered_question(dispatcher, tracker):
            return {"description": None}
        text = str(value or "").strip()
        if len(text) < 2 or len(text) > MAX_DESCRIPTION:
            dispatcher.utter_message(response="utter_description_invalid")
            return {"description": None}
        return {"description": text}

    def validate_evidence(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        if value is None:
            return {"evidence": None}
        if isinstance(value, list):
            names = evidence_names()
            if all(v in names or v.startswith("other:") for v in value):  # parsed earlier
                return {"evidence": value}
            value = " ".join(map(str, value))  # Rasa wraps free text in a list for list slots
        if is_payload(str(value)):
            return {"evidence": None}
        if _answered_question(dispatcher, tracker):
            return {"evidence": None}
        return {"evidence": parse_evidence(str(value or ""))}


class ActionAskEvidence(Action):
    """Ask for evidence with the checklist kb/ gives for this problem."""

    def name(self) -> str:
        return "action_ask_evidence"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        items = checklist(tracker.get_slot("problem"), tracker.get_slot("platform"))
        names = evidence_names()
        short = [names.get(i.id, {}).get("name", i.label) for i in items]
        buttons = [{"title": f"有{n}", "payload": f"有{n}"} for n in short[:3]]
        buttons.append({"title": "暂时没有", "payload": "没有凭证"})
        dispatcher.utter_message(response="utter_evidence_checklist", checklist="、".join(i.label for i in items), buttons=buttons)
        return []


class ActionAskConfirmFiling(BuyerAction):
    """Show what will be filed and ask for confirmation."""

    def name(self) -> str:
        return "action_ask_confirm_filing"

    async def act(self, dispatcher, tracker, domain, buyer) -> list[EventType]:
        orders = await call(progress.buyer_orders, buyer_id=buyer, order_id=tracker.get_slot("order_id"))
        if not orders:
            dispatcher.utter_message(response="utter_order_not_found", order_id=tracker.get_slot("order_id"))
            return [ActiveLoop(None), SlotSet("requested_slot", None)]
        problem = tracker.get_slot("problem")
        evidence = "、".join(d for _, d in evidence_pairs(tracker.get_slot("evidence") or []))
        dispatcher.utter_message(
            response="utter_filing_summary", order_line=order_line(orders[0]),
            problem=intent_label(domain, problem), description=tracker.get_slot("description"),
            evidence=evidence or "暂无",
        )
        dispatcher.utter_message(response="utter_confirm_filing_question")
        return []


class ActionFileIntervention(BuyerAction):
    """File the confirmed intervention; answer with its number, next steps and deadlines."""

    def name(self) -> str:
        return "action_file_intervention"

    async def act(self, dispatcher, tracker, domain, buyer) -> list[EventType]:
        reset = [SlotSet(slot, None) for slot in FILING_SLOTS]
        if not tracker.get_slot("confirm_filing"):
            dispatcher.utter_message(response="utter_filing_cancelled")
            return reset
        problem = tracker.get_slot("problem")
        try:
            filing = await call(
                disputes.file_intervention, buyer_id=buyer, order_id=tracker.get_slot("order_id"),
                problem=problem, description=tracker.get_slot("description") or "",
                evidence=evidence_pairs(tracker.get_slot("evidence") or []),
            )
        except LookupError:
            dispatcher.utter_message(response="utter_order_not_found", order_id=tracker.get_slot("order_id"))
            return reset
        if filing.filed:
            dispatcher.utter_message(
                response="utter_intervention_filed", number=filing.number, deadlines=deadline_lines(filing.deadlines))
            return [*reset, SlotSet("eligibility", "in_progress")]
        if filing.number:
            dispatcher.utter_message(
                response="utter_already_in_intervention", number=filing.number,
                stage=label("intervention_status", filing.decision.stage or "submitted"),
                deadlines=deadline_lines(filing.decision.deadlines),
            )
            return [*reset, SlotSet("eligibility", "in_progress")]
        dispatcher.utter_message(response="utter_filing_refused", explanation=filing.decision.explanation)
        return [*reset, SlotSet("eligibility", filing.decision.verdict.value)]


class ActionCancelForm(Action):
    """Leave the active form with nothing filed; says so only when the buyer asked to stop."""

    def name(self) -> str:
        return "action_cancel_form"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        if tracker.get_intent_of_latest_message() == "stop":
            dispatcher.utter_message(response="utter_filing_cancelled")
        slots = (*FILING_SLOTS, "complaint_category", "requested_slot")
        return [ActiveLoop(None), *(SlotSet(s, None) for s in slots if s != "aftersale_id")]
