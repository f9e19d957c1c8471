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

/* Migrations 6 to 8 are reserved while their features are built side by side; each owner replaces
 * its placeholder with the real schema. 6: staging sites and transports (issue 5). 7: lists from
 * foreign authorities and match decisions (issue 6). 8: idempotency keys (issue 8). */

/*
 * Migration 5: assistance cases (store_case.h). A case has a type, a status and a priority rank
 * (0 critical .. 3 low: the override when set, else the computed one); queue_rank is
 * (open ? 0 : 4) + priority, so that every queue is one index range per rank in
 * (queue_rank, due_at, id) order: one index per queue key (all, mission, assignee, crisis).
 * case_persons links registered persons; case_events is the timeline (every change and note).
 */
static const char migration_5[] =
    "CREATE TABLE cases ("
    "  id INTEGER PRIMARY KEY,"
    "  type TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  priority INTEGER NOT NULL,"
    "  priority_computed INTEGER NOT NULL,"
    "  priority_override INTEGER,"
    "  queue_rank INTEGER NOT NULL,"
    "  channel TEXT NOT NULL,"
    "  crisis_id INTEGER REFERENCES crises(id),"
    "  mission_id INTEGER REFERENCES missions(id),"
    "  assigned_to INTEGER REFERENCES users(id),"
    "  due_at INTEGER NOT NULL,"
    "  due_overridden INTEGER NOT NULL DEFAULT 0,"
    "  summary TEXT NOT NULL,"
    "  description TEXT,"
    "  caller_name TEXT,"
    "  caller_phone TEXT,"
    "  caller_relation TEXT,"
    "  caller_notes TEXT,"
    "  caller_person_id INTEGER REFERENCES persons(id),"
    "  created_by INTEGER REFERENCES users(id),"
    "  opened_at INTEGER NOT NULL,"
    "  resolved_at INTEGER,"
    "  closed_at INTEGER,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE INDEX cases_queue ON cases(queue_rank, due_at, id);"
    "CREATE INDEX cases_mission ON cases(mission_id, queue_rank, due_at, id);"
    "CREATE INDEX cases_assigned ON cases(assigned_to, queue_rank, due_at, id)"
    "  WHERE assigned_to IS NOT NULL;"
    "CREATE INDEX cases_crisis ON cases(crisis_id, queue_rank, due_at, id)"
    "  WHERE crisis_id IS NOT NULL;"
    "CREATE INDEX cases_type ON cases(type, queue_rank, due_at, id);"
    "CREATE TABLE case_persons ("
    "  case_id INTEGER NOT NULL REFERENCES cases(id),"
    "  person_id INTEGER NOT NULL REFERENCES persons(id),"
    "  added_by INTEGER REFERENCES users(id),"
    "  added_at INTEGER NOT NULL,"
    "  PRIMARY KEY (case_id, person_id)) WITHOUT ROWID;"
    "CREATE INDEX case_persons_person ON case_persons(person_id, case_id);"
    "CREATE TABLE case_events ("
    "  id INTEGER PRIMARY KEY,"
    "  case_id INTEGER NOT NULL REFERENCES cases(id),"
    "  at INTEGER NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  author_id INTEGER REFERENCES users(id),"
    "  detail TEXT,"
    "  note TEXT);"
    "CREATE INDEX case_events_case ON case_events(case_id, id);";
/*
 * Migration 6: evacuation and repatriation (store_evac.h). Staging sites and the stays of persons
 * at them (at most one open stay per person, by the partial unique index); transports with
 * their seat arrangements with partner countries as JSON text; manifest entries, one per person
 * and transport (person_id NULL for a partner national, whose sealed document number is kept in
 * document_enc), grouped by booking.
 */
