/*
 * html.c - a report as the Jiangxi platform serves it: Word's HTML pasted
 * into the CMS (every cell a <td><p class=MsoNormal><span>…), inside the
 * page chrome of a county site.
 */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "render_int.h"

struct hout {
	struct nb_buf *b;
	const struct rdoc *d;
	int err;
};

static void
put(struct hout *h, const char *s)
{
	int rc;

	if (h->err == 0 && (rc = nb_buf_adds(h->b, s)) != 0)
		h->err = rc;
}

static void putf(struct hout *h, const char *fmt, ...) NB_PRINTF(2, 3);

static void
putf(struct hout *h, const char *fmt, ...)
{
	char *s;
	va_list ap;
	int n;

	if (h->err)
		return;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		h->err = NB_ENOMEM;
		return;
	}
	put(h, s);
	free(s);
}

/* Text and attribute values; NBSP as &nbsp; as Word writes it. */
static void
put_esc(struct hout *h, const char *s, size_t n)
{
	size_t i, start = 0;
	const char *rep;
	int rc;

	for (i = 0; i < n; i++) {
		size_t skip = 1;

		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		case '\xc2':
			if (i + 1 < n && s[i + 1] == '\xa0') {
				rep = "&nbsp;";
				skip = 2;
				break;
			}
			continue;
		default:
			continue;
		}
		if (h->err == 0 &&
		    (rc = nb_buf_add(h->b, s + start, i - start)) != 0)
			h->err = rc;
		put(h, rep);
		i += skip - 1;
		start = i + 1;
	}
	if (h->err == 0 && (rc = nb_buf_add(h->b, s + start, n - start)) != 0)
		h->err = rc;
}

/*
 * One piece of text as Word's runs: a single <span>, or with
 * RV_SPLIT_RUNS several, cut at seeded character boundaries.
 */
static void
runs(struct hout *h, const char *s, size_t n, unsigned key, const char *style)
{
	size_t cut[2], at = 0;
	int k = 0;

	if (n == 0)
		return;
	if (h->d->variant & RV_SPLIT_RUNS)
		k = rdoc_cuts(h->d, s, n, key, cut);
	for (int i = 0; i <= k; i++) {
		size_t end = i < k ? cut[i] : n;

		putf(h, "<span style='%s'>", style);
		if (h->d->variant & RV_FONT_TAGS)
			put(h, "<font face=\"方正仿宋_GBK\">");
		put_esc(h, s + at, end - at);
		if (h->d->variant & RV_FONT_TAGS)
			put(h, "</font>");
		put(h, "</span>");
		at = end;
	}
}

static const char cell_style[] = "font-size:10.5pt;font-family:宋体";

static void
cell(struct hout *h, const struct rtable *t, const struct rcell *c)
{
	const struct rdoc *d = h->d;
	unsigned key = 7919u * (c->id + 1);
	int w = 0;

	/* Word writes widths in pixels: 15 twips each */
	for (int k = c->col; k < c->col + c->colspan; k++)
		w += t->width[k];
	putf(h, "<td width=%d", w / 15);
	if (c->colspan > 1)
		putf(h, " colspan=%d", c->colspan);
	if (c->rowspan > 1)
		putf(h, " rowspan=%d", c->rowspan);
	put(h, " valign=center style='border:solid windowtext 1.0pt;"
	       "padding:0cm 5.4pt 0cm 5.4pt'><p class=MsoNormal align=center "
	       "style='text-align:center'>");
	if (c->kind == RC_BLANK) {
		switch (rdoc_blank(d, c)) {
		case RBL_EMPTY:
			put(h, "<o:p></o:p>");
			break;
		case RBL_NBSP:
			put(h, "<span lang=EN-US><o:p>&nbsp;</o:p></span>");
			break;
		case RBL_IDSP:
			put(h,
			    "<span lang=EN-US>\xe3\x80\x80</span><o:p></o:p>");
			break;
		case RBL_SPACE:
			put(h, "<o:p> </o:p>");
			break;
		}
		put(h, "</p></td>\n");
		return;
	}
	if (c->kind == RC_VALUE) {
		const char *pre, *post;
		char *s;

		if ((int)c->id == d->gobackid)
			put(h, "<a name=\"_GoBack\"></a>");
		rdoc_pad(d, c, &pre, &post);
		if (asprintf(&s, "%s%s%s", pre, c->text, post) < 0) {
			h->err = NB_ENOMEM;
			return;
		}
		runs(h, s, strlen(s), key, cell_style);
		free(s);
	} else if (c->brk && (d->variant & RV_BR_HEADERS)) {
		runs(h, c->text, c->brk, key, cell_style);
		put(h, "<br>");
		runs(h, c->text + c->brk, strlen(c->text) - c->brk, key + 3,
		     cell_style);
	} else {
		runs(h, c->text, strlen(c->text), key, cell_style);
	}
	put(h, "<o:p></o:p></p></td>\n");
}

