"""Intervention: find the buyer's order, say whether they may ask the platform to
intervene now (and if not, when and why), then the form: ask only what is missing,
confirm, file in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import (
    AFTERSALE_SLOT,
    FILING_SLOTS,
    BuyerAction,
    answer_faq,
    button_title,
    call,
    deadline_lines,
    faq_key_of,
    intent_label,
    is_payload,
    label,
    labels,
    local_time,
    order_button,
    order_line,
    problems,
    say_order_not_found,
    template,
)
from jieru.kb.evidence import checklist
from jieru.rules.facts import Verdict
from jieru.services import disputes, evidence, progress, reminders
from jieru.services.disputes import Lookup
from jieru.services.errors import OrderNotFound
from jieru.services.reminders import Outcome

# The longest description the form keeps; utter_description_invalid shows this number.
MAX_DESCRIPTION = 500
# How many candidate orders are offered as buttons.
MAX_CANDIDATES = 5


def _order_id(tracker: Tracker) -> str | None:
    """The order the buyer means: a number in this message, else the one already chosen."""
    said = next(tracker.get_latest_entity_values("order_id"), None)
    return str(said) if said else tracker.get_slot("order_id")


class ActionCheckEligibility(BuyerAction):
    """Find the order, run the eligibility engine, and say the result with concrete times."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_check_eligibility"

    def unavailable_events(self) -> list[EventType]:
        """An outage is a state the dialogue branches on."""
        return [SlotSet("eligibility", "unavailable")]

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, buyer: str
    ) -> list[EventType]:
        """Say the decision on the order (FOUND), else offer the orders the buyer may mean."""
        order_id = _order_id(tracker)
        intent = tracker.get_intent_of_latest_message()
        problem = intent if intent in problems() else tracker.get_slot("problem")
        said = [SlotSet("problem", problem)] if problem != tracker.get_slot("problem") else []
        result = await call(
            disputes.assess,
            buyer_id=buyer,
            order_id=order_id,
            problem=problem,
            platform=tracker.get_slot("platform"),
        )
        if result.lookup is Lookup.FOUND:
            return said + self._decided(dispatcher, result)
        if result.unknown_order_id:
            say_order_not_found(dispatcher, result.unknown_order_id)
            state = "not_found"
        else:
            state = {Lookup.NO_ORDERS: "no_orders"}.get(result.lookup, "choose_order")
        self._offer_candidates(dispatcher, result)
        return [*said, SlotSet("order_id", None), SlotSet("eligibility", state)]

    @staticmethod
    def _offer_candidates(dispatcher: CollectingDispatcher, result: disputes.Assessment) -> None:
        """Offer the orders the buyer may mean (or say they have none that fits)."""
        buttons = [order_button(o) for o in result.candidates]
        if result.lookup is Lookup.NO_ORDERS:
            dispatcher.utter_message(response="utter_no_orders")
        elif result.lookup is Lookup.NO_MATCH:
            dispatcher.utter_message(response="utter_no_matching_order", buttons=buttons)
        elif len(result.candidates) == 1:
            only = result.candidates[0]
            dispatcher.utter_message(response="utter_order_header", order_line=order_line(only))
            dispatcher.utter_message(
                response="utter_confirm_single_order",
                buttons=[
                    {"title": button_title("this_order"), "payload": buttons[0]["payload"]},
                    {"title": button_title("not_this_order"), "payload": "/deny"},
                ],
            )
        elif buttons:
            dispatcher.utter_message(response="utter_choose_order", buttons=buttons)

    @staticmethod
    def _decided(dispatcher: CollectingDispatcher, result: disputes.Assessment) -> list[EventType]:
        """Say the decision on the identified order; the events that remember it."""
        order, decision = result.order, result.decision
        assert order is not None and decision is not None  # FOUND carries both
        dispatcher.utter_message(response="utter_order_header", order_line=order_line(order))
        dispatcher.utter_message(text=decision.explanation)
        verdict = decision.verdict
        if verdict is Verdict.ELIGIBLE:
            dispatcher.utter_message(response="utter_offer_filing")
        elif verdict is Verdict.NOT_YET and decision.eligible_from is not None:
            # Offer to remind the buyer at the time (ActionScheduleReminder below).
            dispatcher.utter_message(
                response="utter_offer_reminder",
                order_id=order.id,
                time=local_time(decision.eligible_from),
            )
        elif verdict is Verdict.NOT_APPLICABLE:
            dispatcher.utter_message(
                response="utter_alternatives",
                alternatives=template("alternatives_separator").join(decision.alternatives),
            )
        elif verdict is Verdict.IN_PROGRESS:
            dispatcher.utter_message(
                response="utter_already_in_intervention",
                number=decision.intervention_number,
                stage=label("intervention_status", decision.stage),
                deadlines=deadline_lines(decision.deadlines),
            )
        elif verdict is Verdict.UNKNOWN:
            dispatcher.utter_message(response="utter_unknown_rule")
        return [
            SlotSet("order_id", order.id),
            SlotSet("platform", order.platform),
            *(SlotSet(slot, None) for slot in FILING_SLOTS),
            SlotSet(AFTERSALE_SLOT, decision.aftersale_id),
            SlotSet("eligibility", verdict.value),
        ]