static const char migration_6[] =
    "CREATE TABLE staging_sites ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  country TEXT NOT NULL,"
    "  region TEXT,"
    "  lat REAL,"
    "  lon REAL,"
    "  capacity INTEGER NOT NULL,"
    "  crisis_id INTEGER REFERENCES crises(id),"
    "  notes TEXT,"
    "  created_by INTEGER REFERENCES users(id),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE INDEX staging_sites_country ON staging_sites(country, id);"
    "CREATE INDEX staging_sites_crisis ON staging_sites(crisis_id, id);"
    "CREATE TABLE site_stays ("
    "  id INTEGER PRIMARY KEY,"
    "  site_id INTEGER NOT NULL REFERENCES staging_sites(id),"
    "  person_id INTEGER NOT NULL REFERENCES persons(id),"
    "  checked_in_at INTEGER NOT NULL,"
    "  checked_out_at INTEGER,"
    "  checked_in_by INTEGER REFERENCES users(id),"
    "  checked_out_by INTEGER REFERENCES users(id));"
    "CREATE UNIQUE INDEX site_stays_open ON site_stays(person_id) WHERE checked_out_at IS NULL;"
    "CREATE INDEX site_stays_site ON site_stays(site_id, checked_out_at, id);"
    "CREATE TABLE transports ("
    "  id INTEGER PRIMARY KEY,"
    "  mode TEXT NOT NULL,"
    "  provider TEXT NOT NULL,"
    "  partner_country TEXT,"
    "  purpose TEXT NOT NULL,"
    "  crisis_id INTEGER REFERENCES crises(id),"
    "  origin_place TEXT NOT NULL,"
    "  origin_country TEXT NOT NULL,"
    "  destination_place TEXT NOT NULL,"
    "  destination_country TEXT NOT NULL,"
    "  departure_at INTEGER NOT NULL,"
    "  arrival_at INTEGER,"
    "  capacity INTEGER NOT NULL,"
    "  reference TEXT,"
    "  seats TEXT NOT NULL DEFAULT '[]',"
    "  status TEXT NOT NULL,"
    "  notes TEXT,"
    "  created_by INTEGER REFERENCES users(id),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE INDEX transports_origin ON transports(origin_country, id);"
    "CREATE INDEX transports_crisis ON transports(crisis_id, id);"
    "CREATE TABLE manifest_entries ("
    "  id INTEGER PRIMARY KEY,"
    "  transport_id INTEGER NOT NULL REFERENCES transports(id),"
    "  booking INTEGER NOT NULL,"
    "  person_id INTEGER REFERENCES persons(id),"
    "  full_name TEXT,"
    "  nationality TEXT NOT NULL,"
    "  document_enc BLOB,"
    "  status TEXT NOT NULL,"
    "  booked_at INTEGER NOT NULL,"
    "  status_at INTEGER NOT NULL,"
    "  booked_by INTEGER REFERENCES users(id));"
    "CREATE INDEX manifest_entries_transport ON manifest_entries(transport_id, id);"
    "CREATE INDEX manifest_entries_person ON manifest_entries(person_id, status)"
    "  WHERE person_id IS NOT NULL;";
/*
 * Migration 7: lists handed over by foreign authorities (issue 6). A list, its rows (the mapped
 * fields as JSON, the identity number sealed apart, the best candidate's band, and the officer's
 * decision on the row with the confirmed person), the top candidates of each row with their
 * probability, band, explanation and decision, and every decision as history. Bands: 0 none,
 * 1 review, 2 strong. Row decisions: 0 pending, 1 confirmed, 2 rejected, 3 new person;
 * candidate decisions: 0 none, 1 confirmed, 2 rejected.
 *
 * match_generation counts the changes to what matching reads of the registry that are not
 * inserts (edited names, dates, sex, numbers, province; deletions; jurisdictions changed):
 * together with the highest person and presence ids (writers are serialised, so a new row always
 * has a higher id) it tells a server whether its matching index is current
 * (src/registry/list_index.c). Inserts fire no trigger, so imports pay nothing for it.
 */
