"""The scorer reproduces every worked example of psychometrics.md §8 and its rules (§1-§5).

No database: the scales are data files and the scorer is pure.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiaozheng.assessments.scales import ScaleError, get_scale, validate_data
from jiaozheng.assessments.scoring import (
    AnswerError,
    ScoreOptions,
    apply_rounding,
    longest_run,
    round_half_up,
    score,
)

# §8.1: awell-score's random_response fixture on the 0-4 scale, items 1-90.
VECTOR_0_4 = [
    0, 4, 3, 2, 1, 2, 2, 3, 2, 0, 4, 3, 2, 2, 1, 2, 1, 2, 3, 3, 3, 4, 2, 0, 0, 4, 3, 2, 3, 4,
    3, 0, 4, 3, 2, 1, 2, 4, 3, 0, 4, 3, 2, 1, 1, 2, 2, 3, 3, 4, 3, 2, 2, 3, 3, 3, 2, 3, 3, 3,
    3, 2, 2, 3, 4, 3, 4, 3, 2, 1, 1, 1, 1, 1, 1, 3, 4, 4, 3, 3, 4, 3, 4, 3, 3, 3, 4, 3, 3, 0,
]  # fmt: skip
VECTOR_1_5 = [a + 1 for a in VECTOR_0_4]

# psychometrics.md §1.1, the table (not the scale file): the test guards the file against it.
FACTORS = {
    "somatization": [1, 4, 12, 27, 40, 42, 48, 49, 52, 53, 56, 58],
    "obsessive": [3, 9, 10, 28, 38, 45, 46, 51, 55, 65],
    "interpersonal": [6, 21, 34, 36, 37, 41, 61, 69, 73],
    "depression": [5, 14, 15, 20, 22, 26, 29, 30, 31, 32, 54, 71, 79],
    "anxiety": [2, 17, 23, 33, 39, 57, 72, 78, 80, 86],
    "hostility": [11, 24, 63, 67, 74, 81],
    "phobic": [13, 25, 47, 50, 70, 75, 82],
    "paranoid": [8, 18, 43, 68, 76, 83],
    "psychoticism": [7, 16, 35, 62, 77, 84, 85, 87, 88, 90],
    "other": [19, 44, 59, 60, 64, 66, 89],
}
# §8.1 expected factor sums (0-4, from awell's test), sums and means on the 1-5 scale.
EXPECTED_FACTORS = {
    "somatization": (27, 39, 3.25),
    "obsessive": (24, 34, 3.4),
    "interpersonal": (21, 30, 3.3333),
    "depression": (32, 45, 3.4615),
    "anxiety": (27, 37, 3.7),
    "hostility": (15, 21, 3.5),
    "phobic": (13, 20, 2.8571),
    "paranoid": (17, 23, 3.8333),
    "psychoticism": (25, 35, 3.5),
    "other": (19, 26, 3.7143),
}


@pytest.fixture(scope="module")
def scl90():
    return get_scale("scl90")


# --- SCL-90 -------------------------------------------------------------------------------------------


def test_the_scl90_factor_items_are_those_of_the_specification(scl90):
    # given the scale file; then each factor holds exactly the items of psychometrics.md §1.1
    assert {name: sorted(sub["items"]) for name, sub in scl90.subscales.items()} == FACTORS
    # and the pitfalls of public code are absent: no contiguous blocks, item 15 in DEP, 2 in ANX, 66 in Other
    assert scl90.subscales["somatization"]["items"] != list(range(1, 13))
    assert 15 in scl90.subscales["depression"]["items"]
    assert 2 in scl90.subscales["anxiety"]["items"]
    assert 66 in scl90.subscales["other"]["items"]
    assert 76 not in scl90.subscales["interpersonal"]["items"]


@settings(max_examples=60, deadline=None)
@given(st.permutations(list(range(1, 91))))
def test_property_the_scl90_factors_partition_items_1_to_90(order):
    # given the factors of the shipped scale file, looked up in any order of the items
    scale = get_scale("scl90")
    owner = {}
    for name, sub in scale.subscales.items():
        for item in sub["items"]:
            # then no item belongs to two factors
            assert item not in owner, f"item {item} in {owner.get(item)} and {name}"
            owner[item] = name
    # and every item 1-90 belongs to one factor (12+10+9+13+10+6+7+6+10+7 = 90)
    assert all(item in owner for item in order)
    assert sum(len(sub["items"]) for sub in scale.subscales.values()) == 90


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=5), min_size=90, max_size=90))
def test_property_factor_sums_add_up_to_the_total(answers):
    # given any complete set of answers; when scored
    result = score(get_scale("scl90"), answers)
    # then the factor sums add up to the total, and positive + negative items = 90
    assert sum(s["sum"] for s in result["subscales"].values()) == result["metrics"]["total"] == sum(answers)
    assert result["metrics"]["positive_n"] + result["metrics"]["negative_n"] == 90


def test_the_90_item_vector_gives_the_published_results(scl90):
    # given the §8.1 vector on the 1-5 scale; when scored
    result = score(scl90, VECTOR_1_5)
    metrics = result["metrics"]
    # then total 310, GSI 3.4444, 83 positive and 7 negative items, PSDI 3.6506 (and 2.6506 on 0-4)
    assert metrics["total"] == 310
    assert metrics["gsi"] == 3.4444
    assert metrics["positive_n"] == 83
    assert metrics["negative_n"] == 7
    assert metrics["psdi"] == 3.6506
    assert metrics["total0"] == 220
    assert metrics["psdi0"] == 2.6506
    # and each factor's 0-4 sum, 1-5 sum and mean
    for name, (sum_0_4, sum_1_5, mean) in EXPECTED_FACTORS.items():
        sub = result["subscales"][name]
        assert sub["sum"] - sub["items"] == sum_0_4, name
        assert sub["sum"] == sum_1_5, name
        assert sub["mean"] == mean, name
    # and it screens positive on all three criteria
    rules = {r["metric"]: r for r in result["screening"]["rules"]}
    assert result["screening"]["positive"] is True
    assert rules["total"]["met"] and rules["positive_n"]["met"]
    assert sorted(rules["subscales.*"]["met_by"]) == sorted(FACTORS)
    assert result["validity"]["status"] == "valid"


def test_psdi_equals_the_mean_of_the_positive_items(scl90):
    positives = [a for a in VECTOR_1_5 if a >= 2]
    result = score(scl90, VECTOR_1_5)
    assert result["metrics"]["psdi"] == float(round_half_up(Fraction(sum(positives), len(positives)), 4))
    # the textbook formula (总分 − 阴性项目数) / 阳性项目数 gives the same
    assert Fraction(310 - 7, 83) == Fraction(sum(positives), len(positives))


@pytest.mark.parametrize(
    ("total", "negative", "positive", "expected"),
    [(195, 32, 58, "2.8"), (214, 28, 62, "3.0")],  # §8.2 national counsellor exam items
)
def test_the_published_exam_examples_of_the_positive_symptom_mean(scl90, total, negative, positive, expected):
    # given answers with that total and those negative/positive counts
    assert negative + positive == 90
    rest = total - negative
    answers = [1] * negative + [2] * positive
    extra = rest - 2 * positive
    for i in range(negative, 90):
        step = min(3, extra)
        answers[i] += step
        extra -= step
    assert sum(answers) == total and extra == 0
    result = score(scl90, answers)
    # then the PSDI rounds to the answer key
    assert result["metrics"]["positive_n"] == positive
    assert f"{result['metrics']['psdi']:.1f}" == expected


def test_all_ones_all_fives_and_undefined_psdi(scl90):
    # all items 1: total 90, GSI 1.0, PST 0, PSDI undefined (None, documented)
    result = score(scl90, [1] * 90, ScoreOptions(total_seconds=600))
    assert result["metrics"]["total"] == 90
    assert result["metrics"]["gsi"] == 1
    assert result["metrics"]["positive_n"] == 0
    assert result["metrics"]["psdi"] is None
    assert result["screening"]["positive"] is False
    # and a healthy person answering all 没有 at normal speed is valid (longstring exempt at the floor)
    assert result["validity"]["status"] == "valid"
    # all items 5: total 450
    assert score(scl90, [5] * 90)["metrics"]["total"] == 450


def hostility_exactly_two():
    # the six HOS items sum to 12 (mean exactly 2.00); every other item 1; total stays ≤ 160
    answers = [1] * 90
    for item in FACTORS["hostility"]:
        answers[item - 1] = 2
    return answers


def test_the_factor_cut_off_defaults_to_greater_or_equal_and_can_be_switched(scl90):
    answers = hostility_exactly_two()
    # when scored with the default operator (>= 2.0): positive, met by hostility alone
    default = score(scl90, answers)
    rule = next(r for r in default["screening"]["rules"] if r["metric"] == "subscales.*")
    assert default["subscales"]["hostility"]["mean"] == 2
    assert rule["op"] == ">="
    assert rule["met_by"] == ["hostility"]
    assert default["screening"]["positive"] is True
    # when the operator is switched to > (超过2分): negative
    strict = score(scl90, answers, ScoreOptions(cutoff_ops={"subscales.*": ">"}))
    assert strict["screening"]["positive"] is False
    assert next(r for r in strict["screening"]["rules"] if r["metric"] == "subscales.*")["op"] == ">"


def test_the_1986_norm_is_data_with_source_and_variant_b(scl90):
    norms = {n["id"]: n for n in scl90.norms}
    a, b = norms["cn-1986-a"], norms["cn-1986-b"]
    assert a["n"] == 1388 and a["variant"] == "A" and "金华" in a["source"]
    assert a["values"]["total"] == [129.96, 38.76]
    assert a["values"]["interpersonal"] == [1.65, 0.51] and b["values"]["interpersonal"] == [1.65, 0.61]
    assert a["values"]["hostility"] == [1.48, 0.56] and b["values"]["hostility"] == [1.46, 0.55]
    assert "other" not in a["values"]


# --- SDS / SAS ---------------------------------------------------------------------------------------


def answers_for_raw(scale_code: str, raw: int) -> list[int]:
    """Answers (as chosen) whose keyed sum is ``raw``: raise forward items first."""
    scale = get_scale(scale_code)
    chosen = {i: (4 if i in scale.reverse_ids else 1) for i in scale.scored_ids}  # keyed value 1 each
    need = raw - 20
    for i in scale.scored_ids:
        step = min(3, need)
        chosen[i] = chosen[i] - step if i in scale.reverse_ids else chosen[i] + step
        need -= step
    assert need == 0
    return [chosen[i] for i in scale.scored_ids]


@pytest.mark.parametrize(
    ("raw", "floor", "half_up", "floor_band", "half_up_band"),
    [
        (55, 68, 69, "moderate", "moderate"),  # published exam: 取整数部分为68, 中度
        (50, 62, 63, "mild", "moderate"),
        (42, 52, 53, "normal", "mild"),
        (58, 72, 73, "moderate", "severe"),
    ],
)
def test_sds_standard_score_rounding_floor_by_default_and_half_up_configurable(
    raw, floor, half_up, floor_band, half_up_band
):
    sds = get_scale("sds")
    answers = answers_for_raw("sds", raw)
    default = score(sds, answers)
    assert default["metrics"]["raw"] == raw
    assert default["metrics"]["standard"] == floor
    assert default["bands"][0]["band"]["code"] == floor_band
    other = score(sds, answers, ScoreOptions(rounding={"standard": "half_up"}))
    assert other["metrics"]["standard"] == half_up
    assert other["bands"][0]["band"]["code"] == half_up_band


def test_python_round_matches_neither_rule_consistently():
    # §8.3: round() gives 52, 62, 72 for raw 42, 50, 58 (like floor) but 69 for raw 55 (like half up)
    assert [round(r * 1.25) for r in (42, 50, 58, 55)] == [52, 62, 72, 69]
    sds = get_scale("sds")
    floors = [score(sds, answers_for_raw("sds", r))["metrics"]["standard"] for r in (42, 50, 58, 55)]
    assert floors == [52, 62, 72, 68]


def test_sds_all_a_and_all_d_reverse_keys_and_contradiction():
    sds = get_scale("sds")
    all_a = score(sds, [1] * 20, ScoreOptions(total_seconds=200))
    all_d = score(sds, [4] * 20, ScoreOptions(total_seconds=200))
    # 10×1 + 10×4 = 50 → 62 floor / 63 half up, the same for all D
    for result in (all_a, all_d):
        assert result["metrics"]["raw"] == 50
        assert result["metrics"]["standard"] == 62
        assert result["bands"][0]["band"]["code"] == "mild"
        # all-same answers contradict the reverse-keyed items: invalid
        assert result["validity"]["status"] == "invalid"
        codes = {f["code"] for f in result["validity"]["flags"]}
        assert {"contradictory_longstring", "inconsistency"} <= codes
    assert score(sds, [1] * 20, ScoreOptions(rounding={"standard": "half_up"}))["metrics"]["standard"] == 63


def test_sas_extremes():
    sas = get_scale("sas")
    all_a = score(sas, [1] * 20)
    all_d = score(sas, [4] * 20)
    assert (all_a["metrics"]["raw"], all_a["metrics"]["standard"]) == (35, 43)
    assert all_a["bands"][0]["band"]["code"] == "normal"
    assert score(sas, [1] * 20, ScoreOptions(rounding={"standard": "half_up"}))["metrics"]["standard"] == 44
    assert (all_d["metrics"]["raw"], all_d["metrics"]["standard"]) == (65, 81)
    assert all_d["bands"][0]["band"]["code"] == "severe"


def test_rounding_helpers_never_round_half_to_even():
    assert apply_rounding(Fraction(125, 2), "floor") == 62
    assert apply_rounding(Fraction(125, 2), "half_up") == 63
    assert apply_rounding(Fraction(105, 2), "half_up") == 53  # 52.5 → 53 (round() gives 52)
    assert str(round_half_up(Fraction(5, 2), 0)) == "3"
    assert str(round_half_up(Fraction(12345, 100000), 4)) == "0.1235"
    assert math.floor(62.5) == 62


# --- PHQ-9 / GAD-7 -----------------------------------------------------------------------------------


def test_phq9_examples():
    phq9 = get_scale("phq9")
    none = score(phq9, [0] * 9)
    assert none["metrics"]["total"] == 0
    assert none["bands"][0]["band"]["code"] == "minimal"
    assert none["flags"] == [] and none["urgent"] is False
    item9 = score(phq9, [0] * 8 + [1])
    assert item9["metrics"]["total"] == 1
    assert item9["bands"][0]["band"]["code"] == "minimal"
    assert item9["urgent"] is True
    flag = item9["flags"][0]
    assert (flag["code"], flag["item"], flag["value"], flag["op"], flag["threshold"]) == (
        "suicide_risk",
        9,
        1,
        ">=",
        1,
    )
    assert item9["risk_level"] == "high" and item9["individual_route"] is True
    ten = score(phq9, [2, 2, 2, 2, 2, 0, 0, 0, 0])
    assert ten["metrics"]["total"] == 10
    assert ten["bands"][0]["band"]["code"] == "moderate"
    assert ten["screening"]["positive"] is True
    nine = score(phq9, [2, 2, 2, 2, 1, 0, 0, 0, 0])
    assert nine["screening"]["positive"] is False
    # item 10 is asked but not scored
    assert score(phq9, [0] * 9 + [3])["metrics"]["total"] == 0


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "minimal"), (4, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe"), (21, "severe")],
)
def test_gad7_bands(total, band):
    answers = []
    rest = total
    for _ in range(7):
        answers.append(min(3, rest))
        rest -= answers[-1]
    assert score(get_scale("gad7"), answers)["bands"][0]["band"]["code"] == band


def test_phq9_gives_no_total_when_an_item_is_missing_and_is_invalid():
    result = score(get_scale("phq9"), [1, 1, None, 1, 1, 1, 1, 1, 0])
    assert result["metrics"]["total"] is None
    assert result["screening"]["positive"] is None
    assert result["validity"]["status"] == "invalid"
    assert result["validity"]["flags"][0]["code"] == "missing_items"


# --- validity flags, each stored with its value and threshold ------------------------------------------


def flag(result, code):
    return next((f for f in result["validity"]["flags"] if f["code"] == code), None)


def test_too_many_missing_items_make_an_scl90_invalid(scl90):
    answers = list(VECTOR_1_5)
    for i in range(10):
        answers[i * 9] = None
    result = score(scl90, answers, ScoreOptions(total_seconds=600))
    missing = flag(result, "missing_items")
    assert (missing["value"], missing["op"], missing["threshold"]) == (10, ">", 9)
    assert result["validity"]["status"] == "invalid"
    # nine missing items spread over factors are allowed; the total is prorated
    answers = list(VECTOR_1_5)
    answers[0] = None
    ok = score(scl90, answers, ScoreOptions(total_seconds=600))
    assert ok["validity"]["status"] == "valid"
    assert ok["metrics"]["total"] == pytest.approx(309 / 89 * 90, abs=0.01)


def test_a_factor_missing_more_than_a_third_of_its_items_is_invalid(scl90):
    answers = list(VECTOR_1_5)
    for item in FACTORS["hostility"][:3]:
        answers[item - 1] = None
    result = score(scl90, answers, ScoreOptions(total_seconds=600))
    check = flag(result, "subscale_missing")
    assert check["subscale"] == "hostility" and check["value"] == 0.5
    assert result["validity"]["status"] == "invalid"


def test_too_fast_is_invalid_and_fast_is_questionable(scl90):
    too_fast = score(scl90, VECTOR_1_5, ScoreOptions(total_seconds=90))
    check = flag(too_fast, "too_fast")
    assert (check["value"], check["op"], check["threshold"]) == (1, "<", 2)
    assert too_fast["validity"]["status"] == "invalid"
    fast = score(scl90, VECTOR_1_5, ScoreOptions(total_seconds=225))
    assert flag(fast, "fast")["value"] == 2.5
    assert fast["validity"]["status"] == "questionable"
    untimed = score(scl90, VECTOR_1_5)
    assert untimed["validity"]["timed"] is False and untimed["validity"]["status"] == "valid"


def test_straight_lining_is_questionable_alone_and_invalid_with_speed(scl90):
    all_fours = [4] * 90
    slow = score(scl90, all_fours, ScoreOptions(total_seconds=900))
    check = flag(slow, "longstring")
    assert (check["value"], check["threshold"], check["answer"]) == (1, 0.8, 4)
    assert slow["validity"]["status"] == "questionable"
    quick = score(scl90, all_fours, ScoreOptions(total_seconds=240))
    assert {f["code"] for f in quick["validity"]["flags"]} == {"longstring", "fast"}
    assert quick["validity"]["status"] == "invalid"
    # all 5s: the total at its maximum is a second soft flag
    assert {f["code"] for f in score(scl90, [5] * 90)["validity"]["flags"]} == {"longstring", "extreme_total"}


def test_every_check_is_stored_raised_or_not(scl90):
    checks = score(scl90, VECTOR_1_5, ScoreOptions(total_seconds=600))["validity"]["checks"]
    assert {c["code"] for c in checks} == {
        "missing_items",
        "subscale_missing",
        "too_fast",
        "fast",
        "longstring",
        "extreme_total",
    }
    assert all({"value", "threshold", "op", "severity", "raised"} <= set(c) for c in checks)


def test_longest_run():
    assert longest_run([1, 1, 2, 2, 2, None, 2]) == (3, 2, 2)
    assert longest_run([]) == (0, None, 0)


# --- bad input and scale files --------------------------------------------------------------------------


def test_answers_that_do_not_fit_are_refused_clearly(scl90):
    with pytest.raises(AnswerError, match="not one of the options"):
        score(scl90, [0] * 90)
    with pytest.raises(AnswerError, match="91 answers"):
        score(scl90, [1] * 91)
    with pytest.raises(AnswerError, match="no item 95"):
        score(scl90, {95: 1})
    with pytest.raises(AnswerError, match="external"):
        score(get_scale("copa_pi"), [])


def test_scale_files_are_checked_against_the_schema_and_the_rules(scl90):
    import copy

    bad = copy.deepcopy(scl90.data)
    bad["subscales"]["hostility"]["items"].append(99)
    with pytest.raises(ScaleError, match="not scored items"):
        validate_data(bad)
    bad = copy.deepcopy(scl90.data)
    bad["metrics"] = {"psdi": {"op": "ratio", "num": "total", "den": "positive_n"}, **bad["metrics"]}
    with pytest.raises(ScaleError, match="used before it is declared"):
        validate_data(bad)
    bad = copy.deepcopy(scl90.data)
    bad["screening"]["cutoffs"][0]["op"] = "≥"
    with pytest.raises(ScaleError, match="cutoffs"):
        validate_data(bad)
    bad = copy.deepcopy(scl90.data)
    del bad["title"]
    with pytest.raises(ScaleError, match="title"):
        validate_data(bad)


def test_a_new_scale_needs_no_code(tmp_path, monkeypatch):
    # given an agency directory with a new 3-item scale and its content pack
    from jiaozheng.assessments import scales

    (tmp_path / "scales").mkdir()
    (tmp_path / "content").mkdir()
    (tmp_path / "scales" / "mini.yaml").write_text(
        """
