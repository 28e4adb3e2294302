/*
 * codec.c - byte orders, value encoding, SHA-1 and base32, record JSON
 * compression.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "digest.h"
#include "log.h"
#include "store_int.h"

_Static_assert(STORE_SHA1_LEN == NB_SHA1_LEN &&
                   STORE_B32_LEN == NB_SHA1_B32_LEN,
               "the store keeps digests in common/digest.h's form");

void
dec_init(struct dec *d, const MDB_val *v)
{
	d->p = v->mv_data;
	d->end = d->p + v->mv_size;
	d->bad = 0;
}

const void *
dec_bytes(struct dec *d, size_t n)
{
	const uint8_t *p = d->p;

	if (d->bad || (size_t)(d->end - d->p) < n) {
		d->bad = 1;
		return NULL;
	}
	d->p += n;
	return p;
}

uint8_t
dec_u8(struct dec *d)
{
	const uint8_t *p = dec_bytes(d, 1);

	return p ? p[0] : 0;
}

uint16_t
dec_u16(struct dec *d)
{
	const uint8_t *p = dec_bytes(d, 2);

	return p ? be16_get(p) : 0;
}

uint32_t
dec_u32(struct dec *d)
{
	const uint8_t *p = dec_bytes(d, 4);

	return p ? be32_get(p) : 0;
}

uint64_t
dec_u64(struct dec *d)
{
	const uint8_t *p = dec_bytes(d, 8);

	return p ? be64_get(p) : 0;
}

const char *
dec_str(struct dec *d)
{
	const uint8_t *nul;
	const char *s;

	if (d->bad)
		return "";
	nul = memchr(d->p, 0, d->end - d->p);
	if (nul == NULL) {
		d->bad = 1;
		return "";
	}
	s = (const char *)d->p;
	d->p = nul + 1;
	return s;
}

const void *
dec_blob(struct dec *d, size_t *n)
{
	uint32_t len = dec_u32(d);
	const void *p = dec_bytes(d, len);

	*n = p ? len : 0;
	return p;
}

int64_t
dec_svar(struct dec *d)
{
	uint64_t u = 0;

	for (int shift = 0; shift < 64 && !d->bad; shift += 7) {
		const uint8_t *p = dec_bytes(d, 1);

		if (p == NULL)
			break;
		u |= (uint64_t)(*p & 0x7f) << shift;
		if (!(*p & 0x80))
			return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	}
	d->bad = 1;
	return 0;
}

int
enc_svar(struct nb_buf *b, int64_t v)
{
	uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
	uint8_t p[10];
	size_t n = 0;

	do {
		p[n++] = (uint8_t)((u & 0x7f) | (u > 0x7f ? 0x80 : 0));
		u >>= 7;
	} while (u);
	return nb_buf_add(b, p, n);
}

int
enc_u8(struct nb_buf *b, uint8_t v)
{
	return nb_buf_add(b, &v, 1);
}

int
enc_u16(struct nb_buf *b, uint16_t v)
{
	uint8_t p[2];

	be16_put(p, v);
	return nb_buf_add(b, p, 2);
}

int
enc_u32(struct nb_buf *b, uint32_t v)
{
	uint8_t p[4];

	be32_put(p, v);
	return nb_buf_add(b, p, 4);
}

int
enc_u64(struct nb_buf *b, uint64_t v)
{
	uint8_t p[8];

	be64_put(p, v);
	return nb_buf_add(b, p, 8);
}

int
enc_str(struct nb_buf *b, const char *s)
{
	if (s == NULL)
		s = "";
	return nb_buf_add(b, s, strlen(s) + 1);
}

int
enc_blob(struct nb_buf *b, const void *p, size_t n)
{
	int rc;

	if (n > UINT32_MAX)
		return NB_ETOOBIG;
	if ((rc = enc_u32(b, n)) != 0)
		return rc;
	return n ? nb_buf_add(b, p, n) : 0;
}

void
store_sha1(const void *p, size_t n, uint8_t out[STORE_SHA1_LEN])
{
	nb_sha1(p, n, out);
}

void
store_sha1_b32(const uint8_t sha1[STORE_SHA1_LEN], char out[STORE_B32_LEN + 1])
{
	nb_sha1_b32(sha1, out);
}

int
store_b32_sha1(const char *text, uint8_t sha1[STORE_SHA1_LEN])
{
	return nb_b32_sha1(text, sha1);
}

size_t
store_textkey(const char *s, size_t max, uint8_t *buf)
{
	size_t n = strlen(s);
	uint8_t sha[STORE_SHA1_LEN];
	char b32[STORE_B32_LEN + 1];

	if (n <= max) {
		memcpy(buf, s, n);
		return n;
	}
	n = max - STORE_B32_LEN - 1;
	memcpy(buf, s, n);
	buf[n++] = '\0';
	store_sha1(s, strlen(s), sha);
	store_sha1_b32(sha, b32);
	memcpy(buf + n, b32, STORE_B32_LEN);
	return n + STORE_B32_LEN;
}

/*
 * Record JSON repeats the same keys in every report; zlib at a low level
 * shrinks it about four times for little CPU, which is what keeps a
 * national archive's index a few GiB instead of tens.
 */
int
store_json_compress(struct nb_buf *out, const char *json, size_t len)
{
	uLongf n = compressBound(len);
	size_t at = out->len;
	int rc;

	if ((rc = nb_buf_add(out, NULL, 0)) != 0)
		return rc;
	/* grow by n, then give back what compress2 did not use */
	while (out->cap < at + n + 1) {
		char *p = realloc(out->data, at + n + 1);

		if (p == NULL)
			return NB_ENOMEM;
		out->data = p;
		out->cap = at + n + 1;
	}
	if (at + n > out->max)
		return NB_ETOOBIG;
	if (compress2((Bytef *)out->data + at, &n, (const Bytef *)json, len,
	              2) != Z_OK)
		return NB_EIO;
	out->len = at + n;
	out->data[out->len] = '\0';
	return 0;
}

int
store_json_expand(struct store_txn *txn, const void *p, size_t n,
                  uint32_t rawlen, int compressed, const char **json,
                  size_t *jlen)
{
	struct nb_buf *b = &txn->json;
	uLongf dl = rawlen;

	nb_buf_reset(b);
	if (!compressed) {
		if (nb_buf_add(b, p, n) != 0)
			return NB_ENOMEM;
	} else {
		if (b->cap < (size_t)rawlen + 1) {
			char *np = realloc(b->data, (size_t)rawlen + 1);

			if (np == NULL)
				return NB_ENOMEM;
			b->data = np;
			b->cap = (size_t)rawlen + 1;
		}
		if (uncompress((Bytef *)b->data, &dl, p, n) != Z_OK ||
		    dl != rawlen) {
			log_warnx("store: record JSON does not decompress");
			return NB_ECORRUPT;
		}
		b->len = dl;
		b->data[dl] = '\0';
	}
	*json = b->data;
	*jlen = b->len;
	return 0;
}
