"""Residents' and hotline texts about known problems: the demo's hotline, the bench, the sample.

Each problem has a category, an area (district code), a place and several ways people word
it; a text is one wording with the place, a way of opening and a way of asking, so two texts
of one problem share the problem's words but rarely a sentence. Problems of one category and
area that differ (cars on the fire lane, not enough spaces) are here on purpose: the grouping
must keep them apart.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem of one place, and the ways residents word it."""

    key: str
    category: str
    area: str
    place: str
    wordings: tuple[str, ...]


def _p(key: str, category: str, area: str, place: str, *wordings: str) -> Problem:
    return Problem(key, category, area, place, wordings)


PROBLEMS: tuple[Problem, ...] = (
    _p(
        "fire-lane",
        "parking",
        "XQ",
        "敬德街社区",
        "{p}消防通道长期被私家车占用，消防车根本进不来",
        "{p}的消防通道天天停满车，万一着火怎么办",
        "晚上{p}消防通道上停了一排车，物业也不管",
        "{p}有车辆堵塞消防通道，存在安全隐患",
    ),
    _p(
        "spaces",
        "parking",
        "XQ",
        "敬德街社区",
        "{p}停车位太少了，下班回来根本找不到车位",
        "{p}车位严重不足，很多车只能停在小区外面马路上",
        "希望在{p}附近增加停车位，现在停车太难",
        "{p}老小区没有规划车位，停车难问题突出",
    ),
    _p(
        "bikes",
        "parking",
        "JF",
        "阅海万家",
        "{p}门口共享单车乱停乱放，人行道都走不了",
        "{p}周边的共享单车堆成一堆，挡住了盲道",
        "共享单车在{p}公交站旁边乱停，影响通行",
        "{p}附近单车无序停放，请督促运营企业清理",
    ),
    _p(
        "zombie-cars",
        "parking",
        "JF",
        "北安社区",
        "{p}有几辆僵尸车停了一年多没人开，占着车位",
        "{p}院里的废弃车辆长期无人挪走，落满灰尘",
        "请清理{p}的长期停放的僵尸车",
        "{p}的报废车一直停着不动，占用公共车位",
    ),
    _p(
        "elevator",
        "property",
        "XQ",
        "凤鸣佳苑",
        "{p}3号楼电梯经常坏，老人被困在里面好几次",
        "{p}的电梯三天两头故障停运，物业维修太慢",
        "{p}电梯老化频繁困人，希望尽快更换",
        "住{p}高层，电梯总是停运，上下楼非常不方便",
    ),
    _p(
        "fee",
        "property",
        "XQ",
        "凤鸣佳苑",
        "{p}物业费涨价了但服务一点没变好",
        "{p}物业公司擅自上调物业费，没有征求业主意见",
        "{p}的物业乱收费，停车费和物业费都涨了",
        "对{p}物业费上涨有意见，收费不公开不透明",
    ),
    _p(
        "leak",
        "property",
        "JF",
        "京能天下川",
        "{p}楼顶漏水，一下雨家里墙面全是水渍",
        "{p}顶楼屋面防水坏了，雨天渗水严重",
        "{p}房顶渗漏多次报修没人管",
        "下雨后{p}顶层住户家里漏水，天花板发霉",
    ),
    _p(
        "streetlight",
        "facilities",
        "XQ",
        "满村新村",
        "{p}路灯坏了好几盏，晚上走路黑漆漆的",
        "{p}主干道的路灯不亮已经一个月了",
        "{p}夜间照明不足，路灯损坏没人修",
        "希望修复{p}不亮的路灯，夜里出行不安全",
    ),
    _p(
        "pothole",
        "facilities",
        "XQ",
        "满村新村",
        "{p}村口道路坑洼不平，下雨全是积水",
        "{p}的路面破损严重，电动车经常摔倒",
        "{p}进村的路到处是坑，希望重新铺设",
        "{p}道路年久失修坑坑洼洼，出行困难",
    ),
    _p(
        "sewer",
        "facilities",
        "JF",
        "北安社区",
        "{p}下水道堵塞，污水漫到路面上",
        "{p}的排水管网老化，一下雨就返水",
        "{p}污水井冒水，臭味很大",
        "{p}雨污管道堵了，路边污水横流",
    ),
    _p(
        "heating",
        "facilities",
        "JF",
        "京能天下川",
        "{p}暖气不热，屋里温度只有十几度",
        "{p}供暖温度不达标，家里老人孩子受冻",
        "{p}今年暖气一直不热，找了供热公司也没用",
        "{p}室内温度太低，希望供热单位检查管道",
    ),
    _p(
        "garbage",
        "environment",
        "XQ",
        "敬德街社区",
        "{p}垃圾桶满了好几天没人清运，臭气熏天",
        "{p}的垃圾清运不及时，周围全是苍蝇",
        "{p}生活垃圾堆在路边无人收，夏天味道很大",
        "请督促环卫及时清理{p}堆积的垃圾",
    ),
    _p(
        "noise",
        "environment",
        "JF",
        "阅海万家",
        "{p}旁边工地夜间施工，噪音吵得睡不着",
        "{p}附近工地半夜还在打桩，严重扰民",
        "{p}周边建筑工地晚上十点以后还在作业",
        "夜间施工噪音影响{p}居民休息",
    ),
    _p(
        "restaurant-smoke",
        "environment",
        "JF",
        "阅海万家",
        "{p}楼下饭店油烟直排，家里窗户都不能开",
        "{p}底商餐馆的油烟很大，熏得楼上住户受不了",
        "{p}烧烤店油烟扰民，没有安装净化设备",
        "{p}餐饮店排放油烟污染严重",
    ),
    _p(
        "kindergarten",
        "childcare",
        "XX",
        "高校家属区",
        "{p}附近没有公办幼儿园，孩子入园难",
        "{p}的孩子上幼儿园要跑很远，希望就近新建",
        "{p}普惠性幼儿园名额太少，报名抢不到",
        "{p}周边公办园学位不足",
    ),
    _p(
        "school-traffic",
        "education",
        "XX",
        "高校家属区",
        "{p}小学门口上下学时段交通拥堵，孩子过马路危险",
        "{p}学校放学时接孩子的车堵满路口",
        "{p}小学门前没有斑马线和信号灯，学生过街不安全",
        "上学高峰{p}学校周边道路堵得水泄不通",
    ),
    _p(
        "clinic",
        "health",
        "XQ",
        "满村新村",
        "{p}卫生室没有医生坐诊，看病要进城",
        "{p}的村卫生室经常关门，老人看病不方便",
        "希望{p}卫生室配备常驻医生",
        "{p}村医不足，小病也得跑到城里医院",
    ),
    _p(
        "canteen",
        "elderly",
        "JF",
        "北安社区",
        "{p}没有老年食堂，独居老人吃饭成问题",
        "希望{p}开办社区老年餐桌",
        "{p}的老人吃饭难，建议建设助餐点",
        "{p}高龄老人多，需要社区食堂送餐服务",
    ),
    _p(
        "food-stall",
        "food",
        "XQ",
        "敬德街社区",
        "{p}菜市场里卖过期食品，没人检查",
        "{p}市场有商贩卖变质的肉",
        "{p}农贸市场食品安全问题，熟食摊没有卫生许可",
        "在{p}菜市场买到过期的牛奶",
    ),
    _p(
        "wages",
        "jobs",
        "XX",
        "高校家属区",
        "{p}附近工地拖欠农民工工资几个月了",
        "在{p}干活的工人被欠薪，老板找不到人",
        "{p}建筑项目欠薪，请劳动监察介入",
        "{p}工地工钱一直不给结算",
    ),
)

OPENINGS = ("", "你好，", "您好，", "反映一个问题：", "我是附近居民，", "投诉：", "求助，")
CLOSINGS = (
    "",
    "。",
    "，希望有关部门尽快处理。",
    "，请尽快解决！",
    "，多次反映没有结果。",
    "，希望领导重视。",
    "，谢谢。",
)


def compose(problem: Problem, rng: random.Random) -> str:
    """One resident's text about ``problem``."""
    wording = rng.choice(problem.wordings).format(p=problem.place)
    return rng.choice(OPENINGS) + wording + rng.choice(CLOSINGS)


def sample(per_problem: int = 15, seed: int = 14) -> list[tuple[str, str, str, str]]:
    """(problem key, category, area, text) rows: ``per_problem`` texts of every problem."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample, no secret
    return [
        (problem.key, problem.category, problem.area, compose(problem, rng))
        for problem in PROBLEMS
        for _ in range(per_problem)
    ]