def is_question(text: str) -> bool:
    """Whether the words read as a question (kb/labels.yml question_markers)."""
    return any(marker in text for marker in labels()["question_markers"])


def _answered_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """If the buyer asked a knowledge question instead of answering, answer it (the
    form then asks again) and say so."""
    key = faq_key_of(tracker)
    if key is None or not is_question(tracker.latest_message.get("text") or ""):
        return False
    answer_faq(dispatcher, key, tracker)
    return True


def evidence_names() -> dict[str, dict[str, Any]]:
    """kb/labels.yml's short name and keywords of each evidence item."""
    names: dict[str, dict[str, Any]] = labels()["evidence"]
    return names


def parse_evidence(text: str) -> list[str]:
    """Evidence item ids the buyer's words mention (keywords in kb/labels.yml); words
    that mention none are kept as the buyer's own description of what they have."""
    text = text.strip()
    if not text or any(text.startswith(w) for w in labels()["no_evidence_words"]):
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
    """Validates the intervention form's answers; a knowledge question asked instead of
    an answer is answered and the slot asked again."""

    def name(self) -> str:
        """rasa-sdk derives the form (intervention_form) from this name."""
        return "validate_intervention_form"

    def validate_problem(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keep a problem of kb/problems.yml; anything else is asked again."""
        return {"problem": value if value in problems() else None}

    def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keep 2 to MAX_DESCRIPTION characters of the buyer's own words."""
        if value is None or is_payload(str(value)):  # cleared, or a button: ask again
            return {"description": None}
        if _answered_question(dispatcher, tracker):
            return {"description": None}
        text = str(value or "").strip()
        if len(text) < 2 or len(text) > MAX_DESCRIPTION:
            dispatcher.utter_message(response="utter_description_invalid", longest=MAX_DESCRIPTION)
            return {"description": None}
        return {"description": text}

    def validate_evidence(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Evidence item ids the words name ([] for "none"), kept once parsed."""
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
        """Rasa's ``action_ask_<slot>`` convention: the form's evidence question."""
        return "action_ask_evidence"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Speak the checklist with the first items as buttons; no events."""
        items = checklist(tracker.get_slot("problem"), tracker.get_slot("platform"))
        names = evidence_names()
        short = [names.get(i.id, {}).get("name", i.label) for i in items]
        have = button_title("have_evidence")
        buttons = [
            {"title": have.format(name=n), "payload": have.format(name=n)} for n in short[:3]
        ]
        buttons.append(
            {"title": button_title("no_evidence"), "payload": labels()["no_evidence_payload"]}
        )
        dispatcher.utter_message(
            response="utter_evidence_checklist",
            checklist=template("list_separator").join(i.label for i in items),
            buttons=buttons,
        )
        return []


class ActionAskConfirmFiling(BuyerAction):
    """Show what will be filed and ask for confirmation."""

    def name(self) -> str:
        """Rasa's ``action_ask_<slot>`` convention: the form's confirmation question."""
        return "action_ask_confirm_filing"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, buyer: str
    ) -> list[EventType]:
        """Speak the summary and the question; leave the form if the order is gone."""
        order_id = tracker.get_slot("order_id")
        try:
            order = await call(progress.buyer_order, buyer_id=buyer, order_id=order_id)
        except OrderNotFound:
            say_order_not_found(dispatcher, order_id)
            return [ActiveLoop(None), SlotSet("requested_slot", None)]
        evidence = evidence_pairs(tracker.get_slot("evidence") or [])
        dispatcher.utter_message(
            response="utter_filing_summary",
            order_line=order_line(order),
            problem=intent_label(tracker.get_slot("problem")),
            description=tracker.get_slot("description"),
            evidence=template("list_separator").join(d for _, d in evidence)
            or template("no_evidence"),
        )
        dispatcher.utter_message(response="utter_confirm_filing_question")
        return []


class ActionFileIntervention(BuyerAction):
    """File the confirmed intervention; answer with its number, next steps and deadlines."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_file_intervention"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, buyer: str
    ) -> list[EventType]:
        """File (or find the open intervention, or say why not); clear the form's slots."""
        reset = [SlotSet(slot, None) for slot in (*FILING_SLOTS, AFTERSALE_SLOT)]
        if not tracker.get_slot("confirm_filing"):
            dispatcher.utter_message(response="utter_filing_cancelled")
            return reset
        order_id = tracker.get_slot("order_id")
        try:
            filing = await call(
                disputes.file_intervention,
                buyer_id=buyer,
                order_id=order_id,
                problem=tracker.get_slot("problem"),
                description=tracker.get_slot("description") or "",
                evidence=evidence_pairs(tracker.get_slot("evidence") or []),
            )
        except OrderNotFound:
            say_order_not_found(dispatcher, order_id)
            return reset
        if filing.filed:
            dispatcher.utter_message(
                response="utter_intervention_filed",
                number=filing.number,
                deadlines=deadline_lines(filing.deadlines),
            )
            return [*reset, SlotSet("eligibility", "in_progress")]
        if filing.number:
            dispatcher.utter_message(
                response="utter_already_in_intervention",
                number=filing.number,
                stage=label("intervention_status", filing.decision.stage or "submitted"),
                deadlines=deadline_lines(filing.decision.deadlines),
            )
            return [*reset, SlotSet("eligibility", "in_progress")]
        dispatcher.utter_message(
            response="utter_filing_refused", explanation=filing.decision.explanation
        )
        return [*reset, SlotSet("eligibility", filing.decision.verdict.value)]


# ----- The bot's receipt for an evidence file the buyer uploaded in the widget -----

T = TypeVar("T")


def entity_int(tracker: Tracker, entity: str) -> int | None:
    """The latest message's ``entity`` as a positive integer id, or None."""
    value = next(tracker.get_latest_entity_values(entity), None)
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 18 else None


async def named_row(tracker: Tracker, entity: str, fn: Callable[..., T], buyer: str) -> T | None:
    """``fn(buyer_id=buyer, <entity>=<id>)`` for the id the latest message's ``entity``
    names (a triggered event's), or None when it names none."""
    ident = entity_int(tracker, entity)
    return None if ident is None else await call(fn, buyer_id=buyer, **{entity: ident})


class ActionAcknowledgeEvidence(BuyerAction):
    """Say which intervention got the file, which checklist item it ticks, what is left."""

    def name(self) -> str:
        return "action_acknowledge_evidence"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, buyer: str
    ) -> list[EventType]:
        receipt = await named_row(tracker, "evidence_id", evidence.receipt, buyer)
        if receipt is None:
            dispatcher.utter_message(response="utter_evidence_not_found")
            return []
        counts = {"number": receipt.number, "count": receipt.count, "limit": receipt.limit}
        if receipt.ticked:
            dispatcher.utter_message(
                response="utter_evidence_received", item=receipt.item_label, **counts
            )
        else:
            dispatcher.utter_message(response="utter_evidence_received_off_checklist", **counts)
        done = template("list_separator").join(receipt.done)
        if receipt.missing and receipt.done:
            dispatcher.utter_message(
                response="utter_evidence_checklist_left",
                done=done,
                missing=template("list_separator").join(receipt.missing),
            )
        elif receipt.done:
            dispatcher.utter_message(response="utter_evidence_checklist_complete", done=done)
        return []


