/*
 * build-map.mjs - turns Natural Earth's country shapes (npm package world-atlas, 1:110m) into
 * the console's world map: one SVG path per country, already projected, keyed by ISO alpha-2.
 * Run at build time by web/vendor.sh, never in the browser, so the console needs no map library.
 *
 * Usage: node build-map.mjs NODE_MODULES_DIR OUT.json
 * Output: {"width":W,"height":H,"countries":[{"id":"IL","d":"M...","c":[x,y]}]}
 * ("id" is "" for shapes without an ISO code, such as Kosovo; they are drawn without data;
 * "c" is the centre of the country's largest piece of land, where the dashboard draws the
 * circle sized by registered citizens).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { COUNTRIES } from '../assets/js/countries.js';

const [modules, out] = process.argv.slice(2);
if (!modules || !out) {
  console.error('usage: node build-map.mjs NODE_MODULES_DIR OUT.json');
  process.exit(2);
}

const require = createRequire(join(modules, 'noop.js'));
const topojson = require('topojson-client');
const d3 = await import(pathToFileURL(join(modules, 'd3-geo', 'src', 'index.js')).href);
const world = JSON.parse(readFileSync(join(modules, 'world-atlas', 'countries-110m.json'), 'utf8'));

const byNumeric = new Map(COUNTRIES.map(([alpha2, numeric]) => [numeric, alpha2]));
const width = 960;
const land = topojson.feature(world, world.objects.countries);
/* Antarctica takes a fifth of the picture and no citizen registers there: it is left out. */
land.features = land.features.filter((f) => f.id !== '010');
const projection = d3.geoNaturalEarth1().fitWidth(width, land);
const path = d3.geoPath(projection).digits(1);
const [[, y0], [, y1]] = path.bounds(land);
const height = Math.ceil(y1 - y0) + 2;
projection.translate([projection.translate()[0], projection.translate()[1] - y0 + 1]);

/* The centroid of a feature's largest polygon (France's is in Europe, not off Guiana). */
function centre(f) {
  let best = f;
  if (f.geometry && f.geometry.type === 'MultiPolygon') {
    let area = -1;
    for (const coordinates of f.geometry.coordinates) {
      const piece = { type: 'Feature', geometry: { type: 'Polygon', coordinates } };
      const a = path.area(piece);
      if (a > area) {
        area = a;
        best = piece;
      }
    }
  }
  const [x, y] = path.centroid(best);
  return Number.isFinite(x) && Number.isFinite(y) ? [Math.round(x * 10) / 10, Math.round(y * 10) / 10] : null;
}

const countries = land.features
  .map((f) => ({ id: byNumeric.get(f.id) || '', d: path(f), c: centre(f) }))
  .filter((c) => c.d)
  .sort((a, b) => a.id.localeCompare(b.id));
writeFileSync(out, JSON.stringify({ width, height, countries }));
console.log(`build-map.mjs: ${countries.length} countries, ${width}x${height}`);
