/*
 * geo.h - the area of a crisis: a circle or a polygon on the Earth, and whether a point (a
 * presence's latitude and longitude) lies inside it.
 *
 * An area is written in JSON as {"circle":{"lat":..,"lon":..,"radius_km":..}} or
 * {"polygon":[{"lat":..,"lon":..}, ...]} (3 to GEO_POLYGON_MAX corners, not closed: the last
 * corner joins the first). geo_area_parse turns that JSON into a geo_area_t once, so that the
 * test of many points costs no JSON work. Circles use the great-circle (haversine) distance on a
 * sphere of GEO_EARTH_RADIUS_KM; polygons are tested in the plane of latitude and longitude
 * (even-odd rule), which is exact enough for areas of a few hundred kilometres that do not cross
 * the antimeridian or a pole. Everything here is pure and thread-safe.
 */
#ifndef BAOHO_GEO_H
#define BAOHO_GEO_H

#include <jansson.h>

#define GEO_POLYGON_MAX 200
#define GEO_RADIUS_MAX_KM 5000.0
#define GEO_EARTH_RADIUS_KM 6371.0088

enum geo_kind { GEO_NONE = 0, GEO_CIRCLE, GEO_POLYGON };

typedef struct geo_area {
  enum geo_kind kind;
  double lat, lon, radius_km; /* circle */
  size_t n;                   /* polygon corners */
  double pts[GEO_POLYGON_MAX][2]; /* polygon: {lat, lon} */
} geo_area_t;

/*
 * Parses area (NULL or JSON null give GEO_NONE) into out. Returns NULL on success, else a
 * message for the client and *field (may be NULL) set to the offending key below "area".
 */
const char *geo_area_parse(const json_t *area, geo_area_t *out /* OUT */,
                           const char **field /* OUT */);
/* 1 if (lat, lon) lies inside the area (on its edge counts as inside for circles); GEO_NONE
 * contains every point. */
int geo_area_contains(const geo_area_t *area, double lat, double lon);
/* The great-circle distance in kilometres between two points given in degrees. */
double geo_distance_km(double lat1, double lon1, double lat2, double lon2);

#endif
