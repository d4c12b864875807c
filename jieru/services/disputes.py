"""Find the buyer's order, decide on intervention, file it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum

from jieru import config
from jieru.db import reminders as reminder_store
from jieru.db import repository
from jieru.kb import load_yaml
from jieru.kb.policy import load_policy
from jieru.rules.deadlines import intervention_deadlines
from jieru.rules.eligibility import evaluate
from jieru.rules.facts import Decision, OrderFacts, Verdict
from jieru.rules.matching import named_by_product, named_order, named_problem, pick, rank, score
from jieru.services import transaction
from jieru.services.errors import OrderNotFound


class Lookup(str, Enum):
    FOUND = "found"  # one order identified
    CHOOSE = "choose"  # several (or one unconfirmed) candidates to pick from
    NO_MATCH = "no_match"  # the buyer has orders, none fits the problem
    NO_ORDERS = "no_orders"


@dataclass(frozen=True)
class Assessment:
    """Everything one reply about the buyer's order needs: the order and the decision on
    it (FOUND), or the candidates to offer instead; ``unknown_order_id`` is the number the
    buyer gave when no order of theirs has it (then the candidates are offered anyway);
    ``problem`` the one the candidates were chosen by."""

    lookup: Lookup
    order: OrderFacts | None = None
    decision: Decision | None = None
    candidates: tuple[OrderFacts, ...] = ()
    unknown_order_id: str | None = None
    problem: str | None = None  # the problem given, else the one the buyer's words say


@dataclass(frozen=True)
class Meant:
    """What a message says about the buyer's own orders: the order it names (by number or
    by product), a number that is none of theirs, or the case it says they are in when
    some of their orders fit it."""

    order: OrderFacts | None = None
    unknown_order_id: str | None = None
    case: str | None = None
    mentioned: tuple[OrderFacts, ...] = ()  # several orders its product words name alike

    @property
    def names_an_order(self) -> bool:
        return self.order is not None or self.unknown_order_id is not None or bool(self.mentioned)


@dataclass(frozen=True)
class Filing:
    """The outcome of a filing request: a new intervention, the one already open
    (retries and concurrent requests land here), or a refusal with the decision."""

    filed: bool
    decision: Decision
    order: OrderFacts
    number: str | None = None
    deadlines: tuple[tuple[str, datetime], ...] = field(default_factory=tuple)
    cancelled_reminders: tuple[int, ...] = ()  # pending reminders the filing made pointless


def problem_criteria(problem: str | None) -> list[dict]:
    """kb/problems.yml's criteria for a reported problem (``any`` when none is named)."""
    problems = load_yaml("problems.yml")["problems"]
    return problems.get(problem or "any", problems["any"])


def decide(order: OrderFacts, *, now: datetime, aftersale_id: str | None = None) -> Decision:
    """The eligibility engine's decision for an order under its platform's kb/ policy."""
    return evaluate(order, now=now, policy=load_policy(order.platform), aftersale_id=aftersale_id)


def problem_cues() -> dict[str, list[str]]:
    """kb/problems.yml ``cues``: the words that say which case the buyer is in."""
    cues: dict[str, list[str]] = load_yaml("problems.yml")["cues"]
    return cues


def order_references() -> list[str]:
    """kb/labels.yml ``order_references``: words that point at one order ("那单")."""
    return list(load_yaml("labels.yml")["order_references"])


def refers_to_current(said: str) -> bool:
    """Whether the words point at the conversation's order ("这单能申请了吗";
    kb/labels.yml ``current_order_references``)."""
    return any(r in said for r in load_yaml("labels.yml")["current_order_references"])


def named_orders(
    orders: list[OrderFacts], said: str, current: str | None = None
) -> tuple[OrderFacts | None, tuple[OrderFacts, ...]]:
    """The one order of ``orders`` the words name, or the several they may mean: by a
    product word with a word that points at an order ("猕猴桃那单"), else by a product
    word long enough to name it alone ("婴儿推车刹车失灵", ``named_by_product``; several
    alike are asked about, unless the conversation's ``current`` order is one of them),
    else the ``current`` order when the words point at it ("这单能申请了吗")."""
    named = named_order(orders, said, order_references())
    if named is not None:
        return named, ()
    by_product = named_by_product(orders, said)
    if len(by_product) == 1:
        return by_product[0], ()
    ongoing = next((o for o in orders if o.id == current), None)
    if by_product:
        return (ongoing, ()) if ongoing in by_product else (None, tuple(by_product[:5]))
    if ongoing is not None and refers_to_current(said):
        return ongoing, ()
    return None, ()


