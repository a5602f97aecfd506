"""The offline base map of the location map: what the platform sees, or why it cannot use an archive.

jiaozheng location_basemap                  # the archive in use (JZ_BASEMAP or var/basemap.pmtiles)
jiaozheng location_basemap --check FILE     # check an archive before putting it in place
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings


class Command(BaseCommand):
    help = "Show the base-map archive (PMTiles or MBTiles) the location map uses, or check one."

    def add_arguments(self, parser):
        parser.add_argument("--check", default=None, help="An archive to check instead of the one in use")

    def handle(self, *args, **options):
        from jiaozheng.location import tiles

        if options["check"]:
            with override_settings(LOCATION_BASEMAP=options["check"]):
                tiles.forget()
                try:
                    self._show(tiles, must_exist=True)
                finally:
                    tiles.forget()
            return
        self._show(tiles, must_exist=False)

    def _show(self, tiles, *, must_exist: bool) -> None:
        try:
            archive = tiles.current()
        except tiles.BasemapError as exc:
            raise CommandError(f"{tiles.configured_path()}: {exc}")
        if archive is None:
            message = (
                f"no base map installed: put an archive at {tiles.expected_location()} (or set JZ_BASEMAP)"
            )
            if must_exist:
                raise CommandError(f"no such file: {tiles.expected_location()}")
            self.stdout.write(message)
            return
        info = archive.describe()
        for key in (
            "path",
            "kind",
            "format",
            "min_zoom",
            "max_zoom",
            "bounds",
            "center",
            "name",
            "attribution",
        ):
            self.stdout.write(f"{key}: {info[key]}")
        self.stdout.write(f"size: {info['size'] / 1024 / 1024:.1f} MiB")
        if archive.center:
            lon, lat, zoom = archive.center
            z = max(archive.min_zoom, min(archive.max_zoom, zoom))
            x, y = tiles.tile_of(lat, lon, z)
            found = archive.tile(z, x, y)
            self.stdout.write(
                f"tile at the centre ({z}/{x}/{y}): " + (f"{len(found)} bytes" if found else "missing")
            )
