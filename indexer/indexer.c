/*
 * indexer.c - the context, format detection, and the two stages glued
 * into the crawler's one call.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"
#include "config.h"
#include "digest.h"
#include "internal.h"
#include "nbtime.h"
#include "pdf.h"

void
status_set(struct indexer_status *st, const char *fmt, ...)
{
	va_list ap;

	if (st == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(st->reason, sizeof(st->reason), fmt, ap);
	va_end(ap);
}

/* ---- context ---- */

static void
agency_free(struct ctx_agency *a)
{
	free(a->name);
	free(a->region);
	for (size_t i = 0; i < a->naliases; i++)
		free(a->aliases[i]);
	free(a->aliases);
}

void
indexer_ctx_free(struct indexer_ctx *ctx)
{
	if (ctx == NULL)
		return;
	for (size_t i = 0; i < ctx->nagencies; i++)
		agency_free(&ctx->agencies[i]);
	free(ctx->agencies);
	for (size_t i = 0; i < ctx->nsites; i++) {
		free(ctx->sites[i].id);
		free(ctx->sites[i].region);
	}
	free(ctx->sites);
	free(ctx->keys);
	free(ctx->regions);
	free(ctx);
}

/* A name as it is matched: blanks and full-width forms cleaned. */
static char *
clean_dup(const char *s)
{
	size_t n = strlen(s);
	char *p = malloc(n + 1);

	if (p != NULL)
		clean_text(s, n, p);
	return p;
}

static int build_index(struct indexer_ctx *ctx);

int
indexer_ctx_new(const struct nb_config *cfg, struct indexer_ctx **out)
{
	struct indexer_ctx *ctx = calloc(1, sizeof(*ctx));

	if (ctx == NULL)
		return NB_ENOMEM;
	if (cfg == NULL)
		goto done;
	if (cfg->nagencies > 0 &&
	    (ctx->agencies = calloc(cfg->nagencies, sizeof(*ctx->agencies))) ==
	        NULL)
		goto fail;
	for (size_t i = 0; i < cfg->nagencies; i++) {
		const struct nb_agency *a = &cfg->agencies[i];
		struct ctx_agency *c = &ctx->agencies[i];

		ctx->nagencies++;
		if ((c->name = clean_dup(a->name)) == NULL ||
		    (a->region && (c->region = clean_dup(a->region)) == NULL))
			goto fail;
		if (a->aliases.n > 0 &&
		    (c->aliases = calloc(a->aliases.n, sizeof(char *))) == NULL)
			goto fail;
		for (size_t k = 0; k < a->aliases.n; k++) {
			if ((c->aliases[k] = clean_dup(a->aliases.v[k])) ==
			    NULL)
				goto fail;
			c->naliases++;
		}
	}
	if (cfg->nsites > 0 &&
	    (ctx->sites = calloc(cfg->nsites, sizeof(*ctx->sites))) == NULL)
		goto fail;
	for (size_t i = 0; i < cfg->nsites; i++) {
		const struct nb_site *s = &cfg->sites[i];
		const char *region = s->region ? s->region
		                     : s->name ? s->name
		                               : s->id;

		ctx->nsites++;
		if ((ctx->sites[i].id = strdup(s->id)) == NULL ||
		    (ctx->sites[i].region = clean_dup(region)) == NULL)
			goto fail;
	}
	if (build_index(ctx) != 0)
		goto fail;
done:
	*out = ctx;
	return 0;
fail:
	indexer_ctx_free(ctx);
	return NB_ENOMEM;
}

const char *
ctx_hint_region(const struct indexer_ctx *ctx, const char *hint)
{
	if (hint == NULL || hint[0] == '\0')
		return NULL;
	for (size_t i = 0; i < ctx->nsites; i++)
		if (strcmp(ctx->sites[i].id, hint) == 0)
			return ctx->sites[i].region;
	return hint;
}

