"""Scoring rules of the self-evaluation form and the way rates are written (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jiaozheng.indicators.choices import Band, Direction, Grade, RateDisplay
from jiaozheng.indicators.scoring import (
    Status,
    band_problem,
    displayed_rate,
    format_number,
    format_percent,
    format_wan,
    grade_for,
    score_qualitative,
    score_quantitative,
)


def test_over_target_keeps_the_uncapped_ratio_and_caps_the_score_at_the_weight():
    # given the seed's education line: 158 sessions of 156, weight 6
    # when it is scored
    score = score_quantitative(actual=158, target=156, weight=6)
    # then the ratio stays 158/156 while the share and the score stop at the weight
    assert score.ratio == Decimal(158) / Decimal(156)
    assert score.capped == 1
    assert score.score == Decimal("6.00")
    assert score.status == Status.OVER


def test_shortfall_scores_actual_over_target_times_weight():
    # given 247 valid assessments of 250, weight 3
    score = score_quantitative(actual=247, target=250, weight=3)
    # then the score is 247/250 x 3 = 2.964, rounded to 2.96
    assert score.score == Decimal("2.96")
    assert score.status == Status.SHORT


@pytest.mark.parametrize(
    ("actual", "target", "expected_score", "status"),
    [
        (0, Decimal("0.2"), Decimal("10.00"), Status.MET),  # nothing happened: full marks
        (Decimal("0.1"), Decimal("0.2"), Decimal("10.00"), Status.MET),
        (Decimal("0.4"), Decimal("0.2"), Decimal("5.00"), Status.SHORT),  # twice the ceiling: half
    ],
)
def test_lower_is_better_reverses_the_ratio(actual, target, expected_score, status):
    # given a "lower is better" indicator (revocation rate at most 0.2 %), weight 10
    score = score_quantitative(actual=actual, target=target, weight=10, direction=Direction.LOWER)
    # then the ratio is target ÷ actual, capped at 1
    assert score.score == expected_score
    assert score.status == status


def test_a_missing_actual_scores_nothing_and_says_so():
    score = score_quantitative(actual=None, target=156, weight=6)
    assert score.score == 0
    assert score.ratio is None
    assert score.status == Status.NOT_MEASURED


@pytest.mark.parametrize(
    ("band", "percent", "expected"),
    [
        (Band.ACHIEVED, None, Decimal("10.00")),  # default: top of the band
        (Band.ACHIEVED, 85, Decimal("8.50")),
        (Band.PARTIAL, None, Decimal("7.00")),
        (Band.PARTIAL, 60, Decimal("6.00")),
        (Band.NOT_ACHIEVED, 20, Decimal("2.00")),
        (Band.NOT_ACHIEVED, 95, Decimal("5.90")),  # a share outside the band is held inside it
    ],
)
def test_qualitative_bands_award_a_share_of_the_weight(band, percent, expected):
    assert score_qualitative(band=band, percent=percent, weight=10).score == expected


def test_an_unassessed_qualitative_indicator_scores_nothing():
    score = score_qualitative(band="", percent=None, weight=10)
    assert score.score == 0
    assert score.status == Status.NOT_ASSESSED


def test_band_problem_names_the_allowed_range():
    assert band_problem(Band.PARTIAL, 65) is None
    assert band_problem(Band.PARTIAL, 85) == "60-79"
    assert band_problem(Band.ACHIEVED, 70) == "80-100"


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (100, Grade.EXCELLENT),
        (90, Grade.EXCELLENT),
        (Decimal("89.99"), Grade.GOOD),
        (80, Grade.GOOD),
        (Decimal("79.99"), Grade.FAIR),
        (60, Grade.FAIR),
        (Decimal("59.99"), Grade.POOR),
        (0, Grade.POOR),
    ],
)
def test_grades_follow_the_90_80_60_bands(total, grade):
    assert grade_for(total) == grade


def test_rates_over_100_percent_are_capped_unless_the_indicator_says_uncapped():
    # given the seed's two rates over 100 %: 158/156 sessions and 255/250 installs
    sessions = Decimal(158) / Decimal(156)
    installs = Decimal(255) / Decimal(250)
    # then the completion rate reads 100 % and the 电子监管率 (installs ÷ contracted) reads 102 %
    assert displayed_rate(sessions, RateDisplay.CAPPED) == "100%"
    assert displayed_rate(installs, RateDisplay.UNCAPPED) == "102%"
    assert displayed_rate(installs, RateDisplay.CAPPED) == "100%"


@pytest.mark.parametrize(
    ("ratio", "text"),
    [
        (Decimal("0.988"), "98.8%"),
        (Decimal("1"), "100%"),
        (Decimal(890980) / Decimal(891000), "99.998%"),  # never rounded up to a false 100 %
        (Decimal("0.9999999"), "99.999%"),
        (Decimal("0.25"), "25%"),
        (None, "—"),
    ],
)
def test_percentages_are_written_with_one_decimal_and_never_round_up_to_100(ratio, text):
    assert format_percent(ratio) == text


def test_money_is_written_in_wan_like_the_seed():
    assert format_wan(890980) == "89.098"
    assert format_wan(891000) == "89.1"
    assert format_wan(339980) == "33.998"
    assert format_number(Decimal("158.0000")) == "158"
    assert format_number(Decimal("98.80")) == "98.8"