def case_of(said: str, order: OrderFacts | None = None) -> str | None:
    """The problem the buyer's words say they are in (kb/problems.yml ``cues``), among
    those ``order`` fits when one is given; None when the words name none."""
    if order is None:
        return named_problem(said, problem_cues())
    return named_problem(said, problem_cues(), fits=lambda p: fits(order, p))


def fits(order: OrderFacts, problem: str) -> bool:
    """Whether ``order`` fits ``problem`` at all (kb/problems.yml criteria)."""
    return score(order, problem_criteria(problem))[0] > 0


def likely_case(said: str, order: OrderFacts) -> str | None:
    """The problem a description of the case on ``order`` suggests: the one its words
    say among those the order fits (``case_of``), else the only problem the order fits
    at all (a delivered order with no after-sale fits "the item is bad" alone); None
    when neither tells. A suggestion for the buyer to confirm, never a filed value."""
    case = case_of(said, order)
    if case is not None:
        return case
    fitting = [p for p in problem_cues() if fits(order, p)]
    return fitting[0] if len(fitting) == 1 else None


def meant(
    *,
    buyer_id: str,
    order_id: str | None = None,
    said: str = "",
    platform: str | None = None,
    current: str | None = None,
) -> Meant:
    """Whether a message is about the buyer's own orders, and how: the number it gives
    (theirs or not), else the order it names by product or as the conversation's
    ``current`` one (``named_orders``: "猕猴桃那单", "这单"), or the several it may mean,
    else the case its words say they are in ("卖家拒绝退款了"), when some of their orders
    fit it."""
    with transaction() as session:
        if order_id:
            row = repository.get_order(session, buyer_id=buyer_id, order_id=order_id)
            if row is None:
                return Meant(unknown_order_id=order_id)
            return Meant(order=repository.to_facts(row))
        orders = [
            repository.to_facts(o) for o in repository.list_orders(session, buyer_id=buyer_id)
        ]
    named, several = named_orders(orders, said, current)
    if named is not None or several:
        return Meant(order=named, mentioned=several)
    case = case_of(said)
    if case is not None and _candidates(orders, case, platform).lookup is Lookup.CHOOSE:
        return Meant(case=case)
    return Meant()


def assess(
    *,
    buyer_id: str,
    order_id: str | None = None,
    current: str | None = None,
    problem: str | None = None,
    platform: str | None = None,
    said: str | None = None,
    list_shown: bool = False,
    confirmed: bool = False,
) -> Assessment:
    """Identify the order (by the number given, else by the one order the words name by
    product, else the ``current`` one of the conversation, else by fit to the problem, the
    conversation's platform first) and decide on it, in one transaction.

    ``said`` (the buyer's message, simplified) names an order ("是空气炸锅那个", among
    all the buyer's orders) or picks among the candidates by product name ("耳机那单");
    when ``list_shown`` (the candidates were offered as the last question) also by
    position ("第二个"), and ``confirmed`` (a yes to "是这笔订单吗？") takes a lone
    candidate. Without a ``problem``, the one the words say (``case_of``) is used.
    An unknown number comes back as ``unknown_order_id`` with the candidates the buyer
    may mean instead. An order that exists but belongs to another buyer reads exactly
    like one that does not exist.
    """
    now = config.now()
    words = said or ""

    def found(order: OrderFacts) -> Assessment:
        return Assessment(
            Lookup.FOUND, order, decide(order, now=now), problem=problem or case_of(words, order)
        )

    with transaction() as session:
        if order_id:
            row = repository.get_order(session, buyer_id=buyer_id, order_id=order_id)
            if row is not None:
                return found(repository.to_facts(row))
        orders = [
            repository.to_facts(o) for o in repository.list_orders(session, buyer_id=buyer_id)
        ]
    if not order_id:
        named, several = named_orders(orders, words, current)
        named = named or (None if several else next((o for o in orders if o.id == current), None))
        if named is not None:
            return found(named)
        if several:
            return Assessment(Lookup.CHOOSE, candidates=several, problem=problem or case_of(words))
    problem = problem or case_of(words)
    offered = _candidates(orders, problem, platform)
    if not order_id and offered.candidates:
        ordinals = load_yaml("labels.yml")["ordinals"] if list_shown else {}
        chosen = pick(offered.candidates, words, ordinals)
        if chosen is None and list_shown and confirmed and len(offered.candidates) == 1:
            chosen = offered.candidates[0]
        if chosen is not None:
            return found(chosen)
    return replace(offered, unknown_order_id=order_id or None, problem=problem)


