"""The bot's Chinese NLU: text normalisation, lexicon features and rule-based entities.

The Rasa graph components live in ``jieru.nlu.normalizer``, ``jieru.nlu.featurizer``
and ``jieru.nlu.extractor``; ``jieru.nlu.text`` is plain Python, usable without Rasa.
"""
