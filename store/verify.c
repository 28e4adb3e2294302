/*
 * verify.c - re-read the archive and check the index against it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "store_int.h"

/* One record found in the files. */
struct seen {
	uint32_t file;
	uint64_t offset, length;
	uint8_t type;
	uint8_t cdx;                 /* CDXJ entries pointing here */
	uint8_t sha[STORE_SHA1_LEN]; /* payload digest (header), or zero */
	uint8_t uri[STORE_SHA1_LEN]; /* SHA-1 of WARC-Target-URI */
};

struct vctx {
	struct store *st;
	struct store_txn *txn;
	store_problem_fn *problem;
	store_record_fn *record;
	void *arg;
	struct store_verify_stats *stats;
	struct seen *v;
	size_t n, cap;
	char fname[64];
};

static void NB_PRINTF(2, 3) problem(struct vctx *x, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	x->stats->problems++;
	if (x->problem)
		x->problem(msg, x->arg);
}

static int
seen_cmp(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static struct seen *
seen_find(struct vctx *x, const struct store_loc *l)
{
	struct seen key = {.file = l->file, .offset = l->offset};

	if (x->n == 0)
		return NULL;
	return bsearch(&key, x->v, x->n, sizeof(*x->v), seen_cmp);
}

static int
scan_file(struct vctx *x, uint32_t serial, uint64_t end, const char *name)
{
	char path[4096], why[128];
	struct stat sb;
	uint64_t off = 0;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/warc/%s", x->st->dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		problem(x, "%s: %s", path, strerror(errno));
		return 0;
	}
	if (fstat(fd, &sb) == 0 && (uint64_t)sb.st_size > end)
		x->stats->unindexed += sb.st_size - end;
	if (fstat(fd, &sb) == 0 && (uint64_t)sb.st_size < end)
		problem(x, "%s: %" PRIu64 " bytes, the index covers %" PRIu64,
		        name, (uint64_t)sb.st_size, end);
	x->stats->files++;
	while (off < end) {
		struct store_record rec;
		uint8_t *mem;
		size_t len;
		uint64_t mlen;

		rc = store_member_read(fd, off, end - off, &mem, &len, &mlen,
		                       why, sizeof(why));
		if (rc == 0)
			rc = store_record_parse(mem, len, &rec, 1, why,
			                        sizeof(why));
		if (rc == NB_ENOMEM) {
			store_record_free(&rec);
			break;
		}
		if (rc != 0) {
			problem(x, "%s:%" PRIu64 ": %s", name, off, why);
			store_record_free(&rec);
			rc = 0;
			break;
		}
		if (x->n == x->cap) {
			size_t nc = x->cap ? x->cap * 2 : 1024;
			struct seen *nv = realloc(x->v, nc * sizeof(*nv));

			if (nv == NULL) {
				store_record_free(&rec);
				rc = NB_ENOMEM;
				break;
			}
			x->v = nv;
			x->cap = nc;
		}
		{
			struct seen *s = &x->v[x->n++];

			memset(s, 0, sizeof(*s));
			s->file = serial;
			s->offset = off;
			s->length = mlen;
			s->type = rec.type;
			if (rec.payload_digest[0])
				store_b32_sha1(rec.payload_digest, s->sha);
			store_sha1(rec.target_uri, strlen(rec.target_uri),
			           s->uri);
		}
		if (x->record)
			x->record(name, off, mlen, &rec, x->arg);
		store_record_free(&rec);
		x->stats->records++;
		x->stats->bytes += mlen;
		off += mlen;
	}
	close(fd);
	return rc;
}

static int
check_cdx(const struct store_cdx *c, void *arg)
{
	struct vctx *x = arg;
	struct seen *s = seen_find(x, &c->loc);
	uint8_t uri[STORE_SHA1_LEN];

	x->stats->cdx++;
	if (s == NULL) {
		problem(x,
		        "CDXJ entry %s %s: no record at file %" PRIu32
		        " offset %" PRIu64,
		        c->url, c->timestamp, c->loc.file, c->loc.offset);
		return 0;
	}
	s->cdx++;
	store_sha1(c->url, strlen(c->url), uri);
	if (s->length != c->loc.length || s->type != c->type ||
	    memcmp(s->sha, c->payload_sha1, STORE_SHA1_LEN) != 0 ||
	    memcmp(s->uri, uri, STORE_SHA1_LEN) != 0)
		problem(x,
		        "CDXJ entry %s %s disagrees with the record at "
		        "file %" PRIu32 " offset %" PRIu64,
		        c->url, c->timestamp, c->loc.file, c->loc.offset);
	return 0;
}

