"""Format overrides per language, on top of Django's own (FORMAT_MODULE_PATH)."""
