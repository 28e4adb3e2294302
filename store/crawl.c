/*
 * crawl.c - what the crawler keeps: URL state and the frontier.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"

#define URL_KEY_MAX 480

/* ------------------------------------------------------------ URL state */

/*
 * Value: u16 status, u32 errors, u64 last, u64 next, sha1[20], loc,
 * etag NUL, last-modified NUL, u32 blob length, blob.
 */
static int
url_decode(const MDB_val *v, struct store_url *u)
{
	struct dec d;
	const uint8_t *sha;

	dec_init(&d, v);
	u->status = dec_u16(&d);
	u->errors = dec_u32(&d);
	u->last_fetch = (int64_t)dec_u64(&d);
	u->next_fetch = (int64_t)dec_u64(&d);
	sha = dec_bytes(&d, STORE_SHA1_LEN);
	store_loc_decode(&d, &u->loc);
	u->etag = dec_str(&d);
	u->last_modified = dec_str(&d);
	u->blob = dec_blob(&d, &u->blob_len);
	if (d.bad) {
		log_warnx("store: undecodable URL state");
		return NB_ECORRUPT;
	}
	memcpy(u->payload_sha1, sha, STORE_SHA1_LEN);
	return 0;
}

int
store_url_get(struct store_txn *txn, const char *url, struct store_url *out)
{
	uint8_t k[STORE_KEY_MAX];
	size_t kl;
	MDB_val v;
	int rc;

	if (url == NULL || *url == '\0')
		return NB_EINVAL;
	kl = store_textkey(url, URL_KEY_MAX, k);
	if ((rc = store_get(txn, DB_URL, k, kl, &v)) != 0)
		return rc;
	return url_decode(&v, out);
}

int
store_url_put(struct store_txn *txn, const char *url, const struct store_url *u)
{
	uint8_t k[STORE_KEY_MAX];
	struct nb_buf *b = &txn->tmp;
	size_t kl;
	int rc;

	if ((rc = store_writable(txn)) != 0)
		return rc;
	if (url == NULL || *url == '\0' || u->blob_len > STORE_BLOB_MAX ||
	    u->status < 0 || u->status > 65535)
		return NB_EINVAL;
	kl = store_textkey(url, URL_KEY_MAX, k);
	nb_buf_reset(b);
	if ((rc = enc_u16(b, u->status)) || (rc = enc_u32(b, u->errors)) ||
	    (rc = enc_u64(b, u->last_fetch)) ||
	    (rc = enc_u64(b, u->next_fetch)) ||
	    (rc = nb_buf_add(b, u->payload_sha1, STORE_SHA1_LEN)) ||
	    (rc = store_loc_encode(b, &u->loc)) || (rc = enc_str(b, u->etag)) ||
	    (rc = enc_str(b, u->last_modified)) ||
	    (rc = enc_blob(b, u->blob, u->blob_len)))
		return rc;
	return store_put(txn, DB_URL, k, kl, b->data, b->len, 0);
}

int
store_url_del(struct store_txn *txn, const char *url)
{
	uint8_t k[STORE_KEY_MAX];
	int rc;

	if ((rc = store_writable(txn)) != 0)
		return rc;
	return store_del(txn, DB_URL, k, store_textkey(url, URL_KEY_MAX, k));
}

int
store_url_iter(struct store_txn *txn, const char *prefix, store_url_fn *cb,
               void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	struct store_url u;
	size_t pl = prefix ? strlen(prefix) : 0;
	char *url = NULL;
	int rc, mrc;

	if ((rc = store_cursor(txn, DB_URL, &c)) != 0)
		return rc;
	k.mv_size = pl;
	k.mv_data = (void *)prefix;
	for (mrc = mdb_cursor_get(c, &k, &v, pl ? MDB_SET_RANGE : MDB_FIRST);
	     mrc == 0; mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		char *nu;

		if (pl &&
		    (k.mv_size < pl || memcmp(k.mv_data, prefix, pl) != 0))
			break;
		if ((rc = url_decode(&v, &u)) != 0)
			break;
		/* keys are not NUL-terminated: hand out a copy */
		if ((nu = realloc(url, k.mv_size + 1)) == NULL) {
			rc = NB_ENOMEM;
			break;
		}
		url = nu;
		memcpy(url, k.mv_data, k.mv_size);
		url[k.mv_size] = '\0';
		if ((rc = cb(url, &u, arg)) != 0)
			break;
	}
	free(url);
	mdb_cursor_close(c);
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_mdb_err(txn, mrc, "url");
	return rc;
}

