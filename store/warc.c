/*
 * warc.c - WARC 1.1 files: writing captures, reading records back, and the
 * recovery that runs when the writer opens the archive.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "log.h"
#include "nbtime.h"
#include "store_int.h"

#define RECORD_MAX ((size_t)1 << 31) /* a decompressed record, at most */

#define PROFILE_IDENTICAL                                                      \
	"http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
#define PROFILE_NOT_MODIFIED                                                   \
	"http://netpreserve.org/warc/1.1/revisit/server-not-modified"

/* ------------------------------------------------------------ helpers */

int
store_loc_encode(struct nb_buf *b, const struct store_loc *l)
{
	int rc;

	if ((rc = enc_u32(b, l->file)) || (rc = enc_u64(b, l->offset)) ||
	    (rc = enc_u64(b, l->length)))
		return rc;
	return 0;
}

void
store_loc_decode(struct dec *d, struct store_loc *l)
{
	l->file = dec_u32(d);
	l->offset = dec_u64(d);
	l->length = dec_u64(d);
}

static int
uuid_make(char out[48])
{
	uint8_t r[16];
	size_t got = 0;

	while (got < sizeof(r)) {
		ssize_t n = getrandom(r + got, sizeof(r) - got, 0);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_warn("getrandom");
			return NB_EIO;
		}
		got += n;
	}
	r[6] = (r[6] & 0x0f) | 0x40; /* version 4 */
	r[8] = (r[8] & 0x3f) | 0x80; /* RFC 4122 variant */
	snprintf(out, 48,
	         "<urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	         "%02x%02x%02x%02x%02x%02x>",
	         r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9],
	         r[10], r[11], r[12], r[13], r[14], r[15]);
	return 0;
}

static void
digest_text(const uint8_t sha[STORE_SHA1_LEN], char out[STORE_B32_LEN + 6])
{
	memcpy(out, "sha1:", 5);
	store_sha1_b32(sha, out + 5);
}

/* A header value fit for a WARC header line: no control characters. */
static int
header_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* ----------------------------------------------------- HTTP header block */

struct http_info {
	int status;
	char mime[128];
	int has_te, has_ce;
};

static int
name_is(const char *line, size_t n, const char *name)
{
	size_t l = strlen(name);

	return n > l && line[l] == ':' && strncasecmp(line, name, l) == 0;
}

static void
header_value(const char *line, size_t n, size_t namelen, char *out,
             size_t outlen)
{
	const char *v = line + namelen + 1, *e = line + n;
	size_t l;

	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	l = (size_t)(e - v) < outlen - 1 ? (size_t)(e - v) : outlen - 1;
	memcpy(out, v, l);
	out[l] = '\0';
}

/*
 * Walk the lines of a header block (CRLF or LF), up to the first empty
 * line.  fn gets each line without its terminator.
 */
typedef int line_fn(const char *line, size_t n, int first, void *arg);

static int
each_line(const char *h, size_t len, line_fn *fn, void *arg)
{
	const char *p = h, *end = h + len;
	int first = 1, rc;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0)
			break;
		if ((rc = fn(p, n, first, arg)) != 0)
			return rc;
		first = 0;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

static int
scan_line(const char *line, size_t n, int first, void *arg)
{
	struct http_info *hi = arg;

	if (first) {
		const char *sp = memchr(line, ' ', n);

		if (n >= 5 && memcmp(line, "HTTP/", 5) == 0 && sp &&
		    line + n - sp >= 4 && isdigit((unsigned char)sp[1]) &&
		    isdigit((unsigned char)sp[2]) &&
		    isdigit((unsigned char)sp[3]))
			hi->status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 +
			             (sp[3] - '0');
		return 0;
	}
	if (name_is(line, n, "content-type") && hi->mime[0] == '\0') {
		char *semi;

		header_value(line, n, 12, hi->mime, sizeof(hi->mime));
		if ((semi = strchr(hi->mime, ';')) != NULL)
			*semi = '\0';
		for (size_t l = strlen(hi->mime);
		     l > 0 &&
		     (hi->mime[l - 1] == ' ' || hi->mime[l - 1] == '\t');
		     l--)
			hi->mime[l - 1] = '\0';
	} else if (name_is(line, n, "transfer-encoding"))
		hi->has_te = 1;
	else if (name_is(line, n, "content-encoding")) {
		char v[64];

		header_value(line, n, 16, v, sizeof(v));
		if (strcasecmp(v, "identity") != 0 && v[0] != '\0')
			hi->has_ce = 1;
	}
	return 0;
}

struct rewrite {
	struct nb_buf *out;
	int rename; /* rename the transfer headers (decoded payload) */
};

static int
copy_line(const char *line, size_t n, int first, void *arg)
{
	struct rewrite *rw = arg;
	int rc;

	if (!first && rw->rename &&
	    (name_is(line, n, "transfer-encoding") ||
	     name_is(line, n, "content-encoding") ||
	     name_is(line, n, "content-length")) &&
	    (rc = nb_buf_adds(rw->out, "X-Archive-Orig-")) != 0)
		return rc;
	if ((rc = nb_buf_add(rw->out, line, n)) != 0)
		return rc;
	return nb_buf_add(rw->out, "\r\n", 2);
}

/*
 * The header block as stored: CRLF lines ending with an empty line; for a
 * decoded payload whose headers speak of codings, those headers renamed
 * and the stored length stated (see store.h).
 */
static int
http_block(const char *h, size_t len, int decoded, size_t payload_len,
           struct http_info *hi, struct nb_buf *out)
{
	struct rewrite rw = {out, 0};
	int rc;

	memset(hi, 0, sizeof(*hi));
	if ((rc = each_line(h, len, scan_line, hi)) != 0)
		return rc;
	rw.rename = decoded && (hi->has_te || hi->has_ce);
	if ((rc = each_line(h, len, copy_line, &rw)) != 0)
		return rc;
	if (rw.rename &&
	    (rc = nb_buf_printf(out, "Content-Length: %zu\r\n", payload_len)))
		return rc;
	return nb_buf_add(out, "\r\n", 2);
}

/* ------------------------------------------------------- gzip members */

/* Write all of p, or fail with the errno mapped. */
static int
write_all(struct store *st, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(st->w.fd, c, n);

		if (w == -1) {
			if (errno == EINTR)
				continue;
			log_warn("%s/%s", st->warc_dir, st->w.name);
			return (errno == ENOSPC || errno == EFBIG ||
			        errno == EDQUOT)
			           ? NB_EFULL
			           : NB_EIO;
		}
		c += w;
		n -= w;
	}
	return 0;
}

struct piece {
	const void *p;
	size_t n;
};

/*
 * Members are compressed at level 3: on report pages (Word-made HTML) it
 * runs 1.7 times as fast as zlib's default 6 for 11% more bytes, and
 * compression was a tenth of the crawler's CPU time at level 6.
 */
#define GZIP_LEVEL 3

/* One gzip member holding the concatenation of the pieces. */
static int
member_write(struct store *st, const struct piece *pc, int npc, uint64_t *len)
{
	z_stream *zs = st->zs;
	uint8_t out[1 << 16];
	uint64_t total = 0;
	int rc = 0, zrc;

	/* one stream for the writer's life: no 256 KiB of state per record */
	if (zs == NULL) {
		if ((zs = calloc(1, sizeof(*zs))) == NULL)
			return NB_ENOMEM;
		if (deflateInit2(zs, GZIP_LEVEL, Z_DEFLATED, 31, 8,
		                 Z_DEFAULT_STRATEGY) != Z_OK) {
			free(zs);
			return NB_ENOMEM;
		}
		st->zs = zs;
	} else if (deflateReset(zs) != Z_OK)
		return NB_EIO;
	for (int i = 0; i <= npc && rc == 0; i++) {
		int flush = i == npc ? Z_FINISH : Z_NO_FLUSH;
		const uint8_t *p = i < npc ? pc[i].p : NULL;
		size_t left = i < npc ? pc[i].n : 0;

		do {
			/* zlib counts in uInt: feed huge pieces in slices */
			size_t take = left > (1u << 30) ? (1u << 30) : left;

			zs->next_in = (Bytef *)p;
			zs->avail_in = take;
			do {
				zs->next_out = out;
				zs->avail_out = sizeof(out);
				zrc = deflate(zs, take == left ? flush
				                               : Z_NO_FLUSH);
				if (zrc == Z_STREAM_ERROR) {
					rc = NB_EIO;
					break;
				}
				if (sizeof(out) - zs->avail_out > 0) {
					rc = write_all(st, out,
					               sizeof(out) -
					                   zs->avail_out);
					total += sizeof(out) - zs->avail_out;
				}
			} while (rc == 0 &&
			         (zs->avail_out == 0 ||
			          (flush == Z_FINISH && take == left &&
			           zrc != Z_STREAM_END)));
			if (p)
				p += take;
			left -= take;
		} while (rc == 0 && left > 0);
	}
	*len = total;
	return rc;
}

