/*
 * discover.c - what a fetched page leads to: links (libxml2's HTML parser),
 * script-generated pagination, list data answered as JSON or XML, and
 * whether a title names an annual report.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "buf.h"
#include "crawler.h"

#define LINKS_MAX 20000 /* per page; beyond that the page is a trap */
#define TITLE_MAX 512
#define PAGES_MAX 2000 /* pagination a list may claim */
#define HTML_OPTS                                                              \
	(HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |      \
	 HTML_PARSE_NONET | HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC)

struct collector {
	struct page *page;
	const char *base; /* URL links resolve against */
	const char *date; /* publication date beside the next link, or NULL */
	size_t cap;
	/* open-addressing set of link indexes + 1, for deduplication */
	size_t *set;
	size_t setcap;
	int err;
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int
set_grow(struct collector *c)
{
	size_t ncap = c->setcap ? c->setcap * 2 : 64;
	size_t *ns = calloc(ncap, sizeof(*ns));

	if (ns == NULL)
		return NB_ENOMEM;
	for (size_t i = 0; i < c->page->nlinks; i++) {
		size_t h = hash_str(c->page->links[i].url) & (ncap - 1);

		while (ns[h] != 0)
			h = (h + 1) & (ncap - 1);
		ns[h] = i + 1;
	}
	free(c->set);
	c->set = ns;
	c->setcap = ncap;
	return 0;
}

/* A title cleaned for storage: blanks collapsed, capped, NULL if empty. */
static char *
title_clean(const char *s)
{
	struct nb_buf b;
	int space = 0;

	if (s == NULL)
		return NULL;
	nb_buf_init(&b, TITLE_MAX);
	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			space = b.len > 0;
			continue;
		}
		/* full-width space U+3000 and NBSP count as blanks */
		if ((unsigned char)s[0] == 0xe3 &&
		    (unsigned char)s[1] == 0x80 &&
		    (unsigned char)s[2] == 0x80) {
			space = b.len > 0;
			s += 2;
			continue;
		}
		if ((unsigned char)s[0] == 0xc2 &&
		    (unsigned char)s[1] == 0xa0) {
			space = b.len > 0;
			s += 1;
			continue;
		}
		if ((space && nb_buf_add(&b, " ", 1) != 0) ||
		    nb_buf_add(&b, s, 1) != 0)
			break;
		space = 0;
	}
	/* never cut inside a UTF-8 sequence */
	while (b.len > 0 && ((unsigned char)b.data[b.len - 1] & 0xc0) == 0x80) {
		size_t i = b.len - 1;

		while (i > 0 && ((unsigned char)b.data[i] & 0xc0) == 0x80)
			i--;
		{
			unsigned char lead = (unsigned char)b.data[i];
			size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;

			if (b.len - i == need)
				break;
			b.len = i;
			b.data[i] = '\0';
		}
	}
	if (b.len == 0) {
		nb_buf_free(&b);
		return NULL;
	}
	return nb_buf_take(&b, NULL);
}

/*
 * Add ref (resolved against c->base) unless it is not http(s) or already
 * there; a second sighting may add a title and flags.
 */
static void
collect(struct collector *c, const char *ref, const char *title, unsigned flags,
        const char *body, const char *ctype)
{
	struct page *p = c->page;
	struct link *l;
	char *url = NULL;
	size_t h;
	int rc;

	if (c->err != 0 || ref == NULL || p->nlinks >= LINKS_MAX)
		return;
	if ((rc = url_normalize(c->base, ref, &url)) != 0) {
		if (rc == NB_ENOMEM)
			c->err = rc;
		return;
	}
	if (body == NULL) {
		if (c->setcap == 0 && set_grow(c) != 0)
			goto nomem;
		h = hash_str(url) & (c->setcap - 1);
		for (; c->set[h] != 0; h = (h + 1) & (c->setcap - 1)) {
			l = &p->links[c->set[h] - 1];
			if (l->body == NULL && strcmp(l->url, url) == 0) {
				if (l->title == NULL)
					l->title = title_clean(title);
				if (l->date[0] == '\0' && c->date != NULL)
					memcpy(l->date, c->date, 11);
				l->flags |= flags;
				if (l->title != NULL &&
				    title_is_report(l->title))
					l->flags |= LINK_REPORT;
				free(url);
				return;
			}
		}
	}
	if (p->nlinks == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 32;
		struct link *nl = reallocarray(p->links, ncap, sizeof(*nl));

		if (nl == NULL)
			goto nomem;
		p->links = nl;
		c->cap = ncap;
	}
	l = &p->links[p->nlinks];
	memset(l, 0, sizeof(*l));
	l->url = url;
	l->title = title_clean(title);
	l->flags = flags;
	if (c->date != NULL)
		memcpy(l->date, c->date, 11);
	if (body != NULL) {
		l->body = strdup(body);
		l->ctype = strdup(ctype);
		if (l->body == NULL || l->ctype == NULL) {
			free(l->body);
			free(l->ctype);
			goto nomem;
		}
	}
	if (l->title != NULL && title_is_report(l->title))
		l->flags |= LINK_REPORT;
	if (url_is_attachment(url))
		l->flags |= LINK_ATTACHMENT;
	p->nlinks++;
	if (body == NULL) {
		if (p->nlinks * 2 > c->setcap && set_grow(c) != 0) {
			c->err = NB_ENOMEM;
			return;
		}
		h = hash_str(url) & (c->setcap - 1);
		while (c->set[h] != 0)
			h = (h + 1) & (c->setcap - 1);
		c->set[h] = p->nlinks;
	}
	return;
nomem:
	free(url);
	c->err = NB_ENOMEM;
}

