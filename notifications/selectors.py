"""Reads other parts of the site show: what waits for a user's attention."""

from django.utils import timezone

from .models import Alert


def alerts_needing_attention_count(*, user) -> int:
    """Open, unsnoozed alerts the user's role sees (what the badge counts)."""
    return Alert.objects.for_user(user).needing_attention(timezone.now()).count()
