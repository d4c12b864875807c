"""Alembic migrations for the order database (run them with ``jieru db upgrade``)."""