/*
 * The first date in s written 2024-01-20, 2024/1/20, 2024.01.20 or
 * 2024年1月20日, as "YYYY-MM-DD" into out.  Returns 1 if found.
 */
static int
find_date(const char *s, char out[11])
{
	for (const char *p = s; *p; p++) {
		int y, m, d, n = 0;
		char sep[4] = "";

		if (!isdigit((unsigned char)*p) ||
		    (p > s && isdigit((unsigned char)p[-1])))
			continue;
		if (sscanf(p, "%4d%3[-/.]%2d%*[-/.]%2d%n", &y, sep, &m, &d,
		           &n) != 4 &&
		    sscanf(p, "%4d年%2d月%2d日%n", &y, &m, &d, &n) != 3)
			continue;
		if (n == 0 || y < 1990 || y > 2999 || m < 1 || m > 12 ||
		    d < 1 || d > 31)
			continue;
		snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
		return 1;
	}
	return 0;
}

/* ---- report titles ---- */

static int
has_utf8(const char *s, const char *needle)
{
	return strstr(s, needle) != NULL;
}

/* A year: 19xx/20xx in ASCII or full-width digits, or 二〇二一-style. */
static int
has_year(const char *s)
{
	static const char *const cn[] = {"〇", "零", "一", "二", "三", "四",
	                                 "五", "六", "七", "八", "九"};

	for (const char *p = s; *p; p++) {
		int d = 0;
		const char *q = p;

		while (d < 4) {
			if (isdigit((unsigned char)*q)) {
				q++;
			} else if ((unsigned char)q[0] == 0xef &&
			           (unsigned char)q[1] == 0xbc &&
			           (unsigned char)q[2] >= 0x90 &&
			           (unsigned char)q[2] <= 0x99) {
				q += 3; /* U+FF10..FF19 */
			} else {
				break;
			}
			d++;
		}
		if (d == 4 && !isdigit((unsigned char)*q) &&
		    (strncmp(p, "19", 2) == 0 || strncmp(p, "20", 2) == 0 ||
		     strncmp(p, "\xef\xbc\x92\xef\xbc\x90", 6) == 0 ||
		     strncmp(p, "\xef\xbc\x91\xef\xbc\x99", 6) == 0))
			return 1;
		for (d = 0, q = p; d < 4; d++) {
			size_t i;

			for (i = 0; i < NB_NELEM(cn); i++)
				if (strncmp(q, cn[i], strlen(cn[i])) == 0)
					break;
			if (i == NB_NELEM(cn))
				break;
			q += strlen(cn[i]);
		}
		if (d == 4 && strncmp(q, "年", strlen("年")) == 0)
			return 1;
	}
	return 0;
}

int
title_is_report(const char *t)
{
	int report_word, cut;

	if (t == NULL)
		return 0;
	report_word = has_utf8(t, "年度报告") || has_utf8(t, "年报") ||
	              has_utf8(t, "年度工作报告");
	if (report_word)
		return has_year(t) || has_utf8(t, "信息公开");
	/* list pages cut long titles: "樟树市洋湖乡2023年政府信息公开工作年..."
	 */
	cut = strstr(t, "...") != NULL || has_utf8(t, "…");
	return cut && has_utf8(t, "信息公开") && has_year(t);
}

/* ---- HTML ---- */

/* "0; url=/x.html" -> pointer to "/x.html" (quotes stripped into buf) */
static const char *
refresh_target(const char *content, char *buf, size_t len)
{
	const char *p = strcasestr(content, "url");
	size_t n;

	if (p == NULL)
		return NULL;
	p += 3;
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '=')
		return NULL;
	p++;
	while (isspace((unsigned char)*p) || *p == '\'' || *p == '"')
		p++;
	n = strcspn(p, "'\"");
	if (n == 0 || n >= len)
		return NULL;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

/*
 * createPageHTML(count, current, "name", "ext"): the Jiangxi platform
 * numbers pages name.ext, name_2.ext … name_count.ext; TRS numbers them
 * index.html, index_1.html … index_(count-1).html.
 */
static void
script_pagination(struct collector *c, const char *js)
{
	const char *p = js;

	while ((p = strstr(p, "createPageHTML")) != NULL) {
		char name[128], ext[16], ref[200];
		long count, cur;
		int first, last;

		p += strlen("createPageHTML");
		if (sscanf(p, " ( %ld , %ld , \"%127[^\"]\" , \"%15[^\"]\"",
		           &count, &cur, name, ext) != 4 &&
		    sscanf(p, " ( %ld , %ld , '%127[^']' , '%15[^']'", &count,
		           &cur, name, ext) != 4)
			continue;
		if (count < 2)
			continue;
		if (count > PAGES_MAX)
			count = PAGES_MAX;
		if (strcmp(name, "index") == 0) {
			first = 1;
			last = (int)count - 1;
		} else {
			first = 2;
			last = (int)count;
		}
		snprintf(ref, sizeof(ref), "%s.%s", name, ext);
		collect(c, ref, NULL, LINK_LIST, NULL, NULL);
		for (int i = first; i <= last; i++) {
			snprintf(ref, sizeof(ref), "%s_%d.%s", name, i, ext);
			collect(c, ref, NULL, LINK_LIST, NULL, NULL);
		}
	}
}

