"""Writes of the forecasting app: demand history, runs, forecasts."""