# ----- Reminders for when intervention becomes possible (jieru/services/reminders.py) -----


class ActionScheduleReminder(BuyerAction):
    """Remind the buyer at the time the engine gives for the order, when there is one."""

    def name(self) -> str:
        return "action_schedule_reminder"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, buyer: str
    ) -> list[EventType]:
        order_id = next(tracker.get_latest_entity_values("order_id"), None) or tracker.get_slot(
            "order_id"
        )
        if not order_id:
            dispatcher.utter_message(response="utter_reminder_which_order")
            return []
        result = await call(
            reminders.schedule,
            buyer_id=buyer,
            conversation_id=tracker.sender_id,
            order_id=str(order_id),
        )
        if result.outcome is Outcome.NOT_FOUND:
            dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
            return [SlotSet("order_id", None)]
        if result.outcome is Outcome.SCHEDULED and result.due_at is not None:
            dispatcher.utter_message(
                response="utter_reminder_scheduled", time=local_time(result.due_at)
            )
        elif result.outcome is Outcome.ELIGIBLE_NOW:
            dispatcher.utter_message(response="utter_reminder_not_needed", order_id=order_id)
        else:
            dispatcher.utter_message(
                response="utter_reminder_not_waiting",
                explanation=result.decision.explanation if result.decision else "",
            )
        return [SlotSet("order_id", order_id)]


class ActionRemindEligibility(BuyerAction):
    """A due reminder: "现在可以申请介入了" with the button when that is true now, else
    what changed."""

    def name(self) -> str:
        return "action_remind_eligibility"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, buyer: str
    ) -> list[EventType]:
        found = await named_row(tracker, "reminder_id", reminders.reminded, buyer)
        if found is None:
            return []  # not this buyer's reminder: nothing to say about it
        order, decision = found.order, found.decision
        if decision.verdict is Verdict.ELIGIBLE:
            dispatcher.utter_message(
                response="utter_eligibility_opened", order_line=order_line(order), order_id=order.id
            )
            return [SlotSet("order_id", order.id)]
        dispatcher.utter_message(
            response="utter_reminder_changed",
            order_line=order_line(order),
            explanation=decision.explanation,
        )
        return []
