/*
 * summary.c - a report's summary: computed from its record when the record
 * is stored, read by the country-wide queries instead of the record.
 *
 * The value (SCHEMA.md) is a fixed head with the latest version's
 * metadata, the URL, then the content.  Everything the content holds is
 * taken from the record exactly as a reader of the JSON would take it
 * (json_is_string, json_is_number, json_is_integer), so that an answer
 * from summaries is the answer from records.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"

/* content flags besides the public STORE_SUM_* ones */
#define F_TEMPLATE  0x10
#define F_PUBLISHED 0x20
#define F_TITLE     0x40

/* listed check bits */
#define C_FAILED   0x1
#define C_RULE     0x2
#define C_INSTANCE 0x4

#define MAX_LISTED 65535

static const char *const row_keys[STORE_ROW_COUNT] = {
    [STORE_ROW_RULES] = "rules",
    [STORE_ROW_NORMATIVE_DOCS] = "normative_docs",
    [STORE_ROW_LICENSING] = "licensing",
    [STORE_ROW_OTHER_SERVICES] = "other_services",
    [STORE_ROW_PUNISHMENT] = "punishment",
    [STORE_ROW_COMPULSION] = "compulsion",
    [STORE_ROW_FEES] = "fees",
};

static const char *const cell_keys[STORE_CELL_COUNT] = {
    [STORE_CELL_MADE] = "made",         [STORE_CELL_REPEALED] = "repealed",
    [STORE_CELL_IN_FORCE] = "in_force", [STORE_CELL_PREV_ITEMS] = "prev_items",
    [STORE_CELL_CHANGE] = "change",
};

/* the total column of a requests row (of group, if not NULL) */
static const json_t *
req_total(const json_t *req, const char *group, const char *row)
{
	const json_t *g = group ? json_object_get(req, group) : req;

	return json_array_get(json_object_get(g, row), 6);
}

/* o.a.b */
static const json_t *
member(const json_t *o, const char *a, const char *b)
{
	return json_object_get(json_object_get(o, a), b);
}

static int
enc_f64(struct nb_buf *b, double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));
	return enc_u64(b, u);
}

static double
dec_f64(struct dec *d)
{
	uint64_t u = dec_u64(d);
	double v;

	memcpy(&v, &u, sizeof(v));
	return v;
}

/* a check's expected or actual: its type byte now, its value later */
static int
value_type(const json_t *v)
{
	if (v == NULL || json_is_null(v))
		return STORE_SUM_NULL;
	if (json_is_integer(v))
		return STORE_SUM_INT;
	if (json_is_real(v))
		return STORE_SUM_REAL;
	return -1;
}

static int
enc_value(struct nb_buf *b, const json_t *v)
{
	if (json_is_integer(v))
		return enc_svar(b, json_integer_value(v));
	if (json_is_real(v))
		return enc_f64(b, json_real_value(v));
	return 0;
}

static const char *
instance_of(const json_t *check)
{
	static const char *const where[] = {"column", "row", "group"};

	for (size_t i = 0; i < NB_NELEM(where); i++) {
		const json_t *w = json_object_get(check, where[i]);

		if (json_is_string(w))
			return json_string_value(w);
	}
	return NULL;
}

