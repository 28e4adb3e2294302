/*
 * cdx.c - the CDXJ index: SURT keys, entries, lookups, the .cdxj export.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "nbtime.h"
#include "store_int.h"

/* Room for the SURT part of a CDX key: the rest is " " ts14 NUL be32 be64 */
#define SURT_KEY_MAX 440

static int
pct_needed(unsigned char c, int query)
{
	if (c <= 0x20 || c >= 0x7f)
		return 1;
	if (c == '"' || c == '<' || c == '>')
		return 1;
	if (query)
		return c == '\'';
	return c == '`' || c == '{' || c == '}';
}

static int
add_pct(struct nb_buf *b, const char *s, size_t n, int query)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		unsigned char c = s[i];

		if (pct_needed(c, query)) {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};

			rc = nb_buf_add(b, e, 3);
		} else
			rc = nb_buf_add(b, &s[i], 1);
	}
	return rc;
}

/* RFC 3986 5.2.4 on a path that starts with "/"; in place */
static void
remove_dots(char *path)
{
	char *out = path, *in = path;

	while (*in) {
		char *seg = in + 1, *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);

		if (n == 1 && seg[0] == '.') {
			in = end ? end : seg + n;
			if (!end)
				*out++ = '/';
			continue;
		}
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			while (out > path && *--out != '/')
				;
			in = end ? end : seg + n;
			if (!end)
				*out++ = '/';
			continue;
		}
		memmove(out, in, n + 1);
		out += n + 1;
		in = seg + n;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * warcio's getSurt: drop "www<digits>." after the scheme (before lower
 * casing, as warcio does), lower-case the URL, let WHATWG URL rules
 * normalise it (default port, dot segments, percent-encoding sets), then
 * reverse the host labels and sort the query arguments.
 */
char *
store_surt(const char *url)
{
	struct nb_buf b, tmp;
	const char *p, *host, *hend, *port = NULL, *pend;
	char *lower = NULL, *path = NULL, *query = NULL, **args = NULL;
	size_t skip, nargs = 0, plen;
	int https;

	nb_buf_init(&b, SIZE_MAX);
	nb_buf_init(&tmp, SIZE_MAX);
	if (strncmp(url, "http:", 5) != 0 && strncmp(url, "https:", 6) != 0)
		return strdup(url);
	https = url[4] == 's';
	p = url + (https ? 8 : 7);
	if (strncmp(url + (https ? 6 : 5), "//", 2) != 0)
		return strdup(url);
	skip = 0;
	if (strncmp(p, "www", 3) == 0) {
		size_t d = 3;

		while (isdigit((unsigned char)p[d]))
			d++;
		if (p[d] == '.')
			skip = d + 1;
	}
	if ((lower = strdup(p + skip)) == NULL)
		goto fail;
	for (char *q = lower; *q; q++)
		*q = tolower((unsigned char)*q);
	for (char *q = lower; *q && *q != '?' && *q != '#'; q++)
		if (*q == '\\')
			*q = '/';
	host = lower;
	hend = host + strcspn(host, "/?#");
	/* userinfo is not part of the key */
	for (const char *q = hend; q > host; q--)
		if (q[-1] == '@') {
			host = q;
			break;
		}
	pend = hend;
	if (*host == '[') {
		const char *rb = memchr(host, ']', hend - host);

		if (rb && rb + 1 < hend && rb[1] == ':')
			port = rb + 2;
	} else {
		const char *c = memchr(host, ':', hend - host);

		if (c)
			port = c + 1;
	}
	if (port)
		pend = port - 1;
	/* host labels reversed */
	{
		const char *end = pend;

		for (const char *q = pend; q >= host; q--) {
			if (q == host || q[-1] == '.') {
				if (nb_buf_add(&b, q, end - q) != 0)
					goto fail;
				if (q != host && nb_buf_add(&b, ",", 1) != 0)
					goto fail;
				end = q - 1;
			}
		}
	}
	if (port && port < hend) {
		size_t pl = hend - port;

		while (pl > 1 && *port == '0')
			port++, pl--;
		if (!((https && pl == 3 && memcmp(port, "443", 3) == 0) ||
		      (!https && pl == 2 && memcmp(port, "80", 2) == 0))) {
			if (nb_buf_add(&b, ":", 1) || nb_buf_add(&b, port, pl))
				goto fail;
		}
	}
	if (nb_buf_add(&b, ")", 1) != 0)
		goto fail;
	/* path */
	p = hend;
	plen = strcspn(p, "?#");
	if (nb_buf_add(&tmp, "/", plen && *p == '/' ? 0 : 1) != 0 ||
	    add_pct(&tmp, p, plen, 0) != 0)
		goto fail;
	path = nb_buf_take(&tmp, NULL);
	remove_dots(path);
	if (nb_buf_adds(&b, path) != 0)
		goto fail;
	p += plen;
	if (*p == '?') {
		size_t qlen = strcspn(p + 1, "#");
		char *s, *save = NULL;

		if (add_pct(&tmp, p + 1, qlen, 1) != 0)
			goto fail;
		query = nb_buf_take(&tmp, NULL);
		if (*query != '\0') {
			size_t cap = 1;

			for (char *q = query; *q; q++)
				cap += *q == '&';
			if ((args = calloc(cap + 1, sizeof(*args))) == NULL)
				goto fail;
			/* strsep keeps empty arguments, as split("&") does */
			save = query;
			while ((s = strsep(&save, "&")) != NULL)
				args[nargs++] = s;
			qsort(args, nargs, sizeof(*args), cmp_str);
			if (nb_buf_add(&b, "?", 1) != 0)
				goto fail;
			for (size_t i = 0; i < nargs; i++)
				if ((i && nb_buf_add(&b, "&", 1)) ||
				    nb_buf_adds(&b, args[i]))
					goto fail;
		}
	}
	free(args);
	free(query);
	free(path);
	free(lower);
	nb_buf_free(&tmp);
	return nb_buf_take(&b, NULL);
fail:
	free(args);
	free(query);
	free(path);
	free(lower);
	nb_buf_free(&tmp);
	nb_buf_free(&b);
	return NULL;
}

