/*
 * cmd_check.c - `nianbao check': the 勾稽 rules that fail, per report.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "indexer.h"
#include "log.h"
#include "query.h"

static void
usage(FILE *fp)
{
	fprintf(
	    fp,
	    "usage: nianbao check [--agency A] [--year Y] [--region R] "
	    "[--unknown] [options]\n"
	    "\n"
	    "The validation rules (report-schema.md) that fail in the "
	    "latest version of\n"
	    "each report: one line per failed rule instance with agency, "
	    "region, year,\n"
	    "rule (rule[column|row|group]), expected and actual.  The "
	    "per-record rules\n"
	    "are requests.balance, requests.results_sum, "
	    "requests.row_total and\n"
	    "appeals.group_total; across years, a report is also checked "
	    "against the\n"
	    "same agency's report for the year before: active.in_force_chain "
	    "(2021\n"
	    "template: in_force(Y) = in_force(Y-1) + made(Y) - repealed(Y)) "
	    "and\n"
	    "active.items_chain (2019 template: prev_items(Y-1) + "
	    "change(Y-1) =\n"
	    "prev_items(Y)).\n"
	    "\n"
	    "  -a, --agency A      one agency (its name or an alias)\n"
	    "  -y, --year Y        reports on year Y\n"
	    "  -r, --region R      one region\n"
	    "  -u, --unknown       also the rules that cannot be "
	    "evaluated (a blank\n"
	    "                      input: \"ok\": null)\n");
	q_usage_common(fp, 0);
	fprintf(fp, "\nExit status: 0 every rule holds, 1 some rule fails "
	            "(or, with --unknown,\n"
	            "cannot be evaluated), 2 usage or archive error (a region "
	            "with no\nagency is taken for a typing error).\n");
}

/*
 * What the chain rules read of a summary: the template, the rows present
 * in "active" and the integer cells the rules use, in slots: rules and
 * normative_docs x made, repealed, in_force (2021 template), then
 * licensing ... fees x prev_items, change (2019 template).
 */
#define NSLOTS 16

struct links {
	int tpl;        /* 2019, 2021, or 0 for any other template */
	unsigned flags; /* the summary's; 0: no record to chain with */
	unsigned rows;  /* 1 << STORE_ROW_* */
	unsigned have;  /* 1 << slot: an integer */
	int64_t v[NSLOTS];
};

/* a report of the year before, in the order of the scan */
struct prev {
	const char *agency, *region; /* in the map */
	struct links l;
};

struct ctx {
	struct q_table *t;
	struct store_txn *txn;
	int unknown;
	/* scans of a year: the year before's reports, in the same order;
	   scanning year after year, the year's own become the next prev */
	int year_scan, keep, whole;
	struct prev *prev, *next;
	size_t nprev, cprev, iprev, nnext, cnext;
	/* scans by agency then year: the report before */
	int by_agency;
	const char *last_agency;
	int last_year;
	struct links last;
};

/* one line of the answer */
static int
add_row(struct ctx *x, const char *agency, const char *region, int year,
        const char *name, int failed)
{
	int rc;

	if ((rc = q_table_row(x->t)) != 0 ||
	    (rc = q_table_set(x->t, 0, Q_STR, agency)) != 0 ||
	    (rc = q_table_set(x->t, 1, region[0] ? Q_STR : Q_NULL, region)) !=
	        0 ||
	    (rc = q_table_setf(x->t, 2, Q_NUM, "%d", year)) != 0 ||
	    (rc = q_table_set(x->t, 3, Q_STR, name)) != 0 ||
	    (rc = q_table_set(x->t, 4, Q_STR, failed ? "failed" : "unknown")))
		return rc;
	return 0;
}

/* the rules of a record's "checks" (or of the chain rules' array) that
 * fail, or cannot be evaluated with --unknown */
