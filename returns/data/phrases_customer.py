"""Return-reason phrase groups where the goods are fine: size or fit, a change
of mind, late delivery, and the "smaller than expected" wording size shares
with not as described.

Each group is one idea said several ways in English and Chinese; `{item}` is filled
with a product noun. The held-out evaluation splits by group, so a group's
paraphrases never straddle train and test.
"""

SIZE_FIT = {
    "size_too_small": {
        "en": [
            "too small, need a bigger size",
            "runs small, could not even get it on",
            "way too tight around the chest",
            "the {item} is too small for me",
        ],
        "zh": [
            "太小了，要换大一码",
            "偏小，根本穿不上",
            "胸围太紧了",
            "{item}太小了穿不了",
        ],
    },
    "size_too_big": {
        "en": [
            "too big, swimming in it",
            "runs large, size down",
            "way too loose on me",
            "the {item} is huge, too big",
        ],
        "zh": [
            "太大了，穿着晃荡",
            "偏大，建议拍小一码",
            "穿上太松了",
            "{item}太大了",
        ],
    },
    "size_length": {
        "en": [
            "sleeves are too long",
            "legs too short for me, I'm tall",
            "length is wrong, hits way below the knee",
        ],
        "zh": [
            "袖子太长了",
            "裤腿太短，我个子高",
            "长度不对，都过膝盖了",
        ],
    },
    "size_shoe_fit": {
        "en": [
            "shoes pinch my toes, need half size up",
            "too narrow for my feet",
            "heel slips out when I walk, too wide",
        ],
        "zh": [
            "鞋子挤脚，要大半码",
            "鞋太窄了，脚宽穿不了",
            "走路掉跟，鞋太肥",
        ],
    },
    "size_chart_wrong": {
        "en": [
            "followed the size chart and it still doesn't fit",
            "size chart is off, my usual size doesn't fit",
            "ordered my normal size, doesn't fit at all",
        ],
        "zh": [
            "按尺码表买的还是不合适",
            "尺码表不准，平时的码穿不了",
            "买的平常的尺码，完全不合身",
        ],
    },
    "size_fit_shape": {
        "en": [
            "the cut is not flattering on me, fit is off",
            "fits weird in the shoulders",
            "doesn't fit my body shape",
        ],
        "zh": [
            "版型不适合我",
            "肩膀那里不合身",
            "不适合我的身材",
        ],
    },
    "size_exchange": {
        "en": [
            "want to exchange for a size L",
            "can I swap it for one size up",
            "please exchange for smaller size",
        ],
        "zh": [
            "想换L码",
            "能不能换大一号",
            "麻烦换小一码",
        ],
    },
    "size_kid_outgrew": {
        "en": [
            "bought for my son but it doesn't fit him",
            "my daughter is between sizes, this one is too tight",
        ],
        "zh": [
            "给儿子买的，他穿不下",
            "女儿穿着太紧了，尺码不合适",
        ],
    },
}


CHANGED_MIND = {
    "cm_dont_need": {
        "en": [
            "don't need it anymore",
            "no longer needed",
            "changed my mind",
            "I just don't want it any more",
        ],
        "zh": [
            "不需要了",
            "不想要了",
            "改主意了",
            "不要了，退了吧",
        ],
    },
    "cm_found_cheaper": {
        "en": [
            "found it cheaper somewhere else",
            "saw a better price at another store",
            "bought a better one elsewhere",
        ],
        "zh": [
            "别家更便宜",
            "在别的店看到更低的价格",
            "在其他地方买了更好的",
        ],
    },
    "cm_ordered_by_mistake": {
        "en": [
            "ordered by mistake",
            "accidentally clicked buy",
            "bought two by accident, returning one",
        ],
        "zh": [
            "拍错了",
            "不小心点了购买",
            "手滑买了两个，退一个",
        ],
    },
    "cm_dont_like": {
        "en": [
            "don't like it",
            "not my style after all",
            "just doesn't suit me, nothing wrong with it",
            "the colour isn't for me, product is fine",
        ],
        "zh": [
            "不喜欢",
            "不是我喜欢的风格",
            "东西没问题，就是不适合我",
            "颜色不喜欢，质量没问题",
        ],
    },
    "cm_gift": {
        "en": [
            "it was a gift and they already have one",
            "gift recipient didn't want it",
            "bought as a present, plans changed",
        ],
        "zh": [
            "送人的，对方已经有了",
            "买来送礼的，人家不要",
            "本来是礼物，计划变了",
        ],
    },
    "cm_budget": {
        "en": [
            "can't afford it right now",
            "spent too much this month, returning",
            "impulse buy, regret it",
        ],
        "zh": [
            "最近手头紧，退了",
            "这个月花太多了",
            "冲动消费了，后悔",
        ],
    },
    "cm_no_reason": {
        "en": [
            "7 day no reason return",
            "return within 30 days, no particular reason",
            "just want to return it, unopened",
        ],
        "zh": [
            "七天无理由退货",
            "没什么原因，就是想退",
            "没拆封，想退掉",
        ],
    },
    "cm_duplicate": {
        "en": [
            "already bought the same thing",
            "I have one already, forgot",
        ],
        "zh": [
            "家里已经有一个了",
            "忘了之前买过了",
        ],
    },
}


LATE_DELIVERY = {
    "late_too_late": {
        "en": [
            "arrived too late",
            "took way too long to arrive",
            "delivery was two weeks late",
            "came after the date you promised",
        ],
        "zh": [
            "到得太晚了",
            "物流太慢了",
            "晚了两个星期才到",
            "超过承诺的时间才送到",
        ],
    },
    "late_missed_event": {
        "en": [
            "needed it for the wedding, arrived after",
            "bought it for a trip, it came after I left",
            "missed the birthday, it came late",
        ],
        "zh": [
            "婚礼要用的，结果过了才到",
            "本来出差带的，人走了才送到",
            "生日都过了才到",
        ],
    },
    "late_stuck": {
        "en": [
            "tracking was stuck for 10 days",
            "parcel sat in the depot forever",
            "shipping stuck in customs for weeks",
        ],
        "zh": [
            "物流信息十天没更新",
            "包裹一直卡在中转站",
            "在海关卡了好几周",
        ],
    },
    "late_no_longer_useful": {
        "en": [
            "it's useless now, the season is over by the time it came",
            "waited a month, bought it locally in the meantime",
            "took so long I got one from a shop nearby",
        ],
        "zh": [
            "等到货季节都过了，没用了",
            "等了一个月，已经在实体店买了",
            "太慢了，我在附近店里买了一个",
        ],
    },
    "late_delivery_promise": {
        "en": [
            "paid for express shipping and it took 9 days",
            "said next day delivery, took a week",
        ],
        "zh": [
            "付了加急运费还要九天",
            "说次日达结果一周才到",
        ],
    },
    "late_waited": {
        "en": [
            "waited forever for this",
            "delivery delay is unacceptable",
            "so slow, the order was delayed again and again",
        ],
        "zh": [
            "等了好久才到",
            "发货太慢了，不能接受",
            "一直延迟发货",
        ],
    },
}


AMBIGUOUS_SMALL = {
    "amb_smaller_than_expected": {
        "en": [
            "smaller than expected",
            "much smaller than I thought",
            "the {item} is tiny",
        ],
        "zh": [
            "比想象的小",
            "比我想的小很多",
            "{item}好小",
        ],
    },
}
