/*
 * config.c - INI loader.
 *
 * Not libinih: Debian's build of it caps lines at 200 bytes (a list of
 * Chinese agency aliases or start URLs is longer), gives the handler no line
 * number and never reports an empty section, and every error here must name
 * its line.  The grammar is small enough to read directly:
 *
 *   ; or # at the start of a line (after blanks) begins a comment
 *   [nianbao] [crawl] [site ID] [agency NAME]
 *   key = value        ; an inline comment needs a blank before the ';'
 *     continuation     ; an indented line extends the previous value
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "log.h"

enum ktype {
	K_STR,
	K_PATH, /* string; relative paths resolved against the file's dir */
	K_INT,
	K_LONG,
	K_BOOL,
	K_DUR,
	K_SIZE,
	K_URLS,
	K_HOSTS,
	K_RESOLVE,
	K_WORDS,
	K_KIND,
};

struct keydef {
	const char *name;
	enum ktype type;
	size_t off;
	const char *def;  /* default as text; NULL = required/inherited */
	long min, max;    /* for K_INT, K_LONG, K_DUR (ms) */
	const char *help; /* one line, printed by config_print */
};

#define CF(f)  offsetof(struct nb_config, f)
#define SF(f)  offsetof(struct nb_site, f)
#define AF(f)  offsetof(struct nb_agency, f)
#define DAY_MS (86400L * 1000)

static const struct keydef nianbao_keys[] = {
    {"data_dir", K_PATH, CF(data_dir), "/var/lib/nianbao", 0, 0,
     "archive root: index/ (LMDB) and warc/"},
    {"user_agent", K_STR, CF(user_agent),
     "nianbao/1.0 (+https://example.org/nianbao)", 0, 0,
     "User-Agent header and robots.txt agent"},
    {"aliases", K_PATH, CF(aliases), "", 0, 0,
     "file of [agency NAME] sections (aliases, region, kind)"},
    {"on_event", K_PATH, CF(on_event), "", 0, 0,
     "program run for each new, changed or overdue report"},
    {"warc_size", K_SIZE, CF(warc_size), "1G", 0, 0,
     "start a new WARC file beyond this size"},
};

static const struct keydef crawl_keys[] = {
    {"concurrency", K_INT, CF(concurrency), "16", 1, 4096, "total connections"},
    {"per_host", K_INT, CF(per_host), "2", 1, 64, "connections per host"},
    {"delay", K_DUR, CF(delay_ms), "1s", 0, DAY_MS,
     "between requests to one host"},
    {"timeout", K_DUR, CF(timeout_ms), "30s", 100, DAY_MS,
     "whole-transfer time limit"},
    {"max_body", K_SIZE, CF(max_body), "64M", 0, 0,
     "larger bodies are cut off and recorded as too big"},
    {"recrawl", K_DUR, CF(recrawl_ms), "6h", 1000, 365 * DAY_MS,
     "how often list and directory pages are walked again"},
    {"recrawl_reports", K_DUR, CF(recrawl_reports_ms), "7d", 1000, 365 * DAY_MS,
     "how often an unchanged report page is re-checked"},
    {"retries", K_INT, CF(retries), "4", 0, 20,
     "retries after timeouts, connection errors, 5xx"},
    {"max_redirects", K_INT, CF(max_redirects), "5", 0, 50,
     "redirect hops followed (each re-checked)"},
    {"max_depth", K_INT, CF(max_depth), "12", 1, 1000,
     "links followed from a start page"},
    {"page_budget", K_LONG, CF(page_budget), "50000", 1, 100000000,
     "pages fetched per site per pass"},
    {"proxy", K_STR, CF(proxy), "", 0, 0,
     "proxy URL; empty = http_proxy/https_proxy from the environment"},
    {"resolve", K_RESOLVE, CF(resolve), "", 0, 0,
     "host:port:addr pins, as curl --resolve"},
    {"allow_private", K_BOOL, CF(allow_private), "no", 0, 0,
     "allow private, loopback and link-local addresses"},
};

static const struct keydef site_keys[] = {
    {"name", K_STR, SF(name), NULL, 0, 0, "display name (default: ID)"},
    {"region", K_STR, SF(region), NULL, 0, 0,
     "county-level area (default: name)"},
    {"start", K_URLS, SF(start), NULL, 0, 0, "start URLs (required)"},
    {"allow", K_HOSTS, SF(allow), NULL, 0, 0,
     "hosts that may be fetched (required)"},
    {"delay", K_DUR, SF(delay_ms), NULL, 0, DAY_MS,
     "per-host delay (default: [crawl] delay)"},
    {"recrawl", K_DUR, SF(recrawl_ms), NULL, 1000, 365 * DAY_MS,
     "(default: [crawl] recrawl)"},
    {"page_budget", K_LONG, SF(page_budget), NULL, 1, 100000000,
     "(default: [crawl] page_budget)"},
    {"max_depth", K_INT, SF(max_depth), NULL, 1, 1000,
     "(default: [crawl] max_depth)"},
};

