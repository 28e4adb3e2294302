#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"

/* Length of the valid UTF-8 sequence at s, 0 if invalid, -1 if cut short
 * by the end of the buffer. */
static int
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	int len;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	for (int i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return -1;
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	}
	/* overlongs, surrogates, beyond U+10FFFF */
	if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) ||
	    (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
		return 0;
	return len;
}

int
charset_is_utf8(const void *p, size_t len)
{
	const unsigned char *s = p;
	size_t i = 0;

	while (i < len) {
		int l;

		if (s[i] < 0x80) {
			i++;
			continue;
		}
		l = utf8_seq(s + i, len - i);
		if (l < 0)
			return 1;
		if (l == 0)
			return 0;
		i += l;
	}
	return 1;
}

/* Canonical name for a declared charset; "" if it is not one we accept. */
static void
canonical(const char *name, size_t n, char *out, size_t outlen)
{
	static const char *const gb[] = {
	    "gbk",    "gb2312",   "gb_2312-80", "x-gbk",    "cp936",
	    "euc-cn", "x-euc-cn", "gb18030",    "csgb2312", "windows-936",
	    "ms936",  "chinese",  "csgbk",      "iso-ir-58"};
	char low[40];
	iconv_t cd;

	out[0] = '\0';
	if (n == 0 || n >= sizeof(low) || n >= outlen)
		return;
	for (size_t i = 0; i < n; i++)
		low[i] = tolower((unsigned char)name[i]);
	low[n] = '\0';
	if (strcmp(low, "utf-8") == 0 || strcmp(low, "utf8") == 0 ||
	    strcmp(low, "unicode-1-1-utf-8") == 0) {
		strcpy(out, "UTF-8");
		return;
	}
	for (size_t i = 0; i < sizeof(gb) / sizeof(gb[0]); i++)
		if (strcmp(low, gb[i]) == 0) {
			strcpy(out, "GB18030");
			return;
		}
	for (size_t i = 0; i < n; i++)
		low[i] = toupper((unsigned char)low[i]);
	cd = iconv_open("UTF-8", low);
	if (cd == (iconv_t)-1)
		return;
	iconv_close(cd);
	strcpy(out, low);
}

/* The charset=... value in s[0..n): "text/html; charset=gbk". */
static int
param_charset(const char *s, size_t n, char *out, size_t outlen)
{
	for (size_t i = 0; i + 7 <= n; i++) {
		size_t j, k;

		if (strncasecmp(s + i, "charset", 7) != 0)
			continue;
		j = i + 7;
		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j >= n || s[j] != '=')
			continue;
		j++;
		while (j < n && (s[j] == ' ' || s[j] == '"' || s[j] == '\''))
			j++;
		for (k = j; k < n && (isalnum((unsigned char)s[k]) ||
		                      strchr("-_.:", s[k]) != NULL);
		     k++)
			;
		canonical(s + j, k - j, out, outlen);
		if (out[0] != '\0')
			return 1;
	}
	return 0;
}

/* The first <meta> that declares a charset, in the first bytes. */
static int
meta_charset(const char *s, size_t n, char *out, size_t outlen)
{
	if (n > CHARSET_SNIFF_LEN)
		n = CHARSET_SNIFF_LEN;
	for (size_t i = 0; i + 5 < n; i++) {
		const char *end;

		if (s[i] != '<' || strncasecmp(s + i + 1, "meta", 4) != 0)
			continue;
		end = memchr(s + i, '>', n - i);
		if (end == NULL)
			return 0;
		if (param_charset(s + i, end - (s + i), out, outlen))
			return 1;
		i = end - s;
	}
	return 0;
}

/* 1 if s is GB18030 without an invalid sequence (a cut tail is fine). */
static int
is_gb18030(const char *s, size_t n)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	char out[4096];
	char *in = (char *)s;
	size_t left = n;
	int ok = 1;

	if (cd == (iconv_t)-1)
		return 0;
	while (left > 0) {
		char *o = out;
		size_t olen = sizeof(out);

		if (iconv(cd, &in, &left, &o, &olen) == (size_t)-1) {
			if (errno == E2BIG)
				continue;
			ok = errno == EINVAL; /* cut short at the end */
			break;
		}
	}
	iconv_close(cd);
	return ok;
}

