"""Synthetic but valid values for demo data: names with their pinyin, phones, credit codes, place names.

Names are built from syllable tables that carry their own pinyin, so 730,000 names cost a string join
each instead of a pypinyin call; every character here reads the same alone and in these names as
``shanzhi.core.text.pinyin_keys`` reads it (tests/test_demo.py checks that on the small demo)."""

from __future__ import annotations

import random
from dataclasses import dataclass


def _table(text: str) -> list[tuple[str, str]]:
    """"王wang 李li" → [("王", "wang"), ("李", "li")]."""
    return [(item[0], item[1:]) for item in text.split()]


# Common surnames, the first ones weighted as in Henan (王 李 张 刘 陈 杨 赵 …).
SURNAMES = _table(
    """王wang 李li 张zhang 刘liu 陈chen 杨yang 赵zhao 黄huang 周zhou 吴wu 徐xu 孙sun 胡hu 朱zhu 高gao 林lin 何he
    郭guo 马ma 罗luo 梁liang 宋song 郑zheng 谢xie 韩han 唐tang 冯feng 于yu 董dong 萧xiao 程cheng 曹cao 袁yuan
    邓deng 许xu 傅fu 沈shen 彭peng 吕lv 苏su 卢lu 蒋jiang 蔡cai 贾jia 丁ding 魏wei 薛xue 叶ye 阎yan 余yu 潘pan
    杜du 戴dai 夏xia 钟zhong 汪wang 田tian 任ren 姜jiang 范fan 方fang 石shi 姚yao 谭tan 廖liao 邹zou 熊xiong 金jin
    陆lu 郝hao 孔kong 白bai 崔cui 康kang 毛mao 邱qiu 秦qin 江jiang 史shi 顾gu 侯hou 邵shao 孟meng 龙long 万wan
    段duan 雷lei 钱qian 汤tang 尹yin 黎li 易yi 常chang 武wu 乔qiao 贺he 赖lai 龚gong 文wen 原yuan 牛niu 商shang
    卫wei 苗miao"""
)
SURNAME_WEIGHTS = [10, 10, 10, 7, 5, 5, 4, 3, 3, 3, 2, 2, 2, 2, 2] + [1] * (len(SURNAMES) - 15)

# Given-name characters by sex and generation (names of people born before 1975 sound different).
MALE_OLDER = _table(
    """伟wei 强qiang 磊lei 军jun 勇yong 杰jie 涛tao 明ming 刚gang 平ping 辉hui 华hua 斌bin 国guo 建jian 新xin
    志zhi 海hai 峰feng 亮liang 成cheng 金jin 东dong 永yong 卫wei 春chun 庆qing 生sheng 福fu 山shan 德de 保bao
    全quan 宏hong 义yi 忠zhong 贵gui 祥xiang 富fu 发fa 荣rong 喜xi 立li 胜sheng 利li 光guang"""
)
MALE_YOUNGER = _table(
    """鹏peng 飞fei 鑫xin 波bo 宇yu 浩hao 凯kai 健jian 俊jun 帆fan 帅shuai 旭xu 龙long 林lin 阳yang 文wen 博bo
    振zhen 豪hao 泽ze 轩xuan 睿rui 晨chen 子zi 一yi 梓zi 航hang 铭ming 庭ting 运yun 超chao"""
)
FEMALE_OLDER = _table(
    """芳fang 敏min 静jing 丽li 艳yan 秀xiu 英ying 霞xia 玲ling 燕yan 桂gui 兰lan 梅mei 萍ping 娟juan 凤feng
    琴qin 云yun 珍zhen 荣rong 淑shu 爱ai 月yue 花hua 菊ju 彩cai 素su 玉yu 香xiang 巧qiao 翠cui 红hong"""
)
FEMALE_YOUNGER = _table(
    """琳lin 婷ting 雪xue 慧hui 莉li 颖ying 欣xin 佳jia 悦yue 琪qi 雨yu 涵han 萱xuan 怡yi 诗shi 梦meng 晶jing
    洁jie 瑶yao 璐lu 冰bing 晓xiao 小xiao 娜na 倩qian"""
)

