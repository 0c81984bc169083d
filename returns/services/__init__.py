"""Writes of the returns app: intake, classification, review, processing."""