/* A WARC record: header fields, then the block pieces. */
static int
record_write(struct store *st, struct nb_buf *hdr, const struct piece *blk,
             int nblk, uint64_t *len)
{
	struct piece pc[4];
	int n = 0;

	pc[n++] = (struct piece){hdr->data, hdr->len};
	for (int i = 0; i < nblk; i++)
		pc[n++] = blk[i];
	pc[n++] = (struct piece){"\r\n\r\n", 4};
	return member_write(st, pc, n, len);
}

/* SHA-1 over pieces, without joining them */
static int
sha1_pieces(const struct piece *pc, int n, uint8_t out[STORE_SHA1_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	if (ctx == NULL)
		return NB_ENOMEM;
	ok = EVP_DigestInit_ex(ctx, EVP_sha1(), NULL);
	for (int i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, pc[i].p, pc[i].n);
	ok = ok && EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : NB_EIO;
}

/* -------------------------------------------------- POST lookup keys */

/*
 * pywb and warcio index a POST capture under its URL with the body folded
 * into the query ("?__wb_method=post&a=1&b=2"), so that replay can tell
 * requests apart.  This is warcio's postToGetUrl for the bodies a crawler
 * sends: form data as is, JSON flattened to key=value pairs, anything else
 * as __wb_post_data=<base64>.
 */
struct post {
	char method[16];
	char *query;  /* requestBody, NULL for GET/HEAD */
	char *keyurl; /* the URL the CDXJ key is made of */
};

static void
post_free(struct post *p)
{
	free(p->query);
	free(p->keyurl);
	memset(p, 0, sizeof(*p));
}

/* URLSearchParams serialisation of one string */
static int
form_enc(struct nb_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;

	for (; *s && rc == 0; s++) {
		unsigned char c = *s;

		if (isalnum(c) || c == '*' || c == '-' || c == '.' || c == '_')
			rc = nb_buf_add(b, s, 1);
		else if (c == ' ')
			rc = nb_buf_add(b, "+", 1);
		else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};

			rc = nb_buf_add(b, e, 3);
		}
	}
	return rc;
}

struct qparam {
	char *k, *v;
};

struct qlist {
	struct qparam *p;
	size_t n, cap;
};

static int
qlist_has(const struct qlist *q, const char *k)
{
	for (size_t i = 0; i < q->n; i++)
		if (strcmp(q->p[i].k, k) == 0)
			return 1;
	return 0;
}

/* URLSearchParams.set, with warcio's renaming of repeated keys */
static int
qlist_add(struct qlist *q, const char *key, const char *val, int *dupes)
{
	char kb[1024];
	int rc = 0;

	snprintf(kb, sizeof(kb), "%s", key);
	if (qlist_has(q, key))
		snprintf(kb, sizeof(kb), "%s.%d_", key, ++*dupes + 1);
	for (size_t i = 0; i < q->n; i++)
		if (strcmp(q->p[i].k, kb) == 0) {
			char *nv = strdup(val);

			if (nv == NULL)
				return NB_ENOMEM;
			free(q->p[i].v);
			q->p[i].v = nv;
			return 0;
		}
	if (q->n == q->cap) {
		size_t nc = q->cap ? q->cap * 2 : 8;
		struct qparam *np = realloc(q->p, nc * sizeof(*np));

		if (np == NULL)
			return NB_ENOMEM;
		q->p = np;
		q->cap = nc;
	}
	q->p[q->n].k = strdup(kb);
	q->p[q->n].v = strdup(val);
	if (!q->p[q->n].k || !q->p[q->n].v)
		rc = NB_ENOMEM;
	q->n++;
	return rc;
}

static int
json_flatten(json_t *j, const char *key, struct qlist *q, int *dupes)
{
	char num[64];
	const char *k;
	json_t *v;
	size_t i;
	int rc = 0;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		json_object_foreach(
		    j, k,
		    v) if ((rc = json_flatten(v, k, q, dupes)) != 0) return rc;
		return 0;
	case JSON_ARRAY:
		json_array_foreach(
		    j, i, v) if ((rc = json_flatten(v, key, q, dupes)) !=
		                 0) return rc;
		return 0;
	case JSON_STRING:
		if (*json_string_value(j))
			return qlist_add(q, key, json_string_value(j), dupes);
		return 0;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		         json_integer_value(j));
		return qlist_add(q, key, num, dupes);
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.17g", json_real_value(j));
		return qlist_add(q, key, num, dupes);
	case JSON_TRUE:
		return qlist_add(q, key, "true", dupes);
	case JSON_FALSE:
		return qlist_add(q, key, "false", dupes);
	case JSON_NULL:
		return qlist_add(q, key, "null", dupes);
	}
	return 0;
}

static int
json_query(const char *body, size_t len, struct nb_buf *out, int strict)
{
	json_t *j = json_loadb(body, len, JSON_DECODE_ANY, NULL);
	struct qlist q = {0};
	int dupes = 0, rc = 0;

	if (j == NULL && strict)
		return NB_EPARSE;
	if (j != NULL)
		rc = json_flatten(j, "", &q, &dupes);
	for (size_t i = 0; i < q.n && rc == 0; i++) {
		if (i)
			rc = nb_buf_add(out, "&", 1);
		if (rc == 0)
			rc = form_enc(out, q.p[i].k);
		if (rc == 0)
			rc = nb_buf_add(out, "=", 1);
		if (rc == 0)
			rc = form_enc(out, q.p[i].v);
	}
	for (size_t i = 0; i < q.n; i++) {
		free(q.p[i].k);
		free(q.p[i].v);
	}
	free(q.p);
	json_decref(j);
	return rc;
}

static int
b64_query(const void *body, size_t len, struct nb_buf *out)
{
	char *enc = malloc(4 * ((len + 2) / 3) + 1);
	int rc;

	if (enc == NULL)
		return NB_ENOMEM;
	EVP_EncodeBlock((unsigned char *)enc, body, len);
	rc = nb_buf_printf(out, "__wb_post_data=%s", enc);
	free(enc);
	return rc;
}

static int
hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/*
 * JavaScript's decodeURI: %XX sequences become bytes, except those that
 * stand for URI-reserved characters; an invalid sequence makes the whole
 * query unusable (warcio then uses "").
 */
static int
decode_uri(const char *s, struct nb_buf *out)
{
	int rc = 0;

	for (; *s && rc == 0; s++) {
		if (*s == '%') {
			int c;

			if (!isxdigit((unsigned char)s[1]) ||
			    !isxdigit((unsigned char)s[2])) {
				nb_buf_reset(out);
				return 0;
			}
			c = hexval(s[1]) * 16 + hexval(s[2]);
			if (c < 0x80 && strchr(";/?:@&=+$,#", c) && c) {
				rc = nb_buf_add(out, s, 3);
			} else {
				char ch = c;

				rc = nb_buf_add(out, &ch, 1);
			}
			s += 2;
		} else
			rc = nb_buf_add(out, s, 1);
	}
	return rc;
}