static const struct keydef agency_keys[] = {
    {"aliases", K_WORDS, AF(aliases), "", 0, 0, "other names of this agency"},
    {"region", K_STR, AF(region), NULL, 0, 0, "county-level area"},
    {"kind", K_KIND, AF(kind), "auto", 0, 0,
     "government (deadline 31 March), department (31 January) or auto"},
};

enum sect {
	S_NONE,
	S_NIANBAO,
	S_CRAWL,
	S_SITE,
	S_AGENCY,
	S_UNKNOWN,
};

#define MAX_KEYS 16
_Static_assert(NB_NELEM(crawl_keys) <= MAX_KEYS &&
                   NB_NELEM(nianbao_keys) <= MAX_KEYS &&
                   NB_NELEM(site_keys) <= MAX_KEYS &&
                   NB_NELEM(agency_keys) <= MAX_KEYS,
               "raise MAX_KEYS");

struct parser {
	struct nb_config *cfg;
	const char *file;  /* file name for messages (owned by cfg) */
	char *dir;         /* its directory, for relative paths */
	int agencies_only; /* the alias file: [agency] sections only */
	int lineno;
	int errors;

	enum sect sect;
	void *obj; /* struct being filled */
	const struct keydef *keys;
	size_t nkeys;
	char sectname[256];
	int keyline[MAX_KEYS]; /* where each key of this section was set */
	int nianbao_line, crawl_line;

	/* pending key, for continuation lines */
	const struct keydef *pend;
	char *pend_val;
	int pend_line;
};

static void cfg_error(struct parser *p, int line, const char *fmt, ...)
    NB_PRINTF(3, 4);

static void
cfg_error(struct parser *p, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s:%d: %s", p->file, line, msg);
	p->errors++;
}

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		fatal("strdup");
	return d;
}

static void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n, sz);

	if (p == NULL)
		fatal("calloc");
	return p;
}

static void *
xreallocarray(void *p, size_t n, size_t sz)
{
	if (sz != 0 && n > SIZE_MAX / sz)
		fatalx("allocation overflow");
	if ((p = realloc(p, n * sz)) == NULL)
		fatal("realloc");
	return p;
}

static void
strlist_free(struct nb_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void
strlist_add(struct nb_strlist *l, const char *s)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

static int
strlist_has(const struct nb_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

/* Split on blanks and commas (ASCII and the ideographic comma). */
static void
split_words(const char *s, struct nb_strlist *out)
{
	char *copy = xstrdup(s), *w = copy, *r;

	for (r = copy;; r++) {
		int sep = 0;

		if (*r == ' ' || *r == '\t' || *r == ',')
			sep = 1;
		else if ((unsigned char)r[0] == 0xe3 &&
		         (unsigned char)r[1] == 0x80 &&
		         ((unsigned char)r[2] == 0x81 ||
		          (unsigned char)r[2] == 0x80))
			sep = 3; /* 、 or full-width space */
		if (sep || *r == '\0') {
			int end = *r == '\0';

			*r = '\0';
			if (*w != '\0' && !strlist_has(out, w))
				strlist_add(out, w);
			if (end)
				break;
			r += sep - 1;
			w = r + 1;
		}
	}
	free(copy);
}

/* Levenshtein distance over bytes, for "did you mean". */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[64], prev, tmp;

	if (lb >= NB_NELEM(row))
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

static const char *
closest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bestd = SIZE_MAX, len = strlen(word);
	size_t limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;

	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, cands[i]);

		if (d < bestd) {
			bestd = d;
			best = cands[i];
		}
	}
	return bestd <= limit ? best : NULL;
}

int
config_parse_duration(const char *s, long *out_ms)
{
	static const struct {
		const char *suf;
		long mul;
	} units[] = {{"ms", 1},       {"s", 1000},     {"sec", 1000},
	             {"m", 60000},    {"min", 60000},  {"h", 3600000},
	             {"d", 86400000}, {"w", 604800000}};
	long mul = 1000;
	char *end;
	long long v;
	size_t i;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return NB_EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0)
		return NB_EINVAL;
	if (*end != '\0') {
		for (i = 0; i < NB_NELEM(units); i++)
			if (strcmp(end, units[i].suf) == 0)
				break;
		if (i == NB_NELEM(units))
			return NB_EINVAL;
		mul = units[i].mul;
	}
	if (v > LONG_MAX / mul)
		return NB_EINVAL;
	*out_ms = (long)v * mul;
	return 0;
}

