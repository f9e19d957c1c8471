/* geo.c - crisis areas (circles and polygons) and point-in-area tests; see geo.h. */
#include "domain/geo.h"

#include <math.h>
#include <string.h>

#define GEO_DEG (M_PI / 180.0)

double geo_distance_km(double lat1, double lon1, double lat2, double lon2) {
  double dlat = (lat2 - lat1) * GEO_DEG, dlon = (lon2 - lon1) * GEO_DEG;
  double h = sin(dlat / 2) * sin(dlat / 2) +
             cos(lat1 * GEO_DEG) * cos(lat2 * GEO_DEG) * sin(dlon / 2) * sin(dlon / 2);
  if (h > 1.0) h = 1.0;
  return 2.0 * GEO_EARTH_RADIUS_KM * asin(sqrt(h));
}

/* Reads a number member in [lo, hi]; returns 0 if absent, not a number or out of range. */
static int geo_number(const json_t *obj, const char *key, double lo, double hi, double *out) {
  const json_t *v = json_object_get(obj, key);
  if (!json_is_number(v)) return 0;
  double d = json_number_value(v);
  if (!isfinite(d) || d < lo || d > hi) return 0;
  *out = d;
  return 1;
}

const char *geo_area_parse(const json_t *area, geo_area_t *out, const char **field) {
  memset(out, 0, sizeof(*out));
  *field = NULL;
  if (area == NULL || json_is_null(area)) return NULL;
  if (!json_is_object(area)) return "must be an object with circle or polygon";
  const json_t *circle = json_object_get(area, "circle");
  const json_t *polygon = json_object_get(area, "polygon");
  if ((circle != NULL) == (polygon != NULL)) return "must have exactly one of circle and polygon";
  if (circle != NULL) {
    *field = "circle";
    if (!json_is_object(circle)) return "must be an object with lat, lon and radius_km";
    if (!geo_number(circle, "lat", -90, 90, &out->lat)) return "lat must be a number from -90 to 90";
    if (!geo_number(circle, "lon", -180, 180, &out->lon)) {
      return "lon must be a number from -180 to 180";
    }
    if (!geo_number(circle, "radius_km", 0, GEO_RADIUS_MAX_KM, &out->radius_km) ||
        out->radius_km <= 0) {
      return "radius_km must be a number above 0 and at most 5000";
    }
    out->kind = GEO_CIRCLE;
    *field = NULL;
    return NULL;
  }
  *field = "polygon";
  if (!json_is_array(polygon) || json_array_size(polygon) < 3 ||
      json_array_size(polygon) > GEO_POLYGON_MAX) {
    return "must be an array of 3 to 200 corners {lat, lon}";
  }
  size_t i;
  const json_t *pt;
  json_array_foreach(polygon, i, pt) {
    if (!json_is_object(pt) || !geo_number(pt, "lat", -90, 90, &out->pts[i][0]) ||
        !geo_number(pt, "lon", -180, 180, &out->pts[i][1])) {
      return "corners must be objects {lat, lon} with lat in -90..90 and lon in -180..180";
    }
  }
  out->n = json_array_size(polygon);
  out->kind = GEO_POLYGON;
  *field = NULL;
  return NULL;
}

int geo_area_contains(const geo_area_t *area, double lat, double lon) {
  switch (area->kind) {
    case GEO_NONE:
      return 1;
    case GEO_CIRCLE:
      return geo_distance_km(area->lat, area->lon, lat, lon) <= area->radius_km;
    case GEO_POLYGON: {
      /* Even-odd rule: count the edges a ray from the point towards increasing lon crosses. */
      int inside = 0;
      for (size_t i = 0, j = area->n - 1; i < area->n; j = i++) {
        double yi = area->pts[i][0], xi = area->pts[i][1];
        double yj = area->pts[j][0], xj = area->pts[j][1];
        if ((yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) {
          inside = !inside;
        }
      }
      return inside;
    }
  }
  return 0;
}
