/*
 * country.c - the ISO 3166-1 alpha-2 table and its lookups.
 *
 * English names follow the ISO 3166-1 short names (with the United States and the United Kingdom
 * spelled out in full); Vietnamese names are the forms in everyday Vietnamese official use. The
 * table must stay sorted by code: lookups are binary searches, and test_country checks the order.
 */
#include "domain/country.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  char code[3];
  const char *en;
  const char *vi;
} country_entry;

static const country_entry country_table[] = {
    {"AD", "Andorra", "Andorra"},
    {"AE", "United Arab Emirates", "Các Tiểu vương quốc Ả Rập Thống nhất"},
    {"AF", "Afghanistan", "Afghanistan"},
    {"AG", "Antigua and Barbuda", "Antigua và Barbuda"},
    {"AI", "Anguilla", "Anguilla"},
    {"AL", "Albania", "Albania"},
    {"AM", "Armenia", "Armenia"},
    {"AO", "Angola", "Angola"},
    {"AQ", "Antarctica", "Châu Nam Cực"},
    {"AR", "Argentina", "Argentina"},
    {"AS", "American Samoa", "Samoa thuộc Mỹ"},
    {"AT", "Austria", "Áo"},
    {"AU", "Australia", "Úc"},
    {"AW", "Aruba", "Aruba"},
    {"AX", "Åland Islands", "Quần đảo Åland"},
    {"AZ", "Azerbaijan", "Azerbaijan"},
    {"BA", "Bosnia and Herzegovina", "Bosnia và Herzegovina"},
    {"BB", "Barbados", "Barbados"},
    {"BD", "Bangladesh", "Bangladesh"},
    {"BE", "Belgium", "Bỉ"},
    {"BF", "Burkina Faso", "Burkina Faso"},
    {"BG", "Bulgaria", "Bulgaria"},
    {"BH", "Bahrain", "Bahrain"},
    {"BI", "Burundi", "Burundi"},
    {"BJ", "Benin", "Bénin"},
    {"BL", "Saint Barthélemy", "Saint Barthélemy"},
    {"BM", "Bermuda", "Bermuda"},
    {"BN", "Brunei Darussalam", "Brunei"},
    {"BO", "Bolivia, Plurinational State of", "Bolivia"},
    {"BQ", "Bonaire, Sint Eustatius and Saba", "Bonaire, Sint Eustatius và Saba"},
    {"BR", "Brazil", "Brasil"},
    {"BS", "Bahamas", "Bahamas"},
    {"BT", "Bhutan", "Bhutan"},
    {"BV", "Bouvet Island", "Đảo Bouvet"},
    {"BW", "Botswana", "Botswana"},
    {"BY", "Belarus", "Belarus"},
    {"BZ", "Belize", "Belize"},
    {"CA", "Canada", "Canada"},
    {"CC", "Cocos (Keeling) Islands", "Quần đảo Cocos (Keeling)"},
    {"CD", "Congo, The Democratic Republic of the", "Cộng hòa Dân chủ Congo"},
    {"CF", "Central African Republic", "Cộng hòa Trung Phi"},
    {"CG", "Congo", "Cộng hòa Congo"},
    {"CH", "Switzerland", "Thụy Sĩ"},
    {"CI", "Côte d'Ivoire", "Bờ Biển Ngà"},
    {"CK", "Cook Islands", "Quần đảo Cook"},
    {"CL", "Chile", "Chile"},
    {"CM", "Cameroon", "Cameroon"},
    {"CN", "China", "Trung Quốc"},
    {"CO", "Colombia", "Colombia"},
    {"CR", "Costa Rica", "Costa Rica"},
    {"CU", "Cuba", "Cuba"},
    {"CV", "Cabo Verde", "Cabo Verde"},
    {"CW", "Curaçao", "Curaçao"},
    {"CX", "Christmas Island", "Đảo Giáng Sinh"},
    {"CY", "Cyprus", "Síp"},
    {"CZ", "Czechia", "Séc"},
    {"DE", "Germany", "Đức"},
    {"DJ", "Djibouti", "Djibouti"},
    {"DK", "Denmark", "Đan Mạch"},
    {"DM", "Dominica", "Dominica"},
    {"DO", "Dominican Republic", "Cộng hòa Dominica"},
    {"DZ", "Algeria", "Algérie"},
    {"EC", "Ecuador", "Ecuador"},
    {"EE", "Estonia", "Estonia"},
    {"EG", "Egypt", "Ai Cập"},
    {"EH", "Western Sahara", "Tây Sahara"},
    {"ER", "Eritrea", "Eritrea"},
    {"ES", "Spain", "Tây Ban Nha"},
    {"ET", "Ethiopia", "Ethiopia"},
    {"FI", "Finland", "Phần Lan"},
    {"FJ", "Fiji", "Fiji"},
    {"FK", "Falkland Islands (Malvinas)", "Quần đảo Falkland"},
    {"FM", "Micronesia, Federated States of", "Micronesia"},
    {"FO", "Faroe Islands", "Quần đảo Faroe"},
    {"FR", "France", "Pháp"},
    {"GA", "Gabon", "Gabon"},
    {"GB", "United Kingdom of Great Britain and Northern Ireland", "Vương quốc Anh"},
    {"GD", "Grenada", "Grenada"},
    {"GE", "Georgia", "Gruzia"},
    {"GF", "French Guiana", "Guyane thuộc Pháp"},
    {"GG", "Guernsey", "Guernsey"},
    {"GH", "Ghana", "Ghana"},
    {"GI", "Gibraltar", "Gibraltar"},
    {"GL", "Greenland", "Greenland"},
    {"GM", "Gambia", "Gambia"},
    {"GN", "Guinea", "Guinée"},
    {"GP", "Guadeloupe", "Guadeloupe"},
    {"GQ", "Equatorial Guinea", "Guinea Xích Đạo"},
    {"GR", "Greece", "Hy Lạp"},
    {"GS", "South Georgia and the South Sandwich Islands", "Nam Georgia và Quần đảo Nam Sandwich"},
    {"GT", "Guatemala", "Guatemala"},
    {"GU", "Guam", "Guam"},
    {"GW", "Guinea-Bissau", "Guiné-Bissau"},
    {"GY", "Guyana", "Guyana"},
    {"HK", "Hong Kong", "Hồng Kông (Trung Quốc)"},
    {"HM", "Heard Island and McDonald Islands", "Đảo Heard và Quần đảo McDonald"},
    {"HN", "Honduras", "Honduras"},
    {"HR", "Croatia", "Croatia"},
    {"HT", "Haiti", "Haiti"},
    {"HU", "Hungary", "Hungary"},
    {"ID", "Indonesia", "Indonesia"},
    {"IE", "Ireland", "Ireland"},
    {"IL", "Israel", "Israel"},
    {"IM", "Isle of Man", "Đảo Man"},
    {"IN", "India", "Ấn Độ"},
    {"IO", "British Indian Ocean Territory", "Lãnh thổ Ấn Độ Dương thuộc Anh"},
    {"IQ", "Iraq", "Iraq"},
    {"IR", "Iran, Islamic Republic of", "Iran"},
    {"IS", "Iceland", "Iceland"},
    {"IT", "Italy", "Ý"},
    {"JE", "Jersey", "Jersey"},
    {"JM", "Jamaica", "Jamaica"},
    {"JO", "Jordan", "Jordan"},
    {"JP", "Japan", "Nhật Bản"},
    {"KE", "Kenya", "Kenya"},
    {"KG", "Kyrgyzstan", "Kyrgyzstan"},
    {"KH", "Cambodia", "Campuchia"},
    {"KI", "Kiribati", "Kiribati"},
    {"KM", "Comoros", "Comoros"},
    {"KN", "Saint Kitts and Nevis", "Saint Kitts và Nevis"},
    {"KP", "Korea, Democratic People's Republic of", "Triều Tiên"},
    {"KR", "Korea, Republic of", "Hàn Quốc"},
    {"KW", "Kuwait", "Kuwait"},
    {"KY", "Cayman Islands", "Quần đảo Cayman"},
    {"KZ", "Kazakhstan", "Kazakhstan"},
    {"LA", "Lao People's Democratic Republic", "Lào"},
    {"LB", "Lebanon", "Liban"},
    {"LC", "Saint Lucia", "Saint Lucia"},
    {"LI", "Liechtenstein", "Liechtenstein"},
    {"LK", "Sri Lanka", "Sri Lanka"},
    {"LR", "Liberia", "Liberia"},
    {"LS", "Lesotho", "Lesotho"},
    {"LT", "Lithuania", "Litva"},
    {"LU", "Luxembourg", "Luxembourg"},
    {"LV", "Latvia", "Latvia"},
    {"LY", "Libya", "Libya"},
    {"MA", "Morocco", "Maroc"},
    {"MC", "Monaco", "Monaco"},
    {"MD", "Moldova, Republic of", "Moldova"},
    {"ME", "Montenegro", "Montenegro"},
    {"MF", "Saint Martin (French part)", "Saint-Martin"},
    {"MG", "Madagascar", "Madagascar"},
    {"MH", "Marshall Islands", "Quần đảo Marshall"},
    {"MK", "North Macedonia", "Bắc Macedonia"},
    {"ML", "Mali", "Mali"},
    {"MM", "Myanmar", "Myanmar"},
    {"MN", "Mongolia", "Mông Cổ"},
    {"MO", "Macao", "Ma Cao (Trung Quốc)"},
    {"MP", "Northern Mariana Islands", "Quần đảo Bắc Mariana"},
    {"MQ", "Martinique", "Martinique"},
    {"MR", "Mauritania", "Mauritanie"},
    {"MS", "Montserrat", "Montserrat"},
    {"MT", "Malta", "Malta"},
    {"MU", "Mauritius", "Mauritius"},
    {"MV", "Maldives", "Maldives"},
    {"MW", "Malawi", "Malawi"},
    {"MX", "Mexico", "Mexico"},
    {"MY", "Malaysia", "Malaysia"},
    {"MZ", "Mozambique", "Mozambique"},
    {"NA", "Namibia", "Namibia"},
    {"NC", "New Caledonia", "Nouvelle-Calédonie"},
    {"NE", "Niger", "Niger"},
    {"NF", "Norfolk Island", "Đảo Norfolk"},
    {"NG", "Nigeria", "Nigeria"},
    {"NI", "Nicaragua", "Nicaragua"},
    {"NL", "Netherlands", "Hà Lan"},
    {"NO", "Norway", "Na Uy"},
    {"NP", "Nepal", "Nepal"},
    {"NR", "Nauru", "Nauru"},
    {"NU", "Niue", "Niue"},
    {"NZ", "New Zealand", "New Zealand"},
    {"OM", "Oman", "Oman"},
    {"PA", "Panama", "Panama"},
    {"PE", "Peru", "Peru"},
    {"PF", "French Polynesia", "Polynésie thuộc Pháp"},
    {"PG", "Papua New Guinea", "Papua New Guinea"},
    {"PH", "Philippines", "Philippines"},
    {"PK", "Pakistan", "Pakistan"},
    {"PL", "Poland", "Ba Lan"},
    {"PM", "Saint Pierre and Miquelon", "Saint-Pierre và Miquelon"},
    {"PN", "Pitcairn", "Quần đảo Pitcairn"},
    {"PR", "Puerto Rico", "Puerto Rico"},
    {"PS", "Palestine, State of", "Palestine"},
    {"PT", "Portugal", "Bồ Đào Nha"},
    {"PW", "Palau", "Palau"},
    {"PY", "Paraguay", "Paraguay"},
    {"QA", "Qatar", "Qatar"},
    {"RE", "Réunion", "Réunion"},
    {"RO", "Romania", "Romania"},
    {"RS", "Serbia", "Serbia"},
    {"RU", "Russian Federation", "Nga"},
    {"RW", "Rwanda", "Rwanda"},
    {"SA", "Saudi Arabia", "Ả Rập Xê Út"},
    {"SB", "Solomon Islands", "Quần đảo Solomon"},
    {"SC", "Seychelles", "Seychelles"},
    {"SD", "Sudan", "Sudan"},
    {"SE", "Sweden", "Thụy Điển"},
    {"SG", "Singapore", "Singapore"},
    {"SH", "Saint Helena, Ascension and Tristan da Cunha", "Saint Helena, Ascension và Tristan da Cunha"},
    {"SI", "Slovenia", "Slovenia"},
    {"SJ", "Svalbard and Jan Mayen", "Svalbard và Jan Mayen"},
    {"SK", "Slovakia", "Slovakia"},
    {"SL", "Sierra Leone", "Sierra Leone"},
    {"SM", "San Marino", "San Marino"},
    {"SN", "Senegal", "Sénégal"},
    {"SO", "Somalia", "Somalia"},
    {"SR", "Suriname", "Suriname"},
    {"SS", "South Sudan", "Nam Sudan"},
    {"ST", "Sao Tome and Principe", "São Tomé và Príncipe"},
    {"SV", "El Salvador", "El Salvador"},
    {"SX", "Sint Maarten (Dutch part)", "Sint Maarten"},
    {"SY", "Syrian Arab Republic", "Syria"},
    {"SZ", "Eswatini", "Eswatini"},
    {"TC", "Turks and Caicos Islands", "Quần đảo Turks và Caicos"},
    {"TD", "Chad", "Tchad"},
    {"TF", "French Southern Territories", "Vùng đất phía Nam thuộc Pháp"},
    {"TG", "Togo", "Togo"},
    {"TH", "Thailand", "Thái Lan"},
    {"TJ", "Tajikistan", "Tajikistan"},
    {"TK", "Tokelau", "Tokelau"},
    {"TL", "Timor-Leste", "Đông Timor"},
    {"TM", "Turkmenistan", "Turkmenistan"},
    {"TN", "Tunisia", "Tunisia"},
    {"TO", "Tonga", "Tonga"},
    {"TR", "Türkiye", "Thổ Nhĩ Kỳ"},
    {"TT", "Trinidad and Tobago", "Trinidad và Tobago"},
    {"TV", "Tuvalu", "Tuvalu"},
    {"TW", "Taiwan, Province of China", "Đài Loan (Trung Quốc)"},
    {"TZ", "Tanzania, United Republic of", "Tanzania"},
    {"UA", "Ukraine", "Ukraina"},
    {"UG", "Uganda", "Uganda"},
    {"UM", "United States Minor Outlying Islands", "Các tiểu đảo xa của Hoa Kỳ"},
    {"US", "United States of America", "Hoa Kỳ"},
    {"UY", "Uruguay", "Uruguay"},
    {"UZ", "Uzbekistan", "Uzbekistan"},
    {"VA", "Holy See (Vatican City State)", "Tòa Thánh Vatican"},
    {"VC", "Saint Vincent and the Grenadines", "Saint Vincent và Grenadines"},
    {"VE", "Venezuela, Bolivarian Republic of", "Venezuela"},
    {"VG", "Virgin Islands, British", "Quần đảo Virgin thuộc Anh"},
    {"VI", "Virgin Islands, U.S.", "Quần đảo Virgin thuộc Mỹ"},
    {"VN", "Viet Nam", "Việt Nam"},
    {"VU", "Vanuatu", "Vanuatu"},
    {"WF", "Wallis and Futuna", "Wallis và Futuna"},
    {"WS", "Samoa", "Samoa"},
    {"YE", "Yemen", "Yemen"},
    {"YT", "Mayotte", "Mayotte"},
    {"ZA", "South Africa", "Nam Phi"},
    {"ZM", "Zambia", "Zambia"},
    {"ZW", "Zimbabwe", "Zimbabwe"},
};