int
config_parse_size(const char *s, uint64_t *out)
{
	static const char *const suf = "KMGT";
	uint64_t mul = 1;
	unsigned long long v;
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return NB_EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return NB_EINVAL;
	if (*end != '\0') {
		const char *u = strchr(suf, toupper((unsigned char)*end));

		if (u == NULL)
			return NB_EINVAL;
		for (const char *k = suf; k <= u; k++)
			mul *= 1024;
		end++;
		if (strcmp(end, "") != 0 && strcmp(end, "B") != 0 &&
		    strcmp(end, "iB") != 0)
			return NB_EINVAL;
	}
	if (v > UINT64_MAX / mul)
		return NB_EINVAL;
	*out = v * mul;
	return 0;
}

const char *
config_fmt_duration(long ms, char *buf, size_t len)
{
	static const struct {
		const char *suf;
		long mul;
	} units[] = {{"w", 604800000},
	             {"d", 86400000},
	             {"h", 3600000},
	             {"m", 60000},
	             {"s", 1000}};

	for (size_t i = 0; i < NB_NELEM(units); i++)
		if (ms != 0 && ms % units[i].mul == 0) {
			snprintf(buf, len, "%ld%s", ms / units[i].mul,
			         units[i].suf);
			return buf;
		}
	snprintf(buf, len, ms == 0 ? "0s" : "%ldms", ms);
	return buf;
}

const char *
config_fmt_size(uint64_t n, char *buf, size_t len)
{
	static const char *const suf = "KMGT";
	int i = -1;

	while (n != 0 && n % 1024 == 0 && i < 3) {
		n /= 1024;
		i++;
	}
	if (i < 0)
		snprintf(buf, len, "%llu", (unsigned long long)n);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)n, suf[i]);
	return buf;
}

static int
valid_host(const char *h)
{
	size_t n = strlen(h);

	if (n == 0 || n > 253 || h[0] == '.' || h[0] == '-')
		return 0;
	for (const char *c = h; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '.')
			return 0;
	return 1;
}

/*
 * Host part of an http(s) URL, lower-cased into buf; 0 or NB_EINVAL.
 * Only a syntax check: the crawler re-parses URLs with curl's URL API.
 */
static int
url_host(const char *url, char *buf, size_t len)
{
	const char *p, *e;
	size_t i;

	if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8;
	else
		return NB_EINVAL;
	e = p + strcspn(p, "/?#");
	if (memchr(p, '@', (size_t)(e - p)) != NULL)
		return NB_EINVAL;
	if (e - p > 0 && *p == '[') {
		const char *rb = memchr(p, ']', (size_t)(e - p));

		if (rb == NULL)
			return NB_EINVAL;
		p++;
		e = rb;
	} else {
		const char *colon = memchr(p, ':', (size_t)(e - p));

		if (colon != NULL) {
			for (const char *d = colon + 1; d < e; d++)
				if (!isdigit((unsigned char)*d))
					return NB_EINVAL;
			e = colon;
		}
	}
	if (e == p || (size_t)(e - p) >= len)
		return NB_EINVAL;
	for (i = 0; p + i < e; i++)
		buf[i] = (char)tolower((unsigned char)p[i]);
	buf[i] = '\0';
	return 0;
}

static const char *
sect_label(struct parser *p)
{
	return p->sectname;
}

