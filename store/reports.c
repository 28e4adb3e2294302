/*
 * reports.c - reports, their versions and summaries, agencies, the event
 * log, and the "missing" merge.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nbtime.h"
#include "store_int.h"

#define COMPRESS_OVER 512 /* smaller JSON is stored as is */

/* a summary key: be16 year, region NUL, agency NUL (stores refuse what
   is over STORE_KEY_MAX) */
#define SKEY_MAX (2 + 2 * (STORE_NAME_MAX + 1))

static const uint8_t zero_sha[STORE_SHA1_LEN];

static int
name_ok(const char *s, int empty_ok)
{
	return s != NULL && (empty_ok || *s != '\0') &&
	       strlen(s) <= STORE_NAME_MAX;
}

/* report key: agency NUL be16 year; version key: that + be32 n */
static size_t
rkey(uint8_t *k, const char *agency, int year)
{
	size_t n = strlen(agency) + 1;

	memcpy(k, agency, n);
	be16_put(k + n, year);
	return n + 2;
}

/*
 * summary key: be16 year, region NUL, agency NUL; without the agency, the
 * prefix of the region's reports for the year; without both, of the year.
 */
static size_t
skey(uint8_t *k, int year, const char *region, const char *agency)
{
	size_t n = 2, l;

	be16_put(k, year);
	if (region != NULL) {
		l = strlen(region) + 1;
		memcpy(k + n, region, l);
		n += l;
	}
	if (agency != NULL) {
		l = strlen(agency) + 1;
		memcpy(k + n, agency, l);
		n += l;
	}
	return n;
}

/* agency_region key: region NUL name NUL */
static size_t
arkey(uint8_t *k, const char *region, const char *name)
{
	size_t n = strlen(region) + 1, a = name ? strlen(name) + 1 : 0;

	memcpy(k, region, n);
	if (a)
		memcpy(k + n, name, a);
	return n + a;
}

/* report value, the head: u32 nversions, u32 latest, u64 first, u64 last,
 * region */
struct head {
	uint32_t nversions, latest;
	int64_t first_seen, last_seen;
	const char *region;
};

static int
head_decode(const MDB_val *v, struct head *h)
{
	struct dec d;

	dec_init(&d, v);
	h->nversions = dec_u32(&d);
	h->latest = dec_u32(&d);
	h->first_seen = (int64_t)dec_u64(&d);
	h->last_seen = (int64_t)dec_u64(&d);
	h->region = dec_str(&d);
	if (d.bad) {
		log_warnx("store: undecodable report entry");
		return NB_ECORRUPT;
	}
	return 0;
}

static int
head_put(struct store_txn *txn, const uint8_t *k, size_t kl,
         const struct head *h)
{
	struct nb_buf *b = &txn->tmp;
	int rc;

	nb_buf_reset(b);
	if ((rc = enc_u32(b, h->nversions)) || (rc = enc_u32(b, h->latest)) ||
	    (rc = enc_u64(b, h->first_seen)) ||
	    (rc = enc_u64(b, h->last_seen)) || (rc = enc_str(b, h->region)))
		return rc;
	return store_put(txn, DB_REPORT, k, kl, b->data, b->len, 0);
}

/*
 * version value: u64 fetched, payload sha1, record sha1, loc, u8
 * compressed, u32 raw length, url NUL, JSON (zlib or plain) to the end
 */
static int
version_fill(struct store_txn *txn, const MDB_val *v, unsigned flags,
             struct store_report *r)
{
	struct dec d;
	const uint8_t *ps, *rs;
	const void *js;
	int compressed, rc;
	uint32_t raw;
	size_t jl;

	dec_init(&d, v);
	r->fetched = (int64_t)dec_u64(&d);
	ps = dec_bytes(&d, STORE_SHA1_LEN);
	rs = dec_bytes(&d, STORE_SHA1_LEN);
	store_loc_decode(&d, &r->loc);
	compressed = dec_u8(&d);
	raw = dec_u32(&d);
	r->url = dec_str(&d);
	if (d.bad) {
		log_warnx("store: undecodable report version of %s %d",
		          r->agency, r->year);
		return NB_ECORRUPT;
	}
	memcpy(r->payload_sha1, ps, STORE_SHA1_LEN);
	memcpy(r->record_sha1, rs, STORE_SHA1_LEN);
	r->json = NULL;
	r->json_len = 0;
	if (flags & STORE_JSON) {
		js = d.p;
		jl = d.end - d.p;
		if ((rc = store_json_expand(txn, js, jl, raw, compressed,
		                            &r->json, &r->json_len)) != 0)
			return rc;
	}
	return 0;
}

static int
version_get(struct store_txn *txn, const uint8_t *rk, size_t rkl, uint32_t n,
            unsigned flags, struct store_report *r)
{
	uint8_t k[STORE_KEY_MAX];
	MDB_val v;
	int rc;

	memcpy(k, rk, rkl);
	be32_put(k + rkl, n);
	if ((rc = store_get(txn, DB_VERSION, k, rkl + 4, &v)) != 0)
		return rc == NB_ENOTFOUND ? NB_ECORRUPT : rc;
	r->version = n;
	return version_fill(txn, &v, flags, r);
}

/* r (agency and year set) from its summary value; the record too with
 * STORE_JSON */
static int
fill(struct store_txn *txn, const MDB_val *sv, unsigned flags,
     struct store_report *r)
{
	uint8_t k[STORE_KEY_MAX];
	int rc;

	if ((rc = store_sum_decode(txn, sv, r, flags & STORE_SUMMARY)) != 0 ||
	    !(flags & STORE_JSON))
		return rc;
	return version_get(txn, k, rkey(k, r->agency, r->year), r->version,
	                   STORE_JSON, r);
}

/* The latest version of the report whose key is k (agency NUL year) and
 * head v. */
