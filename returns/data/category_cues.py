"""Everyday wording for each return category ("quality problem", "不想要了") that
any phrase group may borrow, the way real customers repeat stock phrases.
"""

# Everyday wording customers reuse whatever the details: category vocabulary that
# any phrase group may borrow, so a new paraphrase still shares words with old ones.
CUES = {
    "damaged_in_transit": {
        "en": [
            "damaged in shipping",
            "courier damage",
            "arrived damaged",
            "box damaged",
        ],
        "zh": ["快递破损", "运输损坏", "物流压坏的", "到货破损"],
    },
    "defective": {
        "en": ["faulty unit", "doesn't work properly", "quality problem", "defective"],
        "zh": ["质量问题", "有故障", "用不了", "次品"],
    },
    "wrong_item": {
        "en": ["wrong item sent", "not what I ordered", "you sent the wrong one"],
        "zh": ["发错货了", "不是我买的东西", "发错了"],
    },
    "not_as_described": {
        "en": ["not as described", "misleading listing", "false advertising"],
        "zh": ["与描述不符", "图文不符", "虚假宣传"],
    },
    "size_fit": {
        "en": ["doesn't fit", "wrong size for me", "size issue"],
        "zh": ["尺码不合适", "不合身", "大小不合适"],
    },
    "changed_mind": {
        "en": ["don't want it anymore", "no longer need it", "nothing wrong with it"],
        "zh": ["不想要了", "不需要了", "东西没问题"],
    },
    "late_delivery": {
        "en": ["delivery was too slow", "arrived late", "shipping took forever"],
        "zh": ["物流太慢", "到货太晚", "发货太慢"],
    },
    "other": {
        "en": ["other reason", "something else", "not a product problem"],
        "zh": ["其他原因", "别的原因", "不是商品问题"],
    },
}