/* Parse one value into the field; reports its own errors. */
static void
set_value(struct parser *p, const struct keydef *k, const char *val, int line)
{
	char *base = p->obj;
	void *field = base + k->off;
	char hostbuf[256];
	long l;
	uint64_t u;
	char *end;

	switch (k->type) {
	case K_STR:
		free(*(char **)field);
		*(char **)field = xstrdup(val);
		break;
	case K_PATH: {
		char *path;

		if (val[0] != '\0' && val[0] != '/' && p->dir != NULL) {
			size_t n = strlen(p->dir) + strlen(val) + 2;

			path = xcalloc(1, n);
			snprintf(path, n, "%s/%s", p->dir, val);
		} else
			path = xstrdup(val);
		free(*(char **)field);
		*(char **)field = path;
		break;
	}
	case K_INT:
	case K_LONG:
		errno = 0;
		l = strtol(val, &end, 10);
		if (errno != 0 || end == val || *end != '\0' || l < k->min ||
		    l > k->max) {
			cfg_error(p, line,
			          "bad value '%s' for '%s' in [%s]: expected "
			          "an integer from %ld to %ld",
			          val, k->name, sect_label(p), k->min, k->max);
			return;
		}
		if (k->type == K_INT)
			*(int *)field = (int)l;
		else
			*(long *)field = l;
		break;
	case K_BOOL:
		if (!strcasecmp(val, "yes") || !strcasecmp(val, "true") ||
		    !strcasecmp(val, "on") || !strcmp(val, "1"))
			*(int *)field = 1;
		else if (!strcasecmp(val, "no") || !strcasecmp(val, "false") ||
		         !strcasecmp(val, "off") || !strcmp(val, "0"))
			*(int *)field = 0;
		else
			cfg_error(p, line,
			          "bad value '%s' for '%s' in [%s]: expected "
			          "yes or no",
			          val, k->name, sect_label(p));
		break;
	case K_DUR:
		if (config_parse_duration(val, &l) != 0) {
			cfg_error(p, line,
			          "bad value '%s' for '%s' in [%s]: expected "
			          "a duration such as 500ms, 30s, 6h or 2d",
			          val, k->name, sect_label(p));
			return;
		}
		if (l < k->min || l > k->max) {
			char a[32], b[32];

			cfg_error(p, line,
			          "bad value '%s' for '%s' in [%s]: must be "
			          "from %s to %s",
			          val, k->name, sect_label(p),
			          config_fmt_duration(k->min, a, sizeof(a)),
			          config_fmt_duration(k->max, b, sizeof(b)));
			return;
		}
		*(long *)field = l;
		break;
	case K_SIZE:
		if (config_parse_size(val, &u) != 0) {
			cfg_error(p, line,
			          "bad value '%s' for '%s' in [%s]: expected "
			          "a size such as 512K, 64M or 1G",
			          val, k->name, sect_label(p));
			return;
		}
		*(uint64_t *)field = u;
		break;
	case K_URLS:
	case K_HOSTS:
	case K_RESOLVE:
	case K_WORDS: {
		struct nb_strlist words = {0}, *dst = field;

		split_words(val, &words);
		for (size_t i = 0; i < words.n; i++) {
			const char *w = words.v[i];

			if (k->type == K_URLS &&
			    url_host(w, hostbuf, sizeof(hostbuf)) != 0) {
				cfg_error(p, line,
				          "bad value '%s' for '%s' in [%s]: "
				          "expected an http:// or https:// URL",
				          w, k->name, sect_label(p));
				continue;
			}
			if (k->type == K_HOSTS && !valid_host(w)) {
				cfg_error(p, line,
				          "bad value '%s' for '%s' in [%s]: "
				          "expected a host name",
				          w, k->name, sect_label(p));
				continue;
			}
			if (k->type == K_RESOLVE) {
				const char *c1 = strchr(w, ':');
				const char *c2 =
				    c1 ? strchr(c1 + 1, ':') : NULL;
				long port = c2 ? strtol(c1 + 1, &end, 10) : 0;

				if (c1 == NULL || c2 == NULL || c1 == w ||
				    end != c2 || port < 1 || port > 65535 ||
				    c2[1] == '\0') {
					cfg_error(p, line,
					          "bad value '%s' for '%s' in "
					          "[%s]: expected "
					          "host:port:address",
					          w, k->name, sect_label(p));
					continue;
				}
			}
			if (!strlist_has(dst, w))
				strlist_add(dst, w);
		}
		strlist_free(&words);
		break;
	}
	case K_KIND:
		if (!strcmp(val, "auto"))
			*(enum nb_agency_kind *)field = NB_KIND_AUTO;
		else if (!strcmp(val, "government"))
			*(enum nb_agency_kind *)field = NB_KIND_GOVERNMENT;
		else if (!strcmp(val, "department"))
			*(enum nb_agency_kind *)field = NB_KIND_DEPARTMENT;
		else
			cfg_error(p, line,
			          "bad value '%s' for '%s' in [%s]: expected "
			          "government, department or auto",
			          val, k->name, sect_label(p));
		break;
	}
}

static void
flush_pending(struct parser *p)
{
	if (p->pend == NULL)
		return;
	set_value(p, p->pend, p->pend_val, p->pend_line);
	free(p->pend_val);
	p->pend = NULL;
	p->pend_val = NULL;
}

