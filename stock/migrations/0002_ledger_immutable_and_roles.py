"""The ledger refuses UPDATE and DELETE in the database itself; the roles exist."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION stock_movement_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'stock movements are immutable (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER stock_movement_no_update BEFORE UPDATE OR DELETE ON stock_stockmovement
    FOR EACH ROW EXECUTE FUNCTION stock_movement_immutable();
CREATE TRIGGER stock_movement_no_truncate BEFORE TRUNCATE ON stock_stockmovement
    FOR EACH STATEMENT EXECUTE FUNCTION stock_movement_immutable();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS stock_movement_no_update ON stock_stockmovement;
DROP TRIGGER IF EXISTS stock_movement_no_truncate ON stock_stockmovement;
DROP FUNCTION IF EXISTS stock_movement_immutable();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER stock_movement_no_update BEFORE UPDATE ON stock_stockmovement
    BEGIN SELECT RAISE(ABORT, 'stock movements are immutable (UPDATE refused)'); END;""",
    """CREATE TRIGGER stock_movement_no_delete BEFORE DELETE ON stock_stockmovement
    BEGIN SELECT RAISE(ABORT, 'stock movements are immutable (DELETE refused)'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS stock_movement_no_update;",
    "DROP TRIGGER IF EXISTS stock_movement_no_delete;",
]

ROLES = {
    "warehouse_staff": ["stock.operate_stock"],
    "manager": ["stock.operate_stock", "stock.manage_stock"],
}


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("stock", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(add_triggers, drop_triggers),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