static int
starts(const char *s, const char *p)
{
	return p != NULL && strncmp(s, p, strlen(p)) == 0;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char *
ctx_region_prefix(const struct indexer_ctx *ctx, const char *name)
{
	size_t ends[32], n = 0, off = 0, len = strlen(name);

	if (ctx->nregions == 0)
		return NULL;
	/* every character boundary, then the longest known region first */
	while (off < len && n < NB_NELEM(ends)) {
		uint32_t cp;

		off += utf8_decode((const unsigned char *)name + off, len - off,
		                   &cp);
		ends[n++] = off;
	}
	while (n-- > 0) {
		char prefix[128];
		const char *key = prefix, **hit;

		if (ends[n] >= sizeof(prefix))
			continue;
		memcpy(prefix, name, ends[n]);
		prefix[ends[n]] = '\0';
		hit = bsearch(&key, ctx->regions, ctx->nregions,
		              sizeof(*ctx->regions), str_cmp);
		if (hit != NULL)
			return *hit;
	}
	return NULL;
}

/*
 * A county-level area at the start of a name when no config knows it:
 * two to four characters and 市, 县 or 区 ("樟树市", "铅山县").
 */
static size_t
county_prefix(const char *name)
{
	static const char *const ends[] = {"市", "县", "区"};

	for (size_t chars = 2; chars <= 4; chars++) {
		size_t off = 0;

		for (size_t k = 0; k < chars; k++) {
			uint32_t cp;
			size_t l =
			    utf8_decode((const unsigned char *)name + off,
			                strlen(name + off), &cp);

			if (cp < 0x4E00 || cp > 0x9FFF)
				return 0;
			off += l;
		}
		for (size_t e = 0; e < NB_NELEM(ends); e++)
			if (strncmp(name + off, ends[e], 3) == 0)
				return off + 3;
	}
	return 0;
}

static int
key_cmp(const void *a, const void *b)
{
	const struct ctx_key *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	/* canonical names before aliases of the same spelling */
	return c != 0 ? c : (int)y->is_name - (int)x->is_name;
}

/* The sorted indexes: every name and alias, every known region. */
static int
build_index(struct indexer_ctx *ctx)
{
	size_t nk = 0, nr = 0;

	for (size_t i = 0; i < ctx->nagencies; i++)
		nk += 1 + ctx->agencies[i].naliases;
	if (nk > 0 && (ctx->keys = calloc(nk, sizeof(*ctx->keys))) == NULL)
		return NB_ENOMEM;
	if ((ctx->regions = calloc(ctx->nagencies + ctx->nsites + 1,
	                           sizeof(*ctx->regions))) == NULL)
		return NB_ENOMEM;
	for (size_t i = 0; i < ctx->nagencies; i++)
		if (ctx->agencies[i].region != NULL)
			ctx->regions[nr++] = ctx->agencies[i].region;
	for (size_t i = 0; i < ctx->nsites; i++)
		ctx->regions[nr++] = ctx->sites[i].region;
	qsort(ctx->regions, nr, sizeof(*ctx->regions), str_cmp);
	ctx->nregions = 0;
	for (size_t i = 0; i < nr; i++)
		if (ctx->nregions == 0 ||
		    strcmp(ctx->regions[ctx->nregions - 1], ctx->regions[i]))
			ctx->regions[ctx->nregions++] = ctx->regions[i];
	for (size_t i = 0; i < ctx->nagencies; i++) {
		const struct ctx_agency *a = &ctx->agencies[i];

		ctx->keys[ctx->nkeys++] = (struct ctx_key){a->name, i, 1, 1};
		for (size_t k = 0; k < a->naliases; k++) {
			const char *al = a->aliases[k];

			ctx->keys[ctx->nkeys++] = (struct ctx_key){
			    al, i, 0,
			    ctx_region_prefix(ctx, al) != NULL ||
			        county_prefix(al) > 0};
		}
	}
	if (ctx->nkeys > 0) /* keys is NULL without agencies */
		qsort(ctx->keys, ctx->nkeys, sizeof(*ctx->keys), key_cmp);
	return 0;
}

/* The agency whose name or alias is w, resolved within region. */
static const struct ctx_agency *
lookup(const struct indexer_ctx *ctx, const char *w, const char *region)
{
	const struct ctx_agency *best = NULL;
	size_t lo = 0, hi = ctx->nkeys;

	/* the first key not below w */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ctx->keys[mid].key, w) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < ctx->nkeys && !strcmp(ctx->keys[i].key, w);
	     i++) {
		const struct ctx_key *k = &ctx->keys[i];
		const struct ctx_agency *a = &ctx->agencies[k->agency];

		if (k->is_name)
			return a;
		if (region && a->region && strcmp(region, a->region))
			continue;
		/* 市政府 means nothing outside a known region */
		if (!k->named && (region == NULL || a->region == NULL))
			continue;
		if (best == NULL || (region && a->region))
			best = a;
	}
	return best;
}

