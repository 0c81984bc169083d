"""Shared vocabulary for the bootstrap generator: product nouns, filler sentences,
staff condition notes, shop reason codes and noise tables. Nothing here names a
reason category, so it can appear in train and held-out rows alike.
"""

ITEMS = {
    "apparel": [
        ("dress", "连衣裙"),
        ("shirt", "衬衫"),
        ("jacket", "外套"),
        ("jeans", "牛仔裤"),
        ("hoodie", "卫衣"),
        ("skirt", "半身裙"),
    ],
    "shoes": [
        ("sneakers", "运动鞋"),
        ("boots", "靴子"),
        ("sandals", "凉鞋"),
        ("heels", "高跟鞋"),
    ],
    "electronics": [
        ("headphones", "耳机"),
        ("charger", "充电器"),
        ("power bank", "充电宝"),
        ("speaker", "音箱"),
        ("keyboard", "键盘"),
        ("smartwatch", "智能手表"),
        ("mouse", "鼠标"),
    ],
    "home": [
        ("lamp", "台灯"),
        ("vase", "花瓶"),
        ("pillow", "枕头"),
        ("mirror", "镜子"),
        ("curtains", "窗帘"),
    ],
    "kitchen": [
        ("mug", "杯子"),
        ("frying pan", "平底锅"),
        ("blender", "料理机"),
        ("plates", "盘子"),
        ("kettle", "水壶"),
    ],
    "beauty": [
        ("lipstick", "口红"),
        ("face cream", "面霜"),
        ("perfume", "香水"),
        ("shampoo", "洗发水"),
    ],
    "toys": [
        ("puzzle", "拼图"),
        ("doll", "娃娃"),
        ("building blocks", "积木"),
        ("rc car", "遥控车"),
    ],
    "sports": [
        ("yoga mat", "瑜伽垫"),
        ("water bottle", "运动水杯"),
        ("dumbbells", "哑铃"),
        ("tent", "帐篷"),
        ("cycling shorts", "骑行裤"),
    ],
}

# (low, high) unit cost in the shop currency; drawn log-uniformly.
COST_RANGE = {
    "apparel": (8, 90),
    "shoes": (20, 160),
    "electronics": (10, 400),
    "home": (5, 150),
    "kitchen": (5, 180),
    "beauty": (3, 70),
    "toys": (5, 90),
    "sports": (5, 220),
}

OPENERS = {
    "en": [
        "hi",
        "hello,",
        "Hi there,",
        "hey",
        "Dear seller,",
        "order #{num}",
        "re order {num}:",
        "Good morning.",
        "Hello team,",
        "Return request -",
    ],
    "zh": [
        "你好，",
        "亲，",
        "您好",
        "老板，",
        "订单号{num}，",
        "客服你好，",
        "在吗？",
        "亲亲，",
    ],
}

CLOSERS = {
    "en": [
        "please refund",
        "pls refund asap",
        "I want my money back",
        "want a replacement",
        "thanks",
        "thx",
        "very disappointed",
        "return please",
        "can you send a new one?",
        "refund pls!!",
        "what are my options?",
        "let me know how to send it back",
    ],
    "zh": [
        "请退款",
        "麻烦尽快处理",
        "我要退货",
        "给我换一个",
        "谢谢",
        "太失望了",
        "差评",
        "退钱",
        "申请退款",
        "尽快处理谢谢",
        "怎么寄回？",
        "退货退款",
    ],
}

STORY = {
    "en": [
        "I ordered this for my mother's birthday and was really looking forward to it.",
        "I've bought from this shop many times and never had a problem before.",
        "I tried contacting support twice with no reply.",
        "Honestly this whole thing has been frustrating from start to finish.",
        "My order number is in the app, let me know what you need from me.",
        "I can send photos or a video if needed.",
        "I still have all the original packaging and the receipt.",
        "My husband says I should just leave a review but I'd rather sort it out.",
        "It took me a while to get around to writing this, sorry.",
        "I read the reviews before buying and they were all positive.",
    ],
    "zh": [
        "本来是给我妈买的生日礼物，很期待。",
        "在你们家买了很多次了，第一次遇到这种情况。",
        "联系客服两次都没人回。",
        "整个购物体验很糟糕。",
        "需要照片或者视频我可以提供。",
        "订单信息在app里可以查到。",
        "原包装和发票都还在。",
        "看了评价才买的，评价都挺好的。",
        "本来不想退的，想了想还是算了。",
        "最近比较忙，现在才来处理。",
    ],
}

