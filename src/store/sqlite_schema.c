/*
 * sqlite_schema.c - the SQLite schema as an ordered list of migrations.
 *
 * Migration N brings the database from user_version N-1 to N; each runs in one transaction at
 * start-up. Never edit a released migration: append a new one. The PostgreSQL backend keeps the
 * same numbering so both backends describe the same tables.
 */
#include "store/sqlite_schema.h"

#include <stddef.h>

static const char migration_1[] =
    "CREATE TABLE missions ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  name TEXT NOT NULL UNIQUE,"
    "  city TEXT,"
    "  country TEXT NOT NULL,"
    "  hotline TEXT,"
    "  email TEXT,"
    "  timezone TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE TABLE mission_countries ("
    "  mission_id INTEGER NOT NULL REFERENCES missions(id) ON DELETE CASCADE,"
    "  country TEXT NOT NULL,"
    "  PRIMARY KEY (mission_id, country)) WITHOUT ROWID;"
    "CREATE INDEX mission_countries_country ON mission_countries(country, mission_id);"
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  name TEXT NOT NULL,"
    "  role INTEGER NOT NULL,"
    "  mission_id INTEGER REFERENCES missions(id),"
    "  pwhash TEXT,"
    "  disabled INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE TABLE api_tokens ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  token_hash BLOB NOT NULL UNIQUE,"
    "  name TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  revoked_at INTEGER);"
    "CREATE TABLE sessions ("
    "  token_hash BLOB PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  created_at INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE persons ("
    "  id INTEGER PRIMARY KEY,"
    "  full_name TEXT NOT NULL,"
    "  name_key TEXT NOT NULL,"
    "  other_names TEXT NOT NULL DEFAULT '[]',"
    "  sex TEXT NOT NULL,"
    "  dob TEXT,"
    "  nid_enc BLOB,"
    "  nid_hash BLOB,"
    "  passport_enc BLOB,"
    "  passport_hash BLOB,"
    "  phones TEXT NOT NULL DEFAULT '[]',"
    "  emails TEXT NOT NULL DEFAULT '[]',"
    "  home_province TEXT,"
    "  flags TEXT NOT NULL DEFAULT '[]',"
    "  contacts TEXT NOT NULL DEFAULT '[]',"
    "  source TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  status_at INTEGER NOT NULL,"
    "  owner_mission_id INTEGER REFERENCES missions(id),"
    "  import_key BLOB UNIQUE,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE INDEX persons_passport ON persons(passport_hash) WHERE passport_hash IS NOT NULL;"
    "CREATE INDEX persons_nid ON persons(nid_hash) WHERE nid_hash IS NOT NULL;"
    "CREATE INDEX persons_status ON persons(status, id);"
    "CREATE TABLE person_tokens ("
    "  token TEXT NOT NULL,"
    "  person_id INTEGER NOT NULL,"
    "  PRIMARY KEY (token, person_id)) WITHOUT ROWID;"
    "CREATE TABLE presences ("
    "  id INTEGER PRIMARY KEY,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id),"
    "  country TEXT NOT NULL,"
    "  region TEXT,"
    "  city TEXT,"
    "  address TEXT,"
    "  lat REAL,"
    "  lon REAL,"
    "  category TEXT NOT NULL,"
    "  organisation TEXT,"
    "  date_from TEXT,"
    "  date_until TEXT,"
    "  group_id TEXT,"
    "  person_status TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE INDEX presences_person ON presences(person_id);"
    "CREATE INDEX presences_country ON presences(country, person_id);"
    "CREATE INDEX presences_country_status ON presences(country, person_status, person_id);"
    "CREATE TABLE status_events ("
    "  id INTEGER PRIMARY KEY,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id),"
    "  status TEXT NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  source TEXT NOT NULL,"
    "  author_id INTEGER REFERENCES users(id),"
    "  note TEXT);"
    "CREATE INDEX status_events_person ON status_events(person_id, id);"
    "CREATE TABLE registrations ("
    "  token_hash BLOB PRIMARY KEY,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id),"
    "  presence_id INTEGER REFERENCES presences(id),"
    "  created_at INTEGER NOT NULL,"
    "  closed_at INTEGER) WITHOUT ROWID;"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  user_id INTEGER,"
    "  action TEXT NOT NULL,"
    "  object_kind TEXT,"
    "  object_id INTEGER,"
    "  client TEXT,"
    "  request_id TEXT,"
    "  detail TEXT);"
    "CREATE INDEX audit_object ON audit(object_kind, object_id, id);"
    "CREATE INDEX audit_user ON audit(user_id, id);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;";