static const char migration_7[] =
    "CREATE TABLE lists ("
    "  id INTEGER PRIMARY KEY,"
    "  title TEXT NOT NULL,"
    "  source TEXT NOT NULL,"
    "  country TEXT NOT NULL,"
    "  crisis_id INTEGER REFERENCES crises(id),"
    "  mission_id INTEGER REFERENCES missions(id),"
    "  ref_date TEXT NOT NULL,"
    "  bad_rows INTEGER NOT NULL DEFAULT 0,"
    "  created_by INTEGER REFERENCES users(id),"
    "  created_at INTEGER NOT NULL);"
    "CREATE INDEX lists_mission ON lists(mission_id, id);"
    "CREATE TABLE list_rows ("
    "  list_id INTEGER NOT NULL REFERENCES lists(id),"
    "  row_no INTEGER NOT NULL,"
    "  line INTEGER NOT NULL,"
    "  fields TEXT NOT NULL,"
    "  idn_enc BLOB,"
    "  band INTEGER NOT NULL,"
    "  decision INTEGER NOT NULL DEFAULT 0,"
    "  person_id INTEGER REFERENCES persons(id),"
    "  decided_by INTEGER REFERENCES users(id),"
    "  decided_at INTEGER,"
    "  PRIMARY KEY (list_id, row_no)) WITHOUT ROWID;"
    "CREATE INDEX list_rows_person ON list_rows(person_id) WHERE person_id IS NOT NULL;"
    "CREATE TABLE list_candidates ("
    "  list_id INTEGER NOT NULL,"
    "  row_no INTEGER NOT NULL,"
    "  rank INTEGER NOT NULL,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id),"
    "  probability REAL NOT NULL,"
    "  band INTEGER NOT NULL,"
    "  explanation TEXT NOT NULL,"
    "  decision INTEGER NOT NULL DEFAULT 0,"
    "  decided_by INTEGER REFERENCES users(id),"
    "  decided_at INTEGER,"
    "  PRIMARY KEY (list_id, row_no, rank),"
    "  FOREIGN KEY (list_id, row_no) REFERENCES list_rows(list_id, row_no)) WITHOUT ROWID;"
    "CREATE TABLE list_decisions ("
    "  id INTEGER PRIMARY KEY,"
    "  list_id INTEGER NOT NULL REFERENCES lists(id),"
    "  row_no INTEGER NOT NULL,"
    "  decision TEXT NOT NULL,"
    "  person_id INTEGER REFERENCES persons(id),"
    "  replaced_person_id INTEGER REFERENCES persons(id),"
    "  user_id INTEGER REFERENCES users(id),"
    "  at INTEGER NOT NULL);"
    "CREATE INDEX list_decisions_row ON list_decisions(list_id, row_no, id);"
    "CREATE TABLE match_generation (id INTEGER PRIMARY KEY CHECK (id = 1), gen INTEGER NOT NULL);"
    "INSERT INTO match_generation VALUES (1, 1);"
    "CREATE TRIGGER persons_match_upd AFTER UPDATE OF full_name, other_names, sex, dob, nid_enc,"
    "  passport_enc, home_province, owner_mission_id ON persons"
    "  BEGIN UPDATE match_generation SET gen = gen + 1 WHERE id = 1; END;"
    "CREATE TRIGGER persons_match_del AFTER DELETE ON persons"
    "  BEGIN UPDATE match_generation SET gen = gen + 1 WHERE id = 1; END;"
    "CREATE TRIGGER presences_match_upd AFTER UPDATE OF country, person_id ON presences"
    "  BEGIN UPDATE match_generation SET gen = gen + 1 WHERE id = 1; END;"
    "CREATE TRIGGER presences_match_del AFTER DELETE ON presences"
    "  BEGIN UPDATE match_generation SET gen = gen + 1 WHERE id = 1; END;"
    "CREATE TRIGGER mission_countries_match_ins AFTER INSERT ON mission_countries"
    "  BEGIN UPDATE match_generation SET gen = gen + 1 WHERE id = 1; END;"
    "CREATE TRIGGER mission_countries_match_del AFTER DELETE ON mission_countries"
    "  BEGIN UPDATE match_generation SET gen = gen + 1 WHERE id = 1; END;";
/*
 * Migration 8: idempotency keys (store_idem.h). One row per (scope, key): the hash of the request
 * that used the key and the answer it got (status, content type, extra headers, and the body
 * sealed like identifiers), written in the same transaction as the request's own writes.
 */
static const char migration_8[] =
    "CREATE TABLE idempotency_keys ("
    "  scope TEXT NOT NULL,"
    "  idem_key TEXT NOT NULL,"
    "  request_hash BLOB NOT NULL,"
    "  status INTEGER NOT NULL,"
    "  content_type TEXT NOT NULL,"
    "  headers TEXT NOT NULL,"
    "  body BLOB NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (scope, idem_key)) WITHOUT ROWID;"
    "CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);";

/*
 * Migration 9: what a confirmed list row does to the registry, and missing-person cases as
 * candidates (issue 6). A list may carry the welfare status to apply to each person confirmed on
 * it (apply_status) and the presence to record (presence_category, NULL for none; in the list's
 * country and region). A row remembers what its confirmation applied (the status event, the
 * status before it, the presence it added) so that withdrawing the confirmation can undo what is
 * still current. A candidate is a person or the unregistered subject of an open missing-person
 * case (case_id), never both: list_candidates is rebuilt because SQLite cannot drop a NOT NULL.
 * Opening, closing, transferring or relinking a missing-person case changes what matching reads,
 * so those changes bump the matching generation too.
 */