static void json_walk(struct collector *c, json_t *v, int depth);

/* The quoted value after "key:" in a script ('…' or "…") into buf. */
static int
js_string(const char *js, const char *key, char *buf, size_t len)
{
	const char *p = js;
	size_t kl = strlen(key);

	while ((p = strstr(p, key)) != NULL) {
		const char *v = p + kl;
		char q;
		size_t n;

		p += kl;
		if (p - kl > js &&
		    (isalnum((unsigned char)p[-kl - 1]) || p[-kl - 1] == '_'))
			continue;
		while (isspace((unsigned char)*v))
			v++;
		if (*v != ':')
			continue;
		v++;
		while (isspace((unsigned char)*v))
			v++;
		if (*v != '"' && *v != '\'')
			continue;
		q = *v++;
		n = strcspn(v, q == '"' ? "\"" : "'");
		if (v[n] != q || n >= len)
			continue;
		memcpy(buf, v, n);
		buf[n] = '\0';
		return 1;
	}
	return 0;
}

/* The number after "key:" in a script. */
static long
js_long(const char *js, const char *key)
{
	const char *p = strstr(js, key);

	if (p == NULL)
		return -1;
	p += strlen(key);
	while (isspace((unsigned char)*p))
		p++;
	if (*p != ':')
		return -1;
	return strtol(p + 1, NULL, 10);
}

/*
 * A list filled by a POST of a JSON object, as the Jiangxi platform's
 * columns do: var q = {...}; $.ajax({url: "/queryList", type: "POST",
 * data: JSON.stringify(q)}).  The answer is read by discover_json.
 */
static void
script_ajax_post(struct collector *c, const char *js)
{
	char url[512], type[16], var[64], pat[80];
	const char *p, *d;
	json_t *body;
	char *b;

	if (!js_string(js, "url", url, sizeof(url)) ||
	    !js_string(js, "type", type, sizeof(type)) ||
	    strcasecmp(type, "POST") != 0 ||
	    (d = strstr(js, "JSON.stringify(")) == NULL ||
	    sscanf(d + strlen("JSON.stringify("), "%63[A-Za-z0-9_$]", var) != 1)
		return;
	snprintf(pat, sizeof(pat), "%s =", var);
	if ((p = strstr(js, pat)) == NULL) {
		snprintf(pat, sizeof(pat), "%s=", var);
		if ((p = strstr(js, pat)) == NULL)
			return;
	}
	p += strlen(pat);
	while (isspace((unsigned char)*p))
		p++;
	body = json_loads(p, JSON_DISABLE_EOF_CHECK, NULL);
	if (!json_is_object(body)) {
		json_decref(body);
		return;
	}
	b = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(body);
	if (b == NULL) {
		c->err = NB_ENOMEM;
		return;
	}
	collect(c, url, NULL, LINK_LIST | LINK_POST, b, "application/json");
	free(b);
}

/* A JavaScript object literal {k: 'v', n: 1} as a form body k=v&n=1. */
static int
js_object_form(const char *p, struct nb_buf *out)
{
	static const char hex[] = "0123456789ABCDEF";

	if ((p = strchr(p, '{')) == NULL)
		return NB_EPARSE;
	p++;
	for (;;) {
		char key[64];
		size_t n;

		while (isspace((unsigned char)*p) || *p == ',')
			p++;
		if (*p == '}' || *p == '\0')
			return *p == '}' ? 0 : NB_EPARSE;
		if (*p == '"' || *p == '\'')
			p++;
		n = strspn(
		    p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		       "0123456789_");
		if (n == 0 || n >= sizeof(key))
			return NB_EPARSE;
		memcpy(key, p, n);
		key[n] = '\0';
		p += n;
		if (*p == '"' || *p == '\'')
			p++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p++ != ':')
			return NB_EPARSE;
		while (isspace((unsigned char)*p))
			p++;
		if (out->len > 0 && nb_buf_add(out, "&", 1) != 0)
			return NB_ENOMEM;
		if (nb_buf_adds(out, key) != 0 || nb_buf_add(out, "=", 1) != 0)
			return NB_ENOMEM;
		if (*p == '"' || *p == '\'') {
			char q = *p++;

			for (; *p != q; p++) {
				unsigned char ch = (unsigned char)*p;
				char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};

				if (ch == '\0')
					return NB_EPARSE;
				if ((isalnum(ch) || strchr("-._~/", ch) != NULL
				         ? nb_buf_add(out, p, 1)
				         : nb_buf_add(out, e, 3)) != 0)
					return NB_ENOMEM;
			}
			p++;
		} else {
			n = strcspn(p, ",} \t\r\n");
			if (nb_buf_add(out, p, n) != 0)
				return NB_ENOMEM;
			p += n;
		}
	}
}

/*
 * Hanweb's jpage: the column's records come from proxyUrl, asked for in
 * windows of perPage * groupSize records with ajaxParam as the form body;
 * discover_xml asks for the windows after the first.
 */
