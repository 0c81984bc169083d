"""Every write to stock goes through these services; see ledger.ledger_post."""
