from django.urls import path

from ..planning.api import PromotionListCreateApi
from .forecasts import ForecastListApi
from .suggestions import SuggestionApproveApi, SuggestionListApi, SuggestionRejectApi

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
]
