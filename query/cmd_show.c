/*
 * cmd_show.c - `nianbao show' (one report: its record, or the archived
 * document) and `nianbao history' (its versions and what changed).
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "query.h"

/* ------------------------------------------------------------ labels */

static const char *const row_labels[][2] = {
    {"rules", "规章"},
    {"normative_docs", "规范性文件"},
    {"licensing", "行政许可"},
    {"other_services", "其他对外管理服务事项"},
    {"punishment", "行政处罚"},
    {"compulsion", "行政强制"},
    {"fees", "行政事业性收费"},
    {"procurement", "政府集中采购"},
    {"new", "本年新收申请"},
    {"carried_over", "上年结转申请"},
    {"granted", "予以公开"},
    {"partially_granted", "部分公开"},
    {"state_secret", "不予公开：国家秘密"},
    {"law_prohibited", "不予公开：法律法规禁止"},
    {"security_stability", "不予公开：三安全一稳定"},
    {"third_party", "不予公开：第三方合法权益"},
    {"internal_affairs", "不予公开：内部事务信息"},
    {"process_info", "不予公开：过程性信息"},
    {"enforcement_files", "不予公开：行政执法案卷"},
    {"query_matters", "不予公开：行政查询事项"},
    {"not_held", "无法提供：本机关不掌握"},
    {"needs_creation", "无法提供：需另行制作"},
    {"unclear", "无法提供：补正后仍不明确"},
    {"petition", "不予处理：信访举报投诉类"},
    {"duplicate", "不予处理：重复申请"},
    {"publications", "不予处理：公开出版物"},
    {"excessive", "不予处理：大量反复申请"},
    {"confirm_existing", "不予处理：确认或重新出具"},
    {"no_correction", "其他处理：逾期不补正"},
    {"no_fee_paid", "其他处理：逾期未缴费"},
    {"other", "其他处理"},
    {"total", "总计"},
    {"carried_forward", "结转下年度继续办理"},
    {"review", "行政复议"},
    {"litigation_direct", "行政诉讼：未经复议直接起诉"},
    {"litigation_after_review", "行政诉讼：复议后起诉"},
};

static const char *
label(const char *key)
{
	for (size_t i = 0; i < NB_NELEM(row_labels); i++)
		if (strcmp(row_labels[i][0], key) == 0)
			return row_labels[i][1];
	return "";
}

/* ------------------------------------------------------- terminal view */

static int
print_active(const json_t *active, FILE *fp)
{
	static const char *const all[] = {
	    ">made",          ">repealed",        ">in_force",   ">new_made",
	    ">new_published", ">total_published", ">prev_items", ">change",
	    ">decisions",     ">items",           ">amount",
	};
	const char *cols[2 + NB_NELEM(all)] = {"row", "label"};
	struct q_table *t = NULL;
	const char *key;
	json_t *row;
	int rc = 0, n = 2;

	/* only the columns some row of this template has */
	for (size_t c = 0; c < NB_NELEM(all); c++)
		json_object_foreach((json_t *)active, key,
		                    row) if (json_object_get(row, all[c] + 1))
		{
			cols[n++] = all[c];
			break;
		}
	if ((t = q_table_new(cols, n)) == NULL)
		return NB_ENOMEM;
	json_object_foreach((json_t *)active, key, row)
	{
		if ((rc = q_table_row(t)) != 0 ||
		    (rc = q_table_set(t, 0, Q_STR, key)) != 0 ||
		    (rc = q_table_set(t, 1, Q_STR, label(key))) != 0)
			goto fail;
		for (int c = 2; c < n; c++) {
			json_t *v = json_object_get(row, cols[c] + 1);
			json_t *val = json_object_get(v, "value");
			const char *u =
			    json_string_value(json_object_get(v, "unit"));

			if (v == NULL)
				rc = q_table_set(t, c, Q_STR, "");
			else if (!json_is_object(v))
				rc = q_table_setj(t, c, v);
			else if (json_is_number(val) && u)
				rc = q_table_setf(t, c, Q_STR, "%.15g %s",
				                  json_number_value(val), u);
			else
				rc = q_table_setj(t, c, val);
			if (rc != 0)
				goto fail;
		}
	}
	rc = q_table_print(t, Q_FMT_TABLE, fp);
fail:
	q_table_free(t);
	return rc;
}