static int
post_make(const char *url, const char *req, size_t reqlen, const void *body,
          size_t blen, struct post *p)
{
	struct nb_buf q, d, k;
	char ctype[128] = "";
	const char *sp;
	size_t ml;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	sp = req ? memchr(req, ' ', reqlen) : NULL;
	ml = sp ? (size_t)(sp - req) : 0;
	if (ml == 0 || ml >= sizeof(p->method))
		return 0;
	memcpy(p->method, req, ml);
	p->method[ml] = '\0';
	if (strcmp(p->method, "GET") == 0)
		return 0;
	nb_buf_init(&q, SIZE_MAX);
	nb_buf_init(&d, SIZE_MAX);
	nb_buf_init(&k, SIZE_MAX);
	for (const char *l = req; l && l < req + reqlen;) {
		const char *nl = memchr(l, '\n', req + reqlen - l);
		size_t n = nl ? (size_t)(nl - l) : (size_t)(req + reqlen - l);

		if (n && l[n - 1] == '\r')
			n--;
		if (name_is(l, n, "content-type")) {
			char *semi;

			header_value(l, n, 12, ctype, sizeof(ctype));
			if ((semi = strchr(ctype, ';')) != NULL)
				*semi = '\0';
		}
		l = nl ? nl + 1 : NULL;
	}
	if (body == NULL)
		body = "";
	if (strcmp(ctype, "application/x-www-form-urlencoded") == 0)
		rc = nb_buf_add(&q, body, blen);
	else if (strcmp(ctype, "application/json") == 0)
		rc = json_query(body, blen, &q, 0);
	else if (strcmp(ctype, "text/plain") == 0) {
		rc = json_query(body, blen, &q, 1);
		if (rc == NB_EPARSE) {
			nb_buf_reset(&q);
			rc = b64_query(body, blen, &q);
		}
	} else
		rc = b64_query(body, blen, &q);
	if (rc == 0 && q.len > 4096) {
		q.len = 4096;
		q.data[q.len] = '\0';
	}
	if (rc == 0)
		rc = nb_buf_add(&q, "", 0);
	if (rc == 0)
		rc = decode_uri(q.data, &d);
	if (rc == 0)
		rc = nb_buf_printf(
		    &k, "%s%c__wb_method=%s&%s", url,
		    strchr(url, '?') && strchr(url, '?') != url ? '&' : '?',
		    p->method, d.len ? d.data : "");
	if (rc == 0) {
		p->query = nb_buf_take(&q, NULL);
		p->keyurl = nb_buf_take(&k, NULL);
	}
	nb_buf_free(&q);
	nb_buf_free(&d);
	nb_buf_free(&k);
	return rc;
}

/* ----------------------------------------------------- pending entries */

static int
pend_add(struct store *st, const struct store_pending *p)
{
	if (st->npend == st->cpend) {
		size_t n = st->cpend ? st->cpend * 2 : 32;
		struct store_pending *np = realloc(st->pend, n * sizeof(*np));

		if (np == NULL)
			return NB_ENOMEM;
		st->pend = np;
		st->cpend = n;
	}
	st->pend[st->npend++] = *p;
	return 0;
}

void
store_pending_clear(struct store *st)
{
	for (size_t i = 0; i < st->npend; i++) {
		free(st->pend[i].cdx_key);
		free(st->pend[i].cdx_val);
		free(st->pend[i].pay_val);
	}
	st->npend = 0;
}

/* The file's entry: u64 indexed end, u64 created ms, name NUL. */
static int
file_put(struct store_txn *txn, uint32_t serial, uint64_t end, int64_t created,
         const char *name)
{
	uint8_t k[4];
	struct nb_buf *b = &txn->tmp;
	int rc;

	be32_put(k, serial);
	nb_buf_reset(b);
	if ((rc = enc_u64(b, end)) || (rc = enc_u64(b, created)) ||
	    (rc = enc_str(b, name)))
		return rc;
	return store_put(txn, DB_WARC, k, 4, b->data, b->len, 0);
}

int
store_pending_apply(struct store_txn *txn)
{
	struct store *st = txn->st;
	int rc;

	for (size_t i = 0; i < st->npend; i++) {
		struct store_pending *p = &st->pend[i];
		int last_of_file =
		    i + 1 == st->npend || st->pend[i + 1].file != p->file;

		if (p->cdx_key &&
		    (rc = store_put(txn, DB_CDX, p->cdx_key, p->cdx_klen,
		                    p->cdx_val, p->cdx_vlen, 0)) != 0)
			return rc;
		/* the first archived copy of a payload stays its home */
		if (p->pay_val) {
			rc =
			    store_put(txn, DB_PAYLOAD, p->sha1, STORE_SHA1_LEN,
			              p->pay_val, p->pay_vlen, MDB_NOOVERWRITE);
			if (rc != 0 && rc != NB_EEXIST)
				return rc;
		}
		if (last_of_file && (rc = file_put(txn, p->file, p->end,
		                                   p->created, p->name)) != 0)
			return rc;
	}
	return 0;
}

/* ----------------------------------------------------------- CDX entry */

static int
cdx_entry(struct store_pending *p, const char *url, const struct post *post,
          int64_t date, enum store_rec_type type, int status, const char *mime,
          const struct store_loc *loc, const uint8_t sha[STORE_SHA1_LEN],
          const char *filename)
{
	uint8_t key[STORE_KEY_MAX];
	char ts[16], b32[STORE_B32_LEN + 1], num[32];
	struct nb_buf v;
	json_t *o = json_object();
	char *js = NULL;
	size_t kl;
	int rc = NB_ENOMEM;

	nb_buf_init(&v, SIZE_MAX);
	if (o == NULL)
		goto fail;
	kl = store_cdx_prefix(post->keyurl ? post->keyurl : url, key,
	                      sizeof(key));
	if (kl == 0)
		goto fail;
	nb_time_14(date, ts, sizeof(ts));
	memcpy(key + kl, ts, 14);
	kl += 14;
	key[kl++] = '\0';
	be32_put(key + kl, loc->file);
	be64_put(key + kl + 4, loc->offset);
	kl += 12;

	/* the fields and their order are warcio's cdx-index output */
	store_sha1_b32(sha, b32);
	json_object_set_new(o, "url", json_string(url));
	if (type == STORE_REC_REVISIT)
		json_object_set_new(o, "mime", json_string("warc/revisit"));
	else if (mime && *mime)
		json_object_set_new(o, "mime", json_string(mime));
	if (status > 0) {
		snprintf(num, sizeof(num), "%d", status);
		json_object_set_new(o, "status", json_string(num));
	}
	json_object_set_new(o, "digest", json_string(b32));
	snprintf(num, sizeof(num), "%" PRIu64, loc->length);
	json_object_set_new(o, "length", json_string(num));
	snprintf(num, sizeof(num), "%" PRIu64, loc->offset);
	json_object_set_new(o, "offset", json_string(num));
	json_object_set_new(o, "filename", json_string(filename));
	if (post->keyurl) {
		json_object_set_new(o, "method", json_string(post->method));
		json_object_set_new(o, "requestBody", json_string(post->query));
	}
	if ((js = json_dumps(o, JSON_COMPACT)) == NULL)
		goto fail;

	if (enc_u8(&v, type) || enc_u16(&v, status) || enc_u32(&v, loc->file) ||
	    enc_u64(&v, loc->offset) || enc_u64(&v, loc->length) ||
	    enc_u64(&v, date) || nb_buf_add(&v, sha, STORE_SHA1_LEN) ||
	    enc_str(&v, js))
		goto fail;
	if ((p->cdx_key = malloc(kl)) == NULL)
		goto fail;
	memcpy(p->cdx_key, key, kl);
	p->cdx_klen = kl;
	p->cdx_val = nb_buf_take(&v, &p->cdx_vlen);
	rc = 0;
fail:
	free(js);
	json_decref(o);
	nb_buf_free(&v);
	return rc;
}

/* payload value: loc, u64 date, record id NUL, url NUL */
static int
payload_entry(struct store_pending *p, const uint8_t sha[STORE_SHA1_LEN],
              const struct store_loc *loc, int64_t date, const char *id,
              const char *url)
{
	struct nb_buf v;

	nb_buf_init(&v, SIZE_MAX);
	if (store_loc_encode(&v, loc) || enc_u64(&v, date) || enc_str(&v, id) ||
	    enc_str(&v, url)) {
		nb_buf_free(&v);
		return NB_ENOMEM;
	}
	memcpy(p->sha1, sha, STORE_SHA1_LEN);
	p->pay_val = nb_buf_take(&v, &p->pay_vlen);
	return 0;
}