/*
 * Normalise an agency name as written; out gets the canonical name (from
 * the config when it knows the agency, else by the naming rules), *region
 * the area (borrowed from ctx or pointing into out or hint; copy it).
 */
static void
agency_resolve(const struct indexer_ctx *ctx, const char *written,
               const char *hint_region, char *out, size_t outlen, char *region,
               size_t regionlen)
{
	char *w = clean_dup(written);
	const struct ctx_agency *a;
	const char *r;
	size_t n, cp;

	out[0] = region[0] = '\0';
	if (w == NULL || w[0] == '\0') {
		free(w);
		return;
	}
	r = ctx_region_prefix(ctx, w);
	if (r == NULL && (cp = county_prefix(w)) > 0 && cp < regionlen) {
		memcpy(region, w, cp);
		region[cp] = '\0';
		r = region;
	}
	if (r == NULL)
		r = hint_region;
	if (r != NULL && r != region)
		snprintf(region, regionlen, "%s", r);
	a = lookup(ctx, w, region[0] ? region : NULL);
	if (a == NULL && region[0] && !starts(w, region)) {
		/* "市机关事务管理局" in 樟树市: "樟树市机关事务管理局" */
		char full[512];
		size_t rl = strlen(region);

		if (rl >= 3 && strncmp(w, region + rl - 3, 3) == 0)
			snprintf(full, sizeof(full), "%s%s", region, w + 3);
		else
			snprintf(full, sizeof(full), "%s%s", region, w);
		a = lookup(ctx, full, region);
		if (a == NULL &&
		    (rl >= 3 && strncmp(w, region + rl - 3, 3) == 0))
			snprintf(out, outlen, "%s", full);
	}
	if (a != NULL) {
		snprintf(out, outlen, "%s", a->name);
		if (a->region)
			snprintf(region, regionlen, "%s", a->region);
		free(w);
		return;
	}
	if (out[0] == '\0')
		snprintf(out, outlen, "%s", w);
	free(w);
	/*
	 * naming rules: a bare county or township is its government, a bare
	 * sub-district (街道) its office, so that "X乡" and "X乡人民政府",
	 * "X街道" and "X街道办事处" are one agency
	 */
	n = strlen(out);
	if (region[0] && starts(out, region) && n >= 9 &&
	    strcmp(out + n - 9, "人民政府") != 0 &&
	    strcmp(out + n - 6, "政府") == 0 && n - 6 + 12 < outlen) {
		strcpy(out + n - 6, "人民政府");
	} else if (n >= 3 && n + 12 < outlen &&
	           (strcmp(out, region) == 0 ||
	            strcmp(out + n - 3, "乡") == 0 ||
	            strcmp(out + n - 3, "镇") == 0)) {
		strcat(out, "人民政府");
	} else if (n >= 6 && n + 9 < outlen &&
	           strcmp(out + n - 6, "街道") == 0) {
		strcat(out, "办事处");
	}
}

