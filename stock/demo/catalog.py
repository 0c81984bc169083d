"""The demo shop's fixed data: catalog, suppliers, warehouses, bins and shops."""

# Leaf category -> SKU prefix, items (name, code, unit cost range), variants, and
# the yearly season (peak day of year, amplitude; amplitude 0 = flat demand).
CATALOG = {
    ("Home", "Kitchen"): dict(
        prefix="KIT",
        items=[
            ("Chef's Knife 20 cm", "KNF", (9, 28)),
            ("Cutting Board", "CBD", (6, 18)),
            ("Cast Iron Skillet", "SKL", (14, 32)),
            ("Espresso Cups, set of 2", "ESP", (5, 12)),
            ("Pepper Mill", "PPM", (7, 19)),
            ("Mixing Bowl", "BWL", (4, 11)),
            ("Glass Storage Jar", "JAR", (2, 7)),
            ("Linen Tea Towel", "TWL", (2, 6)),
        ],
        variants=[
            ("Oak", "OAK"),
            ("Slate", "SLT"),
            ("White", "WHT"),
            ("Sage", "SGE"),
            ("Terracotta", "TER"),
        ],
        season=(350, 0.25),
    ),
    ("Home", "Bath"): dict(
        prefix="BTH",
        items=[
            ("Waffle Bath Towel", "BTW", (7, 16)),
            ("Cotton Bath Mat", "MAT", (6, 14)),
            ("Bamboo Soap Dish", "SPD", (2, 5)),
            ("Shower Caddy", "CDY", (8, 20)),
            ("Olive Oil Hand Soap 500 ml", "SOP", (2, 5)),
            ("Toothbrush Holder", "TBH", (3, 8)),
        ],
        variants=[
            ("Ivory", "IVR"),
            ("Charcoal", "CHR"),
            ("Ocean", "OCN"),
            ("Sage", "SGE"),
        ],
        season=(0, 0.0),
    ),
    ("Home", "Decor"): dict(
        prefix="DEC",
        items=[
            ("Scented Candle", "CND", (3, 9)),
            ("Ceramic Vase", "VAS", (8, 24)),
            ("Cushion Cover 45x45", "CSH", (4, 10)),
            ("Wall Mirror", "MIR", (15, 45)),
            ("Knitted Throw", "THR", (12, 30)),
        ],
        variants=[("Amber", "AMB"), ("Moss", "MOS"), ("Sand", "SND"), ("Rust", "RST")],
        season=(345, 0.6),
    ),
    ("Apparel", "Tops"): dict(
        prefix="TOP",
        items=[
            ("Organic Cotton T-Shirt", "TEE", (4, 9)),
            ("Linen Shirt", "LIN", (12, 22)),
            ("Merino Sweater", "MER", (22, 40)),
            ("Hoodie", "HOD", (14, 26)),
        ],
        variants=[
            ("Navy S", "NVS"),
            ("Navy M", "NVM"),
            ("Navy L", "NVL"),
            ("Grey M", "GRM"),
            ("Grey L", "GRL"),
            ("Grey S", "GRS"),
            ("Olive M", "OLM"),
        ],
        season=(190, 0.35),
    ),
    ("Apparel", "Outerwear"): dict(
        prefix="OUT",
        items=[
            ("Rain Jacket", "RNJ", (25, 48)),
            ("Puffer Vest", "PFV", (20, 38)),
            ("Wool Beanie", "BNE", (4, 9)),
        ],
        variants=[
            ("Black M", "BKM"),
            ("Black L", "BKL"),
            ("Olive M", "OLM"),
            ("Olive L", "OLL"),
        ],
        season=(330, 0.7),
    ),
    ("Apparel", "Shoes"): dict(
        prefix="SHO",
        items=[
            ("Canvas Sneaker", "SNK", (14, 26)),
            ("Leather Chelsea Boot", "CHB", (38, 70)),
            ("Trail Runner", "TRL", (30, 55)),
        ],
        variants=[("EU 39", "39"), ("EU 41", "41"), ("EU 43", "43"), ("EU 45", "45")],
        season=(100, 0.2),
    ),
    ("Electronics", "Accessories"): dict(
        prefix="ELA",
        items=[
            ("USB-C Cable 1 m", "UCB", (1, 4)),
            ("65 W USB-C Charger", "CHG", (9, 18)),
            ("Phone Case", "CAS", (2, 6)),
            ("Laptop Sleeve 14 in", "SLV", (7, 15)),
            ("Power Bank 10000 mAh", "PWB", (10, 19)),
            ("Wireless Charging Pad", "WCP", (6, 13)),
            ("HDMI Cable 2 m", "HDM", (2, 5)),
        ],
        variants=[("Black", "BLK"), ("White", "WHT"), ("Blue", "BLU")],
        season=(330, 0.3),
    ),
    ("Electronics", "Audio"): dict(
        prefix="AUD",
        items=[
            ("Wireless Earbuds", "EBD", (18, 35)),
            ("Bluetooth Speaker", "SPK", (20, 42)),
            ("Over-Ear Headphones", "HPH", (30, 65)),
        ],
        variants=[("Graphite", "GRA"), ("Sand", "SND"), ("Navy", "NVY")],
        season=(340, 0.45),
    ),
    ("Garden", "Tools"): dict(
        prefix="GTL",
        items=[
            ("Pruning Shears", "PRS", (7, 16)),
            ("Hand Trowel", "TRW", (3, 8)),
            ("Watering Can 5 l", "WCN", (6, 13)),
            ("Garden Gloves", "GLV", (2, 6)),
        ],
        variants=[("Green", "GRN"), ("Terracotta", "TER"), ("Black", "BLK")],
        season=(120, 0.8),
    ),
    ("Garden", "Planters"): dict(
        prefix="GPL",
        items=[
            ("Terracotta Pot 20 cm", "P20", (3, 7)),
            ("Terracotta Pot 30 cm", "P30", (5, 11)),
            ("Raised Bed Kit", "RBK", (35, 70)),
            ("Hanging Planter", "HNG", (6, 14)),
        ],
        variants=[("Natural", "NAT"), ("Glazed Blue", "GBL"), ("Matte White", "MWH")],
        season=(110, 0.75),
    ),
    ("Garden", "Outdoor Living"): dict(
        prefix="GOL",
        items=[
            ("Solar Lantern", "LNT", (6, 14)),
            ("Folding Chair", "FCH", (18, 35)),
            ("Outdoor Cushion", "OCU", (8, 16)),
            ("Picnic Blanket", "PCB", (9, 18)),
        ],
        variants=[("Teal", "TEL"), ("Stone", "STN"), ("Charcoal", "CHR")],
        season=(170, 0.7),
    ),
}

