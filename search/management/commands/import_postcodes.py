"""Load postcodes and their coordinates into the local postcode table.

Reads either
- the ONS Postcode Directory (ONSPD) CSV: columns ``pcds`` (the postcode, or ``pcd``/``pcd2``),
  ``lat``, ``long`` and ``doterm`` (rows with a termination date are skipped; rows with
  ONSPD's 99.999999 "no grid reference" latitude are skipped); or
- Code-Point Open CSV (no header row): column 1 the postcode, columns 3 and 4 the
  eastings and northings (OSGB36 British National Grid), converted to WGS84 latitude and
  longitude here; or
- a simple CSV with the header ``postcode,latitude,longitude`` (the demo file).

Existing rows are updated, so re-running with a newer file is safe."""

from __future__ import annotations

import csv
import math

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from search import cache as search_cache
from search import postcodes
from search.models import Postcode

BATCH = 5000


def osgb36_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """British National Grid eastings/northings → WGS84 latitude/longitude (Helmert, ~5 m)."""
    a, b = 6377563.396, 6356256.909
    f0, lat0, lon0 = 0.9996012717, math.radians(49), math.radians(-2)
    n0, e0 = -100000, 400000
    e2 = 1 - (b * b) / (a * a)
    n = (a - b) / (a + b)
    lat, m = lat0, 0.0
    while True:
        lat = (northing - n0 - m) / (a * f0) + lat
        ma = (1 + n + 1.25 * n**2 + 1.25 * n**3) * (lat - lat0)
        mb = (3 * n + 3 * n**2 + 2.625 * n**3) * math.sin(lat - lat0) * math.cos(lat + lat0)
        mc = (1.875 * n**2 + 1.875 * n**3) * math.sin(2 * (lat - lat0)) * math.cos(2 * (lat + lat0))
        md = 35 / 24 * n**3 * math.sin(3 * (lat - lat0)) * math.cos(3 * (lat + lat0))
        m = b * f0 * (ma - mb + mc - md)
        if abs(northing - n0 - m) < 0.00001:
            break
    sin_lat, cos_lat, tan_lat = math.sin(lat), math.cos(lat), math.tan(lat)
    nu = a * f0 / math.sqrt(1 - e2 * sin_lat**2)
    rho = a * f0 * (1 - e2) / (1 - e2 * sin_lat**2) ** 1.5
    eta2 = nu / rho - 1
    vii = tan_lat / (2 * rho * nu)
    viii = tan_lat / (24 * rho * nu**3) * (5 + 3 * tan_lat**2 + eta2 - 9 * tan_lat**2 * eta2)
    ix = tan_lat / (720 * rho * nu**5) * (61 + 90 * tan_lat**2 + 45 * tan_lat**4)
    x = 1 / (cos_lat * nu)
    xi = 1 / (cos_lat * 6 * nu**3) * (nu / rho + 2 * tan_lat**2)
    xii = 1 / (cos_lat * 120 * nu**5) * (5 + 28 * tan_lat**2 + 24 * tan_lat**4)
    xiia = 1 / (cos_lat * 5040 * nu**7) * (61 + 662 * tan_lat**2 + 1320 * tan_lat**4 + 720 * tan_lat**6)
    de = easting - e0
    lat_o = lat - vii * de**2 + viii * de**4 - ix * de**6
    lon_o = lon0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    # OSGB36 → WGS84 by a Helmert transform through cartesian coordinates.
    h = 0
    sin_p, cos_p = math.sin(lat_o), math.cos(lat_o)
    nu_o = a / math.sqrt(1 - e2 * sin_p**2)
    x1 = (nu_o + h) * cos_p * math.cos(lon_o)
    y1 = (nu_o + h) * cos_p * math.sin(lon_o)
    z1 = ((1 - e2) * nu_o + h) * sin_p
    tx, ty, tz, s = 446.448, -125.157, 542.060, -20.4894e-6
    rx, ry, rz = (math.radians(v / 3600) for v in (0.1502, 0.2470, 0.8421))
    x2 = tx + (1 + s) * x1 - rz * y1 + ry * z1
    y2 = ty + rz * x1 + (1 + s) * y1 - rx * z1
    z2 = tz - ry * x1 + rx * y1 + (1 + s) * z1
    a2, b2 = 6378137.000, 6356752.3141
    e2b = 1 - (b2 * b2) / (a2 * a2)
    p = math.sqrt(x2**2 + y2**2)
    lat2 = math.atan2(z2, p * (1 - e2b))
    for _ in range(10):
        nu2 = a2 / math.sqrt(1 - e2b * math.sin(lat2) ** 2)
        lat2 = math.atan2(z2 + e2b * nu2 * math.sin(lat2), p)
    return math.degrees(lat2), math.degrees(math.atan2(y2, x2))


