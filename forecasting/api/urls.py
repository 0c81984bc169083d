from django.urls import path

from ..planning.api import PromotionListCreateApi
from .forecasts import ForecastListApi
from .suggestions import SuggestionApproveApi, SuggestionListApi, SuggestionRejectApi
from .transfers import (
    TransferSuggestionApproveApi,
    TransferSuggestionListApi,
    TransferSuggestionRejectApi,
)

urlpatterns = [
    path("promotions/", PromotionListCreateApi.as_view(), name="api-promotions"),
    path("forecasts/", ForecastListApi.as_view(), name="api-forecasts"),
    path("suggestions/", SuggestionListApi.as_view(), name="api-suggestions"),
    path(
        "suggestions/<int:pk>/approve/",
        SuggestionApproveApi.as_view(),
        name="api-suggestion-approve",
    ),
    path(
        "suggestions/<int:pk>/reject/",
        SuggestionRejectApi.as_view(),
        name="api-suggestion-reject",
    ),
    path(
        "transfer-suggestions/",
        TransferSuggestionListApi.as_view(),
        name="api-transfer-suggestions",
    ),
    path(
        "transfer-suggestions/<int:pk>/approve/",
        TransferSuggestionApproveApi.as_view(),
        name="api-transfer-suggestion-approve",
    ),
    path(
        "transfer-suggestions/<int:pk>/reject/",
        TransferSuggestionRejectApi.as_view(),
        name="api-transfer-suggestion-reject",
    ),
]
