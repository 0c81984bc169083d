"""Alerts and webhooks now belong to the notifications app.

State only: the tables (stock_alert, stock_alertrule, stock_webhookdelivery and
the rest) stay where they are, with every row; notifications 0001 takes the
models over under the same table names (Meta.db_table) and re-points their
content types, so permissions and admin log entries follow them.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('stock', '0008_place_stock_in_locations'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='alertrule',
                    name='category',
                ),
                migrations.RemoveField(
                    model_name='alertrule',
                    name='location',
                ),
                migrations.RemoveField(
                    model_name='alertrule',
                    name='product',
                ),
                migrations.RemoveField(
                    model_name='alertrule',
                    name='warehouse',
                ),
                migrations.RemoveField(
                    model_name='alertsubscription',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='historicalalertrule',
                    name='category',
                ),
                migrations.RemoveField(
                    model_name='historicalalertrule',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalalertrule',
                    name='location',
                ),
                migrations.RemoveField(
                    model_name='historicalalertrule',
                    name='product',
                ),
                migrations.RemoveField(
                    model_name='historicalalertrule',
                    name='warehouse',
                ),
                migrations.RemoveField(
                    model_name='webhookattempt',
                    name='delivery',
                ),
                migrations.RemoveField(
                    model_name='webhookdelivery',
                    name='endpoint',
                ),
                migrations.RemoveField(
                    model_name='webhookdelivery',
                    name='event',
                ),
                migrations.RemoveField(
                    model_name='webhookendpoint',
                    name='shop',
                ),
                migrations.DeleteModel(
                    name='Alert',
                ),
                migrations.DeleteModel(
                    name='AlertRule',
                ),
                migrations.DeleteModel(
                    name='AlertSubscription',
                ),
                migrations.DeleteModel(
                    name='HistoricalAlertRule',
                ),
                migrations.DeleteModel(
                    name='WebhookAttempt',
                ),
                migrations.DeleteModel(
                    name='WebhookDelivery',
                ),
                migrations.DeleteModel(
                    name='WebhookEvent',
                ),
                migrations.DeleteModel(
                    name='WebhookEndpoint',
                ),
            ],
            database_operations=[],
        ),
    ]
