from django.urls import path

from .forecasts import ForecastListApi
from .suggestions import SuggestionApproveApi, SuggestionListApi, SuggestionRejectApi

urlpatterns = [
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