id: mini
version: "1"
kind: questionnaire
title: {zh-hans: 小量表}
content_pack: mini
response_scale: [{value: 0, label: {zh-hans: 否}}, {value: 1, label: {zh-hans: 是}}]
items: [1, 2, {id: 3, reverse: true}]
metrics: {total: {op: sum, items: all}}
primary_metric: total
screening: {cutoffs: [{metric: total, op: ">=", value: 2, source: test}]}
""",
        encoding="utf-8",
    )
    (tmp_path / "content" / "mini.zh-hans.yaml").write_text(
        "scale: mini\nitems: {1: 甲, 2: 乙, 3: 丙}\n", encoding="utf-8"
    )
    monkeypatch.setenv("JZ_SCALES_DIR", str(tmp_path))
    scales.reload()
    try:
        # when it is loaded and scored
        mini = scales.get_scale("mini")
        result = score(mini, [1, 1, 1])
        # then reverse keys, metrics and cut-offs work from the file alone
        assert result["metrics"]["total"] == 2
        assert result["screening"]["positive"] is True
        assert mini.item_text(2) == "乙"
        assert "scl90" in scales.all_scales()
    finally:
        monkeypatch.delenv("JZ_SCALES_DIR")
        scales.reload()


def test_content_packs_mark_which_texts_need_agency_approval():
    assert get_scale("scl90").content("zh-hans").approval_required is True
    assert get_scale("scl90").content("zh-hans").placeholder is True
    assert get_scale("sds").content("en").approval_required is True
    assert get_scale("sas").content("zh-hans").usable_in_production is False
    phq9 = get_scale("phq9").content("zh-hans")
    assert phq9.approval_required is False and phq9.usable_in_production
    assert get_scale("phq9").item_text(9) == "有不如死掉或用某种方式伤害自己的念头"
    assert get_scale("gad7").item_text(1, "en") == "Feeling nervous, anxious, or on edge"
    assert all(
        len(get_scale(c).content(lang).items) == len(get_scale(c).items)
        for c in ("scl90", "sds", "sas", "phq9", "gad7")
        for lang in ("zh-hans", "en")
    )


# --- the command line -----------------------------------------------------------------------------------


def run_cli(*args):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("assess", *args, stdout=out)
    return out.getvalue()


def test_the_cli_prints_the_scored_result_as_json():
    result = json.loads(run_cli("score", "scl90", "--answers", ",".join(map(str, VECTOR_1_5))))
    assert result["metrics"]["total"] == 310
    assert result["subscales"]["paranoid"]["mean"] == 3.8333
    assert result["screening"]["positive"] is True
    assert result["validity"]["status"] == "valid"
    sds = json.loads(run_cli("score", "sds", "--answers", ",".join(["1"] * 20), "--rounding", "half_up"))
    assert sds["metrics"]["standard"] == 63
    phq9 = json.loads(run_cli("score", "phq9", "--answers", "0,0,0,0,0,0,0,0,1"))
    assert phq9["flags"][0]["code"] == "suicide_risk"
    strict = json.loads(
        run_cli(
            "score",
            "scl90",
            "--answers",
            ",".join(map(str, hostility_exactly_two())),
            "--cutoff-op",
            "subscales.*=>",
        )
    )
    assert strict["screening"]["positive"] is False


def test_the_cli_refuses_bad_answers_and_unknown_scales():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not one of the options"):
        run_cli("score", "gad7", "--answers", "0,0,4")
    with pytest.raises(CommandError, match="unknown scale"):
        run_cli("score", "mmpi", "--answers", "1")


def test_the_cli_validates_scale_files(tmp_path):
    from django.core.management.base import CommandError

    assert "OK scl90.yaml" in run_cli("validate", str(get_scale("scl90").path))
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\nversion: 1\nkind: questionnaire\n", encoding="utf-8")
    with pytest.raises(CommandError, match="invalid"):
        run_cli("validate", str(broken))
