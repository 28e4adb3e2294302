/*
 * q.c - common options, opening the archive, agency names and kinds,
 * deadlines.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nbtime.h"
#include "query.h"

/* Deadlines are dates in China; "today" is the date there, UTC+8. */
#define CHINA_OFFSET_MS (8 * 3600 * 1000LL)

void
q_init(struct q *q, const char *cmd)
{
	memset(q, 0, sizeof(*q));
	q->cmd = cmd;
	nb_time_date(nb_now_ms() + CHINA_OFFSET_MS, q->today, sizeof(q->today));
}

int
q_opt(struct q *q, int c, const char *arg)
{
	int64_t ms;

	switch (c) {
	case 'D':
		q->dir = arg;
		return 1;
	case 'f':
		q->cfgpath = arg;
		return 1;
	case 'h':
		q->help = 1;
		return 1;
	case Q_OPT_JSON:
		q->fmt = Q_FMT_JSON;
		return 1;
	case Q_OPT_CSV:
		q->fmt = Q_FMT_CSV;
		return 1;
	case Q_OPT_TODAY:
		if (nb_time_parse(arg, &ms) != 0) {
			log_warnx("%s: --today %s: not a date (YYYY-MM-DD)",
			          q->cmd, arg);
			return -1;
		}
		nb_time_date(ms, q->today, sizeof(q->today));
		return 1;
	}
	return 0;
}

int
q_getopt(struct q *q, int argc, char *argv[], const char *shortopts,
         const struct option *longopts)
{
	char sopts[64];
	int c, rc;

	/* a leading ':' makes getopt report a missing argument as ':' and
	   print nothing: messages go through log.h */
	snprintf(sopts, sizeof(sopts), ":%s", shortopts);
	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, sopts, longopts, NULL);
		if (c == ':') {
			log_warnx("%s: option %s needs an argument", q->cmd,
			          argv[optind - 1]);
			return '?';
		}
		if (c == '?') {
			if (optopt && optopt < 0x100)
				log_warnx("%s: unknown option -%c", q->cmd,
				          optopt);
			else
				log_warnx("%s: unknown option %s", q->cmd,
				          argv[optind - 1]);
			return '?';
		}
		if (c == -1)
			return -1;
		if ((rc = q_opt(q, c, optarg)) < 0)
			return '?';
		if (rc == 0)
			return c;
	}
}

void
q_usage_common(FILE *fp, int with_today)
{
	fprintf(fp,
	        "  -D, --data-dir DIR  the archive (default: data_dir of the "
	        "config)\n"
	        "  -f, --config FILE   the config file (default:\n"
	        "                      %s/nianbao/nianbao.ini;\n"
	        "                      with -D only if given): agency kinds "
	        "and aliases\n"
	        "      --json          print JSON instead of a table\n"
	        "      --csv           print CSV (a header line, then rows)\n",
	        NB_SYSCONFDIR);
	if (with_today)
		fprintf(fp, "      --today DATE    judge deadlines as on DATE "
		            "(YYYY-MM-DD; default:\n"
		            "                      today's date in China, "
		            "UTC+8)\n");
	fprintf(fp, "  -h, --help          this text\n");
}

