"""Intervention: find the buyer's order, say whether they may ask the platform to
intervene now (and if not, when and why), then the form: ask only what is missing,
confirm, file in one transaction."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import (
    AFTERSALE_SLOT,
    COMPLAINT_FORM,
    FILING_SLOTS,
    BuyerAction,
    answer_faq,
    answer_knowledge_question,
    asks_in_general,
    asks_to_complain,
    button_title,
    buyer_id,
    call,
    corrects_the_order,
    deadline_lines,
    faq_key_of,
    has_content,
    intent_label,
    is_payload,
    is_question,
    label,
    labels,
    local_time,
    order_button,
    order_line,
    order_named_before_clarifying,
    outage_guard,
    own_case,
    problems,
    say_facts_for_order,
    say_order_not_found,
    selected_faq_key,
    submits,
    surer_faq_key,
    template,
    without,
)
from jieru.kb import faq
from jieru.kb.evidence import checklist
from jieru.rules.facts import Verdict
from jieru.services import disputes, evidence, progress, reminders
from jieru.services.disputes import Lookup
from jieru.services.errors import OrderNotFound
from jieru.services.reminders import Outcome
from jieru.text import normalize

# The longest description the form keeps; utter_description_invalid shows this number.
MAX_DESCRIPTION = 500
# How many candidate orders are offered as buttons.
MAX_CANDIDATES = 5


def plain(text: str) -> str:
    """The buyer's words as the form reads them: simplified, half-width, trimmed."""
    return normalize(text).strip()


def trim(text: str) -> str:
    """``text`` without the spaces and punctuation around it ("，好的。" → "好的")."""
    edges = [i for i, c in enumerate(text) if unicodedata.category(c)[0] not in "PZ"]
    return text[edges[0] : edges[-1] + 1] if edges else ""


def form_words(kind: str) -> list[str]:
    """kb/labels.yml ``form_words``: the words by which the form reads free text."""
    return list(labels()["form_words"][kind])


# The two-stage fallback's steps: a "did you mean…" between the bot's question and the
# buyer's answer leaves the question standing.
FALLBACK_ACTIONS = frozenset(
    {"action_two_stage_fallback", "action_default_ask_affirmation", "action_default_ask_rephrase"}
)


def last_action(tracker: Tracker) -> str | None:
    """The bot's last action before the buyer's latest message (action_listen and the
    fallback's "did you mean…" aside)."""
    seen_user = False
    for event in reversed(tracker.applied_events()):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            if event.get("name") in FALLBACK_ACTIONS:
                seen_user = False  # the message the fallback was unsure of: look before it
                continue
            return str(event.get("name"))
    return None


def bot_just_said(tracker: Tracker, response: str) -> bool:
    """Whether the bot said ``response`` (a domain response) in its turn right before the
    buyer's latest message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif seen_user and event.get("event") == "bot":
            if (event.get("metadata") or {}).get("utter_action") == response:
                return True
    return False


def refuses_suggestion(tracker: Tracker) -> bool:
    """Whether the buyer's latest message is a no right after the bot suggested a problem."""
    return (
        bot_just_said(tracker, PROBLEM_SUGGESTED)
        and tracker.get_intent_of_latest_message() == "deny"
    )


def tries(tracker: Tracker, slot: str) -> int:
    """How many of the buyer's messages in a row came while the form was asking ``slot``
    (the latest included): 2 means the question was asked twice already."""
    count, requested = 0, None
    for event in tracker.events:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
            if requested != slot:
                count = 0
        elif kind == "active_loop" and not event.get("name"):
            count, requested = 0, None
        elif kind == "user" and requested == slot:
            count += 1
        elif kind == "rewind" or kind == "restart":
            count, requested = 0, None
    return count


# A form question is asked at most twice; then the way out is offered instead.
MOST_ASKS = 2
# Which problem a description told where the problem was asked suggests (a yes takes it).
PROBLEM_SUGGESTED = "utter_problem_suggested"


def way_out(dispatcher: CollectingDispatcher, first: list[dict[str, str]]) -> None:
    """Offer the way out of a question asked twice: ``first`` (an answer by button), a
    human, or not filing."""
    buttons = [
        *first,
        {"title": button_title("request_human"), "payload": "/request_human"},
        {"title": button_title("stop_filing"), "payload": "/stop"},
    ]
    dispatcher.utter_message(response="utter_form_way_out", buttons=buttons)


# A report says the case, rather than only name the problem ("卖家又拒绝退款了"), from this
# many different Chinese characters beyond the problem's name on ("炸锅退回去了商家一直不
# 退款": 炸锅去商一直).
DESCRIBES_THE_CASE = 5


def is_words(text: str) -> bool:
    """A button, a Chinese word, or one of the few Latin words buyers use ("ok")."""
    said = trim(plain(text))
    repeated = len(said) > 6 and len(set(said)) < 3  # "退退退退退退退…"
    chinese = has_content(said, 1) and not repeated
    return is_payload(text) or chinese or said in form_words("latin_words")


