/*
 * store_evac.h - the storage interface of evacuation and repatriation: staging sites and the
 * stays of persons at them, transports, their manifests, arrival, and the figures the situation
 * report reads. Part of the storage interface (store.h), in its own header like store_alert.h;
 * store_evac.c forwards each call to the SQLite (store_sqlite_evac.c, prefix sqe_) or
 * PostgreSQL (store_pg_evac.c, prefix pge_) backend and holds what is common to both (arrival,
 * suggestions). Contracts as in store.h: BH_OK or a negative bh_err, strings from the caller's
 * arena, JSON values owned by the record (release with transport_clear).
 *
 * Tables (migration 6): staging_sites, site_stays (one row per stay of a person at a site;
 * a person has at most one open stay, enforced by a unique index), transports, manifest_entries
 * (one row per person and transport; partner nationals have no person_id).
 *
 * Jurisdiction: an officer's scope sees a site whose country, and a transport whose origin
 * country, is in the jurisdiction of the officer's mission; anything else is reported as not
 * found. Persons named in check-ins and bookings must be visible to the scope (store.h);
 * lists of persons at a site show only those visible to the scope.
 *
 * Refusals: functions that can refuse a request for a reason the caller must explain return
 * BH_ERR_CONFLICT (409) or BH_ERR_NOT_FOUND (a person out of scope) and fill an evac_refusal_t.
 */
#ifndef BAOHO_STORE_EVAC_H
#define BAOHO_STORE_EVAC_H

#include <stdint.h>

#include "domain/evac.h"
#include "store/store.h"

/* A staging site: a shelter, an assembly point or a border crossing. */
typedef struct site {
  int64_t id;
  const char *kind; /* evac_site_kinds */
  const char *name;
  char country[3];
  const char *region; /* may be NULL */
  int has_geo;
  double lat, lon;
  int64_t capacity;
  int64_t crisis_id; /* 0 for none */
  const char *notes; /* may be NULL */
  int64_t occupancy; /* OUT of reads: persons checked in and not out */
  int64_t created_by;
  int64_t created_at;
  int64_t updated_at;
} site_t;

typedef struct site_filter {
  int64_t crisis_id;   /* 0 for any */
  const char *country; /* NULL for any */
} site_filter_t;

/* One stay of a person at a site (a check-in, and its check-out once done). */
typedef struct site_stay {
  int64_t id;
  int64_t site_id;
  int64_t person_id;
  const char *full_name;
  const char *status; /* the person's current welfare status */
  int64_t checked_in_at;
  int64_t checked_out_at; /* 0 while at the site */
} site_stay_t;

/* A transport (flight, bus, train, ship) of an evacuation or a repatriation. */
typedef struct transport {
  int64_t id;
  const char *mode;            /* evac_modes */
  const char *provider;        /* evac_providers */
  const char *partner_country; /* the partner's ISO alpha-2 when provider is partner, else NULL */
  const char *purpose;         /* evac_purposes */
  int64_t crisis_id;           /* 0 for none */
  const char *origin_place;
  char origin_country[3];
  const char *destination_place;
  char destination_country[3];
  int64_t departure_at; /* planned, or actual once departed */
  int64_t arrival_at;   /* planned (0 unknown), or actual once arrived */
  int64_t capacity;
  const char *reference; /* flight number, plate ...; may be NULL */
  json_t *seats;         /* [{"country","seats","direction"}], never NULL after a read */
  const char *status;    /* evac_transport_statuses */
  const char *notes;
  int64_t counts[EVAC_ENTRY_STATUS_COUNT]; /* OUT of reads: entries per status */
  json_t *by_nationality; /* OUT of reads: {"VN": n, ...} over entries holding a seat */
  int64_t created_by;
  int64_t created_at;
  int64_t updated_at;
} transport_t;

/* Releases the JSON values of t. Accepts NULL. */
void transport_clear(transport_t *t);

typedef struct transport_filter {
  int64_t crisis_id;   /* 0 for any */
  const char *purpose; /* NULL for any */
  const char *status;  /* NULL for any */
  const char *country; /* origin country, NULL for any */
} transport_filter_t;

/* One member of a booking group, as given. */
typedef struct manifest_in {
  int64_t person_id;     /* a registered person, or 0 for a partner national */
  const char *full_name; /* partner national */
  char nationality[3];   /* partner national's ISO alpha-2 (registered persons are VN) */
  const unsigned char *document_sealed; /* partner national's sealed document number, or NULL */
  size_t document_len;
} manifest_in_t;

/* One manifest entry, as read. */
typedef struct manifest_entry {
  int64_t id;
  int64_t transport_id;
  int64_t booking; /* booking group number within the transport (1, 2, ...) */
  int64_t person_id; /* 0 for a partner national */
  const char *full_name;
  char nationality[3];
  const unsigned char *document_sealed; /* in the arena, or NULL */
  size_t document_len;
  const char *status; /* evac_entry_statuses */
  int64_t booked_at;
  int64_t status_at;
  int64_t booked_by;
} manifest_entry_t;

