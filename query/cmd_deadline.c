/*
 * cmd_deadline.c - `nianbao missing', `overdue' and `late': reports
 * measured against their deadlines (domain.md): 31 January of Y+1 for
 * departments and township governments, 31 March of Y+1 for the
 * county-level people's government.
 *
 * Which agencies are expected to report for Y: every agency the archive
 * knows (it has archived a report of that agency for some year, or the
 * daemon recorded it from the config).  The regulation asks every agency
 * for a report every year, and nothing in a county site says reliably
 * when an agency was created or merged away, so no agency is excused.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "query.h"

enum which { MISSING, OVERDUE, LATE };

static const char *const names[] = {"missing", "overdue", "late"};

static void
usage(FILE *fp, enum which w)
{
	fprintf(fp,
	        "usage: nianbao %s [--year Y|Y1-Y2] [--region R] "
	        "[options]\n\n",
	        names[w]);
	switch (w) {
	case MISSING:
		fprintf(fp, "Agencies with no report for the year in the "
		            "archive, whether or not the\n"
		            "deadline has passed (state \"missing\" before it, "
		            "\"overdue\" after it).\n");
		break;
	case OVERDUE:
		fprintf(fp, "Agencies with no report for the year in the "
		            "archive after the deadline\n"
		            "has passed, with the days since the deadline.\n");
		break;
	case LATE:
		fprintf(fp, "Reports published after their deadline, with the "
		            "days late.  Reports whose\n"
		            "page gives no publication date are not counted "
		            "(`list` shows them as\n"
		            "\"undated\").\n");
		break;
	}
	fprintf(fp,
	        "\n"
	        "Deadlines: 31 January of Y+1 for departments and "
	        "township/street\n"
	        "governments, 31 March of Y+1 for the county-level people's "
	        "government.\n"
	        "The kind comes from the config's [agency] kind, else the "
	        "archive, else the\n"
	        "name (…市/县/区/旗人民政府 is a county government).  "
	        "Expected to report:\n"
	        "every agency the archive knows, for every year.\n"
	        "\n"
	        "  -y, --year Y        the year reported on, or a range "
	        "Y1-Y2 (default: the\n"
	        "                      year before today's)\n"
	        "  -r, --region R      one region (county-level area)\n");
	q_usage_common(fp, 1);
	fprintf(fp,
	        "\nExit status: 0 none found (%s), 1 some found, 2 usage or "
	        "archive error\n(a region with no agency is taken for a "
	        "typing error).\n",
	        w == LATE ? "every dated report on time" : "nothing missing");
}

struct ctx {
	struct q *q;
	enum which w;
	struct store_txn *txn;
	struct q_table *t;
	int year;
};

static int
on_missing(const struct store_agency *a, void *arg)
{
	struct ctx *x = arg;
	struct q_table *t = x->t;
	enum q_kind k = q_kind(x->q, a->name, a);
	enum q_state st;
	char dl[11];
	int rc;

	q_deadline(k, x->year, dl);
	st = q_state_of(x->q, 0, NULL, dl);
	if (x->w == OVERDUE && st != Q_OVERDUE)
		return 0;
	if ((rc = q_table_row(t)) != 0 ||
	    (rc = q_table_set(t, 0, Q_STR, a->name)) != 0 ||
	    (rc = q_table_set(t, 1, a->region[0] ? Q_STR : Q_NULL,
	                      a->region)) != 0 ||
	    (rc = q_table_setf(t, 2, Q_NUM, "%d", x->year)) != 0 ||
	    (rc = q_table_set(t, 3, Q_STR, q_kind_name(k))) != 0 ||
	    (rc = q_table_set(t, 4, Q_STR, dl)) != 0 ||
	    (rc = q_table_set(t, 5, Q_STR, q_state_name(st))) != 0)
		return rc;
	if (st == Q_OVERDUE)
		rc = q_table_setf(t, 6, Q_NUM, "%d",
		                  q_days_between(dl, x->q->today));
	return rc;
}

static int
on_report(const struct store_report *r, void *arg)
{
	struct ctx *x = arg;
	struct q_table *t = x->t;
	struct store_agency a;
	const char *pub;
	enum q_kind k;
	char dl[11];
	json_t *rec;
	int rc;

	if ((rec = q_record_parse(r)) == NULL)
		return 0;
	pub = q_record_published(rec);
	k = q_kind(x->q, r->agency,
	           store_agency_get(x->txn, r->agency, &a) ? NULL : &a);
	q_deadline(k, r->year, dl);
	if (q_state_of(x->q, 1, pub, dl) != Q_LATE) {
		json_decref(rec);
		return 0;
	}
	if ((rc = q_table_row(t)) != 0 ||
	    (rc = q_table_set(t, 0, Q_STR, r->agency)) != 0 ||
	    (rc = q_table_set(t, 1, r->region[0] ? Q_STR : Q_NULL,
	                      r->region)) != 0 ||
	    (rc = q_table_setf(t, 2, Q_NUM, "%d", r->year)) != 0 ||
	    (rc = q_table_set(t, 3, Q_STR, q_kind_name(k))) != 0 ||
	    (rc = q_table_set(t, 4, Q_STR, dl)) != 0 ||
	    (rc = q_table_setf(t, 5, Q_STR, "%.10s", pub)) != 0 ||
	    (rc = q_table_setf(t, 6, Q_NUM, "%d", q_days_between(dl, pub))) !=
	        0 ||
	    (rc = q_table_set(t, 7, Q_STR, r->url)) != 0) {
		json_decref(rec);
		return rc;
	}
	json_decref(rec);
	return 0;
}

/* "2021" or "2019-2023" */
static int
parse_years(const char *s, int *from, int *to)
{
	const char *dash = strchr(s, '-');
	char buf[16];

	if (dash == NULL) {
		if (q_parse_year("--year", s, from) != 0)
			return NB_EINVAL;
		*to = *from;
		return 0;
	}
	if ((size_t)(dash - s) >= sizeof(buf)) {
		log_warnx("--year %s: not a year or a range", s);
		return NB_EINVAL;
	}
	memcpy(buf, s, dash - s);
	buf[dash - s] = '\0';
	if (q_parse_year("--year", buf, from) != 0 ||
	    q_parse_year("--year", dash + 1, to) != 0)
		return NB_EINVAL;
	if (*to < *from) {
		log_warnx("--year %s: the range ends before it starts", s);
		return NB_EINVAL;
	}
	return 0;
}

