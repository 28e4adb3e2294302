/*
 * nbtime.h - wall-clock and monotonic time, and the two text forms the
 * archive uses: ISO 8601 UTC instants ("2026-11-24T06:00:00Z", WARC-Date and
 * record timestamps) and calendar dates ("2022-01-20", publication dates).
 * Times are int64 milliseconds since the Unix epoch.
 */
#ifndef NB_NBTIME_H
#define NB_NBTIME_H

#include <stddef.h>
#include <stdint.h>

int64_t nb_now_ms(void);  /* CLOCK_REALTIME */
int64_t nb_mono_ms(void); /* CLOCK_MONOTONIC, for intervals */

/* "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes); returns buf */
char *nb_time_iso(int64_t ms, char *buf, size_t len);
/* "YYYYMMDDHHMMSS" (WARC/CDXJ 14-digit timestamp) into buf (>= 15 bytes) */
char *nb_time_14(int64_t ms, char *buf, size_t len);
/* "YYYY-MM-DD" into buf (>= 11 bytes) */
char *nb_time_date(int64_t ms, char *buf, size_t len);

/*
 * Parse "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS][Z]", "YYYY-MM-DD HH:MM[:SS]"
 * or a 14-digit "YYYYMMDDHHMMSS" (prefixes of it too) as UTC.
 * Returns 0 or NB_EINVAL.
 */
int nb_time_parse(const char *s, int64_t *out_ms);

#endif