static const char migration_9[] =
    "ALTER TABLE lists ADD COLUMN region TEXT;"
    "ALTER TABLE lists ADD COLUMN apply_status TEXT;"
    "ALTER TABLE lists ADD COLUMN presence_category TEXT;"
    "ALTER TABLE list_rows ADD COLUMN case_id INTEGER REFERENCES cases(id);"
    "ALTER TABLE list_rows ADD COLUMN applied_event_id INTEGER REFERENCES status_events(id);"
    "ALTER TABLE list_rows ADD COLUMN applied_prev_status TEXT;"
    "ALTER TABLE list_rows ADD COLUMN applied_presence_id INTEGER;"
    "CREATE INDEX list_rows_case ON list_rows(case_id) WHERE case_id IS NOT NULL;"
    "CREATE TABLE list_candidates_9 ("
    "  list_id INTEGER NOT NULL,"
    "  row_no INTEGER NOT NULL,"
    "  rank INTEGER NOT NULL,"
    "  person_id INTEGER REFERENCES persons(id),"
    "  case_id INTEGER REFERENCES cases(id),"
    "  probability REAL NOT NULL,"
    "  band INTEGER NOT NULL,"
    "  explanation TEXT NOT NULL,"
    "  decision INTEGER NOT NULL DEFAULT 0,"
    "  decided_by INTEGER REFERENCES users(id),"
    "  decided_at INTEGER,"
    "  CHECK ((person_id IS NULL) <> (case_id IS NULL)),"
    "  PRIMARY KEY (list_id, row_no, rank),"
    "  FOREIGN KEY (list_id, row_no) REFERENCES list_rows(list_id, row_no)) WITHOUT ROWID;"
    "INSERT INTO list_candidates_9(list_id, row_no, rank, person_id, probability, band,"
    "  explanation, decision, decided_by, decided_at) SELECT list_id, row_no, rank, person_id,"
    "  probability, band, explanation, decision, decided_by, decided_at FROM list_candidates;"
    "DROP TABLE list_candidates;"
    "ALTER TABLE list_candidates_9 RENAME TO list_candidates;"
    "ALTER TABLE list_decisions ADD COLUMN case_id INTEGER REFERENCES cases(id);"
    "ALTER TABLE list_decisions ADD COLUMN replaced_case_id INTEGER REFERENCES cases(id);"
    "CREATE TRIGGER cases_match_ins AFTER INSERT ON cases"
    "  WHEN NEW.type = 'missing_person_report'"
    "  BEGIN UPDATE match_generation SET gen = gen + 1 WHERE id = 1; END;"
    "CREATE TRIGGER cases_match_upd AFTER UPDATE ON cases"
    "  WHEN (OLD.type = 'missing_person_report' OR NEW.type = 'missing_person_report') AND"
    "  (OLD.type IS NOT NEW.type OR OLD.mission_id IS NOT NEW.mission_id"
    "  OR OLD.caller_name IS NOT NEW.caller_name OR OLD.caller_person_id IS NOT NEW.caller_person_id"
    "  OR (OLD.status IN ('new', 'triaged', 'in_progress'))"
    "  <> (NEW.status IN ('new', 'triaged', 'in_progress')))"
    "  BEGIN UPDATE match_generation SET gen = gen + 1 WHERE id = 1; END;"
    "CREATE TRIGGER case_persons_match_ins AFTER INSERT ON case_persons"
    "  WHEN EXISTS (SELECT 1 FROM cases k WHERE k.id = NEW.case_id"
    "  AND k.type = 'missing_person_report')"
    "  BEGIN UPDATE match_generation SET gen = gen + 1 WHERE id = 1; END;"
    "CREATE TRIGGER case_persons_match_del AFTER DELETE ON case_persons"
    "  WHEN EXISTS (SELECT 1 FROM cases k WHERE k.id = OLD.case_id"
    "  AND k.type = 'missing_person_report')"
    "  BEGIN UPDATE match_generation SET gen = gen + 1 WHERE id = 1; END;";

/*
 * Migration 10: the language a person reads messages in (issue 4: an alert's email and SMS are
 * written in it, and the check-in page opens in it). Existing persons read as Vietnamese.
 */
static const char migration_10[] =
    "ALTER TABLE persons ADD COLUMN preferred_language TEXT NOT NULL DEFAULT 'vi'"
    "  CHECK (preferred_language IN ('vi', 'en'));";

