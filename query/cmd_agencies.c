/*
 * cmd_agencies.c - `nianbao agencies': the agencies the archive knows.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "query.h"

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: nianbao agencies [--region R] [options]\n"
	            "\n"
	            "The agencies known to the archive, by region then name: "
	            "region, site,\n"
	            "kind (government: report due 31 March; department: 31 "
	            "January), the\n"
	            "first and last year reported and every year present.\n"
	            "\n"
	            "  -r, --region R      only the agencies of region R (e.g. "
	            "樟树市)\n");
	q_usage_common(fp, 0);
	fprintf(fp, "\nExit status: 0 agencies listed, 1 none known (in R), "
	            "2 usage or archive error.\n");
}

struct ctx {
	struct q *q;
	struct store_txn *txn;
	struct q_table *t;
	int years[1100]; /* ascending, as the scan gives them */
	int n;
};

/* years as "2019-2021, 2023" */
static void
years_text(const int *y, int n, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0, j; i < n && len < cap; i = j) {
		for (j = i + 1; j < n && y[j] == y[j - 1] + 1; j++)
			;
		len +=
		    snprintf(buf + len, cap - len, "%s%d", i ? ", " : "", y[i]);
		if (j - 1 > i && len < cap)
			len += snprintf(buf + len, cap - len, "-%d", y[j - 1]);
	}
}

static int
on_report(const struct store_report *r, void *arg)
{
	struct ctx *x = arg;

	if (x->n < (int)NB_NELEM(x->years))
		x->years[x->n++] = r->year;
	return 0;
}

static int
on_agency(const struct store_agency *a, void *arg)
{
	struct ctx *x = arg;
	struct q_table *t = x->t;
	char years[8192];
	int rc;

	x->n = 0;
	if ((rc = store_report_iter(
	         x->txn, &(struct store_report_filter){a->name, NULL, 0}, 0,
	         on_report, x)) != 0)
		return rc;
	years_text(x->years, x->n, years, sizeof(years));
	if ((rc = q_table_row(t)) != 0 ||
	    (rc = q_table_set(t, 0, Q_STR, a->name)) != 0 ||
	    (rc = q_table_set(t, 1, a->region[0] ? Q_STR : Q_NULL,
	                      a->region)) != 0 ||
	    (rc = q_table_set(t, 2, a->site[0] ? Q_STR : Q_NULL, a->site)) !=
	        0 ||
	    (rc = q_table_set(t, 3, Q_STR,
	                      q_kind_name(q_kind(x->q, a->name, a)))) != 0)
		return rc;
	if (a->first_year &&
	    ((rc = q_table_setf(t, 4, Q_NUM, "%d", a->first_year)) != 0 ||
	     (rc = q_table_setf(t, 5, Q_NUM, "%d", a->last_year)) != 0))
		return rc;
	return q_table_set(t, 6, years[0] ? Q_STR : Q_NULL, years);
}

int
cmd_agencies(int argc, char *argv[])
{
	static const struct option opts[] = {
	    Q_LONGOPTS,
	    {"region", required_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0},
	};
	static const char *const cols[] = {
	    "agency",      "region",     "site",  "kind",
	    ">first_year", ">last_year", "years",
	};
	struct ctx x = {0};
	const char *region = NULL;
	struct q q;
	int c, rc, status = Q_ERR;

	q_init(&q, "agencies");
	optind = 1;
	while ((c = q_getopt(&q, argc, argv, Q_SHORTOPTS "r:", opts)) != -1)
		switch (c) {
		case 'r':
			region = optarg;
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
	rc = store_agency_iter(x.txn, region, on_agency, &x);
	store_read_end(x.txn);
	if (rc != 0) {
		log_warnx("agencies: %s", nb_strerror(rc));
		goto done;
	}
	if (q_table_print(x.t, q.fmt, stdout) != 0)
		goto done;
	status = q_flush(stdout, q_table_rows(x.t) ? Q_OK : Q_NO);
done:
	q_table_free(x.t);
	q_close(&q);
	return status;
}
