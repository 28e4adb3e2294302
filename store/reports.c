/*
 * reports.c - reports and their versions, agencies, the event log, and the
 * "missing" merge.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nbtime.h"
#include "store_int.h"

#define COMPRESS_OVER 512 /* smaller JSON is stored as is */

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

/* report_region key: region NUL be16 year agency NUL */
static size_t
rrkey(uint8_t *k, const char *region, int year, const char *agency)
{
	size_t n = strlen(region) + 1, a = agency ? strlen(agency) + 1 : 0;

	memcpy(k, region, n);
	if (year < 0)
		return n;
	be16_put(k + n, year);
	if (a)
		memcpy(k + n + 2, agency, a);
	return n + 2 + a;
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

/* report value: u32 nversions, u32 latest, u64 first, u64 last, region */
struct summary {
	uint32_t nversions, latest;
	int64_t first_seen, last_seen;
	const char *region;
};

static int
summary_decode(const MDB_val *v, struct summary *s)
{
	struct dec d;

	dec_init(&d, v);
	s->nversions = dec_u32(&d);
	s->latest = dec_u32(&d);
	s->first_seen = (int64_t)dec_u64(&d);
	s->last_seen = (int64_t)dec_u64(&d);
	s->region = dec_str(&d);
	if (d.bad) {
		log_warnx("store: undecodable report summary");
		return NB_ECORRUPT;
	}
	return 0;
}

static int
summary_put(struct store_txn *txn, const uint8_t *k, size_t kl,
            const struct summary *s)
{
	struct nb_buf *b = &txn->tmp;
	int rc;

	nb_buf_reset(b);
	if ((rc = enc_u32(b, s->nversions)) || (rc = enc_u32(b, s->latest)) ||
	    (rc = enc_u64(b, s->first_seen)) ||
	    (rc = enc_u64(b, s->last_seen)) || (rc = enc_str(b, s->region)))
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

/* Latest version of the report whose key is k (agency NUL year). */
static int
report_fill(struct store_txn *txn, const MDB_val *k, const MDB_val *v,
            unsigned flags, struct store_report *r)
{
	struct summary s;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = summary_decode(v, &s)) != 0)
		return rc;
	if (k->mv_size < 3) {
		log_warnx("store: undecodable report key");
		return NB_ECORRUPT;
	}
	r->agency = k->mv_data;
	r->year = be16_get((const uint8_t *)k->mv_data + k->mv_size - 2);
	r->region = s.region;
	r->nversions = s.nversions;
	r->first_seen = s.first_seen;
	r->last_seen = s.last_seen;
	return version_get(txn, k->mv_data, k->mv_size, s.latest, flags, r);
}

