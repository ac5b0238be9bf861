"""A labelled sample for the "looks like an open case" check: reports about known problems.

Each family is one problem at one place, written by several residents in their own words,
as reports to a station arrive. Two reports of a family are "the same problem"; two reports of
different families of the same category are not, though they share the category's words
(lights, roads, parking). ``bench/lookalike.py`` measures the precision of the suggestions
on these reports and chooses nothing itself: the threshold in :mod:`services.cases.lookalike`
was set from its sweep.
"""

from __future__ import annotations

# category code -> families; a family is the texts of one problem.
FAMILIES: dict[str, list[list[str]]] = {
    "facilities": [
        [
            "小区3号门的路灯坏了一个星期，晚上很黑",
            "3号门路灯不亮已经一周了，晚上走路很黑",
            "三号门口路灯坏了，晚上看不见路",
            "小区三号门那盏路灯一直不亮，老人晚上出门不安全",
        ],
        [
            "学校门口的马路上有个大坑，电动车经常摔倒",
            "学校门口马路坑洼，下雨积水，电动车摔了好几次",
            "校门口路面有大坑，请尽快修补",
            "学校大门前的道路破损出坑，骑车很危险",
        ],
        [
            "5号楼前的井盖松动，踩上去会翻",
            "五号楼门前井盖松了，差点有人掉下去",
            "5号楼前面井盖不稳，晃动有安全隐患",
        ],
        [
            "12号楼自来水管爆裂，楼道里全是水",
            "12号楼水管破了，一直漏水，楼道积水",
            "十二号楼的供水管道爆了，楼里停水",
        ],
    ],
    "parking": [
        [
            "每天晚上8点以后消防通道被私家车堵住",
            "晚上消防通道停满了车，消防车进不来",
            "小区消防通道天天被车占用，晚上尤其严重",
            "私家车晚上堵塞消防通道，出了事怎么办",
        ],
        [
            "地铁站出口共享单车乱停，人行道走不过去",
            "地铁口共享单车堆满人行道，行人没法走",
            "共享单车把地铁站出口的人行道堵死了",
        ],
        [
            "小区车位太少，晚上回来没地方停车",
            "小区停车位不够，下班回来找不到车位",
            "车位严重不足，只能停到小区外面马路上",
        ],
    ],
    "property": [
        [
            "8号楼电梯又坏了，老人上下楼很困难",
            "8号楼的电梯经常故障停运，老年人爬楼吃力",
            "八号楼电梯坏了三天没人修",
            "8号楼电梯天天出故障，物业不管",
        ],
        [
            "楼道垃圾好几天没人清理，气味很大",
            "垃圾堆在楼道里几天没有清运，臭味熏人",
            "物业不清理楼道垃圾，夏天很臭",
        ],
        [
            "物业费涨价没有公示，业主不知情",
            "物业突然上调物业费，也没有开业主大会公示",
            "物业费上涨没有经过业主同意，也没有公示",
        ],
    ],
    "environment": [
        [
            "楼下烧烤店油烟太大，家里不能开窗",
            "楼下餐馆油烟直排，影响居民开窗通风",
            "烧烤店油烟熏到楼上住户，窗户都不敢开",
            "楼下饭店油烟扰民，每天晚上一股油烟味",
        ],
        [
            "工地夜间施工噪音大，晚上11点还在打桩",
            "旁边工地半夜施工，噪音吵得睡不着",
            "建筑工地晚上施工扰民，夜里还有机器声",
        ],
        [
            "广场舞音响声音太大，晚上影响休息",
            "广场舞音乐开得很响，吵到周围居民",
            "每天晚上广场舞噪音扰民，音响音量太大",
        ],
    ],
}

# Places and times a resident adds; mixed into the loaded cases so no two texts are the same.
DETAILS = [
    "",
    "希望尽快处理。",
    "已经向物业反映过。",
    "请相关部门管一管。",
    "附近居民意见很大。",
    "周末更严重。",
    "孩子上学要经过这里。",
]
