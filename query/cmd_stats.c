/*
 * cmd_stats.c - `nianbao stats': totals and distributions across agencies,
 * one column per year so that years compare side by side.
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
	        "usage: nianbao stats [--year Y|Y1-Y2] [--region R] "
	        "[options]\n"
	        "\n"
	        "Per year (the year reported on), over the latest version of "
	        "every report:\n"
	        "  reports, agencies_missing    reports archived, agencies "
	        "with none\n"
	        "  on_time, late, undated       against the deadline\n"
	        "  template_2021, template_2019, template_unknown\n"
	        "  unparsed                     reports archived whose "
	        "document could not be\n"
	        "                               read (a scan, images only): "
	        "counted as reports\n"
	        "                               and by date, in none of the "
	        "numbers below\n"
	        "  checks_failed                reports with a failed rule\n"
	        "  requests_new                 applications received "
	        "(sum of requests.new.total)\n"
	        "  requests_new_median, _p90, _max   their distribution "
	        "across agencies\n"
	        "  granted, partially_granted   results (sums of the total "
	        "column)\n"
	        "  granted_pct                  (granted + partially) / "
	        "results.total, %%\n"
	        "  licensing, punishment, compulsion   decisions (sums of "
	        "active.*.decisions)\n"
	        "  review, litigation           appeals: sums of review.total "
	        "and of both\n"
	        "                               litigation totals\n"
	        "Blank cells count as nothing; both templates contribute "
	        "the same fields.\n"
	        "The table has a row per measure and a column per year; "
	        "--json and --csv\n"
	        "give one object or line per year.\n"
	        "\n"
	        "  -y, --year Y        one year or a range Y1-Y2 (default: "
	        "every year present)\n"
	        "  -r, --region R      one region\n");
	q_usage_common(fp, 1);
	fprintf(fp, "\nExit status: 0 shown, 1 no report matched, 2 usage or "
	            "archive error.\n");
}

enum {
	M_REPORTS,
	M_MISSING,
	M_ONTIME,
	M_LATE,
	M_UNDATED,
	M_T2021,
	M_T2019,
	M_TUNKNOWN,
	M_UNPARSED,
	M_FAILED,
	M_NEW,
	M_NEW_MEDIAN,
	M_NEW_P90,
	M_NEW_MAX,
	M_GRANTED,
	M_PARTIAL,
	M_GRANTED_PCT,
	M_LICENSING,
	M_PUNISHMENT,
	M_COMPULSION,
	M_REVIEW,
	M_LITIGATION,
	M_COUNT
};

static const char *const mnames[M_COUNT] = {
    "reports",          "agencies_missing",
    "on_time",          "late",
    "undated",          "template_2021",
    "template_2019",    "template_unknown",
    "unparsed",         "checks_failed",
    "requests_new",     "requests_new_median",
    "requests_new_p90", "requests_new_max",
    "granted",          "partially_granted",
    "granted_pct",      "licensing",
    "punishment",       "compulsion",
    "review",           "litigation",
};

struct year {
	int year;
	double m[M_COUNT];
	double results_total;
	double *news; /* requests.new.total per report that has it */
	size_t nnews, capnews;
};

struct ctx {
	struct q *q;
	struct store_txn *txn;
	struct q_roster ro; /* the agencies: kinds, and who has no report */
	struct year *y;
	size_t ny;
	int from, to;
};

static struct year *
year_of(struct ctx *x, int year)
{
	for (size_t i = 0; i < x->ny; i++)
		if (x->y[i].year == year)
			return &x->y[i];
	return NULL;
}

/* a number of the summary; absent ones count as nothing */
static double
num(const struct store_summary *s, enum store_sum_num n)
{
	return s->num_mask & 1u << n ? s->num[n] : 0;
}