/*
 * Migration matchsubject: the subject of a missing-person case (issue 6), when it is not a
 * registered person: name, sex, date of birth (partial as persons'), home province and identity
 * number (sealed and keyed-hashed as persons' numbers are), one row per case at most. Matching
 * reads them, so any change to a missing-person case's subject bumps the matching generation.
 */
static const char migration_matchsubject[] =
    "CREATE TABLE case_subjects ("
    "  case_id INTEGER PRIMARY KEY REFERENCES cases(id),"
    "  full_name TEXT,"
    "  sex TEXT,"
    "  dob TEXT,"
    "  home_province TEXT,"
    "  idn_enc BLOB,"
    "  idn_hash BLOB);"
    "CREATE INDEX case_subjects_idn ON case_subjects(idn_hash) WHERE idn_hash IS NOT NULL;"
    "CREATE TRIGGER case_subjects_match_ins AFTER INSERT ON case_subjects"
    "  WHEN EXISTS (SELECT 1 FROM cases k WHERE k.id = NEW.case_id"
    "  AND k.type = 'missing_person_report')"
    "  BEGIN UPDATE match_generation SET gen = gen + 1 WHERE id = 1; END;"
    "CREATE TRIGGER case_subjects_match_upd AFTER UPDATE ON case_subjects"
    "  WHEN EXISTS (SELECT 1 FROM cases k WHERE k.id = NEW.case_id"
    "  AND k.type = 'missing_person_report')"
    "  BEGIN UPDATE match_generation SET gen = gen + 1 WHERE id = 1; END;"
    "CREATE TRIGGER case_subjects_match_del AFTER DELETE ON case_subjects"
    "  WHEN EXISTS (SELECT 1 FROM cases k WHERE k.id = OLD.case_id"
    "  AND k.type = 'missing_person_report')"
    "  BEGIN UPDATE match_generation SET gen = gen + 1 WHERE id = 1; END;";

/*
 * migration_pgcheckin: nothing on SQLite. Its PostgreSQL twin creates checkin_answers, the
 * check-ins of a group-commit batch in one round trip; SQLite has no round trips to save and
 * records each answer with the statements of store_sqlite_alert.c.
 */
static const char migration_pgcheckin[] = "SELECT 1;";

/*
 * Migration: how many of an alert's recipients read English, kept on the alert when it is sent
 * (the others read Vietnamese), so that the alert's page shows the split without counting a
 * million recipient rows at every refresh. Alerts sent before are counted once here.
 */
static const char migration_alertlang[] =
    "ALTER TABLE alerts ADD COLUMN recipients_en INTEGER NOT NULL DEFAULT 0;"
    "UPDATE alerts SET recipients_en = (SELECT count(*) FROM alert_recipients r"
    " WHERE r.alert_id = alerts.id AND r.lang = 'en');";

/*
 * migration_pgcase: nothing on SQLite. Its PostgreSQL twin creates checkin_cases, the cases of
 * the "need help" answers of a group-commit batch in one round trip; SQLite opens each with
 * store_case_from_checkin.
 */
static const char migration_pgcase[] = "SELECT 1;";

/*
 * migration_importfast: the identity-number indexes hold a short integer key instead of the
 * 32-byte keyed hash: the first 7 bytes of the hash, big-endian (sq_identity_key in
 * store_sqlite_priv.h computes the same in C). An initial load rebuilds these indexes by
 * sorting, and SQLite sorts integers several times faster than blobs. Lookups compare the key,
 * then the full hash, which stays in its column, unindexed. Existing rows get their keys here:
 * hex() of the 7 bytes, one hexadecimal digit at a time.
 */
#define IMPORTFAST_NIB(col, i, shift)                                                           \
  "((instr('0123456789ABCDEF', substr(hex(" col "), " #i ", 1)) - 1) << " #shift ")"
#define IMPORTFAST_KEY(col)                                                                     \
  "(" IMPORTFAST_NIB(col, 1, 52) " | " IMPORTFAST_NIB(col, 2, 48) " | "                         \
  IMPORTFAST_NIB(col, 3, 44) " | " IMPORTFAST_NIB(col, 4, 40) " | " IMPORTFAST_NIB(col, 5, 36)  \
  " | " IMPORTFAST_NIB(col, 6, 32) " | " IMPORTFAST_NIB(col, 7, 28) " | "                       \
  IMPORTFAST_NIB(col, 8, 24) " | " IMPORTFAST_NIB(col, 9, 20) " | "                             \
  IMPORTFAST_NIB(col, 10, 16) " | " IMPORTFAST_NIB(col, 11, 12) " | "                           \
  IMPORTFAST_NIB(col, 12, 8) " | " IMPORTFAST_NIB(col, 13, 4) " | " IMPORTFAST_NIB(col, 14, 0) ")"