const char *
indexer_agency_normalise(const struct indexer_ctx *ctx, const char *name,
                         const char *region, const char **regionp)
{
	char *w = clean_dup(name);
	const struct ctx_agency *a;
	const char *r;

	if (w == NULL)
		return NULL;
	r = ctx_region_prefix(ctx, w);
	a = lookup(ctx, w, r ? r : region);
	free(w);
	if (a != NULL && regionp != NULL)
		*regionp = a->region;
	return a ? a->name : NULL;
}

/* ---- formats ---- */

const char *
indexer_format_name(enum indexer_format f)
{
	static const char *const names[] = {"unknown", "text",  "html",
	                                    "docx",    "pdf",   "doc",
	                                    "zip",     "image", "binary"};

	return (size_t)f < NB_NELEM(names) ? names[f] : "unknown";
}

static int
has_ci(const char *s, size_t n, const char *w)
{
	size_t l = strlen(w);

	for (size_t i = 0; i + l <= n; i++)
		if (strncasecmp(s + i, w, l) == 0)
			return 1;
	return 0;
}

static int
magic(const unsigned char *u, size_t n, const char *m, size_t ml)
{
	return n >= ml && memcmp(u, m, ml) == 0;
}

enum indexer_format
indexer_format_detect(const void *data, size_t len)
{
	const unsigned char *u = data;
	const char *s = data;
	size_t head = len < 4096 ? len : 4096, i = 0;

	if (len == 0)
		return INDEXER_FMT_UNKNOWN;
	if (magic(u, len, "PK\x03\x04", 4) || magic(u, len, "PK\x05\x06", 4))
		return memmem(data, len, "word/document.xml", 17)
		           ? INDEXER_FMT_DOCX
		           : INDEXER_FMT_ZIP;
	if (memmem(data, len < 1024 ? len : 1024, "%PDF-", 5))
		return INDEXER_FMT_PDF;
	if (magic(u, len, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
		return INDEXER_FMT_DOC;
	if (magic(u, len, "\xFF\xD8\xFF", 3) ||
	    magic(u, len, "\x89PNG\r\n\x1A\n", 8) ||
	    magic(u, len, "GIF87a", 6) || magic(u, len, "GIF89a", 6) ||
	    magic(u, len, "II*\0", 4) || magic(u, len, "MM\0*", 4) ||
	    (len > 12 && magic(u, len, "RIFF", 4) &&
	     memcmp(u + 8, "WEBP", 4) == 0) ||
	    (len > 26 && magic(u, len, "BM", 2) && u[14] >= 12 && u[15] == 0 &&
	     u[16] == 0 && u[17] == 0))
		return INDEXER_FMT_IMAGE;
	if (!magic(u, len, "\xFF\xFE", 2) && !magic(u, len, "\xFE\xFF", 2) &&
	    memchr(data, '\0', head) != NULL)
		return INDEXER_FMT_BINARY;
	if (magic(u, len, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < head && isspace(u[i]))
		i++;
	if (i < head && s[i] == '<' &&
	    (has_ci(s, head, "<html") || has_ci(s, head, "<!doctype html") ||
	     has_ci(s, head, "<head") || has_ci(s, head, "<body") ||
	     has_ci(s, head, "<meta") || has_ci(s, head, "<table") ||
	     has_ci(s, head, "<div") || has_ci(s, head, "<p")))
		return INDEXER_FMT_HTML;
	if (has_ci(s, head, "<html") || has_ci(s, head, "<body") ||
	    has_ci(s, head, "<table"))
		return INDEXER_FMT_HTML;
	for (size_t k = 0; k + 1 < len; k++)
		if (s[k] == '\n' && s[k + 1] == '\t')
			return INDEXER_FMT_TEXT;
	return len > 0 && s[0] == '\t' ? INDEXER_FMT_TEXT : INDEXER_FMT_UNKNOWN;
}

static const char *
unparsed_reason(enum indexer_format f, const unsigned char *u, size_t len)
{
	switch (f) {
	case INDEXER_FMT_PDF:
		return "unparsed: PDF";
	case INDEXER_FMT_DOC:
		return "unparsed: .doc/.wps (OLE compound file)";
	case INDEXER_FMT_ZIP:
		return "unparsed: zip archive that is not a Word document";
	case INDEXER_FMT_IMAGE:
		if (magic(u, len, "\xFF\xD8\xFF", 3))
			return "unparsed: image (JPEG)";
		if (magic(u, len, "\x89PNG", 4))
			return "unparsed: image (PNG)";
		if (magic(u, len, "GIF8", 4))
			return "unparsed: image (GIF)";
		return "unparsed: image";
	default:
		if (magic(u, len, "{\\rtf", 5))
			return "unparsed: RTF";
		return "unparsed: binary data of unknown type";
	}
}

int
indexer_doc_read(const struct indexer_input *in, struct indexer_doc **out,
                 struct indexer_status *st)
{
	struct indexer_doc *doc = NULL;
	enum indexer_format f;
	int rc;

	if (in == NULL || (in->data == NULL && in->len > 0))
		return NB_EINVAL;
	if (st != NULL) {
		st->format = INDEXER_FMT_UNKNOWN;
		st->reason[0] = '\0';
	}
	if (in->len > INDEXER_MAX_INPUT) {
		status_set(st,
		           "unparsed: document of %zu bytes over the size "
		           "limit",
		           in->len);
		return NB_ETOOBIG;
	}
	f = indexer_format_detect(in->data, in->len);
	if (st != NULL)
		st->format = f;
	switch (f) {
	case INDEXER_FMT_DOC:
	case INDEXER_FMT_ZIP:
	case INDEXER_FMT_IMAGE:
	case INDEXER_FMT_BINARY:
		status_set(st, "%s", unparsed_reason(f, in->data, in->len));
		return NB_EUNPARSED;
	default:
		break;
	}
	if ((rc = indexer_doc_new(&doc)) != 0)
		return rc;
	if (f == INDEXER_FMT_HTML) {
		rc = read_html(in->data, in->len, in->content_type, doc, st);
	} else if (f == INDEXER_FMT_DOCX) {
		rc = read_docx(in->data, in->len, doc, st);
	} else if (f == INDEXER_FMT_PDF) {
		rc = read_pdf(in->data, in->len, doc, st);
	} else {
		char cs[40], *text = NULL;
		size_t n;

		charset_detect(in->content_type, in->data, in->len, cs,
		               sizeof(cs));
		rc = charset_to_utf8(cs, in->data, in->len, INDEXER_MAX_TEXT,
		                     &text, &n);
		if (rc == NB_EINVAL)
			rc = charset_to_utf8("UTF-8", in->data, in->len,
			                     INDEXER_MAX_TEXT, &text, &n);
		if (rc == 0)
			rc = read_text(text, n, doc);
		free(text);
	}
	if (rc == NB_ETOOBIG && st != NULL && st->reason[0] == '\0')
		status_set(st, "unparsed: %s document over the size limit",
		           indexer_format_name(f));
	if (rc != 0) {
		indexer_doc_free(doc);
		return rc;
	}
	*out = doc;
	return 0;
}

/* ---- the record ---- */

/* The year a report is about when its title does not say. */
static int
year_fallback(const struct indexer_doc *doc, const char *published,
              const char **how)
{
	const char *pub = published ? published : doc->meta[META_PUBDATE];
	size_t limit = doc->nparas < 20 ? doc->nparas : 20;

	for (size_t i = 0; i < limit; i++) {
		size_t l = strlen(doc->paras[i]);
		char *c = malloc(l + 1);
		int y;

		if (c == NULL)
			return 0;
		clean_text(doc->paras[i], l, c);
		y = title_find_year(c, NULL, NULL);
		free(c);
		if (y != 0) {
			*how = "the opening paragraphs";
			return y;
		}
	}
	if (pub != NULL) {
		/* a cut character comes back as U+FFFD, 3 bytes a byte */
		char c[3 * 60 + 1];
		int y = 0, k;

		clean_text(pub, strnlen(pub, 60), c);
		for (k = 0; k < 4 && c[k] >= '0' && c[k] <= '9'; k++)
			y = y * 10 + (c[k] - '0');
		if (k == 4 && y > 1990 && y <= 2101) {
			*how = "the publication date";
			return y - 1;
		}
	}
	return 0;
}

int
indexer_doc_record(const struct indexer_ctx *ctx, const struct indexer_doc *doc,
                   const struct indexer_match_opts *opts, json_t **out,
                   struct indexer_status *st)
{
	struct match_out mo;
	struct title_info ti;
	char agency[512], region[256];
	const char *force = opts ? opts->template : NULL;
	const char *hint = ctx_hint_region(ctx, opts ? opts->hint : NULL);
	json_t *rec, *checks;
	int rc, year;

	if (force != NULL && strcmp(force, "2019") != 0 &&
	    strcmp(force, "2021") != 0)
		return NB_EINVAL;
	if ((rc = match_doc(doc, force, &mo)) != 0)
		return rc;
	if (!mo.found) {
		title_extract(doc, &ti);
		if (doc->nimages > 0 && ti.title[0] != '\0')
			status_set(st,
			           "unparsed: image-only report (%zu "
			           "images, no tables)",
			           doc->nimages);
		else
			status_set(st, "not a report: no disclosure tables");
		rc = doc->nimages > 0 && ti.title[0] ? NB_EUNPARSED
		                                     : NB_ENOTREPORT;
		goto fail;
	}
	title_extract(doc, &ti);
	/* the title's words first, then the page's, then the body's */
	if (ti.agency[0] == '\0' && doc->meta[META_SOURCE] != NULL)
		snprintf(ti.agency, sizeof(ti.agency), "%s",
		         doc->meta[META_SOURCE]);
	if (ti.agency[0] == '\0')
		title_agency_from_body(doc, ti.agency, sizeof(ti.agency));
	agency_resolve(ctx, ti.agency, hint, agency, sizeof(agency), region,
	               sizeof(region));
	year = ti.year;
	if (year == 0) {
		const char *how = NULL;

		year = year_fallback(doc, opts ? opts->published : NULL, &how);
		if (year != 0 &&
		    json_array_append_new(
		        mo.warnings,
		        json_sprintf("year: not in the title, taken from %s",
		                     how)) != 0)
			goto oom;
	}
	if (year == 0 && json_array_append_new(
	                     mo.warnings, json_string("year: not found")) != 0)
		goto oom;
	if (agency[0] == '\0' &&
	    json_array_append_new(mo.warnings,
	                          json_string("agency: not found")) != 0)
		goto oom;
	rec = json_object();
	if (rec == NULL)
		goto oom;
	if (agency[0])
		json_object_set_new(rec, "agency", json_string(agency));
	if (region[0])
		json_object_set_new(rec, "region", json_string(region));
	if (year)
		json_object_set_new(rec, "year", json_integer(year));
	json_object_set_new(rec, "template", json_string(mo.template));
	if (ti.title[0])
		json_object_set_new(rec, "title", json_string(ti.title));
	if (mo.active)
		json_object_set_new(rec, "active", mo.active);
	if (mo.requests)
		json_object_set_new(rec, "requests", mo.requests);
	if (mo.appeals)
		json_object_set_new(rec, "appeals", mo.appeals);
	mo.active = mo.requests = mo.appeals = NULL;
	if ((checks = indexer_checks(rec)) == NULL) {
		json_decref(rec);
		goto oom;
	}
	json_object_set_new(rec, "checks", checks);
	json_object_set_new(rec, "warnings", mo.warnings);
	*out = rec;
	return 0;
oom:
	rc = NB_ENOMEM;
fail:
	json_decref(mo.active);
	json_decref(mo.requests);
	json_decref(mo.appeals);
	json_decref(mo.warnings);
	return rc;
}

/* ---- the crawler's call ---- */

static const char *
media_type(const char *ct, enum indexer_format f, char *buf, size_t len)
{
	static const char *const types[] = {
	    "text/plain",
	    "text/plain",
	    "text/html",
	    ("application/vnd.openxmlformats-officedocument."
	     "wordprocessingml.document"),
	    "application/pdf",
	    "application/msword",
	    "application/zip",
	    "image/*",
	    "application/octet-stream"};
	size_t n = 0;

	if (ct != NULL) {
		while (isspace((unsigned char)*ct))
			ct++;
		while (ct[n] && ct[n] != ';' &&
		       !isspace((unsigned char)ct[n]) && n + 1 < len) {
			buf[n] = tolower((unsigned char)ct[n]);
			n++;
		}
		buf[n] = '\0';
		if (n > 0)
			return buf;
	}
	return (size_t)f < NB_NELEM(types) ? types[f] : types[0];
}

/*
 * The publication date: the one beside the link, else the page's PubDate
 * ("2022-01-20 09:30:00" -> "2022-01-20" in buf; other forms are not
 * guessed at).  NULL when there is none.
 */
static const char *
published_of(const struct indexer_input *in, const struct indexer_doc *doc,
             char buf[11])
{
	const char *m = doc != NULL ? doc->meta[META_PUBDATE] : NULL;

	if (in->published != NULL)
		return in->published;
	if (m == NULL)
		return NULL;
	while (*m == ' ')
		m++;
	if (strspn(m, "0123456789") != 4 || m[4] != '-' ||
	    strspn(m + 5, "0123456789") != 2 || m[7] != '-' ||
	    strspn(m + 8, "0123456789") != 2)
		return NULL;
	snprintf(buf, 11, "%.10s", m);
	return buf;
}

static json_t *
source_object(const struct indexer_input *in, const char *published,
              enum indexer_format f)
{
	uint8_t dig[NB_SHA1_LEN];
	char b32[NB_SHA1_B32_LEN + 1], ts[32], mt[128];
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (in->url)
		json_object_set_new(o, "url", json_string(in->url));
	if (published != NULL)
		json_object_set_new(o, "published", json_string(published));
	if (in->fetched_ms > 0)
		json_object_set_new(
		    o, "fetched",
		    json_string(nb_time_iso(in->fetched_ms, ts, sizeof(ts))));
	json_object_set_new(
	    o, "content_type",
	    json_string(media_type(in->content_type, f, mt, sizeof(mt))));
	nb_sha1(in->data, in->len, dig);
	nb_sha1_b32(dig, b32);
	json_object_set_new(o, "sha1", json_string(b32));
	return o;
}

/*
 * What an unreadable report still tells: its own title (an image-only
 * page has one, and meta tags), else the link's, through the same agency
 * rules as a record.
 */
static void
unparsed_identify(const struct indexer_ctx *ctx, const struct indexer_input *in,
                  const struct indexer_doc *doc, struct indexer_status *st)
{
	struct title_info ti, li;
	const char *pub;
	char buf[11];

	memset(&ti, 0, sizeof(ti));
	memset(&li, 0, sizeof(li));
	if (doc != NULL) {
		title_extract(doc, &ti);
		if (ti.agency[0] == '\0' && doc->meta[META_SOURCE] != NULL)
			snprintf(ti.agency, sizeof(ti.agency), "%s",
			         doc->meta[META_SOURCE]);
	}
	if (in->link_title != NULL)
		title_from_text(in->link_title, &li);
	if (ti.title[0] == '\0')
		memcpy(ti.title, li.title, sizeof(ti.title));
	if (ti.year == 0)
		ti.year = li.year;
	if (ti.agency[0] == '\0')
		memcpy(ti.agency, li.agency, sizeof(ti.agency));
	agency_resolve(ctx, ti.agency, ctx_hint_region(ctx, in->hint),
	               st->agency, sizeof(st->agency), st->region,
	               sizeof(st->region));
	st->year = ti.year;
	snprintf(st->title, sizeof(st->title), "%s", ti.title);
	pub = published_of(in, doc, buf);
	snprintf(st->published, sizeof(st->published), "%s", pub ? pub : "");
}

int
indexer_unparsed_record(const struct indexer_input *in,
                        const struct indexer_status *st, json_t **out)
{
	static const char prefix[] = "unparsed: ";
	const char *why;
	json_t *rec, *src = NULL;

	if (in == NULL || st == NULL || out == NULL)
		return NB_EINVAL;
	if (st->agency[0] == '\0' || st->year == 0)
		return NB_ENOTFOUND;
	why = strncmp(st->reason, prefix, sizeof(prefix) - 1) == 0
	          ? st->reason + sizeof(prefix) - 1
	          : st->reason;
	if ((in->url != NULL || in->fetched_ms > 0) &&
	    (src = source_object(in, st->published[0] ? st->published : NULL,
	                         st->format)) == NULL)
		return NB_ENOMEM;
	if ((rec = json_object()) == NULL) {
		json_decref(src);
		return NB_ENOMEM;
	}
	if (json_object_set_new(rec, "agency", json_string(st->agency)) ||
	    (st->region[0] &&
	     json_object_set_new(rec, "region", json_string(st->region))) ||
	    json_object_set_new(rec, "year", json_integer(st->year)) ||
	    json_object_set_new(rec, "template", json_string("unknown")) ||
	    (st->title[0] &&
	     json_object_set_new(rec, "title", json_string(st->title))) ||
	    (src != NULL && json_object_set_new(rec, "source", src)) ||
	    json_object_set_new(rec, "unparsed", json_string(why)) ||
	    json_object_set_new(rec, "checks", json_array()) ||
	    json_object_set_new(rec, "warnings",
	                        json_pack("[s]", st->reason))) {
		json_decref(rec);
		return NB_ENOMEM;
	}
	*out = rec;
	return 0;
}

int
indexer_parse(const struct indexer_ctx *ctx, const struct indexer_input *in,
              json_t **rec, struct indexer_status *st)
{
	struct indexer_status local;
	struct indexer_match_opts mo;
	struct indexer_doc *doc = NULL;
	json_t *r = NULL, *src, *out;
	char date[11];
	const char *key;
	json_t *v;
	int rc;

	if (st == NULL)
		st = &local;
	memset(st, 0, sizeof(*st));
	if (ctx == NULL || in == NULL || rec == NULL ||
	    (in->data == NULL && in->len > 0))
		return NB_EINVAL;
	if ((rc = indexer_doc_read(in, &doc, st)) != 0) {
		if (rc == NB_EUNPARSED || rc == NB_ETOOBIG)
			unparsed_identify(ctx, in, NULL, st);
		return rc;
	}
	mo.template = in->template;
	mo.hint = in->hint;
	mo.published = in->published;
	rc = indexer_doc_record(ctx, doc, &mo, &r, st);
	if (rc == NB_EUNPARSED)
		unparsed_identify(ctx, in, doc, st);
	if (rc != 0)
		goto done;
	if (in->url == NULL && in->fetched_ms == 0) {
		*rec = r;
		goto done;
	}
	/* "source" goes after "title", as the schema orders the keys */
	src = source_object(in, published_of(in, doc, date), st->format);
	out = json_object();
	if (src == NULL || out == NULL) {
		json_decref(src);
		json_decref(out);
		json_decref(r);
		rc = NB_ENOMEM;
		goto done;
	}
	json_object_foreach(r, key, v)
	{
		if (strcmp(key, "active") == 0 ||
		    strcmp(key, "requests") == 0 ||
		    strcmp(key, "appeals") == 0 || strcmp(key, "checks") == 0) {
			if (src != NULL)
				json_object_set_new(out, "source", src);
			src = NULL;
		}
		json_object_set(out, key, v);
	}
	if (src != NULL)
		json_object_set_new(out, "source", src);
	json_decref(r);
	*rec = out;
done:
	indexer_doc_free(doc);
	return rc;
}