/* Trim blanks (ASCII) at both ends, in place. */
static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	                 e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* Cut an inline comment: ';' preceded by a blank. */
static void
cut_comment(char *s)
{
	for (char *c = s; *c; c++)
		if (*c == ';' && c > s && (c[-1] == ' ' || c[-1] == '\t')) {
			*c = '\0';
			return;
		}
}

static void
apply_defaults(struct parser *p, void *obj, const struct keydef *keys, size_t n)
{
	void *saved = p->obj;

	p->obj = obj;
	for (size_t i = 0; i < n; i++)
		if (keys[i].def != NULL)
			set_value(p, &keys[i], keys[i].def, 0);
	p->obj = saved;
}

static void
begin_section(struct parser *p, char *name)
{
	struct nb_config *cfg = p->cfg;
	char *arg = NULL;
	size_t kw;

	flush_pending(p);
	p->sect = S_UNKNOWN;
	p->obj = NULL;
	p->keys = NULL;
	p->nkeys = 0;
	memset(p->keyline, 0, sizeof(p->keyline));
	snprintf(p->sectname, sizeof(p->sectname), "%s", name);

	kw = strcspn(name, " \t");
	if (name[kw] != '\0') {
		name[kw] = '\0';
		arg = trim(name + kw + 1);
	}
	if (!p->agencies_only && arg == NULL && strcmp(name, "nianbao") == 0) {
		if (p->nianbao_line)
			cfg_error(p, p->lineno,
			          "section [nianbao] repeated (first on "
			          "line %d)",
			          p->nianbao_line);
		p->nianbao_line = p->lineno;
		p->sect = S_NIANBAO;
		p->obj = cfg;
		p->keys = nianbao_keys;
		p->nkeys = NB_NELEM(nianbao_keys);
	} else if (!p->agencies_only && arg == NULL &&
	           strcmp(name, "crawl") == 0) {
		if (p->crawl_line)
			cfg_error(p, p->lineno,
			          "section [crawl] repeated (first on line "
			          "%d)",
			          p->crawl_line);
		p->crawl_line = p->lineno;
		p->sect = S_CRAWL;
		p->obj = cfg;
		p->keys = crawl_keys;
		p->nkeys = NB_NELEM(crawl_keys);
	} else if (!p->agencies_only && strcmp(name, "site") == 0) {
		struct nb_site *s;

		if (arg == NULL || *arg == '\0') {
			cfg_error(p, p->lineno,
			          "section [site] needs an id: [site ID]");
			return;
		}
		for (const char *c = arg; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '-' &&
			    *c != '_' && *c != '.') {
				cfg_error(p, p->lineno,
				          "bad site id '%s': use letters, "
				          "digits, '-', '_' and '.'",
				          arg);
				return;
			}
		for (size_t i = 0; i < cfg->nsites; i++)
			if (strcmp(cfg->sites[i].id, arg) == 0) {
				cfg_error(p, p->lineno,
				          "duplicate site '%s' (first defined "
				          "on line %d)",
				          arg, cfg->sites[i].line);
				return;
			}
		cfg->sites = xreallocarray(cfg->sites, cfg->nsites + 1,
		                           sizeof(*cfg->sites));
		s = &cfg->sites[cfg->nsites++];
		memset(s, 0, sizeof(*s));
		s->id = xstrdup(arg);
		s->line = p->lineno;
		s->delay_ms = s->recrawl_ms = s->page_budget = -1;
		s->max_depth = -1;
		p->sect = S_SITE;
		p->obj = s;
		p->keys = site_keys;
		p->nkeys = NB_NELEM(site_keys);
	} else if (strcmp(name, "agency") == 0) {
		struct nb_agency *a;

		if (arg == NULL || *arg == '\0') {
			cfg_error(p, p->lineno,
			          "section [agency] needs a name: "
			          "[agency NAME]");
			return;
		}
		for (size_t i = 0; i < cfg->nagencies; i++)
			if (strcmp(cfg->agencies[i].name, arg) == 0) {
				cfg_error(p, p->lineno,
				          "duplicate agency '%s' (first "
				          "defined at %s:%d)",
				          arg, cfg->agencies[i].file,
				          cfg->agencies[i].line);
				return;
			}
		cfg->agencies = xreallocarray(cfg->agencies, cfg->nagencies + 1,
		                              sizeof(*cfg->agencies));
		a = &cfg->agencies[cfg->nagencies++];
		memset(a, 0, sizeof(*a));
		a->name = xstrdup(arg);
		a->file = p->file;
		a->line = p->lineno;
		p->sect = S_AGENCY;
		p->obj = a;
		p->keys = agency_keys;
		p->nkeys = NB_NELEM(agency_keys);
		apply_defaults(p, a, agency_keys, NB_NELEM(agency_keys));
	} else {
		static const char *const known[] = {"nianbao", "crawl", "site",
		                                    "agency"};
		const char *hint = closest(name, known, NB_NELEM(known));

		if (p->agencies_only)
			cfg_error(p, p->lineno,
			          "unknown section [%s]: an alias file holds "
			          "only [agency NAME] sections",
			          p->sectname);
		else if (hint != NULL)
			cfg_error(p, p->lineno,
			          "unknown section [%s]; did you mean [%s]?",
			          p->sectname, hint);
		else
			cfg_error(p, p->lineno, "unknown section [%s]",
			          p->sectname);
	}
}