static int
requests_rows(struct q_table *t, const json_t *obj, const char *prefix)
{
	const char *key;
	json_t *v;
	char path[128];
	int rc;

	json_object_foreach((json_t *)obj, key, v)
	{
		if (strcmp(key, "columns") == 0)
			continue;
		snprintf(path, sizeof(path), "%s%s%s", prefix,
		         prefix[0] ? "." : "", key);
		if (json_is_object(v)) {
			if ((rc = requests_rows(t, v, path)) != 0)
				return rc;
			continue;
		}
		if ((rc = q_table_row(t)) != 0 ||
		    (rc = q_table_set(t, 0, Q_STR, path)) != 0 ||
		    (rc = q_table_set(t, 1, Q_STR, label(key))) != 0)
			return rc;
		for (int c = 0; c < 7; c++)
			if ((rc = q_table_setj(t, 2 + c,
			                       json_array_get(v, c))) != 0)
				return rc;
	}
	return 0;
}

static int
print_requests(const json_t *req, FILE *fp)
{
	static const char *const cols[] = {
	    "row",           "label",     ">自然人",
	    ">商业企业",     ">科研机构", ">社会公益组织",
	    ">法律服务机构", ">其他",     ">总计",
	};
	struct q_table *t = q_table_new(cols, NB_NELEM(cols));
	int rc;

	if (t == NULL)
		return NB_ENOMEM;
	if ((rc = requests_rows(t, req, "")) == 0)
		rc = q_table_print(t, Q_FMT_TABLE, fp);
	q_table_free(t);
	return rc;
}

static int
print_appeals(const json_t *ap, FILE *fp)
{
	static const char *const cols[] = {
	    "group",     "label",     ">结果维持", ">结果纠正",
	    ">其他结果", ">尚未审结", ">总计",
	};
	static const char *const keys[] = {"upheld", "corrected", "other",
	                                   "pending", "total"};
	struct q_table *t = q_table_new(cols, NB_NELEM(cols));
	const char *key;
	json_t *g;
	int rc = 0;

	if (t == NULL)
		return NB_ENOMEM;
	json_object_foreach((json_t *)ap, key, g)
	{
		if ((rc = q_table_row(t)) != 0 ||
		    (rc = q_table_set(t, 0, Q_STR, key)) != 0 ||
		    (rc = q_table_set(t, 1, Q_STR, label(key))) != 0)
			goto fail;
		for (int c = 0; c < 5; c++)
			if ((rc = q_table_setj(
			         t, 2 + c, json_object_get(g, keys[c]))) != 0)
				goto fail;
	}
	rc = q_table_print(t, Q_FMT_TABLE, fp);
fail:
	q_table_free(t);
	return rc;
}

static void
line(FILE *fp, const char *name, const char *value)
{
	q_pad(fp, name, 11, 0);
	fprintf(fp, "%s\n", value ? value : "-");
}

