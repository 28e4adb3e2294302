/*
 * robots.c - robots.txt as RFC 9309 reads it, plus Crawl-delay.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "crawler.h"

#define ROBOTS_RULES_MAX 4096 /* a larger file is hostile; rest ignored */
#define RULE_MAX         1024

struct rule {
	char *pat;
	size_t len; /* pattern length: the longer match wins */
	int allow;
};

struct robots {
	struct rule *rules;
	size_t n, cap;
	long delay_ms;
};

static int
robots_new(struct robots **out)
{
	struct robots *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NB_ENOMEM;
	r->delay_ms = -1;
	*out = r;
	return 0;
}

/*
 * The pattern in the form our URLs have: non-ASCII bytes escaped, escapes
 * with lower-case hex (as curl writes them), unreserved characters unescaped.
 */
static char *
pattern_normalize(const char *p, size_t n)
{
	struct nb_buf b;
	static const char hex[] = "0123456789abcdef";

	nb_buf_init(&b, RULE_MAX * 3);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		char e[3];

		if (c == '%' && i + 2 < n &&
		    isxdigit((unsigned char)p[i + 1]) &&
		    isxdigit((unsigned char)p[i + 2])) {
			char h[3] = {p[i + 1], p[i + 2], 0};
			int v = (int)strtol(h, NULL, 16);

			if (isalnum(v) || v == '-' || v == '.' || v == '_' ||
			    v == '~') {
				e[0] = (char)v;
				if (nb_buf_add(&b, e, 1) != 0)
					goto fail;
			} else {
				e[0] = '%';
				e[1] = (char)tolower((unsigned char)h[0]);
				e[2] = (char)tolower((unsigned char)h[1]);
				if (nb_buf_add(&b, e, 3) != 0)
					goto fail;
			}
			i += 2;
		} else if (c >= 0x80 || c == ' ') {
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 15];
			if (nb_buf_add(&b, e, 3) != 0)
				goto fail;
		} else if (nb_buf_add(&b, &p[i], 1) != 0) {
			goto fail;
		}
	}
	return nb_buf_take(&b, NULL);
fail:
	nb_buf_free(&b);
	return NULL;
}

static int
rule_add(struct robots *r, const char *val, size_t n, int allow)
{
	struct rule *nr;
	char *pat;

	if (r->n >= ROBOTS_RULES_MAX || n > RULE_MAX)
		return 0;
	if ((pat = pattern_normalize(val, n)) == NULL)
		return NB_ENOMEM;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;

		if ((nr = reallocarray(r->rules, cap, sizeof(*nr))) == NULL) {
			free(pat);
			return NB_ENOMEM;
		}
		r->rules = nr;
		r->cap = cap;
	}
	r->rules[r->n].pat = pat;
	r->rules[r->n].len = strlen(pat);
	r->rules[r->n].allow = allow;
	r->n++;
	return 0;
}

/* Does a User-agent line's value name agent?  "*" is handled apart. */
static int
ua_matches(const char *val, size_t n, const char *agent)
{
	size_t tok = 0;

	while (tok < n && (isalnum((unsigned char)val[tok]) ||
	                   val[tok] == '-' || val[tok] == '_'))
		tok++;
	return tok > 0 && tok == strlen(agent) &&
	       strncasecmp(val, agent, tok) == 0;
}

enum { G_NONE, G_STAR, G_US };

/*
 * Two sweeps over the file: the first finds whether any group names us,
 * the second keeps the rules of the groups that apply (ours, or "*").
 */