/* Why a request was refused (filled with BH_ERR_CONFLICT or BH_ERR_NOT_FOUND). */
enum evac_refusal_kind {
  EVAC_REFUSED_NONE = 0,
  EVAC_REFUSED_CAPACITY,      /* capacity, used, needed */
  EVAC_REFUSED_AT_SITE,       /* the person is at a site already (other_id; same site if ==) */
  EVAC_REFUSED_NOT_AT_SITE,   /* check-out of a person not at this site */
  EVAC_REFUSED_BOOKED,        /* index's person holds a seat on transport other_id */
  EVAC_REFUSED_PERSON,        /* index's person is not visible (BH_ERR_NOT_FOUND) */
  EVAC_REFUSED_STATUS,        /* from -> to is not a transition */
  EVAC_REFUSED_NOT_BOOKABLE,  /* the transport's status (from) takes no bookings */
};

typedef struct evac_refusal {
  int kind; /* enum evac_refusal_kind */
  int64_t capacity, used, needed;
  int64_t other_id;
  size_t index; /* member of the group */
  const char *from, *to;
} evac_refusal_t;

/* Sites. An officer's sites must lie in the jurisdiction; the caller checks that. */
int store_site_create(store_conn_t *c, site_t *s /* IN, OUT: id, times */);
int store_site_get(store_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                   site_t *out /* OUT */);
/* Replaces kind, name, country, region, position, capacity, crisis and notes. */
int store_site_update(store_conn_t *c, const store_scope_t *scope, const site_t *s);
int store_site_list(store_conn_t *c, const store_scope_t *scope, const site_filter_t *f,
                    const store_page_t *page, arena_t *a, site_t **out /* OUT */,
                    size_t *n /* OUT */);
/*
 * Checks person_id in at site_id at time at. Refuses with BH_ERR_CONFLICT when the site is full
 * (EVAC_REFUSED_CAPACITY) or the person has an open stay at any site (EVAC_REFUSED_AT_SITE);
 * BH_ERR_NOT_FOUND when the site or the person is not visible to scope (why->kind tells:
 * EVAC_REFUSED_PERSON for the person). Fills *stay_id.
 */
int store_site_checkin(store_conn_t *c, const store_scope_t *scope, int64_t site_id,
                       int64_t person_id, int64_t at, int64_t author_id,
                       evac_refusal_t *why /* OUT */, int64_t *stay_id /* OUT */);
/* Ends the open stay of person_id at site_id at time at; BH_ERR_CONFLICT with
 * EVAC_REFUSED_NOT_AT_SITE when there is none. */
int store_site_checkout(store_conn_t *c, const store_scope_t *scope, int64_t site_id,
                        int64_t person_id, int64_t at, int64_t author_id,
                        evac_refusal_t *why /* OUT */);
/* Stays at a site (present_only: open stays only) of persons visible to scope, in stay id order;
 * page.after is a stay id. */
int store_site_people(store_conn_t *c, const store_scope_t *scope, int64_t site_id,
                      int present_only, const store_page_t *page, arena_t *a,
                      site_stay_t **out /* OUT */, size_t *n /* OUT */);

/* Transports. An officer's transports must leave from the jurisdiction; the caller checks. */
int store_transport_create(store_conn_t *c, transport_t *t /* IN, OUT: id, status, times */);
int store_transport_get(store_conn_t *c, const store_scope_t *scope, int64_t id, arena_t *a,
                        transport_t *out /* OUT */);
/* Replaces every field but the status and the entries. */
int store_transport_update(store_conn_t *c, const store_scope_t *scope, const transport_t *t);
int store_transport_list(store_conn_t *c, const store_scope_t *scope, const transport_filter_t *f,
                         const store_page_t *page, arena_t *a, transport_t **out /* OUT */,
                         size_t *n /* OUT */);
/*
 * Changes the transport's status to to (evac_transport_transitions; else BH_ERR_CONFLICT with
 * EVAC_REFUSED_STATUS). "arrived" is store_transport_arrive's work and is forwarded to it;
 * "departed" records at as the departure time. Call inside a write transaction.
 */
int store_transport_set_status(store_conn_t *c, const store_scope_t *scope, int64_t id,
                               const char *to, int64_t at, int64_t author_id,
                               evac_refusal_t *why /* OUT */);

/* What an arrival changed. */
typedef struct store_arrival {
  int changed;            /* 0 when the transport had arrived already (nothing was done) */
  int64_t entries;        /* entries that became arrived */
  int64_t persons;        /* registered persons whose status became repatriated or evacuated */
  int64_t presences;      /* presences closed (repatriation only) */
} store_arrival_t;

