"""Return-reason phrase groups for goods that arrived broken: damaged in
transit, defective, and the "broken" wording the two share.

Each group is one idea said several ways in English and Chinese; `{item}` is filled
with a product noun. The held-out evaluation splits by group, so a group's
paraphrases never straddle train and test.
"""

DAMAGED_IN_TRANSIT = {
    "dmg_box_crushed": {
        "en": [
            "the box arrived crushed and the {item} inside is cracked",
            "package was completely crushed when it got here, {item} is damaged",
            "box was smashed flat on delivery",
            "parcel came crushed, {item} bent",
        ],
        "zh": [
            "快递压坏了，{item}裂了",
            "箱子被压扁了，里面的{item}也坏了",
            "收到的时候外箱都压烂了",
            "包裹压变形了，{item}压坏",
        ],
    },
    "dmg_shattered": {
        "en": [
            "{item} arrived shattered, glass everywhere in the package",
            "opened the parcel and it was in pieces",
            "it came smashed to pieces, clearly dropped during shipping",
        ],
        "zh": [
            "收到就碎了，盒子里全是碎片",
            "打开包裹{item}已经碎成好几块",
            "运输途中摔碎了",
        ],
    },
    "dmg_courier_rough": {
        "en": [
            "the courier must have thrown it, {item} dented on arrival",
            "delivery guy dropped the parcel, I saw it, now the {item} is damaged",
            "shipping damage - corner of the {item} is dented",
        ],
        "zh": [
            "快递员暴力分拣，{item}磕坏了",
            "快递小哥扔下来的，{item}有凹痕",
            "物流太暴力了，角都磕掉了",
        ],
    },
    "dmg_wet": {
        "en": [
            "package was soaked when delivered, {item} water damaged",
            "box got wet in transit and the {item} is ruined",
            "left out in the rain by the carrier, everything inside is wet",
        ],
        "zh": [
            "快递被雨淋湿了，{item}泡水了",
            "箱子湿透了，里面东西都受潮",
            "运输过程中进水，{item}不能用了",
        ],
    },
    "dmg_scratched_arrival": {
        "en": [
            "{item} has deep scratches, packaging was torn open on arrival",
            "arrived scratched up, outer packaging ripped",
            "surface scuffed, looks like it rubbed against something in the truck",
        ],
        "zh": [
            "到货就有划痕，外包装也破了",
            "包装撕开了，{item}表面刮花",
            "快递包装破损，东西被刮伤",
        ],
    },
    "dmg_poor_packing": {
        "en": [
            "no bubble wrap at all, {item} broke in the mail",
            "it was packed so badly that it got damaged on the way",
            "just thrown in a bag with no padding, arrived damaged",
        ],
        "zh": [
            "没有任何防震包装，寄过来就坏了",
            "包装太简陋了，路上就摔坏了",
            "就一个袋子装着，没泡沫，到手已经坏了",
        ],
    },
    "dmg_leaked": {
        "en": [
            "the bottle leaked all over the box during delivery",
            "{item} leaked in transit, the parcel was sticky and wet",
            "cap came off in shipping and it spilled everywhere",
        ],
        "zh": [
            "运输过程中漏液了，整个箱子都是",
            "盖子在路上松了，洒得到处都是",
            "收到的时候瓶子已经漏了",
        ],
    },
    "dmg_dented_tin": {
        "en": [
            "{item} arrived bent out of shape, the carton had a big hole",
            "there is a hole punched through the box and the {item} is bent",
            "big dent from delivery, box had a forklift hole",
        ],
        "zh": [
            "箱子破了个大洞，{item}变形了",
            "外箱被戳穿，{item}压弯了",
            "到货变形，纸箱破洞",
        ],
    },
    "dmg_photo_on_delivery": {
        "en": [
            "took photos at the door, the parcel was already damaged when handed over",
            "refused to sign, the package was broken open by the courier",
            "damaged when delivered, have pics of the box",
        ],
        "zh": [
            "签收时当面拍照了，快递已经破损",
            "快递送到的时候就是坏的，有照片",
            "验货发现外包装破损，东西摔坏了",
        ],
    },
    "dmg_crushed_corner": {
        "en": [
            "one corner of the box was crushed in and the {item} is chipped there",
            "chipped edge, matches the crushed corner of the shipping box",
        ],
        "zh": [
            "纸箱一角被压塌，{item}对应位置缺了一块",
            "箱角压坏，{item}磕掉一块",
        ],
    },
}