/*
 * Migration 2: name search moves to a contentless FTS5 index over the accent-free name key
 * (persons.name_key), which intersects posting lists far faster than the token table's
 * seek-per-row leapfrog.
 */
static const char migration_2[] =
    "CREATE VIRTUAL TABLE person_names USING fts5(name_key, content='', detail=none,"
    "  tokenize='unicode61 remove_diacritics 0');"
    "INSERT INTO person_names(rowid, name_key) SELECT id, name_key FROM persons;"
    "DROP TABLE person_tokens;";

/*
 * Migration 3: crises (their countries and regions in their own tables, the area as JSON text)
 * and travel advisories (one series per country or region, one row per published version).
 * status_events gets an index on time for the accountability time series.
 */
static const char migration_3[] =
    "CREATE TABLE crises ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  description TEXT,"
    "  area TEXT,"
    "  lead_mission_id INTEGER REFERENCES missions(id),"
    "  opened_at INTEGER NOT NULL,"
    "  closed_at INTEGER,"
    "  created_by INTEGER REFERENCES users(id),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE TABLE crisis_countries ("
    "  crisis_id INTEGER NOT NULL REFERENCES crises(id) ON DELETE CASCADE,"
    "  country TEXT NOT NULL,"
    "  PRIMARY KEY (crisis_id, country)) WITHOUT ROWID;"
    "CREATE INDEX crisis_countries_country ON crisis_countries(country, crisis_id);"
    "CREATE TABLE crisis_regions ("
    "  crisis_id INTEGER NOT NULL REFERENCES crises(id) ON DELETE CASCADE,"
    "  region TEXT NOT NULL,"
    "  PRIMARY KEY (crisis_id, region)) WITHOUT ROWID;"
    "CREATE TABLE advisory_series ("
    "  id INTEGER PRIMARY KEY,"
    "  country TEXT NOT NULL,"
    "  region_key TEXT NOT NULL,"
    "  latest_id INTEGER,"
    "  UNIQUE (country, region_key));"
    "CREATE TABLE advisories ("
    "  id INTEGER PRIMARY KEY,"
    "  series_id INTEGER NOT NULL REFERENCES advisory_series(id),"
    "  version INTEGER NOT NULL,"
    "  country TEXT NOT NULL,"
    "  region TEXT,"
    "  level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),"
    "  title_vi TEXT NOT NULL,"
    "  title_en TEXT NOT NULL,"
    "  text_vi TEXT NOT NULL,"
    "  text_en TEXT NOT NULL,"
    "  reason TEXT,"
    "  issued_at INTEGER NOT NULL,"
    "  review_due TEXT,"
    "  author_id INTEGER REFERENCES users(id),"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (series_id, version));"
    "CREATE INDEX advisories_issued ON advisories(issued_at, id);"
    "CREATE INDEX status_events_at ON status_events(at);";

/*
 * Migration 4: mass alerts. An alert of a crisis, its recipients (one row per person, with the
 * hash of their check-in token and their latest answer), the outbox (one row per recipient and
 * channel; channel 0 email, 1 SMS; status 0 queued, 1 sending, 2 sent, 3 failed, 4 not
 * configured; while sending, next_at holds the end of the worker's lease), and every check-in
 * answer (history kept).
 */