/* What a revisit refers to. */
struct origin {
	int found;
	uint8_t sha[STORE_SHA1_LEN];
	struct store_loc loc;
	int64_t date;
	char id[48];
	char *url;
};

static int
origin_decode(const void *val, size_t len, const uint8_t *sha, struct origin *o)
{
	MDB_val v = {len, (void *)val};
	struct dec d;
	const char *id, *url;

	dec_init(&d, &v);
	store_loc_decode(&d, &o->loc);
	o->date = (int64_t)dec_u64(&d);
	id = dec_str(&d);
	url = dec_str(&d);
	if (d.bad || strlen(id) >= sizeof(o->id))
		return NB_ECORRUPT;
	strcpy(o->id, id);
	if ((o->url = strdup(url)) == NULL)
		return NB_ENOMEM;
	memcpy(o->sha, sha, STORE_SHA1_LEN);
	o->found = 1;
	return 0;
}

/* The archived copy of payload sha: pending first, then the index. */
static int
origin_by_sha(struct store *st, struct store_txn *txn,
              const uint8_t sha[STORE_SHA1_LEN], struct origin *o)
{
	MDB_val v;
	int rc;

	for (size_t i = st->npend; i-- > 0;)
		if (st->pend[i].pay_val &&
		    memcmp(st->pend[i].sha1, sha, STORE_SHA1_LEN) == 0)
			return origin_decode(st->pend[i].pay_val,
			                     st->pend[i].pay_vlen, sha, o);
	rc = store_get(txn, DB_PAYLOAD, sha, STORE_SHA1_LEN, &v);
	if (rc == NB_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	return origin_decode(v.mv_data, v.mv_size, sha, o);
}

/* The latest capture of url (pending first): its payload's origin. */
static int
origin_by_url(struct store *st, struct store_txn *txn, const char *url,
              struct origin *o)
{
	uint8_t pfx[STORE_KEY_MAX];
	size_t pl = store_cdx_prefix(url, pfx, sizeof(pfx));
	struct store_cdx c;
	int rc;

	if (pl == 0)
		return NB_ENOMEM;
	for (size_t i = st->npend; i-- > 0;) {
		struct store_pending *p = &st->pend[i];
		MDB_val k = {p->cdx_klen, p->cdx_key},
		        v = {p->cdx_vlen, p->cdx_val};

		if (p->cdx_key && p->cdx_klen > pl &&
		    memcmp(p->cdx_key, pfx, pl) == 0) {
			if ((rc = store_cdx_decode(&k, &v, &c)) != 0)
				return rc;
			return origin_by_sha(st, txn, c.payload_sha1, o);
		}
	}
	rc = store_capture_find(txn, url, 0, &c);
	if (rc == NB_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	return origin_by_sha(st, txn, c.payload_sha1, o);
}

/* ---------------------------------------------------------- WARC files */

void
store_warc_close(struct store *st)
{
	if (st->w.fd != -1) {
		if (fsync(st->w.fd) == -1)
			log_warn("%s/%s", st->warc_dir, st->w.name);
		close(st->w.fd);
		st->w.fd = -1;
		st->w.unsynced = 0;
	}
	if (st->zs != NULL) {
		deflateEnd(st->zs);
		free(st->zs);
		st->zs = NULL;
	}
}

int
store_warc_sync(struct store *st)
{
	if (st->w.fd == -1 || !st->w.unsynced)
		return 0;
	if (fdatasync(st->w.fd) == -1) {
		log_warn("%s/%s", st->warc_dir, st->w.name);
		/* which records reached the disk is unknown: stop writing */
		st->werr =
		    errno == ENOSPC || errno == EDQUOT ? NB_EFULL : NB_EIO;
		return st->werr;
	}
	st->w.unsynced = 0;
	return 0;
}

static int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd == -1 || fsync(fd) == -1) {
		log_warn("%s", dir);
		if (fd != -1)
			close(fd);
		return NB_EIO;
	}
	close(fd);
	return 0;
}

static int
fields_header(struct nb_buf *h, const char *type, const char *id,
              const char *date, const char *extra, const char *ctype,
              const uint8_t block_sha[STORE_SHA1_LEN], uint64_t block_len)
{
	char bd[STORE_B32_LEN + 6];

	digest_text(block_sha, bd);
	nb_buf_reset(h);
	return nb_buf_printf(h,
	                     "WARC/1.1\r\n"
	                     "WARC-Type: %s\r\n"
	                     "WARC-Record-ID: %s\r\n"
	                     "WARC-Date: %s\r\n"
	                     "%s"
	                     "WARC-Block-Digest: %s\r\n"
	                     "Content-Type: %s\r\n"
	                     "Content-Length: %" PRIu64 "\r\n\r\n",
	                     type, id, date, extra, bd, ctype, block_len);
}

