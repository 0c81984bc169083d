"""Return pages: the review queue, one return, opening one, the approval rule
and the classifier's versions."""

from .classifier import approval_rule_edit, classifier_versions
from .detail import (
    return_detail,
    return_receive_submit,
    return_reject_submit,
    return_resolve_submit,
    return_review_submit,
)
from .intake import return_open
from .queue import return_queue

__all__ = [
    "approval_rule_edit",
    "classifier_versions",
    "return_detail",
    "return_open",
    "return_queue",
    "return_receive_submit",
    "return_reject_submit",
    "return_resolve_submit",
    "return_review_submit",
]