/* ------------------------------------------------------------- frontier */

/*
 * frontier key: site NUL host NUL u8 (255 - prio) be64 due sha1(url)
 * frontier value: url NUL, u32 blob length, blob
 * frontier_url: sha1(url) -> the frontier key
 */
#define FKEY_TAIL (1 + 8 + STORE_SHA1_LEN)

static size_t
fkey_prefix(uint8_t *k, const char *site, const char *host)
{
	size_t n = 0, l;

	if (site == NULL)
		return 0;
	l = strlen(site) + 1;
	memcpy(k, site, l);
	n += l;
	if (host != NULL) {
		l = strlen(host) + 1;
		memcpy(k + n, host, l);
		n += l;
	}
	return n;
}

static int
fitem_decode(const MDB_val *k, const MDB_val *v, struct store_frontier_item *it)
{
	const uint8_t *p = k->mv_data, *end = p + k->mv_size;
	const uint8_t *nul;
	struct dec d;

	memset(it, 0, sizeof(*it));
	if (k->mv_size < FKEY_TAIL + 4)
		goto bad;
	it->site = (const char *)p;
	if ((nul = memchr(p, 0, end - p)) == NULL)
		goto bad;
	it->host = (const char *)nul + 1;
	if ((nul = memchr(nul + 1, 0, end - nul - 1)) == NULL ||
	    end - nul - 1 != FKEY_TAIL)
		goto bad;
	it->prio = 255 - nul[1];
	it->due = (int64_t)be64_get(nul + 2);
	dec_init(&d, v);
	it->url = dec_str(&d);
	it->blob = dec_blob(&d, &it->blob_len);
	if (d.bad)
		goto bad;
	return 0;
bad:
	log_warnx("store: undecodable frontier entry");
	return NB_ECORRUPT;
}

static int
frontier_del_key(struct store_txn *txn, const uint8_t *sha)
{
	MDB_val v;
	int rc;

	rc = store_get(txn, DB_FRONTIER_URL, sha, STORE_SHA1_LEN, &v);
	if (rc != 0)
		return rc;
	if ((rc = store_del(txn, DB_FRONTIER, v.mv_data, v.mv_size)) != 0 &&
	    rc != NB_ENOTFOUND)
		return rc;
	return store_del(txn, DB_FRONTIER_URL, sha, STORE_SHA1_LEN);
}

int
store_frontier_push(struct store_txn *txn, const struct store_frontier_item *it)
{
	uint8_t k[STORE_KEY_MAX], sha[STORE_SHA1_LEN];
	struct nb_buf *b = &txn->tmp;
	size_t kl;
	int rc;

	if ((rc = store_writable(txn)) != 0)
		return rc;
	if (!it->url || !*it->url || !it->site || !*it->site || !it->host ||
	    !*it->host ||
	    strlen(it->site) + strlen(it->host) + 2 + FKEY_TAIL >
	        STORE_KEY_MAX ||
	    it->blob_len > STORE_BLOB_MAX || it->due < 0)
		return NB_EINVAL;
	store_sha1(it->url, strlen(it->url), sha);
	if ((rc = frontier_del_key(txn, sha)) != 0 && rc != NB_ENOTFOUND)
		return rc;
	kl = fkey_prefix(k, it->site, it->host);
	k[kl++] = 255 - it->prio;
	be64_put(k + kl, (uint64_t)it->due);
	kl += 8;
	memcpy(k + kl, sha, STORE_SHA1_LEN);
	kl += STORE_SHA1_LEN;
	nb_buf_reset(b);
	if ((rc = enc_str(b, it->url)) ||
	    (rc = enc_blob(b, it->blob, it->blob_len)))
		return rc;
	if ((rc = store_put(txn, DB_FRONTIER, k, kl, b->data, b->len, 0)) != 0)
		return rc;
	return store_put(txn, DB_FRONTIER_URL, sha, STORE_SHA1_LEN, k, kl, 0);
}