static int
robots_sweep(struct robots *r, const char *text, size_t len, const char *agent,
             int want, int *found)
{
	const char *p = text, *end = text + len;
	int group = G_NONE, in_rules = 1;
	int rc;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line = p, *le, *colon, *val, *ve;
		size_t klen;

		if (eol == NULL)
			eol = end;
		p = eol + 1;
		le = memchr(line, '#', (size_t)(eol - line));
		if (le == NULL)
			le = eol;
		colon = memchr(line, ':', (size_t)(le - line));
		if (colon == NULL)
			continue;
		while (line < colon && isspace((unsigned char)*line))
			line++;
		klen = (size_t)(colon - line);
		while (klen > 0 && isspace((unsigned char)line[klen - 1]))
			klen--;
		val = colon + 1;
		ve = le;
		while (val < ve && isspace((unsigned char)*val))
			val++;
		while (ve > val && isspace((unsigned char)ve[-1]))
			ve--;

		if (klen == 10 && strncasecmp(line, "user-agent", 10) == 0) {
			int g = G_NONE;

			if (in_rules) {
				group = G_NONE;
				in_rules = 0;
			}
			if (ve - val == 1 && *val == '*')
				g = G_STAR;
			else if (ua_matches(val, (size_t)(ve - val), agent))
				g = G_US;
			if (g == G_US)
				*found = 1;
			if (g > group)
				group = g;
			continue;
		}
		if ((klen == 5 && strncasecmp(line, "allow", 5) == 0) ||
		    (klen == 8 && strncasecmp(line, "disallow", 8) == 0)) {
			in_rules = 1;
			if (group != want || ve == val)
				continue;
			if ((rc = rule_add(r, val, (size_t)(ve - val),
			                   klen == 5)) != 0)
				return rc;
			continue;
		}
		if (klen == 11 && strncasecmp(line, "crawl-delay", 11) == 0) {
			char num[32];
			double d;
			char *e;

			in_rules = 1;
			if (group != want || ve - val >= (long)sizeof(num))
				continue;
			memcpy(num, val, (size_t)(ve - val));
			num[ve - val] = '\0';
			d = strtod(num, &e);
			if (e == num || *e != '\0' || !isfinite(d) || d < 0)
				continue;
			if (d > 86400)
				d = 86400;
			if ((long)(d * 1000) > r->delay_ms)
				r->delay_ms = (long)(d * 1000);
		}
	}
	return 0;
}

int
robots_parse(const char *text, size_t len, const char *agent,
             struct robots **out)
{
	struct robots *r;
	int found = 0, rc;

	if ((rc = robots_new(&r)) != 0)
		return rc;
	/* the first sweep collects "*" rules and learns whether we are named */
	if ((rc = robots_sweep(r, text, len, agent, G_STAR, &found)) != 0)
		goto fail;
	if (found) {
		for (size_t i = 0; i < r->n; i++)
			free(r->rules[i].pat);
		r->n = 0;
		r->delay_ms = -1;
		if ((rc = robots_sweep(r, text, len, agent, G_US, &found)) != 0)
			goto fail;
	}
	*out = r;
	return 0;
fail:
	robots_free(r);
	return rc;
}

int
robots_allow_all(struct robots **out)
{
	return robots_new(out);
}

int
robots_deny_all(struct robots **out)
{
	int rc;

	if ((rc = robots_new(out)) != 0)
		return rc;
	if ((rc = rule_add(*out, "/", 1, 0)) != 0) {
		robots_free(*out);
		*out = NULL;
	}
	return rc;
}

/* '*' any run, '$' at the end anchors; otherwise a prefix match. */
static int
pattern_match(const char *pat, const char *s)
{
	const char *star_p = NULL, *star_s = NULL;

	for (;;) {
		if (*pat == '$' && pat[1] == '\0') {
			if (*s == '\0')
				return 1;
		} else if (*pat == '\0') {
			return 1;
		} else if (*pat == '*') {
			star_p = ++pat;
			star_s = s;
			continue;
		} else if (*s != '\0' && *pat == *s) {
			pat++;
			s++;
			continue;
		}
		if (star_p == NULL || *star_s == '\0')
			return 0;
		pat = star_p;
		s = ++star_s;
	}
}

int
robots_allowed(const struct robots *r, const char *pathquery)
{
	size_t best = 0;
	int allow = 1, any = 0;

	if (strcmp(pathquery, "/robots.txt") == 0)
		return 1;
	for (size_t i = 0; i < r->n; i++) {
		const struct rule *ru = &r->rules[i];

		if (!pattern_match(ru->pat, pathquery))
			continue;
		if (!any || ru->len > best || (ru->len == best && ru->allow)) {
			best = ru->len;
			allow = ru->allow;
			any = 1;
		}
	}
	return allow;
}

long
robots_crawl_delay_ms(const struct robots *r)
{
	return r->delay_ms;
}

void
robots_free(struct robots *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->rules[i].pat);
	free(r->rules);
	free(r);
}

void
robots_agent_token(const char *user_agent, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len && (isalnum((unsigned char)user_agent[n]) ||
	                       user_agent[n] == '-' || user_agent[n] == '_'))
		n++;
	memcpy(buf, user_agent, n);
	buf[n] = '\0';
}
