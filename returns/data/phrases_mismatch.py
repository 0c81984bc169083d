"""Return-reason phrase groups for goods that are not what was bought: the wrong
item, not as described, and the "not what I ordered" wording the two share.

Each group is one idea said several ways in English and Chinese; `{item}` is filled
with a product noun. The held-out evaluation splits by group, so a group's
paraphrases never straddle train and test.
"""

WRONG_ITEM = {
    "wrong_different_product": {
        "en": [
            "received a completely different product, not what I ordered",
            "you sent me the wrong item, I ordered a {item}",
            "this is not my order, got someone else's stuff",
        ],
        "zh": [
            "收到的完全是另一个商品，不是我买的",
            "发错货了，我买的是{item}",
            "这不是我的订单，收到别人的东西",
        ],
    },
    "wrong_color": {
        "en": [
            "ordered black but got white",
            "wrong colour sent, I picked blue",
            "got the red one instead of the green one I ordered",
        ],
        "zh": [
            "我拍的黑色，发来的是白色",
            "颜色发错了，我选的是蓝色",
            "订的绿色给我发了红色",
        ],
    },
    "wrong_size_sent": {
        "en": [
            "I ordered size M and you sent XL",
            "label says 42 but I ordered 39, wrong size shipped",
            "packing slip says L, inside is an S",
        ],
        "zh": [
            "我拍的M码，发来的是XL",
            "我下单39码，寄来的是42码，发错码了",
            "单子上写L码，里面是S码",
        ],
    },
    "wrong_model": {
        "en": [
            "wrong model, this is the old version not the one on my order",
            "sent the 64GB version, I paid for 128GB",
            "received the US plug version, I ordered EU plug",
        ],
        "zh": [
            "型号发错了，这是旧款不是我订的",
            "我买的128G，发来的是64G",
            "我要的欧规插头，发来美规",
        ],
    },
    "wrong_quantity": {
        "en": [
            "ordered a pack of 6, only got a single one",
            "box contains 2 instead of the 4 I paid for",
            "got one shoe twice, both left feet",
        ],
        "zh": [
            "买的六个装只收到一个",
            "付了四个的钱，盒子里只有两个",
            "收到两只都是左脚",
        ],
    },
    "wrong_mixed_up": {
        "en": [
            "seems like orders got mixed up, this {item} is not mine",
            "warehouse packed the wrong SKU",
            "the barcode on the box doesn't match my order",
        ],
        "zh": [
            "好像订单搞混了，这个{item}不是我的",
            "仓库打包错了",
            "盒子上的条码跟订单对不上",
        ],
    },
    "wrong_flavor_variant": {
        "en": [
            "ordered unscented and got lavender",
            "wrong variant, I chose the matte one and got glossy",
            "got the kids version instead of adult",
        ],
        "zh": [
            "我买的无香型，收到薰衣草味",
            "款式不对，我选的哑光收到亮面",
            "我买成人款给我发了儿童款",
        ],
    },
    "wrong_empty_box": {
        "en": [
            "box was empty except for a different cheap item",
            "parcel had a phone case in it instead of the {item}",
        ],
        "zh": [
            "盒子里是别的便宜东西，根本不是我买的",
            "包裹里是个手机壳，不是{item}",
        ],
    },
}


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


AMBIGUOUS_MISMATCH = {
    "amb_not_what_expected": {
        "en": [
            "not what I ordered",
            "this is not the right one",
            "not the {item} I wanted",
        ],
        "zh": [
            "不是我要的",
            "跟我买的不一样",
            "这不是我要的{item}",
        ],
    },
}