static void
table(struct hout *h, const struct rtable *t)
{
	put(h, "<div align=center>\n<table class=MsoNormalTable border=1 "
	       "cellspacing=0 cellpadding=0 style='border-collapse:collapse;"
	       "border:none'>\n");
	for (int i = 0; i < t->n; i++) {
		put(h, "<tr style='height:22.0pt'>\n");
		for (int j = 0; j < t->rows[i].n; j++)
			cell(h, t, &t->rows[i].cells[j]);
		put(h, "</tr>\n");
	}
	put(h, "</table>\n</div>\n<p class=MsoNormal><span lang=EN-US><o:p>"
	       "&nbsp;</o:p></span></p>\n");
}

static void
paragraph(struct hout *h, const char *pstyle, int bold, const char *style,
          const char *s, size_t n, unsigned key)
{
	putf(h, "<p class=MsoNormal %s>", pstyle);
	if (bold)
		put(h, "<b>");
	runs(h, s, n, key, style);
	if (bold)
		put(h, "</b>");
	put(h, "</p>\n");
}

static void
body(struct hout *h)
{
	const struct rdoc *d = h->d;

	for (int i = 0; i < d->n; i++) {
		const struct rblock *b = &d->blocks[i];
		unsigned key = 104729u * (unsigned)(i + 1);
		size_t len = b->text ? strlen(b->text) : 0;

		switch (b->kind) {
		case RB_TITLE: {
			const char *ps =
			    "align=center style='text-align:center;"
			    "line-height:28.0pt'";
			const char *st =
			    "font-size:22.0pt;font-family:方正小标宋简体";
			size_t cut = b->split ? b->split : len;

			paragraph(h, ps, 1, st, b->text, cut, key);
			if (b->split)
				paragraph(h, ps, 1, st, b->text + cut,
				          len - cut, key + 5);
			break;
		}
		case RB_HEADING:
			paragraph(h,
			          "style='text-indent:32.0pt;"
			          "line-height:28.0pt'",
			          0, "font-size:16.0pt;font-family:黑体",
			          b->text, len, key);
			break;
		case RB_SUBHEADING:
			paragraph(h,
			          "style='text-indent:32.0pt;"
			          "line-height:28.0pt'",
			          1, "font-size:16.0pt;font-family:楷体_GB2312",
			          b->text, len, key);
			break;
		case RB_PROSE:
			paragraph(h,
			          "style='text-indent:32.0pt;"
			          "line-height:28.0pt'",
			          0, "font-size:16.0pt;font-family:仿宋_GB2312",
			          b->text, len, key);
			break;
		case RB_TABLE:
			table(h, b->table);
			break;
		}
	}
}

static void
attr(struct hout *h, const char *s)
{
	put_esc(h, s, strlen(s));
}