static void
key_line(struct parser *p, char *line)
{
	char *eq = strchr(line, '='), *key, *val;
	const struct keydef *k = NULL;
	size_t i;

	flush_pending(p);
	if (eq == NULL) {
		cfg_error(p, p->lineno, "expected 'key = value' or [section]");
		return;
	}
	*eq = '\0';
	key = trim(line);
	val = trim(eq + 1);
	if (p->sect == S_NONE) {
		cfg_error(p, p->lineno, "key '%s' outside any section", key);
		return;
	}
	if (p->sect == S_UNKNOWN)
		return; /* the section was reported already */
	for (i = 0; i < p->nkeys; i++)
		if (strcmp(p->keys[i].name, key) == 0) {
			k = &p->keys[i];
			break;
		}
	if (k == NULL) {
		const char *names[MAX_KEYS];
		const char *hint;

		for (i = 0; i < p->nkeys; i++)
			names[i] = p->keys[i].name;
		hint = closest(key, names, p->nkeys);
		if (hint != NULL)
			cfg_error(p, p->lineno,
			          "unknown key '%s' in [%s]; did you mean "
			          "'%s'?",
			          key, sect_label(p), hint);
		else
			cfg_error(p, p->lineno, "unknown key '%s' in [%s]", key,
			          sect_label(p));
		return;
	}
	if (p->keyline[i] != 0) {
		cfg_error(p, p->lineno,
		          "duplicate key '%s' in [%s] (first set on line %d)",
		          key, sect_label(p), p->keyline[i]);
		return;
	}
	p->keyline[i] = p->lineno;
	/* list values start afresh: the default is replaced, not extended */
	if (k->type == K_URLS || k->type == K_HOSTS || k->type == K_RESOLVE ||
	    k->type == K_WORDS)
		strlist_free((struct nb_strlist *)((char *)p->obj + k->off));
	p->pend = k;
	p->pend_val = xstrdup(val);
	p->pend_line = p->lineno;
}

static void
continuation(struct parser *p, const char *more)
{
	size_t n;
	char *v;

	if (p->pend == NULL) {
		cfg_error(p, p->lineno,
		          "indented line continues no key (indentation "
		          "continues the previous value)");
		return;
	}
	n = strlen(p->pend_val) + strlen(more) + 2;
	v = xcalloc(1, n);
	snprintf(v, n, "%s %s", p->pend_val, more);
	free(p->pend_val);
	p->pend_val = v;
}

static int
parse_file(struct parser *p, const char *path)
{
	char *line = NULL, *slash;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		log_warn("%s", path);
		p->errors++;
		return NB_ECONFIG;
	}
	strlist_add(&p->cfg->files, path);
	p->file = p->cfg->files.v[p->cfg->files.n - 1];
	/* relative paths in the file are relative to its own directory */
	free(p->dir);
	p->dir = xstrdup(path);
	if ((slash = strrchr(p->dir, '/')) != NULL)
		*slash = '\0';
	else
		strcpy(p->dir, ".");
	{
		char *abs = realpath(p->dir[0] ? p->dir : "/", NULL);

		if (abs != NULL) {
			free(p->dir);
			p->dir = abs;
		}
	}
	p->lineno = 0;
	p->sect = S_NONE;
	while ((n = getline(&line, &cap, fp)) != -1) {
		char *s = line, *t;
		int indented;

		p->lineno++;
		if (p->lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3;
		if (strlen(s) != (size_t)n - (size_t)(s - line)) {
			cfg_error(p, p->lineno, "NUL byte in line");
			continue;
		}
		indented = *s == ' ' || *s == '\t';
		t = trim(s);
		if (*t == '\0' || *t == ';' || *t == '#')
			continue;
		cut_comment(t);
		t = trim(t);
		if (*t == '[') {
			char *rb = strrchr(t, ']');

			if (rb == NULL || rb[1] != '\0') {
				flush_pending(p);
				cfg_error(p, p->lineno,
				          "section header lacks its closing "
				          "']'");
				p->sect = S_UNKNOWN;
				continue;
			}
			*rb = '\0';
			begin_section(p, trim(t + 1));
		} else if (indented && strchr(t, '=') == NULL)
			continuation(p, t);
		else
			key_line(p, t);
	}
	flush_pending(p);
	if (ferror(fp)) {
		log_warn("%s", path);
		p->errors++;
	}
	free(line);
	fclose(fp);
	return p->errors ? NB_ECONFIG : 0;
}

