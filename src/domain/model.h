/*
 * model.h - the registry's records and the closed vocabularies they use, declared once.
 *
 * Every record is a plain struct whose strings and JSON values belong to the arena (strings) or
 * to the record (json_t references, released by the matching *_clear function). Internal ids are
 * int64 database keys; the API shows them only as opaque public ids (secret.h).
 */
#ifndef BAOHO_MODEL_H
#define BAOHO_MODEL_H

#include <jansson.h>
#include <stdint.h>

/* Closed vocabularies: each list is NULL-terminated and is the single source of truth. */
extern const char *const model_mission_kinds[];
extern const char *const model_roles[];
extern const char *const model_sexes[];
extern const char *const model_flags[];
extern const char *const model_categories[];
extern const char *const model_statuses[];
extern const char *const model_sources[];
/* Languages a person may read messages in ("vi", "en"); MODEL_LANGUAGE_DEFAULT when unset. */
extern const char *const model_languages[];
#define MODEL_LANGUAGE_DEFAULT "vi"

/* Returns the index of s in the NULL-terminated list, or -1. */
int model_enum_index(const char *const *list, const char *s);

/* Roles, in the order of model_roles. */
enum role { ROLE_ADMIN = 0, ROLE_HQ, ROLE_OFFICER, ROLE_VIEWER, ROLE_COUNT };
#define ROLE_BIT(r) (1u << (r))
#define ROLES_ALL (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_HQ) | ROLE_BIT(ROLE_OFFICER) | ROLE_BIT(ROLE_VIEWER))
#define ROLES_PERSONAL (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_HQ) | ROLE_BIT(ROLE_OFFICER))
#define ROLES_HQ (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_HQ))

/* Field limits, named once and used by validation, storage and import. */
#define MODEL_NAME_MAX 300
#define MODEL_TEXT_MAX 2000
#define MODEL_SHORT_MAX 200
#define MODEL_EMAIL_MAX 254
#define MODEL_PHONE_MAX 32
#define MODEL_NUMBER_MAX 32
#define MODEL_LIST_MAX 10
#define MODEL_JURISDICTION_MAX 60

typedef struct mission {
  int64_t id;
  const char *kind;
  const char *name;
  const char *city;
  char country[3];
  json_t *jurisdiction; /* array of ISO alpha-2 strings */
  const char *hotline;
  const char *email;
  const char *timezone;
  int64_t created_at;
  int64_t updated_at;
} mission_t;

typedef struct user {
  int64_t id;
  const char *email;
  const char *name;
  int role; /* enum role */
  int64_t mission_id;
  const char *pwhash; /* only filled for authentication; never serialised */
  int disabled;
  int64_t created_at;
} user_t;

typedef struct person {
  int64_t id;
  const char *full_name; /* NFC */
  json_t *other_names;   /* array of strings */
  const char *sex;       /* model_sexes */
  const char *date_of_birth; /* partial ISO date or NULL */
  const char *national_id;   /* plain, only in memory */
  const char *passport;      /* plain, only in memory */
  json_t *phones;
  json_t *emails;
  const char *home_province;
  json_t *flags;
  json_t *contacts; /* array of {name, relation, phone, consent_to_disclose} */
  const char *source;
  const char *status;
  int64_t status_at;
  int64_t owner_mission_id; /* mission that registered the person; 0 for self-registration */
  const char *import_key;   /* dedupe key of an import row, or NULL */
  const char *preferred_language; /* model_languages; NULL is MODEL_LANGUAGE_DEFAULT */
  int64_t created_at;
  int64_t updated_at;
} person_t;

typedef struct presence {
  int64_t id;
  int64_t person_id;
  char country[3];
  const char *region;
  const char *city;
  const char *address;
  int has_geo;
  double lat;
  double lon;
  const char *category;
  const char *organisation;
  const char *date_from;  /* partial ISO date or NULL */
  const char *date_until; /* partial ISO date or NULL (open-ended) */
  const char *group_id;
  int64_t created_at;
  int64_t updated_at;
} presence_t;

