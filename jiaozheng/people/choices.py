"""Code tables for the caseload registry."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class CorrectionType(models.TextChoices):
    """矫正类别: the legal basis of community correction."""

    PUBLIC_SURVEILLANCE = "public_surveillance", _("Public surveillance")  # 管制
    PROBATION = "probation", _("Probation")  # 缓刑
    PAROLE = "parole", _("Parole")  # 假释
    TEMPORARY_OUTSIDE = "temporary_outside_execution", _("Temporary execution outside prison")  # 暂予监外执行


class SupervisionClass(models.TextChoices):
    """分类管理: supervision level."""

    STRICT = "strict", _("Strict")  # 严管
    ORDINARY = "ordinary", _("Ordinary")  # 普管
    LENIENT = "lenient", _("Lenient")  # 宽管


class Status(models.TextChoices):
    PENDING = "pending", _("Awaiting report")  # 待报到
    IN_CORRECTION = "in_correction", _("In correction")  # 在矫
    RELEASED = "released", _("Released")  # 解矫
    TERMINATED = "terminated", _("Terminated")  # 终止


class TerminationReason(models.TextChoices):
    REVOCATION = "revocation", _("Probation or parole revoked")  # 撤销缓刑/假释
    COMMITTAL = "committal", _("Committed to prison")  # 收监执行
    DEATH = "death", _("Death")  # 死亡


class Education(models.TextChoices):
    ILLITERATE = "illiterate", _("Illiterate")
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior_secondary", _("Junior secondary")
    SENIOR = "senior_secondary", _("Senior secondary")
    VOCATIONAL = "vocational_secondary", _("Vocational secondary")
    COLLEGE = "junior_college", _("Junior college")
    BACHELOR = "bachelor", _("Bachelor")
    POSTGRADUATE = "postgraduate", _("Postgraduate")


# Ordinal position of each education level, for grouping by similarity.
EDUCATION_RANK = {value: rank for rank, value in enumerate(Education.values)}


class Employment(models.TextChoices):
    UNEMPLOYED = "unemployed", _("Unemployed")
    FARMING = "farming", _("Farming")
    MIGRANT = "migrant_worker", _("Migrant worker")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    EMPLOYED = "employed", _("Employed")
    STUDENT = "student", _("Student")
    RETIRED = "retired", _("Retired")
    OTHER = "other", pgettext_lazy("employment", "Other")


class OffenceCategory(models.TextChoices):
    """Offence categories used for class education, grouping and statistics."""

    DANGEROUS_DRIVING = "dangerous_driving", _("Dangerous driving")  # 危险驾驶
    TRAFFIC = "traffic_accident", _("Causing a traffic accident")  # 交通肇事
    THEFT = "theft", _("Theft")  # 盗窃
    FRAUD = "fraud", _("Fraud")  # 诈骗
    INJURY = "intentional_injury", _("Intentional injury")  # 故意伤害
    AFFRAY = "affray", _("Picking quarrels and affray")  # 寻衅滋事、聚众斗殴
    GAMBLING = "gambling", _("Gambling")  # 赌博、开设赌场
    DRUGS = "drugs", _("Drug offences")  # 毒品犯罪
    ENVIRONMENT = "environment", _("Resources and environment")  # 非法采矿、滥伐林木、非法捕捞
    DUTY = "duty", _("Duty crimes (embezzlement, bribery)")  # 职务犯罪
    ECONOMIC = "economic", _("Economic crimes")  # 非法吸收公众存款等
    OTHER = "other", pgettext_lazy("offence", "Other")


class OffenceGroup(models.TextChoices):
    """Broad groups used as strata for group counselling and education by category."""

    VIOLENT = "violent", _("Violent")
    PROPERTY = "property", _("Property")
    DRUG = "drug", _("Drug-related")
    TRAFFIC = "traffic", _("Traffic")
    DUTY = "duty", _("Duty-related")
    OTHER = "other", pgettext_lazy("offence group", "Other")


OFFENCE_GROUP = {
    OffenceCategory.DANGEROUS_DRIVING: OffenceGroup.TRAFFIC,
    OffenceCategory.TRAFFIC: OffenceGroup.TRAFFIC,
    OffenceCategory.THEFT: OffenceGroup.PROPERTY,
    OffenceCategory.FRAUD: OffenceGroup.PROPERTY,
    OffenceCategory.INJURY: OffenceGroup.VIOLENT,
    OffenceCategory.AFFRAY: OffenceGroup.VIOLENT,
    OffenceCategory.GAMBLING: OffenceGroup.OTHER,
    OffenceCategory.DRUGS: OffenceGroup.DRUG,
    OffenceCategory.ENVIRONMENT: OffenceGroup.OTHER,
    OffenceCategory.DUTY: OffenceGroup.DUTY,
    OffenceCategory.ECONOMIC: OffenceGroup.PROPERTY,
    OffenceCategory.OTHER: OffenceGroup.OTHER,
}


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class EventKind(models.TextChoices):
    """Lifecycle events on a person's record."""

    REGISTERED = "registered", _("Registered")  # 接收登记
    REPORTED = "reported", _("Reported in")  # 报到
    ANNOUNCED = "announced", _("Admission announced")  # 入矫宣告
    CLASS_CHANGED = "class_changed", _("Supervision class changed")  # 分类调整
    RELEASED = "released", _("Released")  # 解除矫正
    TERMINATED = "terminated", _("Terminated")  # 终止
    SEALED = "sealed", _("Records sealed")  # 犯罪记录封存
    UNSEALED = "unsealed", _("Seal lifted")  # 解除封存


