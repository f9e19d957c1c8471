/* model.c - the closed vocabularies of the registry; see model.h. */
#include "domain/model.h"

#include <string.h>

const char *const model_mission_kinds[] = {"consular_department", "embassy", "consulate_general",
                                           "other", NULL};
const char *const model_roles[] = {"admin", "hq", "officer", "viewer", NULL};
const char *const model_sexes[] = {"F", "M", "X", "U", NULL};
const char *const model_flags[] = {"minor", "elderly", "medical", "pregnant", "disability", NULL};
const char *const model_categories[] = {"resident", "student", "worker", "official",
                                        "tourist",  "other",   NULL};
const char *const model_statuses[] = {"unknown",  "safe",     "needs_assistance", "injured",
                                      "missing",  "detained", "deceased",         "left_area",
                                      "evacuated", "repatriated", NULL};
const char *const model_sources[] = {"officer", "self_registration", "import", "check_in",
                                     "hotline", "partner", "system", NULL};
const char *const model_languages[] = {"vi", "en", NULL};

const char *const model_advisory_levels_en[] = {
    NULL, "Exercise normal precautions", "Exercise increased caution",
    "Reconsider travel / avoid the area", "Do not travel / leave"};
const char *const model_advisory_levels_vi[] = {
    NULL, "Thực hiện các biện pháp phòng ngừa thông thường", "Tăng cường thận trọng",
    "Cân nhắc việc đi lại / tránh khu vực", "Không đi đến / rời khỏi khu vực"};

const char *const model_crisis_kinds[] = {"armed_conflict", "natural_disaster", "unrest",
                                          "trafficking",    "epidemic",         "accident",
                                          "other",          NULL};
const char *const model_channels[] = {"email", "sms", NULL};
const char *const model_checkin_answers[] = {"safe", "need_help", "not_in_area", NULL};

int model_enum_index(const char *const *list, const char *s) {
  if (s == NULL) return -1;
  for (int i = 0; list[i] != NULL; i++) {
    if (strcmp(list[i], s) == 0) return i;
  }
  return -1;
}

void mission_clear(mission_t *m) {
  if (m == NULL) return;
  json_decref(m->jurisdiction);
  m->jurisdiction = NULL;
}

void person_clear(person_t *p) {
  if (p == NULL) return;
  json_decref(p->other_names);
  json_decref(p->phones);
  json_decref(p->emails);
  json_decref(p->flags);
  json_decref(p->contacts);
  p->other_names = p->phones = p->emails = p->flags = p->contacts = NULL;
}

void crisis_clear(crisis_t *c) {
  if (c == NULL) return;
  json_decref(c->countries);
  json_decref(c->regions);
  json_decref(c->area);
  c->countries = c->regions = c->area = NULL;
}

void alert_clear(alert_t *a) {
  if (a == NULL) return;
  json_decref(a->channels);
  json_decref(a->filter);
  a->channels = a->filter = NULL;
}
