"""Route planning for a field day (the seed's mountain-township problem) with OR-Tools.

The stops are the squadron's due focus visits with stored home coordinates; the depot is the squadron's
office (its own coordinates, else its first township's). Travel uses a simple distance model, all of it
configurable by rules (docs/visits.md):

    road km   = haversine km × detour factor (the mountain factor when either end is a mountain township)
    road class = mountain (either end in a mountain township) | main (straight line ≥ main-road km) | rural
    minutes   = road km ÷ speed of the road class × 60, rounded up

Each visiting team is a vehicle that leaves the office at the day's start and must be back by its end. Each
stop takes the service time and must start inside its time window (the person's availability; the whole
day by default). Every stop is optional with a penalty far above any travel cost, larger for overdue
visits, so the solver visits as many stops as fit, the most urgent first, and then minimises travel time
(with a small cost on the longest day, to balance the teams). Stops that cannot fit are reported with the
reason: no coordinates, too far for one day, time window unreachable, or no time left in the day.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jiaozheng.core.geo import haversine_m

BIG_PENALTY = 100_000
DUE_SOON_PENALTY = 60_000
DUE_PENALTY = 30_000


@dataclass(frozen=True)
class TravelModel:
    speeds: dict[str, float]  # km/h by road class: main, rural, mountain
    detour: float
    mountain_detour: float
    main_min_km: float
    mountain_townships: frozenset[int] = frozenset()

    def leg(self, a: Place, b: Place) -> tuple[float, int, str]:
        """(road km, minutes, road class) from a to b."""
        straight = haversine_m(a.lon, a.lat, b.lon, b.lat) / 1000.0
        if straight < 0.001:
            return 0.0, 0, "none"
        mountain = a.township_id in self.mountain_townships or b.township_id in self.mountain_townships
        if mountain:
            road, factor = "mountain", self.mountain_detour
        elif straight >= self.main_min_km:
            road, factor = "main", self.detour
        else:
            road, factor = "rural", self.detour
        km = straight * factor
        return km, int(math.ceil(km / self.speeds[road] * 60)), road


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    township_id: int | None = None


@dataclass
class Stop:
    key: int
    place: Place
    open: int = 0  # minutes after the day's start when the visit may start
    close: int | None = None  # minutes after the day's start when the visit must have ended
    penalty: int = DUE_PENALTY
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class PlannedStop:
    stop: Stop
    start: int  # minutes after the day's start
    travel_min: int
    travel_km: float
    road: str


@dataclass
class Route:
    team: int
    stops: list[PlannedStop]
    back_min: int
    back_km: float
    back_road: str
    end: int

    @property
    def travel_min(self) -> int:
        return sum(s.travel_min for s in self.stops) + self.back_min

    @property
    def travel_km(self) -> float:
        return sum(s.travel_km for s in self.stops) + self.back_km


@dataclass
class Dropped:
    stop: Stop
    reason: str  # too_far | time_window | no_time
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Solution:
    routes: list[Route]
    dropped: list[Dropped]
    status: str
    seconds: float


def solve(
    depot: Place,
    stops: list[Stop],
    *,
    teams: int,
    model: TravelModel,
    day_minutes: int,
    service_minutes: int,
    time_limit_s: float | None = None,
) -> Solution:
    """Plan the stops for ``teams`` teams; every returned route fits the day and the time windows."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    began = time.monotonic()
    dropped: list[Dropped] = []
    feasible: list[Stop] = []
    for stop in stops:
        close = day_minutes if stop.close is None else min(stop.close, day_minutes)
        _km_out, out_min, _r = model.leg(depot, stop.place)
        _km_back, back_min, _r = model.leg(stop.place, depot)
        if out_min + service_minutes + back_min > day_minutes:
            dropped.append(
                Dropped(
                    stop, "too_far", {"round_trip_min": out_min + back_min, "service_min": service_minutes}
                )
            )
        elif max(out_min, stop.open) + service_minutes > close or stop.open >= close:
            dropped.append(
                Dropped(stop, "time_window", {"earliest_min": out_min, "open": stop.open, "close": close})
            )
        elif max(out_min, stop.open) + service_minutes + back_min > day_minutes:
            dropped.append(
                Dropped(stop, "time_window", {"earliest_min": out_min, "open": stop.open, "close": close})
            )
        else:
            feasible.append(stop)
    if not feasible or teams < 1:
        for stop in feasible:
            dropped.append(Dropped(stop, "no_time"))
        return Solution([], dropped, "empty", time.monotonic() - began)

    places = [depot] + [s.place for s in feasible]
    n = len(places)
    legs = [[model.leg(places[i], places[j]) for j in range(n)] for i in range(n)]
    manager = pywrapcp.RoutingIndexManager(n, teams, 0)
    routing = pywrapcp.RoutingModel(manager)

    def travel(from_index: int, to_index: int) -> int:
        return legs[manager.IndexToNode(from_index)][manager.IndexToNode(to_index)][1]

    def transit(from_index: int, to_index: int) -> int:
        node = manager.IndexToNode(from_index)
        return travel(from_index, to_index) + (service_minutes if node != 0 else 0)

    cost_cb = routing.RegisterTransitCallback(travel)
    time_cb = routing.RegisterTransitCallback(transit)
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    routing.AddDimension(time_cb, day_minutes, day_minutes, True, "Time")
    time_dim = routing.GetDimensionOrDie("Time")
    time_dim.SetGlobalSpanCostCoefficient(1)
    for node, stop in enumerate(feasible, start=1):
        index = manager.NodeToIndex(node)
        close = day_minutes if stop.close is None else min(stop.close, day_minutes)
        time_dim.CumulVar(index).SetRange(stop.open, close - service_minutes)
        routing.AddDisjunction([index], stop.penalty)
    for vehicle in range(teams):
        time_dim.CumulVar(routing.End(vehicle)).SetRange(0, day_minutes)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    limit = time_limit_s if time_limit_s is not None else min(5.0, max(1.0, 0.5 + 0.05 * len(feasible)))
    params.time_limit.FromMilliseconds(int(limit * 1000))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        for stop in feasible:
            dropped.append(Dropped(stop, "no_time"))
        return Solution([], dropped, "no_solution", time.monotonic() - began)

    routes: list[Route] = []
    served: set[int] = set()
    for vehicle in range(teams):
        index = routing.Start(vehicle)
        planned: list[PlannedStop] = []
        prev_node = 0
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            km, minutes, road = legs[prev_node][node]
            stop = feasible[node - 1]
            planned.append(PlannedStop(stop, solution.Value(time_dim.CumulVar(index)), minutes, km, road))
            served.add(node)
            prev_node = node
            index = solution.Value(routing.NextVar(index))
        km, minutes, road = legs[prev_node][0]
        end = solution.Value(time_dim.CumulVar(index)) if planned else 0
        routes.append(Route(vehicle, planned, minutes if planned else 0, km if planned else 0.0, road, end))
    for node, stop in enumerate(feasible, start=1):
        if node not in served:
            dropped.append(Dropped(stop, "no_time"))
    return Solution(routes, dropped, "ok", time.monotonic() - began)


