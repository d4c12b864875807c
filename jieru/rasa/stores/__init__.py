"""Rasa-side conversation stores (the Rasa environment only)."""
