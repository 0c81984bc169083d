"""The alert and webhook models, taken over from stock (stock 0009) as they are.

State only: the tables keep their stock_* names and every row. Their content
types move from app label "stock" to "notifications" (same rows, same ids), so
group permissions on these models and admin log entries keep pointing at them.
"""

import django.db.models.deletion
import simple_history.models
import uuid
from django.conf import settings
from django.db import IntegrityError, migrations, models, transaction


MOVED_MODELS = [
    "alert",
    "alertrule",
    "alertsubscription",
    "historicalalertrule",
    "webhookattempt",
    "webhookdelivery",
    "webhookendpoint",
    "webhookevent",
]


def _content_types_move(apps, source: str, target: str) -> None:
    """Re-point the moved models' content types from `source` to `target` (a
    database that never had them has none to move). One that already exists
    under `target` (post_migrate ran with the new code before this migration)
    is left alone, as Django's own content-type rename does."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED_MODELS:
        try:
            with transaction.atomic():
                ContentType.objects.filter(app_label=source, model=model).update(
                    app_label=target
                )
        except IntegrityError:
            pass
    ContentType.objects.clear_cache()


def content_types_to_notifications(apps, schema_editor):
    _content_types_move(apps, "stock", "notifications")


def content_types_to_stock(apps, schema_editor):
    _content_types_move(apps, "notifications", "stock")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('catalog', '0002_historicalcategory_historicalproduct_historicalshop_and_more'),
        ('stock', '0009_alerts_webhooks_to_notifications'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='WebhookDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('pending', 'pending'), ('succeeded', 'succeeded'), ('failed', 'failed')], default='pending', max_length=10)),
                        ('attempts', models.PositiveIntegerField(default=0)),
                        ('next_attempt_at', models.DateTimeField()),
                        ('claimed_until', models.DateTimeField(blank=True, help_text='A worker is sending it until then; after that it is free again.', null=True)),
                        ('queued_until', models.DateTimeField(blank=True, help_text="Its task waits in the broker's queue; the relay leaves it alone until then.", null=True)),
                        ('delivered_at', models.DateTimeField(blank=True, null=True)),
                        ('last_error', models.CharField(blank=True, max_length=500)),
                        ('created_at', models.DateTimeField()),
                    ],
                    options={
                        'verbose_name_plural': 'webhook deliveries',
                        'db_table': 'stock_webhookdelivery',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='WebhookEvent',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('type', models.CharField(choices=[('stock.changed', 'stock.changed'), ('alert.opened', 'alert.opened'), ('alert.resolved', 'alert.resolved'), ('order.created', 'order.created'), ('order.shipped', 'order.shipped'), ('order.cancelled', 'order.cancelled')], max_length=40)),
                        ('payload', models.JSONField()),
                        ('created_at', models.DateTimeField(db_index=True)),
                    ],
                    options={
                        'db_table': 'stock_webhookevent',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='AlertRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120)),
                        ('kind', models.CharField(choices=[('low_stock', 'low stock'), ('overstock', 'overstock'), ('count_variance', 'count variance')], max_length=20)),
                        ('scope', models.CharField(choices=[('all', 'everything'), ('category', 'a category (and its subcategories)'), ('product', 'a product'), ('product_warehouse', 'a product in one warehouse'), ('location', 'a location (count variance only)')], default='all', max_length=20)),
                        ('threshold', models.IntegerField(blank=True, help_text='Low stock: alert when available <= this.', null=True)),
                        ('max_on_hand', models.PositiveIntegerField(blank=True, help_text='Overstock: alert when on hand > this.', null=True)),
                        ('max_days_of_cover', models.PositiveIntegerField(blank=True, help_text='Overstock: alert when on hand lasts longer than this many days at the average daily shipments of the last 28 days.', null=True)),
                        ('variance_percent', models.DecimalField(blank=True, decimal_places=2, help_text='Count variance: alert when a confirmed count differs from the books by more than this percentage.', max_digits=6, null=True)),
                        ('audience', models.CharField(choices=[('staff', 'warehouse staff and managers'), ('managers', 'managers only')], default='staff', max_length=10)),
                        ('is_active', models.BooleanField(default=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('category', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.category')),
                        ('location', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='stock.location')),
                        ('product', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.product')),
                        ('warehouse', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='stock.warehouse')),
                    ],
                    options={
                        'db_table': 'stock_alertrule',
                        'ordering': ['kind', 'name'],
                    },
                ),
                migrations.CreateModel(
                    name='Alert',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('low_stock', 'low stock'), ('overstock', 'overstock'), ('count_variance', 'count variance')], max_length=20)),
                        ('status', models.CharField(choices=[('open', 'open'), ('acknowledged', 'acknowledged'), ('resolved', 'resolved')], default='open', max_length=16)),
                        ('message', models.CharField(max_length=300)),
                        ('value', models.DecimalField(decimal_places=2, help_text='The measured value that fired.', max_digits=14)),
                        ('opened_at', models.DateTimeField()),
                        ('acknowledged_at', models.DateTimeField(blank=True, null=True)),
                        ('snoozed_until', models.DateTimeField(blank=True, null=True)),
                        ('resolved_at', models.DateTimeField(blank=True, null=True)),
                        ('notified_at', models.DateTimeField(blank=True, help_text='When the immediate e-mails went out.', null=True)),
                        ('acknowledged_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.product')),
                        ('warehouse', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='stock.warehouse')),
                        ('rule', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alerts', to='notifications.alertrule')),
                    ],
                    options={
                        'db_table': 'stock_alert',
                        'ordering': ['-opened_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='AlertSubscription',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('mode', models.CharField(choices=[('immediate', 'one e-mail per alert'), ('digest', 'a daily digest')], default='digest', max_length=10)),
                        ('last_digest_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='alert_subscription', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'stock_alertsubscription',
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalAlertRule',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('name', models.CharField(max_length=120)),
                        ('kind', models.CharField(choices=[('low_stock', 'low stock'), ('overstock', 'overstock'), ('count_variance', 'count variance')], max_length=20)),
                        ('scope', models.CharField(choices=[('all', 'everything'), ('category', 'a category (and its subcategories)'), ('product', 'a product'), ('product_warehouse', 'a product in one warehouse'), ('location', 'a location (count variance only)')], default='all', max_length=20)),
                        ('threshold', models.IntegerField(blank=True, help_text='Low stock: alert when available <= this.', null=True)),
                        ('max_on_hand', models.PositiveIntegerField(blank=True, help_text='Overstock: alert when on hand > this.', null=True)),
                        ('max_days_of_cover', models.PositiveIntegerField(blank=True, help_text='Overstock: alert when on hand lasts longer than this many days at the average daily shipments of the last 28 days.', null=True)),
                        ('variance_percent', models.DecimalField(blank=True, decimal_places=2, help_text='Count variance: alert when a confirmed count differs from the books by more than this percentage.', max_digits=6, null=True)),
                        ('audience', models.CharField(choices=[('staff', 'warehouse staff and managers'), ('managers', 'managers only')], default='staff', max_length=10)),
                        ('is_active', models.BooleanField(default=True)),
                        ('created_at', models.DateTimeField(blank=True, editable=False)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('category', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='catalog.category')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('location', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='stock.location')),
                        ('product', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='catalog.product')),
                        ('warehouse', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='stock.warehouse')),
                    ],
                    options={
                        'verbose_name': 'historical alert rule',
                        'verbose_name_plural': 'historical alert rules',
                        'db_table': 'stock_historicalalertrule',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='WebhookAttempt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('attempted_at', models.DateTimeField()),
                        ('status_code', models.PositiveIntegerField(blank=True, null=True)),
                        ('error', models.CharField(blank=True, max_length=500)),
                        ('duration_ms', models.PositiveIntegerField()),
                        ('succeeded', models.BooleanField(default=False)),
                        ('delivery', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempt_log', to='notifications.webhookdelivery')),
                    ],
                    options={
                        'db_table': 'stock_webhookattempt',
                        'ordering': ['attempted_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='WebhookEndpoint',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100)),
                        ('url', models.URLField(max_length=500)),
                        ('events', models.JSONField(default=list, help_text='Event types, e.g. ["stock.changed", "order.*", "alert.*"].')),
                        ('secret', models.CharField(editable=False, max_length=80)),
                        ('is_active', models.BooleanField(default=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('shop', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='webhook_endpoints', to='catalog.shop')),
                    ],
                    options={
                        'db_table': 'stock_webhookendpoint',
                        'ordering': ['name'],
                    },
                ),
                migrations.AddField(
                    model_name='webhookdelivery',
                    name='endpoint',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='notifications.webhookendpoint'),
                ),
                migrations.AddField(
                    model_name='webhookdelivery',
                    name='event',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='notifications.webhookevent'),
                ),
                migrations.AddConstraint(
                    model_name='alertrule',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('category__isnull', True), ('location__isnull', True), ('product__isnull', True), ('scope', 'all'), ('warehouse__isnull', True)), models.Q(('category__isnull', False), ('location__isnull', True), ('product__isnull', True), ('scope', 'category'), ('warehouse__isnull', True)), models.Q(('category__isnull', True), ('location__isnull', True), ('product__isnull', False), ('scope', 'product'), ('warehouse__isnull', True)), models.Q(('category__isnull', True), ('location__isnull', True), ('product__isnull', False), ('scope', 'product_warehouse'), ('warehouse__isnull', False)), models.Q(('category__isnull', True), ('kind', 'count_variance'), ('location__isnull', False), ('product__isnull', True), ('scope', 'location'), ('warehouse__isnull', True)), _connector='OR'), name='alertrule_scope_fields', violation_error_message='Fill exactly the fields the scope needs: a category, a product, a product and a warehouse, or a location (count variance rules only).'),
                ),
                migrations.AddConstraint(
                    model_name='alertrule',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'low_stock'), ('threshold__isnull', False)), models.Q(('kind', 'overstock'), ('max_on_hand__isnull', False)), models.Q(('kind', 'overstock'), ('max_days_of_cover__isnull', False)), models.Q(('kind', 'count_variance'), ('variance_percent__isnull', False)), _connector='OR'), name='alertrule_kind_parameters', violation_error_message='Low stock needs a threshold, overstock a maximum on hand or days of cover, count variance a percentage.'),
                ),
                migrations.AddIndex(
                    model_name='alert',
                    index=models.Index(fields=['status', 'opened_at'], name='stock_alert_status_a5ca9b_idx'),
                ),
                migrations.AddConstraint(
                    model_name='alert',
                    constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['open', 'acknowledged'])), fields=('rule', 'product', 'warehouse'), name='alert_one_active_per_rule_pair'),
                ),
                migrations.AddIndex(
                    model_name='webhookdelivery',
                    index=models.Index(fields=['status', 'next_attempt_at'], name='stock_webho_status_2b201a_idx'),
                ),
                migrations.AddConstraint(
                    model_name='webhookdelivery',
                    constraint=models.UniqueConstraint(fields=('event', 'endpoint'), name='webhookdelivery_unique'),
                ),
                migrations.AddConstraint(
                    model_name='webhookdelivery',
                    constraint=models.CheckConstraint(condition=models.Q(('status', 'succeeded'), ('delivered_at__isnull', True), _connector='OR'), name='webhookdelivery_delivered_only_when_succeeded'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_notifications, content_types_to_stock),
    ]