/* What the record says, without where and when it was fetched. */
static int
record_digest(const char *json, size_t len, uint8_t out[STORE_SHA1_LEN])
{
	json_error_t err;
	json_t *j = json_loadb(json, len, 0, &err);
	char *s;

	if (j == NULL || !json_is_object(j)) {
		log_warnx("store: record JSON: %s (line %d)", err.text,
		          err.line);
		json_decref(j);
		return NB_EINVAL;
	}
	json_object_del(j, "source");
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	if (s == NULL)
		return NB_ENOMEM;
	store_sha1(s, strlen(s), out);
	free(s);
	return 0;
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

/* Move every report of agency from region `from' to `to'. */
static int
move_reports(struct store_txn *txn, const char *agency, const char *from,
             const char *to)
{
	uint8_t k[STORE_KEY_MAX], rk[STORE_KEY_MAX];
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
		struct summary s;
		MDB_val v;
		size_t rkl = rkey(rk, agency, years[i]);

		rc = store_del(txn, DB_REPORT_REGION, k,
		               rrkey(k, from, years[i], agency));
		if (rc != 0 && rc != NB_ENOTFOUND)
			return rc;
		if ((rc =
		         store_put(txn, DB_REPORT_REGION, k,
		                   rrkey(k, to, years[i], agency), "", 0, 0)) ||
		    (rc = store_get(txn, DB_REPORT, rk, rkl, &v)) ||
		    (rc = summary_decode(&v, &s)))
			return rc;
		s.region = to;
		if ((rc = summary_put(txn, rk, rkl, &s)) != 0)
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
			rc = move_reports(txn, a->name, oldregion, region);
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

int
store_report_put(struct store_txn *txn, const struct store_report_in *in,
                 enum store_change *change, uint32_t *version)
{
	uint8_t k[STORE_KEY_MAX], vk[STORE_KEY_MAX], rsha[STORE_SHA1_LEN];
	const char *region = in->region ? in->region : "";
	struct store_report latest;
	struct summary s;
	struct nb_buf *b = &txn->tmp;
	char *sregion = NULL;
	size_t kl;
	MDB_val v;
	int rc, exists;

	if ((rc = store_writable(txn)) != 0)
		return rc;
	if (!name_ok(in->agency, 0) || !name_ok(region, 1) || in->year < 1900 ||
	    in->year > 2999 || in->json == NULL || in->json_len == 0 ||
	    in->json_len > UINT32_MAX)
		return NB_EINVAL;
	if (memcmp(in->record_sha1, zero_sha, STORE_SHA1_LEN) != 0)
		memcpy(rsha, in->record_sha1, STORE_SHA1_LEN);
	else if ((rc = record_digest(in->json, in->json_len, rsha)) != 0)
		return rc;
	kl = rkey(k, in->agency, in->year);
	rc = store_get(txn, DB_REPORT, k, kl, &v);
	exists = rc == 0;
	if (rc != 0 && rc != NB_ENOTFOUND)
		return rc;
	if (exists) {
		if ((rc = summary_decode(&v, &s)) != 0)
			return rc;
		memset(&latest, 0, sizeof(latest));
		latest.agency = in->agency;
		latest.year = in->year;
		if ((rc = version_get(txn, k, kl, s.latest, 0, &latest)) != 0)
			return rc;
		if (memcmp(latest.payload_sha1, in->payload_sha1,
		           STORE_SHA1_LEN) == 0 ||
		    memcmp(latest.record_sha1, rsha, STORE_SHA1_LEN) == 0) {
			if (in->fetched > s.last_seen) {
				if ((sregion = strdup(s.region)) == NULL)
					return NB_ENOMEM;
				s.region = sregion;
				s.last_seen = in->fetched;
				rc = summary_put(txn, k, kl, &s);
				free(sregion);
				if (rc != 0)
					return rc;
			}
			if (change)
				*change = STORE_UNCHANGED;
			if (version)
				*version = s.latest;
			return 0;
		}
		if ((sregion = strdup(s.region)) == NULL)
			return NB_ENOMEM;
		s.region = sregion;
		s.nversions++;
		s.latest = s.nversions;
		s.last_seen = in->fetched;
	} else {
		memset(&s, 0, sizeof(s));
		s.nversions = s.latest = 1;
		s.first_seen = s.last_seen = in->fetched;
		s.region = region;
	}

	memcpy(vk, k, kl);
	be32_put(vk + kl, s.latest);
	nb_buf_reset(b);
	if ((rc = enc_u64(b, in->fetched)) ||
	    (rc = nb_buf_add(b, in->payload_sha1, STORE_SHA1_LEN)) ||
	    (rc = nb_buf_add(b, rsha, STORE_SHA1_LEN)) ||
	    (rc = store_loc_encode(b, &in->loc)) ||
	    (rc = enc_u8(b, in->json_len > COMPRESS_OVER)) ||
	    (rc = enc_u32(b, in->json_len)) || (rc = enc_str(b, in->url)))
		goto out;
	if (in->json_len > COMPRESS_OVER)
		rc = store_json_compress(b, in->json, in->json_len);
	else
		rc = nb_buf_add(b, in->json, in->json_len);
	if (rc != 0 ||
	    (rc = store_put(txn, DB_VERSION, vk, kl + 4, b->data, b->len, 0)) !=
	        0 ||
	    (rc = summary_put(txn, k, kl, &s)) != 0)
		goto out;
	if (!exists &&
	    (rc = store_put(txn, DB_REPORT_REGION, vk,
	                    rrkey(vk, region, in->year, in->agency), "", 0, 0)))
		goto out;
	if ((rc = agency_seen(txn, in->agency, region, in->year)) != 0)
		goto out;
	if (change)
		*change = exists ? STORE_CHANGED : STORE_NEW;
	if (version)
		*version = s.latest;
out:
	free(sregion);
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
	struct summary s;
	size_t kl;
	MDB_val v;
	int rc;

	if (!name_ok(agency, 0) || year < 0 || year > 65535)
		return NB_EINVAL;
	kl = rkey(k, agency, year);
	if ((rc = store_get(txn, DB_REPORT, k, kl, &v)) != 0 ||
	    (rc = summary_decode(&v, &s)) != 0)
		return rc;
	if (n == 0 || n > s.nversions)
		return NB_ENOTFOUND;
	memset(out, 0, sizeof(*out));
	out->agency = agency;
	out->year = year;
	out->region = s.region;
	out->nversions = s.nversions;
	out->first_seen = s.first_seen;
	out->last_seen = s.last_seen;
	return version_get(txn, k, kl, n, flags, out);
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

/* Visit the reports listed by report_region keys under prefix. */
static int
iter_region(struct store_txn *txn, const struct store_report_filter *f,
            const uint8_t *pfx, size_t pl, int one_region, unsigned flags,
            store_report_fn *cb, void *arg)
{
	uint8_t k[STORE_KEY_MAX], rk[STORE_KEY_MAX];
	MDB_cursor *c;
	MDB_val key, val, v, rkv;
	struct store_report r;
	int rc, mrc;

	if (pl)
		memcpy(k, pfx, pl);
	key.mv_size = pl;
	key.mv_data = k;
	if ((rc = store_cursor(txn, DB_REPORT_REGION, &c)) != 0)
		return rc;
	mrc = mdb_cursor_get(c, &key, &val, pl ? MDB_SET_RANGE : MDB_FIRST);
	while (mrc == 0) {
		const char *p = key.mv_data, *agency;
		size_t rl = strnlen(p, key.mv_size);
		int year;

		if (pl && (key.mv_size < pl || memcmp(p, pfx, pl) != 0))
			break;
		if (rl + 4 > key.mv_size || p[key.mv_size - 1] != '\0') {
			rc = NB_ECORRUPT;
			break;
		}
		year = be16_get((const uint8_t *)p + rl + 1);
		agency = p + rl + 3;
		if (f->year && year != f->year && !one_region) {
			/* jump to (this region, year) or the next region */
			size_t n = rl + 1;

			memcpy(k, p, n);
			if (year < f->year) {
				be16_put(k + n, f->year);
				key.mv_size = n + 2;
			} else {
				k[rl] = 1;
				key.mv_size = n;
			}
			key.mv_data = k;
			mrc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE);
			continue;
		}
		rkv.mv_size = rkey(rk, agency, year);
		rkv.mv_data = rk;
		if ((rc = store_get(txn, DB_REPORT, rk, rkv.mv_size, &v)) !=
		    0) {
			if (rc == NB_ENOTFOUND)
				rc = NB_ECORRUPT;
			break;
		}
		if ((rc = report_fill(txn, &rkv, &v, flags, &r)) != 0)
			break;
		r.agency = agency;
		if (filter_ok(f, &r) && (rc = cb(&r, arg)) != 0)
			break;
		mrc = mdb_cursor_get(c, &key, &val, MDB_NEXT);
	}
	mdb_cursor_close(c);
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_mdb_err(txn, mrc, "report_region");
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
	    (f->region && !name_ok(f->region, 1)))
		return NB_EINVAL;
	if (!f->agency && f->region) {
		pl = rrkey(k, f->region, f->year ? f->year : -1, NULL);
		return iter_region(txn, f, k, pl, 1, flags, cb, arg);
	}
	if (!f->agency && f->year)
		return iter_region(txn, f, NULL, 0, 0, flags, cb, arg);
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

int
store_missing(struct store_txn *txn, int year, const char *region,
              store_agency_fn *cb, void *arg)
{
	uint8_t ak[STORE_KEY_MAX], rk[STORE_KEY_MAX];
	MDB_cursor *ac = NULL, *rc_ = NULL;
	MDB_val key, val, rkey_, rval;
	const char *cur_region = NULL;
	size_t apl;
	int rc, mrc, rmrc = MDB_NOTFOUND;
	struct store_agency a;

	if (year < 1900 || year > 2999 || (region && !name_ok(region, 1)))
		return NB_EINVAL;
	if ((rc = store_cursor(txn, DB_AGENCY_REGION, &ac)) != 0)
		return rc;
	if ((rc = store_cursor(txn, DB_REPORT_REGION, &rc_)) != 0) {
		mdb_cursor_close(ac);
		return rc;
	}
	apl = region ? arkey(ak, region, NULL) : 0;
	key.mv_size = apl;
	key.mv_data = ak;
	for (mrc = mdb_cursor_get(ac, &key, &val,
	                          apl ? MDB_SET_RANGE : MDB_FIRST);
	     mrc == 0; mrc = mdb_cursor_get(ac, &key, &val, MDB_NEXT)) {
		const char *p = key.mv_data, *name;
		size_t rl = strnlen(p, key.mv_size);
		int cmp = 1;

		if (apl && (key.mv_size < apl || memcmp(p, ak, apl) != 0))
			break;
		if (rl + 2 > key.mv_size || p[key.mv_size - 1] != '\0') {
			rc = NB_ECORRUPT;
			break;
		}
		name = p + rl + 1;
		if (cur_region == NULL || strcmp(cur_region, p) != 0) {
			/* a new region: the reports cursor to (region, year) */
			cur_region = p;
			rkey_.mv_size = rrkey(rk, p, year, NULL);
			rkey_.mv_data = rk;
			rmrc =
			    mdb_cursor_get(rc_, &rkey_, &rval, MDB_SET_RANGE);
		}
		/* advance the reports of (region, year) up to this name */
		while (rmrc == 0) {
			const char *q = rkey_.mv_data;
			size_t ql = strnlen(q, rkey_.mv_size);

			if (ql != rl || memcmp(q, p, rl) != 0 ||
			    rkey_.mv_size < ql + 4 ||
			    be16_get((const uint8_t *)q + ql + 1) != year) {
				rmrc = MDB_NOTFOUND;
				break;
			}
			cmp = strcmp(q + ql + 3, name);
			if (cmp >= 0)
				break;
			rmrc = mdb_cursor_get(rc_, &rkey_, &rval, MDB_NEXT);
		}
		if (rmrc == 0 && cmp == 0)
			continue;
		if ((rc = store_agency_get(txn, name, &a)) != 0) {
			if (rc == NB_ENOTFOUND)
				rc = NB_ECORRUPT;
			break;
		}
		if ((rc = cb(&a, arg)) != 0)
			break;
	}
	mdb_cursor_close(ac);
	mdb_cursor_close(rc_);
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_mdb_err(txn, mrc, "agency_region");
	if (rc == 0 && rmrc != 0 && rmrc != MDB_NOTFOUND)
		rc = store_mdb_err(txn, rmrc, "report_region");
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
