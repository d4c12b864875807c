"""Custom actions of the jieru bot: thin wrappers that read slots, call
``jieru.services`` and speak through responses in the domain or text from kb/."""
