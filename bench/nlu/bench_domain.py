"""A throw-away domain for training the NLU alone: the contract's intents and entities.

The bench trains on this rather than on domain.yml so that NLU figures do not move
when the dialogue side changes.
"""

from __future__ import annotations

from pathlib import Path

import yaml

# The copy of shared/nlu-contract.yml the tests use (tests/test_fixtures.py keeps it in step).
CONTRACT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "nlu-contract.yml"


def write_domain(path: Path, nlu_dir: Path, contract: Path = CONTRACT) -> Path:
    """Write a domain with every contract intent/entity, every intent of the training
    data in ``nlu_dir`` (extensions such as ``stop``) and a ``utter_faq/<key>`` each."""
    spec = yaml.safe_load(contract.read_text(encoding="utf-8"))
    labels = list(spec["intents"])
    for data_file in sorted(nlu_dir.glob("*.yml")):
        blocks = yaml.safe_load(data_file.read_text(encoding="utf-8")).get("nlu", [])
        labels += [b["intent"] for b in blocks if "intent" in b and b["intent"] not in labels]
    intents = list(dict.fromkeys(label.split("/")[0] for label in labels))
    responses = {
        f"utter_{label}": [{"text": f"（{label} 的回答）"}] for label in labels if "/" in label
    }
    domain = {
        "version": "3.1",
        "intents": intents,
        "entities": list(spec["entities"]),
        "responses": responses,
    }
    path.write_text(yaml.safe_dump(domain, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