/* Open a new file and write its warcinfo record. */
static int
file_new(struct store *st)
{
	char ts[16], date[32], path[4096];
	struct nb_buf info, hdr, extra;
	struct store_pending p;
	uint8_t sha[STORE_SHA1_LEN];
	struct piece blk;
	uint64_t len;
	int64_t now = nb_now_ms();
	int rc;

	nb_buf_init(&info, 1 << 16);
	nb_buf_init(&hdr, 1 << 16);
	nb_buf_init(&extra, 1 << 16);
	nb_time_14(now, ts, sizeof(ts));
	nb_time_iso(now, date, sizeof(date));
	st->w.serial = st->next_serial++;
	st->w.created = now;
	st->w.size = 0;
	snprintf(st->w.name, sizeof(st->w.name),
	         "nianbao-%s-%05" PRIu32 ".warc.gz", ts, st->w.serial);
	snprintf(path, sizeof(path), "%s/%s", st->warc_dir, st->w.name);
	st->w.fd = open(
	    path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
	if (st->w.fd == -1) {
		log_warn("%s", path);
		rc = errno == ENOSPC || errno == EDQUOT ? NB_EFULL : NB_EIO;
		goto fail;
	}
	if ((rc = fsync_dir(st->warc_dir)) != 0)
		goto fail;
	if ((rc = uuid_make(st->w.warcinfo_id)) != 0)
		goto fail;
	rc = nb_buf_printf(&info,
	                   "software: %s\r\n"
	                   "format: WARC File Format 1.1\r\n"
	                   "conformsTo: https://iipc.github.io/"
	                   "warc-specifications/specifications/warc-format/"
	                   "warc-1.1/\r\n"
	                   "description: annual government information "
	                   "disclosure reports\r\n",
	                   st->software);
	if (rc == 0 && st->user_agent[0] && header_safe(st->user_agent))
		rc = nb_buf_printf(&info, "http-header-user-agent: %s\r\n",
		                   st->user_agent);
	if (rc == 0)
		rc = nb_buf_printf(&extra, "WARC-Filename: %s\r\n", st->w.name);
	if (rc != 0)
		goto fail;
	store_sha1(info.data, info.len, sha);
	if ((rc = fields_header(&hdr, "warcinfo", st->w.warcinfo_id, date,
	                        extra.data, "application/warc-fields", sha,
	                        info.len)) != 0)
		goto fail;
	blk = (struct piece){info.data, info.len};
	if ((rc = record_write(st, &hdr, &blk, 1, &len)) != 0)
		goto fail;
	st->w.size = len;
	st->w.unsynced = 1;
	memset(&p, 0, sizeof(p));
	p.file = st->w.serial;
	p.end = len;
	p.created = st->w.created;
	snprintf(p.name, sizeof(p.name), "%s", st->w.name);
	if ((rc = pend_add(st, &p)) != 0)
		goto fail;
	nb_buf_free(&info);
	nb_buf_free(&hdr);
	nb_buf_free(&extra);
	log_info("store: writing %s", path);
	return 0;
fail:
	if (st->w.fd != -1) {
		close(st->w.fd);
		unlink(path);
		st->w.fd = -1;
	}
	nb_buf_free(&info);
	nb_buf_free(&hdr);
	nb_buf_free(&extra);
	return rc;
}

/* The writer's file: open one, or roll to a new one past warc_size. */
static int
file_ready(struct store *st)
{
	int rc;

	if (st->w.fd != -1 && st->w.size < st->warc_size)
		return 0;
	if (st->w.fd != -1) {
		/* the flush commits what refers to this file: on disk first */
		if ((rc = store_warc_sync(st)) != 0)
			return rc;
		store_warc_close(st);
		if ((rc = store_flush(st)) != 0)
			return rc;
		if (store_cdxj_export(st, NULL) != 0)
			log_warnx("store: %s: index.cdxj not rewritten",
			          st->dir);
	}
	return file_new(st);
}

/*
 * Cut a failed record off again.  Disk full and I/O errors stop writing
 * until the store is reopened: retrying would only tear more records.
 */
static void
write_failed(struct store *st, uint64_t at, int rc)
{
	int sticky = rc == NB_EFULL || rc == NB_EIO;

	if (ftruncate(st->w.fd, at) == -1 || fsync(st->w.fd) == -1) {
		log_warn("%s/%s: cannot cut the failed record at %" PRIu64,
		         st->warc_dir, st->w.name, at);
		sticky = 1;
		rc = NB_EIO;
	} else
		log_warnx("store: %s/%s: write failed (%s); record at %" PRIu64
		          " removed%s",
		          st->warc_dir, st->w.name, nb_strerror(rc), at,
		          sticky ? ", writing stopped" : "");
	st->w.size = at;
	if (sticky)
		st->werr = rc;
}

int
store_capture_append(struct store *st, const struct store_capture *cap,
                     struct store_capture_result *res)
{
	struct nb_buf hdr, extra, resp, req;
	struct http_info hi, rqi;
	struct origin o;
	struct store_txn *txn = NULL;
	struct store_pending pend;
	struct post post;
	struct piece blk[2];
	char date[32], req_id[48], pd[STORE_B32_LEN + 6];
	uint8_t sha[STORE_SHA1_LEN], psha[STORE_SHA1_LEN];
	uint64_t start, len;
	int64_t when;
	int rc, revisit = 0, has_req;

	memset(&o, 0, sizeof(o));
	memset(&pend, 0, sizeof(pend));
	nb_buf_init(&hdr, SIZE_MAX);
	nb_buf_init(&extra, SIZE_MAX);
	nb_buf_init(&resp, SIZE_MAX);
	nb_buf_init(&req, SIZE_MAX);
	if (!(st->flags & STORE_RDWR) || st->in_write) {
		log_warnx("store: capture append needs the writer, outside "
		          "write transactions");
		return NB_EINVAL;
	}
	if (st->werr)
		return st->werr;
	if (cap->url == NULL || *cap->url == '\0' || strchr(cap->url, ' ') ||
	    !header_safe(cap->url) || (cap->ip && !header_safe(cap->ip)) ||
	    cap->resp_headers == NULL || cap->resp_headers_len == 0) {
		log_warnx("store: capture of %s: bad URL or headers",
		          cap->url ? cap->url : "(null)");
		return NB_EINVAL;
	}
	when = cap->date ? cap->date : nb_now_ms();
	nb_time_iso(when, date, sizeof(date));
	has_req = cap->req_headers != NULL && cap->req_headers_len > 0;

	if ((rc = http_block(cap->resp_headers, cap->resp_headers_len,
	                     cap->flags & STORE_CAP_DECODED, cap->payload_len,
	                     &hi, &resp)) != 0)
		goto fail;
	if (hi.status == 0) {
		log_warnx("store: capture of %s: no HTTP status line",
		          cap->url);
		rc = NB_EINVAL;
		goto fail;
	}
	if (has_req && (rc = http_block(cap->req_headers, cap->req_headers_len,
	                                0, 0, &rqi, &req)) != 0)
		goto fail;
	store_sha1(cap->payload ? cap->payload : "", cap->payload_len, psha);

	/* revisit or response? */
	if ((rc = store_read_begin(st, &txn)) != 0)
		goto fail;
	if (hi.status == 304)
		rc = origin_by_url(st, txn, cap->url, &o);
	else if (cap->payload_len > 0) {
		rc = origin_by_sha(st, txn, psha, &o);
		if (rc == 0 && o.found && !(cap->flags & STORE_CAP_DEDUP)) {
			/* known payload, but the caller wants it stored */
			free(o.url);
			memset(&o, 0, sizeof(o));
			o.found = -1;
		}
	}
	store_read_end(txn);
	txn = NULL;
	if (rc != 0)
		goto fail;
	revisit = o.found == 1;

	if ((rc = uuid_make(res->record_id)) != 0 ||
	    (has_req && (rc = uuid_make(req_id)) != 0))
		goto fail;
	if ((rc = file_ready(st)) != 0)
		goto fail;
	start = st->w.size;

	/* request record */
	memset(&res->req_loc, 0, sizeof(res->req_loc));
	if (has_req) {
		blk[0] = (struct piece){req.data, req.len};
		blk[1] = (struct piece){cap->req_body ? cap->req_body : "",
		                        cap->req_body_len};
		if ((rc = sha1_pieces(blk, 2, sha)) != 0)
			goto fail;
		nb_buf_reset(&extra);
		rc = nb_buf_printf(&extra,
		                   "WARC-Target-URI: %s\r\n"
		                   "WARC-Concurrent-To: %s\r\n"
		                   "WARC-Warcinfo-ID: %s\r\n",
		                   cap->url, res->record_id, st->w.warcinfo_id);
		if (rc == 0 && cap->ip)
			rc = nb_buf_printf(&extra, "WARC-IP-Address: %s\r\n",
			                   cap->ip);
		if (rc == 0)
			rc = fields_header(&hdr, "request", req_id, date,
			                   extra.data,
			                   "application/http;msgtype=request",
			                   sha, req.len + cap->req_body_len);
		if (rc == 0)
			rc = record_write(st, &hdr, blk, 2, &len);
		if (rc != 0)
			goto wfail;
		res->req_loc =
		    (struct store_loc){st->w.serial, st->w.size, len};
		st->w.size += len;
	}

	/* response or revisit record */
	nb_buf_reset(&extra);
	rc = nb_buf_printf(&extra, "WARC-Target-URI: %s\r\n", cap->url);
	if (rc == 0 && cap->ip)
		rc = nb_buf_printf(&extra, "WARC-IP-Address: %s\r\n", cap->ip);
	if (rc == 0 && has_req)
		rc =
		    nb_buf_printf(&extra, "WARC-Concurrent-To: %s\r\n", req_id);
	if (rc == 0)
		rc = nb_buf_printf(&extra, "WARC-Warcinfo-ID: %s\r\n",
		                   st->w.warcinfo_id);
	if (rc != 0)
		goto wfail;
	blk[0] = (struct piece){resp.data, resp.len};
	if (revisit) {
		char odate[32];

		nb_time_iso(o.date, odate, sizeof(odate));
		digest_text(o.sha, pd);
		memcpy(res->payload_sha1, o.sha, STORE_SHA1_LEN);
		rc = nb_buf_printf(&extra,
		                   "WARC-Profile: %s\r\n"
		                   "WARC-Refers-To: %s\r\n"
		                   "WARC-Refers-To-Target-URI: %s\r\n"
		                   "WARC-Refers-To-Date: %s\r\n"
		                   "WARC-Payload-Digest: %s\r\n",
		                   hi.status == 304 ? PROFILE_NOT_MODIFIED
		                                    : PROFILE_IDENTICAL,
		                   o.id, o.url, odate, pd);
		if (rc == 0 && (rc = sha1_pieces(blk, 1, sha)) == 0)
			rc = fields_header(
			    &hdr, "revisit", res->record_id, date, extra.data,
			    "application/http;msgtype=response", sha, resp.len);
		if (rc == 0)
			rc = record_write(st, &hdr, blk, 1, &len);
	} else {
		blk[1] = (struct piece){cap->payload ? cap->payload : "",
		                        cap->payload_len};
		digest_text(psha, pd);
		memcpy(res->payload_sha1, psha, STORE_SHA1_LEN);
		rc = nb_buf_printf(&extra, "WARC-Payload-Digest: %s\r\n", pd);
		if (rc == 0 && (cap->flags & STORE_CAP_TRUNCATED))
			rc = nb_buf_adds(&extra, "WARC-Truncated: length\r\n");
		if (rc == 0 && (rc = sha1_pieces(blk, 2, sha)) == 0)
			rc = fields_header(&hdr, "response", res->record_id,
			                   date, extra.data,
			                   "application/http;msgtype=response",
			                   sha, resp.len + cap->payload_len);
		if (rc == 0)
			rc = record_write(st, &hdr, blk, 2, &len);
	}
	if (rc != 0)
		goto wfail;
	res->loc = (struct store_loc){st->w.serial, st->w.size, len};
	st->w.size += len;
	st->w.unsynced = 1;
	if (!(cap->flags & STORE_CAP_NOSYNC) && fdatasync(st->w.fd) == -1) {
		log_warn("%s/%s", st->warc_dir, st->w.name);
		rc = errno == ENOSPC || errno == EDQUOT ? NB_EFULL : NB_EIO;
		goto wfail;
	}
	if (!(cap->flags & STORE_CAP_NOSYNC))
		st->w.unsynced = 0;
	st->appended = 1;

	res->type = revisit ? STORE_REC_REVISIT : STORE_REC_RESPONSE;
	res->not_modified = revisit && hi.status == 304;
	res->status = hi.status;
	store_sha1_b32(res->payload_sha1, res->payload_digest);

	pend.file = st->w.serial;
	pend.end = st->w.size;
	pend.created = st->w.created;
	snprintf(pend.name, sizeof(pend.name), "%s", st->w.name);
	rc = post_make(cap->url, cap->req_headers, cap->req_headers_len,
	               cap->req_body, cap->req_body_len, &post);
	if (rc == 0)
		rc = cdx_entry(&pend, cap->url, &post, when, res->type,
		               hi.status, hi.mime, &res->loc, res->payload_sha1,
		               st->w.name);
	post_free(&post);
	if (rc == 0 && !revisit && cap->payload_len > 0 && o.found == 0)
		rc = payload_entry(&pend, psha, &res->loc, when, res->record_id,
		                   cap->url);
	if (rc == 0)
		rc = pend_add(st, &pend);
	if (rc != 0) {
		free(pend.cdx_key);
		free(pend.cdx_val);
		free(pend.pay_val);
		goto fail;
	}
	free(o.url);
	nb_buf_free(&hdr);
	nb_buf_free(&extra);
	nb_buf_free(&resp);
	nb_buf_free(&req);
	/* the recovery scan would rebuild these; commit now and then anyway */
	if (st->npend >= 256 && (rc = store_flush(st)) != 0)
		log_warnx("store: committing CDXJ entries: %s",
		          nb_strerror(rc));
	return 0;
wfail:
	write_failed(st, start, rc);
	if (st->werr)
		rc = st->werr;
fail:
	store_read_end(txn);
	free(o.url);
	nb_buf_free(&hdr);
	nb_buf_free(&extra);
	nb_buf_free(&resp);
	nb_buf_free(&req);
	return rc;
}

/* ------------------------------------------------------------- reading */

int
store_member_read(int fd, uint64_t offset, uint64_t max_len, uint8_t **out,
                  size_t *outlen, uint64_t *member_len, char *why,
                  size_t whylen)
{
	z_stream zs;
	uint8_t in[1 << 16];
	uint8_t *o = NULL;
	size_t cap = 0;
	uint64_t pos = offset;
	int rc = NB_ECORRUPT, zrc = Z_OK;

	memset(&zs, 0, sizeof(zs));
	*out = NULL;
	if (inflateInit2(&zs, 31) != Z_OK)
		return NB_ENOMEM;
	while (zrc != Z_STREAM_END) {
		if (zs.avail_in == 0) {
			size_t want = sizeof(in);
			ssize_t n;

			if (max_len && pos - offset + want > max_len)
				want = max_len - (pos - offset);
			n = want ? pread(fd, in, want, pos) : 0;
			if (n == -1) {
				snprintf(why, whylen, "read: %s",
				         strerror(errno));
				rc = NB_EIO;
				goto fail;
			}
			if (n == 0) {
				snprintf(why, whylen, "gzip member ends early");
				goto fail;
			}
			pos += n;
			zs.next_in = in;
			zs.avail_in = n;
		}
		if (cap - zs.total_out < 1 << 16) {
			size_t ncap = cap ? cap * 2 : 1 << 17;
			uint8_t *no;

			if (ncap > RECORD_MAX) {
				snprintf(why, whylen, "record larger than %zu",
				         RECORD_MAX);
				goto fail;
			}
			if ((no = realloc(o, ncap + 1)) == NULL) {
				rc = NB_ENOMEM;
				goto fail;
			}
			o = no;
			cap = ncap;
		}
		zs.next_out = o + zs.total_out;
		zs.avail_out = cap - zs.total_out;
		zrc = inflate(&zs, Z_NO_FLUSH);
		if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR) {
			snprintf(why, whylen, "gzip: %s",
			         zs.msg ? zs.msg : "data error");
			goto fail;
		}
	}
	o[zs.total_out] = '\0';
	*out = o;
	*outlen = zs.total_out;
	*member_len = zs.total_in;
	inflateEnd(&zs);
	return 0;
fail:
	inflateEnd(&zs);
	free(o);
	return rc;
}

