"""Every model of ours is in the admin (its own page, or inline on its parent's),
and every admin list opens."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

OUR_APPS = ("catalog", "stock", "forecasting", "returns")


def our_models():
    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models():
            if not model.__name__.startswith("Historical"):
                yield model


def inline_models():
    return {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }


@pytest.mark.parametrize("model", list(our_models()), ids=lambda m: m.__name__)
def test_model_is_in_the_admin_and_its_list_opens(client, admin_user, model):
    if not admin.site.is_registered(model):
        assert model in inline_models(), f"{model.__name__} has no admin"
        return
    client.force_login(admin_user)
    meta = model._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    assert client.get(url).status_code == 200
