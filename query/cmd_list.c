/*
 * cmd_list.c - `nianbao list': the reports, with publication date against
 * the deadline and the state of their checks.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "query.h"

static void
usage(FILE *fp)
{
	fprintf(fp,
	        "usage: nianbao list [--agency A] [--region R] [--year Y] "
	        "[--template T] [options]\n"
	        "\n"
	        "The archived reports (the latest version of each), by "
	        "agency then year,\n"
	        "or by region then agency with --region or --year: "
	        "template, publication\n"
	        "date, deadline, status (on-time, late, or undated when the "
	        "page gives no\n"
	        "date), the checks (\"ok\", \"N failed\", \"ok, N unknown\" "
	        "when a rule's\n"
	        "inputs are blank, \"unparsed\" for a report archived whose "
	        "document could\n"
	        "not be read: a scan, images only), the number of versions "
	        "and the URL.\n"
	        "\n"
	        "  -a, --agency A      one agency (its name or an alias)\n"
	        "  -r, --region R      one region (county-level area)\n"
	        "  -y, --year Y        reports on year Y\n"
	        "  -t, --template T    2021, 2019 or unknown\n");
	q_usage_common(fp, 1);
	fprintf(fp, "\nExit status: 0 reports listed, 1 none matched, 2 usage "
	            "or archive error.\n");
}

struct ctx {
	struct q *q;
	struct store_txn *txn;
	struct q_table *t;
	const char *template;
	struct q_roster ro; /* for scans of years (not of one agency) */
	int roster;
	/* every report: each row's agency as its rank by name in the roster,
	 * to order the rows without comparing names (see order_rows) */
	uint32_t *rank; /* of each roster entry; NULL when not ordering */
	uint32_t nranks;
	uint32_t *keys; /* of each row */
	size_t nkeys, capkeys;
	int unranked; /* rows whose agency the roster walk did not meet */
};

static int
cmp_roster_name(const void *a, const void *b, void *arg)
{
	const struct q_roster_entry *e = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return strcmp(e[x].name, e[y].name);
}

/* rank[i]: roster entry i's place in name order, equal names equal */
static int
rank_roster(struct ctx *x)
{
	size_t n = x->ro.n;
	uint32_t *idx = malloc((n + 1) * sizeof(*idx));

	if (idx == NULL ||
	    (x->rank = malloc((n + 1) * sizeof(*x->rank))) == NULL) {
		free(idx);
		return NB_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		idx[i] = (uint32_t)i;
	qsort_r(idx, n, sizeof(*idx), cmp_roster_name, x->ro.a);
	x->nranks = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 &&
		    strcmp(x->ro.a[idx[i]].name, x->ro.a[idx[i - 1]].name) != 0)
			x->nranks++;
		x->rank[idx[i]] = x->nranks;
	}
	x->nranks += n > 0;
	free(idx);
	return 0;
}

static int
key_push(struct ctx *x, uint32_t k)
{
	if (x->nkeys == x->capkeys) {
		size_t cap = x->capkeys ? x->capkeys * 2 : 1024;
		uint32_t *p = realloc(x->keys, cap * sizeof(*p));

		if (p == NULL)
			return NB_ENOMEM;
		x->keys = p;
		x->capkeys = cap;
	}
	x->keys[x->nkeys++] = k;
	return 0;
}

/* The rows by agency name, then as they came (by year): by rank when
 * every row has one (linear), else by comparing the names. */
static int
order_rows(struct ctx *x)
{
	if (x->rank != NULL && !x->unranked && x->nkeys == q_table_rows(x->t))
		return q_table_order(x->t, x->keys, x->nranks);
	return q_table_sort(x->t, 0);
}

/* a string of the archive's into a cell: by reference (in the map, valid
 * while the read transaction is), unless the summaries are being made
 * again from the records (NB_QUERY_FROM_RECORDS: then they live in a
 * buffer the next report reuses) */
static int
set_archived(struct q_table *t, int col, enum q_cell type, const char *s)
{
	return q_from_records() ? q_table_set(t, col, type, s)
	                        : q_table_setref(t, col, type, s);
}