/* What a store_record's mem_ holds. */
struct rec_mem {
	uint8_t *data;
	char *strs;
};

void
store_record_free(struct store_record *rec)
{
	struct rec_mem *m;

	if (rec == NULL || (m = rec->mem_) == NULL)
		return;
	free(m->data);
	free(m->strs);
	free(m);
	rec->mem_ = NULL;
}

static const struct {
	const char *name;
	size_t off;
} rec_fields[] = {
    {"WARC-Type", offsetof(struct store_record, warc_type)},
    {"WARC-Target-URI", offsetof(struct store_record, target_uri)},
    {"WARC-Date", offsetof(struct store_record, date)},
    {"WARC-Record-ID", offsetof(struct store_record, record_id)},
    {"WARC-Block-Digest", offsetof(struct store_record, block_digest)},
    {"WARC-Payload-Digest", offsetof(struct store_record, payload_digest)},
    {"WARC-Refers-To-Target-URI", offsetof(struct store_record, refers_to_uri)},
    {"WARC-Refers-To-Date", offsetof(struct store_record, refers_to_date)},
    {"WARC-Profile", offsetof(struct store_record, profile)},
};

static int
digest_matches(const char *field, const void *p, size_t n)
{
	uint8_t want[STORE_SHA1_LEN], got[STORE_SHA1_LEN];

	if (strncasecmp(field, "sha1:", 5) != 0)
		return 1; /* another algorithm: not ours to check */
	if (store_b32_sha1(field, want) != 0)
		return 0;
	store_sha1(p, n, got);
	return memcmp(want, got, STORE_SHA1_LEN) == 0;
}

/*
 * Parse one decompressed record; takes ownership of mem (malloc'd, with a
 * NUL after len) even on failure.
 */
