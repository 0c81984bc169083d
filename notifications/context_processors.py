"""Template context every page gets from notifications."""

from core.roles import OPERATE_STOCK

from .selectors import alerts_needing_attention_count


def alerts_badge(request) -> dict:
    """The number of alerts waiting for this user's role (`open_alert_count`),
    for staff and managers; nothing for anyone else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm(OPERATE_STOCK):
        return {}
    return {"open_alert_count": alerts_needing_attention_count(user=user)}