static void
script_jpage(struct collector *c, const char *js)
{
	char proxy[512], ref[700];
	const char *ap;
	long total = js_long(js, "totalRecord"), per = js_long(js, "perPage");
	long group = js_long(js, "groupSize");
	struct nb_buf form;

	if (!js_string(js, "proxyUrl", proxy, sizeof(proxy)) ||
	    (ap = strstr(js, "ajaxParam")) == NULL || total < 1)
		return;
	if (per < 1)
		per = 15;
	if (group < 1)
		group = 3;
	nb_buf_init(&form, 4096);
	if (js_object_form(ap, &form) == 0) {
		snprintf(ref, sizeof(ref),
		         "%s?startrecord=1&endrecord=%ld&perpage=%ld", proxy,
		         per * group, per);
		collect(c, ref, NULL, LINK_LIST | LINK_POST,
		        form.data != NULL ? form.data : "",
		        "application/x-www-form-urlencoded");
	}
	nb_buf_free(&form);
}

/* The newer list pages embed their items: var articleList = [...]; */
static void
script_json(struct collector *c, const char *js)
{
	const char *p = strstr(js, "articleList");
	json_error_t jerr;
	json_t *v;

	if (p == NULL)
		return;
	p += strcspn(p, "[{");
	if (*p == '\0')
		return;
	v = json_loads(p, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &jerr);
	if (v == NULL)
		return;
	json_walk(c, v, 0);
	json_decref(v);
}

static void xml_records(struct collector *c, const char *xml, size_t len);

/*
 * HTML is read with libxml2's parser in SAX mode: no tree is built (on a
 * report page of Word-made HTML the tree costs as much again as the
 * parse).  What a walk of the tree would look at is gathered from the
 * events instead: a link's text, and the text of each node after it up to
 * the next <a> (a list shows the date there); <title> and <base> outside
 * <body>; scripts.  Links, frames, meta tags and scripts are kept in
 * document order and acted on at the end, once the <base> is known, in
 * the order a walk of the tree meets them.
 */
#define SIB_MAX  256         /* a date beside a link is in a short node */
#define TEXT_MAX (16 * 1024) /* of a link's text (its title keeps less) */
#define FRAMES_MAX                                                             \
	1024 /* open elements followed; deeper ones only                       \
	        pass their text up */

enum hev_kind { HEV_LINK, HEV_SRC, HEV_META, HEV_SCRIPT };

/* what the page says, in document order */
struct hev {
	enum hev_kind kind;
	/* LINK: href, title (attribute or text); SRC: src; META: http-equiv,
	 * name, content; SCRIPT: type, text */
	char *a, *b, *c;
	char date[11]; /* LINK: a date in a node after it */
	int next;      /* LINK: the next link waiting beside it, or -1 */
};

/* an open element */
struct hframe {
	int link;    /* the HEV_LINK this <a>/<area> is, or -1 */
	int wait;    /* links closed among its children, waiting for a
	                node with a date, or -1 (a list through hev.next) */
	int sib;     /* reading a node after them: 1 a text run, 2 a child
	                element; 0 none */
	size_t slen; /* its text so far; SIB_MAX and over: too long */
	char sbuf[SIB_MAX];
	struct nb_buf text; /* the link's text (no title attribute) */
	int want_text;      /* 1 gathering it, 2 gathered enough */
};

struct hsax {
	struct collector *c;
	struct hev *ev;
	size_t nev, evcap;
	struct hframe *f;
	size_t nf, fcap, deep;
	size_t gather; /* frames reading a sibling or a link's text */
	int in_body;
	char *base;      /* the first <base href> outside <body> */
	int title_state; /* 0 none yet, 1 reading, 2 read */
	struct nb_buf title;
	int title_full;
	int script; /* the HEV_SCRIPT being read, or -1 */
	struct nb_buf script_text;
	int script_full;
	int err;
};

/* Text gathered up to a cap: past it the rest is dropped, never a piece. */
static void
gather_add(struct hsax *s, struct nb_buf *b, int *full, const xmlChar *p,
           size_t n)
{
	int rc;

	if (*full)
		return;
	if ((rc = nb_buf_add(b, p, n)) == NB_ETOOBIG)
		*full = 1;
	else if (rc != 0)
		s->err = rc;
}

static const char *
hattr(const xmlChar **atts, const char *name)
{
	for (size_t i = 0; atts != NULL && atts[i] != NULL; i += 2)
		if (strcasecmp((const char *)atts[i], name) == 0)
			return (const char *)atts[i + 1];
	return NULL;
}

static char *
hdup(struct hsax *s, const char *v)
{
	char *d;

	if (v == NULL)
		return NULL;
	if ((d = strdup(v)) == NULL)
		s->err = NB_ENOMEM;
	return d;
}

static int
hev_add(struct hsax *s, enum hev_kind kind, const char *a, const char *b,
        const char *c)
{
	struct hev *e;

	if (s->err != 0)
		return -1;
	if (s->nev == s->evcap) {
		size_t ncap = s->evcap ? s->evcap * 2 : 32;
		struct hev *n = reallocarray(s->ev, ncap, sizeof(*n));

		if (n == NULL) {
			s->err = NB_ENOMEM;
			return -1;
		}
		s->ev = n;
		s->evcap = ncap;
	}
	e = &s->ev[s->nev];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->next = -1;
	e->a = hdup(s, a);
	e->b = hdup(s, b);
	e->c = hdup(s, c);
	if (s->err != 0) {
		free(e->a);
		free(e->b);
		free(e->c);
		return -1;
	}
	return (int)s->nev++;
}

