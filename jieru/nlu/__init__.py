"""The bot's Chinese NLU: text normalisation and rule-based entity extraction.

The Rasa graph components live in ``jieru.nlu.normalizer`` and ``jieru.nlu.extractor``;
``jieru.nlu.text`` is plain Python, usable without Rasa.
"""
