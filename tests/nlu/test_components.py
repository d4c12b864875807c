"""The Rasa graph components of jieru.rasa.nlu, run the way the pipeline in bot/config.yml runs them."""

import pytest

pytest.importorskip("rasa")

from rasa.engine.graph import ExecutionContext  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402
from rasa.shared.utils.io import read_yaml_file  # noqa: E402

from jieru.config import PROJECT_ROOT  # noqa: E402
from jieru.rasa.nlu.extractor import LexiconEntityExtractor  # noqa: E402
from jieru.rasa.nlu.featurizer import COLUMNS, LexiconFeaturizer  # noqa: E402
from jieru.rasa.nlu.normalizer import ChineseNormalizer  # noqa: E402

pytestmark = pytest.mark.rasa


@pytest.fixture
def context():
    return ExecutionContext(graph_schema=None, model_id="test")


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def component_config(class_name):
    pipeline = read_yaml_file(PROJECT_ROOT / "bot/config.yml")["pipeline"]
    return next(c for c in pipeline if c["name"].endswith(class_name))


def parse(text, storage, context):
    normalizer = ChineseNormalizer.create({}, storage, Resource("n"), context)
    extractor = LexiconEntityExtractor.create({}, storage, Resource("e"), context)
    message = Message.build(text=text)
    return extractor.process(normalizer.process([message]))[0]


def test_normalizer_simplifies_text_and_keeps_the_original(storage, context):
    message = parse("京東賣家拒絕退款", storage, context)
    assert message.get("text") == "京东卖家拒绝退款"
    assert message.get("text_original") == "京東賣家拒絕退款"
    assert "text_original" in message.as_dict(only_output_properties=True)


def test_normalizer_rewrites_training_examples(storage, context):
    normalizer = ChineseNormalizer.create({}, storage, Resource("n"), context)
    data = TrainingData([Message.build(text="閒魚退貨", intent="report_bad_item")])
    assert normalizer.process_training_data(data).training_examples[0].get("text") == "闲鱼退货"


def test_extractor_gives_canonical_values_at_original_offsets(storage, context):
    text = "在狗東買的，訂單號 ２５０３ １２３４ ５６７８，賣家拒絕退貨退款"
    message = parse(text, storage, context)
    got = [(e["entity"], e["value"], text[e["start"] : e["end"]]) for e in message.get("entities")]
    assert got == [
        ("platform", "jd", "狗東"),
        ("order_id", "250312345678", "２５０３ １２３４ ５６７８"),
        ("aftersale_type", "return_refund", "退貨退款"),
    ]
    assert {e["extractor"] for e in message.get("entities")} == {"LexiconEntityExtractor"}


def test_phone_number_is_not_an_order_id(storage, context):
    message = parse("我电话13812345678，验证码654321", storage, context)
    assert message.get("entities") == []


def test_tokenizer_loads_the_generated_user_dictionary(storage, context, monkeypatch):
    config = {**JiebaTokenizer.get_default_config(), **component_config("JiebaTokenizer")}
    assert (PROJECT_ROOT / config["dictionary_path"]).resolve() == PROJECT_ROOT / "bot/dicts"
    monkeypatch.chdir(PROJECT_ROOT)  # the path is relative to the project, as rasa train runs
    tokenizer = JiebaTokenizer.create(config, storage, Resource("t"), context)
    message = parse("我的退款被拒绝了,服务单也锁定了", storage, context)
    words = [t.text for t in tokenizer.tokenize(message, "text")]
    assert "退款被拒绝" in words and "服务单" in words


def test_featurizer_marks_entity_tokens_by_type_and_value(storage, context, monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)
    config = {**JiebaTokenizer.get_default_config(), **component_config("JiebaTokenizer")}
    tokenizer = JiebaTokenizer.create(config, storage, Resource("t"), context)
    featurizer = LexiconFeaturizer.create(
        LexiconFeaturizer.get_default_config(),
        storage,
        Resource("f"),
        ExecutionContext(None, node_name="lex"),
    )
    nickname, bare = (
        parse(t, storage, context) for t in ("狗东不给退款", "２５０３１２３４５６７８")
    )
    tokenizer.process([nickname, bare])
    featurizer.process([nickname, bare])

    def marked(message):
        sequence, sentence = message.get_sparse_features("text")
        rows = sequence.features.toarray()
        return (
            {
                t.text: {COLUMNS[i] for i in row.nonzero()[0]}
                for t, row in zip(message.get("text_tokens"), rows, strict=True)
            },
            {COLUMNS[i] for i in sentence.features.toarray()[0].nonzero()[0]},
        )

    tokens, sentence = marked(nickname)
    assert tokens["狗东"] == {"platform", "platform:jd"}
    assert tokens["退款"] == {"aftersale_type", "aftersale_type:refund"}
    assert sentence == {"platform", "platform:jd", "aftersale_type", "aftersale_type:refund"}
    assert marked(bare)[1] == {"order_id"}