int
store_record_parse(void *mem, size_t len, struct store_record *rec, int check,
                   char *why, size_t whylen)
{
	struct rec_mem *m = calloc(1, sizeof(*m));
	char *data = mem, *hend, *s;
	uint64_t clen = UINT64_MAX;
	size_t hlen;

	memset(rec, 0, sizeof(*rec));
	if (m == NULL) {
		free(mem);
		return NB_ENOMEM;
	}
	m->data = mem;
	rec->mem_ = m;
	for (size_t i = 0; i < NB_NELEM(rec_fields); i++)
		*(const char **)((char *)rec + rec_fields[i].off) = "";
	if (len < 9 || memcmp(data, "WARC/1.", 7) != 0) {
		snprintf(why, whylen, "not a WARC record");
		return NB_ECORRUPT;
	}
	hend = memmem(data, len, "\r\n\r\n", 4);
	if (hend == NULL) {
		snprintf(why, whylen, "WARC header not terminated");
		return NB_ECORRUPT;
	}
	hlen = hend + 4 - data;
	if ((m->strs = malloc(hlen + 1)) == NULL)
		return NB_ENOMEM;
	s = m->strs;
	for (char *p = memchr(data, '\n', hlen) + 1; p < hend + 2;) {
		char *eol = memmem(p, hend + 2 - p, "\r\n", 2);
		char *colon = memchr(p, ':', eol - p);

		if (colon != NULL) {
			size_t nl = colon - p;
			char *v = colon + 1, *ve = eol;

			while (v < ve && (*v == ' ' || *v == '\t'))
				v++;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			if (nl == 14 &&
			    strncasecmp(p, "Content-Length", 14) == 0)
				clen = strtoull(v, NULL, 10);
			for (size_t i = 0; i < NB_NELEM(rec_fields); i++)
				if (strlen(rec_fields[i].name) == nl &&
				    strncasecmp(p, rec_fields[i].name, nl) ==
				        0) {
					memcpy(s, v, ve - v);
					s[ve - v] = '\0';
					*(const char **)((char *)rec +
					                 rec_fields[i].off) = s;
					s += ve - v + 1;
				}
		}
		p = eol + 2;
	}
	rec->warc_headers = data;
	rec->warc_headers_len = hlen;
	if (clen == UINT64_MAX || clen > len - hlen || len - hlen - clen != 4 ||
	    memcmp(data + hlen + clen, "\r\n\r\n", 4)) {
		snprintf(why, whylen,
		         "Content-Length does not match the record's size");
		return NB_ECORRUPT;
	}
	rec->block = data + hlen;
	rec->block_len = clen;
	if (strcmp(rec->warc_type, "warcinfo") == 0)
		rec->type = STORE_REC_WARCINFO;
	else if (strcmp(rec->warc_type, "request") == 0)
		rec->type = STORE_REC_REQUEST;
	else if (strcmp(rec->warc_type, "response") == 0)
		rec->type = STORE_REC_RESPONSE;
	else if (strcmp(rec->warc_type, "revisit") == 0)
		rec->type = STORE_REC_REVISIT;
	if (rec->type == STORE_REC_REQUEST || rec->type == STORE_REC_RESPONSE ||
	    rec->type == STORE_REC_REVISIT) {
		char *he = memmem(rec->block, clen, "\r\n\r\n", 4);
		struct http_info hi;

		rec->http_headers = rec->block;
		rec->http_headers_len =
		    he ? (size_t)(he + 4 - rec->block) : clen;
		rec->payload = rec->block + rec->http_headers_len;
		rec->payload_len = clen - rec->http_headers_len;
		memset(&hi, 0, sizeof(hi));
		each_line(rec->http_headers, rec->http_headers_len, scan_line,
		          &hi);
		if (rec->type != STORE_REC_REQUEST)
			rec->status = hi.status;
	}
	if (check && rec->block_digest[0] &&
	    !digest_matches(rec->block_digest, rec->block, rec->block_len)) {
		snprintf(why, whylen, "block digest mismatch");
		return NB_ECORRUPT;
	}
	if (check && rec->type == STORE_REC_RESPONSE &&
	    rec->payload_digest[0] &&
	    !digest_matches(rec->payload_digest, rec->payload,
	                    rec->payload_len)) {
		snprintf(why, whylen, "payload digest mismatch");
		return NB_ECORRUPT;
	}
	return 0;
}

/* Path of WARC file `serial': the writer's own, or from the index. */
static int
file_path(struct store *st, struct store_txn *txn, uint32_t serial, char *buf,
          size_t len)
{
	char name[64];
	struct store_txn *own = NULL;
	int rc;

	if (st->w.fd != -1 && serial == st->w.serial) {
		snprintf(buf, len, "%s/%s", st->warc_dir, st->w.name);
		return 0;
	}
	if (txn == NULL && (rc = store_read_begin(st, &own)) != 0)
		return rc;
	rc = store_warc_name(txn ? txn : own, serial, name, sizeof(name));
	store_read_end(own);
	if (rc == 0)
		snprintf(buf, len, "%s/%s", st->warc_dir, name);
	return rc;
}

static int
record_read(struct store *st, struct store_txn *txn,
            const struct store_loc *loc, struct store_record *rec)
{
	char path[4096], why[128];
	uint8_t *mem;
	size_t len;
	uint64_t mlen;
	int fd, rc;

	memset(rec, 0, sizeof(*rec));
	if ((rc = file_path(st, txn, loc->file, path, sizeof(path))) != 0)
		return rc;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("%s", path);
		return errno == ENOENT ? NB_ENOTFOUND : NB_EIO;
	}
	rc = store_member_read(fd, loc->offset, loc->length, &mem, &len, &mlen,
	                       why, sizeof(why));
	close(fd);
	if (rc == 0 && mlen != loc->length) {
		snprintf(why, sizeof(why),
		         "member is %" PRIu64 " bytes, not %" PRIu64, mlen,
		         loc->length);
		free(mem);
		rc = NB_ECORRUPT;
	}
	if (rc == 0)
		rc = store_record_parse(mem, len, rec, 1, why, sizeof(why));
	if (rc != 0)
		log_warnx("%s:%" PRIu64 ": %s", path, loc->offset,
		          rc == NB_ENOMEM ? "out of memory" : why);
	return rc;
}

int
store_record_read(struct store *st, const struct store_loc *loc,
                  struct store_record *rec)
{
	return record_read(st, NULL, loc, rec);
}

int
store_payload_get(struct store_txn *txn, const char *url, int64_t at,
                  struct store_record *rec, struct store_cdx *cdx)
{
	struct store_cdx c;
	struct store_loc loc;
	int rc;

	memset(rec, 0, sizeof(*rec));
	if ((rc = store_capture_find(txn, url, at, &c)) != 0)
		return rc;
	loc = c.loc;
	if (c.type == STORE_REC_REVISIT &&
	    (rc = store_payload_find(txn, c.payload_sha1, &loc)) != 0) {
		if (rc == NB_ENOTFOUND)
			log_warnx("store: %s: revisit of a payload that is not "
			          "archived",
			          url);
		return rc;
	}
	if (cdx != NULL)
		*cdx = c;
	return record_read(txn->st, txn, &loc, rec);
}

/* ------------------------------------------------------------ recovery */

struct wf {
	uint32_t serial;
	int in_db;
	uint64_t end;
	int64_t created;
	char name[64];
};

static int
wf_cmp(const void *a, const void *b)
{
	const struct wf *x = a, *y = b;

	return x->serial < y->serial ? -1 : x->serial > y->serial;
}

/* nianbao-YYYYMMDDhhmmss-NNNNN.warc.gz -> serial; 0 if not ours */
static uint32_t
name_serial(const char *name, int64_t *created)
{
	char ts[15];
	unsigned long s;
	char *end;

	if (strncmp(name, "nianbao-", 8) != 0 || strlen(name) < 8 + 14 + 2 + 8)
		return 0;
	memcpy(ts, name + 8, 14);
	ts[14] = '\0';
	if (name[22] != '-' || nb_time_parse(ts, created) != 0)
		return 0;
	s = strtoul(name + 23, &end, 10);
	if (end == name + 23 || strcmp(end, ".warc.gz") != 0 || s == 0 ||
	    s > UINT32_MAX)
		return 0;
	return s;
}