static void
page(struct hout *h, const struct render_opts *o, const char *cs)
{
	const struct rdoc *d = h->d;
	const int noise = (d->variant & RV_CHROME_NOISE) != 0;
	const char *site = d->region ? d->region : d->agency;

	put(h,
	    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" "
	    "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
	    "<html xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n");
	putf(h,
	     "<meta http-equiv=\"Content-Type\" content=\"text/html; "
	     "charset=%s\" />\n",
	     cs);
	put(h, "<meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\" />\n"
	       "<title>");
	attr(h, d->title);
	put(h, "_");
	attr(h, site);
	put(h, "人民政府</title>\n<meta name=\"SiteName\" content=\"");
	attr(h, site);
	put(h, "人民政府\" />\n<meta name=\"ColumnName\" "
	       "content=\"政府信息公开年报\" />\n<meta name=\"ArticleTitle\" "
	       "content=\"");
	attr(h, d->title);
	put(h, "\" />\n");
	if (o->published) {
		put(h, "<meta name=\"PubDate\" content=\"");
		attr(h, o->published);
		put(h, " 09:30\" />\n");
	}
	put(h, "<meta name=\"ContentSource\" content=\"");
	attr(h, d->agency);
	put(h,
	    "\" />\n<link href=\"/images/base.css\" rel=\"stylesheet\" "
	    "type=\"text/css\" />\n<script type=\"text/javascript\" "
	    "src=\"/js/jquery-1.11.3.min.js\"></script>\n</head>\n<body>\n"
	    "<div class=\"header\"><div class=\"logo\"><a href=\"/\">"
	    "<img src=\"/images/logo.png\" alt=\"\" /></a></div>\n"
	    "<ul class=\"nav\"><li><a href=\"/\">首页</a></li>"
	    "<li><a href=\"/zwgk/index.shtml\">政务公开</a></li>"
	    "<li><a href=\"/zwfw/index.shtml\">政务服务</a></li>"
	    "<li><a href=\"/hdjl/index.shtml\">互动交流</a></li></ul></div>\n"
	    "<div class=\"position\">当前位置：<a href=\"/\">首页</a> &gt; "
	    "<a href=\"/zwgk/index.shtml\">政务公开</a> &gt; "
	    "<a href=\"/zfxxgk/index.shtml\">政府信息公开</a> &gt; "
	    "<a href=\"../xxgk_list.shtml\">政府信息公开年报</a></div>\n");
	if (noise) {
		put(h, "<table class=\"xxgk_table\" width=\"100%\">\n<tr><td>"
		       "索引号：</td><td>");
		putf(h, "K%08u/%d-%05u", rdoc_pick(d, 1, 100000000),
		     d->year + 1, rdoc_pick(d, 2, 100000));
		put(h, "</td><td>发布机构：</td><td>");
		attr(h, d->agency);
		put(h, "</td></tr>\n<tr><td>公开日期：</td><td>");
		if (o->published)
			attr(h, o->published);
		put(h, "</td><td>公开方式：</td><td>主动公开</td></tr>\n"
		       "</table>\n");
	}
	put(h, "<div class=\"article\">\n<h1 class=\"article-title\">");
	attr(h, d->title);
	put(h, "</h1>\n<div class=\"article-info\">");
	if (o->published) {
		put(h, "发布时间：");
		attr(h, o->published);
		put(h, " ");
	}
	put(h, "来源：");
	attr(h, d->agency);
	if (noise)
		put(h, " 浏览次数：<span id=\"hits\"></span>");
	put(h, "</div>\n<div id=\"zoomcon\" class=\"article-content\">\n");
	if (noise) {
		putf(h, "<meta charset=\"%s\">\n<ucapcontent>\n", cs);
	}
	body(h);
	if (noise)
		put(h, "</ucapcontent>\n");
	put(h, "</div>\n</div>\n");
	if (noise) {
		put(h, "<publishtime>");
		if (o->published)
			attr(h, o->published);
		put(h, "</publishtime>\n<script type=\"text/javascript\">"
		       "$.get(\"/counter/hits?id=\"+location.pathname,"
		       "function(n){$(\"#hits\").html(n);});</script>\n"
		       "<div class=\"links\"><a href=\"/ycsrmzf/index.shtml\">"
		       "宜春市人民政府</a> <a href=\"http://10.36.1.20:8080/"
		       "cms/login.jsp\">网站管理</a></div>\n");
	}
	put(h, "<div class=\"footer\">主办：");
	attr(h, site);
	put(h,
	    "人民政府办公室 网站标识码：3609820001</div>\n</body>\n</html>\n");
}

/*
 * The charset name as declared in the page and as iconv knows it; NULL
 * iconv name for UTF-8.  Returns 0 or NB_EINVAL for any other charset.
 */