# --- the field day of a squadron ------------------------------------------------------------------------


def _hhmm_to_minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def clock(day_start: str, minutes: int) -> str:
    total = _hhmm_to_minutes(day_start) + int(minutes)
    return f"{total // 60 % 24:02d}:{total % 60:02d}"


def travel_model_for(
    county: Any, overrides: dict[str, Any] | None = None
) -> tuple[TravelModel, dict[str, Any]]:
    """The travel model in force for a county (rules), with validated overrides from the planning form."""
    from jiaozheng.core.rules import rule, validate_value
    from jiaozheng.orgs.models import OrgUnit

    overrides = overrides or {}
    values: dict[str, Any] = {}
    for key in (
        "route_day_start",
        "route_day_minutes",
        "route_service_minutes",
        "route_speeds_kmh",
        "route_detour_factor",
        "route_mountain_detour_factor",
        "route_main_road_min_km",
        "mountain_townships",
    ):
        full = f"visits.{key}"
        if key in overrides and overrides[key] is not None:
            try:
                validate_value(full, overrides[key])
            except ValidationError as exc:
                raise ValidationError({key: exc.messages})
            values[key] = overrides[key]
        else:
            values[key] = rule(full, county)
    names = set(values["mountain_townships"])
    mountain_ids = frozenset(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.TOWNSHIP, county_id=county.pk, name__in=names).values_list(
            "pk", flat=True
        )
    )
    model = TravelModel(
        speeds={k: float(v) for k, v in values["route_speeds_kmh"].items()},
        detour=float(values["route_detour_factor"]),
        mountain_detour=float(values["route_mountain_detour_factor"]),
        main_min_km=float(values["route_main_road_min_km"]),
        mountain_townships=mountain_ids,
    )
    return model, values


def depot_for(squadron: Any) -> tuple[Place, str]:
    from jiaozheng.orgs.models import OrgUnit

    if squadron.latitude is not None and squadron.longitude is not None:
        return Place(squadron.latitude, squadron.longitude, None), squadron.name
    township = (
        OrgUnit.objects.filter(
            kind=OrgUnit.Kind.TOWNSHIP, parent=squadron, latitude__isnull=False, longitude__isnull=False
        )
        .order_by("sort_order", "name")
        .first()
    )
    if township is None:
        raise ValidationError(
            _("%(s)s has no office position: give the squadron or its first township coordinates.")
            % {"s": squadron.name}
        )
    return Place(township.latitude, township.longitude, township.pk), f"{squadron.name}（{township.name}）"