/* "<surt key> " for url into buf; 0 if out of memory */
size_t
store_cdx_prefix(const char *url, uint8_t *buf, size_t max)
{
	char *surt = store_surt(url);
	size_t n;

	(void)max;
	if (surt == NULL)
		return 0;
	n = store_textkey(surt, SURT_KEY_MAX, buf);
	buf[n++] = ' ';
	free(surt);
	return n;
}

/*
 * Value: u8 type, u16 status, u32 file, u64 offset, u64 length, u64 date,
 * sha1[20], JSON text NUL.
 */
int
store_cdx_decode(const MDB_val *k, const MDB_val *v, struct store_cdx *out)
{
	struct dec d;
	const uint8_t *sha, *kp = k->mv_data;
	const char *ts;

	dec_init(&d, v);
	memset(out, 0, sizeof(*out));
	out->type = dec_u8(&d);
	out->status = dec_u16(&d);
	out->loc.file = dec_u32(&d);
	out->loc.offset = dec_u64(&d);
	out->loc.length = dec_u64(&d);
	out->date = (int64_t)dec_u64(&d);
	sha = dec_bytes(&d, STORE_SHA1_LEN);
	out->json = dec_str(&d);
	if (d.bad || k->mv_size < 28) {
		log_warnx("store: undecodable CDX entry");
		return NB_ECORRUPT;
	}
	memcpy(out->payload_sha1, sha, STORE_SHA1_LEN);
	out->json_len = strlen(out->json);
	ts = (const char *)kp + k->mv_size - 13 - 14;
	out->surt = (const char *)kp;
	out->surt_len = k->mv_size - 13 - 14 - 1;
	memcpy(out->timestamp, ts, 14);
	out->timestamp[14] = '\0';
	/* the URL is inside the JSON; the struct points to a copy in the
	 * transaction's scratch buffer only when asked, see cdx_url */
	out->url = NULL;
	return 0;
}