static int
list_files(struct store *st, struct wf **out, size_t *n)
{
	struct store_txn *txn;
	struct wf *v = NULL;
	size_t nv = 0, cv = 0;
	MDB_cursor *c;
	MDB_val k, val;
	DIR *d;
	struct dirent *de;
	int rc, mrc;

	if ((rc = store_read_begin(st, &txn)) != 0)
		return rc;
	if ((rc = store_cursor(txn, DB_WARC, &c)) != 0) {
		store_read_end(txn);
		return rc;
	}
	for (mrc = mdb_cursor_get(c, &k, &val, MDB_FIRST); mrc == 0;
	     mrc = mdb_cursor_get(c, &k, &val, MDB_NEXT)) {
		struct dec dd;
		const char *name;

		if (nv == cv) {
			cv = cv ? cv * 2 : 16;
			struct wf *nvv = realloc(v, cv * sizeof(*v));

			if (nvv == NULL) {
				rc = NB_ENOMEM;
				break;
			}
			v = nvv;
		}
		dec_init(&dd, &val);
		memset(&v[nv], 0, sizeof(v[nv]));
		v[nv].serial = k.mv_size == 4 ? be32_get(k.mv_data) : 0;
		v[nv].end = dec_u64(&dd);
		v[nv].created = (int64_t)dec_u64(&dd);
		name = dec_str(&dd);
		if (dd.bad || v[nv].serial == 0 ||
		    strlen(name) >= sizeof(v[nv].name)) {
			log_warnx("store: undecodable WARC file entry");
			rc = NB_ECORRUPT;
			break;
		}
		strcpy(v[nv].name, name);
		v[nv++].in_db = 1;
	}
	mdb_cursor_close(c);
	store_read_end(txn);
	if (rc != 0)
		goto fail;
	if ((d = opendir(st->warc_dir)) == NULL) {
		if (errno == ENOENT)
			goto done;
		log_warn("%s", st->warc_dir);
		rc = NB_EIO;
		goto fail;
	}
	while ((de = readdir(d)) != NULL) {
		int64_t created;
		uint32_t s = name_serial(de->d_name, &created);
		int known = 0;

		if (s == 0 || strlen(de->d_name) >= sizeof(v[0].name))
			continue;
		for (size_t i = 0; i < nv; i++)
			known |= v[i].serial == s;
		if (known)
			continue;
		if (nv == cv) {
			cv = cv ? cv * 2 : 16;
			struct wf *nvv = realloc(v, cv * sizeof(*v));

			if (nvv == NULL) {
				closedir(d);
				rc = NB_ENOMEM;
				goto fail;
			}
			v = nvv;
		}
		memset(&v[nv], 0, sizeof(v[nv]));
		v[nv].serial = s;
		v[nv].created = created;
		strcpy(v[nv].name, de->d_name);
		nv++;
	}
	closedir(d);
done:
	if (nv > 0)
		qsort(v, nv, sizeof(*v), wf_cmp);
	*out = v;
	*n = nv;
	return 0;
fail:
	free(v);
	return rc;
}

/* Queue the index entries of a record found by the recovery scan. */
static int
recover_record(struct store *st, const struct wf *f, uint64_t off,
               uint64_t mlen, const struct store_record *rec,
               const struct post *post)
{
	struct store_pending p;
	struct store_loc loc = {f->serial, off, mlen};
	uint8_t sha[STORE_SHA1_LEN];
	struct http_info hi;
	int64_t date = 0;
	int rc = 0;

	memset(&p, 0, sizeof(p));
	p.file = f->serial;
	p.end = off + mlen;
	p.created = f->created;
	snprintf(p.name, sizeof(p.name), "%s", f->name);
	nb_time_parse(rec->date, &date);
	if (rec->type == STORE_REC_RESPONSE || rec->type == STORE_REC_REVISIT) {
		memset(&hi, 0, sizeof(hi));
		each_line(rec->http_headers, rec->http_headers_len, scan_line,
		          &hi);
		if (rec->type == STORE_REC_RESPONSE)
			store_sha1(rec->payload, rec->payload_len, sha);
		else if (store_b32_sha1(rec->payload_digest, sha) != 0)
			memset(sha, 0, sizeof(sha));
		rc = cdx_entry(&p, rec->target_uri, post, date, rec->type,
		               rec->status, hi.mime, &loc, sha, f->name);
		if (rc == 0 && rec->type == STORE_REC_RESPONSE &&
		    rec->payload_len > 0)
			rc = payload_entry(&p, sha, &loc, date, rec->record_id,
			                   rec->target_uri);
	}
	if (rc == 0)
		rc = pend_add(st, &p);
	if (rc != 0) {
		free(p.cdx_key);
		free(p.cdx_val);
		free(p.pay_val);
	}
	return rc;
}

/* The request record before a capture, for the POST key. */
struct lastreq {
	char *uri;
	struct nb_buf hdr, body;
};

static int
recover_pair(struct store *st, const struct wf *f, uint64_t off, uint64_t mlen,
             const struct store_record *rec, struct lastreq *lr)
{
	struct post post;
	int rc = 0;

	memset(&post, 0, sizeof(post));
	if (rec->type == STORE_REC_REQUEST) {
		free(lr->uri);
		nb_buf_reset(&lr->hdr);
		nb_buf_reset(&lr->body);
		if ((lr->uri = strdup(rec->target_uri)) == NULL ||
		    nb_buf_add(&lr->hdr, rec->http_headers,
		               rec->http_headers_len) ||
		    nb_buf_add(&lr->body, rec->payload, rec->payload_len))
			return NB_ENOMEM;
	} else if ((rec->type == STORE_REC_RESPONSE ||
	            rec->type == STORE_REC_REVISIT) &&
	           lr->uri && strcmp(lr->uri, rec->target_uri) == 0)
		rc = post_make(rec->target_uri, lr->hdr.data, lr->hdr.len,
		               lr->body.data, lr->body.len, &post);
	if (rc == 0)
		rc = recover_record(st, f, off, mlen, rec, &post);
	post_free(&post);
	return rc;
}

static int
recover_file(struct store *st, const struct wf *f, int *empty)
{
	char path[4096], why[128];
	struct stat sb;
	uint64_t off = f->end, size;
	struct lastreq lastreq = {NULL, {0}, {0}};
	int fd, rc = 0;

	*empty = 0;
	nb_buf_init(&lastreq.hdr, SIZE_MAX);
	nb_buf_init(&lastreq.body, SIZE_MAX);
	snprintf(path, sizeof(path), "%s/%s", st->warc_dir, f->name);
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1) {
		if (errno == ENOENT && f->end > 0) {
			log_warnx("store: %s is indexed but missing", path);
			return NB_ECORRUPT;
		}
		if (errno == ENOENT)
			return 0;
		log_warn("%s", path);
		return NB_EIO;
	}
	if (fstat(fd, &sb) == -1) {
		log_warn("%s", path);
		close(fd);
		return NB_EIO;
	}
	size = sb.st_size;
	if (size < f->end) {
		log_warnx("store: %s: %" PRIu64
		          " bytes, but the index covers %" PRIu64,
		          path, size, f->end);
		close(fd);
		return NB_ECORRUPT;
	}
	while (off < size) {
		struct store_record rec;
		uint8_t *mem;
		size_t len;
		uint64_t mlen;

		rc = store_member_read(fd, off, 0, &mem, &len, &mlen, why,
		                       sizeof(why));
		if (rc == 0) {
			rc = store_record_parse(mem, len, &rec, 1, why,
			                        sizeof(why));
			if (rc == 0)
				rc = recover_pair(st, f, off, mlen, &rec,
				                  &lastreq);
			store_record_free(&rec);
		}
		if (rc == NB_ENOMEM || rc == NB_EIO)
			break;
		if (rc != 0) {
			/* a torn tail: cut it */
			rc = 0;
			if (ftruncate(fd, off) == -1 || fsync(fd) == -1) {
				log_warn("%s: truncating at %" PRIu64, path,
				         off);
				rc = NB_EIO;
			} else
				log_warnx("store: %s: torn record at %" PRIu64
				          " (%s): truncated %" PRIu64 " bytes",
				          path, off, why, size - off);
			size = off;
			break;
		}
		if (off == f->end)
			log_info("store: %s: indexing records past %" PRIu64,
			         path, off);
		off += mlen;
	}
	close(fd);
	free(lastreq.uri);
	nb_buf_free(&lastreq.hdr);
	nb_buf_free(&lastreq.body);
	*empty = rc == 0 && !f->in_db && size == 0;
	return rc;
}

int
store_warc_recover(struct store *st)
{
	struct wf *files = NULL;
	size_t n = 0;
	int rc, empty;

	if ((rc = list_files(st, &files, &n)) != 0)
		return rc;
	st->next_serial = 1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = recover_file(st, &files[i], &empty);
		if (rc == 0 && empty) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/%s", st->warc_dir,
			         files[i].name);
			if (unlink(path) == 0)
				log_info("store: removed empty %s", path);
		}
		if (files[i].serial >= st->next_serial)
			st->next_serial = files[i].serial + 1;
	}
	free(files);
	if (rc == 0 && st->npend > 0) {
		st->appended = 1;
		rc = store_flush(st);
	}
	return rc;
}
