"""Web tests reuse the services' database (``agents_db``) and the fake Rasa API."""
from tests.fake_rasa import fake_rasa  # noqa: F401  (fixtures)
from tests.services.conftest import agents_db  # noqa: F401
