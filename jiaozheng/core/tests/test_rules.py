"""Rule values: `jiaozheng rules set` reaches the running processes at once, and `rules list` shows it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from jiaozheng.core import rules
from jiaozheng.core.management.commands import rules as rules_command
from jiaozheng.core.models import RuleValue

KEY = "checkins.window_minutes"  # registered with 60 by the check-ins app


class Clock:
    """The rules caches' clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(rules, "_now", clock, raising=False)
    return clock


@pytest.fixture
def set_elsewhere(monkeypatch):
    """set_elsewhere(value, unit_code): `jiaozheng rules set` as run in another process, whose clear_cache()
    empties that process's cache only, not this one's."""
    monkeypatch.setattr(rules_command, "clear_cache", lambda: None)

    def _set(value: str, unit_code: str) -> None:
        call_command("rules", "set", KEY, value, "--unit", unit_code, stdout=io.StringIO())

    return _set


def _past_check(clock: Clock) -> None:
    clock.advance(rules.CHECK_SECONDS + 0.5)


def test_a_value_set_by_another_process_is_read_within_a_second(world, clock, set_elsewhere):
    # given a process that has read the rule for a county (default: none of the province or the county)
    assert rules.rule(KEY, world.county_x) == 60

    # when `rules set` (in another process) gives the province a value
    set_elsewhere("45", world.province.code)

    # then the process reads it once CHECK_SECONDS have passed, without clear_cache()
    _past_check(clock)
    assert rules.rule(KEY, world.county_x) == 45
    assert rules.rule(KEY, world.county_x.pk) == 45

    # and a county's own value, then a change of it, are read the same way
    set_elsewhere("30", world.county_x.code)
    _past_check(clock)
    assert rules.rule(KEY, world.county_x) == 30
    set_elsewhere("20", world.county_x.code)
    _past_check(clock)
    assert rules.rule(KEY, world.county_x) == 20
    assert rules.rule(KEY, world.county_y) == 45  # the other county keeps the province's


def test_a_deleted_override_is_seen_within_a_second(world, clock, set_elsewhere):
    # given a province and a county value, both read (cached)
    set_elsewhere("45", world.province.code)
    set_elsewhere("30", world.county_x.code)
    assert rules.rule(KEY, world.county_x) == 30

    # when the county's value is deleted (the admin's delete), then the province's is read again
    RuleValue.objects.get(key=KEY, unit=world.county_x).delete()
    _past_check(clock)
    assert rules.rule(KEY, world.county_x) == 45

    # and with the province's deleted too, the registered default
    RuleValue.objects.filter(key=KEY).delete()
    _past_check(clock)
    assert rules.rule(KEY, world.county_x) == 60


def test_the_check_is_one_query_at_most_once_per_check_seconds(
    world, clock, set_elsewhere, django_assert_num_queries
):
    set_elsewhere("45", world.province.code)
    rules.rule(KEY, world.county_x)
    rules.rule("checkins.max_attempts", world.county_x)
    # within CHECK_SECONDS: from the cache, no query
    clock.advance(rules.CHECK_SECONDS / 2)
    with django_assert_num_queries(0):
        assert rules.rule(KEY, world.county_x) == 45
        assert rules.rule("checkins.max_attempts", world.county_x) == 3
    # past it, and nothing changed: the signature only, and the cached values stay
    _past_check(clock)
    with django_assert_num_queries(1):
        for _ in range(5):
            assert rules.rule(KEY, world.county_x) == 45
            rules.rule("checkins.max_attempts", world.county_x)


def test_values_expire_after_cache_seconds_even_unsignalled(world, clock, set_elsewhere):
    # a bulk update does not touch updated_at, so the signature does not change...
    set_elsewhere("45", world.province.code)
    assert rules.rule(KEY, world.county_x) == 45
    RuleValue.objects.filter(key=KEY).update(value=50)
    _past_check(clock)
    assert rules.rule(KEY, world.county_x) == 45
    # ...but no value is kept longer than CACHE_SECONDS
    clock.advance(rules.CACHE_SECONDS)
    assert rules.rule(KEY, world.county_x) == 50


def test_clear_cache_still_forgets_at_once(world, clock, set_elsewhere):
    assert rules.rule(KEY, world.county_x) == 60
    set_elsewhere("45", world.province.code)
    rules.clear_cache()
    assert rules.rule(KEY, world.county_x) == 45


def test_rules_list_shows_province_and_county_values(world, capsys):
    call_command("rules", "set", KEY, "45", "--unit", world.province.code, "--source", "湘司发〔2024〕1号")
    call_command("rules", "set", KEY, "30", "--unit", world.county_x.code)
    capsys.readouterr()

    call_command("rules", "list")

    lines = capsys.readouterr().out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{KEY} = 60"))
    block = []
    for line in lines[start + 1 :]:
        if not line.startswith("    "):
            break
        block.append(line.strip())
    assert sorted(block) == sorted(
        [f"{world.province.name}: 45  湘司发〔2024〕1号", f"{world.county_x.name}: 30"]
    )