static int
on_report(const struct store_report *r, void *arg)
{
	struct ctx *x = arg;
	struct year *y = year_of(x, r->year);
	const struct store_summary *s = &r->summary;
	const char *tpl = s->template;
	enum q_kind k = q_roster_kind(x->q, x->txn, &x->ro, r);
	char dl[11];

	if (y == NULL || !q_summary_usable(r))
		return 0;
	y->m[M_REPORTS]++;
	q_deadline(k, r->year, dl);
	switch (q_state_of(x->q, 1, s->published, dl)) {
	case Q_LATE:
		y->m[M_LATE]++;
		break;
	case Q_ON_TIME:
		y->m[M_ONTIME]++;
		break;
	default:
		y->m[M_UNDATED]++;
	}
	y->m[tpl && strcmp(tpl, "2021") == 0   ? M_T2021
	     : tpl && strcmp(tpl, "2019") == 0 ? M_T2019
	                                       : M_TUNKNOWN]++;
	y->m[M_UNPARSED] += (s->flags & STORE_SUM_UNPARSED) != 0;
	y->m[M_FAILED] += s->nfailed > 0;
	if (s->num_mask & 1u << STORE_NUM_REQ_NEW) {
		if (y->nnews == y->capnews) {
			size_t cap = y->capnews ? y->capnews * 2 : 256;
			double *p = realloc(y->news, cap * sizeof(*p));

			if (p == NULL)
				return NB_ENOMEM;
			y->news = p;
			y->capnews = cap;
		}
		y->news[y->nnews++] = s->num[STORE_NUM_REQ_NEW];
		y->m[M_NEW] += s->num[STORE_NUM_REQ_NEW];
	}
	y->m[M_GRANTED] += num(s, STORE_NUM_REQ_GRANTED);
	y->m[M_PARTIAL] += num(s, STORE_NUM_REQ_PARTIAL);
	y->results_total += num(s, STORE_NUM_REQ_RESULTS);
	y->m[M_LICENSING] += num(s, STORE_NUM_LICENSING);
	y->m[M_PUNISHMENT] += num(s, STORE_NUM_PUNISHMENT);
	y->m[M_COMPULSION] += num(s, STORE_NUM_COMPULSION);
	y->m[M_REVIEW] += num(s, STORE_NUM_REVIEW);
	y->m[M_LITIGATION] +=
	    num(s, STORE_NUM_LIT_DIRECT) + num(s, STORE_NUM_LIT_AFTER);
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* nearest-rank percentile of a sorted array */
static double
pct(const double *v, size_t n, int p)
{
	size_t k = (n * p + 99) / 100;

	return n ? v[k ? k - 1 : 0] : 0;
}

static int
print(struct ctx *x, enum q_fmt fmt)
{
	const char **cols = calloc(x->ny + 1, sizeof(char *));
	char(*names)[8] = calloc(x->ny, sizeof(*names));
	struct q_table *t = NULL;
	int rc = NB_ENOMEM;

	if (cols == NULL || names == NULL)
		goto fail;
	if (fmt != Q_FMT_TABLE) {
		static const char *const ycols[M_COUNT + 1] = {
		    "year",
		    "reports",
		    "agencies_missing",
		    "on_time",
		    "late",
		    "undated",
		    "template_2021",
		    "template_2019",
		    "template_unknown",
		    "unparsed",
		    "checks_failed",
		    "requests_new",
		    "requests_new_median",
		    "requests_new_p90",
		    "requests_new_max",
		    "granted",
		    "partially_granted",
		    "granted_pct",
		    "licensing",
		    "punishment",
		    "compulsion",
		    "review",
		    "litigation",
		};

		if ((t = q_table_new(ycols, M_COUNT + 1)) == NULL)
			goto fail;
		for (size_t i = 0; i < x->ny; i++) {
			if ((rc = q_table_row(t)) != 0 ||
			    (rc = q_table_setf(t, 0, Q_NUM, "%d",
			                       x->y[i].year)) != 0)
				goto fail;
			for (int m = 0; m < M_COUNT; m++)
				if ((rc = q_table_setf(t, m + 1, Q_NUM, "%.15g",
				                       x->y[i].m[m])) != 0)
					goto fail;
		}
	} else {
		cols[0] = "measure";
		for (size_t i = 0; i < x->ny; i++) {
			snprintf(names[i], sizeof(names[i]), ">%d",
			         x->y[i].year);
			cols[i + 1] = names[i];
		}
		if ((t = q_table_new(cols, x->ny + 1)) == NULL)
			goto fail;
		for (int m = 0; m < M_COUNT; m++) {
			if ((rc = q_table_row(t)) != 0 ||
			    (rc = q_table_set(t, 0, Q_STR, mnames[m])) != 0)
				goto fail;
			for (size_t i = 0; i < x->ny; i++)
				if ((rc = q_table_setf(
				         t, i + 1, Q_NUM,
				         m == M_GRANTED_PCT ? "%.1f" : "%.15g",
				         x->y[i].m[m])) != 0)
					goto fail;
		}
	}
	rc = q_table_print(t, fmt, stdout);
fail:
	q_table_free(t);
	free(cols);
	free(names);
	return rc;
}

int
cmd_stats(int argc, char *argv[])
{
	static const struct option opts[] = {
	    Q_LONGOPTS,
	    {"year", required_argument, NULL, 'y'},
	    {"region", required_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0},
	};
	struct store_txn *txn = NULL;
	const char *region = NULL, *years = NULL;
	struct ctx x = {0};
	double reports = 0;
	int c, rc = 0, status = Q_ERR;
	struct q q;

	q_init(&q, "stats");
	optind = 1;
	while ((c = q_getopt(&q, argc, argv, Q_SHORTOPTS "y:r:", opts)) != -1)
		switch (c) {
		case 'y':
			years = optarg;
			break;
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
	if (years != NULL) {
		char *end;

		x.from = (int)strtol(years, &end, 10);
		x.to = *end == '-' ? (int)strtol(end + 1, &end, 10) : x.from;
		if (*end || x.from < 1900 || x.to > 2999 || x.to < x.from) {
			log_warnx("stats: --year %s: not a year or a range",
			          years);
			return Q_ERR;
		}
	}
	x.q = &q;
	if (q_open(&q) != 0 || store_read_begin(q.st, &txn) != 0)
		goto done;
	x.txn = txn;
	if ((rc = q_roster_load(&q, txn, region, &x.ro)) != 0)
		goto fail;
	for (size_t i = 0; years == NULL && i < x.ro.n; i++) {
		const struct q_roster_entry *e = &x.ro.a[i];

		if (e->first_year && (x.from == 0 || e->first_year < x.from))
			x.from = e->first_year;
		if (e->last_year > x.to)
			x.to = e->last_year;
	}
	if (x.from && (x.y = calloc(x.to - x.from + 1, sizeof(*x.y))) == NULL)
		goto done;
	for (int yr = x.from; x.from && yr <= x.to; yr++) {
		struct year *y = &x.y[x.ny++];

		y->year = yr;
		q_roster_start(&x.ro, yr);
		if ((rc = q_report_iter(
		         txn, &(struct store_report_filter){NULL, region, yr},
		         STORE_SUMMARY, on_report, &x)) != 0)
			goto fail;
		/* as store_missing counts: agencies with no report here */
		y->m[M_MISSING] = (double)(x.ro.n - x.ro.seen);
		qsort(y->news, y->nnews, sizeof(double), cmp_double);
		y->m[M_NEW_MEDIAN] = pct(y->news, y->nnews, 50);
		y->m[M_NEW_P90] = pct(y->news, y->nnews, 90);
		y->m[M_NEW_MAX] = y->nnews ? y->news[y->nnews - 1] : 0;
		y->m[M_GRANTED_PCT] =
		    y->results_total > 0
		        ? 100 * (y->m[M_GRANTED] + y->m[M_PARTIAL]) /
		              y->results_total
		        : 0;
		reports += y->m[M_REPORTS];
	}
	store_read_end(txn);
	txn = NULL;
	if (print(&x, q.fmt) != 0)
		goto done;
	status = q_flush(stdout, reports > 0 ? Q_OK : Q_NO);
	goto done;
fail:
	log_warnx("stats: %s", nb_strerror(rc));
done:
	store_read_end(txn);
	for (size_t i = 0; i < x.ny; i++)
		free(x.y[i].news);
	free(x.y);
	q_roster_free(&x.ro);
	q_close(&q);
	return status;
}
