"""jieru (介入助手): service layer, data layer and business rules behind the Rasa bot."""