static struct hframe *
htop(struct hsax *s)
{
	return s->nf > 0 && s->deep == 0 ? &s->f[s->nf - 1] : NULL;
}

/* The node just read beside f's waiting links: a date there is theirs. */
static void
sib_done(struct hsax *s, struct hframe *f, const char *text, size_t len)
{
	char date[11];

	if (len >= SIB_MAX || !find_date(text, date))
		return;
	for (int i = f->wait; i >= 0; i = s->ev[i].next)
		memcpy(s->ev[i].date, date, sizeof(date));
	f->wait = -1;
}

static void
sib_end(struct hsax *s, struct hframe *f)
{
	if (f->sib == 0)
		return;
	f->sbuf[f->slen < SIB_MAX ? f->slen : SIB_MAX - 1] = '\0';
	sib_done(s, f, f->sbuf, f->slen);
	f->sib = 0;
	s->gather--;
}

static void
sib_begin(struct hsax *s, struct hframe *f, int kind)
{
	f->sib = kind;
	f->slen = 0;
	s->gather++;
}

/* a text run among the top element's children ends at any other node */
static void
run_end(struct hsax *s)
{
	struct hframe *f = htop(s);

	if (f != NULL && f->sib == 1)
		sib_end(s, f);
}

static void
sax_start(void *ctx, const xmlChar *xname, const xmlChar **atts)
{
	struct hsax *s = ctx;
	const char *name = (const char *)xname, *v;
	struct hframe *p, *f;

	if (s->err != 0)
		return;
	run_end(s);
	if (s->deep > 0 || s->nf == FRAMES_MAX) {
		s->deep++;
		return;
	}
	if ((p = htop(s)) != NULL && p->wait >= 0) {
		/* the next <a> ends the search for a date */
		if (strcasecmp(name, "a") == 0)
			p->wait = -1;
		else
			sib_begin(s, p, 2);
	}
	if (s->nf == s->fcap) {
		size_t ncap = s->fcap ? s->fcap * 2 : 32;
		struct hframe *n = reallocarray(s->f, ncap, sizeof(*n));

		if (n == NULL) {
			s->err = NB_ENOMEM;
			return;
		}
		s->f = n;
		s->fcap = ncap;
	}
	f = &s->f[s->nf++];
	f->link = f->wait = -1;
	f->sib = 0;
	f->slen = 0;
	f->want_text = 0;
	if (strcasecmp(name, "a") == 0 || strcasecmp(name, "area") == 0) {
		if ((v = hattr(atts, "href")) == NULL)
			return;
		f->link = hev_add(s, HEV_LINK, v, hattr(atts, "title"), NULL);
		if (f->link >= 0 && s->ev[f->link].b == NULL) {
			f->want_text = 1;
			nb_buf_init(&f->text, TEXT_MAX);
			s->gather++;
		}
	} else if (strcasecmp(name, "iframe") == 0 ||
	           strcasecmp(name, "frame") == 0) {
		if ((v = hattr(atts, "src")) != NULL)
			hev_add(s, HEV_SRC, v, NULL, NULL);
	} else if (strcasecmp(name, "meta") == 0) {
		if ((v = hattr(atts, "content")) != NULL)
			hev_add(s, HEV_META, hattr(atts, "http-equiv"),
			        hattr(atts, "name"), v);
	} else if (strcasecmp(name, "script") == 0) {
		s->script =
		    hev_add(s, HEV_SCRIPT, hattr(atts, "type"), NULL, NULL);
		nb_buf_reset(&s->script_text);
		s->script_full = 0;
	} else if (strcasecmp(name, "body") == 0) {
		s->in_body++;
	} else if (!s->in_body && strcasecmp(name, "base") == 0) {
		if (s->base == NULL)
			s->base = hdup(s, hattr(atts, "href"));
	} else if (!s->in_body && strcasecmp(name, "title") == 0) {
		if (s->title_state == 0)
			s->title_state = 1;
	}
}

static void
sax_end(void *ctx, const xmlChar *xname)
{
	struct hsax *s = ctx;
	const char *name = (const char *)xname;
	struct hframe *f, *p;

	if (s->err != 0)
		return;
	run_end(s);
	if (s->deep > 0) {
		s->deep--;
		return;
	}
	if (s->nf == 0)
		return;
	f = &s->f[--s->nf];
	/* links still waiting when their parent closes have no date */
	if (f->want_text) {
		s->ev[f->link].b = nb_buf_take(&f->text, NULL);
		nb_buf_free(&f->text);
		s->gather--;
		if (s->ev[f->link].b == NULL)
			s->err = NB_ENOMEM;
	}
	if (strcasecmp(name, "body") == 0 && s->in_body > 0)
		s->in_body--;
	else if (s->title_state == 1 && strcasecmp(name, "title") == 0)
		s->title_state = 2;
	else if (s->script >= 0 && strcasecmp(name, "script") == 0) {
		if ((s->ev[s->script].b = nb_buf_take(&s->script_text, NULL)) ==
		    NULL)
			s->err = NB_ENOMEM;
		s->script = -1;
	}
	if ((p = htop(s)) == NULL)
		return;
	/* this element was the node after p's waiting links */
	if (p->sib == 2)
		sib_end(s, p);
	if (f->link >= 0) {
		s->ev[f->link].next = p->wait;
		p->wait = f->link;
	}
}