int
store_frontier_get(struct store_txn *txn, const char *url,
                   struct store_frontier_item *out)
{
	uint8_t sha[STORE_SHA1_LEN];
	MDB_val kv, v;
	int rc;

	store_sha1(url, strlen(url), sha);
	if ((rc = store_get(txn, DB_FRONTIER_URL, sha, STORE_SHA1_LEN, &kv)) !=
	    0)
		return rc;
	if ((rc = store_get(txn, DB_FRONTIER, kv.mv_data, kv.mv_size, &v)) != 0)
		return rc == NB_ENOTFOUND ? NB_ECORRUPT : rc;
	return fitem_decode(&kv, &v, out);
}

int
store_frontier_remove(struct store_txn *txn, const char *url)
{
	uint8_t sha[STORE_SHA1_LEN];
	int rc;

	if ((rc = store_writable(txn)) != 0)
		return rc;
	store_sha1(url, strlen(url), sha);
	return frontier_del_key(txn, sha);
}

/*
 * The best due item of one host: for each priority band present, the
 * first key is its earliest; take the first band whose earliest is due.
 */
static int
host_next(MDB_cursor *c, const uint8_t *pfx, size_t pl, int64_t before,
          MDB_val *bk, MDB_val *bv)
{
	uint8_t k[STORE_KEY_MAX];
	MDB_val key, val;
	int band = 0, mrc;

	memcpy(k, pfx, pl);
	while (band < 256) {
		k[pl] = band;
		key.mv_size = pl + 1;
		key.mv_data = k;
		mrc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE);
		if (mrc == MDB_NOTFOUND)
			return NB_ENOTFOUND;
		if (mrc != 0)
			return store_mdb_err(NULL, mrc, "frontier");
		if (key.mv_size != pl + FKEY_TAIL ||
		    memcmp(key.mv_data, pfx, pl) != 0)
			return NB_ENOTFOUND;
		band = ((uint8_t *)key.mv_data)[pl];
		if ((int64_t)be64_get((uint8_t *)key.mv_data + pl + 1) <=
		    before) {
			*bk = key;
			*bv = val;
			return 0;
		}
		band++;
	}
	return NB_ENOTFOUND;
}

int
store_frontier_due(struct store_txn *txn, const char *site, const char *host,
                   int64_t before, store_frontier_fn *cb, void *arg)
{
	uint8_t k[STORE_KEY_MAX];
	struct store_frontier_item it;
	MDB_cursor *c;
	MDB_val key, val;
	size_t pl;
	int band = 0, rc = 0, mrc = 0;

	if (site == NULL || host == NULL ||
	    strlen(site) + strlen(host) + 2 + FKEY_TAIL > STORE_KEY_MAX)
		return NB_EINVAL;
	pl = fkey_prefix(k, site, host);
	if ((rc = store_cursor(txn, DB_FRONTIER, &c)) != 0)
		return rc;
	/* each priority band from its earliest item while they are due */
	while (rc == 0 && band < 256) {
		k[pl] = (uint8_t)band;
		key.mv_size = pl + 1;
		key.mv_data = k;
		mrc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE);
		if (mrc != 0 || key.mv_size != pl + FKEY_TAIL ||
		    memcmp(key.mv_data, k, pl) != 0)
			break;
		band = ((uint8_t *)key.mv_data)[pl];
		while (mrc == 0 && key.mv_size == pl + FKEY_TAIL &&
		       memcmp(key.mv_data, k, pl) == 0 &&
		       ((uint8_t *)key.mv_data)[pl] == band &&
		       (int64_t)be64_get((uint8_t *)key.mv_data + pl + 1) <=
		           before) {
			if ((rc = fitem_decode(&key, &val, &it)) != 0 ||
			    (rc = cb(&it, arg)) != 0)
				break;
			mrc = mdb_cursor_get(c, &key, &val, MDB_NEXT);
		}
		band++;
	}
	mdb_cursor_close(c);
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_mdb_err(txn, mrc, "frontier");
	return rc;
}