static int
print_record(struct q *q, struct store_txn *txn, const struct store_report *r,
             const json_t *rec, FILE *fp)
{
	const json_t *src = json_object_get(rec, "source"), *ck, *w;
	const char *pub = q_record_published(rec);
	struct store_agency a;
	struct q_checks cs;
	char dl[11], buf[256], iso[21], b32[STORE_B32_LEN + 1];
	enum q_kind k;
	size_t i;
	int rc;

	k = q_kind(q, r->agency,
	           store_agency_get(txn, r->agency, &a) ? NULL : &a);
	q_deadline(k, r->year, dl);
	fprintf(fp, "%s %d\n\n", r->agency, r->year);
	line(fp, "region", r->region[0] ? r->region : NULL);
	line(fp, "title", json_string_value(json_object_get(rec, "title")));
	line(fp, "template",
	     json_string_value(json_object_get(rec, "template")));
	if (json_is_string(json_object_get(rec, "unparsed")))
		line(fp, "unparsed",
		     json_string_value(json_object_get(rec, "unparsed")));
	snprintf(buf, sizeof(buf), "%s (%s, deadline %s for a %s)",
	         pub ? pub : "unknown", q_state_name(q_state_of(q, 1, pub, dl)),
	         dl, q_kind_name(k));
	line(fp, "published", buf);
	line(fp, "url", r->url);
	line(fp, "fetched", q_iso(r->fetched, iso));
	line(fp, "type",
	     json_string_value(json_object_get(src, "content_type")));
	snprintf(buf, sizeof(buf), "%u of %u (first seen %s)", r->version,
	         r->nversions, q_iso(r->first_seen, iso));
	line(fp, "version", buf);
	line(fp, "sha1", q_b32(r->payload_sha1, b32));
	if (json_object_get(rec, "active")) {
		fprintf(fp, "\n二、主动公开政府信息情况\n");
		if ((rc = print_active(json_object_get(rec, "active"), fp)))
			return rc;
	}
	if (json_object_get(rec, "requests")) {
		fprintf(fp, "\n三、收到和处理政府信息公开申请情况\n");
		if ((rc = print_requests(json_object_get(rec, "requests"), fp)))
			return rc;
	}
	if (json_object_get(rec, "appeals")) {
		fprintf(fp, "\n四、政府信息公开行政复议、行政诉讼情况\n");
		if ((rc = print_appeals(json_object_get(rec, "appeals"), fp)))
			return rc;
	}
	q_record_checks(rec, &cs);
	fprintf(fp, "\nchecks: %s (%d rules)\n",
	        q_checks_text(&cs, buf, sizeof(buf)), cs.total);
	json_array_foreach(json_object_get(rec, "checks"), i, ck)
	{
		const json_t *ok = json_object_get(ck, "ok");
		char e[32] = "-", ac[32] = "-";

		if (json_is_true(ok))
			continue;
		if (json_is_number(json_object_get(ck, "expected")))
			snprintf(
			    e, sizeof(e), "%.15g",
			    json_number_value(json_object_get(ck, "expected")));
		if (json_is_number(json_object_get(ck, "actual")))
			snprintf(
			    ac, sizeof(ac), "%.15g",
			    json_number_value(json_object_get(ck, "actual")));
		fprintf(fp, "  %-7s %s: expected %s, actual %s\n",
		        json_is_false(ok) ? "FAILED" : "unknown",
		        q_check_name(ck, buf, sizeof(buf)), e, ac);
	}
	w = json_object_get(rec, "warnings");
	if (json_array_size(w)) {
		fprintf(fp, "warnings:\n");
		json_array_foreach(w, i, ck)
		    fprintf(fp, "  %s\n", json_string_value(ck));
	}
	return 0;
}

/* field,value lines of every field present */
static int
print_fields_csv(const json_t *rec, FILE *fp)
{
	struct q_table *t;
	static const char *const cols[] = {"field", "value"};
	int rc = 0;

	if ((t = q_table_new(cols, 2)) == NULL)
		return NB_ENOMEM;
	for (size_t i = 0; rc == 0 && i < q_fields_count(); i++) {
		json_t *v = q_field_get(rec, i);

		if (v == NULL)
			continue;
		if ((rc = q_table_row(t)) == 0 &&
		    (rc = q_table_set(t, 0, Q_STR, q_field_name(i))) == 0)
			rc = q_table_setj(t, 1, v);
	}
	if (rc == 0)
		rc = q_table_print(t, Q_FMT_CSV, fp);
	q_table_free(t);
	return rc;
}

/* ---------------------------------------------------------------- show */

static void
show_usage(FILE *fp)
{
	fprintf(fp,
	        "usage: nianbao show AGENCY YEAR [--version N] [--raw] "
	        "[options]\n"
	        "\n"
	        "The record of AGENCY's report on YEAR (the latest version, "
	        "or version N,\n"
	        "1 = the oldest): title, publication date against the "
	        "deadline, source,\n"
	        "the three tables, the checks that failed or could not be "
	        "evaluated, and\n"
	        "the warnings.  --json prints the record as the report "
	        "schema defines it;\n"
	        "--csv one field,value line per field present (the column "
	        "names of\n"
	        "`export`).  AGENCY may be an alias.\n"
	        "\n"
	        "  -v, --version N     version N instead of the latest\n"
	        "      --raw           print the archived document itself "
	        "(HTML, docx,\n"
	        "                      PDF... as fetched) instead of the "
	        "record\n");
	q_usage_common(fp, 1);
	fprintf(fp, "\nExit status: 0 shown, 1 no such report or version, 2 "
	            "usage or archive error.\n");
}