static const char migration_4[] =
    "CREATE TABLE alerts ("
    "  id INTEGER PRIMARY KEY,"
    "  crisis_id INTEGER NOT NULL REFERENCES crises(id),"
    "  status TEXT NOT NULL,"
    "  subject_vi TEXT NOT NULL,"
    "  subject_en TEXT NOT NULL,"
    "  body_vi TEXT NOT NULL,"
    "  body_en TEXT NOT NULL,"
    "  sms_vi TEXT,"
    "  sms_en TEXT,"
    "  channels TEXT NOT NULL,"
    "  filter TEXT,"
    "  ask_checkin INTEGER NOT NULL,"
    "  resend_after_minutes INTEGER NOT NULL DEFAULT 0,"
    "  recipients INTEGER NOT NULL DEFAULT 0,"
    "  stage INTEGER NOT NULL DEFAULT 0,"
    "  stage_at INTEGER,"
    "  created_by INTEGER REFERENCES users(id),"
    "  created_at INTEGER NOT NULL,"
    "  sent_at INTEGER);"
    "CREATE INDEX alerts_crisis ON alerts(crisis_id, id);"
    "CREATE TABLE alert_recipients ("
    "  id INTEGER PRIMARY KEY,"
    "  alert_id INTEGER NOT NULL REFERENCES alerts(id),"
    "  person_id INTEGER NOT NULL REFERENCES persons(id),"
    "  lang TEXT NOT NULL,"
    "  token_hash BLOB NOT NULL UNIQUE,"
    "  answer TEXT,"
    "  answered_at INTEGER);"
    "CREATE INDEX alert_recipients_alert ON alert_recipients(alert_id, answer);"
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  alert_id INTEGER NOT NULL,"
    "  recipient_id INTEGER NOT NULL,"
    "  channel INTEGER NOT NULL,"
    "  address TEXT NOT NULL,"
    "  round INTEGER NOT NULL,"
    "  status INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL,"
    "  next_at INTEGER NOT NULL,"
    "  sent_at INTEGER,"
    "  last_error TEXT);"
    "CREATE INDEX outbox_due ON outbox(channel, status, next_at);"
    "CREATE INDEX outbox_alert ON outbox(alert_id, channel, status);"
    "CREATE INDEX outbox_sms_address ON outbox(address, id) WHERE channel = 1;"
    "CREATE TABLE checkins ("
    "  id INTEGER PRIMARY KEY,"
    "  crisis_id INTEGER NOT NULL,"
    "  alert_id INTEGER NOT NULL,"
    "  recipient_id INTEGER NOT NULL,"
    "  person_id INTEGER NOT NULL,"
    "  answer TEXT NOT NULL,"
    "  message TEXT,"
    "  location TEXT,"
    "  source TEXT NOT NULL,"
    "  at INTEGER NOT NULL);"
    "CREATE INDEX checkins_crisis ON checkins(crisis_id, person_id, id);"
    "CREATE INDEX checkins_alert ON checkins(alert_id, id);";

/* Migrations 5 to 8 are reserved while their features are built side by side; each owner replaces
 * its placeholder with the real schema. 5: assistance cases (issue 5). 6: staging sites and
 * transports (issue 5). 7: lists from foreign authorities and match decisions (issue 6).
 * 8: idempotency keys (issue 8). */
static const char migration_5[] = "SELECT 1;";
static const char migration_6[] = "SELECT 1;";
static const char migration_7[] = "SELECT 1;";
static const char migration_8[] = "SELECT 1;";

static const char *const migrations[] = {migration_1, migration_2, migration_3, migration_4,
                                         migration_5, migration_6, migration_7, migration_8};

size_t sqlite_schema_count(void) { return sizeof(migrations) / sizeof(migrations[0]); }

const char *sqlite_schema_migration(size_t version) {
  if (version < 1 || version > sqlite_schema_count()) return NULL;
  return migrations[version - 1];
}