static int
add_failures(struct ctx *x, const char *agency, const char *region, int year,
             const json_t *checks)
{
	const json_t *ck;
	char name[256];
	size_t i;
	int rc;

	json_array_foreach(checks, i, ck)
	{
		const json_t *ok = json_object_get(ck, "ok");

		if (json_is_true(ok) || (!json_is_false(ok) && !x->unknown))
			continue;
		if ((rc = add_row(x, agency, region, year,
		                  q_check_name(ck, name, sizeof(name)),
		                  json_is_false(ok))) != 0 ||
		    (rc = q_table_setj(x->t, 5,
		                       json_object_get(ck, "expected"))) != 0 ||
		    (rc = q_table_setj(x->t, 6,
		                       json_object_get(ck, "actual"))) != 0)
			return rc;
	}
	return 0;
}

/* the same from a summary that lists them (STORE_SUM_CHECKS) */
static int
add_summary_failures(struct ctx *x, const struct store_report *r)
{
	const struct store_summary *s = &r->summary;
	char name[256];
	int rc;

	for (size_t i = 0; i < s->nnotok; i++) {
		const struct store_sum_check *c = &s->notok[i];

		if (!c->failed && !x->unknown)
			continue;
		if ((rc = add_row(x, r->agency, r->region, r->year,
		                  q_check_name_of(c->rule, c->instance, name,
		                                  sizeof(name)),
		                  c->failed)) != 0 ||
		    (rc = q_table_setv(x->t, 5, &c->expected)) != 0 ||
		    (rc = q_table_setv(x->t, 6, &c->actual)) != 0)
			return rc;
	}
	return 0;
}

/* the latest record of (agency, year), parsed into *out; NULL if there is
 * none or it is no JSON object (logged) */
static int
record_of(struct ctx *x, const char *agency, int year, json_t **out)
{
	struct store_report r;
	int rc = store_report_get(x->txn, agency, year, STORE_JSON, &r);

	*out = NULL;
	if (rc == NB_ENOTFOUND)
		return 0;
	if (rc == 0)
		*out = q_record_parse(&r);
	return rc;
}

/* The cross-year rules between two records (indexer_chain_check). */
static int
add_chain(struct ctx *x, const char *agency, const char *region, int year,
          const json_t *prev, const json_t *cur)
{
	json_t *checks = NULL;
	int rc = indexer_chain_check(prev, cur, &checks);

	if (rc == 0)
		rc = add_failures(x, agency, region, year, checks);
	else if (rc == NB_EINVAL)
		rc = 0; /* records that do not chain (e.g. no year) */
	json_decref(checks);
	return rc;
}

static int
slot(int row, int cell)
{
	if (row <= STORE_ROW_NORMATIVE_DOCS)
		return cell <= STORE_CELL_IN_FORCE ? row * 3 + cell : -1;
	return cell >= STORE_CELL_PREV_ITEMS
	           ? 6 + (row - STORE_ROW_LICENSING) * 2 + cell -
	                 STORE_CELL_PREV_ITEMS
	           : -1;
}

static void
links_of(const struct store_summary *s, struct links *l)
{
	const char *t = s->template;

	memset(l, 0, sizeof(*l));
	l->tpl = t == NULL                ? 0
	         : strcmp(t, "2021") == 0 ? 2021
	         : strcmp(t, "2019") == 0 ? 2019
	                                  : 0;
	l->flags = s->flags;
	l->rows = s->row_mask;
	for (int r = 0; r < STORE_ROW_COUNT; r++)
		for (int c = 0; c < STORE_CELL_COUNT; c++) {
			int k = slot(r, c);

			if (k >= 0 &&
			    (s->cell_mask >> (r * STORE_CELL_COUNT + c) & 1)) {
				l->have |= 1u << k;
				l->v[k] = s->cell[r][c];
			}
		}
}

static int
has(const struct links *l, int row, int cell)
{
	int k = slot(row, cell);

	return k >= 0 && (l->have >> k & 1);
}

static int64_t
val(const struct links *l, int row, int cell)
{
	int k = slot(row, cell);

	return k >= 0 ? l->v[k] : 0;
}

/*
 * The chain rules of indexer_chain_check on two summaries: the rows
 * present in both years, for the template both share; a side is known
 * when all its inputs are integers, and the rule holds when both sides
 * are known and equal.  Those that fail, or cannot be evaluated with
 * --unknown, become lines.
 */
