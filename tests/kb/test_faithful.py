"""What the kb says stays within what its sources say (issue 11).

- every number, duration and platform name in a fact's text is in its quotes (or, for
  the platform's own name, implied by citing that platform's seed);
- nothing cites a seed of another platform, in faq/ or in policies/;
- every app screen named to the buyer (「…」) is named by a source of that platform;
- a rule without a source only says it does not know, or restates the order's own data.
"""

from __future__ import annotations

import re
from pathlib import Path

import opencc
import pytest

from jieru.config import PLATFORMS
from jieru.kb import faq, load_yaml
from jieru.kb.policy import load_policy
from jieru.rules.facts import Verdict

_t2s = opencc.OpenCC("t2s")
# The seed pages carry pinyin glosses after some characters, e.g. "发(fā)货".
_GLOSS = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
# A number with what it counts; "第1步" is our own step numbering, not a claim.
_NUMBER = re.compile(r"(?<!第)(\d+)(?![\d步])")
_UNIT = re.compile(r"(\d+)(?:[–-]\d+)?\s*个?(小时|工作日|天|笔|年)")
_SCREEN = re.compile(r"「([^」{}]+)」")  # not a template field such as 「{aftersale_status}」


def plain(text: str) -> str:
    return re.sub(r"[\s“”\"'【】「」]", "", _GLOSS.sub("", _t2s.convert(text)))


def seeds() -> dict[str, dict]:
    return load_yaml("sources.yml")["seeds"]


def all_facts() -> list[tuple[str, str, dict]]:
    return [
        (platform, key, fact)
        for platform in PLATFORMS
        for key, entry in faq.platform_faq(platform)["faq"].items()
        for fact in entry.get("facts", ())
    ]


def quotes_of(fact: dict) -> str:
    return " ".join(plain(s["quote"]) for s in fact["sources"] if "seed" in s)


FACTS = all_facts()
IDS = [f"{p}:{f['id']}" for p, _, f in FACTS]


def test_fact_ids_are_unique_and_carry_their_platform() -> None:
    by_id: dict[str, dict] = {}
    for platform, _, fact in FACTS:
        assert fact["id"].startswith(f"{platform}."), fact["id"]
        assert by_id.setdefault(fact["id"], fact) is fact or by_id[fact["id"]] == fact, fact["id"]


@pytest.mark.parametrize("platform, key, fact", FACTS, ids=IDS)
def test_every_number_and_duration_of_a_fact_is_in_its_quotes(platform, key, fact) -> None:
    text, quoted = plain(fact["text"]), quotes_of(fact)
    missing = [n for n in _NUMBER.findall(text) if n not in quoted]
    for number, unit in _UNIT.findall(text):
        if not re.search(rf"{number}[^，。,;；]{{0,6}}{unit}", quoted):
            missing.append(f"{number}{unit}")
    if fact.get("suggestion"):
        # The bot's own rule of thumb: allowed only when the text says so to the buyer.
        assert "我的建议" in fact["text"] and "不是" in fact["text"], fact["id"]
        return
    assert missing == [], f"{fact['id']}: {missing} not in its quotes"


@pytest.mark.parametrize("platform, key, fact", FACTS, ids=IDS)
def test_a_fact_names_no_platform_its_quotes_do_not(platform, key, fact) -> None:
    names = {p: faq.platform_name(p) for p in PLATFORMS}
    quoted = quotes_of(fact)
    for other, name in names.items():
        if name in fact["text"] and other != platform:
            assert plain(name) in quoted, f"{fact['id']} names {name}"


def _cites_own_platform(platform: str, seed: str, quote: str) -> str | None:
    """Why this citation is another platform's, or None when it is the platform's own."""
    listed = seeds()[seed]["platforms"]
    if platform not in listed:
        return f"{seed} covers {listed}"
    # A seed about several platforms (an article with summaries of others): a quote from
    # it is another platform's unless it names this one, or this is the article's own.
    if platform != listed[0] and plain(faq.platform_name(platform)) not in plain(quote):
        return f"{seed} is about {listed[0]}; the quote does not name {platform}"
    return None


def test_no_fact_cites_a_seed_of_another_platform() -> None:
    wrong = []
    for platform, _, fact in FACTS:
        by_seed: dict[str, str] = {}
        for s in fact["sources"]:
            if "seed" in s:
                by_seed[s["seed"]] = by_seed.get(s["seed"], "") + s["quote"]
        # The quotes a fact takes from one seed, together, must be this platform's.
        wrong += [
            f"{fact['id']}: {why}"
            for seed, quotes in by_seed.items()
            if (why := _cites_own_platform(platform, seed, quotes))
        ]
    assert wrong == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_no_policy_cites_a_seed_of_another_platform(platform: str) -> None:
    policy = load_policy(platform)
    wrong = [
        f"{where}: {why}"
        for where, source in policy.sources()
        if source.seed and (why := _cites_own_platform(platform, source.seed, source.quote or ""))
    ]
    assert wrong == []


def test_the_cross_platform_check_bites() -> None:
    assert _cites_own_platform(
        "tmall", "taobao-seller-refuses-refund.txt", "首先应该和卖家进行协商"
    )
    assert _cites_own_platform("pdd", "taobao-intervention-vs-complaint.txt", "平台介入是指")
    assert not _cites_own_platform(
        "pdd", "taobao-intervention-vs-complaint.txt", "在拼多多平台中,如果商家和消费者之间产生纠纷"
    )


def _platform_seed_text(platform: str, seeds_dir: Path) -> str:
    return "".join(
        plain((seeds_dir / name).read_text(encoding="utf-8"))
        for name, meta in seeds().items()
        if platform in meta["platforms"]
    )


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_screen_named_to_the_buyer_is_named_by_that_platforms_sources(
    platform: str, seeds_dir: Path
) -> None:
    policy = load_policy(platform)
    texts = [f["text"] for p, _, f in FACTS if p == platform]
    for rule in policy.rules():
        texts += [rule.explanation, rule.waiting or "", *rule.alternatives]
    sources = _platform_seed_text(platform, seeds_dir)
    invented = sorted({s for t in texts for s in _SCREEN.findall(t) if plain(s) not in sources})
    assert invented == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_rule_without_a_source_only_says_it_does_not_know(platform: str) -> None:
    for rule in load_policy(platform).rules():
        if rule.source.unsourced:
            assert rule.verdict in (Verdict.UNKNOWN, Verdict.IN_PROGRESS), rule.id


@pytest.mark.parametrize("platform", ["tmall", "pdd", "xianyu"])
def test_platforms_beyond_the_seeds_never_turn_a_buyer_away(platform: str) -> None:
    # No source covers their conditions: no rule may answer a confident "not applicable".
    assert [
        r.id for r in load_policy(platform).rules() if r.verdict is Verdict.NOT_APPLICABLE
    ] == []


def test_merchant_advice_is_not_told_to_buyers() -> None:
    said = [f["text"] for _, _, f in FACTS]
    for platform in PLATFORMS:
        for rule in load_policy(platform).rules():
            said += [rule.explanation, rule.waiting or "", *rule.alternatives]
    # "请不要经常介入" / "不要任何问题都申请" are written to merchants.
    assert [t for t in said if "不要经常" in t or "不要重复申请" in t or "请不要重复" in t] == []
