/*
 * routes.c - every HTTP route of baoho, declared once: method, path pattern, handler, the roles
 * allowed (0 = public), and whether it takes a JSON body. docs/api.md lists the same table.
 */
#include "api/api.h"

#define R_ALL ROLES_ALL
#define R_PERSONAL ROLES_PERSONAL
#define R_HQ ROLES_HQ
#define R_ADMIN ROLE_BIT(ROLE_ADMIN)

const api_route_t api_routes[] = {
    {"GET", "/healthz", h_healthz, 0, 0, "healthz"},
    {"GET", "/metrics", h_metrics, 0, 0, "metrics"},
    {"POST", "/api/v1/session", h_session_create, 0, ROUTE_BODY, "session.create"},
    {"GET", "/api/v1/session", h_session_get, R_ALL, 0, "session.get"},
    {"DELETE", "/api/v1/session", h_session_delete, R_ALL, 0, "session.delete"},
    {"GET", "/api/v1/missions", h_missions_list, R_ALL, 0, "missions.list"},
    {"POST", "/api/v1/missions", h_missions_create, R_ADMIN, ROUTE_BODY, "missions.create"},
    {"GET", "/api/v1/missions/{}", h_missions_get, R_ALL, 0, "missions.get"},
    {"PATCH", "/api/v1/missions/{}", h_missions_update, R_ADMIN, ROUTE_BODY, "missions.update"},
    {"GET", "/api/v1/users", h_users_list, R_ADMIN, 0, "users.list"},
    {"POST", "/api/v1/users", h_users_create, R_ADMIN, ROUTE_BODY, "users.create"},
    {"GET", "/api/v1/users/{}", h_users_get, R_ADMIN, 0, "users.get"},
    {"PATCH", "/api/v1/users/{}", h_users_update, R_ADMIN, ROUTE_BODY, "users.update"},
    {"POST", "/api/v1/tokens", h_tokens_create, R_ALL, ROUTE_BODY, "tokens.create"},
    {"GET", "/api/v1/persons", h_persons_list, R_PERSONAL, 0, "persons.list"},
    {"POST", "/api/v1/persons", h_persons_create, R_PERSONAL, ROUTE_BODY, "persons.create"},
    {"GET", "/api/v1/persons/{}", h_persons_get, R_PERSONAL, 0, "persons.get"},
    {"PATCH", "/api/v1/persons/{}", h_persons_update, R_PERSONAL, ROUTE_BODY, "persons.update"},
    {"GET", "/api/v1/persons/{}/presences", h_presences_list, R_PERSONAL, 0, "presences.list"},
    {"POST", "/api/v1/persons/{}/presences", h_presences_create, R_PERSONAL, ROUTE_BODY,
     "presences.create"},
    {"PATCH", "/api/v1/persons/{}/presences/{}", h_presences_update, R_PERSONAL, ROUTE_BODY,
     "presences.update"},
    {"GET", "/api/v1/persons/{}/status", h_status_get, R_PERSONAL, 0, "status.get"},
    {"POST", "/api/v1/persons/{}/status", h_status_set, R_PERSONAL, ROUTE_BODY, "status.set"},
    {"GET", "/api/v1/stats/persons", h_stats_persons, R_ALL, 0, "stats.persons"},
    {"GET", "/api/v1/audit", h_audit_list, R_ADMIN, 0, "audit.list"},
    {"POST", "/api/v1/public/registrations", h_registrations_create, 0, ROUTE_BODY,
     "registrations.create"},
    {"GET", "/api/v1/public/registrations/{}", h_registrations_get, 0, 0, "registrations.get"},
    {"PATCH", "/api/v1/public/registrations/{}", h_registrations_update, 0, ROUTE_BODY,
     "registrations.update"},
    {"DELETE", "/api/v1/public/registrations/{}", h_registrations_close, 0, 0,
     "registrations.close"},
    /* Crises and their accountability (api_crises.c). */
    {"GET", "/api/v1/crises", h_crises_list, R_ALL, 0, "crises.list"},
    {"POST", "/api/v1/crises", h_crises_create, R_PERSONAL, ROUTE_BODY, "crises.create"},
    {"GET", "/api/v1/crises/{}", h_crises_get, R_ALL, 0, "crises.get"},
    {"PATCH", "/api/v1/crises/{}", h_crises_update, R_PERSONAL, ROUTE_BODY, "crises.update"},
    {"POST", "/api/v1/crises/{}/close", h_crises_close, R_PERSONAL, 0, "crises.close"},
    {"GET", "/api/v1/crises/{}/accountability", h_crises_accountability, R_ALL, 0,
     "crises.accountability"},
    /* Travel advisories and their public forms (api_advisories.c). */
    {"GET", "/api/v1/advisories", h_advisories_list, R_ALL, 0, "advisories.list"},
    {"POST", "/api/v1/advisories", h_advisories_publish, R_PERSONAL, ROUTE_BODY,
     "advisories.publish"},
    {"GET", "/api/v1/advisories/{}", h_advisories_get, R_ALL, 0, "advisories.get"},
    {"GET", "/api/v1/public/advisories", h_public_advisories, 0, 0, "advisories.public"},
    {"GET", "/advisories.atom", h_advisories_atom, 0, 0, "advisories.atom"},
    {"GET", "/advisories/{}", h_advisories_cap, 0, 0, "advisories.cap"},
    /* Mass alerts (api_alerts.c) and citizens' answers (api_checkin.c). */
    {"POST", "/api/v1/crises/{}/alerts", h_alerts_create, R_PERSONAL, ROUTE_BODY, "alerts.create"},
    {"GET", "/api/v1/alerts/{}", h_alerts_get, R_PERSONAL, 0, "alerts.get"},
    {"POST", "/api/v1/alerts/{}/send", h_alerts_send, R_PERSONAL, 0, "alerts.send"},
    {"GET", "/api/v1/alerts/{}/call-list", h_alerts_call_list, R_PERSONAL, 0, "alerts.call_list"},
    {"GET", "/api/v1/crises/{}/needs-help", h_crisis_needs_help, R_PERSONAL, 0,
     "crises.needs_help"},
    {"GET", "/c/{}", h_checkin_page, 0, 0, "checkin.page"},
    {"POST", "/c/{}", h_checkin_answer, 0, ROUTE_RAW, "checkin.answer"},
    {"POST", "/api/v1/inbound/sms", h_inbound_sms, 0, ROUTE_RAW, "inbound.sms"},
    /* The web console and public pages, embedded in the binary (web/, api_static.c). */
    {"GET", "/", h_static_page, 0, ROUTE_STATIC, "page.home"},
    {"GET", "/console", h_static_page, 0, ROUTE_STATIC, "page.console"},
    {"GET", "/console/*", h_static_page, 0, ROUTE_STATIC, "page.console.path"},
    {"GET", "/register", h_static_page, 0, ROUTE_STATIC, "page.register"},
    {"GET", "/register/{}", h_static_page, 0, ROUTE_STATIC, "page.manage"},
    {"GET", "/advisories", h_static_page, 0, ROUTE_STATIC, "page.advisories"},
    {"GET", "/assets/*", h_static_asset, 0, ROUTE_STATIC, "assets"},
};

const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
