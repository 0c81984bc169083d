"""Alerts and webhooks: rules raised against stock, e-mail, the event outbox and
signed delivery. Subscribes to stock's hooks; stock never imports it."""