typedef struct status_event {
  int64_t id;
  int64_t person_id;
  const char *status;
  int64_t at;
  const char *source;
  int64_t author_id; /* user id, 0 for the citizen or the system */
  const char *note;
} status_event_t;

typedef struct audit_entry {
  int64_t id;
  int64_t at;
  int64_t user_id;
  const char *action; /* e.g. "person.read", "person.create", "session.login_failed" */
  const char *object_kind;
  int64_t object_id;
  const char *client;     /* client address */
  const char *request_id;
  const char *detail;     /* JSON text, no secrets */
} audit_entry_t;

/* Travel advisory levels 1-4 with their meaning (index = level). */
extern const char *const model_advisory_levels_en[];
extern const char *const model_advisory_levels_vi[];
#define ADVISORY_LEVEL_MIN 1
#define ADVISORY_LEVEL_MAX 4

/*
 * One version of a travel advisory for a country (and optionally a region). Every change of
 * level or text is a new version of the same series, so history is kept: an escalation from 2
 * to 3 to 4 is three versions.
 */
typedef struct advisory {
  int64_t id;        /* this version */
  int64_t series_id; /* the advisory across its versions */
  int version;       /* 1, 2, ... within the series */
  char country[3];
  const char *region; /* ISO 3166-2 code or NULL for the whole country */
  int level;          /* ADVISORY_LEVEL_MIN..MAX */
  const char *title_vi;
  const char *title_en;
  const char *text_vi; /* may contain newlines */
  const char *text_en;
  const char *reason;  /* why the level changed */
  int64_t issued_at;   /* unix time */
  const char *review_due; /* ISO date or NULL */
  int64_t author_id;
  int64_t created_at;
} advisory_t;

/* Crisis kinds and alert channels, closed vocabularies. */
extern const char *const model_crisis_kinds[];
extern const char *const model_channels[];
/* What a citizen answers to "are you safe?". */
extern const char *const model_checkin_answers[];

/*
 * A crisis: an event abroad in an area (countries, optionally regions, optionally a circle or a
 * polygon) whose audience is every person with a presence in the area that overlaps now.
 */
typedef struct crisis {
  int64_t id;
  const char *name;
  const char *kind;        /* model_crisis_kinds */
  const char *description; /* may be NULL */
  json_t *countries;       /* array of ISO alpha-2 */
  json_t *regions;         /* array of ISO 3166-2 codes or names; empty = whole countries */
  json_t *area;            /* NULL, {"circle":{"lat","lon","radius_km"}} or {"polygon":[[lat,lon],...]} */
  int64_t lead_mission_id;
  int64_t opened_at;
  int64_t closed_at; /* 0 while open */
  int64_t created_by;
  int64_t created_at;
  int64_t updated_at;
} crisis_t;

/* A mass alert of a crisis, in Vietnamese and English, sent through one or more channels. */
typedef struct alert {
  int64_t id;
  int64_t crisis_id;
  const char *status; /* draft, sending, sent, cancelled */
  const char *subject_vi;
  const char *subject_en;
  const char *body_vi;
  const char *body_en;
  const char *sms_vi; /* SMS text (may be the unaccented variant), or NULL to derive */
  const char *sms_en;
  json_t *channels;   /* array of model_channels */
  json_t *filter;     /* {"regions":[],"categories":[],"statuses":[]} or NULL */
  int ask_checkin;
  int64_t recipients;
  int64_t created_by;
  int64_t created_at;
  int64_t sent_at;
} alert_t;

/* Releases the JSON values a record holds (strings belong to the arena). Accept NULL. */
void mission_clear(mission_t *m);
void person_clear(person_t *p);
void crisis_clear(crisis_t *c);
void alert_clear(alert_t *a);

#endif
