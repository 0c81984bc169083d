"""Bootstrap data for the returns classifier (synthetic, see README.md)."""