def describes_the_case(
    text: str, problem: str | None = None, least: int = DESCRIBES_THE_CASE
) -> bool:
    """Whether the words say more about the case than the problem's name: order numbers,
    filler ("订单", "这个"), question words ("怎么办") and the characters of the name of
    ``problem`` ("卖家拒绝退款" in "卖家又拒绝退款了") left out, ``least`` different
    characters remain ("卖家不发货怎么办" no; "商家说是我摔坏的，不给退怎么办" yes)."""
    detail = re.sub(r"\d+", "", plain(text))
    for word in (*form_words("filler"), *labels()["question_markers"]):
        detail = detail.replace(word, "")
    if problem in labels()["intents"]:  # a report's problem, or the request itself
        detail = "".join(c for c in detail if c not in label("intents", problem))
    return has_content(detail, least)


# An order number inside a report ("250312345678 耳机坏了"): not part of the description.
ORDER_NUMBER = re.compile(r"\s*\d{9,}\s*")
# Request words this long ("帮我申请介入") are left out wherever they stand; shorter ones
# ("好", "吧") only open a request.
REQUEST_WORDS = 4
# How many characters before "这单"/"那单" may name the order's product ("就是四件套这单").
PRODUCT_WORD = 6


def without_order_reference(text: str) -> str:
    """``text`` without the words that point at an order by its product ("就是四件套这单
    申请介入" → " 申请介入"): they say which order, not what happened. The references
    that are also filler ("这个") stay for ``describes_the_case`` to leave out alone."""
    filler = form_words("filler")
    markers = sorted((m for m in labels()["order_references"] if m not in filler), key=len)
    pattern = "|".join(re.escape(m) for m in reversed(markers))
    return re.sub(rf"[\u4e00-\u9fff]{{0,{PRODUCT_WORD}}}?(?:{pattern})", " ", text)


def opening_edit(text: str) -> str | None:
    """The words after a description edit the text opens with ("说明改成 降噪完全失效" →
    "降噪完全失效"; kb/labels.yml form_words ``edit_description``), else None. Only at the
    opening: "卖家让我改成换货" describes the case."""
    said = trim(text)
    marker = next((m for m in form_words("edit_description") if plain(said).startswith(m)), None)
    return trim(said[len(marker) :]) if marker else None


def description_from(text: str, problem: str | None = None) -> str | None:
    """The case as the buyer described it in a report or a filing request ("帮我申请吧，
    东西收到就坏了" → "东西收到就坏了"), order numbers and the request before or after it
    left out; None when the words are a question, a list of evidence, or say nothing
    beyond the request and the order they point at ("就是耳机那单 申请介入")."""
    said = text.strip()
    if is_question(plain(said)) or is_payload(said):
        return None
    said = ORDER_NUMBER.sub(" ", said)  # the order is shown apart in the summary
    # "说明改成 降噪完全失效" typed before the summary: the new words are the case.
    edited = opening_edit(said)
    if edited is not None:
        said = edited
    prefixes = sorted(form_words("request_prefixes"), key=len, reverse=True)
    requests = [p for p in prefixes if len(p) >= REQUEST_WORDS]
    stripped = True
    while stripped:
        stripped = False
        said = trim(said)
        for prefix in prefixes:
            if plain(said).startswith(prefix):
                said, stripped = said[len(prefix) :], True
                break
        for request in requests:  # "……卖家拒绝退款 帮我申请介入"
            if plain(said).endswith(request):
                said, stripped = said[: -len(request)], True
                break
    said = trim(said)
    if evidence_list(said):
        return None  # "帮我申请吧 有照片和视频": the evidence, not the case
    # "就是四件套这单 申请介入", "汝窑茶具那单我想申请淘宝介入": which order, and the
    # request, wherever they stand, say nothing of the case.
    check = without(without_order_reference(plain(said)), labels()["platform"].values())
    if not describes_the_case(without(check, requests), problem):
        return None
    return said if len(said) <= MAX_DESCRIPTION else None