static void
sax_text(void *ctx, const xmlChar *ch, int len)
{
	struct hsax *s = ctx;
	struct hframe *top;

	if (s->err != 0 || len <= 0)
		return;
	if (s->title_state == 1)
		gather_add(s, &s->title, &s->title_full, ch, (size_t)len);
	if (s->script >= 0)
		gather_add(s, &s->script_text, &s->script_full, ch,
		           (size_t)len);
	if ((top = htop(s)) != NULL && top->wait >= 0 && top->sib == 0)
		sib_begin(s, top, 1);
	if (s->gather == 0)
		return;
	for (size_t i = 0; i < s->nf; i++) {
		struct hframe *f = &s->f[i];

		if (f->sib != 0 && f->slen < SIB_MAX) {
			size_t n = (size_t)len;

			if (f->slen + n >= SIB_MAX)
				n = SIB_MAX - f->slen;
			memcpy(f->sbuf + f->slen, ch, n);
			f->slen += n;
		}
		if (f->want_text != 0) {
			int full = f->want_text == 2;

			/* past TEXT_MAX the title has enough: the rest is cut
			 */
			gather_add(s, &f->text, &full, ch, (size_t)len);
			f->want_text = full ? 2 : 1;
		}
	}
}

/* A comment or processing instruction is a node of its own text. */
static void
sax_node(struct hsax *s, const char *text)
{
	struct hframe *top;

	if (s->err != 0)
		return;
	run_end(s);
	if ((top = htop(s)) != NULL && top->wait >= 0 && text != NULL)
		sib_done(s, top, text, strlen(text));
}

static void
sax_comment(void *ctx, const xmlChar *text)
{
	sax_node(ctx, (const char *)text);
}

static void
sax_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	(void)target;
	sax_node(ctx, (const char *)data);
}

static void
html_meta(struct collector *c, const char *he, const char *nm,
          const char *content)
{
	char buf[URL_MAX + 1];
	const char *v;

	if (he != NULL && strcasecmp(he, "refresh") == 0 &&
	    (v = refresh_target(content, buf, sizeof(buf))) != NULL) {
		collect(c, v, NULL, 0, NULL, NULL);
		if (c->page->refresh == NULL)
			url_normalize(c->base, v, &c->page->refresh);
	}
	if (nm != NULL && strcasecmp(nm, "ArticleTitle") == 0 &&
	    c->page->title == NULL)
		c->page->title = title_clean(content);
	if (nm != NULL && strcasecmp(nm, "PubDate") == 0 &&
	    c->page->date[0] == '\0' && strlen(content) < 64 &&
	    !find_date(content, c->page->date))
		c->page->date[0] = '\0';
}

/* What the page said, in its order, against its final base. */
static void
html_apply(struct collector *c, struct hsax *s)
{
	for (size_t i = 0; i < s->nev && c->err == 0; i++) {
		const struct hev *e = &s->ev[i];

		switch (e->kind) {
		case HEV_LINK:
			c->date = e->date[0] != '\0' ? e->date : NULL;
			collect(c, e->a, e->b, 0, NULL, NULL);
			c->date = NULL;
			break;
		case HEV_SRC:
			collect(c, e->a, NULL, 0, NULL, NULL);
			break;
		case HEV_META:
			html_meta(c, e->a, e->b, e->c);
			break;
		case HEV_SCRIPT:
			if (e->b == NULL)
				break;
			if (e->a != NULL && strcasecmp(e->a, "text/xml") == 0) {
				xml_records(c, e->b, strlen(e->b));
				break;
			}
			script_pagination(c, e->b);
			script_json(c, e->b);
			script_ajax_post(c, e->b);
			script_jpage(c, e->b);
			break;
		}
	}
}

static int
collect_html(struct collector *c, const char *html, size_t len)
{
	struct hsax s;
	htmlParserCtxtPtr ctxt;
	char *resolved = NULL;
	const char *saved = c->base;

	if (len > INT_MAX)
		return NB_ETOOBIG;
	/* as htmlReadMemory: no document in nothing at all */
	if (len == 0)
		return NB_EPARSE;
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.script = -1;
	nb_buf_init(&s.title, TEXT_MAX);
	nb_buf_init(&s.script_text, len);
	if ((ctxt = htmlNewParserCtxt()) == NULL || ctxt->sax == NULL) {
		htmlFreeParserCtxt(ctxt);
		return NB_ENOMEM;
	}
	memset(ctxt->sax, 0, sizeof(*ctxt->sax));
	ctxt->sax->startElement = sax_start;
	ctxt->sax->endElement = sax_end;
	ctxt->sax->characters = sax_text;
	ctxt->sax->cdataBlock = sax_text;
	ctxt->sax->comment = sax_comment;
	ctxt->sax->processingInstruction = sax_pi;
	ctxt->userData = &s;
	htmlCtxtReadMemory(ctxt, html, (int)len, c->base, "UTF-8", HTML_OPTS);
	htmlFreeParserCtxt(ctxt);
	if (s.err == 0) {
		if (s.base != NULL &&
		    url_normalize(c->base, s.base, &resolved) == 0)
			c->base = resolved;
		html_apply(c, &s);
		/* the ArticleTitle meta, met on the way, is the better title */
		if (s.title_state != 0 && c->page->title == NULL)
			c->page->title = title_clean(s.title.data);
		c->base = saved;
	} else if (c->err == 0)
		c->err = s.err;
	free(resolved);
	for (size_t i = 0; i < s.nev; i++) {
		free(s.ev[i].a);
		free(s.ev[i].b);
		free(s.ev[i].c);
	}
	free(s.ev);
	for (size_t i = 0; i < s.nf; i++)
		if (s.f[i].want_text)
			nb_buf_free(&s.f[i].text);
	free(s.f);
	free(s.base);
	nb_buf_free(&s.title);
	nb_buf_free(&s.script_text);
	return c->err;
}

