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
    "reports",
    "agencies_missing",
    "on_time",
    "late",
    "undated",
    "template_2021",
    "template_2019",
    "template_unknown",
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
	struct year *y;
	size_t ny;
	int from, to;
};

static double
num(const json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : 0;
}

static double
req_total(const json_t *req, const char *group, const char *row)
{
	const json_t *g = group ? json_object_get(req, group) : req;

	return num(json_array_get(json_object_get(g, row), 6));
}

static struct year *
year_of(struct ctx *x, int year)
{
	for (size_t i = 0; i < x->ny; i++)
		if (x->y[i].year == year)
			return &x->y[i];
	return NULL;
}

static int
on_report(const struct store_report *r, void *arg)
{
	struct ctx *x = arg;
	struct year *y = year_of(x, r->year);
	const json_t *req, *act, *ap, *newrow, *tv;
	struct store_agency a;
	struct q_checks ck;
	const char *tpl;
	char dl[11];
	json_t *rec;

	if (y == NULL || (rec = q_record_parse(r)) == NULL)
		return 0;
	y->m[M_REPORTS]++;
	q_deadline(q_kind(x->q, r->agency,
	                  store_agency_get(x->txn, r->agency, &a) ? NULL : &a),
	           r->year, dl);
	switch (q_state_of(x->q, 1, q_record_published(rec), dl)) {
	case Q_LATE:
		y->m[M_LATE]++;
		break;
	case Q_ON_TIME:
		y->m[M_ONTIME]++;
		break;
	default:
		y->m[M_UNDATED]++;
	}
	tpl = json_string_value(json_object_get(rec, "template"));
	y->m[tpl && strcmp(tpl, "2021") == 0   ? M_T2021
	     : tpl && strcmp(tpl, "2019") == 0 ? M_T2019
	                                       : M_TUNKNOWN]++;
	q_record_checks(rec, &ck);
	y->m[M_FAILED] += ck.failed > 0;
	req = json_object_get(rec, "requests");
	newrow = json_object_get(req, "new");
	tv = json_array_get(newrow, 6);
	if (json_is_number(tv)) {
		if (y->nnews == y->capnews) {
			size_t cap = y->capnews ? y->capnews * 2 : 256;
			double *p = realloc(y->news, cap * sizeof(*p));

			if (p == NULL) {
				json_decref(rec);
				return NB_ENOMEM;
			}
			y->news = p;
			y->capnews = cap;
		}
		y->news[y->nnews++] = json_number_value(tv);
		y->m[M_NEW] += json_number_value(tv);
	}
	y->m[M_GRANTED] +=
	    req_total(json_object_get(req, "results"), NULL, "granted");
	y->m[M_PARTIAL] += req_total(json_object_get(req, "results"), NULL,
	                             "partially_granted");
	y->results_total +=
	    req_total(json_object_get(req, "results"), NULL, "total");
	act = json_object_get(rec, "active");
	y->m[M_LICENSING] += num(
	    json_object_get(json_object_get(act, "licensing"), "decisions"));
	y->m[M_PUNISHMENT] += num(
	    json_object_get(json_object_get(act, "punishment"), "decisions"));
	y->m[M_COMPULSION] += num(
	    json_object_get(json_object_get(act, "compulsion"), "decisions"));
	ap = json_object_get(rec, "appeals");
	y->m[M_REVIEW] +=
	    num(json_object_get(json_object_get(ap, "review"), "total"));
	y->m[M_LITIGATION] +=
	    num(json_object_get(json_object_get(ap, "litigation_direct"),
	                        "total")) +
	    num(json_object_get(json_object_get(ap, "litigation_after_review"),
	                        "total"));
	json_decref(rec);
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
count_missing(const struct store_agency *a, void *arg)
{
	(void)a;
	(*(double *)arg)++;
	return 0;
}

static int
on_agency_years(const struct store_agency *a, void *arg)
{
	struct ctx *x = arg;

	if (a->first_year && (x->from == 0 || a->first_year < x->from))
		x->from = a->first_year;
	if (a->last_year > x->to)
		x->to = a->last_year;
	return 0;
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
	if (years == NULL &&
	    (rc = store_agency_iter(txn, region, on_agency_years, &x)) != 0)
		goto fail;
	if (x.from && (x.y = calloc(x.to - x.from + 1, sizeof(*x.y))) == NULL)
		goto done;
	for (int yr = x.from; x.from && yr <= x.to; yr++) {
		struct year *y = &x.y[x.ny++];

		y->year = yr;
		if ((rc = store_missing(txn, yr, region, count_missing,
		                        &y->m[M_MISSING])) != 0 ||
		    (rc = store_report_iter(
		         txn, &(struct store_report_filter){NULL, region, yr},
		         STORE_JSON, on_report, &x)) != 0)
			goto fail;
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
	q_close(&q);
	return status;
}
