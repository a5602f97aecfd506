"""Route planning with OR-Tools over synthetic stops, and the route plan service on the test world."""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiaozheng.visits import services
from jiaozheng.visits.routing import BIG_PENALTY, DUE_PENALTY, Place, Stop, TravelModel, solve

DEPOT = Place(27.90, 110.60, township_id=1)
MODEL = TravelModel(
    speeds={"main": 45, "rural": 30, "mountain": 18},
    detour=1.3,
    mountain_detour=1.8,
    main_min_km=10,
    mountain_townships=frozenset({9}),
)


def ring(n, seed=7, max_km=22):
    """n stops scattered 2-max_km km around the depot, some in the mountain township 9."""
    rng = random.Random(seed)
    stops = []
    for i in range(n):
        km = rng.uniform(2, max_km)
        angle = rng.uniform(0, 2 * math.pi)
        lat = DEPOT.lat + km / 111.0 * math.sin(angle)
        lon = DEPOT.lon + km / (111.0 * math.cos(math.radians(DEPOT.lat))) * math.cos(angle)
        stops.append(Stop(i, Place(lat, lon, 9 if i % 5 == 0 else 2), penalty=DUE_PENALTY))
    return stops


def check_feasible(solution, day_minutes, service):
    """Every route leaves at 0, respects travel times, time windows and the workday."""
    for route in solution.routes:
        clock, prev = 0, DEPOT
        for planned in route.stops:
            _km, minutes, _road = MODEL.leg(prev, planned.stop.place)
            assert planned.travel_min == minutes
            assert planned.start >= clock + minutes
            assert planned.start >= planned.stop.open
            assert planned.start + service <= (planned.stop.close or day_minutes)
            clock, prev = planned.start + service, planned.stop.place
        _km, back, _road = MODEL.leg(prev, DEPOT)
        assert route.end >= clock + back if route.stops else True
        assert route.end <= day_minutes


def test_a_day_of_30_stops_visits_every_feasible_stop_within_the_workday():
    # given 30 stops: 28 ordinary, one 150 km away, one whose time window closes before anyone can arrive
    stops = ring(28)
    far = Stop(100, Place(DEPOT.lat + 1.35, DEPOT.lon, 2))
    late = Stop(101, Place(DEPOT.lat + 0.15, DEPOT.lon + 0.1, 2), open=0, close=20)
    stops += [far, late]
    # when four teams plan an 8-hour day with 30 minutes per visit
    solution = solve(DEPOT, stops, teams=4, model=MODEL, day_minutes=480, service_minutes=30, time_limit_s=2)
    # then every feasible stop is visited exactly once, within the workday
    planned = [p.stop.key for r in solution.routes for p in r.stops]
    assert sorted(planned) == list(range(28))
    check_feasible(solution, 480, 30)
    # and the two infeasible stops are reported with their reasons
    reasons = {d.stop.key: d.reason for d in solution.dropped}
    assert reasons == {100: "too_far", 101: "time_window"}
    assert solution.dropped[0].detail or solution.dropped[1].detail


def test_when_the_day_is_too_short_the_most_urgent_visits_are_kept():
    # given 30 stops of which the 3 farthest on ordinary terrain are overdue, and a single visitor
    stops = ring(30, seed=11)
    plain = [s for s in stops if s.place.township_id != 9]
    overdue = sorted(plain, key=lambda s: -MODEL.leg(DEPOT, s.place)[0])[:3]
    for stop in overdue:
        stop.penalty = BIG_PENALTY
    # when one team plans a 6-hour day with 45 minutes per visit
    solution = solve(DEPOT, stops, teams=1, model=MODEL, day_minutes=360, service_minutes=45, time_limit_s=2)
    # then the plan fits the day, the rest is reported as "no time", and the far overdue stops are planned
    check_feasible(solution, 360, 45)
    planned = {p.stop.key for r in solution.routes for p in r.stops}
    assert 1 <= len(planned) < 30
    assert {s.key for s in overdue} <= planned
    assert {d.reason for d in solution.dropped} == {"no_time"}
    assert len(planned) + len(solution.dropped) == 30