static int
agency_ptr_cmp(const void *a, const void *b)
{
	const struct nb_agency *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* The config's agencies whose kind is set, sorted by name: q_kind looks
 * each agency up there, and a national config has a great many. */
int
q_config_index(struct q *q)
{
	size_t n = 0;

	free(q->cfgkinds);
	q->cfgkinds = NULL;
	q->ncfgkinds = 0;
	if (q->cfg == NULL)
		return 0;
	for (size_t i = 0; i < q->cfg->nagencies; i++)
		n += q->cfg->agencies[i].kind != NB_KIND_AUTO;
	if (n == 0)
		return 0;
	if ((q->cfgkinds = calloc(n, sizeof(*q->cfgkinds))) == NULL)
		return NB_ENOMEM;
	for (size_t i = 0; i < q->cfg->nagencies; i++)
		if (q->cfg->agencies[i].kind != NB_KIND_AUTO)
			q->cfgkinds[q->ncfgkinds++] = &q->cfg->agencies[i];
	qsort(q->cfgkinds, q->ncfgkinds, sizeof(*q->cfgkinds), agency_ptr_cmp);
	return 0;
}

int
q_open(struct q *q)
{
	char defpath[4096];
	const char *path = q->cfgpath, *dir = q->dir;
	int rc;

	if (path == NULL && dir == NULL) {
		snprintf(defpath, sizeof(defpath), "%s/nianbao/nianbao.ini",
		         NB_SYSCONFDIR);
		path = defpath;
	}
	if (path != NULL && (rc = config_load(path, &q->cfg)) != 0)
		return rc;
	if ((rc = q_config_index(q)) != 0)
		return rc;
	if (dir == NULL)
		dir = q->cfg->data_dir;
	if ((rc = store_open(dir, STORE_RDONLY, NULL, &q->st)) != 0) {
		log_warnx("%s: cannot open the archive: %s", dir,
		          nb_strerror(rc));
		return rc;
	}
	return 0;
}

/* q_kind_of's cache: open addressing, at most half full */
struct q_kinds {
	struct kind_entry {
		char *name; /* NULL: free */
		uint32_t hash;
		enum q_kind kind;
	} * e;
	size_t n, cap;
};

static void
kinds_free(struct q_kinds *k)
{
	if (k == NULL)
		return;
	for (size_t i = 0; i < k->cap; i++)
		free(k->e[i].name);
	free(k->e);
	free(k);
}

void
q_close(struct q *q)
{
	store_close(q->st);
	config_free(q->cfg);
	kinds_free(q->kinds);
	free(q->cfgkinds);
	q->st = NULL;
	q->cfg = NULL;
	q->kinds = NULL;
	q->cfgkinds = NULL;
	q->ncfgkinds = 0;
}

int
q_parse_year(const char *opt, const char *s, int *year)
{
	char *end;
	long y = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || y < 1900 || y > 2999) {
		log_warnx("%s %s: not a year", opt, s);
		return NB_EINVAL;
	}
	*year = (int)y;
	return 0;
}

static int
stop_at_first(const struct store_agency *a, void *arg)
{
	(void)a;
	(void)arg;
	return 1;
}

int
q_region_check(struct q *q, struct store_txn *txn, const char *region)
{
	if (region == NULL ||
	    store_agency_iter(txn, region, stop_at_first, NULL) == 1)
		return 0;
	log_warnx("%s: no agency in region '%s'", q->cmd, region);
	return NB_ENOTFOUND;
}

/* --------------------------------------------------------- agency names */

struct alias_find {
	const char *name;
	char *found;
	int ambiguous;
};

static int
alias_match(const struct store_agency *a, void *arg)
{
	struct alias_find *f = arg;
	const char *p = a->aliases, *end = a->aliases + a->aliases_len;

	for (; p != NULL && p < end; p += strlen(p) + 1)
		if (strcmp(p, f->name) == 0) {
			if (f->found != NULL) {
				f->ambiguous = 1;
				return 0;
			}
			if ((f->found = strdup(a->name)) == NULL)
				return NB_ENOMEM;
		}
	return 0;
}

int
q_agency_resolve(struct q *q, struct store_txn *txn, const char *name,
                 char **out)
{
	struct alias_find f = {name, NULL, 0};
	struct store_agency a;
	int rc;

	if (store_agency_get(txn, name, &a) == 0) {
		*out = strdup(name);
		return *out ? 0 : NB_ENOMEM;
	}
	for (size_t i = 0; q->cfg != NULL && i < q->cfg->nagencies; i++) {
		const struct nb_agency *ag = &q->cfg->agencies[i];

		for (size_t j = 0; j < ag->aliases.n; j++)
			if (strcmp(ag->aliases.v[j], name) == 0) {
				*out = strdup(ag->name);
				return *out ? 0 : NB_ENOMEM;
			}
	}
	if ((rc = store_agency_iter(txn, NULL, alias_match, &f)) != 0) {
		free(f.found);
		return rc;
	}
	if (f.found != NULL && !f.ambiguous) {
		*out = f.found;
		return 0;
	}
	free(f.found);
	log_warnx("%s: no agency '%s' in the archive%s", q->cmd, name,
	          f.ambiguous ? " (an alias of several: give the full name)"
	                      : "");
	return NB_ENOTFOUND;
}

