"""The README's API example works on what `make demo` builds: its SKUs are
products seed_demo creates (with its default arguments), and active."""

import re
from datetime import date
from pathlib import Path

import numpy as np

from stock import demo
from stock.management.commands.seed_demo import Command

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_skus() -> set[str]:
    text = README.read_text()
    section = text.split("## The REST API", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r'sku(?:=|": ")([A-Z0-9-]+)', section))


def test_the_readme_example_uses_skus_the_demo_creates():
    skus = readme_skus()
    assert skus  # the example still names a SKU
    options = vars(Command().create_parser("manage.py", "seed_demo").parse_args([]))
    products = demo.build_products(
        np.random.default_rng(options["seed"]),
        options["products"],
        date.today(),
        options["days"],
    )
    active = {product.sku for product in products if product.is_active}
    assert skus <= active, skus - active