static int
report_get(struct q *q, struct store_txn *txn, const char *agency, int year,
           uint32_t version, struct store_report *r)
{
	int rc = version ? store_report_version_get(txn, agency, year, version,
	                                            STORE_JSON, r)
	                 : store_report_get(txn, agency, year, STORE_JSON, r);

	if (rc == NB_ENOTFOUND) {
		if (version)
			log_warnx("%s: %s %d has no version %u", q->cmd, agency,
			          year, version);
		else
			log_warnx("%s: no report of %s for %d in the archive",
			          q->cmd, agency, year);
	} else if (rc != 0)
		log_warnx("%s: %s %d: %s", q->cmd, agency, year,
		          nb_strerror(rc));
	return rc;
}

static int
show_raw(struct store_txn *txn, const struct store_report *r)
{
	struct store_record rec;
	int rc = store_payload_get(txn, r->url, r->fetched, &rec, NULL);

	if (rc != 0) {
		store_record_free(&rec);
		log_warnx("show: %s: document not archived: %s", r->url,
		          nb_strerror(rc));
		return rc == NB_ENOTFOUND ? Q_NO : Q_ERR;
	}
	if (fwrite(rec.payload, 1, rec.payload_len, stdout) != rec.payload_len)
		rc = NB_EIO;
	store_record_free(&rec);
	return q_flush(stdout, rc ? Q_ERR : Q_OK);
}

int
cmd_show(int argc, char *argv[])
{
	static const struct option opts[] = {
	    Q_LONGOPTS,
	    {"version", required_argument, NULL, 'v'},
	    {"raw", no_argument, NULL, 'R'},
	    {NULL, 0, NULL, 0},
	};
	struct store_txn *txn = NULL;
	struct store_report r;
	uint32_t version = 0;
	char *name = NULL, *end;
	json_t *rec = NULL;
	int c, rc, year, raw = 0, status = Q_ERR;
	struct q q;

	q_init(&q, "show");
	optind = 1;
	while ((c = q_getopt(&q, argc, argv, Q_SHORTOPTS "v:", opts)) != -1)
		switch (c) {
		case 'v':
			version = strtoul(optarg, &end, 10);
			if (*end || version == 0) {
				log_warnx("show: --version %s: not a version "
				          "number (1 = the oldest)",
				          optarg);
				return Q_ERR;
			}
			break;
		case 'R':
			raw = 1;
			break;
		default:
			show_usage(stderr);
			return Q_ERR;
		}
	if (q.help) {
		show_usage(stdout);
		return Q_OK;
	}
	if (optind != argc - 2) {
		show_usage(stderr);
		return Q_ERR;
	}
	if (q_parse_year("show", argv[optind + 1], &year) != 0)
		return Q_ERR;
	if (q_open(&q) != 0 || store_read_begin(q.st, &txn) != 0)
		goto done;
	if ((rc = q_agency_resolve(&q, txn, argv[optind], &name)) != 0 ||
	    (rc = report_get(&q, txn, name, year, version, &r)) != 0) {
		status = rc == NB_ENOTFOUND ? Q_NO : Q_ERR;
		goto done;
	}
	if (raw) {
		status = show_raw(txn, &r);
		goto done;
	}
	if ((rec = q_record_parse(&r)) == NULL)
		goto done;
	switch (q.fmt) {
	case Q_FMT_JSON:
		rc = q_json_print(rec, 1, stdout);
		break;
	case Q_FMT_CSV:
		rc = print_fields_csv(rec, stdout);
		break;
	default:
		rc = print_record(&q, txn, &r, rec, stdout);
	}
	status = q_flush(stdout, rc ? Q_ERR : Q_OK);
done:
	json_decref(rec);
	store_read_end(txn);
	free(name);
	q_close(&q);
	return status;
}

/* ------------------------------------------------------------- history */

static void
history_usage(FILE *fp)
{
	fprintf(fp,
	        "usage: nianbao history AGENCY YEAR [options]\n"
	        "\n"
	        "Every captured version of AGENCY's report on YEAR, oldest "
	        "first (when it\n"
	        "was fetched, from which URL, its document digest), and "
	        "what changed from\n"
	        "the version before, field by field: every table cell under "
	        "its export\n"
	        "column name, the title, template and source, the number of "
	        "failed checks\n"
	        "(checks.failed) and the warnings.  A blank cell shows as "
	        "(blank), a field\n"
	        "the version lacks as -.  --csv prints one line per change "
	        "(version,\n"
	        "fetched, url, field, from, to); --json the versions with "
	        "their changes.\n"
	        "\n");
	q_usage_common(fp, 0);
	fprintf(fp, "\nExit status: 0 shown, 1 no such report, 2 usage or "
	            "archive error.\n");
}