def _candidates(orders: list[OrderFacts], problem: str | None, platform: str | None) -> Assessment:
    """The buyer's orders that fit ``problem``, best first, as an assessment to choose from."""
    if not orders:
        return Assessment(Lookup.NO_ORDERS)
    candidates = rank(orders, problem_criteria(problem))
    # A buyer who named a platform means an order there, when they have a fitting one.
    candidates = [o for o in candidates if o.platform == platform] or candidates
    if not candidates:
        return Assessment(Lookup.NO_MATCH, candidates=tuple(orders[:3]))
    # Even a single candidate is confirmed by the buyer before anything is decided on it.
    return Assessment(Lookup.CHOOSE, candidates=tuple(candidates[:5]))


def new_intervention_number(now: datetime) -> str:
    """A number the buyer can quote: JR + local date + 6 random digits."""
    return f"JR{now:%Y%m%d}{secrets.randbelow(10**6):06d}"


def file_intervention(
    *,
    buyer_id: str,
    order_id: str,
    problem: str,
    description: str,
    evidence: list[tuple[str, str]],
) -> Filing:
    """File an intervention on the buyer's order if the engine says it is eligible now.

    One transaction: the intervention, the service-order lock, evidence and audit rows,
    the cancellation of the buyer's pending reminders for that service order, or nothing.
    A second request for the same service order returns the open one.
    Raises ``OrderNotFound`` when the order is not the buyer's.
    """
    now = config.now()
    with transaction() as session:
        row = repository.get_order(session, buyer_id=buyer_id, order_id=order_id)
        if row is None:
            raise OrderNotFound(order_id)
        order = repository.to_facts(row)
        decision = decide(order, now=now)
        if decision.verdict is Verdict.IN_PROGRESS:
            return Filing(False, decision, order, decision.intervention_number, decision.deadlines)
        # An intervention is opened on a service order (服务单): an eligible decision
        # always names one; without it there is nothing to file on.
        if decision.verdict is not Verdict.ELIGIBLE or decision.aftersale_id is None:
            return Filing(False, decision, order)
        policy = load_policy(order.platform)
        deadlines = tuple(intervention_deadlines(policy, now))
        # Deadlines come back labelled for the buyer, in the order of the policy's steps.
        due = {step.key: when for step, (_, when) in zip(policy.steps, deadlines, strict=True)}
        try:
            intervention = repository.open_intervention(
                session,
                aftersale_id=decision.aftersale_id,
                number=new_intervention_number(now),
                problem=problem,
                description=description,
                evidence=evidence,
                opened_at=now,
                evidence_due_at=due.get("evidence_due"),
                decision_due_at=due.get("decision_latest"),
                actor=f"bot:{buyer_id}",
            )
        except repository.AlreadyInIntervention as exc:
            # Lost a race with a concurrent or retried request: that one's intervention stands.
            return Filing(False, decision, order, exc.intervention.number)
        # Filed before a "remind me" came due: that reminder has nothing left to announce.
        cancelled = reminder_store.cancel_for_intervention(
            session,
            buyer_id=buyer_id,
            order_id=order.id,
            aftersale_id=decision.aftersale_id,
            number=intervention.number,
            actor=f"bot:{buyer_id}",
            now=now,
        )
        return Filing(True, decision, order, intervention.number, deadlines, tuple(cancelled))
