import pytest
import yaml

from jieru.config import PROJECT_ROOT
from jieru.kb.lexicon import (
    CANONICAL_VALUES,
    USERDICT_NAME,
    find_order_ids,
    load_lexicon,
    parse_lexicon,
    userdict_lines,
    write_userdict,
)
from jieru.text import normalize
from tests.fixtures import NLU_CONTRACT

pytestmark = pytest.mark.rasa


def entities(text):
    found = load_lexicon().find_entities(normalize(text))
    return [(m.entity, m.value, text[m.start : m.end]) for m in found]


@pytest.mark.parametrize(
    ("text", "value", "span"),
    [
        ("京东买的", "jd", "京东"),
        ("京東買的", "jd", "京東"),
        ("狗东的第三方", "jd", "狗东"),
        ("在JD下单", "jd", "JD"),
        ("ｊｄ上买的", "jd", "ｊｄ"),
        ("淘宝买的", "taobao", "淘宝"),
        ("淘寶買的", "taobao", "淘寶"),
        ("某宝上", "taobao", "某宝"),
        ("tb的店", "taobao", "tb"),
        ("TB的店", "taobao", "TB"),
        ("天猫旗舰店", "tmall", "天猫"),
        ("天貓", "tmall", "天貓"),
        ("猫超买的", "tmall", "猫超"),
        ("拼多多砍价", "pdd", "拼多多"),
        ("PDD的货", "pdd", "PDD"),
        ("夕夕上买的", "pdd", "夕夕"),
        ("多多买菜", "pdd", "多多"),
        ("闲鱼卖家", "xianyu", "闲鱼"),
        ("閒魚賣家", "xianyu", "閒魚"),
        ("咸鱼上淘的", "xianyu", "咸鱼"),
    ],
)
def test_platform_forms_map_to_canonical_values(text, value, span):
    assert ("platform", value, span) in entities(text)


def test_longest_form_wins():
    assert entities("申请退货退款") == [("aftersale_type", "return_refund", "退货退款")]
    assert entities("只能仅退款吗") == [("aftersale_type", "refund", "仅退款")]
    assert entities("換貨寄回") == [("aftersale_type", "exchange", "換貨")]
    assert entities("天猫超市的单") == [("platform", "tmall", "天猫超市")]


def test_goods_types():
    assert entities("话费充值没到") == [
        ("goods_type", "virtual", "话费"),
        ("goods_type", "virtual", "充值"),
    ]
    assert entities("是实物商品") == [("goods_type", "physical", "实物商品")]


def test_phrases_that_only_contain_a_form_are_not_entities():
    assert entities("多多少少有影响") == []
    assert entities("ptb and jdk") == []  # Latin forms stand as whole words only


@pytest.mark.parametrize(
    ("text", "digits", "span"),
    [
        ("订单号250312345678", "250312345678", "250312345678"),
        ("单号 2503 1234 5678 卖家不发货", "250312345678", "2503 1234 5678"),
        ("订单 3901-1223-3445-5", "3901122334455", "3901-1223-3445-5"),
        ("拼多多订单号 230818-36425984085 没发货", "23081836425984085", "230818-36425984085"),
        ("訂單號２５０３１２３４５６７８", "250312345678", "２５０３１２３４５６７８"),
        ("订单号13812345678", "13812345678", "13812345678"),
    ],
)
def test_order_ids(text, digits, span):
    found = find_order_ids(normalize(text))
    assert [(m.value, text[m.start : m.end]) for m in found] == [(digits, span)]


@pytest.mark.parametrize(
    "text",
    [
        "我手机13812345678",  # a mobile number, no order cue
        "验证码 123456",  # too short
        "单号1234567",
        "金额 123456789012345678901 分",  # 21 digits: part of a longer run
        "快递单号SF1234567890",  # glued to Latin letters: a waybill, not an order
        "我2025-03-12下的单",  # a date
    ],
)
def test_not_order_ids(text):
    assert find_order_ids(normalize(text)) == []


def test_lexicon_covers_every_canonical_value_of_the_contract():
    contract = yaml.safe_load(NLU_CONTRACT.read_text(encoding="utf-8"))["entities"]
    for entity, values in CANONICAL_VALUES.items():
        for value in values:
            assert value in contract[entity]
    found = {(e, v) for e, v in load_lexicon().forms.values() if v}
    assert found == {(e, v) for e, values in CANONICAL_VALUES.items() for v in values}


def test_training_data_annotates_exactly_what_the_lexicon_finds():
    # The extractor applies kb/lexicon.yml; a pipeline that learns entities from the
    # annotations (the stock baseline in bench/nlu) must see the same convention.
    from rasa.shared.nlu.training_data.loading import load_data

    lexicon = load_lexicon()
    disagreements = []
    for message in load_data(str(PROJECT_ROOT / "bot/data/nlu")).intent_examples:
        text = message.get("text")
        annotated = {
            (e["entity"], e["value"], e["start"], e["end"]) for e in message.get("entities", [])
        }
        found = {(m.entity, m.value, m.start, m.end) for m in lexicon.find_all(normalize(text))}
        if annotated != found:
            disagreements.append((text, sorted(found - annotated), sorted(annotated - found)))
    assert disagreements == []


def test_a_bad_lexicon_is_refused_with_its_problems():
    with pytest.raises(ValueError, match="platform: no forms for.*'xianyu'.*'amazon' is not"):
        parse_lexicon(
            {
                "entities": {
                    "platform": {
                        "jd": ["京东"],
                        "taobao": ["淘宝"],
                        "tmall": ["天猫"],
                        "pdd": ["拼多多"],
                        "amazon": ["亚马逊"],
                    }
                }
            }
        )


def test_userdict_is_generated_from_kb_and_committed_as_generated(tmp_path):
    path = write_userdict(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == userdict_lines(load_lexicon())
    assert {"服务单 50000", "退款被拒绝 50000", "狗东 50000"} <= set(lines)
    committed = PROJECT_ROOT / "bot/dicts" / USERDICT_NAME
    assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
