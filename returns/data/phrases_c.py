"""Hand-written return-reason phrase groups (part C): items not as described, more of
the grab-bag `other` category, and the everyday category cue wording every group may
borrow.
"""

NOT_AS_DESCRIBED = {
    "nad_looks_different": {
        "en": [
            "looks nothing like the photos",
            "colour is totally different from the pictures on the listing",
            "the {item} looks much cheaper than in the photos",
        ],
        "zh": [
            "和图片完全不一样",
            "颜色跟详情页图片差太多",
            "实物比图片廉价很多",
        ],
    },
    "nad_material": {
        "en": [
            "listing says 100% cotton but this is polyester",
            "supposed to be real leather, it is plastic",
            "description said stainless steel, it rusts, it's not",
        ],
        "zh": [
            "写的纯棉，实际是涤纶",
            "说是真皮，其实是塑料",
            "描述是不锈钢，结果生锈，根本不是",
        ],
    },
    "nad_missing_feature": {
        "en": [
            "the listing said it has noise cancelling, it doesn't",
            "advertised as waterproof but it isn't",
            "description mentions a remote, no remote, not a feature of this model",
        ],
        "zh": [
            "页面说有降噪功能，实际没有",
            "宣传防水，其实不防水",
            "描述里有遥控器，这款根本没有这个功能",
        ],
    },
    "nad_fake": {
        "en": [
            "this is a fake, not the genuine brand",
            "counterfeit, logo is wrong and no serial number",
            "sold as original but it's a knockoff",
        ],
        "zh": [
            "是假货，不是正品",
            "高仿的，logo都不对，也没有序列号",
            "说是原装，其实是山寨的",
        ],
    },
    "nad_size_spec": {
        "en": [
            "dimensions are way off from what the page says",
            "listing says 2L capacity, it holds maybe 1L",
            "description said 50 inch, it is 40",
        ],
        "zh": [
            "尺寸跟页面写的差很多",
            "标的两升，实际最多一升",
            "描述写的50寸，实际只有40寸",
        ],
    },
    "nad_quality_mismatch": {
        "en": [
            "described as premium quality, feels flimsy and cheap",
            "it says heavy duty, it is thin and light",
            "not the quality advertised at all",
        ],
        "zh": [
            "说是高品质，摸起来很薄很廉价",
            "写着加厚款，实际很薄",
            "质量和宣传的完全不符",
        ],
    },
    "nad_used_item": {
        "en": [
            "sold as new but it has clearly been used",
            "listing said brand new, it came with someone's hair on it",
            "came without original packaging, looks refurbished not new",
        ],
        "zh": [
            "说是全新，明显是用过的",
            "写的全新，上面还有别人的头发",
            "没有原包装，像翻新机不是新的",
        ],
    },
    "nad_compat": {
        "en": [
            "page says compatible with my model, it isn't",
            "description claims it fits iphone 15, it doesn't fit",
        ],
        "zh": [
            "页面写兼容我的型号，实际不兼容",
            "说适配苹果15，根本装不上",
        ],
    },
}


MORE_OTHER = {
    "oth_missing_docs": {
        "en": [
            "manual and warranty card missing, need them for insurance",
            "no user guide in English, can't use it",
        ],
        "zh": [
            "没有说明书和保修卡",
            "说明书不是中文的，看不懂",
        ],
    },
    "oth_smell": {
        "en": [
            "strong chemical smell, gives me a headache",
            "it stinks of smoke",
        ],
        "zh": [
            "味道太大了，闻着头疼",
            "一股烟味",
        ],
    },
    "oth_pet_kid_safety": {
        "en": [
            "worried it isn't safe for my baby",
            "not safe around my cat, small parts",
        ],
        "zh": [
            "担心宝宝用不安全",
            "家里有猫，小零件不安全",
        ],
    },
    "oth_subscription": {
        "en": [
            "was signed up for auto-renew without asking",
            "didn't realise it was a subscription",
        ],
        "zh": [
            "被自动续费了",
            "不知道是订阅的，被扣钱了",
        ],
    },
    "oth_trade_in": {
        "en": [
            "returning as part of the trade-in offer",
            "store credit exchange, part of a promotion",
        ],
        "zh": [
            "参加以旧换新活动退回",
            "活动换购，退回换积分",
        ],
    },
    "oth_unclear": {
        "en": [
            "other reason, will explain on the phone",
            "personal reasons",
            "hard to explain, just other",
        ],
        "zh": [
            "其他原因，电话里说",
            "个人原因",
            "说不清楚，其他",
        ],
    },
}

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
