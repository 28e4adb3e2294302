/*
 * codec.c - byte orders, value encoding, SHA-1 and base32, record JSON
 * compression.
 */
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "log.h"
#include "store_int.h"

void
be16_put(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

void
be32_put(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = v;
}

void
be64_put(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = v;
}

uint16_t
be16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t
be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

uint64_t
be64_get(const uint8_t *p)
{
	return (uint64_t)be32_get(p) << 32 | be32_get(p + 4);
}

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
	SHA1(p, n, out);
}

void
store_sha1_b32(const uint8_t sha1[STORE_SHA1_LEN], char out[STORE_B32_LEN + 1])
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned bits = 0, nbits = 0, o = 0;

	for (int i = 0; i < STORE_SHA1_LEN; i++) {
		bits = (bits << 8) | sha1[i];
		nbits += 8;
		while (nbits >= 5) {
			out[o++] = alpha[(bits >> (nbits - 5)) & 31];
			nbits -= 5;
		}
	}
	out[o] = '\0';
}

int
store_b32_sha1(const char *text, uint8_t sha1[STORE_SHA1_LEN])
{
	unsigned bits = 0, nbits = 0, o = 0;

	if (strncasecmp(text, "sha1:", 5) == 0)
		text += 5;
	if (strlen(text) != STORE_B32_LEN)
		return NB_EINVAL;
	for (const char *p = text; *p; p++) {
		unsigned v;

		if (*p >= 'A' && *p <= 'Z')
			v = *p - 'A';
		else if (*p >= 'a' && *p <= 'z')
			v = *p - 'a';
		else if (*p >= '2' && *p <= '7')
			v = *p - '2' + 26;
		else
			return NB_EINVAL;
		bits = (bits << 5) | v;
		nbits += 5;
		if (nbits >= 8) {
			sha1[o++] = bits >> (nbits - 8);
			nbits -= 8;
		}
	}
	return 0;
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
