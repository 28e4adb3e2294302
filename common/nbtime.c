#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "nb.h"
#include "nbtime.h"

int64_t
nb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
nb_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
to_tm(int64_t ms, struct tm *tm)
{
	time_t t = (time_t)(ms / 1000 - (ms < 0 && ms % 1000 ? 1 : 0));

	return gmtime_r(&t, tm) != NULL ? 0 : -1;
}

char *
nb_time_iso(int64_t ms, char *buf, size_t len)
{
	struct tm tm;

	if (to_tm(ms, &tm) != 0 ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "invalid");
	return buf;
}

char *
nb_time_14(int64_t ms, char *buf, size_t len)
{
	struct tm tm;

	if (to_tm(ms, &tm) != 0 || strftime(buf, len, "%Y%m%d%H%M%S", &tm) == 0)
		snprintf(buf, len, "invalid");
	return buf;
}

char *
nb_time_date(int64_t ms, char *buf, size_t len)
{
	struct tm tm;

	if (to_tm(ms, &tm) != 0 || strftime(buf, len, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, len, "invalid");
	return buf;
}

/* Read exactly n digits; -1 if they are not there. */
static int
digits(const char **s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return -1;
		v = v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	return v;
}

int
nb_time_parse(const char *s, int64_t *out_ms)
{
	int f[6] = {0, 1, 1, 0, 0, 0};
	static const int width[6] = {4, 2, 2, 2, 2, 2};
	struct tm tm;
	time_t t;
	int i;

	if (strlen(s) >= 4 && strspn(s, "0123456789") == strlen(s)) {
		/* 14-digit timestamp or a prefix of it: 2021, 202101, ... */
		size_t n = strlen(s);

		if (n > 14 || (n % 2) != 0)
			return NB_EINVAL;
		for (i = 0; i < 6 && *s; i++)
			if ((f[i] = digits(&s, width[i])) < 0)
				return NB_EINVAL;
	} else {
		for (i = 0; i < 6; i++) {
			if ((f[i] = digits(&s, width[i])) < 0)
				return NB_EINVAL;
			if (i == 5 || *s == '\0' || *s == 'Z')
				break;
			if ((i < 2 && *s != '-') ||
			    (i == 2 && *s != 'T' && *s != ' ') ||
			    (i > 2 && *s != ':'))
				return NB_EINVAL;
			s++;
		}
		if (i < 2)
			return NB_EINVAL;
		if (*s == 'Z')
			s++;
		if (*s != '\0')
			return NB_EINVAL;
	}
	if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 ||
	    f[4] > 59 || f[5] > 60)
		return NB_EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = f[0] - 1900;
	tm.tm_mon = f[1] - 1;
	tm.tm_mday = f[2];
	tm.tm_hour = f[3];
	tm.tm_min = f[4];
	tm.tm_sec = f[5];
	t = timegm(&tm);
	if (tm.tm_mday != f[2]) /* 2021-02-30 normalised to March */
		return NB_EINVAL;
	*out_ms = (int64_t)t * 1000;
	return 0;
}