/* Pull "url" out of the entry's JSON (needed for display and export). */
static int
cdx_url(struct store_txn *txn, struct store_cdx *c)
{
	const char *p = strstr(c->json, "\"url\":\"");
	const char *e;

	if (p == NULL)
		return NB_ECORRUPT;
	p += 7;
	for (e = p; *e && *e != '"'; e++)
		if (*e == '\\' && e[1])
			e++;
	nb_buf_reset(&txn->tmp);
	for (const char *q = p; q < e; q++) {
		if (*q == '\\' && q + 1 < e) {
			q++;
			if (*q == 'u' && q + 4 < e) {
				unsigned u =
				    strtoul((char[]){q[1], q[2], q[3], q[4], 0},
				            NULL, 16);
				char ch = u < 0x80 ? (char)u : '?';

				q += 4;
				if (nb_buf_add(&txn->tmp, &ch, 1) != 0)
					return NB_ENOMEM;
				continue;
			}
			if (nb_buf_add(&txn->tmp,
			               *q == 'n'   ? "\n"
			               : *q == 't' ? "\t"
			               : *q == 'r' ? "\r"
			                           : q,
			               1) != 0)
				return NB_ENOMEM;
			continue;
		}
		if (nb_buf_add(&txn->tmp, q, 1) != 0)
			return NB_ENOMEM;
	}
	c->url = txn->tmp.data;
	return 0;
}

int
store_capture_iter(struct store_txn *txn, const char *url, store_cdx_fn *cb,
                   void *arg)
{
	uint8_t pfx[STORE_KEY_MAX];
	size_t pl = store_cdx_prefix(url, pfx, sizeof(pfx));
	MDB_cursor *c;
	MDB_val k = {pl, pfx}, v;
	struct store_cdx e;
	int rc, mrc;

	if (pl == 0)
		return NB_ENOMEM;
	if ((rc = store_cursor(txn, DB_CDX, &c)) != 0)
		return rc;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < pl || memcmp(k.mv_data, pfx, pl) != 0)
			break;
		if ((rc = store_cdx_decode(&k, &v, &e)) != 0 ||
		    (rc = cdx_url(txn, &e)) != 0 || (rc = cb(&e, arg)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = store_mdb_err(txn, mrc, "cdx");
	return rc;
}

struct find_ctx {
	int64_t at;
	int found;
	struct store_cdx best;
	MDB_val k, v;
};

int
store_capture_find(struct store_txn *txn, const char *url, int64_t at,
                   struct store_cdx *out)
{
	uint8_t pfx[STORE_KEY_MAX];
	size_t pl = store_cdx_prefix(url, pfx, sizeof(pfx));
	MDB_cursor *c;
	MDB_val k = {pl, pfx}, v, bk = {0, NULL}, bv = {0, NULL};
	struct store_cdx e;
	int rc, mrc;

	if (pl == 0)
		return NB_ENOMEM;
	if ((rc = store_cursor(txn, DB_CDX, &c)) != 0)
		return rc;
	/* oldest first: keep the last one not after `at', else the first */
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < pl || memcmp(k.mv_data, pfx, pl) != 0)
			break;
		if ((rc = store_cdx_decode(&k, &v, &e)) != 0)
			break;
		if (bk.mv_data == NULL || at == 0 || e.date <= at) {
			bk = k;
			bv = v;
		}
		if (at != 0 && e.date > at)
			break;
	}
	mdb_cursor_close(c);
	if (rc != 0)
		return rc;
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		return store_mdb_err(txn, mrc, "cdx");
	if (bk.mv_data == NULL)
		return NB_ENOTFOUND;
	if ((rc = store_cdx_decode(&bk, &bv, out)) != 0)
		return rc;
	return cdx_url(txn, out);
}