static int
report_fill(struct store_txn *txn, const MDB_val *k, const MDB_val *v,
            unsigned flags, struct store_report *r)
{
	uint8_t sk[SKEY_MAX];
	struct head h;
	MDB_val sv;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = head_decode(v, &h)) != 0)
		return rc;
	if (k->mv_size < 3 ||
	    ((const char *)k->mv_data)[k->mv_size - 3] != '\0') {
		log_warnx("store: undecodable report key");
		return NB_ECORRUPT;
	}
	r->agency = k->mv_data;
	r->year = be16_get((const uint8_t *)k->mv_data + k->mv_size - 2);
	r->region = h.region;
	if ((flags & (STORE_INDEX | STORE_JSON | STORE_SUMMARY)) ==
	    STORE_INDEX) {
		r->version = h.latest;
		r->nversions = h.nversions;
		r->first_seen = h.first_seen;
		r->last_seen = h.last_seen;
		return 0;
	}
	rc = store_get(txn, DB_SUMMARY, sk,
	               skey(sk, r->year, h.region, r->agency), &sv);
	if (rc == NB_ENOTFOUND) {
		log_warnx("store: report %s %d has no summary", r->agency,
		          r->year);
		return NB_ECORRUPT;
	}
	if (rc != 0)
		return rc;
	return fill(txn, &sv, flags, r);
}

/* What the record says, without where and when it was fetched. */
static int
record_digest(const json_t *rec, uint8_t out[STORE_SHA1_LEN])
{
	json_t *c = json_copy((json_t *)rec);
	char *s;

	if (c == NULL)
		return NB_ENOMEM;
	json_object_del(c, "source");
	s = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(c);
	if (s == NULL)
		return NB_ENOMEM;
	store_sha1(s, strlen(s), out);
	free(s);
	return 0;
}

/*
 * The record as text again after a change of its source: reals with the
 * 15 significant digits the indexer writes them with when that reads back
 * the same, else with as many as it takes.
 */
