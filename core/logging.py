"""Logging filters: a refusal is an answer, not an error."""

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    """Keep the one-line "Forbidden (Permission denied): /path" warning of a
    403 but drop its traceback: a staff member opening a manager's page is
    not a fault, and a traceback per refusal buries the real ones."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
