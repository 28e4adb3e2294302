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

static const char *
attr(xmlNode *n, const char *name)
{
	for (xmlAttr *a = n->properties; a != NULL; a = a->next)
		if (strcasecmp((const char *)a->name, name) == 0 &&
		    a->children != NULL && a->children->type == XML_TEXT_NODE)
			return (const char *)a->children->content;
	return NULL;
}

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

static void html_walk(struct collector *c, xmlNode *n);
static void xml_records(struct collector *c, const char *xml, size_t len);

static void
html_element(struct collector *c, xmlNode *n)
{
	const char *name = (const char *)n->name, *v;
	char buf[URL_MAX + 1];

	if (strcasecmp(name, "a") == 0 || strcasecmp(name, "area") == 0) {
		char *text = NULL;

		char date[11];

		if ((v = attr(n, "href")) == NULL)
			return;
		if (attr(n, "title") == NULL)
			text = (char *)xmlNodeGetContent(n);
		/* list items put the date after the link: <span>2025-01-20 */
		for (xmlNode *sib = n->next; sib != NULL; sib = sib->next) {
			xmlChar *t;
			int found;

			if (sib->type == XML_ELEMENT_NODE &&
			    strcasecmp((const char *)sib->name, "a") == 0)
				break;
			if ((t = xmlNodeGetContent(sib)) == NULL)
				continue;
			found = strlen((const char *)t) < 256 &&
			        find_date((const char *)t, date);
			xmlFree(t);
			if (found) {
				c->date = date;
				break;
			}
		}
		collect(c, v, attr(n, "title") ? attr(n, "title") : text, 0,
		        NULL, NULL);
		c->date = NULL;
		xmlFree(text);
	} else if (strcasecmp(name, "iframe") == 0 ||
	           strcasecmp(name, "frame") == 0) {
		collect(c, attr(n, "src"), NULL, 0, NULL, NULL);
	} else if (strcasecmp(name, "meta") == 0) {
		const char *he = attr(n, "http-equiv"), *nm = attr(n, "name");
		const char *content = attr(n, "content");

		if (content == NULL)
			return;
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
	} else if (strcasecmp(name, "script") == 0) {
		xmlChar *js = xmlNodeGetContent(n);
		const char *type = attr(n, "type");

		if (js == NULL)
			return;
		if (type != NULL && strcasecmp(type, "text/xml") == 0)
			xml_records(c, (const char *)js,
			            strlen((const char *)js));
		else {
			script_pagination(c, (const char *)js);
			script_json(c, (const char *)js);
			script_ajax_post(c, (const char *)js);
			script_jpage(c, (const char *)js);
		}
		xmlFree(js);
	}
}

static void
html_walk(struct collector *c, xmlNode *n)
{
	for (; n != NULL && c->err == 0; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		html_element(c, n);
		if (strcasecmp((const char *)n->name, "script") != 0)
			html_walk(c, n->children);
	}
}

/* <base href> and <title>, before links are resolved */
static void
html_head(xmlNode *n, const char **base, xmlNode **title)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (*base == NULL &&
		    strcasecmp((const char *)n->name, "base") == 0)
			*base = attr(n, "href");
		if (*title == NULL &&
		    strcasecmp((const char *)n->name, "title") == 0)
			*title = n;
		if (strcasecmp((const char *)n->name, "body") != 0)
			html_head(n->children, base, title);
	}
}

static int
collect_html(struct collector *c, const char *html, size_t len)
{
	htmlDocPtr doc;
	const char *base = NULL;
	char *resolved = NULL;
	const char *saved = c->base;
	xmlNode *title = NULL;

	if (len > INT_MAX)
		return NB_ETOOBIG;
	doc = htmlReadMemory(html, (int)len, c->base, "UTF-8", HTML_OPTS);
	if (doc == NULL)
		return NB_EPARSE;
	html_head(xmlDocGetRootElement(doc), &base, &title);
	if (base != NULL && url_normalize(c->base, base, &resolved) == 0)
		c->base = resolved;
	html_walk(c, xmlDocGetRootElement(doc));
	/* the ArticleTitle meta, met during the walk, is the better title */
	if (title != NULL && c->page->title == NULL) {
		xmlChar *t = xmlNodeGetContent(title);

		c->page->title = title_clean((const char *)t);
		xmlFree(t);
	}
	c->base = saved;
	free(resolved);
	xmlFreeDoc(doc);
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
