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
		if ((rc = q_table_row(x->t)) != 0 ||
		    (rc = q_table_set(x->t, 0, Q_STR, agency)) != 0 ||
		    (rc = q_table_set(x->t, 1, region[0] ? Q_STR : Q_NULL,
		                      region)) != 0 ||
		    (rc = q_table_setf(x->t, 2, Q_NUM, "%d", year)) != 0 ||
		    (rc = q_table_set(x->t, 3, Q_STR,
		                      q_check_name(ck, name, sizeof(name)))) !=
		        0 ||
		    (rc = q_table_set(x->t, 4, Q_STR,
		                      json_is_false(ok) ? "failed"
		                                        : "unknown")) != 0 ||
		    (rc = q_table_setj(x->t, 5,
		                       json_object_get(ck, "expected"))) != 0 ||
		    (rc = q_table_setj(x->t, 6,
		                       json_object_get(ck, "actual"))) != 0)
			return rc;
	}
	return 0;
}

/*
 * The cross-year rules of (agency, Y) against the latest record for Y-1,
 * when there is one.  r's strings are copied first: the lookup may reuse
 * the transaction's buffers.
 */
static int
add_chain_failures(struct ctx *x, const char *agency, const char *region,
                   int year, const json_t *cur)
{
	struct store_report prev;
	json_t *prec = NULL, *checks = NULL;
	int rc;

	rc = store_report_get(x->txn, agency, year - 1, STORE_JSON, &prev);
	if (rc == NB_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if ((prec = q_record_parse(&prev)) == NULL)
		return 0;
	rc = indexer_chain_check(prec, cur, &checks);
	if (rc == 0)
		rc = add_failures(x, agency, region, year, checks);
	else if (rc == NB_EINVAL)
		rc = 0; /* records that do not chain (e.g. no year) */
	json_decref(checks);
	json_decref(prec);
	return rc;
}

static int
on_report(const struct store_report *r, void *arg)
{
	struct ctx *x = arg;
	json_t *rec = q_record_parse(r);
	char *agency = NULL, *region = NULL;
	int rc;

	if (rec == NULL)
		return 0;
	rc = add_failures(x, r->agency, r->region, r->year,
	                  json_object_get(rec, "checks"));
	if (rc == 0) {
		agency = strdup(r->agency);
		region = strdup(r->region);
		if (agency == NULL || region == NULL)
			rc = NB_ENOMEM;
		else
			rc =
			    add_chain_failures(x, agency, region, r->year, rec);
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
	if ((rc = store_report_iter(txn, &f, STORE_JSON, on_report, &x)) != 0) {
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