static int
deadline_cmd(enum which w, int argc, char *argv[])
{
	static const struct option opts[] = {
	    Q_LONGOPTS,
	    {"year", required_argument, NULL, 'y'},
	    {"region", required_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0},
	};
	static const char *const mcols[] = {
	    "agency",   "region", ">year",         "kind",
	    "deadline", "state",  ">days_overdue",
	};
	static const char *const lcols[] = {
	    "agency",   "region",    ">year",      "kind",
	    "deadline", "published", ">days_late", "url",
	};
	const char *region = NULL, *years = NULL;
	struct ctx x = {0};
	struct q q;
	int c, rc = 0, from, to, status = Q_ERR;

	q_init(&q, names[w]);
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
			usage(stderr, w);
			return Q_ERR;
		}
	if (q.help) {
		usage(stdout, w);
		return Q_OK;
	}
	if (optind != argc) {
		usage(stderr, w);
		return Q_ERR;
	}
	if (years == NULL) {
		from = to = atoi(q.today) - 1;
	} else if (parse_years(years, &from, &to) != 0)
		return Q_ERR;
	if (q_open(&q) != 0)
		goto done;
	x.q = &q;
	x.w = w;
	x.t = w == LATE ? q_table_new(lcols, NB_NELEM(lcols))
	                : q_table_new(mcols, NB_NELEM(mcols));
	if (x.t == NULL || store_read_begin(q.st, &x.txn) != 0)
		goto done;
	if (q_region_check(&q, x.txn, region) != 0) {
		store_read_end(x.txn);
		goto done;
	}
	for (x.year = from; rc == 0 && x.year <= to; x.year++)
		rc = w == LATE
		         ? store_report_iter(x.txn,
		                             &(struct store_report_filter){
		                                 NULL, region, x.year},
		                             STORE_JSON, on_report, &x)
		         : store_missing(x.txn, x.year, region, on_missing, &x);
	store_read_end(x.txn);
	if (rc != 0) {
		log_warnx("%s: %s", names[w], nb_strerror(rc));
		goto done;
	}
	if (w == LATE)
		q_table_maxwidth(x.t, 7, 80);
	if (q_table_print(x.t, q.fmt, stdout) != 0)
		goto done;
	status = q_flush(stdout, q_table_rows(x.t) ? Q_NO : Q_OK);
done:
	q_table_free(x.t);
	q_close(&q);
	return status;
}

int
cmd_missing(int argc, char *argv[])
{
	return deadline_cmd(MISSING, argc, argv);
}

int
cmd_overdue(int argc, char *argv[])
{
	return deadline_cmd(OVERDUE, argc, argv);
}

int
cmd_late(int argc, char *argv[])
{
	return deadline_cmd(LATE, argc, argv);
}