static int
charset_names(const char *cs, const char **decl, const char **conv)
{
	static const char *const known[][2] = {
	    {"GBK", "gbk"}, {"GB2312", "gb2312"}, {"GB18030", "gb18030"}};

	*decl = "utf-8";
	*conv = NULL;
	if (cs == NULL || strcasecmp(cs, "UTF-8") == 0 ||
	    strcasecmp(cs, "UTF8") == 0)
		return 0;
	for (size_t i = 0; i < NB_NELEM(known); i++) {
		if (strcasecmp(cs, known[i][0]) == 0) {
			*conv = known[i][0];
			*decl = known[i][1];
			return 0;
		}
	}
	return NB_EINVAL;
}

/* Length of the UTF-8 sequence at p (1 for a stray byte). */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	size_t k = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 1;

	return k <= n ? k : 1;
}

static unsigned long
utf8_cp(const unsigned char *p, size_t k)
{
	static const unsigned char lead[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
	unsigned long cp = p[0] & lead[k];

	for (size_t i = 1; i < k; i++)
		cp = (cp << 6) | (p[i] & 0x3f);
	return cp;
}

/*
 * Convert UTF-8 text to charset, appending to out; a character the charset
 * lacks becomes a numeric character reference, as browsers submit it.
 */
static int
convert(const char *in, size_t n, const char *charset, struct nb_buf *out)
{
	char chunk[4096], *ip = (char *)in, *op;
	size_t il = n, ol;
	iconv_t cd;
	int rc = 0;

	if ((cd = iconv_open(charset, "UTF-8")) == (iconv_t)-1)
		return NB_EINVAL;
	while (il > 0 && rc == 0) {
		size_t r;

		op = chunk;
		ol = sizeof(chunk);
		r = iconv(cd, &ip, &il, &op, &ol);
		if (op > chunk)
			rc = nb_buf_add(out, chunk, (size_t)(op - chunk));
		if (r != (size_t)-1 || rc != 0)
			continue;
		if (errno == E2BIG)
			continue;
		if (errno == EILSEQ || errno == EINVAL) {
			const unsigned char *u = (const unsigned char *)ip;
			size_t k = utf8_len(u, il);
			char ref[16];

			snprintf(ref, sizeof(ref), "&#x%lX;", utf8_cp(u, k));
			rc = nb_buf_adds(out, ref);
			ip += k;
			il -= k;
			continue;
		}
		rc = NB_EINVAL;
	}
	op = chunk;
	ol = sizeof(chunk);
	if (rc == 0 && iconv(cd, NULL, NULL, &op, &ol) != (size_t)-1 &&
	    op > chunk)
		rc = nb_buf_add(out, chunk, (size_t)(op - chunk));
	iconv_close(cd);
	return rc;
}

int
render_html(const json_t *rec, const struct render_opts *o, struct nb_buf *out)
{
	static const struct render_opts none;
	const char *decl, *conv;
	struct nb_buf tmp;
	struct rdoc d;
	struct hout h;
	size_t mark = out->len;
	int rc;

	if (o == NULL)
		o = &none;
	if ((rc = charset_names(o->charset, &decl, &conv)) != 0)
		return rc;
	if ((rc = rdoc_build(rec, o, &d)) != 0)
		return rc;
	nb_buf_init(&tmp, out->max - out->len);
	h.b = &tmp;
	h.d = &d;
	h.err = 0;
	if (o->page) {
		page(&h, o, decl);
	} else {
		/* a fragment in a legacy charset still says which */
		if (conv)
			putf(&h,
			     "<meta http-equiv=\"Content-Type\" "
			     "content=\"text/html; charset=%s\">\n",
			     decl);
		if (d.variant & RV_CHROME_NOISE)
			putf(&h, "<meta charset=\"%s\">\n<ucapcontent>\n",
			     decl);
		body(&h);
		if (d.variant & RV_CHROME_NOISE)
			put(&h, "</ucapcontent>\n");
	}
	rc = h.err;
	if (rc == 0 && conv != NULL)
		rc = convert(tmp.data, tmp.len, conv, out);
	else if (rc == 0)
		rc = nb_buf_add(out, tmp.data ? tmp.data : "", tmp.len);
	if (rc != 0 && out->len > mark) {
		out->len = mark;
		out->data[mark] = '\0';
	}
	nb_buf_free(&tmp);
	rdoc_free(&d);
	return rc;
}
