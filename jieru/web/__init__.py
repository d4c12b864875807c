"""The project's web service (FastAPI): the widget's files, the demo page, evidence
uploads, and the agent console's HTTP side."""
