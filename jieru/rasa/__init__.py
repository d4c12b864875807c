"""Plugins the Rasa server loads: NLU components, input channels, the tracker store.

Runs in the Rasa environment (SQLAlchemy 1.4), so nothing here imports the data layer,
the services or the web service; ``lint-imports`` (pyproject.toml) enforces it.
"""