def plan_day(
    *,
    actor: Any,
    squadron: Any,
    day: dt.date,
    teams: list[list[Any]],
    person_ids: list[int] | None,
    windows: dict[int, tuple[str, str]],
    overrides: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Choose the squadron's due focus visits for ``day`` and plan them; returns (result, params) as JSON."""
    from jiaozheng.visits.choices import DueStatus, VisitType
    from jiaozheng.visits.selectors import due_list

    time_limit = overrides.pop("time_limit_s", None)
    model, values = travel_model_for(squadron.county, overrides)
    depot, depot_name = depot_for(squadron)
    day_minutes = int(values["route_day_minutes"])
    service = int(values["route_service_minutes"])
    day_start = values["route_day_start"]
    start_minutes = _hhmm_to_minutes(day_start)
    rows = due_list(actor=actor, today=day, squadron=squadron.pk, visit_type=VisitType.FOCUS)
    by_person = {r.person.pk: r for r in rows}
    if person_ids is not None:
        if not person_ids:
            raise ValidationError({"persons": _("Choose at least one person to visit.")})
        unknown = [pk for pk in person_ids if pk not in by_person]
        if unknown:
            raise ValidationError(
                {"persons": _("%(n)s of the chosen persons have no focus visit due.") % {"n": len(unknown)}}
            )
        rows = [by_person[pk] for pk in dict.fromkeys(person_ids)]
    if not rows:
        raise ValidationError({"persons": _("No focus visit is due in this squadron on that day.")})
    if len(rows) > 200:
        raise ValidationError({"persons": _("Choose at most 200 stops for one day.")})
    stops: list[Stop] = []
    unplanned: list[dict[str, Any]] = []
    for row in rows:
        person, item = row.person, row.item
        info = {
            "person_id": person.pk,
            "name": person.name,
            "case_number": person.case_number,
            "address": person.address,
            "township": person.township.name if person.township else "",
            "phone": person.phone_masked,
            "status": item.status,
            "overdue_days": item.overdue_days,
            "due_by": item.due_by.isoformat() if item.due_by else None,
            "supervision_class": person.supervision_class,
            "staff": row.staff,
        }
        if person.home_latitude is None or person.home_longitude is None:
            unplanned.append({**info, "reason": "no_coordinates", "detail": {}})
            continue
        open_min, close_min = 0, day_minutes
        window = windows.get(person.pk)
        if window:
            try:
                open_min = max(0, _hhmm_to_minutes(window[0]) - start_minutes)
                close_min = min(day_minutes, _hhmm_to_minutes(window[1]) - start_minutes)
            except (ValueError, IndexError):
                raise ValidationError({"windows": _("Write time windows as HH:MM.")})
            if close_min <= open_min:
                raise ValidationError(
                    {
                        "windows": _("The time window of %(name)s is empty within the workday.")
                        % {"name": person.name}
                    }
                )
            info["window"] = [window[0], window[1]]
        penalty = {
            DueStatus.OVERDUE: BIG_PENALTY + min(item.overdue_days, 365) * 100,
            DueStatus.DUE_SOON: DUE_SOON_PENALTY,
        }.get(item.status, DUE_PENALTY)
        stops.append(
            Stop(
                key=person.pk,
                place=Place(person.home_latitude, person.home_longitude, person.township_id),
                open=open_min,
                close=close_min,
                penalty=penalty,
                data={**info, "lat": person.home_latitude, "lon": person.home_longitude},
            )
        )
    solution = solve(
        depot,
        stops,
        teams=len(teams),
        model=model,
        day_minutes=day_minutes,
        service_minutes=service,
        time_limit_s=float(time_limit) if time_limit else None,
    )
    routes_json = []
    for route, members in zip(solution.routes, teams, strict=True):
        stops_json = []
        for planned in route.stops:
            stops_json.append(
                {
                    **planned.stop.data,
                    "arrive": clock(day_start, planned.start),
                    "leave": clock(day_start, planned.start + service),
                    "start_min": planned.start,
                    "travel_min": planned.travel_min,
                    "travel_km": round(planned.travel_km, 1),
                    "road": planned.road,
                }
            )
        routes_json.append(
            {
                "team": [str(u) for u in members],
                "team_ids": [u.pk for u in members],
                "stops": stops_json,
                "back": {
                    "travel_min": route.back_min,
                    "travel_km": round(route.back_km, 1),
                    "road": route.back_road,
                    "arrive": clock(day_start, route.end) if route.stops else None,
                },
                "travel_min": route.travel_min,
                "travel_km": round(route.travel_km, 1),
                "end": clock(day_start, route.end) if route.stops else None,
                "end_min": route.end,
            }
        )
    for dropped in solution.dropped:
        unplanned.append({**dropped.stop.data, "reason": dropped.reason, "detail": dropped.detail})
    order = {"no_time": 0, "time_window": 1, "too_far": 2, "no_coordinates": 3}
    unplanned.sort(key=lambda u: (order.get(u["reason"], 9), u["name"]))
    result = {
        "depot": {"name": depot_name, "lat": depot.lat, "lon": depot.lon},
        "day_start": day_start,
        "day_end": clock(day_start, day_minutes),
        "day_minutes": day_minutes,
        "service_minutes": service,
        "routes": routes_json,
        "unplanned": unplanned,
        "solver": {"status": solution.status, "seconds": round(solution.seconds, 2), "stops": len(stops)},
    }
    params = {
        **dict(values),
        "teams": [[u.pk for u in members] for members in teams],
        "persons": person_ids,
        "windows": {str(k): list(v) for k, v in windows.items()},
    }
    return result, params