DEFECTIVE = {
    "def_stopped_working": {
        "en": [
            "stopped working after 2 days",
            "worked for a week then died",
            "{item} stopped working after a few uses",
            "it was fine at first but quit working on day three",
        ],
        "zh": [
            "用了两天就坏了",
            "才用一个星期就不工作了",
            "{item}用了几次就坏了",
            "刚开始好好的，第三天就不行了",
        ],
    },
    "def_no_power": {
        "en": [
            "{item} won't turn on at all",
            "does not power on even after charging overnight",
            "dead on arrival, no lights, nothing",
        ],
        "zh": [
            "{item}完全开不了机",
            "充了一晚上电还是开不了机",
            "到手就不能开机，指示灯都不亮",
        ],
    },
    "def_battery": {
        "en": [
            "battery drains in an hour, something is wrong with it",
            "won't hold a charge",
            "charging doesn't work, the {item} never charges past 10%",
        ],
        "zh": [
            "电池一个小时就没电了，有问题",
            "充不进电",
            "{item}充电充不满，一直百分之十",
        ],
    },
    "def_noise_fault": {
        "en": [
            "makes a loud buzzing noise when in use",
            "right side has no sound, left is crackling",
            "motor grinds and smells like burning",
        ],
        "zh": [
            "使用的时候有很大的杂音",
            "右边没声音，左边有滋滋声",
            "电机有异响，还有烧焦味",
        ],
    },
    "def_seam_split": {
        "en": [
            "seam came apart after wearing it once",
            "stitching is coming undone, poor quality",
            "the sole is peeling off after one week",
            "zipper broke the first time I used it",
        ],
        "zh": [
            "穿了一次就开线了",
            "缝线都散了，质量太差",
            "鞋底穿了一个星期就开胶了",
            "拉链第一次用就坏了",
        ],
    },
    "def_button_fault": {
        "en": [
            "buttons don't respond half the time",
            "some keys don't work on the {item}",
            "the switch is faulty, have to press it ten times",
        ],
        "zh": [
            "按键经常没反应",
            "{item}有几个键按不出来",
            "开关接触不良，要按好多次",
        ],
    },
    "def_connectivity": {
        "en": [
            "bluetooth keeps disconnecting every few minutes",
            "won't pair with my phone no matter what",
            "wifi connection drops constantly, defective unit",
        ],
        "zh": [
            "蓝牙几分钟就断开一次",
            "怎么都连不上手机",
            "连接老是断，是次品",
        ],
    },
    "def_overheat": {
        "en": [
            "gets extremely hot after 5 minutes, feels unsafe",
            "{item} overheats and shuts itself off",
            "charger got so hot it melted a bit",
        ],
        "zh": [
            "用五分钟就特别烫，不敢用了",
            "{item}过热自动关机",
            "充电器烫到有点融化了",
        ],
    },
    "def_quality_fell_apart": {
        "en": [
            "handle fell off while using it",
            "the {item} fell apart after normal use",
            "cheap plastic snapped during normal use",
        ],
        "zh": [
            "用着用着把手掉了",
            "正常使用{item}就散架了",
            "塑料太脆，正常用就断了",
        ],
    },
    "def_screen": {
        "en": [
            "screen flickers and has dead pixels",
            "display shows lines across it from day one",
            "touchscreen not responding properly",
        ],
        "zh": [
            "屏幕闪烁还有坏点",
            "屏幕一开始就有条纹",
            "触摸屏不灵敏，点不动",
        ],
    },
}


AMBIGUOUS_BROKEN = {
    "amb_broken": {
        "en": [
            "broken",
            "it's broken",
            "{item} broken",
            "arrived broken",
            "item is broken pls refund",
        ],
        "zh": [
            "坏了",
            "东西坏了",
            "{item}坏的",
            "收到是坏的",
            "坏了，退款",
        ],
    },
}
