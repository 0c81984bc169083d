"""Return-reason phrase groups of the grab-bag `other` category (allergies,
missing papers, duplicate orders and the rest).

Each group is one idea said several ways in English and Chinese; `{item}` is filled
with a product noun. The held-out evaluation splits by group, so a group's
paraphrases never straddle train and test.
"""

OTHER = {
    "oth_allergy": {
        "en": [
            "had an allergic reaction",
            "my skin reacted badly to it",
        ],
        "zh": [
            "用了过敏",
            "皮肤起红疹了",
        ],
    },
    "oth_customs": {
        "en": [
            "customs charged me extra fees, not paying that",
            "import duty was too high",
        ],
        "zh": [
            "要交关税，太贵了",
            "海关要收税，不想付",
        ],
    },
    "oth_invoice": {
        "en": [
            "no invoice included, need one for my company",
            "need a VAT receipt, couldn't get one",
        ],
        "zh": [
            "没开发票，公司报销需要",
            "要增值税发票开不了",
        ],
    },
    "oth_account": {
        "en": [
            "order placed on wrong account",
            "my kid ordered this without permission",
        ],
        "zh": [
            "用错账号下单了",
            "小孩偷偷用我手机买的",
        ],
    },
    "oth_seller_asked": {
        "en": [
            "customer service told me to return it",
            "support asked me to send it back for inspection",
        ],
        "zh": [
            "客服让我退回来的",
            "客服说寄回去检测",
        ],
    },
    "oth_price_protect": {
        "en": [
            "price dropped right after I bought it",
            "want the price difference refunded",
        ],
        "zh": [
            "刚买就降价了",
            "要求退差价",
        ],
    },
    "oth_moving": {
        "en": [
            "moving abroad, can't take it",
            "address changed, I moved",
        ],
        "zh": [
            "要出国了，带不走",
            "搬家了地址变了",
        ],
    },
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
