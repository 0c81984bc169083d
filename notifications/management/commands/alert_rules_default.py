"""Give a database with no alert rules the default ones, then check the stock
against them (`make demo` runs it after seed_demo)."""

from django.core.management.base import BaseCommand

from notifications.models import Alert
from notifications.services.defaults import alert_rules_default_create
from notifications.services.evaluation import alerts_evaluate_all


class Command(BaseCommand):
    help = (
        "Create the default alert rules (stock-out, overstock by days of cover, "
        "count variance) when there is no rule yet, and evaluate every product "
        "x warehouse against the rules."
    )

    def handle(self, *args, **options):
        created = alert_rules_default_create()
        pairs = alerts_evaluate_all()
        open_alerts = Alert.objects.active().count()
        self.stdout.write(
            f"Alert rules: {len(created)} created. Evaluated {pairs} product x "
            f"warehouse pairs: {open_alerts} alerts open."
        )
