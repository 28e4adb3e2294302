/*
 * url.c - URL normalisation (curl's URL API), scope, trap shapes, address
 * classes.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "crawler.h"

/* Query parameters that carry a session, never content. */
static const char *const session_params[] = {
    "jsessionid",   "phpsessid", "sid",     "sessionid",   "session_id",
    "aspsessionid", "cfid",      "cftoken", "zhuzhan_sid",
};

#define QUERY_MAX  512 /* a longer query is an ever-growing trap */
#define PARAMS_MAX 12

static int
is_session_param(const char *name, size_t n)
{
	for (size_t i = 0; i < NB_NELEM(session_params); i++)
		if (strlen(session_params[i]) == n &&
		    strncasecmp(name, session_params[i], n) == 0)
			return 1;
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Escapes of unreserved characters decoded, the others given lower-case
 * hex (curl's spelling), raw bytes outside ASCII and blanks escaped, so
 * that two spellings of one URL compare equal.  Returns a malloc'd string
 * or NULL when out of memory.
 */
static char *
escapes_normalize(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	char *out = malloc(strlen(s) * 3 + 1), *w = out;

	if (out == NULL)
		return NULL;
	for (const char *r = s; *r;) {
		unsigned char b = (unsigned char)*r;
		int hi, lo;

		if (b == '%' && (hi = hexval(r[1])) >= 0 &&
		    (lo = hexval(r[2])) >= 0) {
			int c = hi * 16 + lo;

			if (isalnum(c) || c == '-' || c == '.' || c == '_' ||
			    c == '~') {
				*w++ = (char)c;
			} else {
				*w++ = '%';
				*w++ = hex[hi];
				*w++ = hex[lo];
			}
			r += 3;
		} else if (b >= 0x80 || b <= ' ' || b == 0x7f) {
			*w++ = '%';
			*w++ = hex[b >> 4];
			*w++ = hex[b & 15];
			r++;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return out;
}

/* Drop ";jsessionid=…" style path parameters (Java servlet sessions). */
static void
path_strip_session(char *path)
{
	char *semi;

	while ((semi = strchr(path, ';')) != NULL) {
		char *end = semi + 1 + strcspn(semi + 1, ";/");
		size_t n = strcspn(semi + 1, "=;/");

		if (is_session_param(semi + 1, n))
			memmove(semi, end, strlen(end) + 1);
		else
			path = end;
		if (*path == '\0')
			break;
	}
}

/* The query without session parameters and empty pieces; in place. */
static void
query_strip_session(char *q)
{
	char *w = q;
	const char *r = q;

	while (*r) {
		size_t len = strcspn(r, "&");
		size_t name = strcspn(r, "=&");

		if (len > 0 && !is_session_param(r, name)) {
			if (w != q)
				*w++ = '&';
			memmove(w, r, len);
			w += len;
		}
		r += len;
		if (*r == '&')
			r++;
	}
	*w = '\0';
}

static int
curlu_err(CURLUcode uc)
{
	return uc == CURLUE_OUT_OF_MEMORY ? NB_ENOMEM : NB_EINVAL;
}

int
url_normalize(const char *base, const char *ref, char **out)
{
	CURLU *u = NULL;
	CURLUcode uc;
	char *scheme = NULL, *host = NULL, *path = NULL, *query = NULL;
	char *user = NULL, *full = NULL, *r = NULL, *esc;
	size_t n;
	int rc = NB_EINVAL;

	while (*ref == ' ' || *ref == '\t' || *ref == '\n' || *ref == '\r' ||
	       *ref == '\f')
		ref++;
	n = strlen(ref);
	while (n > 0 && strchr(" \t\n\r\f", ref[n - 1]) != NULL)
		n--;
	if (n == 0 || n > URL_MAX)
		return NB_EINVAL;
	/* curl would drop the base's file name for a bare "#frag" */
	if (*ref == '#' && base != NULL) {
		ref = base;
		n = strlen(base);
		base = NULL;
	}
	if ((r = strndup(ref, n)) == NULL)
		return NB_ENOMEM;
	/* tabs and newlines inside a URL are dropped (WHATWG URL parsing) */
	for (char *w = r, *p = r;; p++) {
		if (*p != '\t' && *p != '\n' && *p != '\r')
			*w++ = *p;
		if (*p == '\0')
			break;
	}
	if ((u = curl_url()) == NULL) {
		rc = NB_ENOMEM;
		goto fail;
	}
	if (base != NULL &&
	    (uc = curl_url_set(u, CURLUPART_URL, base,
	                       CURLU_NON_SUPPORT_SCHEME)) != CURLUE_OK) {
		rc = curlu_err(uc);
		goto fail;
	}
	uc = curl_url_set(u, CURLUPART_URL, r,
	                  CURLU_NON_SUPPORT_SCHEME | CURLU_ALLOW_SPACE);
	if (uc != CURLUE_OK) {
		rc = curlu_err(uc);
		goto fail;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
		goto fail;
	uc = curl_url_get(u, CURLUPART_USER, &user, 0);
	if (uc == CURLUE_OK)
		goto fail; /* credentials in a link: phishing-style, never ours
		            */
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    host[0] == '\0')
		goto fail;
	for (char *h = host; *h; h++)
		*h = (char)tolower((unsigned char)*h);
	n = strlen(host);
	while (n > 1 && host[n - 1] == '.')
		host[--n] = '\0';
	if (curl_url_set(u, CURLUPART_HOST, host, 0) != CURLUE_OK)
		goto fail;
	if (curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK)
		goto fail;

	if (curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK) {
		path_strip_session(path);
		if ((esc = escapes_normalize(path)) == NULL) {
			rc = NB_ENOMEM;
			goto fail;
		}
		uc = curl_url_set(u, CURLUPART_PATH, esc[0] ? esc : "/", 0);
		free(esc);
		if (uc != CURLUE_OK)
			goto fail;
	}
	uc = curl_url_get(u, CURLUPART_QUERY, &query, 0);
	if (uc == CURLUE_OK) {
		query_strip_session(query);
		if ((esc = escapes_normalize(query)) == NULL) {
			rc = NB_ENOMEM;
			goto fail;
		}
		uc = curl_url_set(u, CURLUPART_QUERY, esc[0] ? esc : NULL, 0);
		free(esc);
		if (uc != CURLUE_OK)
			goto fail;
	}
	if ((uc = curl_url_get(u, CURLUPART_URL, &full,
	                       CURLU_NO_DEFAULT_PORT)) != CURLUE_OK) {
		rc = curlu_err(uc);
		goto fail;
	}
	if (strlen(full) > URL_MAX)
		goto fail;
	if ((*out = strdup(full)) == NULL) {
		rc = NB_ENOMEM;
		goto fail;
	}
	rc = 0;
fail:
	curl_free(full);
	curl_free(user);
	curl_free(query);
	curl_free(path);
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(u);
	free(r);
	return rc;
}

/* Start of the authority and of the path of an absolute http(s) URL. */
static int
url_split(const char *url, const char **auth, const char **path)
{
	const char *p = strstr(url, "://");

	if (p == NULL)
		return NB_EINVAL;
	*auth = p + 3;
	*path = *auth + strcspn(*auth, "/?#");
	return 0;
}

int
url_host_get(const char *url, char *buf, size_t len)
{
	const char *a, *p, *e;
	size_t n;

	if (url_split(url, &a, &p) != 0)
		return NB_EINVAL;
	if (*a == '[') {
		a++;
		e = memchr(a, ']', (size_t)(p - a));
		if (e == NULL)
			return NB_EINVAL;
	} else {
		e = memchr(a, ':', (size_t)(p - a));
		if (e == NULL)
			e = p;
	}
	n = (size_t)(e - a);
	if (n == 0 || n >= len)
		return NB_EINVAL;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)a[i]);
	buf[n] = '\0';
	return 0;
}

int
url_path_get(const char *url, char *buf, size_t len)
{
	const char *a, *p;
	size_t n;

	if (url_split(url, &a, &p) != 0)
		return NB_EINVAL;
	n = strcspn(p, "#");
	if (n + 2 > len)
		return NB_ETOOBIG;
	if (*p != '/')
		buf[0] = '/', memcpy(buf + 1, p, n), buf[n + 1] = '\0';
	else
		memcpy(buf, p, n), buf[n] = '\0';
	return 0;
}

int
url_in_scope(const struct nb_site *site, const char *url)
{
	char host[256];

	if (url_host_get(url, host, sizeof(host)) != 0)
		return 0;
	for (size_t i = 0; i < site->allow.n; i++)
		if (strcasecmp(site->allow.v[i], host) == 0)
			return 1;
	return 0;
}

/* A parameter name or value that makes a link a calendar navigation. */
static int
is_calendar_param(const char *p, size_t n)
{
	static const char *const names[] = {"date",     "day",  "month",
	                                    "year",     "week", "cal",
	                                    "calendar", "ym",   "ymd"};
	size_t name = strcspn(p, "=");
	const char *v;
	int digits = 0, dashes = 0;

	if (name > n)
		name = n;
	for (size_t i = 0; i < NB_NELEM(names); i++)
		if (strlen(names[i]) == name &&
		    strncasecmp(p, names[i], name) == 0)
			return 1;
	if (name == n)
		return 0;
	/* a value like 2024-05-17 or 2024-05 */
	for (v = p + name + 1; v < p + n; v++) {
		if (isdigit((unsigned char)*v))
			digits++;
		else if (*v == '-')
			dashes++;
		else
			return 0;
	}
	return dashes >= 1 && digits >= 6;
}

int
url_is_trap(const char *url)
{
	const char *a, *path, *q, *e;
	int nparams = 0;

	if (strlen(url) > URL_MAX || url_split(url, &a, &path) != 0)
		return 1;
	q = strchr(path, '?');
	e = q != NULL ? q : path + strlen(path);
	if (q != NULL) {
		q++;
		if (strlen(q) > QUERY_MAX)
			return 1;
		while (*q) {
			size_t n = strcspn(q, "&#");

			nparams++;
			if (is_calendar_param(q, n))
				return 1;
			q += n;
			if (*q != '&')
				break;
			q++;
		}
		if (nparams > PARAMS_MAX)
			return 1;
	}
	/* a run of 1-3 segments repeated three times: relative links looping */
	{
		const char *seg[64];
		size_t len[64], ns = 0;

		for (const char *s = path; s < e && ns < 64;) {
			const char *n;

			s++;
			n = memchr(s, '/', (size_t)(e - s));
			if (n == NULL)
				n = e;
			seg[ns] = s;
			len[ns++] = (size_t)(n - s);
			s = n;
		}
		if (ns >= 64)
			return 1;
		for (size_t k = 1; k <= 3; k++)
			for (size_t i = 0; i + 3 * k <= ns; i++) {
				size_t j;

				for (j = 0; j < 2 * k; j++)
					if (len[i + j] != len[i + j + k] ||
					    memcmp(seg[i + j], seg[i + j + k],
					           len[i + j]) != 0)
						break;
				if (j == 2 * k && len[i] > 0)
					return 1;
			}
	}
	return 0;
}

int
url_shape(const char *url, char *buf, size_t len)
{
	size_t w = 0;

	for (const char *p = url; *p;) {
		size_t hex = 0;
		char c;

		while (isxdigit((unsigned char)p[hex]))
			hex++;
		if (hex >= 16) {
			c = 'H';
			p += hex;
		} else if (isdigit((unsigned char)*p)) {
			c = '#';
			while (isdigit((unsigned char)*p))
				p++;
		} else {
			c = *p++;
		}
		if (w + 1 >= len)
			return NB_ETOOBIG;
		buf[w++] = c;
	}
	buf[w] = '\0';
	return 0;
}

static int
v4_is_private(uint32_t a)
{
	return (a >> 24) == 0 ||                        /* 0.0.0.0/8 */
	       (a >> 24) == 10 ||                       /* 10/8 */
	       (a >> 24) == 127 ||                      /* loopback */
	       (a >> 22) == (100u << 2 | 1) ||          /* 100.64/10 CGNAT */
	       (a >> 16) == (169u << 8 | 254) ||        /* link-local */
	       (a >> 20) == (172u << 4 | 1) ||          /* 172.16/12 */
	       (a >> 16) == (192u << 8 | 168) ||        /* 192.168/16 */
	       (a >> 8) == (192u << 16 | 0 << 8 | 0) || /* 192.0.0/24 */
	       (a >> 17) == (198u << 7 | 9) || /* 198.18/15 benchmarking */
	       (a >> 28) >= 14;                /* multicast, reserved */
}

int
addr_is_private(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		return v4_is_private(ntohl(s4->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		const uint8_t *b = s6->sin6_addr.s6_addr;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) ||
		    IN6_IS_ADDR_V4COMPAT(&s6->sin6_addr)) {
			uint32_t a = (uint32_t)b[12] << 24 | b[13] << 16 |
			             b[14] << 8 | b[15];

			return v4_is_private(a);
		}
		return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
		       IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr) ||
		       IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr) ||
		       IN6_IS_ADDR_SITELOCAL(&s6->sin6_addr) ||
		       IN6_IS_ADDR_MULTICAST(&s6->sin6_addr) ||
		       (b[0] & 0xfe) == 0xfc || /* unique local fc00::/7 */
		       (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d &&
		        b[3] == 0xb8); /* documentation */
	}
	return 1; /* AF_UNIX and anything else is never a web site */
}