/* The "checks" part: counts, then the checks that are not ok. */
static int
enc_checks(struct nb_buf *b, const json_t *checks, unsigned *flags)
{
	uint32_t total = 0, failed = 0, unknown = 0, listed = 0;
	const json_t *ck;
	size_t i;
	int rc;

	json_array_foreach(checks, i, ck)
	{
		const json_t *ok = json_object_get(ck, "ok");

		total++;
		if (json_is_false(ok))
			failed++;
		else if (!json_is_true(ok))
			unknown++;
		else
			continue;
		if (value_type(json_object_get(ck, "expected")) < 0 ||
		    value_type(json_object_get(ck, "actual")) < 0)
			*flags &= ~STORE_SUM_CHECKS;
	}
	if (failed + unknown > MAX_LISTED)
		*flags &= ~STORE_SUM_CHECKS;
	if (*flags & STORE_SUM_CHECKS)
		listed = failed + unknown;
	if ((rc = enc_svar(b, total)) || (rc = enc_svar(b, failed)) ||
	    (rc = enc_svar(b, unknown)) || (rc = enc_u16(b, listed)))
		return rc;
	json_array_foreach(checks, i, ck)
	{
		const json_t *ok = json_object_get(ck, "ok");
		const json_t *e = json_object_get(ck, "expected");
		const json_t *a = json_object_get(ck, "actual");
		const json_t *rule = json_object_get(ck, "rule");
		const char *inst = instance_of(ck);
		uint8_t bits;

		if (listed == 0)
			break;
		if (json_is_true(ok))
			continue;
		bits = (json_is_false(ok) ? C_FAILED : 0) |
		       (json_is_string(rule) ? C_RULE : 0) |
		       (inst ? C_INSTANCE : 0);
		if ((rc = enc_u8(b, bits)) || (rc = enc_u8(b, value_type(e))) ||
		    (rc = enc_u8(b, value_type(a))) || (rc = enc_value(b, e)) ||
		    (rc = enc_value(b, a)) ||
		    ((bits & C_RULE) &&
		     (rc = enc_str(b, json_string_value(rule)))) ||
		    ((bits & C_INSTANCE) && (rc = enc_str(b, inst))))
			return rc;
	}
	return 0;
}

int
store_sum_content(struct nb_buf *b, const json_t *rec, const char *agency,
                  int year)
{
	const json_t *nums[STORE_NUM_COUNT], *act, *req, *ap, *v;
	const char *tpl, *pub, *title;
	unsigned flags = 0, nmask = 0, rmask = 0, imask = 0;
	uint64_t cmask = 0;
	size_t at;
	int rc;

	/* a record that is no object has nothing: flags 0 and zeros */
	if (json_is_object(rec))
		flags = STORE_SUM_RECORD | STORE_SUM_CHECKS;
	else
		rec = NULL;
	v = json_object_get(rec, "agency");
	if (json_is_string(v) && strcmp(json_string_value(v), agency) == 0)
		flags |= STORE_SUM_AGENCY;
	v = json_object_get(rec, "year");
	if (json_is_integer(v) && json_integer_value(v) == year)
		flags |= STORE_SUM_YEAR;
	if (json_is_string(json_object_get(rec, "unparsed")))
		flags |= STORE_SUM_UNPARSED;
	tpl = json_string_value(json_object_get(rec, "template"));
	pub = json_string_value(member(rec, "source", "published"));
	title = json_string_value(json_object_get(rec, "title"));
	flags |= (tpl ? F_TEMPLATE : 0) | (pub ? F_PUBLISHED : 0) |
	         (title ? F_TITLE : 0);

	req = json_object_get(rec, "requests");
	act = json_object_get(rec, "active");
	ap = json_object_get(rec, "appeals");
	nums[STORE_NUM_REQ_NEW] = req_total(req, NULL, "new");
	nums[STORE_NUM_REQ_GRANTED] = req_total(req, "results", "granted");
	nums[STORE_NUM_REQ_PARTIAL] =
	    req_total(req, "results", "partially_granted");
	nums[STORE_NUM_REQ_RESULTS] = req_total(req, "results", "total");
	nums[STORE_NUM_LICENSING] = member(act, "licensing", "decisions");
	nums[STORE_NUM_PUNISHMENT] = member(act, "punishment", "decisions");
	nums[STORE_NUM_COMPULSION] = member(act, "compulsion", "decisions");
	nums[STORE_NUM_REVIEW] = member(ap, "review", "total");
	nums[STORE_NUM_LIT_DIRECT] = member(ap, "litigation_direct", "total");
	nums[STORE_NUM_LIT_AFTER] =
	    member(ap, "litigation_after_review", "total");
	for (int i = 0; i < STORE_NUM_COUNT; i++) {
		if (json_is_number(nums[i]))
			nmask |= 1u << i;
		if (json_is_integer(nums[i]))
			imask |= 1u << i;
	}
	for (int r = 0; r < STORE_ROW_COUNT; r++) {
		const json_t *row = json_object_get(act, row_keys[r]);

		if (row == NULL)
			continue;
		rmask |= 1u << r;
		for (int c = 0; c < STORE_CELL_COUNT; c++)
			if (json_is_integer(json_object_get(row, cell_keys[c])))
				cmask |= 1ull << (r * STORE_CELL_COUNT + c);
	}

	/* the flags byte is written last: enc_checks may clear one */
	at = b->len;
	if ((rc = enc_u8(b, 0)) != 0 ||
	    (rc = enc_checks(b, json_object_get(rec, "checks"), &flags)) != 0)
		return rc;
	b->data[at] = (char)flags;
	/* numbers: integers as varints, reals as doubles */
	if ((rc = enc_u16(b, nmask)) || (rc = enc_u16(b, imask)))
		return rc;
	for (int i = 0; i < STORE_NUM_COUNT; i++) {
		if (!(nmask & 1u << i))
			continue;
		if (imask & 1u << i)
			rc = enc_svar(b, json_integer_value(nums[i]));
		else
			rc = enc_f64(b, json_number_value(nums[i]));
		if (rc != 0)
			return rc;
	}
	if ((rc = enc_u8(b, rmask)) || (rc = enc_u64(b, cmask)))
		return rc;
	for (int r = 0; r < STORE_ROW_COUNT; r++)
		for (int c = 0; c < STORE_CELL_COUNT; c++) {
			const json_t *row = json_object_get(act, row_keys[r]);

			if (!(cmask & 1ull << (r * STORE_CELL_COUNT + c)))
				continue;
			if ((rc =
			         enc_svar(b, json_integer_value(json_object_get(
			                         row, cell_keys[c])))) != 0)
				return rc;
		}
	if ((tpl && (rc = enc_str(b, tpl))) ||
	    (pub && (rc = enc_str(b, pub))) ||
	    (title && (rc = enc_str(b, title))))
		return rc;
	return 0;
}

