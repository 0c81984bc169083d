"""The demo shop: its fixed data (catalog), a simulated history with no
database (history), and the builders that write it through the services
(build), which the `seed_demo` command runs."""

from .build import demo_build
from .catalog import (
    CATALOG,
    RECEIVING_BIN,
    RETURNS_BIN,
    SHOPS,
    STORAGE_BINS,
    SUPPLIERS,
    WAREHOUSES,
)
from .history import History, ProductSpec, build_products, lead_time, simulate_history

__all__ = [
    "CATALOG",
    "History",
    "ProductSpec",
    "RECEIVING_BIN",
    "RETURNS_BIN",
    "SHOPS",
    "STORAGE_BINS",
    "SUPPLIERS",
    "WAREHOUSES",
    "build_products",
    "demo_build",
    "lead_time",
    "simulate_history",
]