class ActionCheckEligibility(BuyerAction):
    """Find the order, run the eligibility engine, and say the result with concrete times.
    A reply to the offer to file (typed yes, "帮我申请吧", the problem described, the
    evidence named) starts the filing instead, keeping what the reply already says."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_check_eligibility"

    def unavailable_events(self) -> list[EventType]:
        """An outage is a state the dialogue branches on."""
        return [SlotSet("eligibility", "unavailable")]

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, buyer: str
    ) -> list[EventType]:
        """Start the form on a reply to the offer; a request to complain goes to the
        complaint; else say the decision on the order (FOUND) — an explicit request to
        file that says the problem goes straight to the form when the buyer may file now
        — else offer the orders the buyer may mean."""
        intent = tracker.get_intent_of_latest_message()
        text = tracker.latest_message.get("text") or ""
        started = offer_reply(tracker, intent, text)
        if started is not None:
            return started
        if intent != "file_complaint" and asks_to_complain(text):
            return [FollowupAction(COMPLAINT_FORM)]
        named = next(tracker.get_latest_entity_values("order_id"), None)
        named = named or order_named_before_clarifying(tracker)
        # The slot says a list of orders was the last thing offered to choose from.
        list_shown = tracker.get_slot("eligibility") in ("choose_order", "not_found")
        if intent in problems() and not named and not list_shown and not is_payload(text):
            asked = await self._general_question(tracker, buyer, plain(text))
            if asked is not None:
                answer_faq(dispatcher, asked, tracker)
                return [SlotSet("faq_asked", {"key": asked, "question": text})]
        result = await call(
            disputes.assess,
            buyer_id=buyer,
            order_id=str(named) if named else None,
            current=tracker.get_slot("order_id"),
            problem=intent if intent in problems() else tracker.get_slot("problem"),
            platform=tracker.get_slot("platform"),
            said=plain(text) if not is_payload(text) else None,
            list_shown=list_shown,
            confirmed=intent == "affirm",
        )
        problem = result.problem
        said = [SlotSet("problem", problem)] if problem != tracker.get_slot("problem") else []
        requested = intent in (*problems(), "request_intervention")
        described = description_from(text, problem) if requested else None
        if described:
            said.append(SlotSet("description", described))
        if result.lookup is Lookup.FOUND:
            # "帮我申请京东介入，卖家拒绝退货退款，250312345678": nothing left to offer.
            # "不对，订单错了，是耳机那单 2503…" at the summary: the same filing, this order.
            corrected = corrects_the_order(text) and bool(tracker.get_slot("description"))
            file_now = (intent == "request_intervention" or corrected) and problem is not None
            return said + self._decided(
                dispatcher, result, tracker, keep=bool(described), file_now=file_now
            )
        if result.unknown_order_id:
            say_order_not_found(dispatcher, result.unknown_order_id)
            state = "not_found"
        else:
            state = {Lookup.NO_ORDERS: "no_orders"}.get(result.lookup, "choose_order")
        self._offer_candidates(dispatcher, result)
        return [*said, SlotSet("order_id", None), SlotSet("eligibility", state)]

    @staticmethod
    async def _general_question(tracker: Tracker, buyer: str, said: str) -> str | None:
        """The FAQ key of a question the NLU read as a report that is not about the
        buyer's own case ("京东上的第三方店铺要怎么投诉"): the ResponseSelector is surer of
        the key than the NLU of the report (``surer_faq_key``), the words say no case and
        none as theirs (``own_case``) and name none of their orders (``disputes.meant``);
        or the case is asked in general ("换货的话商家收到多久内要重新发", ``asks_in_general``:
        the selector's key however sure the report). None for any other message."""
        general = asks_in_general(said)
        key = selected_faq_key(tracker) if general else surer_faq_key(tracker)
        if key not in faq.faq_keys() or not is_question(said) or (own_case(said) and not general):
            return None
        found = await call(
            disputes.meant,
            buyer_id=buyer,
            said=said,
            platform=tracker.get_slot("platform"),
            current=tracker.get_slot("order_id"),
        )
        return None if found.names_an_order else key

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
    def _decided(
        dispatcher: CollectingDispatcher,
        result: disputes.Assessment,
        tracker: Tracker,
        keep: bool = False,
        file_now: bool = False,
    ) -> list[EventType]:
        """Say the decision on the identified order (and what a knowledge question asked
        about it that the decision does not say); the events that remember it. A filing's
        answers are kept while the order stays the same (or were just given). With
        ``file_now``, an eligible order opens the form instead of offering it."""
        order, decision = result.order, result.decision
        assert order is not None and decision is not None  # FOUND carries both
        dispatcher.utter_message(response="utter_order_header", order_line=order_line(order))
        dispatcher.utter_message(text=decision.explanation)
        say_facts_for_order(dispatcher, tracker, order.platform)
        verdict = decision.verdict
        filing = verdict is Verdict.ELIGIBLE and file_now
        if verdict is Verdict.ELIGIBLE and not filing:
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
        # A filing's answers belong to one order: cleared when the order changes (but not
        # the description this very message gave); a yes is never carried over.
        previous = tracker.get_slot("order_id")
        changed = previous is not None and previous != order.id
        cleared = [s for s in FILING_SLOTS if s == "confirm_filing" or changed]
        if keep and "description" in cleared:
            cleared.remove("description")
        return [
            SlotSet("order_id", order.id),
            SlotSet("platform", order.platform),
            *(SlotSet(slot, None) for slot in cleared),
            SlotSet(AFTERSALE_SLOT, decision.aftersale_id),
            SlotSet("eligibility", verdict.value),
            *([FollowupAction("intervention_form")] if filing else []),
        ]


def offer_reply(tracker: Tracker, intent: str | None, text: str) -> list[EventType] | None:
    """The events that open the intervention form when the latest message answers
    "要我现在帮您提交平台介入申请吗？" with a yes, with what the reply already said filled
    in (a request's problem from its words, kb/problems.yml cues); None when it does not.
    A yes is a filing request for the order in question (no other order named), or, right
    after the offer, the problem described or the evidence named instead of a plain yes."""
    if tracker.get_slot("eligibility") != "eligible" or tracker.active_loop.get("name"):
        return None
    named = next(tracker.get_latest_entity_values("order_id"), None)
    if named and str(named) != tracker.get_slot("order_id"):
        return None
    described = (
        description_from(text, intent) if intent in (*problems(), "request_intervention") else None
    )
    evidence = parse_evidence(text) if not described else None
    if intent not in ("request_intervention", "affirm"):
        # Right after the offer: the decision that made it, or an answer given meanwhile.
        offered = last_action(tracker) in ("action_check_eligibility", "action_reply_to_offer")
        if not offered or is_question(plain(text)):
            return None
        if not (described if intent in problems() else (intent == "faq" and evidence)):
            return None
    events: list[EventType] = []
    if intent in problems() and intent != tracker.get_slot("problem"):
        events.append(SlotSet("problem", intent))
    elif intent == "request_intervention" and not tracker.get_slot("problem"):
        # "包装被拆过 卖家拒绝退款 帮我申请介入": the case the request names is not asked.
        case = disputes.case_of(plain(text))
        if case is not None:
            events.append(SlotSet("problem", case))
    if described:
        events.append(SlotSet("description", described))
    if evidence:
        events.append(SlotSet("evidence", evidence))
    return [*events, FollowupAction("intervention_form")]


def _answered_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """If the buyer asked a knowledge question instead of answering, answer it (the
    form then asks again) and say so."""
    key = faq_key_of(tracker)
    if key is None or not is_question(plain(tracker.latest_message.get("text") or "")):
        return False
    answer_faq(dispatcher, key, tracker)
    return True


def evidence_names() -> dict[str, dict[str, Any]]:
    """kb/labels.yml's short name and keywords of each evidence item."""
    names: dict[str, dict[str, Any]] = labels()["evidence"]
    return names


def _named(text: str, keyword: str, negations: list[str]) -> bool:
    """Whether ``keyword`` occurs in ``text`` once without a negation just before it."""
    start = text.find(keyword)
    while start != -1:
        if not any(n in text[max(0, start - 3) : start] for n in negations):
            return True
        start = text.find(keyword, start + 1)
    return False


def parse_evidence(text: str) -> list[str] | None:
    """The evidence the buyer's words say they have: item ids of kb/labels.yml (named by
    a keyword not negated: "没有聊天记录，只有照片" → photo), [] for "none at all", an
    item kb/ has no name for in the buyer's words ("有发票" → "other:有发票"), or None
    when the words do not answer the question."""
    said = plain(text)
    negations = form_words("negations")
    named = [
        item
        for item, spec in evidence_names().items()
        if any(_named(said, k, negations) for k in spec["keywords"])
    ]
    if named:
        return named
    # "没有", "啥都没有", "一个都没有": a short message that says none.
    none_words = (*labels()["no_evidence_words"], *negations)
    if any(said.startswith(w) for w in form_words("not_negations")):
        return None  # "没问题，提交": a yes, not "none"
    if said == plain(labels()["no_evidence_payload"]) or any(
        said.startswith(w) for w in none_words
    ):
        return []
    if any(w in said for w in none_words) and not has_content(
        without(said, (*none_words, *form_words("none_filler"))), 3
    ):
        return []  # "不好意思 我啥都没留": a negation and nothing else
    if any(said.startswith(w) for w in form_words("possession")) and has_content(said):
        return [f"other:{text.strip()[:200]}"]
    return None


def evidence_list(text: str) -> list[str] | None:
    """The items of kb/labels.yml a message lists and nothing more ("有照片 还有检测报告",
    "聊天记录和截图都有", "只有聊天记录"); None when it names none, or says more than the
    list ("卖家在聊天里承认是假货": a description that mentions a chat)."""
    named = parse_evidence(text)
    if not named or any(i.startswith("other:") for i in named):
        return None
    words = [w for spec in evidence_names().values() for w in (spec["name"], *spec["keywords"])]
    rest = without(
        _without_whose(without_filler(text), words), (*words, *form_words("evidence_list_words"))
    )
    return named if not has_content(rest, EVIDENCE_LIST_REST) else None


# A message this short that names an item of kb/labels.yml and no problem says what the
# buyer holds ("有洗完以后的照片", "就截了个售后页面的图"), however it says it.
SHORT_EVIDENCE = 16


def holds_evidence(text: str, named: list[str] | None) -> bool:
    """Whether ``text`` answers the evidence question with the items ``named``: at least
    one of kb/labels.yml's, in a short message that names no problem (kb/problems.yml
    cues: "卖家在聊天里承认是假货" describes the case)."""
    known = [i for i in named or () if not i.startswith("other:")]
    said = plain(text)
    return bool(known) and len(trim(said)) <= SHORT_EVIDENCE and disputes.case_of(said) is None


def without_filler(text: str) -> str:
    """``text`` (simplified) without kb/labels.yml ``evidence_filler``: "刚才都说过了呀
    单号我都有" → "单号我都有"."""
    return without(plain(text), form_words("evidence_filler"))


def _without_whose(text: str, keywords: list[str]) -> str:
    """``text`` without the words of kb/labels.yml ``evidence_whose`` that stand right
    before an item's keyword ("跟卖家的聊天记录" → "跟聊天记录")."""

    def alternatives(words: Iterable[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    whose, joiner = form_words("evidence_whose"), form_words("evidence_whose_joiner")
    pattern = rf"(?:{alternatives(whose)})(?:{alternatives(joiner)})?(?={alternatives(keywords)})"
    return re.sub(pattern, "", text)


def evidence_pairs(ids: list[str]) -> list[tuple[str, str]]:
    """(database kind, description) pairs for the repository."""
    names = evidence_names()
    pairs = []
    for i in ids:
        spec = names.get(i)
        pairs.append((spec["kind"], spec["name"]) if spec else ("other", i.removeprefix("other:")))
    return pairs


def summary_edit(text: str) -> tuple[str, str | None] | None:
    """What the buyer asks to change in the summary: ("description", new words),
    ("description", None) to be asked again, ("evidence", None), ("order", None); None
    when the words change nothing."""
    said = plain(text)
    for marker in form_words("edit_description"):
        at = said.find(marker)
        if at != -1:
            return "description", trim(text.strip()[at + len(marker) :])
    for part, kind in (("description", "redo_description"), ("evidence", "redo_evidence")):
        if any(w in said for w in form_words(kind)):
            return part, None
    if corrects_the_order(said):
        return "order", None
    return None


# A yes or no to the summary is short; a longer text read as one is not taken as one.
LONGEST_YES = 20
# An evidence list leaves fewer different characters than this beyond the items' words
# ("有旺旺聊天记录 还有卡密截图" leaves "卡密").
EVIDENCE_LIST_REST = 4

# Intents that never answer a form question, whatever their words: they are handled as
# what they are (rules in bot/data/rules/intervention.yml), and the form asks again.
NOT_ANSWERS = frozenset(
    {
        "greet",
        "goodbye",
        "thank",
        "bot_challenge",
        "check_progress",
        "request_human",
        "inform_order_id",
        "file_complaint",
        "request_aftersale",
        "request_reminder",
        "out_of_scope",
        "stop",
        "restart",
    }
)
# Readings of NOT_ANSWERS that a description often gets (see _is_description).
NO_VERDICT = frozenset({"out_of_scope", "request_aftersale"})


class ValidateInterventionForm(FormValidationAction):
    """Validates the intervention form's answers: each slot keeps only a message that
    answers its question (intent, entities and words); a knowledge question asked
    instead is answered, anything else is left to the rules, and the form asks again."""

    def name(self) -> str:
        """rasa-sdk derives the form (intervention_form) from this name."""
        return "validate_intervention_form"

    @staticmethod
    def _asked(tracker: Tracker, slot: str) -> bool:
        """Whether the latest message was the answer to ``slot``'s question (rather than
        a value filled in before the form asked, validated again on activation)."""
        return bool(tracker.get_slot("requested_slot") == slot)

    def validate_problem(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keep a problem of kb/problems.yml said in words or by button; anything else
        (noise the NLU happened to read as a report among them) is asked again. A report
        that describes the case answers the description too, when none was given or it
        opens with "说明改成" (``opening_edit``)."""
        said = tracker.latest_message.get("text") or ""
        noise = not is_payload(said) and (not has_content(said, 2) or len(said) > MAX_DESCRIPTION)
        # "是" to the problem suggested (extract_problem) is short, and an answer.
        noise = noise and not (value in problems() and self._says_yes(said, tracker))
        if self._asked(tracker, "problem") and noise:
            return {"problem": None}
        problem = value if value in problems() else None
        if problem and self._asked(tracker, "problem"):
            # "四件套描述写的纯棉 实际洗完掉色起球" answers "which case?" and describes it,
            # when no description was given; "说明改成 …" replaces the one given.
            described = description_from(said, problem)
            replaces = not tracker.get_slot("description") or opening_edit(said) is not None
            if described and replaces:
                return {"problem": problem, "description": described}
        return {"problem": problem}

    def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keep 2 to MAX_DESCRIPTION characters of the buyer's own words that describe the
        case: not a question, a button, another request, noise, a yes/no, the problem's
        name alone, or a list of evidence (kept as the evidence, the description asked
        again)."""
        if value is None:  # cleared (validated again after a rejection): nothing to say
            return {"description": None}
        text = str(value).strip()
        if not self._asked(tracker, "description"):
            return {"description": text if has_content(text) else None}
        if is_payload(text) or _answered_question(dispatcher, tracker):
            return {"description": None}
        listed = evidence_list(text)
        if listed:
            names = template("list_separator").join(d for _, d in evidence_pairs(listed))
            dispatcher.utter_message(response="utter_evidence_noted", evidence=names)
            return {"description": None, "evidence": listed}
        if not self._is_description(text, tracker):
            if tries(tracker, "description") < MOST_ASKS:  # else the way out says it
                dispatcher.utter_message(
                    response="utter_description_invalid", longest=MAX_DESCRIPTION
                )
            return {"description": None}
        return {"description": description_from(text) or text}

    @staticmethod
    def _is_description(text: str, tracker: Tracker) -> bool:
        """Whether the latest message, ``text``, describes the case: words beyond the
        problem's name, not a question, another request, noise or a yes/no. An unsure
        reading (nlu_fallback, whatever ranks below it) is no verdict either: short
        descriptions often get one ("降噪没用了")."""
        intent = tracker.get_intent_of_latest_message(skip_fallback_intent=False)
        # A report that describes the case is a description even as a question ("……
        # 不给退怎么办"); a bare "卖家不发货怎么办" is not. out_of_scope and request_aftersale
        # are no verdict here: a description is often read as one ("七天无理由退的 裤子
        # 好好的"), and a real out-of-scope question or request is a question.
        question = is_question(plain(text))
        return not (
            (intent in NOT_ANSWERS and intent not in NO_VERDICT)
            or intent in ("affirm", "deny")
            or (question and not (intent in problems() and describes_the_case(text, intent)))
            or not describes_the_case(text, tracker.get_slot("problem"), least=3)
            # "好，麻烦帮我申请": a yes and the request, with nothing of the case.
            or (
                intent == "request_intervention"
                and not question
                and description_from(text, tracker.get_slot("problem")) is None
            )
            or len(text) > MAX_DESCRIPTION
        )

    def validate_evidence(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Evidence item ids the words name ([] for "none"), kept once parsed. The case
        described instead ("充电器用着发烫") is added to the description, and the evidence
        asked again."""
        if value is None:
            return {"evidence": None}
        if isinstance(value, list):
            names = evidence_names()
            if all(v in names or str(v).startswith("other:") for v in value):  # parsed earlier
                return {"evidence": value}
            value = " ".join(map(str, value))  # Rasa wraps free text in a list for list slots
        text = str(value)
        if is_payload(text):
            return {"evidence": None}
        listed = evidence_list(text)
        if listed and not is_question(without_filler(text)):
            # "我不是说了吗 单号和聊天记录都有": the items and filler, no question.
            return {"evidence": listed}
        if _answered_question(dispatcher, tracker) or is_question(plain(text)):
            return {"evidence": None}
        named = parse_evidence(text)
        if named == [] or evidence_list(text):
            return {"evidence": named}
        edited = self._edited_description(summary_edit(text))  # payloads returned above
        if edited is not None:
            return {"evidence": None, **edited}
        if self._asked(tracker, "evidence") and holds_evidence(text, named):
            return {"evidence": named}
        if self._asked(tracker, "evidence") and submits(text):
            # "确认提交" where evidence is asked: nothing more to give; the summary next.
            return {"evidence": []}
        if self._is_description(text, tracker):
            return self._add_to_description(text, dispatcher, tracker)
        # Items named by their keywords answer the question whatever the intent ("有聊天
        # 记录" is often read as out_of_scope); the buyer's own words only when the intent
        # is not something else.
        kept_as_said = bool(named) and all(i.startswith("other:") for i in named or ())
        if kept_as_said and tracker.get_intent_of_latest_message() in NOT_ANSWERS:
            return {"evidence": None}
        return {"evidence": named}

    @staticmethod
    def _says_yes(text: str, tracker: Tracker) -> bool:
        """A typed yes: to filing ("好的提交", ``submits``) or plain ("是的")."""
        return submits(text) or tracker.get_intent_of_latest_message() == "affirm"

    async def extract_problem(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Where the problem is asked, a typed yes or no: right after the bot suggested the
        problem the kept description tells (``ActionAskProblem``), a yes takes it and a no
        asks again; later, a yes to filing ("好的提交": the buyer gave the case and the
        evidence and thinks the filing complete) takes the suggestion still standing, or
        keeps the form asking ({"problem": None}) when there is none. {} for anything
        else."""
        text = tracker.latest_message.get("text") or ""
        asked = self._asked(tracker, "problem") and tracker.get_slot("problem") is None
        if not asked or is_payload(text):
            return {}
        if not bot_just_said(tracker, PROBLEM_SUGGESTED):
            # "确认无误": the problem suggested when it was asked, or the question again.
            if not submits(text):
                return {}
            return {"problem": await suggested_problem(self.name(), dispatcher, tracker)}
        if self._says_yes(text, tracker):
            return {"problem": await suggested_problem(self.name(), dispatcher, tracker)}
        return {"problem": None} if refuses_suggestion(tracker) else {}

    async def extract_evidence(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The words of an evidence list the NLU read as an intent that is never an answer
        (domain.yml leaves such messages out): "有跟客服的聊天记录" read as request_human
        answers the evidence question, rather than hand the buyer to a person. Named
        where the problem is asked, the items are kept and said so."""
        listed = self._listed_despite_intent(tracker, "evidence")
        if listed and self._asked(tracker, "problem"):
            items = evidence_list(listed["evidence"]) or []
            names = template("list_separator").join(d for _, d in evidence_pairs(items))
            dispatcher.utter_message(response="utter_evidence_noted", evidence=names)
        return listed

    async def extract_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """As ``extract_evidence`` where the description is asked (validate_description
        keeps the list as the evidence). Where the problem is asked, the case described
        instead of a problem named ("床单洗一次全是小球 跟商品页写的差太远", which the NLU
        may read as anything) is kept as the description, said so, and the problem asked
        again; a description already given stays."""
        if not self._asked(tracker, "problem"):
            return self._listed_despite_intent(tracker, "description")
        text = tracker.latest_message.get("text") or ""
        named = next(tracker.get_latest_entity_values("order_id"), None)
        if (
            tracker.get_slot("description") is not None
            or tracker.get_intent_of_latest_message() in problems()  # validate_problem's
            or named
            or is_payload(text)
            or evidence_list(text)
            or not self._is_description(text, tracker)
        ):
            return {}
        dispatcher.utter_message(response="utter_description_noted")
        return {"description": trim(text.strip())}

    @classmethod
    def _listed_despite_intent(cls, tracker: Tracker, slot: str) -> dict[str, Any]:
        """{slot: the latest text} when it lists evidence and nothing else while ``slot``
        (or, for the evidence, the problem) is asked, and domain.yml's mapping took nothing
        from it; {} otherwise. A stop, an order number or a question stays what it is."""
        asked = cls._asked(tracker, slot) or (slot == "evidence" and cls._asked(tracker, "problem"))
        if not asked or tracker.get_slot(slot) is not None:
            return {}
        text = tracker.latest_message.get("text") or ""
        intent = tracker.get_intent_of_latest_message()
        other_order = next(tracker.get_latest_entity_values("order_id"), None)
        if intent in ("stop", "restart") or other_order or is_payload(text):
            return {}
        if is_question(without_filler(text)) or not evidence_list(text):
            return {}
        return {slot: text}

    @staticmethod
    def _edited_description(edit: tuple[str, str | None] | None) -> dict[str, Any] | None:
        """{"description": the new words} when ``edit`` (``summary_edit``) rewrites the
        description ("说明改成：洗了一次就掉色") with words that can stand; None otherwise."""
        part, new = edit or (None, None)
        if part != "description" or not new or not has_content(new) or len(new) > MAX_DESCRIPTION:
            return None
        return {"description": new}

    @staticmethod
    def _add_to_description(
        text: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """The description with ``text`` added (once, within MAX_DESCRIPTION); the evidence
        still to be asked."""
        said = trim(text.strip())
        before = tracker.get_slot("description") or ""
        if said in before:
            return {"evidence": None}
        joined = f"{before}{template('description_separator')}{said}" if before else said
        if len(joined) > MAX_DESCRIPTION:
            return {"evidence": None}
        dispatcher.utter_message(response="utter_description_added")
        return {"evidence": None, "description": joined}

    def validate_confirm_filing(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """True only on an explicit yes to the summary; a change of the summary clears
        what is to change (the form asks it again); "订单错了" ends the form to choose
        the order again; a plain no ends it without filing."""
        if value is None or isinstance(value, bool):
            return {"confirm_filing": value}
        text = str(value)
        intent = tracker.get_intent_of_latest_message()
        edit = summary_edit(text) if not is_payload(text) else None
        if edit is not None:
            part, new = edit
            if part == "order":
                return {"confirm_filing": False, "order_id": None}
            edited = self._edited_description(edit)
            if edited is not None:
                return {**edited, "confirm_filing": None}
            return {part: None, "confirm_filing": None}
        if not is_words(text) or len(trim(text)) > LONGEST_YES:
            intent = None  # noise, or a long text, the NLU happened to read as a yes or no
        if intent == "affirm" or submits(text):  # "嗯嗯确认" is often read as out_of_scope
            return {"confirm_filing": True}
        if intent == "deny":
            if any(w in plain(text) for w in form_words("change_markers")):
                dispatcher.utter_message(response="utter_what_to_change")
                return {"confirm_filing": None}
            return {"confirm_filing": False}
        answered = _answered_question(dispatcher, tracker)
        if not answered and tries(tracker, "confirm_filing") < MOST_ASKS:  # else the way out
            dispatcher.utter_message(response="utter_confirm_filing_help")
        return {"confirm_filing": None}


class ActionReplyToOffer(Action):
    """A knowledge question, an out-of-scope or after-sale reading or an unsure NLU while
    the offer to file stands: right after the offer, words that name evidence ("有聊天记录
    和照片"), open with the request ("帮我申请吧 …") or describe the case (read by the NLU's
    likeliest report intent) accept it with what they said kept; anything else is what it
    reads as — the question answered (about the buyer's order when it names one:
    ``answer_knowledge_question``), the after-sale answer, the out-of-scope answer, or the
    two-stage fallback."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_reply_to_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Start the form (evidence or description filled in), or do what the intent asks."""
        text = tracker.latest_message.get("text") or ""
        # The NLU's own reading, nlu_fallback included (get_intent_of_latest_message
        # skips it).
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        # Evidence first: an evidence list is no description.
        started = offer_reply(tracker, "faq", text)
        # An unsure, out-of-scope or after-sale reading is no verdict on a reply to the
        # offer: a description is often all three ("一充电就烫得不行 我改过一次申请还是被拒"),
        # and one that opens with the request ("帮我申请吧 裤子太长了…") is a yes.
        # A knowledge-question reading that asks nothing ("这套四件套是上周五收到的……可是
        # 不洗根本发现不了这些问题") is read the same way.
        unsure = intent in ("nlu_fallback", "out_of_scope", "request_aftersale")
        if started is None and (unsure or not is_question(plain(text))):
            reading = "request_intervention" if opens_with_request(text) else None
            reading = reading or _likeliest_problem(tracker)
            started = offer_reply(tracker, reading, text) if reading else None
        if started is not None:
            return started
        if intent == "request_aftersale":
            return [FollowupAction("action_answer_aftersale")]
        if intent == "nlu_fallback":
            return [FollowupAction("action_two_stage_fallback")]
        if intent == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        return await answer_knowledge_question(self.name(), dispatcher, tracker)


def opens_with_request(text: str) -> bool:
    """Whether ``text`` opens with a request to file of REQUEST_WORDS or more characters
    ("帮我申请吧 …", "申请介入 …"), after a yes ("是的 申请介入"), rather than with a word
    that only may open one ("好")."""
    requests = [p for p in form_words("request_prefixes") if len(p) >= REQUEST_WORDS]
    fillers = sorted(form_words("confirm_filler"), key=len, reverse=True)
    said = trim(plain(text))
    while said:
        if any(said.startswith(p) for p in requests):
            return True
        filler = next((f for f in fillers if said.startswith(f)), None)
        if filler is None:
            return False
        said = trim(said[len(filler) :])
    return False


def _likeliest_problem(tracker: Tracker) -> str | None:
    """The report intent the NLU ranked highest for the latest message, if it ranked one
    among its top three."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    names = [r.get("name") for r in ranking if r.get("name") != "nlu_fallback"][:3]
    return next((n for n in names if n in problems()), None)


async def suggested_problem(
    action: str, dispatcher: CollectingDispatcher, tracker: Tracker
) -> str | None:
    """The problem the kept description and the conversation's order suggest
    (``disputes.likely_case``), or None (no description, order or buyer)."""
    buyer, order_id = buyer_id(tracker), tracker.get_slot("order_id")
    description = tracker.get_slot("description")
    if not (buyer and order_id and description):
        return None
    work = call(progress.buyer_order, buyer_id=buyer, order_id=order_id)
    try:
        order = await outage_guard(action, dispatcher, work, fallback=None)
    except OrderNotFound:
        return None
    return disputes.likely_case(plain(str(description)), order) if order else None


class ActionAskProblem(Action):
    """Ask which problem it is; when the case told already suggests one, say which,
    for a typed yes to take it (ValidateInterventionForm.extract_problem)."""

    def name(self) -> str:
        """Rasa's ``action_ask_<form>_<slot>`` convention, found before the response."""
        return "action_ask_intervention_form_problem"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Speak the suggestion (not again right after a no to it) and the question."""
        refused = refuses_suggestion(tracker)
        suggested = None if refused else await suggested_problem(self.name(), dispatcher, tracker)
        if suggested is not None:
            dispatcher.utter_message(response=PROBLEM_SUGGESTED, problem=intent_label(suggested))
        dispatcher.utter_message(response="utter_ask_intervention_form_problem")
        return []


class ActionAskDescription(Action):
    """Ask for the description; after two tries, offer the way out instead."""

    def name(self) -> str:
        """Rasa's ``action_ask_<slot>`` convention: the form's description question."""
        return "action_ask_description"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Speak the question or the way out; no events."""
        if tries(tracker, "description") >= MOST_ASKS:
            way_out(dispatcher, [])
        else:
            dispatcher.utter_message(response="utter_ask_intervention_form_description")
        return []


class ActionAskEvidence(Action):
    """Ask for evidence with the checklist kb/ gives for this problem; after two tries,
    offer the way out ("暂时没有" among it) instead."""

    def name(self) -> str:
        """Rasa's ``action_ask_<slot>`` convention: the form's evidence question."""
        return "action_ask_evidence"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Speak the checklist with the first items as buttons (or the way out); no events."""
        none = {"title": button_title("no_evidence"), "payload": labels()["no_evidence_payload"]}
        if tries(tracker, "evidence") >= MOST_ASKS:
            way_out(dispatcher, [none])
            return []
        items = checklist(tracker.get_slot("problem"), tracker.get_slot("platform"))
        names = evidence_names()
        short = [names.get(i.id, {}).get("name", i.label) for i in items]
        have = button_title("have_evidence")
        buttons = [
            {"title": have.format(name=n), "payload": have.format(name=n)} for n in short[:3]
        ]
        buttons.append(none)
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
        if tries(tracker, "confirm_filing") >= MOST_ASKS:
            way_out(dispatcher, [{"title": button_title("confirm_filing"), "payload": "/affirm"}])
        else:
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
        order_id = tracker.get_slot("order_id")
        if not tracker.get_slot("confirm_filing") and order_id is None:
            # "订单错了" at the summary: choose the order again, the buyer's words kept.
            result = await call(
                disputes.assess,
                buyer_id=buyer,
                problem=tracker.get_slot("problem"),
                platform=tracker.get_slot("platform"),
            )
            dispatcher.utter_message(response="utter_choose_another_order")
            ActionCheckEligibility._offer_candidates(dispatcher, result)
            return [
                SlotSet("confirm_filing", None),
                SlotSet(AFTERSALE_SLOT, None),
                SlotSet("eligibility", "choose_order"),
            ]
        if not tracker.get_slot("confirm_filing"):
            dispatcher.utter_message(response="utter_filing_cancelled")
            return reset
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