int
charset_detect(const char *content_type, const void *data, size_t len,
               char *out, size_t outlen)
{
	const unsigned char *u = data;
	const char *s = data;
	int declared = 0;

	if (outlen < 16)
		return NB_EINVAL;
	if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		strcpy(out, "UTF-8");
		return 0;
	}
	if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
		strcpy(out, "UTF-16LE");
		return 0;
	}
	if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
		strcpy(out, "UTF-16BE");
		return 0;
	}
	if (content_type != NULL &&
	    param_charset(content_type, strlen(content_type), out, outlen))
		declared = 1;
	else if (meta_charset(s, len, out, outlen))
		declared = 1;
	/*
	 * A Western single-byte label on a Chinese government page is a
	 * server default, not a statement about the bytes: sniff instead.
	 */
	if (declared &&
	    (strcmp(out, "ISO-8859-1") == 0 ||
	     strcmp(out, "ISO-8859-15") == 0 ||
	     strcmp(out, "WINDOWS-1252") == 0 || strcmp(out, "US-ASCII") == 0 ||
	     strcmp(out, "ASCII") == 0 || strcmp(out, "LATIN1") == 0))
		declared = 0;
	if (declared && strcmp(out, "UTF-8") != 0)
		return 0;
	if (charset_is_utf8(data, len)) {
		strcpy(out, "UTF-8");
		return 0;
	}
	/* not UTF-8 whatever it says: the Chinese legacy charset if it fits */
	strcpy(out, is_gb18030(s, len) || !declared ? "GB18030" : "UTF-8");
	return 0;
}

#define CHUNK 65536

/* UTF-8 in, UTF-8 out: valid runs go to cb as they are, each invalid
 * byte as U+FFFD. */
static int
utf8_stream(const unsigned char *s, size_t n, charset_sink_fn *cb, void *arg)
{
	size_t i = 0, run = 0;
	int rc;

	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		i = run = 3;
	while (i < n) {
		int l = s[i] < 0x80 ? 1 : utf8_seq(s + i, n - i);

		if (l > 0 && i + l - run <= CHUNK) {
			i += l;
			continue;
		}
		if (i > run && (rc = cb(arg, (const char *)s + run, i - run)))
			return rc;
		if (l <= 0) {
			if ((rc = cb(arg, "\xEF\xBF\xBD", 3)) != 0)
				return rc;
			i++;
		}
		run = i;
	}
	if (i > run)
		return cb(arg, (const char *)s + run, i - run);
	return 0;
}

int
charset_to_utf8_cb(const char *charset, const void *data, size_t len,
                   charset_sink_fn *cb, void *arg)
{
	char buf[CHUNK + 8];
	char *in = (char *)data;
	size_t left = len;
	int rc = 0, bom = 1;
	iconv_t cd;

	if (strcasecmp(charset, "UTF-8") == 0)
		return utf8_stream(data, len, cb, arg);
	cd = iconv_open("UTF-8", charset);
	if (cd == (iconv_t)-1)
		return NB_EINVAL;
	while (left > 0 && rc == 0) {
		char *o = buf;
		size_t room = CHUNK, r;

		r = iconv(cd, &in, &left, &o, &room);
		if (r == (size_t)-1 && (errno == EILSEQ || errno == EINVAL)) {
			memcpy(o, "\xEF\xBF\xBD", 3);
			o += 3;
			if (errno == EILSEQ) {
				in++;
				left--;
			} else {
				left = 0; /* cut short at the end */
			}
			iconv(cd, NULL, NULL, NULL, NULL);
		} else if (r == (size_t)-1 && errno != E2BIG) {
			rc = NB_EINVAL;
			break;
		}
		if (o > buf) {
			char *p = buf;

			/* a BOM written in the source charset is no text */
			if (bom && o - buf >= 3 &&
			    memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
				p += 3;
			bom = 0;
			if (o > p)
				rc = cb(arg, p, o - p);
		}
	}
	iconv_close(cd);
	return rc;
}

struct collect {
	char *buf;
	size_t len, cap, max;
};

static int
collect_cb(void *arg, const char *s, size_t n)
{
	struct collect *c = arg;

	if (c->len + n > c->max)
		return NB_ETOOBIG;
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		char *p;

		while (cap < c->len + n + 1)
			cap *= 2;
		if ((p = realloc(c->buf, cap)) == NULL)
			return NB_ENOMEM;
		c->buf = p;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, s, n);
	c->len += n;
	return 0;
}

int
charset_to_utf8(const char *charset, const void *data, size_t len, size_t max,
                char **out, size_t *outlen)
{
	struct collect c = {.max = max};
	int rc = charset_to_utf8_cb(charset, data, len, collect_cb, &c);

	if (rc == 0 && c.buf == NULL)
		rc = collect_cb(&c, "", 0);
	if (rc == 0 && c.cap == 0 && (c.buf = malloc(1)) == NULL)
		rc = NB_ENOMEM;
	if (rc != 0) {
		free(c.buf);
		return rc;
	}
	c.buf[c.len] = '\0';
	*out = c.buf;
	*outlen = c.len;
	return 0;
}