int
host_literal_is_private(const char *host)
{
	struct sockaddr_in s4 = {.sin_family = AF_INET};
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
	char buf[64];
	size_t n = strlen(host);

	if (n >= 2 && n < sizeof(buf) && host[0] == '[' && host[n - 1] == ']') {
		memcpy(buf, host + 1, n - 2);
		buf[n - 2] = '\0';
		host = buf;
	}
	if (inet_pton(AF_INET, host, &s4.sin_addr) == 1)
		return addr_is_private((struct sockaddr *)&s4);
	if (inet_pton(AF_INET6, host, &s6.sin6_addr) == 1)
		return addr_is_private((struct sockaddr *)&s6);
	return -1;
}

int
url_is_attachment(const char *url)
{
	static const char *const exts[] = {".docx", ".doc", ".pdf", ".wps"};
	const char *a, *p;
	size_t n;

	if (url_split(url, &a, &p) != 0)
		return 0;
	/*
	 * The path, or a query value: CMS download scripts name the file in
	 * the query (downfile.jsp?classid=0&filename=2024….docx).
	 */
	while (*p != '\0' && *p != '#') {
		n = strcspn(p, "?&#");
		for (size_t i = 0; i < NB_NELEM(exts); i++) {
			size_t el = strlen(exts[i]);

			if (n >= el &&
			    strncasecmp(p + n - el, exts[i], el) == 0)
				return 1;
		}
		p += n;
		if (*p == '?' || *p == '&')
			p++;
	}
	return 0;
}

int
url_has_date_path(const char *url)
{
	const char *a, *p, *e;

	if (url_split(url, &a, &p) != 0)
		return 0;
	e = p + strcspn(p, "?#");
	while (p < e) {
		const char *seg = ++p, *next;
		size_t n;

		next = memchr(seg, '/', (size_t)(e - seg));
		if (next == NULL)
			next = e;
		n = (size_t)(next - seg);
		p = next;
		if (strspn(seg, "0123456789") < n)
			continue;
		/* 202501: year and month in one segment */
		if (n == 6 && (seg[0] == '1' || seg[0] == '2') &&
		    (seg[4] == '0' || seg[4] == '1'))
			return 1;
		/* 2025/1 or 2025/01 */
		if (n == 4 &&
		    (strncmp(seg, "19", 2) == 0 ||
		     strncmp(seg, "20", 2) == 0) &&
		    next < e) {
			size_t m = strspn(next + 1, "0123456789");

			if ((m == 1 || m == 2) &&
			    (next[1 + m] == '/' || next + 1 + m == e))
				return 1;
		}
	}
	return 0;
}
