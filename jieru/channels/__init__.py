"""Input channels of the Rasa server (``app.AppInput`` needs Rasa; ``identity`` does not)."""

from jieru.channels.identity import APP_CHANNEL, BUYER_METADATA_KEY, buyer_from_tracker_metadata

__all__ = ["APP_CHANNEL", "BUYER_METADATA_KEY", "buyer_from_tracker_metadata"]