int
store_sum_value(struct nb_buf *b, const struct sum_head *h, const void *content,
                size_t len)
{
	int rc;

	nb_buf_reset(b);
	if ((rc = enc_u8(b, SUM_FORMAT)) || (rc = enc_u8(b, 0)) ||
	    (rc = enc_u32(b, h->nversions)) || (rc = enc_u32(b, h->latest)) ||
	    (rc = enc_u64(b, h->first_seen)) ||
	    (rc = enc_u64(b, h->last_seen)) || (rc = enc_u64(b, h->fetched)) ||
	    (rc = store_loc_encode(b, &h->loc)) ||
	    (rc = nb_buf_add(b, h->payload_sha1, STORE_SHA1_LEN)) ||
	    (rc = nb_buf_add(b, h->record_sha1, STORE_SHA1_LEN)) ||
	    (rc = enc_str(b, h->url)) || (rc = nb_buf_add(b, content, len)))
		return rc;
	return 0;
}

static void
dec_value(struct dec *d, uint8_t type, struct store_sum_value *v)
{
	memset(v, 0, sizeof(*v));
	switch (type) {
	case STORE_SUM_NULL:
		break;
	case STORE_SUM_INT:
		v->type = STORE_SUM_INT;
		v->i = dec_svar(d);
		break;
	case STORE_SUM_REAL:
		v->type = STORE_SUM_REAL;
		v->r = dec_f64(d);
		break;
	default:
		d->bad = 1;
	}
}