/*
 * Visit each (site, host) under the prefix: fn gets the host's key
 * prefix.  Jumps from host to host: O(hosts x log n).
 */
typedef int host_fn(MDB_cursor *c, const uint8_t *pfx, size_t pl, void *arg);

static int
each_host(MDB_cursor *c, const char *site, host_fn *fn, void *arg)
{
	uint8_t k[STORE_KEY_MAX];
	size_t sl = fkey_prefix(k, site, NULL);
	MDB_val key = {sl, k}, val;
	int rc, mrc;

	mrc = mdb_cursor_get(c, &key, &val, sl ? MDB_SET_RANGE : MDB_FIRST);
	while (mrc == 0) {
		const uint8_t *p = key.mv_data, *n1, *n2;
		size_t pl;

		if (sl && (key.mv_size < sl || memcmp(p, k, sl) != 0))
			break;
		n1 = memchr(p, 0, key.mv_size);
		n2 = n1 ? memchr(n1 + 1, 0, key.mv_size - (n1 + 1 - p)) : NULL;
		if (n2 == NULL)
			return NB_ECORRUPT;
		pl = n2 + 1 - p;
		memcpy(k, p, pl);
		if ((rc = fn(c, k, pl, arg)) != 0)
			return rc;
		/* past every key of this host: "host\1" sorts after them */
		k[pl - 1] = 1;
		key.mv_size = pl;
		key.mv_data = k;
		mrc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE);
		k[pl - 1] = 0;
	}
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		return store_mdb_err(NULL, mrc, "frontier");
	return 0;
}

struct next_ctx {
	int64_t before;
	int found;
	struct store_frontier_item best;
	uint8_t bestkey[STORE_KEY_MAX];
	size_t bestkl;
};

static int
next_one(MDB_cursor *c, const uint8_t *pfx, size_t pl, void *arg)
{
	struct next_ctx *x = arg;
	struct store_frontier_item it;
	MDB_val k, v;
	int rc = host_next(c, pfx, pl, x->before, &k, &v);

	if (rc == NB_ENOTFOUND)
		return 0;
	if (rc != 0 || (rc = fitem_decode(&k, &v, &it)) != 0)
		return rc;
	if (!x->found || it.prio > x->best.prio ||
	    (it.prio == x->best.prio && it.due < x->best.due)) {
		x->found = 1;
		x->best = it;
	}
	return 0;
}

int
store_frontier_next(struct store_txn *txn, const char *site, const char *host,
                    int64_t before, struct store_frontier_item *out)
{
	struct next_ctx x;
	MDB_cursor *c;
	int rc;

	memset(&x, 0, sizeof(x));
	x.before = before;
	if (host != NULL && site == NULL)
		return NB_EINVAL;
	if ((rc = store_cursor(txn, DB_FRONTIER, &c)) != 0)
		return rc;
	if (host != NULL) {
		uint8_t k[STORE_KEY_MAX];
		size_t pl;

		if (strlen(site) + strlen(host) + 2 + FKEY_TAIL >
		    STORE_KEY_MAX) {
			mdb_cursor_close(c);
			return NB_EINVAL;
		}
		pl = fkey_prefix(k, site, host);
		rc = next_one(c, k, pl, &x);
	} else
		rc = each_host(c, site, next_one, &x);
	mdb_cursor_close(c);
	if (rc != 0)
		return rc;
	if (!x.found)
		return NB_ENOTFOUND;
	*out = x.best;
	return 0;
}

