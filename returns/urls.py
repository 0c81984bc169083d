from django.urls import path

from . import views

urlpatterns = [
    path("returns/", views.return_queue, name="return-queue"),
    path("returns/rule/", views.approval_rule_edit, name="return-rule"),
    path("returns/models/", views.classifier_versions, name="return-models"),
    path("returns/new/", views.return_open, name="return-open"),
    path("returns/<int:pk>/", views.return_detail, name="return-detail"),
    path("returns/<int:pk>/review/", views.return_review_submit, name="return-review"),
    path(
        "returns/<int:pk>/receive/",
        views.return_receive_submit,
        name="return-receive",
    ),
    path(
        "returns/<int:pk>/resolve/",
        views.return_resolve_submit,
        name="return-resolve",
    ),
    path("returns/<int:pk>/reject/", views.return_reject_submit, name="return-reject"),
]