def _coordinate(value: str, limit: float) -> float:
    """A latitude (limit 90) or longitude (limit 180); ValueError for anything else, NaN and
    infinities included."""
    number = float(value)
    if not math.isfinite(number) or abs(number) > limit:
        raise ValueError(f"{value!r} is not a coordinate")
    return number


def rows_from(path: str):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        first = handle.readline()
        handle.seek(0)
        header = [h.strip().lower() for h in next(csv.reader([first]))]
        if "pcds" in header or "pcd" in header or "pcd2" in header:
            for row in csv.DictReader(handle):
                row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
                if row.get("doterm"):
                    continue
                lat, lng = row.get("lat", ""), row.get("long", "")
                if not lat or not lng or float(lat) > 99:
                    continue
                yield row.get("pcds") or row.get("pcd2") or row.get("pcd"), _coordinate(lat, 90), _coordinate(lng, 180)
        elif "postcode" in header and "latitude" in header:
            for row in csv.DictReader(handle):
                row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
                yield row["postcode"], _coordinate(row["latitude"], 90), _coordinate(row["longitude"], 180)
        else:  # Code-Point Open: Postcode, Positional_quality_indicator, Eastings, Northings, ...
            for row in csv.reader(handle):
                if len(row) < 4 or not row[2].strip().isdigit():
                    continue
                easting, northing = float(row[2]), float(row[3])
                # The British National Grid: anything outside it (or not finite) would never
                # converge in the conversion below.
                if not (0 <= easting <= 700_000 and 0 <= northing <= 1_300_000):
                    raise ValueError(f"{row[2]},{row[3]} is not a British National Grid reference")
                lat, lng = osgb36_to_wgs84(easting, northing)
                yield row[0], lat, lng


class Command(BaseCommand):
    help = "Import postcodes (ONS Postcode Directory, Code-Point Open, or postcode,latitude,longitude CSV)."

    def add_arguments(self, parser):
        parser.add_argument("csv")

    def handle(self, *args, **options):
        count = skipped = 0
        batch: list[Postcode] = []
        try:
            with transaction.atomic():
                for raw, lat, lng in rows_from(options["csv"]):
                    try:
                        postcode = postcodes.normalise(raw)
                    except ValidationError:
                        skipped += 1
                        continue
                    if " " not in postcode:
                        skipped += 1
                        continue
                    batch.append(Postcode(postcode=postcode, outcode=postcode.split()[0], latitude=lat, longitude=lng))
                    if len(batch) >= BATCH:
                        count += self._save(batch)
                        batch = []
                count += self._save(batch)
                search_cache.bump(search_cache.POSTCODES)  # every process re-reads its postcode memo
        except (OSError, KeyError, ValueError, csv.Error) as exc:
            raise CommandError(f"Could not read {options['csv']}: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Imported {count} postcodes ({skipped} skipped)."))
        return None

    @staticmethod
    def _save(batch: list[Postcode]) -> int:
        if not batch:
            return 0
        Postcode.objects.bulk_create(
            batch, update_conflicts=True, unique_fields=["postcode"], update_fields=["outcode", "latitude", "longitude"]
        )
        return len(batch)