/* the content part, from d's position to the end */
static int
dec_content(struct store_txn *txn, struct dec *d, struct store_summary *s)
{
	struct store_sum_check *ck;
	unsigned flags, listed, nmask, imask, rmask;
	uint64_t cmask;

	memset(s, 0, sizeof(*s));
	flags = dec_u8(d);
	s->flags =
	    flags & (STORE_SUM_RECORD | STORE_SUM_AGENCY | STORE_SUM_YEAR |
	             STORE_SUM_CHECKS | STORE_SUM_UNPARSED);
	s->nchecks = (unsigned)dec_svar(d);
	s->nfailed = (unsigned)dec_svar(d);
	s->nunknown = (unsigned)dec_svar(d);
	listed = dec_u16(d);
	if (listed > txn->notok_cap) {
		ck = realloc(txn->notok, listed * sizeof(*ck));
		if (ck == NULL)
			return NB_ENOMEM;
		txn->notok = ck;
		txn->notok_cap = listed;
	}
	ck = txn->notok;
	for (unsigned i = 0; i < listed && !d->bad; i++) {
		uint8_t bits = dec_u8(d), te = dec_u8(d), ta = dec_u8(d);

		ck[i].failed = (bits & C_FAILED) != 0;
		dec_value(d, te, &ck[i].expected);
		dec_value(d, ta, &ck[i].actual);
		ck[i].rule = bits & C_RULE ? dec_str(d) : NULL;
		ck[i].instance = bits & C_INSTANCE ? dec_str(d) : NULL;
	}
	s->notok = listed ? ck : NULL;
	s->nnotok = listed;
	nmask = dec_u16(d);
	imask = dec_u16(d);
	s->num_mask = nmask & ((1u << STORE_NUM_COUNT) - 1);
	for (int i = 0; i < STORE_NUM_COUNT; i++)
		if (nmask & 1u << i)
			s->num[i] =
			    imask & 1u << i ? (double)dec_svar(d) : dec_f64(d);
	rmask = dec_u8(d);
	cmask = dec_u64(d);
	s->row_mask = rmask & ((1u << STORE_ROW_COUNT) - 1);
	s->cell_mask =
	    cmask & ((1ull << STORE_ROW_COUNT * STORE_CELL_COUNT) - 1);
	for (int r = 0; r < STORE_ROW_COUNT; r++)
		for (int c = 0; c < STORE_CELL_COUNT; c++)
			if (cmask & 1ull << (r * STORE_CELL_COUNT + c))
				s->cell[r][c] = dec_svar(d);
	s->template = flags & F_TEMPLATE ? dec_str(d) : NULL;
	s->published = flags & F_PUBLISHED ? dec_str(d) : NULL;
	s->title = flags & F_TITLE ? dec_str(d) : NULL;
	if (d->bad || d->p != d->end) {
		memset(s, 0, sizeof(*s));
		return NB_ECORRUPT;
	}
	return 0;
}

int
store_sum_decode(struct store_txn *txn, const MDB_val *v,
                 struct store_report *r, int content)
{
	struct dec d;
	const uint8_t *ps, *rs;
	int rc;

	dec_init(&d, v);
	if (dec_u8(&d) != SUM_FORMAT)
		goto bad;
	dec_u8(&d);
	r->nversions = dec_u32(&d);
	r->version = dec_u32(&d);
	r->first_seen = (int64_t)dec_u64(&d);
	r->last_seen = (int64_t)dec_u64(&d);
	r->fetched = (int64_t)dec_u64(&d);
	store_loc_decode(&d, &r->loc);
	ps = dec_bytes(&d, STORE_SHA1_LEN);
	rs = dec_bytes(&d, STORE_SHA1_LEN);
	r->url = dec_str(&d);
	if (d.bad)
		goto bad;
	memcpy(r->payload_sha1, ps, STORE_SHA1_LEN);
	memcpy(r->record_sha1, rs, STORE_SHA1_LEN);
	if (!content)
		return 0;
	if ((rc = dec_content(txn, &d, &r->summary)) != NB_ECORRUPT)
		return rc;
bad:
	log_warnx("store: undecodable summary of %s %d", r->agency, r->year);
	return NB_ECORRUPT;
}

int
store_summary_compute(struct store_txn *txn, const char *agency, int year,
                      const char *json, size_t len, struct store_summary *out)
{
	json_t *rec = json_loadb(json, len, 0, NULL);
	struct nb_buf *b = &txn->sum;
	MDB_val v;
	struct dec d;
	int rc;

	nb_buf_reset(b);
	rc = store_sum_content(b, rec, agency, year);
	json_decref(rec);
	if (rc != 0)
		return rc;
	v.mv_data = b->data;
	v.mv_size = b->len;
	dec_init(&d, &v);
	return dec_content(txn, &d, out);
}