static int
add_chain_rows(struct ctx *x, const struct store_report *r,
               const struct links *p, const struct links *c)
{
	static const int rows2021[] = {STORE_ROW_RULES,
	                               STORE_ROW_NORMATIVE_DOCS};
	static const int rows2019[] = {
	    STORE_ROW_LICENSING, STORE_ROW_OTHER_SERVICES, STORE_ROW_PUNISHMENT,
	    STORE_ROW_COMPULSION, STORE_ROW_FEES};
	static const char *const names[STORE_ROW_COUNT] = {
	    "rules",      "normative_docs", "licensing", "other_services",
	    "punishment", "compulsion",     "fees"};
	int t2021 = c->tpl == 2021;
	const int *rows = t2021 ? rows2021 : rows2019;
	int n = t2021 ? (int)NB_NELEM(rows2021) : (int)NB_NELEM(rows2019);
	char name[64];
	int rc;

	if (c->tpl == 0 || p->tpl != c->tpl)
		return 0;
	for (int i = 0; i < n; i++) {
		int row = rows[i], known, got;
		int64_t expected, actual;

		if (!(p->rows & c->rows & 1u << row))
			continue;
		if (t2021) {
			known = has(p, row, STORE_CELL_IN_FORCE) &&
			        has(c, row, STORE_CELL_MADE) &&
			        has(c, row, STORE_CELL_REPEALED);
			expected = val(p, row, STORE_CELL_IN_FORCE) +
			           val(c, row, STORE_CELL_MADE) -
			           val(c, row, STORE_CELL_REPEALED);
			got = has(c, row, STORE_CELL_IN_FORCE);
			actual = val(c, row, STORE_CELL_IN_FORCE);
		} else {
			known = has(p, row, STORE_CELL_PREV_ITEMS) &&
			        has(p, row, STORE_CELL_CHANGE);
			expected = val(p, row, STORE_CELL_PREV_ITEMS) +
			           val(p, row, STORE_CELL_CHANGE);
			got = has(c, row, STORE_CELL_PREV_ITEMS);
			actual = val(c, row, STORE_CELL_PREV_ITEMS);
		}
		if (known && got ? expected == actual : !x->unknown)
			continue;
		snprintf(name, sizeof(name), "%s[%s]",
		         t2021 ? "active.in_force_chain" : "active.items_chain",
		         names[row]);
		if ((rc = add_row(x, r->agency, r->region, r->year, name,
		                  known && got)) != 0 ||
		    (rc = known ? q_table_setf(x->t, 5, Q_NUM, "%lld",
		                               (long long)expected)
		                : q_table_set(x->t, 5, Q_NULL, NULL)) != 0 ||
		    (rc = got ? q_table_setf(x->t, 6, Q_NUM, "%lld",
		                             (long long)actual)
		              : q_table_set(x->t, 6, Q_NULL, NULL)) != 0)
			return rc;
	}
	return 0;
}

/*
 * The summary of (agency, year - 1) from what the scan has seen: the year
 * before's reports (a scan of a year), or the report visited just before
 * (a scan by agency then year, which visits an agency's years in turn).
 * Returns 1 if found, 0 if there is none, -1 if it must be looked up.
 */
static int
prev_seen(struct ctx *x, const struct store_report *r, struct links *out)
{
	if (x->year_scan) {
		while (x->iprev < x->nprev) {
			const struct prev *p = &x->prev[x->iprev];
			int c = strcmp(p->region, r->region);

			if (c == 0)
				c = strcmp(p->agency, r->agency);
			if (c > 0)
				break;
			x->iprev++;
			if (c == 0) {
				*out = p->l;
				return 1;
			}
		}
		/* not in the same region: an agency with no report the
		   year before, or one whose reports are in two regions; a
		   year with no report at all has neither */
		return x->whole && x->nprev == 0 ? 0 : -1;
	}
	if (x->by_agency) {
		if (x->last_agency == NULL ||
		    strcmp(x->last_agency, r->agency) != 0 ||
		    x->last_year != r->year - 1)
			return 0;
		*out = x->last;
		return 1;
	}
	return -1;
}

/*
 * The cross-year rules of (agency, Y) against the latest record for Y-1,
 * from the two summaries when both records name the agency and year of
 * their key, else from the records by indexer_chain_check.
 */