static const char migration_importfast[] =
    "ALTER TABLE persons ADD COLUMN nid_key INTEGER;"
    "ALTER TABLE persons ADD COLUMN passport_key INTEGER;"
    "UPDATE persons SET nid_key = " IMPORTFAST_KEY("nid_hash") " WHERE nid_hash IS NOT NULL;"
    "UPDATE persons SET passport_key = " IMPORTFAST_KEY("passport_hash")
    " WHERE passport_hash IS NOT NULL;"
    "DROP INDEX persons_nid;"
    "DROP INDEX persons_passport;"
    "CREATE INDEX persons_nid ON persons(nid_key) WHERE nid_key IS NOT NULL;"
    "CREATE INDEX persons_passport ON persons(passport_key) WHERE passport_key IS NOT NULL;";
#undef IMPORTFAST_KEY
#undef IMPORTFAST_NIB

/*
 * migration_pgfast: nothing on SQLite. Its PostgreSQL twin writes a batch of check-ins in a few
 * statements for the whole batch and adds server functions for the reads of a check-in's case,
 * to save round trips and executor start-ups; SQLite has neither (each statement is a function
 * call in the process), and records a batch's answers one by one with the same results.
 */
static const char migration_pgfast[] = "SELECT 1;";

/*
 * Migration matchprior: an unregistered missing-person subject is matched as present in its
 * case's crisis's countries (issue 6, where a list comes from), so a case moved to another crisis,
 * or a country added to or removed from a crisis that has missing-person cases, bumps the
 * matching generation.
 */
static const char migration_matchprior[] =
    "CREATE TRIGGER cases_match_crisis AFTER UPDATE OF crisis_id ON cases"
    "  WHEN NEW.type = 'missing_person_report' AND OLD.crisis_id IS NOT NEW.crisis_id"
    "  BEGIN UPDATE match_generation SET gen = gen + 1 WHERE id = 1; END;"
    "CREATE TRIGGER crisis_countries_match_ins AFTER INSERT ON crisis_countries"
    "  WHEN EXISTS (SELECT 1 FROM cases k WHERE k.crisis_id = NEW.crisis_id"
    "  AND k.type = 'missing_person_report')"
    "  BEGIN UPDATE match_generation SET gen = gen + 1 WHERE id = 1; END;"
    "CREATE TRIGGER crisis_countries_match_del AFTER DELETE ON crisis_countries"
    "  WHEN EXISTS (SELECT 1 FROM cases k WHERE k.crisis_id = OLD.crisis_id"
    "  AND k.type = 'missing_person_report')"
    "  BEGIN UPDATE match_generation SET gen = gen + 1 WHERE id = 1; END;";

/*
 * migration_pgbatch: nothing on SQLite. Its PostgreSQL twin skips the updates of a check-in batch
 * that would change nothing (the SQLite statements of store_checkin_answers already skip a status
 * that does not change) and writes a batch's cases set by set.
 */
static const char migration_pgbatch[] = "SELECT 1;";

/*
 * migration_pgplans: nothing on SQLite. Its PostgreSQL twin has the check-in batch functions
 * find rows by key whatever the planner's statistics say.
 */
static const char migration_pgplans[] = "SELECT 1;";

/*
 * migration_pgidem: nothing on SQLite. Its PostgreSQL twin looks idempotency keys up by key
 * whatever the planner's statistics say (pg_schema.c).
 */
static const char migration_pgidem[] = "SELECT 1;";

static const char *const migrations[] = {migration_1, migration_2, migration_3, migration_4,
                                         migration_5, migration_6, migration_7, migration_8,
                                         migration_9, migration_10, migration_matchsubject,
                                         migration_pgcheckin, migration_alertlang,
                                         migration_pgcase, migration_importfast,
                                         migration_pgfast,
                                         migration_matchprior, migration_pgbatch,
                                         migration_pgplans, migration_pgidem};

size_t sqlite_schema_count(void) { return sizeof(migrations) / sizeof(migrations[0]); }

const char *sqlite_schema_migration(size_t version) {
  if (version < 1 || version > sqlite_schema_count()) return NULL;
  return migrations[version - 1];
}
