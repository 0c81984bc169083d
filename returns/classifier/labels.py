"""The label sets the returns classifier predicts."""

CATEGORIES = (
    "damaged_in_transit",
    "defective",
    "wrong_item",
    "not_as_described",
    "size_fit",
    "changed_mind",
    "late_delivery",
    "other",
)
DISPOSITIONS = ("restock", "refurbish", "return_to_vendor", "scrap")
LANGUAGES = ("zh", "en", "mixed")
