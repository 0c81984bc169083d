from django.urls import path

from . import views

urlpatterns = [
    path("returns/", views.ReturnListCreateApi.as_view(), name="api-returns"),
    path("returns/<int:pk>/", views.ReturnDetailApi.as_view(), name="api-return"),
    path(
        "returns/<int:pk>/review/",
        views.ReturnReviewApi.as_view(),
        name="api-return-review",
    ),
    path(
        "returns/<int:pk>/receive/",
        views.ReturnReceiveApi.as_view(),
        name="api-return-receive",
    ),
    path(
        "returns/<int:pk>/resolve/",
        views.ReturnResolveApi.as_view(),
        name="api-return-resolve",
    ),
    path(
        "returns/<int:pk>/reject/",
        views.ReturnRejectApi.as_view(),
        name="api-return-reject",
    ),
]