static void
collector_init(struct collector *c, struct page *out, const char *url)
{
	memset(out, 0, sizeof(*out));
	memset(c, 0, sizeof(*c));
	c->page = out;
	c->base = url;
}

static int
collector_finish(struct collector *c, int rc)
{
	free(c->set);
	if (rc == 0 && c->err != 0)
		rc = c->err;
	if (rc != 0)
		page_free(c->page);
	else if (c->page->title != NULL)
		c->page->report = title_is_report(c->page->title);
	return rc;
}

int
discover_html(const char *url, const char *html, size_t len, struct page *out)
{
	struct collector c;

	collector_init(&c, out, url);
	return collector_finish(&c, collect_html(&c, html, len));
}

/* ---- list data: JSON ---- */

/* A string that is a link target: a path, or an http(s) URL. */
static int
looks_like_url(const char *s)
{
	return (s[0] == '/' && s[1] != '/' && s[1] != '\0') ||
	       strncasecmp(s, "http://", 7) == 0 ||
	       strncasecmp(s, "https://", 8) == 0;
}

/*
 * Objects with a title and a URL-valued member become links, whatever the
 * API calls its fields; a member holding JSON text ("urls":"{\"common\":
 * \"/a/b.shtml\"}" on the Jiangxi platform) is read too.
 */
static void
json_walk(struct collector *c, json_t *v, int depth)
{
	const char *key, *title = NULL, *outer_date = c->date;
	char date[11];
	json_t *m;
	size_t i;

	if (depth > 16 || c->err != 0)
		return;
	if (json_is_array(v)) {
		json_array_foreach(v, i, m) json_walk(c, m, depth + 1);
		return;
	}
	if (!json_is_object(v))
		return;

	json_object_foreach(v, key, m)
	{
		if (!json_is_string(m))
			continue;
		if (strcasecmp(key, "title") == 0)
			title = json_string_value(m);
		else if ((strcasecmp(key, "pubDate") == 0 ||
		          strcasecmp(key, "publishDate") == 0 ||
		          strcasecmp(key, "releaseDate") == 0 ||
		          strcasecmp(key, "date") == 0) &&
		         find_date(json_string_value(m), date))
			c->date = date;
	}
	json_object_foreach(v, key, m)
	{
		const char *s;

		if (!json_is_string(m)) {
			json_walk(c, m, depth + 1);
			continue;
		}
		s = json_string_value(m);
		if (looks_like_url(s)) {
			collect(c, s, title, 0, NULL, NULL);
		} else if (s[0] == '{' || s[0] == '[') {
			json_t *inner = json_loads(s, JSON_DECODE_ANY, NULL);

			if (inner != NULL) {
				if (json_is_object(inner) && title != NULL &&
				    json_object_get(inner, "title") == NULL)
					json_object_set_new(inner, "title",
					                    json_string(title));
				json_walk(c, inner, depth + 1);
				json_decref(inner);
			}
		}
	}
	c->date = outer_date;
}

/* The page-number member of a list request, and the page size. */
static json_t *
json_member(json_t *o, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_t *m = json_object_get(o, names[i]);

		if (json_is_integer(m))
			return m;
	}
	return NULL;
}

static const char *const page_keys[] = {"pageNo", "pageNum", "page",
                                        "pageIndex", "currentPage"};
static const char *const size_keys[] = {"pageSize", "size", "perPage", "rows",
                                        "limit"};

int
discover_json(const char *url, const char *reqbody, const char *json,
              size_t len, struct page *out)
{
	struct collector c;
	json_error_t jerr;
	json_t *doc, *req = NULL, *total, *data, *pg, *sz;
	int rc = 0;

	collector_init(&c, out, url);
	doc = json_loadb(json, len, JSON_DECODE_ANY, &jerr);
	if (doc == NULL)
		return collector_finish(&c, NB_EPARSE);
	json_walk(&c, doc, 0);
	data = json_object_get(doc, "data");
	total = json_object_get(json_is_object(data) ? data : doc, "total");
	if (reqbody != NULL)
		req = json_loads(reqbody, 0, NULL);
	if (json_is_integer(total) && json_is_object(req) &&
	    (pg = json_member(req, page_keys, NB_NELEM(page_keys))) != NULL &&
	    (sz = json_member(req, size_keys, NB_NELEM(size_keys))) != NULL &&
	    json_integer_value(pg) == 1 && json_integer_value(sz) > 0) {
		json_int_t size = json_integer_value(sz);
		json_int_t pages =
		    (json_integer_value(total) + size - 1) / size;

		if (pages > PAGES_MAX)
			pages = PAGES_MAX;
		for (json_int_t i = 2; i <= pages && c.err == 0; i++) {
			char *b;

			json_integer_set(pg, i);
			b = json_dumps(req, JSON_COMPACT | JSON_PRESERVE_ORDER);
			if (b == NULL) {
				c.err = NB_ENOMEM;
				break;
			}
			collect(&c, url, NULL, LINK_LIST | LINK_POST, b,
			        "application/json");
			free(b);
		}
	}
	json_decref(req);
	json_decref(doc);
	return collector_finish(&c, rc);
}

