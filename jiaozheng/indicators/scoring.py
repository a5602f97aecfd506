"""Scoring rules of the self-evaluation form (domain.md (e)); pure functions, no database.

- Quantitative, higher is better: ratio = actual ÷ target (uncapped, kept); score = min(ratio, 1) × weight.
- Quantitative, lower is better: ratio = target ÷ actual (actual 0 counts as fully met); same cap.
- Qualitative: the assessor picks a band (达成 80-100 %, 部分达成 60-80 %, 未达成 0-60 %) and a share of
  the weight within it; score = share × weight.
- Grade of the total: ≥ 90 优, 80-90 良, 60-80 中, < 60 差 (a total of exactly 90 is 优, of 80 良).
- A missing actual value or a missing assessment scores 0 and is flagged; it is never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from jiaozheng.indicators.choices import BAND_RANGE, Band, Direction, Grade, RateDisplay

ONE = Decimal(1)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class Status:
    MET = "met"  # target reached exactly or better (capped)
    OVER = "over"  # more than the target (higher is better)
    SHORT = "short"  # below the target
    NOT_MEASURED = "not_measured"  # no actual value (measure missing, not entered, or failed)
    NOT_ASSESSED = "not_assessed"  # qualitative indicator without a band


@dataclass(frozen=True)
class Score:
    ratio: Decimal | None  # uncapped: actual ÷ target (reversed for lower-is-better)
    capped: Decimal | None  # min(ratio, 1): the share of the weight earned
    score: Decimal  # capped × weight, rounded to 0.01
    status: str


def to_decimal(value: object) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def _points(share: Decimal, weight: Decimal) -> Decimal:
    return (share * weight).quantize(CENT, rounding=ROUND_HALF_UP)


def score_quantitative(
    *, actual: object, target: object, weight: object, direction: str = Direction.HIGHER
) -> Score:
    actual_d, target_d, weight_d = to_decimal(actual), to_decimal(target), to_decimal(weight) or Decimal(0)
    if actual_d is None or target_d is None:
        return Score(None, None, Decimal("0.00"), Status.NOT_MEASURED)
    if direction == Direction.LOWER:
        if actual_d <= 0:
            ratio = ONE if target_d >= 0 else Decimal(0)
        elif target_d <= 0:
            ratio = Decimal(0)
        else:
            ratio = target_d / actual_d
        capped = min(ratio, ONE)
        status = Status.MET if actual_d <= target_d else Status.SHORT
        return Score(ratio, capped, _points(capped, weight_d), status)
    if target_d <= 0:
        # A target of zero in a higher-is-better indicator has nothing to fall short of.
        return Score(None, ONE, _points(ONE, weight_d), Status.MET)
    ratio = actual_d / target_d
    capped = min(ratio, ONE)
    if actual_d > target_d:
        status = Status.OVER
    elif actual_d == target_d:
        status = Status.MET
    else:
        status = Status.SHORT
    return Score(ratio, capped, _points(capped, weight_d), status)


def band_problem(band: str, percent: object) -> str | None:
    """Why a band and a share do not fit together (the share must lie inside the band), or None."""
    if band not in BAND_RANGE:
        return "unknown band"
    if percent is None:
        return None
    low, high = BAND_RANGE[Band(band)]
    value = to_decimal(percent)
    if value is None or value < low or value > high:
        return f"{low}-{high}"
    return None


def score_qualitative(*, band: str, percent: object, weight: object) -> Score:
    weight_d = to_decimal(weight) or Decimal(0)
    if not band:
        return Score(None, None, Decimal("0.00"), Status.NOT_ASSESSED)
    from jiaozheng.indicators.choices import BAND_DEFAULT

    given = to_decimal(percent)
    share_pct = given if given is not None else Decimal(BAND_DEFAULT[Band(band)])
    low, high = BAND_RANGE[Band(band)]
    share_pct = min(max(share_pct, Decimal(low)), Decimal(high))
    share = share_pct / HUNDRED
    status = Status.MET if band == Band.ACHIEVED else Status.SHORT
    return Score(share, share, _points(share, weight_d), status)


def grade_for(total: object) -> str:
    value = to_decimal(total) or Decimal(0)
    if value >= 90:
        return Grade.EXCELLENT
    if value >= 80:
        return Grade.GOOD
    if value >= 60:
        return Grade.FAIR
    return Grade.POOR


def format_percent(ratio: Decimal | None, *, max_digits: int = 3) -> str:
    """A ratio as the bureau writes it: 1.02 -> "102%", 0.988 -> "98.8%", 0.99997755 -> "99.998%".

    One decimal, trailing zeros dropped; when one decimal would round a ratio below 1 up to "100%", more
    decimals (up to ``max_digits``) are shown so that an unmet target never reads as 100 %.
    """
    if ratio is None:
        return "—"
    pct = ratio * HUNDRED
    for digits in range(1, max_digits + 1):
        quant = Decimal(1).scaleb(-digits)
        shown = pct.quantize(quant, rounding=ROUND_HALF_UP)
        if not (ratio < ONE and shown >= HUNDRED):
            break
    if ratio < ONE and shown >= HUNDRED:
        shown = (HUNDRED - Decimal(1).scaleb(-max_digits)).quantize(Decimal(1).scaleb(-max_digits))
    text = format(shown.normalize(), "f")
    return f"{text}%"


def displayed_rate(ratio: Decimal | None, rate_display: str) -> str:
    """The completion rate as shown in reports: capped at 100 % unless the indicator says otherwise."""
    if ratio is None:
        return "—"
    if rate_display == RateDisplay.CAPPED:
        return format_percent(min(ratio, ONE))
    return format_percent(ratio)


def format_number(value: Decimal | None, *, digits: int = 2) -> str:
    """Whole numbers without decimals (158), others with up to ``digits`` decimals (98.8)."""
    if value is None:
        return "—"
    value = to_decimal(value)
    assert value is not None
    if value == value.to_integral_value():
        return str(int(value))
    shown = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP).normalize()
    return format(shown, "f")


def format_wan(yuan: object) -> str:
    """Yuan as 万元 the way the seed writes money: 890980 -> "89.098"."""
    value = to_decimal(yuan) or Decimal(0)
    wan = (value / Decimal(10000)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP).normalize()
    text = format(wan, "f")
    return text
