"""The project's web service: the widget's files, the demo page, evidence uploads."""