static void
check_sites(struct parser *p)
{
	struct nb_config *cfg = p->cfg;
	char host[256];

	p->file = cfg->files.v[0];
	for (size_t i = 0; i < cfg->nsites; i++) {
		struct nb_site *s = &cfg->sites[i];

		if (s->start.n == 0)
			cfg_error(p, s->line,
			          "site '%s': missing required key 'start'",
			          s->id);
		if (s->allow.n == 0)
			cfg_error(p, s->line,
			          "site '%s' has no allow-list: add 'allow = "
			          "HOST ...'",
			          s->id);
		for (size_t j = 0; j < s->start.n && s->allow.n; j++) {
			if (url_host(s->start.v[j], host, sizeof(host)) != 0)
				continue;
			if (!strlist_has(&s->allow, host))
				cfg_error(p, s->line,
				          "site '%s': start URL host '%s' is "
				          "not in its allow-list",
				          s->id, host);
		}
		if (s->name == NULL)
			s->name = xstrdup(s->id);
		if (s->region == NULL)
			s->region = xstrdup(s->name);
		if (s->delay_ms < 0)
			s->delay_ms = cfg->delay_ms;
		if (s->recrawl_ms < 0)
			s->recrawl_ms = cfg->recrawl_ms;
		if (s->page_budget < 0)
			s->page_budget = cfg->page_budget;
		if (s->max_depth < 0)
			s->max_depth = cfg->max_depth;
	}
}

/* The same alias may not name two agencies in one region. */
static void
check_agencies(struct parser *p)
{
	struct nb_config *cfg = p->cfg;

	for (size_t i = 0; i < cfg->nagencies; i++) {
		struct nb_agency *a = &cfg->agencies[i];

		for (size_t k = 0; k < a->aliases.n; k++)
			for (size_t j = 0; j < i; j++) {
				struct nb_agency *b = &cfg->agencies[j];
				int same_region =
				    a->region == NULL || b->region == NULL ||
				    strcmp(a->region, b->region) == 0;

				if (!same_region)
					continue;
				if (strcmp(b->name, a->aliases.v[k]) == 0 ||
				    strlist_has(&b->aliases, a->aliases.v[k])) {
					p->file = a->file;
					cfg_error(p, a->line,
					          "alias '%s' of '%s' already "
					          "names '%s' (%s:%d)",
					          a->aliases.v[k], a->name,
					          b->name, b->file, b->line);
				}
			}
	}
}

static struct nb_config *
config_new(struct parser *p)
{
	struct nb_config *cfg = xcalloc(1, sizeof(*cfg));

	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->file = "(defaults)";
	apply_defaults(p, cfg, nianbao_keys, NB_NELEM(nianbao_keys));
	apply_defaults(p, cfg, crawl_keys, NB_NELEM(crawl_keys));
	return cfg;
}

int
config_defaults(struct nb_config **out)
{
	struct parser p;

	*out = config_new(&p);
	return 0;
}

int
config_load(const char *path, struct nb_config **out)
{
	struct parser p;
	struct nb_config *cfg = config_new(&p);

	cfg->path = xstrdup(path);
	parse_file(&p, path);
	if (p.errors == 0 && cfg->aliases[0] != '\0') {
		char *alias_path = xstrdup(cfg->aliases);

		p.agencies_only = 1;
		parse_file(&p, alias_path);
		free(alias_path);
	}
	if (cfg->files.n > 0) {
		check_sites(&p);
		check_agencies(&p);
	}
	if (cfg->nsites == 0 && p.errors == 0) {
		log_warnx("%s: no [site ID] section: nothing to crawl", path);
		p.errors++;
	}
	free(p.dir);
	if (p.errors != 0) {
		log_warnx("%s: %d error%s", path, p.errors,
		          p.errors == 1 ? "" : "s");
		config_free(cfg);
		return NB_ECONFIG;
	}
	*out = cfg;
	return 0;
}

