/*
 * record.c - reading report records (report-schema.md): their checks and
 * the flat list of fields that export and history use.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "query.h"

json_t *
q_record_parse(const struct store_report *r)
{
	json_error_t err;
	json_t *rec;

	if (r->json == NULL) {
		log_warnx("%s %d v%u: no record", r->agency, r->year,
		          r->version);
		return NULL;
	}
	rec = json_loadb(r->json, r->json_len, 0, &err);
	if (rec == NULL || !json_is_object(rec)) {
		log_warnx("%s %d v%u: record is not a JSON object: %s",
		          r->agency, r->year, r->version,
		          rec ? "wrong type" : err.text);
		json_decref(rec);
		return NULL;
	}
	return rec;
}

int
q_from_records(void)
{
	static int from = -1;

	if (from < 0) {
		const char *e = getenv("NB_QUERY_FROM_RECORDS");

		from = e != NULL && *e != '\0' && strcmp(e, "0") != 0;
	}
	return from;
}

struct recompute {
	struct store_txn *txn;
	store_report_fn *cb;
	void *arg;
};

static int
recompute(struct store_txn *txn, struct store_report *r)
{
	if (r->json == NULL)
		return NB_ECORRUPT;
	return store_summary_compute(txn, r->agency, r->year, r->json,
	                             r->json_len, &r->summary);
}

static int
recompute_cb(const struct store_report *r, void *arg)
{
	struct recompute *w = arg;
	struct store_report c = *r;
	int rc;

	if ((rc = recompute(w->txn, &c)) != 0)
		return rc;
	return w->cb(&c, w->arg);
}

int
q_report_iter(struct store_txn *txn, const struct store_report_filter *f,
              unsigned flags, store_report_fn *cb, void *arg)
{
	struct recompute w = {txn, cb, arg};

	if (!(flags & STORE_SUMMARY) || !q_from_records())
		return store_report_iter(txn, f, flags, cb, arg);
	return store_report_iter(txn, f, flags | STORE_JSON, recompute_cb, &w);
}

int
q_report_get(struct store_txn *txn, const char *agency, int year,
             unsigned flags, struct store_report *out)
{
	int rc;

	if (!(flags & STORE_SUMMARY) || !q_from_records())
		return store_report_get(txn, agency, year, flags, out);
	if ((rc = store_report_get(txn, agency, year, flags | STORE_JSON,
	                           out)) != 0)
		return rc;
	return recompute(txn, out);
}

int
q_summary_usable(const struct store_report *r)
{
	if (r->summary.flags & STORE_SUM_RECORD)
		return 1;
	log_warnx("%s %d v%u: record is not a JSON object", r->agency, r->year,
	          r->version);
	return 0;
}

void
q_summary_checks(const struct store_summary *s, struct q_checks *c)
{
	c->total = (int)s->nchecks;
	c->failed = (int)s->nfailed;
	c->unknown = (int)s->nunknown;
}

const char *
q_check_name_of(const char *rule, const char *instance, char *buf, size_t len)
{
	if (instance != NULL)
		snprintf(buf, len, "%s[%s]", rule ? rule : "?", instance);
	else
		snprintf(buf, len, "%s", rule ? rule : "?");
	return buf;
}

int
q_table_setv(struct q_table *t, int col, const struct store_sum_value *v)
{
	switch (v->type) {
	case STORE_SUM_INT:
		return q_table_setf(t, col, Q_NUM, "%lld", (long long)v->i);
	case STORE_SUM_REAL:
		return q_table_setf(t, col, Q_NUM, "%.15g", v->r);
	default:
		return q_table_set(t, col, Q_NULL, NULL);
	}
}

double
q_sum_number(const struct store_sum_value *v)
{
	return v->type == STORE_SUM_INT    ? (double)v->i
	       : v->type == STORE_SUM_REAL ? v->r
	                                   : 0;
}

const char *
q_record_published(const json_t *rec)
{
	const json_t *p =
	    json_object_get(json_object_get(rec, "source"), "published");

	return json_is_string(p) ? json_string_value(p) : NULL;
}

void
q_record_checks(const json_t *rec, struct q_checks *c)
{
	const json_t *checks = json_object_get(rec, "checks"), *ck;
	size_t i;

	memset(c, 0, sizeof(*c));
	json_array_foreach(checks, i, ck)
	{
		const json_t *ok = json_object_get(ck, "ok");

		c->total++;
		if (json_is_false(ok))
			c->failed++;
		else if (!json_is_true(ok))
			c->unknown++;
	}
}

const char *
q_checks_text(const struct q_checks *c, char *buf, size_t len)
{
	/* the common answers need no copy (a national listing asks a million
	 * times) */
	if (c->total == 0)
		return "none";
	if (!c->failed && !c->unknown)
		return "ok";
	if (c->failed && c->unknown)
		snprintf(buf, len, "%d failed, %d unknown", c->failed,
		         c->unknown);
	else if (c->failed)
		snprintf(buf, len, "%d failed", c->failed);
	else if (c->unknown)
		snprintf(buf, len, "ok, %d unknown", c->unknown);
	return buf;
}

const char *
q_check_name(const json_t *check, char *buf, size_t len)
{
	static const char *const where[] = {"column", "row", "group"};
	const char *rule = json_string_value(json_object_get(check, "rule"));

	for (size_t i = 0; i < NB_NELEM(where); i++) {
		const json_t *w = json_object_get(check, where[i]);

		if (json_is_string(w))
			return q_check_name_of(rule, json_string_value(w), buf,
			                       len);
	}
	return q_check_name_of(rule, NULL, buf, len);
}

