"""Writes of the forecasting app: demand history, forecast runs and their
sweeper, replenishment suggestions and the managers' decisions on them."""