int
store_frontier_pop(struct store_txn *txn, const char *site, const char *host,
                   int64_t before, struct store_frontier_item *out)
{
	uint8_t sha[STORE_SHA1_LEN];
	struct store_frontier_item it;
	struct nb_buf *b = &txn->json;
	int rc;

	if ((rc = store_writable(txn)) != 0)
		return rc;
	if ((rc = store_frontier_next(txn, site, host, before, &it)) != 0)
		return rc;
	/* the entry's memory goes with the delete: copy it out first */
	nb_buf_reset(b);
	if ((rc = nb_buf_add(b, it.url, strlen(it.url) + 1)) ||
	    (rc = nb_buf_add(b, it.site, strlen(it.site) + 1)) ||
	    (rc = nb_buf_add(b, it.host, strlen(it.host) + 1)) ||
	    (rc = nb_buf_add(b, it.blob, it.blob_len)))
		return rc;
	out->url = b->data;
	out->site = out->url + strlen(out->url) + 1;
	out->host = out->site + strlen(out->site) + 1;
	out->blob = out->host + strlen(out->host) + 1;
	out->blob_len = it.blob_len;
	out->due = it.due;
	out->prio = it.prio;
	store_sha1(out->url, strlen(out->url), sha);
	return frontier_del_key(txn, sha);
}

int
store_frontier_scan(struct store_txn *txn, const char *site, const char *host,
                    int64_t before, store_frontier_fn *cb, void *arg)
{
	uint8_t k[STORE_KEY_MAX];
	size_t pl;
	MDB_cursor *c;
	MDB_val key, val;
	struct store_frontier_item it;
	int rc, mrc;

	if (host != NULL && site == NULL)
		return NB_EINVAL;
	if (site && strlen(site) + (host ? strlen(host) : 0) + 2 > 400)
		return NB_EINVAL;
	pl = fkey_prefix(k, site, host);
	if ((rc = store_cursor(txn, DB_FRONTIER, &c)) != 0)
		return rc;
	key.mv_size = pl;
	key.mv_data = k;
	for (mrc =
	         mdb_cursor_get(c, &key, &val, pl ? MDB_SET_RANGE : MDB_FIRST);
	     mrc == 0; mrc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
		if (pl && (key.mv_size < pl || memcmp(key.mv_data, k, pl) != 0))
			break;
		if ((rc = fitem_decode(&key, &val, &it)) != 0)
			break;
		if (it.due <= before && (rc = cb(&it, arg)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_mdb_err(txn, mrc, "frontier");
	return rc;
}

static int
count_one(const struct store_frontier_item *it, void *arg)
{
	(void)it;
	(*(uint64_t *)arg)++;
	return 0;
}

int
store_frontier_count(struct store_txn *txn, const char *site, const char *host,
                     uint64_t *n)
{
	MDB_stat ms;
	int rc;

	*n = 0;
	if (site == NULL && host == NULL) {
		rc = mdb_stat(txn->txn, txn->st->dbi[DB_FRONTIER], &ms);
		if (rc != 0)
			return store_mdb_err(txn, rc, "frontier");
		*n = ms.ms_entries;
		return 0;
	}
	return store_frontier_scan(txn, site, host, INT64_MAX, count_one, n);
}

struct hosts_ctx {
	store_frontier_fn *cb;
	void *arg;
};

static int
hosts_one(MDB_cursor *c, const uint8_t *pfx, size_t pl, void *arg)
{
	struct hosts_ctx *x = arg;
	struct store_frontier_item it;
	MDB_val k = {pl, (void *)pfx}, v;
	int rc, mrc;

	mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	if (mrc != 0)
		return store_mdb_err(NULL, mrc, "frontier");
	if ((rc = fitem_decode(&k, &v, &it)) != 0)
		return rc;
	return x->cb(&it, x->arg);
}

int
store_frontier_hosts(struct store_txn *txn, const char *site,
                     store_frontier_fn *cb, void *arg)
{
	struct hosts_ctx x = {cb, arg};
	MDB_cursor *c;
	int rc;

	if ((rc = store_cursor(txn, DB_FRONTIER, &c)) != 0)
		return rc;
	rc = each_host(c, site, hosts_one, &x);
	mdb_cursor_close(c);
	return rc;
}
