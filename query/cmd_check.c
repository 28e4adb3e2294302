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

struct ctx {
	struct q_table *t;
	struct store_txn *txn;
	int unknown;
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

/* What the chain rules read of a summary. */
struct links {
	char template[8]; /* "2019", "2021" or "" for any other */
	unsigned row_mask;
	uint64_t cell_mask;
	int64_t cell[STORE_ROW_COUNT][STORE_CELL_COUNT];
};

static void
links_of(const struct store_summary *s, struct links *l)
{
	const char *t = s->template;

	snprintf(l->template, sizeof(l->template), "%s",
	         t && (strcmp(t, "2019") == 0 || strcmp(t, "2021") == 0) ? t
	                                                                 : "");
	l->row_mask = s->row_mask;
	l->cell_mask = s->cell_mask;
	memcpy(l->cell, s->cell, sizeof(l->cell));
}

static int
has(const struct links *l, int row, int cell)
{
	return (l->cell_mask >> (row * STORE_CELL_COUNT + cell)) & 1;
}

/*
 * Whether indexer_chain_check of the two would give a rule that fails
 * (or, with --unknown, cannot be evaluated): most reports chain, and
 * for them nothing more is read.
 */
static int
chain_suspect(const struct ctx *x, const struct links *p, const struct links *c)
{
	static const int rows2021[] = {STORE_ROW_RULES,
	                               STORE_ROW_NORMATIVE_DOCS};
	static const int rows2019[] = {
	    STORE_ROW_LICENSING, STORE_ROW_OTHER_SERVICES, STORE_ROW_PUNISHMENT,
	    STORE_ROW_COMPULSION, STORE_ROW_FEES};
	int t2021 = strcmp(c->template, "2021") == 0;
	const int *rows = t2021 ? rows2021 : rows2019;
	int n = t2021 ? (int)NB_NELEM(rows2021) : (int)NB_NELEM(rows2019);

	if (c->template[0] == '\0' || strcmp(p->template, c->template) != 0)
		return 0;
	for (int i = 0; i < n; i++) {
		int r = rows[i], known, got;
		int64_t expected, actual;

		if (!(p->row_mask & c->row_mask & 1u << r))
			continue;
		if (t2021) {
			known = has(p, r, STORE_CELL_IN_FORCE) &&
			        has(c, r, STORE_CELL_MADE) &&
			        has(c, r, STORE_CELL_REPEALED);
			expected = p->cell[r][STORE_CELL_IN_FORCE] +
			           c->cell[r][STORE_CELL_MADE] -
			           c->cell[r][STORE_CELL_REPEALED];
			got = has(c, r, STORE_CELL_IN_FORCE);
			actual = c->cell[r][STORE_CELL_IN_FORCE];
		} else {
			known = has(p, r, STORE_CELL_PREV_ITEMS) &&
			        has(p, r, STORE_CELL_CHANGE);
			expected = p->cell[r][STORE_CELL_PREV_ITEMS] +
			           p->cell[r][STORE_CELL_CHANGE];
			got = has(c, r, STORE_CELL_PREV_ITEMS);
			actual = c->cell[r][STORE_CELL_PREV_ITEMS];
		}
		if (known && got ? expected != actual : x->unknown)
			return 1;
	}
	return 0;
}

/* the part of a record the chain rules read, rebuilt from its summary */
static json_t *
chain_record(const char *agency, int year, const struct links *l)
{
	static const char *const rows[STORE_ROW_COUNT] = {
	    "rules",      "normative_docs", "licensing", "other_services",
	    "punishment", "compulsion",     "fees"};
	static const char *const cells[STORE_CELL_COUNT] = {
	    "made", "repealed", "in_force", "prev_items", "change"};
	json_t *rec = json_pack("{sssi}", "agency", agency, "year", year);
	json_t *act = json_object();

	if (rec == NULL || act == NULL ||
	    json_object_set_new(rec, "active", act) != 0) {
		json_decref(rec);
		return NULL;
	}
	if (l->template[0] &&
	    json_object_set_new(rec, "template", json_string(l->template)))
		goto fail;
	for (int r = 0; r < STORE_ROW_COUNT; r++) {
		json_t *row;

		if (!(l->row_mask & 1u << r))
			continue;
		if ((row = json_object()) == NULL ||
		    json_object_set_new(act, rows[r], row) != 0)
			goto fail;
		for (int c = 0; c < STORE_CELL_COUNT; c++)
			if (has(l, r, c) &&
			    json_object_set_new(row, cells[c],
			                        json_integer(l->cell[r][c])) !=
			        0)
				goto fail;
	}
	return rec;
fail:
	json_decref(rec);
	return NULL;
}

/*
 * The cross-year rules of (agency, Y) against the latest record for Y-1,
 * from the two summaries when both records name the agency and year of
 * their key, else from the records.
 */
static int
add_chain_failures(struct ctx *x, const char *agency, const char *region,
                   int year, unsigned flags, const struct links *cur)
{
	unsigned both = STORE_SUM_AGENCY | STORE_SUM_YEAR;
	struct store_report prev;
	json_t *p = NULL, *c = NULL;
	struct links pl;
	int rc;

	rc = q_report_get(x->txn, agency, year - 1, STORE_SUMMARY, &prev);
	if (rc == NB_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (!q_summary_usable(&prev))
		return 0;
	if ((prev.summary.flags & both) == both && (flags & both) == both) {
		links_of(&prev.summary, &pl);
		if (!chain_suspect(x, &pl, cur))
			return 0;
		p = chain_record(agency, year - 1, &pl);
		c = chain_record(agency, year, cur);
		if (p == NULL || c == NULL)
			rc = NB_ENOMEM;
	} else if ((rc = record_of(x, agency, year - 1, &p)) == 0)
		rc = record_of(x, agency, year, &c);
	if (rc == 0 && p != NULL && c != NULL)
		rc = add_chain(x, agency, region, year, p, c);
	json_decref(p);
	json_decref(c);
	return rc;
}

static int
on_summary(const struct store_report *r, void *arg)
{
	struct ctx *x = arg;
	const struct store_summary *s = &r->summary;
	unsigned flags = s->flags;
	struct links cur;
	json_t *rec;
	int rc;

	if (!q_summary_usable(r))
		return 0;
	if (flags & STORE_SUM_CHECKS)
		rc = add_summary_failures(x, r);
	else if ((rc = record_of(x, r->agency, r->year, &rec)) == 0) {
		rc = add_failures(x, r->agency, r->region, r->year,
		                  json_object_get(rec, "checks"));
		json_decref(rec);
	}
	if (rc != 0)
		return rc;
	/* r's agency and region point into the map, which stays; the
	   summary does not outlive the next lookup */
	links_of(s, &cur);
	return add_chain_failures(x, r->agency, r->region, r->year, flags,
	                          &cur);
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
	int c, rc, status = Q_ERR;
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
	if ((rc = q_from_records()
	              ? store_report_iter(txn, &f, STORE_JSON, on_record, &x)
	              : store_report_iter(txn, &f, STORE_SUMMARY, on_summary,
	                                  &x)) != 0) {
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
	free(name);
	q_table_free(x.t);
	q_close(&q);
	return status;
}