EMOJI = ["😡", "😢", "😤", "🙏", "👎", "💔", "😭", "🤦", "🙄", "😞", "📦", "🤷", "😠"]

# What staff write on inspection, by the true state of the returned unit.
CONDITIONS = {
    "sealed": {
        "en": ["sealed, unused", "new in box", "tags attached", "unopened"],
        "zh": ["未拆封", "全新未使用", "吊牌还在", "包装完好未拆"],
    },
    "opened": {
        "en": ["opened, like new", "opened, no wear", "tried on once", "open box"],
        "zh": ["已拆封，无使用痕迹", "试穿过", "拆封未使用", "已开封"],
    },
    "used": {
        "en": ["worn, signs of use", "used, minor scratches", "washed", "heavily used"],
        "zh": ["有使用痕迹", "已穿过", "洗过", "明显使用过"],
    },
    "pkg_damaged": {
        "en": ["outer box crushed, item ok", "carton dented, item fine", "box torn"],
        "zh": ["外箱压坏，商品完好", "包装破损，商品完好", "外包装破"],
    },
    "transit_damaged": {
        "en": ["cracked, box crushed", "shattered in box", "dented, carton damaged"],
        "zh": ["外箱变形，商品碎裂", "运输破损", "箱子压坏，商品裂开"],
    },
    "fault": {
        "en": ["does not power on", "fails function test", "intermittent fault"],
        "zh": ["无法开机", "测试不通过", "功能故障", "开线开胶"],
    },
    "wrong_sku": {
        "en": ["wrong SKU", "SKU mismatch", "item differs from order"],
        "zh": ["SKU不符", "与订单不符", "发错货"],
    },
    "mismatch": {
        "en": ["not genuine", "material differs from listing", "spec mismatch"],
        "zh": ["非正品", "材质与描述不符", "规格不符"],
    },
}

REASON_CODE_ALIASES_ZH = {
    "quality_issue": "质量问题",
    "wrong_item": "发错货",
    "no_reason": "七天无理由",
    "size_issue": "尺码不合适",
    "not_as_described": "与描述不符",
    "arrived_late": "物流太慢",
    "damaged": "商品破损",
}

EN_TYPOS = {
    "received": ["recieved", "recived"],
    "broken": ["brokn", "borken"],
    "arrived": ["arived", "arrvied"],
    "package": ["pakage", "packge"],
    "damaged": ["damged", "dammaged"],
    "working": ["workin", "wroking"],
    "wrong": ["wrnog", "rong"],
    "size": ["sise", "szie"],
    "small": ["smal", "smll"],
    "because": ["becuase", "bcoz"],
    "description": ["discription", "descripton"],
    "quality": ["qualty", "quailty"],
    "delivery": ["delivary", "delievery"],
    "different": ["diffrent", "diferent"],
    "ordered": ["orderd", "oredered"],
    "refund": ["refnd", "refun"],
    "shipping": ["shiping", "shippin"],
    "cheaper": ["cheeper"],
    "scratches": ["scrathces", "scratchs"],
    "colour": ["color", "colur"],
    "listing": ["lisitng", "listin"],
}

EN_ABBREV = {
    "please": "pls",
    "you": "u",
    "your": "ur",
    "with": "w/",
    "without": "w/o",
    "thanks": "thx",
    "really": "rly",
    "because": "bc",
    "damaged": "dmg",
    "received": "rcvd",
    "doesn't": "doesnt",
    "don't": "dont",
    "it's": "its",
    "I'm": "im",
    "before": "b4",
}

ZH_TYPOS = {
    "的": "得",
    "在": "再",
    "已经": "以经",
    "快递": "快第",
    "尺码": "尺吗",
    "颜色": "顔色",
    "坏": "壞",
    "收到": "收倒",
    "质量": "質量",
}

# Code-switching: words Chinese shoppers commonly type in English.
ZH_TO_EN_SWITCH = {
    "尺码": "size",
    "质量": "quality",
    "退款": "refund",
    "颜色": "color",
    "图片": "pic",
    "包装": "package",
    "蓝牙": "bluetooth",
    "客服": "cs",
    "正品": "original",
    "屏幕": "screen",
    "型号": "model",
    "款式": "style",
}