# Parts of synthetic village names (东坡村, 柳沟村 …); pinyin of places comes from pinyin_keys (a few thousand).
VILLAGE_PREFIXES = list("东西南北上下前后大小新老王李张刘赵马杨柳桃杏枣石河槐榆松竹白黄青红金山泉水安和")
VILLAGE_SUFFIXES = list("庄沟坡岭河湾寨营屯店头口洼峪窑园桥坪岗滩")
COMMUNITY_PARTS = list("苑园里城苑景")
INDUSTRIES = ["农业发展", "建材", "食品", "机械制造", "冶金配件", "物流", "农产品加工", "果蔬种植"]
SHOPS = ["便民超市", "农资店", "小吃部", "理发店", "修车铺", "五金店", "诊所", "服装店", "粮油店"]
PHONE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
                  "156", "157", "158", "159", "166", "176", "177", "180", "181", "182", "185", "186", "187", "188",
                  "189", "191", "198", "199"]
CHINESE_NUMERALS = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (enough for groups and grids)."""
    if n <= 10:
        return CHINESE_NUMERALS[n]
    tens, ones = divmod(n, 10)
    return (CHINESE_NUMERALS[tens] if tens > 1 else "") + "十" + (CHINESE_NUMERALS[ones] if ones else "")


@dataclass(frozen=True)
class Name:
    text: str
    pinyin: str
    initials: str


class NameMaker:
    """Draws names from the tables with a caller's random generator (so a seed fixes every name)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._cum_surnames = list(_accumulate(SURNAME_WEIGHTS))

    def surname(self) -> tuple[str, str]:
        return self.rng.choices(SURNAMES, cum_weights=self._cum_surnames, k=1)[0]

    def given(self, *, male: bool, birth_year: int) -> list[tuple[str, str]]:
        younger = birth_year >= 1975 if self.rng.random() < 0.85 else birth_year < 1975
        pool = (MALE_YOUNGER if younger else MALE_OLDER) if male else (FEMALE_YOUNGER if younger else FEMALE_OLDER)
        if self.rng.random() < 0.28:
            return [self.rng.choice(pool)]
        return [self.rng.choice(pool), self.rng.choice(pool)]

    def person(self, *, male: bool, birth_year: int, surname: tuple[str, str] | None = None) -> Name:
        parts = [surname or self.surname(), *self.given(male=male, birth_year=birth_year)]
        return Name(
            text="".join(c for c, _ in parts),
            pinyin="".join(p for _, p in parts),
            initials="".join(p[0] for _, p in parts),
        )

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"


def _accumulate(weights: list[int]) -> list[int]:
    total, out = 0, []
    for w in weights:
        total += w
        out.append(total)
    return out


# 统一社会信用代码 (GB 32100-2015): registration authority, type, area, 9-character organisation code
# (GB 11714, with its own check character), check character over the first 17.
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organisation_code(body8: str) -> str:
    """GB 11714: eight digits and a check character (10 → X, 11 → 0)."""
    total = sum(int(c) * w for c, w in zip(body8, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body8 + ("X" if check == 10 else "0" if check == 11 else str(check))


def credit_code(*, rng: random.Random, area_code: str, individual: bool) -> str:
    """A valid unified social credit code: 91 (enterprise) or 92 (个体工商户) registered by 市场监管 in ``area_code``."""
    first17 = ("92" if individual else "91") + area_code[:6] + organisation_code(f"{rng.randrange(10**8):08d}")
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return first17 + CREDIT_CHARS[(31 - total % 31) % 31]


def credit_code_valid(code: str) -> bool:
    if len(code) != 18 or any(c not in CREDIT_CHARS for c in code):
        return False
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(code[:17], CREDIT_WEIGHTS, strict=True))
    return code[17] == CREDIT_CHARS[(31 - total % 31) % 31]