def test_time_windows_are_respected():
    # given stops available only in the afternoon (from minute 300 to 420)
    stops = ring(8, seed=3, max_km=8)
    for stop in stops:
        stop.open, stop.close = 300, 420
    # when two teams plan the day
    solution = solve(DEPOT, stops, teams=2, model=MODEL, day_minutes=480, service_minutes=20, time_limit_s=1)
    # then every visit starts in the afternoon window
    starts = [p.start for r in solution.routes for p in r.stops]
    assert starts and all(300 <= s <= 400 for s in starts)
    check_feasible(solution, 480, 20)


def test_mountain_legs_are_longer_and_slower():
    # given two points 5 km apart, once on ordinary terrain and once in a mountain township
    a = Place(27.90, 110.60, 2)
    b = Place(27.945, 110.60, 2)
    b_mountain = Place(27.945, 110.60, 9)
    km, minutes, road = MODEL.leg(a, b)
    km_m, minutes_m, road_m = MODEL.leg(a, b_mountain)
    # then the mountain leg uses the mountain factor and speed
    assert (road, road_m) == ("rural", "mountain")
    assert km_m == pytest.approx(km / 1.3 * 1.8)
    assert minutes_m > minutes * 2
    # and a long leg is driven on main roads
    assert MODEL.leg(a, Place(28.10, 110.60, 2))[2] == "main"


@pytest.mark.django_db
def test_the_route_plan_service_plans_the_squadrons_due_focus_visits(world, make_person):
    # given three strict persons of squadron A with homes near the township, one without coordinates
    homes = [(27.92, 110.61), (27.88, 110.58), (27.95, 110.65)]
    persons = [
        make_person(cls="strict", intake_days_ago=90, home_latitude=la, home_longitude=lo) for la, lo in homes
    ]
    nowhere = make_person(cls="strict", intake_days_ago=90)
    # when the squadron officer plans today with the social worker
    plan = services.route_plan_create(
        actor=world.squadron_officer,
        squadron=world.squadron_a,
        plan_date=timezone.localdate(),
        teams=[[world.squadron_officer, world.social_worker]],
        overrides={"time_limit_s": 1},
    )
    # then the three are planned in one route from the township office, and the fourth is reported
    stops = plan.result["routes"][0]["stops"]
    assert {s["person_id"] for s in stops} == {p.pk for p in persons}
    assert plan.result["depot"]["name"].startswith(world.squadron_a.name)
    unplanned = {u["person_id"]: u["reason"] for u in plan.result["unplanned"]}
    assert unplanned == {nowhere.pk: "no_coordinates"}
    assert stops[0]["arrive"] >= plan.result["day_start"]
    assert plan.result["routes"][0]["end"] <= plan.result["day_end"]


@pytest.mark.django_db
def test_a_route_plan_needs_staff_of_the_squadron_and_a_sensible_day(world, make_person):
    make_person(cls="strict", intake_days_ago=90, home_latitude=27.92, home_longitude=110.61)
    with pytest.raises(ValidationError):
        services.route_plan_create(
            actor=world.squadron_officer,
            squadron=world.squadron_a,
            plan_date=timezone.localdate(),
            teams=[[world.social_worker_b]],
        )
    with pytest.raises(ValidationError):
        services.route_plan_create(
            actor=world.squadron_officer,
            squadron=world.squadron_a,
            plan_date=timezone.localdate() - dt.timedelta(days=5),
            teams=[[world.social_worker]],
        )
    with pytest.raises(ValidationError):
        services.route_plan_create(
            actor=world.squadron_officer,
            squadron=world.squadron_a,
            plan_date=timezone.localdate(),
            teams=[[world.social_worker]],
            overrides={"route_speeds_kmh": {"main": 0}},
        )
