"""The accuracy-circle classification is sound (never confident when the circle straddles the line) and
complete enough (confident when the circle is clear of the line by its bucket's margin)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from jiaozheng.core.geo import county_geometry
from jiaozheng.location.fences import (
    BUCKET_ARRAY,
    BUCKETS,
    CircleZone,
    PolygonZone,
    _tolerance,
    buffer_reach,
    parse_schedule,
    schedule_mask,
)


def _metres(geom, lon, lat):
    """Signed distance to the boundary in metres (positive inside), by a local projection."""
    k = np.array([111_320.0 * math.cos(math.radians(geom.centroid.y)), 110_574.0])
    g = shapely.transform(geom, lambda c: c * k)
    pts = shapely.points(lon * k[0], lat * k[1])
    d = shapely.distance(g.boundary, pts)
    return np.where(shapely.contains(g, pts), d, -d)


def test_polygon_classification_is_sound_and_complete_near_the_county_boundary():
    # given 20,000 fixes within 3 km of 溆浦县's boundary with accuracies from 3 m to 2.5 km
    geometry = county_geometry("431224")
    zone = PolygonZone(geometry, max_accuracy=2000)
    rng = np.random.default_rng(7)
    n = 20_000
    base = shapely.get_coordinates(
        shapely.line_interpolate_point(geometry.boundary, rng.random(n), normalized=True)
    )
    lon = base[:, 0] + rng.normal(0, 0.015, n)
    lat = base[:, 1] + rng.normal(0, 0.015, n)
    acc = np.exp(rng.uniform(np.log(3), np.log(2500), n))
    coarse = acc > 2000
    # when they are classified
    status = zone.classify(lon, lat, acc, coarse)
    margin = _metres(geometry, lon, lat)
    # then a confident answer always has the whole accuracy circle on its side of the line
    assert np.all(margin[status == 1] >= acc[status == 1] - 1.0)
    assert np.all(-margin[status == -1] >= acc[status == -1] - 1.0)
    assert np.all(status[coarse] == 0)
    # and fixes clear of the line by their bucket and its tolerance get a confident answer
    bucket = BUCKET_ARRAY[np.minimum(np.searchsorted(BUCKET_ARRAY, acc), len(BUCKETS) - 1)]
    slack = np.vectorize(buffer_reach)(bucket) + np.vectorize(_tolerance)(bucket) + 5.0
    clear = ~coarse & (np.abs(margin) >= slack)
    assert np.all(status[clear & (margin > 0)] == 1)
    assert np.all(status[clear & (margin < 0)] == -1)
    # and the uncertain band is a minority of these near-border fixes
    assert (status == 0).mean() < 0.5


def test_circle_classification():
    # given a 300 m circle and fixes at known distances from its centre
    zone = CircleZone(110.6, 27.9, 300)
    east = 1 / (111_320.0 * math.cos(math.radians(27.9)))
    lon = np.array([110.6, 110.6 + 290 * east, 110.6 + 310 * east, 110.6 + 1000 * east])
    lat = np.full(4, 27.9)
    acc = np.array([20.0, 20.0, 20.0, 800.0])
    # when classified; then inside, straddling, straddling, straddling (coarse circle)
    assert zone.classify(lon, lat, acc, np.zeros(4, dtype=bool)).tolist() == [1, 0, 0, 0]
    assert zone.classify(lon, lat, np.full(4, 5.0), np.zeros(4, dtype=bool)).tolist() == [1, 1, -1, -1]


@pytest.mark.parametrize(
    ("schedule", "problem"),
    [
        ({"weekly": [{"days": [8], "start": "20:00", "end": "06:00"}]}, "weekdays"),
        ({"weekly": [{"days": [1], "start": "25:00", "end": "06:00"}]}, "HH:MM"),
        ({"weekly": [{"days": [1], "start": "08:00", "end": "08:00"}]}, "same time"),
        ({"weekly": []}, "weekly"),
    ],
)
def test_bad_schedules_are_refused(schedule, problem):
    # given a malformed weekly schedule; when parsed; then the reason names the problem
    with pytest.raises(ValueError, match=problem):
        parse_schedule(schedule)


def test_a_window_across_midnight_belongs_to_the_day_it_starts():
    # given Friday 22:00 to 06:00 (Shanghai times as local epoch seconds; 1970-01-02 was a Friday)
    windows = parse_schedule({"weekly": [{"days": [5], "start": "22:00", "end": "06:00"}]})
    friday = 1 * 86400
    times = np.array([friday + 21.9 * 3600, friday + 22.5 * 3600, friday + 29.5 * 3600, friday + 30.5 * 3600])
    # when checked; then 22:30 Friday and 05:30 Saturday are in, 21:54 Friday and 06:30 Saturday are not
    assert schedule_mask(windows, times).tolist() == [False, True, True, False]
