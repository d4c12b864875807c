"""The order database: models, sessions, migrations and the repository the services call."""
