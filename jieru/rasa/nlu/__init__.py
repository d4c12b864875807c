"""The bot's Chinese NLU components: text normalisation, lexicon features and rule-based entities.

The Rasa graph components live in ``jieru.rasa.nlu.normalizer``, ``jieru.rasa.nlu.featurizer``
and ``jieru.rasa.nlu.extractor``; the text functions they use are plain Python, in ``jieru.text``.
"""