/* ------------------------------------------------------------- fields */

struct field {
	char *name; /* the column name */
	char *path; /* dotted path to the value or to the row array */
	int col;    /* index in a requests row array, or -1 */
};

static struct field *fields;
static size_t nfields;

static const char *const req_cols[] = {
    "natural",        "business",  "research", "public_interest",
    "legal_services", "other_org", "total",
};

static const char *const req_rows[] = {
    "new",
    "carried_over",
    "results.granted",
    "results.partially_granted",
    "results.denied.state_secret",
    "results.denied.law_prohibited",
    "results.denied.security_stability",
    "results.denied.third_party",
    "results.denied.internal_affairs",
    "results.denied.process_info",
    "results.denied.enforcement_files",
    "results.denied.query_matters",
    "results.unavailable.not_held",
    "results.unavailable.needs_creation",
    "results.unavailable.unclear",
    "results.not_processed.petition",
    "results.not_processed.duplicate",
    "results.not_processed.publications",
    "results.not_processed.excessive",
    "results.not_processed.confirm_existing",
    "results.other.no_correction",
    "results.other.no_fee_paid",
    "results.other.other",
    "results.total",
    "carried_forward",
};

/* Every scalar field outside requests, both templates' in schema order. */
static const char *const plain[] = {
    "agency",
    "region",
    "year",
    "template",
    "title",
    "source.url",
    "source.published",
    "source.fetched",
    "source.content_type",
    "source.sha1",
    "unparsed",
    "active.rules.made",
    "active.rules.repealed",
    "active.rules.in_force",
    "active.rules.new_made",
    "active.rules.new_published",
    "active.rules.total_published",
    "active.normative_docs.made",
    "active.normative_docs.repealed",
    "active.normative_docs.in_force",
    "active.normative_docs.new_made",
    "active.normative_docs.new_published",
    "active.normative_docs.total_published",
    "active.licensing.prev_items",
    "active.licensing.change",
    "active.licensing.decisions",
    "active.other_services.prev_items",
    "active.other_services.change",
    "active.other_services.decisions",
    "active.punishment.prev_items",
    "active.punishment.change",
    "active.punishment.decisions",
    "active.compulsion.prev_items",
    "active.compulsion.change",
    "active.compulsion.decisions",
    "active.fees.prev_items",
    "active.fees.change",
    "active.fees.amount.value",
    "active.fees.amount.unit",
    "active.procurement.items",
    "active.procurement.amount.value",
    "active.procurement.amount.unit",
};

static const char *const appeal_groups[] = {"review", "litigation_direct",
                                            "litigation_after_review"};
static const char *const appeal_keys[] = {"upheld", "corrected", "other",
                                          "pending", "total"};

static int
field_add(const char *name, const char *path, int col)
{
	struct field *f = realloc(fields, (nfields + 1) * sizeof(*f));

	if (f == NULL)
		return NB_ENOMEM;
	fields = f;
	f = &fields[nfields];
	f->name = strdup(name);
	f->path = strdup(path);
	f->col = col;
	if (f->name == NULL || f->path == NULL) {
		free(f->name);
		free(f->path);
		return NB_ENOMEM;
	}
	nfields++;
	return 0;
}

static void
fields_free(void)
{
	for (size_t i = 0; i < nfields; i++) {
		free(fields[i].name);
		free(fields[i].path);
	}
	free(fields);
	fields = NULL;
	nfields = 0;
}

static void
fields_init(void)
{
	char path[160], name[sizeof(path) + 32];
	int rc = 0;

	if (fields != NULL)
		return;
	for (size_t i = 0; rc == 0 && i < NB_NELEM(plain); i++)
		rc = field_add(plain[i], plain[i], -1);
	for (size_t r = 0; rc == 0 && r < NB_NELEM(req_rows); r++) {
		snprintf(path, sizeof(path), "requests.%s", req_rows[r]);
		for (size_t c = 0; rc == 0 && c < NB_NELEM(req_cols); c++) {
			snprintf(name, sizeof(name), "%s.%s", path,
			         req_cols[c]);
			rc = field_add(name, path, (int)c);
		}
	}
	for (size_t g = 0; rc == 0 && g < NB_NELEM(appeal_groups); g++)
		for (size_t k = 0; rc == 0 && k < NB_NELEM(appeal_keys); k++) {
			snprintf(name, sizeof(name), "appeals.%s.%s",
			         appeal_groups[g], appeal_keys[k]);
			rc = field_add(name, name, -1);
		}
	if (rc != 0)
		fatalx("out of memory");
	atexit(fields_free);
}

size_t
q_fields_count(void)
{
	fields_init();
	return nfields;
}

const char *
q_field_name(size_t i)
{
	fields_init();
	return fields[i].name;
}

json_t *
q_field_get(const json_t *rec, size_t i)
{
	const char *p, *dot;
	json_t *v = (json_t *)rec;
	char key[64];

	fields_init();
	for (p = fields[i].path; v != NULL && *p; p = *dot ? dot + 1 : dot) {
		dot = strchr(p, '.');
		if (dot == NULL)
			dot = p + strlen(p);
		if ((size_t)(dot - p) >= sizeof(key))
			return NULL;
		memcpy(key, p, dot - p);
		key[dot - p] = '\0';
		v = json_object_get(v, key);
	}
	if (v != NULL && fields[i].col >= 0)
		v = json_is_array(v) ? json_array_get(v, fields[i].col) : NULL;
	return v;
}