class DisciplineKind(models.TextChoices):
    """考核奖惩 (L art. 28)."""

    COMMENDATION = "commendation", _("Commendation")  # 表扬
    ADMONITION = "admonition", _("Admonition")  # 训诫
    WARNING = "warning", _("Warning")  # 警告
    POLICE_PENALTY = "police_penalty", _("Public-security penalty proposed")  # 提请治安管理处罚


class TeamRole(models.TextChoices):
    """Members of a correction team (矫正小组, L art. 25)."""

    OFFICER = "officer", _("Judicial office staff")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    VILLAGE_COMMITTEE = "village_committee", _("Village / residents' committee")
    EMPLOYER_SCHOOL = "employer_school", _("Employer or school")
    FAMILY = "family", _("Family member or guardian")
    VOLUNTEER = "volunteer", _("Volunteer")
    POLICE = "police", _("Police station")


class ProhibitionKind(models.TextChoices):
    """禁止令 content types."""

    AREA = "area", _("Entering an area or place")
    CONTACT = "contact", _("Contacting certain people")
    ACTIVITY = "activity", _("Certain activities")


# GB/T 3304 ethnic groups: code -> (Chinese name, English name)
ETHNICITIES: list[tuple[str, str, str]] = [
    ("01", "汉族", "Han"),
    ("02", "蒙古族", "Mongol"),
    ("03", "回族", "Hui"),
    ("04", "藏族", "Tibetan"),
    ("05", "维吾尔族", "Uyghur"),
    ("06", "苗族", "Miao"),
    ("07", "彝族", "Yi"),
    ("08", "壮族", "Zhuang"),
    ("09", "布依族", "Bouyei"),
    ("10", "朝鲜族", "Korean"),
    ("11", "满族", "Manchu"),
    ("12", "侗族", "Dong"),
    ("13", "瑶族", "Yao"),
    ("14", "白族", "Bai"),
    ("15", "土家族", "Tujia"),
    ("16", "哈尼族", "Hani"),
    ("17", "哈萨克族", "Kazakh"),
    ("18", "傣族", "Dai"),
    ("19", "黎族", "Li"),
    ("20", "傈僳族", "Lisu"),
    ("21", "佤族", "Va"),
    ("22", "畲族", "She"),
    ("23", "高山族", "Gaoshan"),
    ("24", "拉祜族", "Lahu"),
    ("25", "水族", "Sui"),
    ("26", "东乡族", "Dongxiang"),
    ("27", "纳西族", "Nakhi"),
    ("28", "景颇族", "Jingpo"),
    ("29", "柯尔克孜族", "Kyrgyz"),
    ("30", "土族", "Tu"),
    ("31", "达斡尔族", "Daur"),
    ("32", "仫佬族", "Mulao"),
    ("33", "羌族", "Qiang"),
    ("34", "布朗族", "Blang"),
    ("35", "撒拉族", "Salar"),
    ("36", "毛南族", "Maonan"),
    ("37", "仡佬族", "Gelao"),
    ("38", "锡伯族", "Xibe"),
    ("39", "阿昌族", "Achang"),
    ("40", "普米族", "Pumi"),
    ("41", "塔吉克族", "Tajik"),
    ("42", "怒族", "Nu"),
    ("43", "乌孜别克族", "Uzbek"),
    ("44", "俄罗斯族", "Russian"),
    ("45", "鄂温克族", "Evenki"),
    ("46", "德昂族", "De'ang"),
    ("47", "保安族", "Bonan"),
    ("48", "裕固族", "Yugur"),
    ("49", "京族", "Gin"),
    ("50", "塔塔尔族", "Tatar"),
    ("51", "独龙族", "Derung"),
    ("52", "鄂伦春族", "Oroqen"),
    ("53", "赫哲族", "Hezhen"),
    ("54", "门巴族", "Monba"),
    ("55", "珞巴族", "Lhoba"),
    ("56", "基诺族", "Jino"),
]
ETHNICITY_BY_NAME = {zh: code for code, zh, _en in ETHNICITIES}
ETHNICITY_BY_NAME.update({en.lower(): code for code, _zh, en in ETHNICITIES})


def ethnicity_choices(language: str = "zh-hans") -> list[tuple[str, str]]:
    if language.startswith("zh"):
        return [(code, zh) for code, zh, _en in ETHNICITIES]
    return [(code, en) for code, _zh, en in ETHNICITIES]


def ethnicity_label(code: str, language: str = "zh-hans") -> str:
    for c, zh, en in ETHNICITIES:
        if c == code:
            return zh if language.startswith("zh") else en
    return code