_Static_assert(sizeof(country_table) / sizeof(country_table[0]) == COUNTRY_COUNT,
               "country_table must hold every assigned code");

static int country__is_upper(char c) { return c >= 'A' && c <= 'Z'; }

static int country__cmp(const void *key, const void *elem) {
  const char *k = key;
  const country_entry *e = elem;
  return memcmp(k, e->code, 2);
}

/* Returns the entry for code, or NULL if code is not two uppercase letters of an assigned code. */
static const country_entry *country__find(const char *code) {
  if (code == NULL || !country__is_upper(code[0]) || !country__is_upper(code[1]) ||
      code[2] != '\0')
    return NULL;
  return bsearch(code, country_table, COUNTRY_COUNT, sizeof(country_table[0]), country__cmp);
}

int country_valid(const char *code) { return country__find(code) != NULL; }

const char *country_name(const char *code, const char *lang) {
  const country_entry *e = country__find(code);
  if (e == NULL || lang == NULL)
    return NULL;
  if (strcmp(lang, "en") == 0)
    return e->en;
  if (strcmp(lang, "vi") == 0)
    return e->vi;
  return NULL;
}

size_t country_count(void) { return COUNTRY_COUNT; }

const char *country_code_at(size_t i) {
  if (i >= COUNTRY_COUNT)
    return NULL;
  return country_table[i].code;
}

int country_region_valid(const char *country, const char *region) {
  if (!country_valid(country) || region == NULL)
    return 0;
  if (region[0] != country[0] || region[1] != country[1] || region[2] != '-')
    return 0;
  size_t n = 0;
  for (const char *p = region + 3; *p != '\0'; p++, n++) {
    if (n == 3 || !(country__is_upper(*p) || (*p >= '0' && *p <= '9')))
      return 0;
  }
  return n >= 1;
}