static char *
record_dump(const json_t *rec)
{
	char *s = json_dumps(rec, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_t *back = s ? json_loads(s, 0, NULL) : NULL;

	if (back != NULL && json_equal(back, (json_t *)rec)) {
		json_decref(back);
		return s;
	}
	json_decref(back);
	free(s);
	return json_dumps(rec, JSON_COMPACT);
}

/* "YYYY-MM-DD" at the start of s */
static int
date_ok(const char *s)
{
	static const char pat[] = "dddd-dd-dd";

	if (s == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(pat) - 1; i++)
		if (pat[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != pat[i])
			return 0;
	return 1;
}

/* a publication date known to be earlier than b (or b knows none) */
static int
date_earlier(const char *a, const char *b)
{
	return date_ok(a) && (!date_ok(b) || strncmp(a, b, 10) < 0);
}

/* the record's source.published, if a string */
static const char *
record_published(const json_t *rec)
{
	return json_string_value(
	    json_object_get(json_object_get(rec, "source"), "published"));
}

/* set source.published of rec (an object), making "source" if need be */
static int
record_set_published(json_t *rec, const char *published)
{
	json_t *src = json_object_get(rec, "source");

	if (!json_is_object(src)) {
		if ((src = json_object()) == NULL ||
		    json_object_set_new(rec, "source", src) != 0)
			return NB_ENOMEM;
	}
	return json_object_set_new(src, "published", json_string(published))
	           ? NB_ENOMEM
	           : 0;
}

/* a version value: the fields of version_fill's comment */
static int
version_put(struct store_txn *txn, const uint8_t *vk, size_t vkl,
            int64_t fetched, const uint8_t *psha, const uint8_t *rsha,
            const struct store_loc *loc, const char *url, const char *json,
            size_t len)
{
	struct nb_buf *b = &txn->tmp;
	int rc;

	nb_buf_reset(b);
	if ((rc = enc_u64(b, fetched)) ||
	    (rc = nb_buf_add(b, psha, STORE_SHA1_LEN)) ||
	    (rc = nb_buf_add(b, rsha, STORE_SHA1_LEN)) ||
	    (rc = store_loc_encode(b, loc)) ||
	    (rc = enc_u8(b, len > COMPRESS_OVER)) || (rc = enc_u32(b, len)) ||
	    (rc = enc_str(b, url)))
		return rc;
	if (len > COMPRESS_OVER)
		rc = store_json_compress(b, json, len);
	else
		rc = nb_buf_add(b, json, len);
	if (rc != 0)
		return rc;
	return store_put(txn, DB_VERSION, vk, vkl, b->data, b->len, 0);
}

/*
 * What the summary of the latest version of (agency, year) in region says
 * about the rules of store_report_put: its publication date (copied into
 * pub, "" if none) and whether it is a record that was read (a JSON object
 * without "unparsed").
 */
static int
latest_facts(struct store_txn *txn, const char *agency, int year,
             const char *region, char pub[16], int *parsed)
{
	uint8_t k[SKEY_MAX];
	struct store_report r;
	MDB_val v;
	int rc;

	rc = store_get(txn, DB_SUMMARY, k, skey(k, year, region, agency), &v);
	if (rc != 0)
		return rc == NB_ENOTFOUND ? NB_ECORRUPT : rc;
	memset(&r, 0, sizeof(r));
	r.agency = agency;
	r.year = year;
	if ((rc = store_sum_decode(txn, &v, &r, 1)) != 0)
		return rc;
	snprintf(pub, 16, "%s",
	         date_ok(r.summary.published) ? r.summary.published : "");
	*parsed = (r.summary.flags & (STORE_SUM_RECORD | STORE_SUM_UNPARSED)) ==
	          STORE_SUM_RECORD;
	return 0;
}

/*
 * Move the latest version's source.published (record and summary) to
 * `published', in place: the content and its digest stay, no version is
 * added.
 */
static int
latest_set_published(struct store_txn *txn, const uint8_t *k, size_t kl,
                     const struct head *h, const char *agency, int year,
                     const char *published)
{
	uint8_t vk[STORE_KEY_MAX], sk[SKEY_MAX], psha[STORE_SHA1_LEN],
	    rsha[STORE_SHA1_LEN];
	struct store_report r;
	struct store_loc loc;
	struct sum_head sh;
	json_t *rec = NULL;
	char *json = NULL, *url = NULL;
	size_t skl;
	MDB_val sv;
	int64_t fetched;
	int rc;

	memset(&r, 0, sizeof(r));
	r.agency = agency;
	r.year = year;
	if ((rc = version_get(txn, k, kl, h->latest, STORE_JSON, &r)) != 0)
		return rc;
	rec = json_loadb(r.json, r.json_len, 0, NULL);
	if (!json_is_object(rec)) {
		json_decref(rec);
		return 0;
	}
	fetched = r.fetched;
	loc = r.loc;
	memcpy(psha, r.payload_sha1, STORE_SHA1_LEN);
	memcpy(rsha, r.record_sha1, STORE_SHA1_LEN);
	/* r's strings are in the map and the transaction's buffers */
	if ((url = strdup(r.url)) == NULL ||
	    (rc = record_set_published(rec, published)) != 0 ||
	    (json = record_dump(rec)) == NULL) {
		rc = NB_ENOMEM;
		goto out;
	}
	memcpy(vk, k, kl);
	be32_put(vk + kl, h->latest);
	if ((rc = version_put(txn, vk, kl + 4, fetched, psha, rsha, &loc, url,
	                      json, strlen(json))) != 0)
		goto out;
	skl = skey(sk, year, h->region, agency);
	if ((rc = store_get(txn, DB_SUMMARY, sk, skl, &sv)) != 0) {
		rc = rc == NB_ENOTFOUND ? NB_ECORRUPT : rc;
		goto out;
	}
	memset(&r, 0, sizeof(r));
	r.agency = agency;
	r.year = year;
	if ((rc = store_sum_decode(txn, &sv, &r, 0)) != 0)
		goto out;
	sh.nversions = r.nversions;
	sh.latest = r.version;
	sh.first_seen = r.first_seen;
	sh.last_seen = r.last_seen;
	sh.fetched = r.fetched;
	sh.loc = r.loc;
	sh.payload_sha1 = psha;
	sh.record_sha1 = rsha;
	sh.url = url;
	nb_buf_reset(&txn->sum);
	if ((rc = store_sum_content(&txn->sum, rec, agency, year)) != 0 ||
	    (rc = store_sum_value(&txn->tmp, &sh, txn->sum.data,
	                          txn->sum.len)) != 0)
		goto out;
	rc =
	    store_put(txn, DB_SUMMARY, sk, skl, txn->tmp.data, txn->tmp.len, 0);
out:
	json_decref(rec);
	free(json);
	free(url);
	return rc;
}

static int
agency_encode(struct nb_buf *b, const struct store_agency *a)
{
	int rc;

	nb_buf_reset(b);
	if ((rc = enc_str(b, a->region)) || (rc = enc_str(b, a->site)) ||
	    (rc = enc_u16(b, a->first_year)) ||
	    (rc = enc_u16(b, a->last_year)) || (rc = enc_u8(b, a->kind)) ||
	    (rc = enc_blob(b, a->aliases, a->aliases ? a->aliases_len : 0)))
		return rc;
	return 0;
}

static int
agency_decode(const MDB_val *k, const MDB_val *v, struct store_agency *a)
{
	struct dec d;

	(void)k;
	dec_init(&d, v);
	a->region = dec_str(&d);
	a->site = dec_str(&d);
	a->first_year = dec_u16(&d);
	a->last_year = dec_u16(&d);
	a->kind = dec_u8(&d);
	a->aliases = dec_blob(&d, &a->aliases_len);
	if (d.bad || (a->aliases_len &&
	              ((const char *)a->aliases)[a->aliases_len - 1])) {
		log_warnx("store: undecodable agency %s", a->name);
		return NB_ECORRUPT;
	}
	if (a->aliases_len == 0)
		a->aliases = "";
	return 0;
}

int
store_agency_get(struct store_txn *txn, const char *name,
                 struct store_agency *out)
{
	MDB_val v;
	int rc;

	if (!name_ok(name, 0))
		return NB_EINVAL;
	if ((rc = store_get(txn, DB_AGENCY, name, strlen(name) + 1, &v)) != 0)
		return rc;
	memset(out, 0, sizeof(*out));
	out->name = name;
	return agency_decode(NULL, &v, out);
}

/* Move every report of agency, and its summary, to region `to'. */
static int
move_reports(struct store_txn *txn, const char *agency, const char *to)
{
	uint8_t k[SKEY_MAX], rk[STORE_KEY_MAX];
	size_t al = strlen(agency) + 1;
	int years[1100], ny = 0, rc, mrc;
	MDB_cursor *c;
	MDB_val key = {al, (void *)agency}, val;

	if ((rc = store_cursor(txn, DB_REPORT, &c)) != 0)
		return rc;
	for (mrc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE);
	     mrc == 0 && ny < (int)NB_NELEM(years);
	     mrc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
		if (key.mv_size != al + 2 || memcmp(key.mv_data, agency, al))
			break;
		years[ny++] = be16_get((uint8_t *)key.mv_data + al);
	}
	mdb_cursor_close(c);
	for (int i = 0; i < ny; i++) {
		struct head h;
		MDB_val v, sv;
		size_t rkl = rkey(rk, agency, years[i]), kl;
		void *copy;

		if ((rc = store_get(txn, DB_REPORT, rk, rkl, &v)) ||
		    (rc = head_decode(&v, &h)))
			return rc;
		if (strcmp(h.region, to) == 0)
			continue;
		kl = skey(k, years[i], h.region, agency);
		if ((rc = store_get(txn, DB_SUMMARY, k, kl, &sv)) != 0)
			return rc == NB_ENOTFOUND ? NB_ECORRUPT : rc;
		/* the value lives in the page the delete rewrites */
		if ((copy = malloc(sv.mv_size)) == NULL)
			return NB_ENOMEM;
		memcpy(copy, sv.mv_data, sv.mv_size);
		sv.mv_data = copy;
		if ((rc = store_del(txn, DB_SUMMARY, k, kl)) == 0)
			rc = store_put(txn, DB_SUMMARY, k,
			               skey(k, years[i], to, agency),
			               sv.mv_data, sv.mv_size, 0);
		free(copy);
		h.region = to;
		if (rc != 0 || (rc = head_put(txn, rk, rkl, &h)) != 0)
			return rc;
	}
	return 0;
}

int
store_agency_put(struct store_txn *txn, const struct store_agency *a)
{
	uint8_t k[STORE_KEY_MAX];
	struct store_agency old;
	char *oldregion = NULL;
	const char *region = a->region ? a->region : "";
	struct store_agency n = *a;
	int rc;

	if ((rc = store_writable(txn)) != 0)
		return rc;
	if (!name_ok(a->name, 0) || !name_ok(region, 1) ||
	    !name_ok(a->site ? a->site : "", 1) ||
	    (a->aliases_len && a->aliases[a->aliases_len - 1] != '\0') ||
	    a->aliases_len > STORE_BLOB_MAX)
		return NB_EINVAL;
	n.region = region;
	rc = store_agency_get(txn, a->name, &old);
	if (rc == 0 && strcmp(old.region, region) != 0) {
		if ((oldregion = strdup(old.region)) == NULL)
			return NB_ENOMEM;
		rc = store_del(txn, DB_AGENCY_REGION, k,
		               arkey(k, oldregion, a->name));
		if (rc == 0)
			rc = move_reports(txn, a->name, region);
		free(oldregion);
		if (rc != 0)
			return rc;
	} else if (rc != 0 && rc != NB_ENOTFOUND)
		return rc;
	if ((rc = agency_encode(&txn->tmp, &n)) != 0 ||
	    (rc = store_put(txn, DB_AGENCY, a->name, strlen(a->name) + 1,
	                    txn->tmp.data, txn->tmp.len, 0)) != 0)
		return rc;
	return store_put(txn, DB_AGENCY_REGION, k, arkey(k, region, a->name),
	                 "", 0, 0);
}

int
store_agency_iter(struct store_txn *txn, const char *region,
                  store_agency_fn *cb, void *arg)
{
	uint8_t k[STORE_KEY_MAX];
	size_t pl = region ? arkey(k, region, NULL) : 0;
	MDB_cursor *c;
	MDB_val key = {pl, k}, val;
	struct store_agency a;
	int rc, mrc;

	if (region && !name_ok(region, 1))
		return NB_EINVAL;
	if ((rc = store_cursor(txn, DB_AGENCY_REGION, &c)) != 0)
		return rc;
	for (mrc =
	         mdb_cursor_get(c, &key, &val, pl ? MDB_SET_RANGE : MDB_FIRST);
	     mrc == 0; mrc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
		const char *p = key.mv_data;
		size_t rl = strnlen(p, key.mv_size);

		if (pl && (key.mv_size < pl || memcmp(p, k, pl) != 0))
			break;
		if (rl + 2 > key.mv_size) {
			rc = NB_ECORRUPT;
			break;
		}
		if ((rc = store_agency_get(txn, p + rl + 1, &a)) != 0) {
			if (rc == NB_ENOTFOUND)
				rc = NB_ECORRUPT;
			break;
		}
		if ((rc = cb(&a, arg)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_mdb_err(txn, mrc, "agency");
	return rc;
}

/* Create the agency of a report, or widen its years / learn its region. */
static int
agency_seen(struct store_txn *txn, const char *name, const char *region,
            int year)
{
	struct store_agency a;
	char *reg = NULL;
	int rc = store_agency_get(txn, name, &a);

	if (rc == NB_ENOTFOUND) {
		memset(&a, 0, sizeof(a));
		a.name = name;
		a.region = region;
		a.site = "";
		a.first_year = a.last_year = year;
		return store_agency_put(txn, &a);
	}
	if (rc != 0)
		return rc;
	if (a.first_year && a.first_year <= year && a.last_year >= year &&
	    (a.region[0] || !region[0]))
		return 0;
	if (!a.first_year || year < a.first_year)
		a.first_year = year;
	if (year > a.last_year)
		a.last_year = year;
	if (!a.region[0] && region[0])
		a.region = region;
	/* a's strings point into the map, which the put may move */
	if ((reg = strdup(a.region)) == NULL)
		return NB_ENOMEM;
	{
		char *site = strdup(a.site);
		char *al = malloc(a.aliases_len + 1);

		if (site == NULL || al == NULL) {
			free(site);
			free(al);
			free(reg);
			return NB_ENOMEM;
		}
		memcpy(al, a.aliases, a.aliases_len);
		a.region = reg;
		a.site = site;
		a.aliases = al;
		rc = store_agency_put(txn, &a);
		free(site);
		free(al);
	}
	free(reg);
	return rc;
}

/* After an unchanged capture: the last_seen of the report's summary. */
static int
summary_touch(struct store_txn *txn, const char *agency, int year,
              const char *region, int64_t last_seen)
{
	uint8_t k[SKEY_MAX];
	size_t kl = skey(k, year, region, agency);
	struct nb_buf *b = &txn->tmp;
	MDB_val v;
	int rc;

	if ((rc = store_get(txn, DB_SUMMARY, k, kl, &v)) != 0)
		return rc == NB_ENOTFOUND ? NB_ECORRUPT : rc;
	if (v.mv_size < SUM_LAST_SEEN_AT + 8)
		return NB_ECORRUPT;
	nb_buf_reset(b);
	if ((rc = nb_buf_add(b, v.mv_data, v.mv_size)) != 0)
		return rc;
	be64_put((uint8_t *)b->data + SUM_LAST_SEEN_AT, last_seen);
	return store_put(txn, DB_SUMMARY, k, kl, b->data, b->len, 0);
}

int
store_report_put(struct store_txn *txn, const struct store_report_in *in,
                 enum store_change *change, uint32_t *version)
{
	uint8_t k[STORE_KEY_MAX], vk[STORE_KEY_MAX], sk[SKEY_MAX];
	uint8_t rsha[STORE_SHA1_LEN];
	const char *region = in->region ? in->region : "";
	const char *json = in->json, *pub = NULL;
	size_t json_len = in->json_len;
	struct store_report latest;
	struct sum_head sh;
	struct head h;
	char *hregion = NULL, *redone = NULL, lpub[16] = "";
	json_t *rec = NULL;
	json_error_t err;
	size_t kl;
	MDB_val v;
	int rc, exists, given, unparsed = 0, lparsed = 0;

	if ((rc = store_writable(txn)) != 0)
		return rc;
	if (!name_ok(in->agency, 0) || !name_ok(region, 1) || in->year < 1900 ||
	    in->year > 2999 || in->json == NULL || in->json_len == 0 ||
	    in->json_len > UINT32_MAX ||
	    strlen(in->agency) + strlen(region) + 4 > STORE_KEY_MAX)
		return NB_EINVAL;
	given = memcmp(in->record_sha1, zero_sha, STORE_SHA1_LEN) != 0;
	rec = json_loadb(in->json, in->json_len, 0, &err);
	if (given) {
		/* a record that is no object is kept, and its summary says
		   so */
		memcpy(rsha, in->record_sha1, STORE_SHA1_LEN);
	} else if (rec == NULL) {
		log_warnx("store: record JSON of %s %d: %s (line %d)",
		          in->agency, in->year, err.text, err.line);
		return NB_EINVAL;
	} else if (!json_is_object(rec)) {
		log_warnx("store: record JSON of %s %d: not an object",
		          in->agency, in->year);
		json_decref(rec);
		return NB_EINVAL;
	} else if ((rc = record_digest(rec, rsha)) != 0)
		goto out;
	if (json_is_object(rec)) {
		pub = record_published(rec);
		unparsed = json_is_string(json_object_get(rec, "unparsed"));
	}
	kl = rkey(k, in->agency, in->year);
	rc = store_get(txn, DB_REPORT, k, kl, &v);
	exists = rc == 0;
	if (rc != 0 && rc != NB_ENOTFOUND)
		goto out;
	if (exists) {
		int same;

		if ((rc = head_decode(&v, &h)) != 0)
			goto out;
		/* h's region points into the map, which puts may move */
		if ((hregion = strdup(h.region)) == NULL) {
			rc = NB_ENOMEM;
			goto out;
		}
		h.region = hregion;
		memset(&latest, 0, sizeof(latest));
		latest.agency = in->agency;
		latest.year = in->year;
		if ((rc = version_get(txn, k, kl, h.latest, 0, &latest)) != 0 ||
		    (rc = latest_facts(txn, in->agency, in->year, h.region,
		                       lpub, &lparsed)) != 0)
			goto out;
		same = memcmp(latest.payload_sha1, in->payload_sha1,
		              STORE_SHA1_LEN) == 0 ||
		       memcmp(latest.record_sha1, rsha, STORE_SHA1_LEN) == 0;
		/* the same report again, or an unreadable copy of one that
		   was read (a scan beside its page): nothing new, but the
		   earliest publication date any capture shows is the
		   report's */
		if (same || (unparsed && lparsed)) {
			if (same && in->fetched > h.last_seen) {
				h.last_seen = in->fetched;
				if ((rc = head_put(txn, k, kl, &h)) != 0 ||
				    (rc = summary_touch(txn, in->agency,
				                        in->year, h.region,
				                        h.last_seen)) != 0)
					goto out;
			}
			if (date_earlier(pub, lpub) &&
			    (rc = latest_set_published(txn, k, kl, &h,
			                               in->agency, in->year,
			                               pub)) != 0)
				goto out;
			if (change)
				*change = STORE_UNCHANGED;
			if (version)
				*version = h.latest;
			goto out;
		}
		/* a new version keeps the date the report was first
		   published */
		if (json_is_object(rec) && date_earlier(lpub, pub)) {
			if ((rc = record_set_published(rec, lpub)) != 0)
				goto out;
			if ((redone = record_dump(rec)) == NULL) {
				rc = NB_ENOMEM;
				goto out;
			}
			json = redone;
			json_len = strlen(redone);
		}
		h.nversions++;
		h.latest = h.nversions;
		h.last_seen = in->fetched;
	} else {
		memset(&h, 0, sizeof(h));
		h.nversions = h.latest = 1;
		h.first_seen = h.last_seen = in->fetched;
		h.region = region;
	}
	nb_buf_reset(&txn->sum);
	if ((rc = store_sum_content(&txn->sum, rec, in->agency, in->year)) != 0)
		goto out;
	memcpy(vk, k, kl);
	be32_put(vk + kl, h.latest);
	if ((rc = version_put(txn, vk, kl + 4, in->fetched, in->payload_sha1,
	                      rsha, &in->loc, in->url, json, json_len)) != 0 ||
	    (rc = head_put(txn, k, kl, &h)) != 0)
		goto out;
	sh.nversions = h.nversions;
	sh.latest = h.latest;
	sh.first_seen = h.first_seen;
	sh.last_seen = h.last_seen;
	sh.fetched = in->fetched;
	sh.loc = in->loc;
	sh.payload_sha1 = in->payload_sha1;
	sh.record_sha1 = rsha;
	sh.url = in->url;
	if ((rc = store_sum_value(&txn->tmp, &sh, txn->sum.data,
	                          txn->sum.len)) != 0 ||
	    (rc = store_put(txn, DB_SUMMARY, sk,
	                    skey(sk, in->year, h.region, in->agency),
	                    txn->tmp.data, txn->tmp.len, 0)) != 0 ||
	    (rc = agency_seen(txn, in->agency, region, in->year)) != 0)
		goto out;
	if (change)
		*change = exists ? STORE_CHANGED : STORE_NEW;
	if (version)
		*version = h.latest;
out:
	json_decref(rec);
	free(redone);
	free(hregion);
	return rc;
}

int
store_report_published(struct store_txn *txn, const char *agency, int year,
                       const char *published, int *moved)
{
	uint8_t k[STORE_KEY_MAX];
	struct head h;
	char lpub[16], *hregion;
	size_t kl;
	MDB_val v;
	int rc, lparsed;

	if (moved)
		*moved = 0;
	if ((rc = store_writable(txn)) != 0)
		return rc;
	if (!name_ok(agency, 0) || year < 1900 || year > 2999 ||
	    !date_ok(published))
		return NB_EINVAL;
	kl = rkey(k, agency, year);
	if ((rc = store_get(txn, DB_REPORT, k, kl, &v)) != 0 ||
	    (rc = head_decode(&v, &h)) != 0)
		return rc;
	if ((hregion = strdup(h.region)) == NULL)
		return NB_ENOMEM;
	h.region = hregion;
	rc = latest_facts(txn, agency, year, h.region, lpub, &lparsed);
	if (rc == 0 && date_earlier(published, lpub)) {
		rc = latest_set_published(txn, k, kl, &h, agency, year,
		                          published);
		if (rc == 0 && moved)
			*moved = 1;
	}
	free(hregion);
	return rc;
}

int
store_report_get(struct store_txn *txn, const char *agency, int year,
                 unsigned flags, struct store_report *out)
{
	uint8_t k[STORE_KEY_MAX];
	MDB_val key, v;
	int rc;

	if (!name_ok(agency, 0) || year < 0 || year > 65535)
		return NB_EINVAL;
	key.mv_size = rkey(k, agency, year);
	if ((rc = store_get(txn, DB_REPORT, k, key.mv_size, &v)) != 0)
		return rc;
	key.mv_data = k;
	if ((rc = report_fill(txn, &key, &v, flags, out)) != 0)
		return rc;
	out->agency = agency;
	return 0;
}

int
store_report_version_get(struct store_txn *txn, const char *agency, int year,
                         uint32_t n, unsigned flags, struct store_report *out)
{
	uint8_t k[STORE_KEY_MAX];
	struct head h;
	size_t kl;
	MDB_val v;
	int rc;

	if (!name_ok(agency, 0) || year < 0 || year > 65535)
		return NB_EINVAL;
	kl = rkey(k, agency, year);
	if ((rc = store_get(txn, DB_REPORT, k, kl, &v)) != 0 ||
	    (rc = head_decode(&v, &h)) != 0)
		return rc;
	if (n == 0 || n > h.nversions)
		return NB_ENOTFOUND;
	memset(out, 0, sizeof(*out));
	out->agency = agency;
	out->year = year;
	out->region = h.region;
	out->nversions = h.nversions;
	out->first_seen = h.first_seen;
	out->last_seen = h.last_seen;
	return version_get(txn, k, kl, n, flags & STORE_JSON, out);
}

int
store_report_versions(struct store_txn *txn, const char *agency, int year,
                      unsigned flags, store_report_fn *cb, void *arg)
{
	struct store_report r;
	uint32_t n = 1;
	int rc;

	for (;; n++) {
		rc = store_report_version_get(txn, agency, year, n, flags, &r);
		if (rc == NB_ENOTFOUND)
			return n == 1 ? NB_ENOTFOUND : 0;
		if (rc != 0 || (rc = cb(&r, arg)) != 0)
			return rc;
	}
}

static int
filter_ok(const struct store_report_filter *f, const struct store_report *r)
{
	return (!f->agency || strcmp(f->agency, r->agency) == 0) &&
	       (!f->region || strcmp(f->region, r->region) == 0) &&
	       (!f->year || f->year == r->year);
}

/*
 * The reports of f->year (and f->region), a range of summary keys; or of
 * f->region in every year, a range per year: from a key of the region
 * that is done, or of one before it, seek to the region in the next year
 * or in the same one.
 */
static int
iter_summary(struct store_txn *txn, const struct store_report_filter *f,
             unsigned flags, store_report_fn *cb, void *arg)
{
	uint8_t k[SKEY_MAX];
	size_t pl = skey(k, f->year, f->region, NULL);
	MDB_cursor *c;
	MDB_val key = {pl, k}, val;
	struct store_report r;
	int rc, mrc;

	if ((rc = store_cursor(txn, DB_SUMMARY, &c)) != 0)
		return rc;
	mrc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE);
	while (mrc == 0) {
		const uint8_t *p = key.mv_data;
		const char *region = (const char *)p + 2, *agency;
		size_t n = key.mv_size, rl;
		int year, cmp;

		if (n < 4 || p[n - 1] != '\0' ||
		    (rl = strnlen(region, n - 2)) + 4 > n) {
			log_warnx("store: undecodable summary key");
			rc = NB_ECORRUPT;
			break;
		}
		year = be16_get(p);
		agency = region + rl + 1;
		if (f->year) {
			if (n < pl || memcmp(p, k, pl) != 0)
				break;
		} else if ((cmp = strcmp(region, f->region)) != 0) {
			if (cmp > 0 && year == 65535)
				break;
			key.mv_size =
			    skey(k, cmp < 0 ? year : year + 1, f->region, NULL);
			key.mv_data = k;
			mrc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE);
			continue;
		}
		memset(&r, 0, sizeof(r));
		r.agency = agency;
		r.region = region;
		r.year = year;
		if ((rc = fill(txn, &val, flags, &r)) != 0)
			break;
		if (filter_ok(f, &r) && (rc = cb(&r, arg)) != 0)
			break;
		mrc = mdb_cursor_get(c, &key, &val, MDB_NEXT);
	}
	mdb_cursor_close(c);
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_mdb_err(txn, mrc, "summary");
	return rc;
}

int
store_report_iter(struct store_txn *txn, const struct store_report_filter *f,
                  unsigned flags, store_report_fn *cb, void *arg)
{
	static const struct store_report_filter none;
	uint8_t k[STORE_KEY_MAX];
	MDB_cursor *c;
	MDB_val key, val;
	struct store_report r;
	size_t pl = 0;
	int rc, mrc;

	if (f == NULL)
		f = &none;
	if ((f->agency && !name_ok(f->agency, 0)) ||
	    (f->region && !name_ok(f->region, 1)) || f->year < 0 ||
	    f->year > 65535)
		return NB_EINVAL;
	if (!f->agency && (f->region || f->year))
		return iter_summary(txn, f, flags, cb, arg);
	if (f->agency) {
		pl = strlen(f->agency) + 1;
		memcpy(k, f->agency, pl);
	}
	if ((rc = store_cursor(txn, DB_REPORT, &c)) != 0)
		return rc;
	key.mv_size = pl;
	key.mv_data = k;
	for (mrc =
	         mdb_cursor_get(c, &key, &val, pl ? MDB_SET_RANGE : MDB_FIRST);
	     mrc == 0; mrc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
		if (pl && (key.mv_size != pl + 2 || memcmp(key.mv_data, k, pl)))
			break;
		if ((rc = report_fill(txn, &key, &val, flags, &r)) != 0)
			break;
		if (filter_ok(f, &r) && (rc = cb(&r, arg)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_mdb_err(txn, mrc, "report");
	return rc;
}

/* ------------------------------------------------------------- missing */

/* LMDB's order of keys: bytes, then the shorter first */
static int
keycmp(const void *a, size_t al, const void *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);

	return c ? c : (al > bl) - (al < bl);
}

int
store_missing(struct store_txn *txn, int year, const char *region,
              store_agency_fn *cb, void *arg)
{
	uint8_t ak[STORE_KEY_MAX], sk[SKEY_MAX];
	MDB_cursor *ac = NULL, *sc = NULL;
	MDB_val key, val, skey_, sval;
	size_t apl, spl;
	int rc, mrc, smrc;
	struct store_agency a;

	if (year < 1900 || year > 2999 || (region && !name_ok(region, 1)))
		return NB_EINVAL;
	if ((rc = store_cursor(txn, DB_AGENCY_REGION, &ac)) != 0)
		return rc;
	if ((rc = store_cursor(txn, DB_SUMMARY, &sc)) != 0) {
		mdb_cursor_close(ac);
		return rc;
	}
	/* agencies by region and name, and the year's summaries by region
	   and agency: the same order, one merge */
	apl = region ? arkey(ak, region, NULL) : 0;
	spl = skey(sk, year, region, NULL);
	skey_.mv_size = spl;
	skey_.mv_data = sk;
	smrc = mdb_cursor_get(sc, &skey_, &sval, MDB_SET_RANGE);
	key.mv_size = apl;
	key.mv_data = ak;
	for (mrc = mdb_cursor_get(ac, &key, &val,
	                          apl ? MDB_SET_RANGE : MDB_FIRST);
	     mrc == 0; mrc = mdb_cursor_get(ac, &key, &val, MDB_NEXT)) {
		const char *p = key.mv_data;
		size_t rl = strnlen(p, key.mv_size);
		int cmp = 1;

		if (apl && (key.mv_size < apl || memcmp(p, ak, apl) != 0))
			break;
		if (rl + 2 > key.mv_size || p[key.mv_size - 1] != '\0') {
			rc = NB_ECORRUPT;
			break;
		}
		while (smrc == 0) {
			if (skey_.mv_size < spl ||
			    memcmp(skey_.mv_data, sk, spl) != 0) {
				smrc = MDB_NOTFOUND;
				break;
			}
			cmp = keycmp((const uint8_t *)skey_.mv_data + 2,
			             skey_.mv_size - 2, p, key.mv_size);
			if (cmp >= 0)
				break;
			smrc = mdb_cursor_get(sc, &skey_, &sval, MDB_NEXT);
		}
		if (smrc == 0 && cmp == 0)
			continue;
		if ((rc = store_agency_get(txn, p + rl + 1, &a)) != 0) {
			if (rc == NB_ENOTFOUND)
				rc = NB_ECORRUPT;
			break;
		}
		if ((rc = cb(&a, arg)) != 0)
			break;
	}
	mdb_cursor_close(ac);
	mdb_cursor_close(sc);
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_mdb_err(txn, mrc, "agency_region");
	if (rc == 0 && smrc != 0 && smrc != MDB_NOTFOUND)
		rc = store_mdb_err(txn, smrc, "summary");
	return rc;
}

/* ---------------------------------------------------------------- events */

static const char *const ev_names[STORE_EV_LAST] = {
    [STORE_EV_NEW] = "new",
    [STORE_EV_CHANGED] = "changed",
    [STORE_EV_REMOVED] = "removed",
    [STORE_EV_BLOCKED] = "blocked",
    [STORE_EV_PARSE_FAILED] = "parse-failed",
    [STORE_EV_OVERDUE] = "overdue",
    [STORE_EV_HOST_FAILING] = "host-failing",
};

const char *
store_event_name(enum store_event_type t)
{
	if (t <= 0 || t >= STORE_EV_LAST)
		return "?";
	return ev_names[t];
}

enum store_event_type
store_event_type_parse(const char *name)
{
	for (int t = 1; t < STORE_EV_LAST; t++)
		if (strcmp(ev_names[t], name) == 0)
			return t;
	return 0;
}

/* event value: u64 time, u8 type, u16 year, agency, url, detail (NUL) */
static int
event_decode(const MDB_val *k, const MDB_val *v, struct store_event *e)
{
	struct dec d;

	if (k->mv_size != 8)
		goto bad;
	e->seq = be64_get(k->mv_data);
	dec_init(&d, v);
	e->time = (int64_t)dec_u64(&d);
	e->type = dec_u8(&d);
	e->year = dec_u16(&d);
	e->agency = dec_str(&d);
	e->url = dec_str(&d);
	e->detail = dec_str(&d);
	if (!d.bad)
		return 0;
bad:
	log_warnx("store: undecodable event");
	return NB_ECORRUPT;
}

static int
event_last(struct store_txn *txn, struct store_event *e)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc, mrc;

	if ((rc = store_cursor(txn, DB_EVENT, &c)) != 0)
		return rc;
	mrc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	if (mrc == 0)
		rc = event_decode(&k, &v, e);
	else
		rc = store_mdb_err(txn, mrc, "event");
	mdb_cursor_close(c);
	return rc;
}

int
store_event_last(struct store_txn *txn, uint64_t *seq)
{
	struct store_event e;
	int rc = event_last(txn, &e);

	if (rc == NB_ENOTFOUND) {
		*seq = 0;
		return 0;
	}
	if (rc == 0)
		*seq = e.seq;
	return rc;
}

int
store_event_append(struct store_txn *txn, const struct store_event *ev,
                   uint64_t *seq)
{
	struct store_event last;
	struct nb_buf *b = &txn->tmp;
	uint8_t k[8], tk[16];
	int64_t t = ev->time ? ev->time : nb_now_ms();
	uint64_t s = 1;
	int rc;

	if ((rc = store_writable(txn)) != 0)
		return rc;
	if (ev->type <= 0 || ev->type >= STORE_EV_LAST || ev->year < 0 ||
	    ev->year > 65535 || t < 0)
		return NB_EINVAL;
	rc = event_last(txn, &last);
	if (rc == 0) {
		s = last.seq + 1;
		if (t < last.time)
			t = last.time;
	} else if (rc != NB_ENOTFOUND)
		return rc;
	be64_put(k, s);
	nb_buf_reset(b);
	if ((rc = enc_u64(b, t)) || (rc = enc_u8(b, ev->type)) ||
	    (rc = enc_u16(b, ev->year)) || (rc = enc_str(b, ev->agency)) ||
	    (rc = enc_str(b, ev->url)) || (rc = enc_str(b, ev->detail)))
		return rc;
	if ((rc = store_put(txn, DB_EVENT, k, 8, b->data, b->len, MDB_APPEND)))
		return rc;
	be64_put(tk, t);
	be64_put(tk + 8, s);
	if ((rc = store_put(txn, DB_EVENT_TIME, tk, 16, "", 0, MDB_APPEND)))
		return rc;
	if (seq)
		*seq = s;
	return 0;
}

int
store_event_iter(struct store_txn *txn, uint64_t since, store_event_fn *cb,
                 void *arg)
{
	uint8_t k[8] = {0};
	MDB_cursor *c;
	MDB_val key = {8, k}, val;
	struct store_event e;
	int rc, mrc;

	if (since == UINT64_MAX)
		return 0;
	be64_put(k, since + 1);
	if ((rc = store_cursor(txn, DB_EVENT, &c)) != 0)
		return rc;
	for (mrc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE); mrc == 0;
	     mrc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
		if ((rc = event_decode(&key, &val, &e)) != 0 ||
		    (rc = cb(&e, arg)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (rc == 0 && mrc != MDB_NOTFOUND)
		rc = store_mdb_err(txn, mrc, "event");
	return rc;
}

int
store_event_seq_before(struct store_txn *txn, int64_t time, uint64_t *seq)
{
	uint8_t k[16];
	MDB_cursor *c;
	MDB_val key = {16, k}, val;
	int rc, mrc;

	memset(k, 0, sizeof(k));
	be64_put(k, time < 0 ? 0 : (uint64_t)time);
	if ((rc = store_cursor(txn, DB_EVENT_TIME, &c)) != 0)
		return rc;
	mrc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE);
	if (mrc == 0)
		mrc = mdb_cursor_get(c, &key, &val, MDB_PREV);
	else if (mrc == MDB_NOTFOUND)
		mrc = mdb_cursor_get(c, &key, &val, MDB_LAST);
	*seq = 0;
	if (mrc == 0 && key.mv_size == 16)
		*seq = be64_get((uint8_t *)key.mv_data + 8);
	else if (mrc != MDB_NOTFOUND)
		rc = store_mdb_err(txn, mrc, "event_time");
	mdb_cursor_close(c);
	return rc;
}

/* ------------------------------------------------------------ summaries */

int
store_sum_build(struct store_txn *txn, uint8_t *key, size_t *kl, size_t max,
                int *done)
{
	uint8_t sk[SKEY_MAX];
	MDB_cursor *c;
	MDB_val k = {*kl, key}, v;
	size_t n = 0;
	int rc = 0, mrc;

	if ((rc = store_cursor(txn, DB_REPORT, &c)) != 0)
		return rc;
	mrc = mdb_cursor_get(c, &k, &v, *kl ? MDB_SET_RANGE : MDB_FIRST);
	/* the key given was done in the batch before */
	if (mrc == 0 && *kl && k.mv_size == *kl &&
	    memcmp(k.mv_data, key, *kl) == 0)
		mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	for (; mrc == 0 && n < max;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT), n++) {
		struct store_report r;
		struct sum_head sh;
		struct head h;
		json_t *rec;

		if ((rc = head_decode(&v, &h)) != 0)
			break;
		if (k.mv_size < 3 || k.mv_size > STORE_KEY_MAX ||
		    ((const char *)k.mv_data)[k.mv_size - 3] != '\0') {
			log_warnx("store: undecodable report key");
			rc = NB_ECORRUPT;
			break;
		}
		memset(&r, 0, sizeof(r));
		r.agency = k.mv_data;
		r.year = be16_get((const uint8_t *)k.mv_data + k.mv_size - 2);
		if ((rc = version_get(txn, k.mv_data, k.mv_size, h.latest,
		                      STORE_JSON, &r)) != 0)
			break;
		rec = json_loadb(r.json, r.json_len, 0, NULL);
		nb_buf_reset(&txn->sum);
		rc = store_sum_content(&txn->sum, rec, r.agency, r.year);
		json_decref(rec);
		if (rc != 0)
			break;
		sh.nversions = h.nversions;
		sh.latest = h.latest;
		sh.first_seen = h.first_seen;
		sh.last_seen = h.last_seen;
		sh.fetched = r.fetched;
		sh.loc = r.loc;
		sh.payload_sha1 = r.payload_sha1;
		sh.record_sha1 = r.record_sha1;
		sh.url = r.url;
		if ((rc = store_sum_value(&txn->tmp, &sh, txn->sum.data,
		                          txn->sum.len)) != 0 ||
		    (rc = store_put(txn, DB_SUMMARY, sk,
		                    skey(sk, r.year, h.region, r.agency),
		                    txn->tmp.data, txn->tmp.len, 0)) != 0)
			break;
		memcpy(key, k.mv_data, k.mv_size);
		*kl = k.mv_size;
	}
	mdb_cursor_close(c);
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_mdb_err(txn, mrc, "report");
	*done = rc == 0 && mrc == MDB_NOTFOUND;
	return rc;
}