struct version {
	uint32_t n;
	int64_t fetched;
	char *url;
	char payload[STORE_B32_LEN + 1], record[STORE_B32_LEN + 1];
	json_t *rec;
};

struct hist {
	struct version *v;
	size_t n;
};

static int
on_version(const struct store_report *r, void *arg)
{
	struct hist *h = arg;
	struct version *v = realloc(h->v, (h->n + 1) * sizeof(*v));

	if (v == NULL)
		return NB_ENOMEM;
	h->v = v;
	v = &h->v[h->n];
	memset(v, 0, sizeof(*v));
	v->n = r->version;
	v->fetched = r->fetched;
	store_sha1_b32(r->payload_sha1, v->payload);
	store_sha1_b32(r->record_sha1, v->record);
	if ((v->url = strdup(r->url)) == NULL)
		return NB_ENOMEM;
	h->n++;
	if ((v->rec = q_record_parse(r)) == NULL)
		v->rec = json_object();
	return v->rec ? 0 : NB_ENOMEM;
}

/* the value a diff compares: a field, the failed-check count, the
 * warnings; a new reference, or NULL when absent */
static json_t *
diff_value(const json_t *rec, size_t i)
{
	size_t nf = q_fields_count();
	struct q_checks c;

	if (i < nf) {
		json_t *v = q_field_get(rec, i);

		return v ? json_incref(v) : NULL;
	}
	if (i == nf) {
		if (json_object_get(rec, "checks") == NULL)
			return NULL;
		q_record_checks(rec, &c);
		return json_integer(c.failed);
	}
	return json_incref(json_object_get(rec, "warnings"));
}

static const char *
diff_name(size_t i)
{
	size_t nf = q_fields_count();

	return i < nf    ? q_field_name(i)
	       : i == nf ? "checks.failed"
	                 : "warnings";
}

static char *
value_text(const json_t *v)
{
	if (v == NULL)
		return strdup("-");
	if (json_is_null(v))
		return strdup("(blank)");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
	                         JSON_REAL_PRECISION(15));
}

