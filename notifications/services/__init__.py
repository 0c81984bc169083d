"""What notifications does: alert rules evaluated against stock (rules,
evaluation, alerts), who hears of them (notify, digest, requeue), and the
webhook outbox with signed delivery (outbox, delivery, signing, endpoints)."""