static int
add_chain_failures(struct ctx *x, const struct store_report *r,
                   const struct links *cur)
{
	unsigned both = STORE_SUM_AGENCY | STORE_SUM_YEAR;
	struct store_report prev;
	json_t *p = NULL, *c = NULL;
	struct links pl;
	int rc = prev_seen(x, r, &pl);

	if (rc == 0)
		return 0;
	if (rc < 0) {
		rc = q_report_get(x->txn, r->agency, r->year - 1, STORE_SUMMARY,
		                  &prev);
		if (rc == NB_ENOTFOUND)
			return 0;
		if (rc != 0)
			return rc;
		if (!q_summary_usable(&prev))
			return 0;
		links_of(&prev.summary, &pl);
	}
	if (!(pl.flags & STORE_SUM_RECORD))
		return 0;
	rc = 0;
	if ((pl.flags & both) == both && (cur->flags & both) == both)
		return add_chain_rows(x, r, &pl, cur);
	if ((rc = record_of(x, r->agency, r->year - 1, &p)) == 0)
		rc = record_of(x, r->agency, r->year, &c);
	if (rc == 0 && p != NULL && c != NULL)
		rc = add_chain(x, r->agency, r->region, r->year, p, c);
	json_decref(p);
	json_decref(c);
	return rc;
}

static int
prev_add(struct prev **v, size_t *n, size_t *cap, const struct store_report *r,
         const struct links *l)
{
	struct prev *p;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 1024;

		if ((p = realloc(*v, c * sizeof(*p))) == NULL)
			return NB_ENOMEM;
		*v = p;
		*cap = c;
	}
	p = &(*v)[(*n)++];
	p->agency = r->agency;
	p->region = r->region;
	p->l = *l;
	return 0;
}

/* A scan of the year before: collect what the chain rules read. */
static int
on_prev(const struct store_report *r, void *arg)
{
	struct ctx *x = arg;
	struct links l;

	links_of(&r->summary, &l);
	return prev_add(&x->prev, &x->nprev, &x->cprev, r, &l);
}

static int
on_summary(const struct store_report *r, void *arg)
{
	struct ctx *x = arg;
	const struct store_summary *s = &r->summary;
	struct links cur;
	json_t *rec;
	int rc = 0;

	links_of(s, &cur);
	if (!q_summary_usable(r))
		goto done;
	if (s->flags & STORE_SUM_CHECKS)
		rc = add_summary_failures(x, r);
	else if ((rc = record_of(x, r->agency, r->year, &rec)) == 0) {
		rc = add_failures(x, r->agency, r->region, r->year,
		                  json_object_get(rec, "checks"));
		json_decref(rec);
	}
	/* the summary does not outlive the next lookup: cur has its part */
	if (rc == 0)
		rc = add_chain_failures(x, r, &cur);
done:
	/* r's agency points into the map, which stays */
	x->last_agency = r->agency;
	x->last_year = r->year;
	x->last = cur;
	if (rc == 0 && x->keep)
		rc = prev_add(&x->next, &x->nnext, &x->cnext, r, &cur);
	return rc;
}

/*
 * Every report: the years in turn (a range scan each, the year before
 * kept from the scan before it), then the lines by agency: the order of a
 * scan by agency then year, which would look up each summary.
 */
static int
check_all(struct ctx *x)
{
	int rc = 0;

	x->year_scan = x->keep = x->whole = 1;
	for (int y = 1900; y <= 2999 && rc == 0; y++) {
		struct prev *p = x->prev;
		size_t cap = x->cprev;

		x->iprev = 0;
		rc = store_report_iter(
		    x->txn, &(struct store_report_filter){NULL, NULL, y},
		    STORE_SUMMARY, on_summary, x);
		/* this year's reports are the next year's year before */
		x->prev = x->next;
		x->cprev = x->cnext;
		x->nprev = x->nnext;
		x->next = p;
		x->cnext = cap;
		x->nnext = 0;
	}
	return rc == 0 ? q_table_sort(x->t, 0) : rc;
}

