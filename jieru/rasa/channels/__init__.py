"""Input channels of the Rasa server: ``app.AppInput`` (authenticated) and ``local.LocalRestInput``.

Who the buyer of a conversation is (read by the action server too) lives in ``jieru.identity``.
"""