/* A location some index entry holds must be a capture record. */
static void
check_loc(struct vctx *x, const char *what, const struct store_loc *l,
          const uint8_t *sha)
{
	static const uint8_t zero[STORE_SHA1_LEN];
	struct seen *s;

	if (l->length == 0)
		return;
	s = seen_find(x, l);
	if (s == NULL || s->length != l->length) {
		problem(x, "%s: no record at file %" PRIu32 " offset %" PRIu64,
		        what, l->file, l->offset);
		return;
	}
	if (s->type != STORE_REC_RESPONSE && s->type != STORE_REC_REVISIT) {
		problem(x,
		        "%s: file %" PRIu32 " offset %" PRIu64
		        " is not a capture",
		        what, l->file, l->offset);
		return;
	}
	if (sha && memcmp(sha, zero, STORE_SHA1_LEN) != 0 &&
	    memcmp(sha, s->sha, STORE_SHA1_LEN) != 0)
		problem(x,
		        "%s: payload digest differs from the record at "
		        "file %" PRIu32 " offset %" PRIu64,
		        what, l->file, l->offset);
}

static int
check_url(const char *url, const struct store_url *u, void *arg)
{
	char what[600];

	snprintf(what, sizeof(what), "URL state %.500s", url);
	check_loc(arg, what, &u->loc, u->payload_sha1);
	return 0;
}

static int
check_version(const struct store_report *r, void *arg)
{
	char what[600];

	snprintf(what, sizeof(what), "report %.400s %d version %" PRIu32,
	         r->agency, r->year, r->version);
	check_loc(arg, what, &r->loc, r->payload_sha1);
	return 0;
}

static int
check_report(const struct store_report *r, void *arg)
{
	struct vctx *x = arg;

	return store_report_versions(x->txn, r->agency, r->year, 0,
	                             check_version, x);
}

static int
check_payloads(struct vctx *x)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc, mrc;

	if ((rc = store_cursor(x->txn, DB_PAYLOAD, &c)) != 0)
		return rc;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct store_loc l;
		struct dec d;
		char b32[STORE_B32_LEN + 1], what[64];

		dec_init(&d, &v);
		store_loc_decode(&d, &l);
		if (d.bad || k.mv_size != STORE_SHA1_LEN) {
			problem(x, "undecodable payload entry");
			continue;
		}
		store_sha1_b32(k.mv_data, b32);
		snprintf(what, sizeof(what), "payload %s", b32);
		check_loc(x, what, &l, k.mv_data);
	}
	mdb_cursor_close(c);
	return mrc == MDB_NOTFOUND ? 0 : store_mdb_err(x->txn, mrc, "payload");
}

int
store_verify(struct store *st, store_problem_fn *prob, store_record_fn *record,
             void *arg, struct store_verify_stats *stats)
{
	struct vctx x;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc, mrc;

	memset(stats, 0, sizeof(*stats));
	memset(&x, 0, sizeof(x));
	x.st = st;
	x.problem = prob;
	x.record = record;
	x.arg = arg;
	x.stats = stats;
	if ((rc = store_read_begin(st, &x.txn)) != 0)
		return rc;
	if ((rc = store_cursor(x.txn, DB_WARC, &c)) != 0)
		goto out;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0 && rc == 0;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct dec d;
		uint64_t end;
		const char *name;

		dec_init(&d, &v);
		end = dec_u64(&d);
		dec_u64(&d);
		name = dec_str(&d);
		if (d.bad || k.mv_size != 4 || strchr(name, '/')) {
			problem(&x, "undecodable WARC file entry");
			continue;
		}
		rc = scan_file(&x, be32_get(k.mv_data), end, name);
	}
	mdb_cursor_close(c);
	if (rc != 0)
		goto out;
	if (x.n > 0)
		qsort(x.v, x.n, sizeof(*x.v), seen_cmp);
	if ((rc = store_cdx_iter(x.txn, check_cdx, &x)) != 0)
		goto out;
	for (size_t i = 0; i < x.n; i++)
		if ((x.v[i].type == STORE_REC_RESPONSE ||
		     x.v[i].type == STORE_REC_REVISIT) &&
		    x.v[i].cdx != 1)
			problem(&x, "file %" PRIu32 " offset %" PRIu64 ": %s",
			        x.v[i].file, x.v[i].offset,
			        x.v[i].cdx ? "several CDXJ entries"
			                   : "capture without a CDXJ entry");
	if ((rc = check_payloads(&x)) != 0 ||
	    (rc = store_url_iter(x.txn, NULL, check_url, &x)) != 0 ||
	    (rc = store_report_iter(x.txn, NULL, 0, check_report, &x)) != 0)
		goto out;
out:
	store_read_end(x.txn);
	free(x.v);
	return rc;
}
