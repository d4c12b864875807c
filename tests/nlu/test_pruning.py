import pytest

pytest.importorskip("rasa")
import numpy as np  # noqa: E402
import scipy.sparse  # noqa: E402
from rasa.shared.nlu.training_data.features import Features  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402
from rasa.shared.utils.io import read_yaml_file  # noqa: E402

from jieru.config import PROJECT_ROOT  # noqa: E402
from jieru.rasa.nlu.pruning import ResponseTextPruner, TokenFeaturePruner  # noqa: E402

pytestmark = pytest.mark.rasa


def test_faq_examples_lose_the_answer_text_and_keep_their_key() -> None:
    faq = Message(
        data={
            "text": "要什么证据",
            "intent": "faq",
            "intent_response_key": "faq/evidence",
            "response": "聊天记录、照片……",
        }
    )
    report = Message(data={"text": "卖家不发货", "intent": "report_not_shipped"})
    ResponseTextPruner({}).process_training_data(TrainingData([faq, report]))
    assert faq.data == {
        "text": "要什么证据",
        "intent": "faq",
        "intent_response_key": "faq/evidence",
    }
    assert report.data == {"text": "卖家不发货", "intent": "report_not_shipped"}


def features(kind: str, origin: str) -> Features:
    rows = 3 if kind == "sequence" else 1
    return Features(scipy.sparse.coo_matrix(np.ones((rows, 2))), kind, "text", origin)


def test_named_featurizers_keep_only_their_sentence_features() -> None:
    message = Message(data={"text": "卖家不发货"})
    message.features = [
        features("sequence", "char_ngrams"),
        features("sentence", "char_ngrams"),
        features("sequence", "lexicon"),
        features("sentence", "lexicon"),
    ]
    (out,) = TokenFeaturePruner({"featurizers": ["char_ngrams"]}).process([message])
    assert [(f.type, f.origin) for f in out.features] == [
        ("sentence", "char_ngrams"),
        ("sequence", "lexicon"),
        ("sentence", "lexicon"),
    ]


def test_training_examples_are_pruned_as_parsed_messages_are() -> None:
    example = Message(data={"text": "卖家不发货", "intent": "report_not_shipped"})
    example.features = [features("sequence", "words"), features("sentence", "words")]
    TokenFeaturePruner({"featurizers": ["words"]}).process_training_data(TrainingData([example]))
    assert [f.type for f in example.features] == ["sentence"]


def test_the_pipeline_prunes_only_what_its_classifiers_never_read() -> None:
    # Token features reach a label only through transformer layers (or as entity tags):
    # pruning them is safe only while every classifier has neither.
    pipeline = read_yaml_file(PROJECT_ROOT / "bot/config.yml")["pipeline"]
    names = [c["name"] for c in pipeline]
    assert "jieru.rasa.nlu.pruning.TokenFeaturePruner" in names
    classifiers = [c for c in pipeline if c["name"] in ("DIETClassifier", "ResponseSelector")]
    assert len(classifiers) == 2
    for classifier in classifiers:
        assert classifier.get("number_of_transformer_layers") == 0
        assert not classifier.get("use_masked_language_model")
    diet = next(c for c in classifiers if c["name"] == "DIETClassifier")
    assert diet.get("entity_recognition") is False
    pruner = next(c for c in pipeline if c["name"].endswith("TokenFeaturePruner"))
    aliases = [c.get("alias") for c in pipeline if c["name"] == "CountVectorsFeaturizer"]
    assert sorted(pruner["featurizers"]) == sorted(aliases)
    # The lexicon's token features are left for the classifiers' sequence layer.
    assert names.index("jieru.rasa.nlu.featurizer.LexiconFeaturizer") < names.index(pruner["name"])
