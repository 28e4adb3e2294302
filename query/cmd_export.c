/*
 * cmd_export.c - `nianbao export': every field of every report, as CSV
 * with stable column names (the README lists them) or as JSON lines.
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
	        "usage: nianbao export --format csv|jsonl [--agency A] "
	        "[--region R] [--year Y]\n"
	        "                      [--template T] [--bom] [options]\n"
	        "\n"
	        "One line per report (its latest version), by agency then "
	        "year (by region\n"
	        "then agency with --region or --year).\n"
	        "jsonl: the record exactly as the report schema defines it, "
	        "one per line.\n"
	        "csv:   a header line, then one row per report: the archive's "
	        "columns\n"
	        "       (version, versions, first_seen, last_seen, kind, "
	        "deadline, status),\n"
	        "       every field of the schema for both templates "
	        "(agency ... source.sha1,\n"
	        "       active.*, requests.<row>.<column>, "
	        "appeals.<group>.<field>; empty\n"
	        "       when the report lacks it or the cell is blank), then "
	        "checks_total,\n"
	        "       checks_failed, checks_unknown, failed_rules (names "
	        "joined by \"; \")\n"
	        "       and warnings (a JSON array).  UTF-8, CRLF line ends "
	        "(RFC 4180).\n"
	        "\n"
	        "  -F, --format F      csv or jsonl (required)\n"
	        "      --bom           start with a UTF-8 byte order mark, so "
	        "that Excel\n"
	        "                      reads the Chinese text correctly\n"
	        "  -a, --agency A      one agency (its name or an alias)\n"
	        "  -r, --region R      one region\n"
	        "  -y, --year Y        reports on year Y\n"
	        "  -t, --template T    2021, 2019 or unknown\n");
	q_usage_common(fp, 1);
	fprintf(fp, "\nExit status: 0 exported, 1 no report matched (a CSV "
	            "still has its header),\n"
	            "2 usage or archive error.\n");
}

static const char *const pre[] = {"version",   "versions", "first_seen",
                                  "last_seen", "kind",     "deadline",
                                  "status"};
static const char *const post[] = {"checks_total", "checks_failed",
                                   "checks_unknown", "failed_rules",
                                   "warnings"};

struct ctx {
	struct q *q;
	struct store_txn *txn;
	int csv;
	const char *template;
	size_t n;
	int err;
};

static void
csv_value(const json_t *v)
{
	char buf[64];

	if (v == NULL || json_is_null(v))
		return;
	if (json_is_string(v))
		q_csv_field(stdout, json_string_value(v));
	else if (json_is_integer(v))
		printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v)) {
		snprintf(buf, sizeof(buf), "%.15g", json_real_value(v));
		fputs(buf, stdout);
	} else if (json_is_boolean(v))
		fputs(json_is_true(v) ? "true" : "false", stdout);
}

static int
csv_row(struct ctx *x, const struct store_report *r, const json_t *rec)
{
	struct store_agency a;
	struct q_checks ck;
	const json_t *c;
	char dl[11], iso[21], name[256];
	enum q_kind k;
	size_t i;
	int first = 1;
	char *w;

	k = q_kind(x->q, r->agency,
	           store_agency_get(x->txn, r->agency, &a) ? NULL : &a);
	q_deadline(k, r->year, dl);
	printf("%u,%u,%s,", r->version, r->nversions,
	       q_iso(r->first_seen, iso));
	printf("%s,%s,%s,%s", q_iso(r->last_seen, iso), q_kind_name(k), dl,
	       q_state_name(q_state_of(x->q, 1, q_record_published(rec), dl)));
	for (i = 0; i < q_fields_count(); i++) {
		putchar(',');
		csv_value(q_field_get(rec, i));
	}
	q_record_checks(rec, &ck);
	printf(",%d,%d,%d,", ck.total, ck.failed, ck.unknown);
	/* failed_rules: names only contain [a-z_.[]], no quoting needed */
	json_array_foreach(json_object_get(rec, "checks"), i, c)
	{
		if (!json_is_false(json_object_get(c, "ok")))
			continue;
		printf("%s%s", first ? "" : "; ",
		       q_check_name(c, name, sizeof(name)));
		first = 0;
	}
	putchar(',');
	if ((c = json_object_get(rec, "warnings")) == NULL) {
		fputs("[]\r\n", stdout);
		return 0;
	}
	if ((w = json_dumps(c, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		return NB_ENOMEM;
	q_csv_field(stdout, w);
	free(w);
	fputs("\r\n", stdout);
	return 0;
}

static int
on_report(const struct store_report *r, void *arg)
{
	struct ctx *x = arg;
	const char *tpl;
	json_t *rec;
	int rc = 0;

	if ((rec = q_record_parse(r)) == NULL) {
		x->err = 1;
		return 0;
	}
	tpl = json_string_value(json_object_get(rec, "template"));
	if (x->template && (tpl == NULL || strcmp(tpl, x->template) != 0)) {
		json_decref(rec);
		return 0;
	}
	x->n++;
	if (x->csv)
		rc = csv_row(x, r, rec);
	else
		rc = q_json_print(rec, 0, stdout);
	json_decref(rec);
	if (rc == 0 && ferror(stdout))
		rc = NB_EIO;
	return rc;
}

int
cmd_export(int argc, char *argv[])
{
	static const struct option opts[] = {
	    Q_LONGOPTS,
	    {"format", required_argument, NULL, 'F'},
	    {"bom", no_argument, NULL, 'B'},
	    {"agency", required_argument, NULL, 'a'},
	    {"region", required_argument, NULL, 'r'},
	    {"year", required_argument, NULL, 'y'},
	    {"template", required_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	struct store_report_filter f = {0};
	struct store_txn *txn = NULL;
	const char *format = NULL, *agency = NULL;
	char *name = NULL;
	struct ctx x = {0};
	int c, rc, bom = 0, status = Q_ERR;
	struct q q;

	q_init(&q, "export");
	optind = 1;
	while ((c = q_getopt(&q, argc, argv, Q_SHORTOPTS "F:a:r:y:t:", opts)) !=
	       -1)
		switch (c) {
		case 'F':
			format = optarg;
			break;
		case 'B':
			bom = 1;
			break;
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
	if (q.fmt == Q_FMT_CSV && format == NULL)
		format = "csv";
	if (optind != argc || format == NULL ||
	    (strcmp(format, "csv") != 0 && strcmp(format, "jsonl") != 0)) {
		if (format != NULL)
			log_warnx("export: --format %s: csv or jsonl", format);
		usage(stderr);
		return Q_ERR;
	}
	x.csv = strcmp(format, "csv") == 0;
	x.q = &q;
	if (q_open(&q) != 0 || store_read_begin(q.st, &txn) != 0)
		goto done;
	x.txn = txn;
	if (agency != NULL) {
		if ((rc = q_agency_resolve(&q, txn, agency, &name)) != 0) {
			status = rc == NB_ENOTFOUND ? Q_NO : Q_ERR;
			goto done;
		}
		f.agency = name;
	}
	if (bom)
		fputs("\xef\xbb\xbf", stdout);
	if (x.csv) {
		for (size_t i = 0; i < NB_NELEM(pre); i++)
			printf("%s,", pre[i]);
		for (size_t i = 0; i < q_fields_count(); i++)
			printf("%s,", q_field_name(i));
		for (size_t i = 0; i < NB_NELEM(post); i++)
			printf("%s%s", post[i],
			       i + 1 < NB_NELEM(post) ? "," : "\r\n");
	}
	if ((rc = store_report_iter(txn, &f, STORE_JSON, on_report, &x)) != 0) {
		log_warnx("export: %s", nb_strerror(rc));
		goto done;
	}
	status = q_flush(stdout, x.err ? Q_ERR : x.n ? Q_OK : Q_NO);
done:
	store_read_end(txn);
	free(name);
	q_close(&q);
	return status;
}