/* ------------------------------------------------------ kinds, deadlines */

static int
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

enum q_kind
q_kind_infer(const char *name)
{
	static const char gov[] = "人民政府";
	static const char *const county[] = {"市", "县", "区", "旗"};
	static const char *const below[] = {"乡", "镇", "街道"};
	size_t n = strlen(name), k = sizeof(gov) - 1;

	if (!ends_with(name, n, gov) || n == k)
		return Q_KIND_DEPARTMENT;
	n -= k;
	for (size_t i = 0; i < NB_NELEM(below); i++) {
		const char *p = memmem(name, n, below[i], strlen(below[i]));

		if (p != NULL)
			return Q_KIND_DEPARTMENT;
	}
	for (size_t i = 0; i < NB_NELEM(county); i++)
		if (ends_with(name, n, county[i]))
			return Q_KIND_GOVERNMENT;
	return Q_KIND_DEPARTMENT;
}

enum q_kind
q_kind(const struct q *q, const char *name, const struct store_agency *a)
{
	struct nb_agency key = {.name = (char *)name};
	const struct nb_agency *kp = &key, **hit = NULL;

	if (q->ncfgkinds > 0)
		hit = bsearch(&kp, q->cfgkinds, q->ncfgkinds,
		              sizeof(*q->cfgkinds), agency_ptr_cmp);
	if (hit != NULL)
		return (*hit)->kind == NB_KIND_GOVERNMENT ? Q_KIND_GOVERNMENT
		                                          : Q_KIND_DEPARTMENT;
	if (a != NULL && a->kind == STORE_KIND_GOVERNMENT)
		return Q_KIND_GOVERNMENT;
	if (a != NULL && a->kind == STORE_KIND_DEPARTMENT)
		return Q_KIND_DEPARTMENT;
	return q_kind_infer(name);
}

static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* the slot of name in k: its entry, or the free one to take */
static struct kind_entry *
kinds_slot(struct q_kinds *k, const char *name, uint32_t h)
{
	for (size_t i = h & (k->cap - 1);; i = (i + 1) & (k->cap - 1))
		if (k->e[i].name == NULL ||
		    (k->e[i].hash == h && strcmp(k->e[i].name, name) == 0))
			return &k->e[i];
}

static int
kinds_grow(struct q_kinds *k)
{
	struct q_kinds n = {NULL, k->n, k->cap ? k->cap * 2 : 1024};

	if ((n.e = calloc(n.cap, sizeof(*n.e))) == NULL)
		return NB_ENOMEM;
	for (size_t i = 0; i < k->cap; i++)
		if (k->e[i].name != NULL)
			*kinds_slot(&n, k->e[i].name, k->e[i].hash) = k->e[i];
	free(k->e);
	*k = n;
	return 0;
}

enum q_kind
q_kind_of(struct q *q, struct store_txn *txn, const char *name)
{
	struct store_agency a;
	struct kind_entry *e;
	uint32_t h = fnv1a(name);
	enum q_kind kind;

	if (q->kinds != NULL && q->kinds->cap > 0 &&
	    (e = kinds_slot(q->kinds, name, h))->name != NULL)
		return e->kind;
	kind = q_kind(q, name, store_agency_get(txn, name, &a) ? NULL : &a);
	/* without memory the answer is the same, only slower */
	if (q->kinds == NULL &&
	    (q->kinds = calloc(1, sizeof(*q->kinds))) == NULL)
		return kind;
	if ((q->kinds->n + 1) * 2 > q->kinds->cap && kinds_grow(q->kinds) != 0)
		return kind;
	e = kinds_slot(q->kinds, name, h);
	if ((e->name = strdup(name)) != NULL) {
		e->hash = h;
		e->kind = kind;
		q->kinds->n++;
	}
	return kind;
}