static int
on_report(const struct store_report *r, void *arg)
{
	struct ctx *x = arg;
	struct q_table *t = x->t;
	const struct store_summary *s = &r->summary;
	struct q_checks ck;
	const char *tpl = s->template, *pub = s->published;
	char dl[11], buf[64];
	enum q_state st;
	int rc;

	if (!q_summary_usable(r))
		return 0;
	if (x->template && (tpl == NULL || strcmp(tpl, x->template) != 0))
		return 0;
	if (x->roster) {
		q_deadline(q_roster_kind(x->q, x->txn, &x->ro, r), r->year, dl);
		if (x->rank != NULL &&
		    (rc = x->ro.hit != (size_t)-1
		              ? key_push(x, x->rank[x->ro.hit])
		              : (x->unranked = 1, key_push(x, 0))) != 0)
			return rc;
	} else
		q_deadline(q_kind_of(x->q, x->txn, r->agency), r->year, dl);
	st = q_state_of(x->q, 1, pub, dl);
	q_summary_checks(s, &ck);
	/* the archive's strings by reference, constants as they are; the
	 * deadline and the checks are copied */
	if ((rc = q_table_row(t)) != 0 ||
	    (rc = set_archived(t, 0, Q_STR, r->agency)) != 0 ||
	    (rc = set_archived(t, 1, r->region[0] ? Q_STR : Q_NULL,
	                       r->region)) != 0 ||
	    (rc = q_table_setn(t, 2, r->year)) != 0 ||
	    (rc = set_archived(t, 3, tpl ? Q_STR : Q_NULL, tpl)) != 0 ||
	    (rc = set_archived(t, 4, pub ? Q_STR : Q_NULL, pub)) != 0 ||
	    (rc = q_table_set(t, 5, Q_STR, dl)) != 0 ||
	    (rc = q_table_setref(t, 6, Q_STR, q_state_name(st))) != 0 ||
	    (rc = q_table_set(t, 7, Q_STR,
	                      s->flags & STORE_SUM_UNPARSED
	                          ? "unparsed"
	                          : q_checks_text(&ck, buf, sizeof(buf)))) !=
	        0 ||
	    (rc = q_table_setn(t, 8, r->nversions)) != 0 ||
	    (rc = set_archived(t, 9, Q_STR, r->url)) != 0)
		return rc;
	return 0;
}

int
cmd_list(int argc, char *argv[])
{
	static const struct option opts[] = {
	    Q_LONGOPTS,
	    {"agency", required_argument, NULL, 'a'},
	    {"region", required_argument, NULL, 'r'},
	    {"year", required_argument, NULL, 'y'},
	    {"template", required_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	static const char *const cols[] = {
	    "agency",   "region", ">year",  "template",  "published",
	    "deadline", "status", "checks", ">versions", "url",
	};
	struct store_report_filter f = {0};
	const char *agency = NULL;
	char *name = NULL;
	struct ctx x = {0};
	struct q q;
	int c, rc, status = Q_ERR;

	q_init(&q, "list");
	optind = 1;
	while ((c = q_getopt(&q, argc, argv, Q_SHORTOPTS "a:r:y:t:", opts)) !=
	       -1)
		switch (c) {
		case 'a':
			agency = optarg;
			break;
		case 'r':
			f.region = optarg;
			break;
		case 'y':
			if (q_parse_year("--year", optarg, &f.year) != 0)
				return Q_ERR;
			break;
		case 't':
			x.template = optarg;
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
	if (q_open(&q) != 0)
		goto done;
	x.q = &q;
	if ((x.t = q_table_new(cols, NB_NELEM(cols))) == NULL ||
	    store_read_begin(q.st, &x.txn) != 0)
		goto done;
	if (agency != NULL) {
		if ((rc = q_agency_resolve(&q, x.txn, agency, &name)) != 0) {
			store_read_end(x.txn);
			status = rc == NB_ENOTFOUND ? Q_NO : Q_ERR;
			goto done;
		}
		f.agency = name;
	}
	x.roster = f.agency == NULL;
	rc = x.roster ? q_roster_load(&q, x.txn, f.region, &x.ro) : 0;
	if (rc == 0 && (f.agency || f.region || f.year))
		rc = q_report_iter(x.txn, &f, STORE_SUMMARY, on_report, &x);
	else if (rc == 0 && (rc = rank_roster(&x)) == 0) {
		/* every report: a range scan per year, then by agency, the
		   order of a scan by agency (which looks up each summary) */
		for (int y = 1900; y <= 2999 && rc == 0; y++)
			rc = q_report_iter(
			    x.txn, &(struct store_report_filter){NULL, NULL, y},
			    STORE_SUMMARY, on_report, &x);
		if (rc == 0)
			rc = order_rows(&x);
	}
	if (rc != 0) {
		store_read_end(x.txn);
		log_warnx("list: %s", nb_strerror(rc));
		goto done;
	}
	/* the cells point into the archive: printed before the read ends */
	q_table_maxwidth(x.t, 9, 80);
	rc = q_table_print(x.t, q.fmt, stdout);
	store_read_end(x.txn);
	if (rc != 0)
		goto done;
	status = q_flush(stdout, q_table_rows(x.t) ? Q_OK : Q_NO);
done:
	free(name);
	free(x.rank);
	free(x.keys);
	q_roster_free(&x.ro);
	q_table_free(x.t);
	q_close(&q);
	return status;
}
