"""Rasa dialogue policies of jieru (bot/config.yml ``policies``)."""