# Which supplier serves which top-level categories (index into SUPPLIERS).
SUPPLIERS = [
    # name, email, lead time days, fixed order cost, categories it serves
    ("Nordwerk Kitchenware GmbH", "orders@nordwerk.example", 10, 45, {"KIT", "DEC"}),
    ("Baltic Home Supplies UAB", "sales@baltichome.example", 14, 60, {"BTH", "DEC"}),
    ("Lusitano Textiles Lda", "po@lusitano.example", 21, 80, {"TOP", "OUT"}),
    ("Atlas Footwear SA", "b2b@atlasfootwear.example", 28, 120, {"SHO"}),
    ("Brightway Electronics Ltd", "export@brightway.example", 35, 150, {"ELA", "AUD"}),
    ("Greenleaf Garden BV", "orders@greenleaf.example", 7, 30, {"GTL", "GPL", "GOL"}),
    ("Cotswold Bath & Body Ltd", "trade@cotswold.example", 12, 40, {"BTH", "KIT"}),
]

WAREHOUSES = [
    # code, name, capacity units, share of demand
    ("ams", "Amsterdam", 60_000, 1.0),
    ("ber", "Berlin", 40_000, 0.8),
    ("lon", "London", 30_000, 0.6),
]
STORAGE_BINS = [f"{aisle}-{n:02d}" for aisle in "AB" for n in range(1, 6)]
RECEIVING_BIN = "RCV"
RETURNS_BIN = "RET"
SHOPS = [
    # code, name, prefix of its order numbers
    ("homegoods", "Homegoods Online", "HG"),
    ("marketplace", "Marketplace EU", "MP"),
]