int
store_cdx_iter(struct store_txn *txn, store_cdx_fn *cb, void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	struct store_cdx e;
	int rc, mrc;

	if ((rc = store_cursor(txn, DB_CDX, &c)) != 0)
		return rc;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if ((rc = store_cdx_decode(&k, &v, &e)) != 0 ||
		    (rc = cdx_url(txn, &e)) != 0 || (rc = cb(&e, arg)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (rc == 0 && mrc != MDB_NOTFOUND)
		rc = store_mdb_err(txn, mrc, "cdx");
	return rc;
}

int
store_payload_find(struct store_txn *txn, const uint8_t sha1[STORE_SHA1_LEN],
                   struct store_loc *out)
{
	MDB_val v;
	struct dec d;
	int rc;

	if ((rc = store_get(txn, DB_PAYLOAD, sha1, STORE_SHA1_LEN, &v)) != 0)
		return rc;
	dec_init(&d, &v);
	store_loc_decode(&d, out);
	return d.bad ? NB_ECORRUPT : 0;
}

int
store_warc_name(struct store_txn *txn, uint32_t file, char *buf, size_t len)
{
	uint8_t k[4];
	MDB_val v;
	struct dec d;
	const char *name;
	int rc;

	be32_put(k, file);
	if ((rc = store_get(txn, DB_WARC, k, 4, &v)) != 0)
		return rc;
	dec_init(&d, &v);
	dec_u64(&d);
	dec_u64(&d);
	name = dec_str(&d);
	if (d.bad)
		return NB_ECORRUPT;
	if (strlen(name) >= len)
		return NB_EINVAL;
	strcpy(buf, name);
	return 0;
}

struct export_ctx {
	FILE *fp;
	int err;
};

static int
export_one(const struct store_cdx *c, void *arg)
{
	struct export_ctx *x = arg;
	char *surt;

	/* the key is the SURT unless it was too long to be one */
	if (memchr(c->surt, 0, c->surt_len) == NULL)
		surt = strndup(c->surt, c->surt_len);
	else
		surt = store_surt(c->url);
	if (surt == NULL)
		return NB_ENOMEM;
	if (fprintf(x->fp, "%s %s %s\n", surt, c->timestamp, c->json) < 0)
		x->err = errno;
	free(surt);
	return x->err ? NB_EIO : 0;
}

int
store_cdxj_export(struct store *st, const char *path)
{
	struct store_txn *txn = NULL;
	struct export_ctx x = {NULL, 0};
	char *def = NULL, *tmp = NULL;
	int rc, fd = -1;

	if (path == NULL) {
		if (asprintf(&def, "%s/index.cdxj", st->warc_dir) == -1) {
			def = NULL;
			return NB_ENOMEM;
		}
		path = def;
	}
	if (strcmp(path, "-") == 0) {
		/* to standard output, for `nianbao warc cdxj' */
		x.fp = stdout;
		if ((rc = store_read_begin(st, &txn)) == 0) {
			rc = store_cdx_iter(txn, export_one, &x);
			store_read_end(txn);
		}
		if (rc == 0 && fflush(stdout) != 0)
			rc = NB_EIO;
		return rc;
	}
	if (asprintf(&tmp, "%s.tmp.%d", path, (int)getpid()) == -1) {
		tmp = NULL;
		rc = NB_ENOMEM;
		goto fail;
	}
	if ((rc = store_flush(st)) != 0)
		goto fail;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1 || (x.fp = fdopen(fd, "w")) == NULL) {
		log_warn("%s", tmp);
		rc = NB_EIO;
		goto fail;
	}
	fd = -1;
	if ((rc = store_read_begin(st, &txn)) != 0)
		goto fail;
	rc = store_cdx_iter(txn, export_one, &x);
	store_read_end(txn);
	if (rc != 0)
		goto fail;
	if (fflush(x.fp) != 0 || fsync(fileno(x.fp)) != 0) {
		log_warn("%s", tmp);
		rc = NB_EIO;
		goto fail;
	}
	fclose(x.fp);
	x.fp = NULL;
	if (rename(tmp, path) == -1) {
		log_warn("%s", path);
		rc = NB_EIO;
		goto fail;
	}
	free(tmp);
	free(def);
	return 0;
fail:
	if (x.fp != NULL)
		fclose(x.fp);
	if (fd != -1)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(def);
	return rc;
}
