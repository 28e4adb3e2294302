/*
 * checks.c - the 勾稽 rules of the schema, per record and across years.
 *
 * A rule whose inputs hold a null (or a row the report does not have) is
 * reported with "ok": null: it could not be evaluated, which is not the
 * same as passing.
 */
#include <string.h>

#include "internal.h"

extern const char *const match_req_columns[7];

/* v as an exact integer; 0 if it is not one (null, real, absent). */
static int
int_of(const json_t *v, json_int_t *out)
{
	if (!json_is_integer(v))
		return 0;
	*out = json_integer_value(v);
	return 1;
}

/*
 * One check: each side is a number only when all its inputs were; ok is
 * their equality when both are, else null.
 */
static int
add_check(json_t *arr, const char *rule, const char *what, const char *name,
          int e_known, json_int_t expected, int a_known, json_int_t actual)
{
	json_t *c = json_pack("{s:s,s:s}", "rule", rule, what, name);

	if (c == NULL)
		return NB_ENOMEM;
	json_object_set_new(c, "ok",
	                    e_known && a_known
	                        ? json_boolean(expected == actual)
	                        : json_null());
	json_object_set_new(c, "expected",
	                    e_known ? json_integer(expected) : json_null());
	json_object_set_new(c, "actual",
	                    a_known ? json_integer(actual) : json_null());
	return json_array_append_new(arr, c) == 0 ? 0 : NB_ENOMEM;
}

/* Sum column col over the rows; 0 when a row lacks an integer there. */
static int
sum_col(json_t *const *rows, size_t n, size_t col, json_int_t *out)
{
	json_int_t s = 0, v;

	for (size_t i = 0; i < n; i++)
		if (!int_of(json_array_get(rows[i], col), &v))
			return 0;
		else
			s += v;
	*out = s;
	return 1;
}

/* Every leaf row of results except total, in schema order. */
static size_t
result_leaves(const json_t *res, json_t **rows, size_t max)
{
	static const char *const groups[] = {"denied", "unavailable",
	                                     "not_processed", "other"};
	const char *key;
	json_t *v;
	size_t n = 0;

	if ((v = json_object_get(res, "granted")) && n < max)
		rows[n++] = v;
	if ((v = json_object_get(res, "partially_granted")) && n < max)
		rows[n++] = v;
	for (size_t g = 0; g < NB_NELEM(groups); g++) {
		json_t *o = json_object_get(res, groups[g]);

		json_object_foreach(o, key, v) if (n < max) rows[n++] = v;
	}
	return n;
}

/* requests.row_total for one row: total column = sum of the other six */
static int
row_total(json_t *out, const char *path, const json_t *arr)
{
	json_int_t t = 0, s = 0, x;
	int e = int_of(json_array_get(arr, 6), &t), r = 1;

	for (size_t c = 0; r && c < 6; c++) {
		r = int_of(json_array_get(arr, c), &x);
		s += r ? x : 0;
	}
	return add_check(out, "requests.row_total", "row", path, e, t, r, s);
}

static int
check_requests(const json_t *req, json_t *out)
{
	json_t *res = json_object_get(req, "results");
	json_t *nw = json_object_get(req, "new");
	json_t *co = json_object_get(req, "carried_over");
	json_t *tot = json_object_get(res, "total");
	json_t *cf = json_object_get(req, "carried_forward");
	json_t *leaves[32];
	size_t nleaves = result_leaves(res, leaves, NB_NELEM(leaves));
	int rc = 0;

	/* a table without one of the four rows has no balance to check */
	for (size_t c = 0; nw && co && tot && cf && c < 7 && rc == 0; c++) {
		json_int_t a = 0, b = 0, t = 0, f = 0;
		int e = int_of(json_array_get(nw, c), &a) &&
		        int_of(json_array_get(co, c), &b);
		int r = int_of(json_array_get(tot, c), &t) &&
		        int_of(json_array_get(cf, c), &f);

		rc = add_check(out, "requests.balance", "column",
		               match_req_columns[c], e, a + b, r, t + f);
	}
	for (size_t c = 0; tot && nleaves > 0 && c < 7 && rc == 0; c++) {
		json_int_t t = 0, s = 0;
		int e = int_of(json_array_get(tot, c), &t);
		int r = sum_col(leaves, nleaves, c, &s);

		rc = add_check(out, "requests.results_sum", "column",
		               match_req_columns[c], e, t, r, s);
	}
	/* per row, in schema order */
	{
		static const char *const top[] = {"new", "carried_over"};
		static const char *const groups[] = {"denied", "unavailable",
		                                     "not_processed", "other"};
		char name[96];
		const char *key;
		json_t *v;

		for (size_t i = 0; i < NB_NELEM(top); i++)
			if ((v = json_object_get(req, top[i])))
				rc = rc ? rc : row_total(out, top[i], v);
		if ((v = json_object_get(res, "granted")))
			rc = rc ? rc : row_total(out, "results.granted", v);
		if ((v = json_object_get(res, "partially_granted")))
			rc =
			    rc ? rc
			       : row_total(out, "results.partially_granted", v);
		for (size_t g = 0; g < NB_NELEM(groups); g++) {
			json_t *o = json_object_get(res, groups[g]);

			json_object_foreach(o, key, v)
			{
				snprintf(name, sizeof(name), "results.%s.%s",
				         groups[g], key);
				rc = rc ? rc : row_total(out, name, v);
			}
		}
		if (tot)
			rc = rc ? rc : row_total(out, "results.total", tot);
		if (cf)
			rc = rc ? rc : row_total(out, "carried_forward", cf);
	}
	return rc;
}

