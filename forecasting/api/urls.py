from django.urls import path

from .views import ForecastListApi

urlpatterns = [path("forecasts/", ForecastListApi.as_view(), name="api-forecasts")]