/* Without summaries: every record and the one of the year before. */
static int
on_record(const struct store_report *r, void *arg)
{
	struct ctx *x = arg;
	json_t *rec = q_record_parse(r), *prev;
	char *agency = NULL, *region = NULL;
	int rc;

	if (rec == NULL)
		return 0;
	rc = add_failures(x, r->agency, r->region, r->year,
	                  json_object_get(rec, "checks"));
	if (rc == 0) {
		/* the lookup reuses the transaction's JSON buffer */
		agency = strdup(r->agency);
		region = strdup(r->region);
		if (agency == NULL || region == NULL)
			rc = NB_ENOMEM;
		else if ((rc = record_of(x, agency, r->year - 1, &prev)) == 0 &&
		         prev != NULL) {
			rc = add_chain(x, agency, region, r->year, prev, rec);
			json_decref(prev);
		}
	}
	free(agency);
	free(region);
	json_decref(rec);
	return rc;
}

int
cmd_check(int argc, char *argv[])
{
	static const struct option opts[] = {
	    Q_LONGOPTS,
	    {"agency", required_argument, NULL, 'a'},
	    {"year", required_argument, NULL, 'y'},
	    {"region", required_argument, NULL, 'r'},
	    {"unknown", no_argument, NULL, 'u'},
	    {NULL, 0, NULL, 0},
	};
	static const char *const cols[] = {
	    "agency", "region",    ">year",   "rule",
	    "result", ">expected", ">actual",
	};
	struct store_report_filter f = {0};
	struct store_txn *txn = NULL;
	const char *agency = NULL;
	char *name = NULL;
	struct ctx x = {0};
	int c, rc = 0, status = Q_ERR;
	struct q q;

	q_init(&q, "check");
	optind = 1;
	while ((c = q_getopt(&q, argc, argv, Q_SHORTOPTS "a:y:r:u", opts)) !=
	       -1)
		switch (c) {
		case 'a':
			agency = optarg;
			break;
		case 'y':
			if (q_parse_year("--year", optarg, &f.year) != 0)
				return Q_ERR;
			break;
		case 'r':
			f.region = optarg;
			break;
		case 'u':
			x.unknown = 1;
			break;
		default:
			usage(stderr);
			return Q_ERR;
		}
	if (q.help) {
		usage(stdout);
		return Q_OK;
	}
	if (optind != argc) {
		usage(stderr);
		return Q_ERR;
	}
	if (q_open(&q) != 0 ||
	    (x.t = q_table_new(cols, NB_NELEM(cols))) == NULL ||
	    store_read_begin(q.st, &txn) != 0 ||
	    q_region_check(&q, txn, f.region) != 0)
		goto done;
	if (agency != NULL) {
		if ((rc = q_agency_resolve(&q, txn, agency, &name)) != 0) {
			status = rc == NB_ENOTFOUND ? Q_NO : Q_ERR;
			goto done;
		}
		f.agency = name;
	}
	x.txn = txn;
	if (q_from_records())
		rc = store_report_iter(txn, &f, STORE_JSON, on_record, &x);
	else if (!f.agency && !f.region && !f.year)
		rc = check_all(&x);
	else {
		/* the year before, in the same order as the year's reports */
		if (f.year && !f.agency && f.year > 1900)
			rc = store_report_iter(txn,
			                       &(struct store_report_filter){
			                           NULL, f.region, f.year - 1},
			                       STORE_SUMMARY, on_prev, &x);
		x.year_scan = f.year && !f.agency;
		x.whole = x.year_scan && !f.region;
		x.by_agency = f.agency && !f.year;
		if (rc == 0)
			rc = store_report_iter(txn, &f, STORE_SUMMARY,
			                       on_summary, &x);
	}
	if (rc != 0) {
		log_warnx("check: %s", nb_strerror(rc));
		goto done;
	}
	store_read_end(txn);
	txn = NULL;
	if (q_table_print(x.t, q.fmt, stdout) != 0)
		goto done;
	status = q_flush(stdout, q_table_rows(x.t) ? Q_NO : Q_OK);
done:
	store_read_end(txn);
	free(x.prev);
	free(x.next);
	free(name);
	q_table_free(x.t);
	q_close(&q);
	return status;
}