void
config_free(struct nb_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->data_dir);
	free(cfg->user_agent);
	free(cfg->aliases);
	free(cfg->on_event);
	free(cfg->proxy);
	strlist_free(&cfg->resolve);
	for (size_t i = 0; i < cfg->nsites; i++) {
		struct nb_site *s = &cfg->sites[i];

		free(s->id);
		free(s->name);
		free(s->region);
		strlist_free(&s->start);
		strlist_free(&s->allow);
	}
	free(cfg->sites);
	for (size_t i = 0; i < cfg->nagencies; i++) {
		free(cfg->agencies[i].name);
		free(cfg->agencies[i].region);
		strlist_free(&cfg->agencies[i].aliases);
	}
	free(cfg->agencies);
	strlist_free(&cfg->files);
	free(cfg);
}

const struct nb_site *
config_site(const struct nb_config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->nsites; i++)
		if (strcmp(cfg->sites[i].id, id) == 0)
			return &cfg->sites[i];
	return NULL;
}

static void
print_keys(FILE *fp, const void *obj, const struct keydef *keys, size_t n)
{
	const char *base = obj;
	char buf[64];

	for (size_t i = 0; i < n; i++) {
		const struct keydef *k = &keys[i];
		const void *f = base + k->off;

		fprintf(fp, "%-16s= ", k->name);
		switch (k->type) {
		case K_STR:
		case K_PATH:
			fputs(*(char *const *)f ? *(char *const *)f : "", fp);
			break;
		case K_INT:
			fprintf(fp, "%d", *(const int *)f);
			break;
		case K_LONG:
			fprintf(fp, "%ld", *(const long *)f);
			break;
		case K_BOOL:
			fputs(*(const int *)f ? "yes" : "no", fp);
			break;
		case K_DUR:
			fputs(config_fmt_duration(*(const long *)f, buf,
			                          sizeof(buf)),
			      fp);
			break;
		case K_SIZE:
			fputs(config_fmt_size(*(const uint64_t *)f, buf,
			                      sizeof(buf)),
			      fp);
			break;
		case K_URLS:
		case K_HOSTS:
		case K_RESOLVE:
		case K_WORDS: {
			const struct nb_strlist *l = f;

			for (size_t j = 0; j < l->n; j++)
				fprintf(fp, "%s%s", j ? " " : "", l->v[j]);
			break;
		}
		case K_KIND: {
			static const char *const kinds[] = {
			    "auto", "government", "department"};

			fputs(kinds[*(const enum nb_agency_kind *)f], fp);
			break;
		}
		}
		fprintf(fp, "\t; %s\n", k->help);
	}
}

void
config_print(const struct nb_config *cfg, FILE *fp)
{
	fprintf(fp, "; effective configuration%s%s\n", cfg->path ? " of " : "",
	        cfg->path ? cfg->path : "");
	fprintf(fp, "[nianbao]\n");
	print_keys(fp, cfg, nianbao_keys, NB_NELEM(nianbao_keys));
	fprintf(fp, "\n[crawl]\n");
	print_keys(fp, cfg, crawl_keys, NB_NELEM(crawl_keys));
	for (size_t i = 0; i < cfg->nsites; i++) {
		fprintf(fp, "\n[site %s]\n", cfg->sites[i].id);
		print_keys(fp, &cfg->sites[i], site_keys, NB_NELEM(site_keys));
	}
	/*
	 * Agencies from the alias file are listed as comments: the printed
	 * file names that file again, so it stays loadable as it is.
	 */
	for (size_t i = 0; i < cfg->nagencies; i++) {
		const struct nb_agency *a = &cfg->agencies[i];
		static const char *const kinds[] = {"auto", "government",
		                                    "department"};

		if (cfg->path != NULL && strcmp(a->file, cfg->path) == 0) {
			fprintf(fp, "\n[agency %s]\n", a->name);
			print_keys(fp, a, agency_keys, NB_NELEM(agency_keys));
			continue;
		}
		fprintf(fp, "%s; agency %s (%s, %s; %s:%d):", i ? "" : "\n",
		        a->name, a->region ? a->region : "any region",
		        kinds[a->kind], a->file, a->line);
		for (size_t j = 0; j < a->aliases.n; j++)
			fprintf(fp, " %s", a->aliases.v[j]);
		fputc('\n', fp);
	}
}
