/*
 * challenge.c - responses that are not content: anti-bot interstitials and
 * cookie walls, recognised so they are recorded as "blocked" and never
 * handed to the indexer; and the retry backoff.
 */
#include <string.h>
#include <strings.h>

#include "crawler.h"

/* A challenge page is small: the real ones are about 1 KB. */
#define CHALLENGE_MAX 8192

/* Markers of the WAF products seen in front of government sites. */
static const char *const waf_markers[] = {
    "__jsl_clearance", "jsl_clearance_s", "wzws_cid",   "wzwschallenge",
    "yunsuo_session",  "_waf_",           "安全验证",   "访问验证",
    "人机验证",        "acw_sc__v2",      "cdn_sec_tc", "__tst_status",
};

/* Visible text outside tags, scripts and styles, counted in bytes. */
static size_t
visible_text(const char *b, size_t len)
{
	size_t n = 0;
	int tag = 0;
	const char *end = b + len;

	for (const char *p = b; p < end; p++) {
		if (*p == '<') {
			if (end - p > 7 && strncasecmp(p, "<script", 7) == 0) {
				const char *c =
				    memmem(p, (size_t)(end - p), "</script", 8);

				if (c == NULL)
					break;
				p = c;
			} else if (end - p > 6 &&
			           strncasecmp(p, "<style", 6) == 0) {
				const char *c =
				    memmem(p, (size_t)(end - p), "</style", 7);

				if (c == NULL)
					break;
				p = c;
			}
			tag = 1;
		} else if (*p == '>') {
			tag = 0;
		} else if (!tag && *p != ' ' && *p != '\n' && *p != '\r' &&
		           *p != '\t') {
			n++;
		}
	}
	return n;
}

const char *
challenge_detect(long status, const char *body, size_t len)
{
	int script, cookie, reload;

	if (status == 405 || status == 412)
		return "HTTP status asks for a cookie (405/412)";
	if (body == NULL || len == 0 || len > CHALLENGE_MAX)
		return NULL;
	for (size_t i = 0; i < NB_NELEM(waf_markers); i++)
		if (memmem(body, len, waf_markers[i], strlen(waf_markers[i])))
			return "anti-bot interstitial page";
	script = memmem(body, len, "<script", 7) != NULL ||
	         memmem(body, len, "<SCRIPT", 7) != NULL;
	cookie = memmem(body, len, "document.cookie", 15) != NULL;
	reload = memmem(body, len, "location.reload", 15) != NULL ||
	         memmem(body, len, "location.href", 13) != NULL ||
	         memmem(body, len, "location.replace", 16) != NULL ||
	         memmem(body, len, "location=", 9) != NULL ||
	         memmem(body, len, "location =", 10) != NULL;
	if (script && cookie && reload && visible_text(body, len) < 200)
		return "script-only page that sets a cookie and reloads";
	return NULL;
}

long
backoff_ms(int attempt, long base_ms, long max_ms, uint32_t rnd)
{
	long d = base_ms;

	if (attempt < 1)
		attempt = 1;
	for (int i = 1; i < attempt && d < max_ms; i++)
		d *= 2;
	if (d > max_ms)
		d = max_ms;
	/* equal jitter: half fixed, half random */
	return d / 2 + (long)((uint64_t)rnd % (uint64_t)(d / 2 + 1));
}
