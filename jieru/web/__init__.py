"""The project's web service (FastAPI): the widget's and the agent console's HTTP side."""