static int
history_print(struct q *q, const char *agency, int year, struct hist *h)
{
	static const char *const vcols[] = {">version", "fetched", "url",
	                                    "sha1", ">changes"};
	static const char *const ccols[] = {">version", "fetched", "url",
	                                    "field",    "from",    "to"};
	size_t nd = q_fields_count() + 2;
	struct q_table *vt = q_table_new(vcols, NB_NELEM(vcols));
	struct q_table *ct = q_table_new(ccols, NB_NELEM(ccols));
	json_t *out = json_object(), *versions = json_array();
	char iso[21];
	int rc = NB_ENOMEM;

	if (vt == NULL || ct == NULL || out == NULL || versions == NULL ||
	    json_object_set_new(out, "agency", json_string(agency)) ||
	    json_object_set_new(out, "year", json_integer(year)) ||
	    json_object_set(out, "versions", versions))
		goto fail;
	for (size_t k = 0; k < h->n; k++) {
		struct version *v = &h->v[k];
		json_t *jv = json_object(), *changes = json_array();
		int nchanges = 0;

		if (jv == NULL || changes == NULL ||
		    json_array_append_new(versions, jv) ||
		    json_object_set_new(jv, "version", json_integer(v->n)) ||
		    json_object_set_new(jv, "fetched",
		                        json_string(q_iso(v->fetched, iso))) ||
		    json_object_set_new(jv, "url", json_string(v->url)) ||
		    json_object_set_new(jv, "payload_sha1",
		                        json_string(v->payload)) ||
		    json_object_set_new(jv, "record_sha1",
		                        json_string(v->record)) ||
		    json_object_set_new(jv, "changes", changes)) {
			json_decref(changes);
			goto fail;
		}
		for (size_t i = 0; k > 0 && i < nd; i++) {
			json_t *a = diff_value(h->v[k - 1].rec, i);
			json_t *b = diff_value(v->rec, i);
			json_t *ch;
			char *ta, *tb;

			if ((a == NULL && b == NULL) ||
			    (a && b && json_equal(a, b))) {
				json_decref(a);
				json_decref(b);
				continue;
			}
			nchanges++;
			ta = value_text(a);
			tb = value_text(b);
			ch = json_object();
			rc = ta == NULL || tb == NULL || ch == NULL ||
			     json_array_append_new(changes, ch) ||
			     json_object_set_new(ch, "field",
			                         json_string(diff_name(i))) ||
			     (a && json_object_set(ch, "from", a)) ||
			     (b && json_object_set(ch, "to", b)) ||
			     q_table_row(ct) ||
			     q_table_setf(ct, 0, Q_NUM, "%u", v->n) ||
			     q_table_set(ct, 1, Q_STR, iso) ||
			     q_table_set(ct, 2, Q_STR, v->url) ||
			     q_table_set(ct, 3, Q_STR, diff_name(i)) ||
			     q_table_set(ct, 4, Q_STR, ta) ||
			     q_table_set(ct, 5, Q_STR, tb);
			json_decref(a);
			json_decref(b);
			free(ta);
			free(tb);
			if (rc) {
				rc = NB_ENOMEM;
				goto fail;
			}
		}
		if (q_table_row(vt) || q_table_setf(vt, 0, Q_NUM, "%u", v->n) ||
		    q_table_set(vt, 1, Q_STR, iso) ||
		    q_table_set(vt, 2, Q_STR, v->url) ||
		    q_table_set(vt, 3, Q_STR, v->payload) ||
		    (k > 0 && q_table_setf(vt, 4, Q_NUM, "%d", nchanges)))
			goto fail;
	}
	switch (q->fmt) {
	case Q_FMT_JSON:
		rc = q_json_print(out, 1, stdout);
		break;
	case Q_FMT_CSV:
		rc = q_table_print(ct, Q_FMT_CSV, stdout);
		break;
	default:
		printf("%s %d: %zu version%s\n\n", agency, year, h->n,
		       h->n == 1 ? "" : "s");
		q_table_maxwidth(vt, 2, 60);
		if ((rc = q_table_print(vt, Q_FMT_TABLE, stdout)) != 0)
			break;
		if (q_table_rows(ct) == 0)
			break;
		printf("\nchanges:\n");
		q_table_maxwidth(ct, 2, 40);
		q_table_maxwidth(ct, 4, 40);
		q_table_maxwidth(ct, 5, 40);
		rc = q_table_print(ct, Q_FMT_TABLE, stdout);
	}
fail:
	json_decref(versions);
	json_decref(out);
	q_table_free(vt);
	q_table_free(ct);
	return rc;
}

int
cmd_history(int argc, char *argv[])
{
	static const struct option opts[] = {
	    Q_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	struct store_txn *txn = NULL;
	struct hist h = {0};
	char *name = NULL;
	int c, rc, year, status = Q_ERR;
	struct q q;

	q_init(&q, "history");
	optind = 1;
	while ((c = q_getopt(&q, argc, argv, Q_SHORTOPTS, opts)) != -1) {
		history_usage(stderr);
		return Q_ERR;
	}
	if (q.help) {
		history_usage(stdout);
		return Q_OK;
	}
	if (optind != argc - 2) {
		history_usage(stderr);
		return Q_ERR;
	}
	if (q_parse_year("history", argv[optind + 1], &year) != 0)
		return Q_ERR;
	if (q_open(&q) != 0 || store_read_begin(q.st, &txn) != 0)
		goto done;
	if ((rc = q_agency_resolve(&q, txn, argv[optind], &name)) != 0) {
		status = rc == NB_ENOTFOUND ? Q_NO : Q_ERR;
		goto done;
	}
	rc = store_report_versions(txn, name, year, STORE_JSON, on_version, &h);
	store_read_end(txn);
	txn = NULL;
	if (rc != 0 && rc != NB_ENOTFOUND) {
		log_warnx("history: %s %d: %s", name, year, nb_strerror(rc));
		goto done;
	}
	if (h.n == 0) {
		log_warnx("history: no report of %s for %d in the archive",
		          name, year);
		status = Q_NO;
		goto done;
	}
	rc = history_print(&q, name, year, &h);
	status = q_flush(stdout, rc ? Q_ERR : Q_OK);
done:
	for (size_t i = 0; i < h.n; i++) {
		free(h.v[i].url);
		json_decref(h.v[i].rec);
	}
	free(h.v);
	store_read_end(txn);
	free(name);
	q_close(&q);
	return status;
}