/* ---- list data: Hanweb XML ---- */

static long
xml_long(xmlNode *root, const char *name)
{
	for (xmlNode *n = root->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcasecmp((const char *)n->name, name) == 0) {
			xmlChar *t = xmlNodeGetContent(n);
			long v =
			    t != NULL ? strtol((const char *)t, NULL, 10) : -1;

			xmlFree(t);
			return v;
		}
	return -1;
}

/* Each <record> (and <nextgroup>) holds HTML in CDATA. */
static void
xml_fragments(struct collector *c, xmlNode *n)
{
	for (; n != NULL && c->err == 0; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (strcasecmp((const char *)n->name, "record") == 0 ||
		    strcasecmp((const char *)n->name, "nextgroup") == 0) {
			xmlChar *t = xmlNodeGetContent(n);

			if (t != NULL) {
				int rc = collect_html(c, (const char *)t,
				                      strlen((const char *)t));

				if (rc == NB_ENOMEM)
					c->err = rc;
			}
			xmlFree(t);
		} else {
			xml_fragments(c, n->children);
		}
	}
}

static void
xml_records(struct collector *c, const char *xml, size_t len)
{
	xmlDocPtr doc;
	char *title = c->page->title;

	if (len > INT_MAX)
		return;
	doc = xmlReadMemory(xml, (int)len, c->base, "UTF-8",
	                    XML_PARSE_RECOVER | XML_PARSE_NOERROR |
	                        XML_PARSE_NOWARNING | XML_PARSE_NONET |
	                        XML_PARSE_NOCDATA);
	if (doc == NULL)
		return;
	/* a fragment's <title> is not the page's */
	c->page->title = NULL;
	xml_fragments(c, xmlDocGetRootElement(doc));
	free(c->page->title);
	c->page->title = title;
	xmlFreeDoc(doc);
}

/*
 * The answer to "dataproxy.jsp?startrecord=S&endrecord=E&perpage=P" with
 * the column's parameters as a form body: further windows are asked for
 * the same way until totalrecord is covered.
 */
int
discover_xml(const char *url, const char *reqbody, const char *xml, size_t len,
             struct page *out)
{
	struct collector c;
	xmlDocPtr doc;
	xmlNode *root;
	const char *q;
	long start = -1, end = -1, total;

	collector_init(&c, out, url);
	if (len > INT_MAX)
		return collector_finish(&c, NB_ETOOBIG);
	doc = xmlReadMemory(xml, (int)len, url, "UTF-8",
	                    XML_PARSE_RECOVER | XML_PARSE_NOERROR |
	                        XML_PARSE_NOWARNING | XML_PARSE_NONET |
	                        XML_PARSE_NOCDATA);
	if (doc == NULL || (root = xmlDocGetRootElement(doc)) == NULL) {
		xmlFreeDoc(doc);
		return collector_finish(&c, NB_EPARSE);
	}
	xml_fragments(&c, root);
	total = xml_long(root, "totalrecord");
	if ((q = strstr(url, "startrecord=")) != NULL)
		start = strtol(q + strlen("startrecord="), NULL, 10);
	if ((q = strstr(url, "endrecord=")) != NULL)
		end = strtol(q + strlen("endrecord="), NULL, 10);
	if (start == 1 && end >= start && total > end && reqbody != NULL) {
		long win = end - start + 1;
		char base[URL_MAX + 1], ref[URL_MAX + 128];
		size_t n = strcspn(url, "?");
		const char *pp = strstr(url, "perpage=");
		long per = pp ? strtol(pp + strlen("perpage="), NULL, 10) : win;

		if (n < sizeof(base)) {
			memcpy(base, url, n);
			base[n] = '\0';
			for (long s = end + 1, k = 0;
			     s <= total && k < PAGES_MAX; s += win, k++) {
				snprintf(ref, sizeof(ref),
				         "%s?startrecord=%ld&endrecord=%ld"
				         "&perpage=%ld",
				         base, s, s + win - 1, per);
				collect(&c, ref, NULL, LINK_LIST | LINK_POST,
				        reqbody,
				        "application/x-www-form-urlencoded");
			}
		}
	}
	xmlFreeDoc(doc);
	return collector_finish(&c, 0);
}

void
page_free(struct page *p)
{
	for (size_t i = 0; i < p->nlinks; i++) {
		free(p->links[i].url);
		free(p->links[i].title);
		free(p->links[i].body);
		free(p->links[i].ctype);
	}
	free(p->links);
	free(p->title);
	free(p->refresh);
	memset(p, 0, sizeof(*p));
}