struct roster_load {
	struct q *q;
	struct q_roster *ro;
};

static int
roster_add(const struct store_agency *a, void *arg)
{
	struct roster_load *l = arg;
	struct q_roster *ro = l->ro;

	if (ro->n == ro->cap) {
		size_t cap = ro->cap ? ro->cap * 2 : 256;
		struct q_roster_entry *e = realloc(ro->a, cap * sizeof(*e));

		if (e == NULL)
			return NB_ENOMEM;
		ro->a = e;
		ro->cap = cap;
	}
	ro->a[ro->n++] = (struct q_roster_entry){a->name, a->region,
	                                         q_kind(l->q, a->name, a),
	                                         a->first_year, a->last_year};
	return 0;
}

int
q_roster_load(struct q *q, struct store_txn *txn, const char *region,
              struct q_roster *ro)
{
	struct roster_load l = {q, ro};

	memset(ro, 0, sizeof(*ro));
	return store_agency_iter(txn, region, roster_add, &l);
}

void
q_roster_free(struct q_roster *ro)
{
	free(ro->a);
	memset(ro, 0, sizeof(*ro));
}

void
q_roster_start(struct q_roster *ro, int year)
{
	ro->year = year;
	ro->pos = 0;
	ro->seen = 0;
}

enum q_kind
q_roster_kind(struct q *q, struct store_txn *txn, struct q_roster *ro,
              const struct store_report *r)
{
	if (r->year != ro->year)
		q_roster_start(ro, r->year);
	ro->hit = (size_t)-1;
	while (ro->pos < ro->n) {
		const struct q_roster_entry *e = &ro->a[ro->pos];
		int c = strcmp(e->region, r->region);

		if (c == 0)
			c = strcmp(e->name, r->agency);
		if (c > 0)
			break;
		ro->pos++;
		if (c == 0) {
			ro->seen++;
			ro->hit = ro->pos - 1;
			return e->kind;
		}
	}
	return q_kind_of(q, txn, r->agency);
}

const char *
q_kind_name(enum q_kind k)
{
	return k == Q_KIND_GOVERNMENT ? "government" : "department";
}

void
q_deadline(enum q_kind k, int year, char buf[11])
{
	/* year is 1900..2999 (the store refuses others) */
	unsigned y = (unsigned)(year + 1) % 10000u;

	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	memcpy(buf + 4, k == Q_KIND_GOVERNMENT ? "-03-31" : "-01-31", 7);
}

const char *
q_state_name(enum q_state s)
{
	static const char *const names[] = {"on-time", "late", "undated",
	                                    "missing", "overdue"};

	return names[s];
}

enum q_state
q_state_of(const struct q *q, int have, const char *published,
           const char *deadline)
{
	if (!have)
		return strcmp(q->today, deadline) > 0 ? Q_OVERDUE : Q_MISSING;
	if (published == NULL || strlen(published) < 10)
		return Q_UNDATED;
	return strncmp(published, deadline, 10) > 0 ? Q_LATE : Q_ON_TIME;
}

static int64_t
date_days(const char *d)
{
	int64_t ms = 0;

	nb_time_parse(d, &ms);
	return ms / 86400000;
}

int
q_days_between(const char *a, const char *b)
{
	return (int)(date_days(b) - date_days(a));
}

const char *
q_iso(int64_t ms, char *buf)
{
	if (ms == 0) {
		buf[0] = '\0';
		return buf;
	}
	return nb_time_iso(ms, buf, 21);
}

const char *
q_b32(const uint8_t sha1[STORE_SHA1_LEN], char *buf)
{
	store_sha1_b32(sha1, buf);
	return buf;
}
