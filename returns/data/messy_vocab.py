"""Wording for messy customer text: what a return is *not* about, contrast and cause
connectives, platform jargon, chat fillers. Every list is split in two by
`part()`: training augmentation uses one half, the messy development set the other,
so no wrapper the model trained on is scored.
"""

from __future__ import annotations

# Statements that deny a category ("not damaged or anything"); a text that opens
# with one is about something else.
DENIALS = {
    "damaged_in_transit": {
        "en": [
            "not damaged or anything",
            "the box was fine",
            "no damage at all",
            "packaging was perfect",
            "arrived in one piece",
            "nothing broken in transit",
        ],
        "zh": [
            "包装完好",
            "没有破损",
            "外包装好好的",
            "东西没坏",
            "快递没问题",
            "运输没有磕碰",
        ],
    },
    "defective": {
        "en": [
            "it works fine",
            "nothing wrong with it",
            "quality is fine",
            "it works perfectly",
            "no defects",
            "not faulty",
        ],
        "zh": [
            "质量没问题",
            "功能正常",
            "东西是好的",
            "能正常用",
            "没有质量问题",
            "做工挺好",
        ],
    },
    "wrong_item": {
        "en": [
            "it's the right item",
            "you sent the right one",
            "it is what I ordered",
            "right colour and all",
        ],
        "zh": ["货没发错", "是我买的那款", "颜色款式都对", "型号是对的"],
    },
    "not_as_described": {
        "en": [
            "looks just like the photos",
            "it's exactly as described",
            "matches the listing",
            "same as the pictures",
        ],
        "zh": ["和图片一样", "跟描述一致", "实物和图片一样", "没有色差"],
    },
    "size_fit": {
        "en": ["size is fine", "fits fine", "the size is right", "fits perfectly"],
        "zh": ["尺码合适", "大小正好", "尺码没问题", "穿着挺合身"],
    },
    "late_delivery": {
        "en": [
            "arrived on time",
            "delivery was quick",
            "shipping was fast",
            "came really fast",
        ],
        "zh": ["物流很快", "到货很快", "发货挺快的", "第二天就到了"],
    },
    "changed_mind": {
        "en": ["I really wanted it", "I was looking forward to it"],
        "zh": ["本来很喜欢的", "很想要的"],
    },
}
CONTRAST = {
    "en": [
        "but",
        "it's just that",
        "but honestly",
        "however",
        "only thing is",
        "but the problem is",
        "but the real reason is",
        "it just",
    ],
    "zh": ["但是", "可是", "不过", "但", "就是", "只是", "但问题是", "主要是"],
}
# A lesser complaint first, then the one that decides.
MAIN_REASON = {
    "en": [
        "{minor}, annoying but that's not why. the real reason: {main}",
        "{minor}. whatever, mainly {main}",
        "{minor}, I could live with that but {main}",
        "{minor} which I didn't mind, the main problem is {main}",
    ],
    "zh": [
        "{minor}，这个就算了，主要是{main}",
        "{minor}，这个能忍，关键是{main}",
        "{minor}也就算了，但是{main}",
        "{minor}，不过这不是重点，主要是{main}",
    ],
}
# The cause first, then what the customer did about it: the cause decides.
CONSEQUENCES = {
    "en": [
        "so I picked one up in a store nearby, this one is still sealed",
        "so I'm sending it back",
        "so I got one somewhere else",
        "so now I don't need it",
        "so please take it back",
        "so I want a refund",
    ],
    "zh": [
        "所以在别处买了，这个没拆封退回",
        "所以退了吧",
        "所以在实体店买了一个",
        "所以不需要了",
        "所以申请退货",
        "所以要退款",
    ],
}
# Chinese platform jargon: customers type these instead of a sentence.
JARGON = {
    "damaged_in_transit": [
        "暴力运输",
        "暴力快递",
        "快递暴力分拣",
        "当场拒收了，外箱破了",
    ],
    "defective": ["质量问题", "做工太差", "刚用就坏", "品控太差"],
    "wrong_item": ["错发", "发错款了", "漏发错发", "发错颜色"],
    "not_as_described": ["色差", "色差太大", "货不对板", "图文不符"],
    "size_fit": ["尺码偏小", "码数不对", "尺码偏大", "码不对"],
    "changed_mind": ["七天无理由", "7天无理由退货", "不想要了", "拍多了"],
    "late_delivery": ["超时发货", "物流太慢已拒收", "迟迟不发货", "物流超时"],
    "other": ["过敏了", "味道太大", "没有发票", "说明书缺失"],
}
CHAT_FILLERS = {
    "en": ["lol", "tbh", "ngl", "smh", "omg", "ugh", "idk", "sry", "pls", "thx"],
    "zh": ["哈哈", "呜呜", "唉", "啊啊啊", "hhh", "救命", "无语", "服了"],
}
# Where the story comes first and the reason at the end.
STORY = {
    "en": [
        "so I finally got around to opening it last night.",
        "we were moving house that week.",
        "my sister told me to write to you.",
        "long story short,",
        "I waited to see if it would get better.",
        "I don't usually return things.",
    ],
    "zh": [
        "昨天才拆开看。",
        "上周搬家一直没空。",
        "朋友让我来找客服。",
        "长话短说，",
        "本来想将就用的。",
        "我很少退货的。",
    ],
}
EMOJI = ["😂", "🙃", "😅", "😑", "💀", "😩", "🤬", "👀", "🥲", "😒"]


def part(items: list, side: str) -> list:
    """Half of a wording list: 'train' (even positions) or 'dev' (odd)."""
    if side not in ("train", "dev"):
        raise ValueError(f"side must be 'train' or 'dev', not {side!r}")
    return items[0::2] if side == "train" else items[1::2]
