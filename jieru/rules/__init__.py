"""Pure business rules: no database, no Rasa, no clock of their own."""
