"""kb/policies: every file loads, every rule cites a real sentence, bad files fail loudly."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import opencc
import pytest
import yaml

from jieru.kb.policy import SCHEMA_PATH, PolicyError, load_policy
from jieru.rules.eligibility import _CONDITIONS
from tests.fixtures import SEEDS

from .factories import KB, PLATFORMS

_t2s = opencc.OpenCC("t2s")
# The seed pages carry pinyin glosses after some characters, e.g. "发(fā)货".
_GLOSS = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", _GLOSS.sub("", _t2s.convert(text))).strip()


def all_sources(policies):
    return [(rule_id, source) for p in policies.values() for rule_id, source in p.sources()]


def test_every_platform_has_a_policy(policies) -> None:
    assert set(policies) == set(PLATFORMS)
    for platform, policy in policies.items():
        assert policy.platform == platform and policy.name


def test_every_rule_cites_a_sentence_that_is_in_its_seed(policies) -> None:
    missing = []
    for rule_id, source in all_sources(policies):
        if source.rule is not None:
            assert source.rule.strip(), rule_id  # a named published rule
            continue
        if source.unsourced is not None:
            assert source.unsourced.strip(), rule_id  # says why no source covers it
            continue
        seed = SEEDS / source.seed
        assert seed.is_file(), f"{rule_id}: no seed {source.seed}"
        if normalise(source.quote) not in normalise(seed.read_text(encoding="utf-8")):
            missing.append(f"{rule_id}: {source.quote}")
    assert missing == []


def test_the_quote_check_is_not_vacuous() -> None:
    seed = normalise((SEEDS / "taobao-seller-refuses-refund.txt").read_text(encoding="utf-8"))
    assert normalise("如果是虚拟商品,那么需要同时满足申请退款3天后的条件") in seed
    assert normalise("如果是虚拟商品,那么需要同时满足申请退款5天后的条件") not in seed


def test_rule_ids_are_unique_across_platforms(policies) -> None:
    ids = [rule.id for p in policies.values() for rule in p.rules()]
    assert len(ids) == len(set(ids))


def test_schema_conditions_are_exactly_the_engines() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert set(schema["$defs"]["when"]["properties"]) == set(_CONDITIONS)


def test_thresholds_come_from_the_files(policies) -> None:
    waits = {rule.id: rule.wait for p in policies.values() for rule in p.paths if rule.wait}
    assert waits["jd.negotiation_window"].duration.total_seconds() == 36 * 3600
    assert waits["jd.exchange_not_reshipped"].duration.total_seconds() == 72 * 3600
    assert waits["taobao.virtual_goods"].label == "3 天"


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    shutil.copytree(KB / "policies", tmp_path / "policies")
    shutil.copytree(KB / "calendar", tmp_path / "calendar")
    shutil.copy(KB / "labels.yml", tmp_path / "labels.yml")  # status names and the deadline line
    return tmp_path


def edit(kb: Path, platform: str, change) -> None:
    path = kb / "policies" / f"{platform}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_a_schema_error_names_the_file_and_the_place(kb_copy: Path) -> None:
    edit(kb_copy, "jd", lambda d: d["paths"][0]["wait"].update(hours="seventy-two"))
    with pytest.raises(PolicyError) as err:
        load_policy("jd", kb=kb_copy)
    assert "jd.yml" in str(err.value) and "paths/0/wait/hours" in str(err.value)


def test_an_unknown_condition_is_refused(kb_copy: Path) -> None:
    edit(kb_copy, "taobao", lambda d: d["gates"][0]["when"].update(buyer_is_vip=True))
    with pytest.raises(PolicyError, match=r"gates/0/when"):
        load_policy("taobao", kb=kb_copy)


def test_an_unknown_template_field_is_refused(kb_copy: Path) -> None:
    def change(d):
        d["otherwise"]["explanation"] = "请在 {eligible_from} 后再来"

    edit(kb_copy, "pdd", change)
    with pytest.raises(
        PolicyError, match=r"pdd\.no_rule: explanation: unknown field \{eligible_from\}"
    ):
        load_policy("pdd", kb=kb_copy)


def test_a_step_counted_from_a_later_step_is_refused(kb_copy: Path) -> None:
    edit(
        kb_copy,
        "taobao",
        lambda d: d["intervention"]["steps"][0].update({"from": "decision_latest"}),
    )
    with pytest.raises(PolicyError, match="evidence_due"):
        load_policy("taobao", kb=kb_copy)


def test_a_missing_policy_file_is_refused(kb_copy: Path) -> None:
    (kb_copy / "policies" / "xianyu.yml").unlink()
    with pytest.raises(PolicyError, match="xianyu.yml"):
        load_policy("xianyu", kb=kb_copy)


def test_policies_reload_when_a_file_changes(kb_copy: Path) -> None:
    assert load_policy("jd", kb=kb_copy).name == "京东"
    edit(kb_copy, "jd", lambda d: d.update(name="京东商城"))
    assert load_policy("jd", kb=kb_copy).name == "京东商城"
