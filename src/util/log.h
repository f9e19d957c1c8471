/*
 * log.h - structured logging to stderr, one line per event, key=value pairs.
 *
 * Contract for every caller: never pass secrets (passwords, tokens, keys) or personal data
 * (names, passport or ID numbers, phones, emails) to these functions; log opaque ids instead.
 * Thread-safe: each line is written with a single write(2).
 */
#ifndef BAOHO_LOG_H
#define BAOHO_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 };

/* Sets the minimum level written; default LOG_INFO. Call before threads start. */
void log_set_level(enum log_level level);
/* Writes "ts=... level=... " followed by the formatted message and a newline. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