static int
check_appeals(const json_t *app, json_t *out)
{
	static const char *const groups[] = {"review", "litigation_direct",
	                                     "litigation_after_review"};
	static const char *const parts[] = {"upheld", "corrected", "other",
	                                    "pending"};
	int rc = 0;

	for (size_t g = 0; g < NB_NELEM(groups) && rc == 0; g++) {
		json_t *o = json_object_get(app, groups[g]);
		json_int_t t = 0, s = 0, v;
		int e, r = 1;

		if (o == NULL)
			continue;
		e = int_of(json_object_get(o, "total"), &t);
		for (size_t p = 0; r && p < NB_NELEM(parts); p++) {
			r = int_of(json_object_get(o, parts[p]), &v);
			s += r ? v : 0;
		}
		rc = add_check(out, "appeals.group_total", "group", groups[g],
		               e, t, r, s);
	}
	return rc;
}

json_t *
indexer_checks(const json_t *rec)
{
	json_t *out = json_array();
	json_t *req = json_object_get(rec, "requests");
	json_t *app = json_object_get(rec, "appeals");

	if (out == NULL)
		return NULL;
	if ((req && check_requests(req, out) != 0) ||
	    (app && check_appeals(app, out) != 0)) {
		json_decref(out);
		return NULL;
	}
	return out;
}

int
indexer_chain_check(const json_t *prev, const json_t *cur, json_t **out)
{
	static const char *const rows2021[] = {"rules", "normative_docs"};
	static const char *const rows2019[] = {
	    "licensing", "other_services", "punishment", "compulsion", "fees"};
	const char *tp, *tc, *ap, *ac;
	json_int_t yp, yc;
	json_t *arr, *actp, *actc;
	int rc = 0;

	if (!json_is_object(prev) || !json_is_object(cur))
		return NB_EINVAL;
	ap = json_string_value(json_object_get(prev, "agency"));
	ac = json_string_value(json_object_get(cur, "agency"));
	if (ap == NULL || ac == NULL || strcmp(ap, ac) != 0 ||
	    !int_of(json_object_get(prev, "year"), &yp) ||
	    !int_of(json_object_get(cur, "year"), &yc) || yc != yp + 1)
		return NB_EINVAL;
	tp = json_string_value(json_object_get(prev, "template"));
	tc = json_string_value(json_object_get(cur, "template"));
	actp = json_object_get(prev, "active");
	actc = json_object_get(cur, "active");
	if ((arr = json_array()) == NULL)
		return NB_ENOMEM;
	if (tp && tc && strcmp(tp, "2021") == 0 && strcmp(tc, "2021") == 0) {
		for (size_t i = 0; i < NB_NELEM(rows2021) && rc == 0; i++) {
			json_t *p = json_object_get(actp, rows2021[i]);
			json_t *c = json_object_get(actc, rows2021[i]);
			json_int_t fp = 0, fc = 0, made = 0, rep = 0;
			int ok, got;

			if (p == NULL || c == NULL)
				continue;
			ok = int_of(json_object_get(p, "in_force"), &fp) &&
			     int_of(json_object_get(c, "made"), &made) &&
			     int_of(json_object_get(c, "repealed"), &rep);
			got = int_of(json_object_get(c, "in_force"), &fc);
			rc = add_check(arr, "active.in_force_chain", "row",
			               rows2021[i], ok, fp + made - rep, got,
			               fc);
		}
	} else if (tp && tc && strcmp(tp, "2019") == 0 &&
	           strcmp(tc, "2019") == 0) {
		for (size_t i = 0; i < NB_NELEM(rows2019) && rc == 0; i++) {
			json_t *p = json_object_get(actp, rows2019[i]);
			json_t *c = json_object_get(actc, rows2019[i]);
			json_int_t pp = 0, ch = 0, pc = 0;
			int ok, got;

			if (p == NULL || c == NULL)
				continue;
			ok = int_of(json_object_get(p, "prev_items"), &pp) &&
			     int_of(json_object_get(p, "change"), &ch);
			got = int_of(json_object_get(c, "prev_items"), &pc);
			rc = add_check(arr, "active.items_chain", "row",
			               rows2019[i], ok, pp + ch, got, pc);
		}
	}
	if (rc != 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}