/*
 * The arrival of transport id at time at, inside the caller's write transaction: every boarded
 * entry becomes arrived; each registered person on them gets the welfare status "repatriated"
 * (purpose repatriation) or "evacuated" (evacuation) through store_status_set (history kept,
 * source "officer", author_id), and, for a repatriation, each of their presences in the origin
 * country that is open on the arrival date gets date_until = that date (UTC). The transport
 * becomes arrived with arrival_at = at. Idempotent: a transport that arrived already is left
 * as it is (out->changed = 0). A cancelled one is refused (BH_ERR_CONFLICT, EVAC_REFUSED_STATUS).
 */
int store_transport_arrive(store_conn_t *c, const store_scope_t *scope, int64_t id, int64_t at,
                           int64_t author_id, store_arrival_t *out /* OUT */,
                           evac_refusal_t *why /* OUT */);

/*
 * Books the n members of one group on transport id, all or nothing, inside the caller's write
 * transaction. Refusals: the transport is not planned (EVAC_REFUSED_NOT_BOOKABLE); the seats
 * holding entries plus n exceed the capacity (EVAC_REFUSED_CAPACITY); a registered member is not
 * visible to scope (BH_ERR_NOT_FOUND, EVAC_REFUSED_PERSON, index) or holds a seat on an active
 * (planned or departed) transport of the same crisis, this one included (EVAC_REFUSED_BOOKED,
 * index, other_id). Fills ids[0..n-1] (caller's array) and *booking.
 */
int store_manifest_add(store_conn_t *c, const store_scope_t *scope, int64_t transport_id,
                       const manifest_in_t *in, size_t n, int64_t now, int64_t author_id,
                       int64_t *ids /* OUT */, int64_t *booking /* OUT */,
                       evac_refusal_t *why /* OUT */);
/* Entries of a transport visible to scope (the transport must be), in id order; page.after is
 * an entry id. Registered persons' names come from the registry. */
int store_manifest_list(store_conn_t *c, const store_scope_t *scope, int64_t transport_id,
                        const store_page_t *page, arena_t *a, manifest_entry_t **out /* OUT */,
                        size_t *n /* OUT */);
int store_manifest_get(store_conn_t *c, const store_scope_t *scope, int64_t transport_id,
                       int64_t entry_id, arena_t *a, manifest_entry_t *out /* OUT */);
/*
 * Changes an entry's status (evac_entry_transitions, else BH_ERR_CONFLICT with
 * EVAC_REFUSED_STATUS). An entry that becomes arrived gives its person the status of an arrival
 * (see store_transport_arrive). Inside the caller's write transaction.
 */
int store_manifest_set_status(store_conn_t *c, const store_scope_t *scope, int64_t transport_id,
                              int64_t entry_id, const char *to, int64_t at, int64_t author_id,
                              evac_refusal_t *why /* OUT */);

/* A person proposed for a transport, with the reason (evac_reason). */
typedef struct evac_suggestion {
  int64_t person_id;
  const char *full_name;
  const char *group_id;
  const char *category;
  const char *status;
  const char *reason;
  int rank;
} evac_suggestion_t;

/*
 * Up to limit persons not yet holding a seat on an active transport of the transport's crisis
 * (nor on this one), whose status is neither deceased nor repatriated, from the crisis's
 * audience (store_crisis_audience_each) or, without a crisis, from the persons present today in
 * the origin country; all visible to scope; ordered by evac_order and cut by evac_take. today:
 * YYYY-MM-DD, NULL for the current date.
 */
int store_transport_suggestions(store_conn_t *c, const store_scope_t *scope, int64_t transport_id,
                                const char *today, size_t limit, arena_t *a,
                                evac_suggestion_t **out /* OUT */, size_t *n /* OUT */);

/* ---- figures for the situation report (aggregates, no scope) ---- */

/* The manifest figures of one transport. */
typedef struct evac_transport_figures {
  int64_t transport_id;
  const char *purpose, *mode, *provider, *status, *reference;
  const char *origin_place, *destination_place;
  char origin_country[3], destination_country[3];
  int64_t departure_at, arrival_at;
  int64_t capacity;
  int64_t booked, boarded, arrived, no_show; /* entries by status */
  int64_t arrived_registered;                /* arrived entries of registered persons */
  int64_t arrived_partner;                   /* arrived partner nationals */
} evac_transport_figures_t;

/*
 * Per transport of crisis crisis_id (not cancelled ones), in departure order: entries booked,
 * boarded, arrived and no_show, by purpose. Arrays from arena a.
 */
int store_evac_transport_figures(store_conn_t *c, int64_t crisis_id, arena_t *a,
                                 evac_transport_figures_t **out /* OUT */, size_t *n /* OUT */);

/*
 * Persons moved to safety in crisis crisis_id: distinct persons ever checked in at a staging
 * site of the crisis (*total), and distinct persons checked in at such a site at or after
 * since (*since_count).
 */
int store_evac_moved_to_safety(store_conn_t *c, int64_t crisis_id, int64_t since,
                               int64_t *total /* OUT */, int64_t *since_count /* OUT */);

#endif
