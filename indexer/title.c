/*
 * title.c - title, agency (as written) and year of a report.
 *
 * Sources, best first: the page's ArticleTitle meta when it names an
 * agency and a year; the first short paragraphs that say 报告/年报 (a
 * title broken over two or three lines is joined back); the HTML <title>.
 * The year comes from the title, else from the opening paragraphs, else
 * from the publication date (a report is published the year after).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#define TITLE_PARA_MAX 150 /* cleaned bytes: a longer paragraph is prose */
#define TITLE_LOOK     64  /* opening paragraphs searched */

static int
cjk_digit(const char *s)
{
	static const char *const d[] = {"〇", "一", "二", "三", "四",
	                                "五", "六", "七", "八", "九"};

	if (strncmp(s, "零", 3) == 0)
		return 0;
	for (int i = 0; i < 10; i++)
		if (strncmp(s, d[i], 3) == 0)
			return i;
	/* 'O' and the circle often stand in for 〇 */
	if (strncmp(s, "○", 3) == 0 || strncmp(s, "Ｏ", 3) == 0)
		return 0;
	return -1;
}

int
title_find_year(const char *s, size_t *pos, size_t *end)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++) {
		int y = 0, k;
		size_t j = i;

		if (s[i] >= '0' && s[i] <= '9') {
			if (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
				continue;
			for (k = 0; k < 4 && s[j] >= '0' && s[j] <= '9'; k++)
				y = y * 10 + (s[j++] - '0');
			if (k != 4 || (s[j] >= '0' && s[j] <= '9'))
				continue;
		} else {
			int d;

			for (k = 0; k < 4 && (d = cjk_digit(s + j)) >= 0; k++) {
				y = y * 10 + d;
				j += 3;
			}
			if (k != 4)
				continue;
		}
		if (strncmp(s + j, "年", 3) != 0 || y < 1990 || y > 2100)
			continue;
		if (pos)
			*pos = i;
		if (end)
			*end = j + 3;
		return y;
	}
	return 0;
}

static int
is_title_like(const char *c)
{
	return (strstr(c, "报告") != NULL || strstr(c, "年报") != NULL) &&
	       strncmp(c, "本报告", 9) != 0 && strchr(c, '>') == NULL;
}

static int
has_sentence_punct(const char *c)
{
	return strstr(c, "。") || strstr(c, "，") || strchr(c, ',') ||
	       strstr(c, "；") || strchr(c, ';') || strchr(c, ':') ||
	       strchr(c, '>');
}

/* The agency as written: the title's text before its year. */
static void
agency_from_title(struct title_info *ti)
{
	size_t pos, end, n;
	const char *t = ti->title;

	ti->agency[0] = '\0';
	ti->year = title_find_year(t, &pos, &end);
	if (ti->year == 0)
		return;
	if (strncmp(t, "关于", 6) == 0) {
		t += 6;
		pos -= 6;
	}
	n = pos;
	if (n >= 6 && strncmp(t + n - 6, "关于", 6) == 0)
		n -= 6;
	if (n >= sizeof(ti->agency))
		return;
	memcpy(ti->agency, t, n);
	ti->agency[n] = '\0';
}

static void
set_title(struct title_info *ti, const char *clean)
{
	size_t n = strlen(clean);

	if (n >= sizeof(ti->title))
		n = sizeof(ti->title) - 1;
	while (n > 0 && ((unsigned char)clean[n] & 0xC0) == 0x80)
		n--;
	memcpy(ti->title, clean, n);
	ti->title[n] = '\0';
	agency_from_title(ti);
}

/* Could a line be the first half of a broken title? */
static int
title_head(const char *c)
{
	static const char *const suffix[] = {
	    "政府",   "办公室", "局", "委员会", "委", "办", "乡", "镇", "街道",
	    "办事处", "中心",   "院", "所",     "队", "会", "站", "部", "处",
	    "厅",     "室",     "馆", "社",     "团", "市", "县", "区"};
	size_t n = strlen(c);

	if (has_sentence_punct(c) || strstr(c, "报告") != NULL)
		return 0;
	if (title_find_year(c, NULL, NULL) != 0)
		return 1;
	for (size_t i = 0; i < NB_NELEM(suffix); i++) {
		size_t l = strlen(suffix[i]);

		if (n >= l && strcmp(c + n - l, suffix[i]) == 0)
			return 1;
	}
	return 0;
}

/* Title from the opening paragraphs, rejoined when broken; 1 if found. */
static int
title_from_paras(const struct indexer_doc *doc, struct title_info *ti,
                 int need_year)
{
	char(*c)[TITLE_PARA_MAX + 1];
	char buf[4 * TITLE_PARA_MAX + 1];
	size_t nc = 0;
	int found = 0;

	c = malloc(TITLE_LOOK * sizeof(*c));
	if (c == NULL)
		return 0;
	for (size_t i = 0; i < doc->nparas && nc < TITLE_LOOK; i++) {
		const char *p = doc->paras[i];
		size_t l = strlen(p);

		/* the first prose paragraph ends the search */
		if (l > 4 * TITLE_PARA_MAX)
			break;
		if (clean_text(p, l, buf) == 0)
			continue;
		if (strlen(buf) > TITLE_PARA_MAX)
			break;
		strcpy(c[nc++], buf);
	}
	for (size_t i = 0; i < nc && !found; i++) {
		char join[3 * TITLE_PARA_MAX + 1];
		size_t pos;
		int y;

		if (!is_title_like(c[i]))
			continue;
		join[0] = '\0';
		y = title_find_year(c[i], &pos, NULL);
		/* a title without its year or agency lost its first line(s) */
		if (y == 0 || pos == 0) {
			size_t b = i;

			while (b > 0 && i - b < 2 && title_head(c[b - 1]))
				b--;
			for (; b < i; b++)
				strcat(join, c[b]);
		}
		strcat(join, c[i]);
		if (strstr(join, "公开") == NULL &&
		    strstr(join, "年报") == NULL)
			continue;
		if (need_year && title_find_year(join, NULL, NULL) == 0)
			continue;
		set_title(ti, join);
		found = 1;
	}
	free(c);
	return found;
}

static void
clean_meta(const char *s, char *out, size_t outlen)
{
	size_t l = strlen(s);
	char *buf;

	out[0] = '\0';
	if (l >= outlen)
		return;
	buf = malloc(l + 1);
	if (buf == NULL)
		return;
	clean_text(s, l, buf);
	strcpy(out, buf);
	free(buf);
}

void
title_extract(const struct indexer_doc *doc, struct title_info *ti)
{
	char meta[512];

	memset(ti, 0, sizeof(*ti));
	if (doc->meta[META_ARTICLE_TITLE] != NULL) {
		clean_meta(doc->meta[META_ARTICLE_TITLE], meta, sizeof(meta));
		if (meta[0] != '\0') {
			set_title(ti, meta);
			if (ti->year != 0 && ti->agency[0] != '\0')
				return;
		}
	}
	if (title_from_paras(doc, ti, 1) || title_from_paras(doc, ti, 0))
		return;
	if (ti->title[0] != '\0')
		return;
	if (doc->meta[META_TITLE] != NULL) {
		char *cut;

		clean_meta(doc->meta[META_TITLE], meta, sizeof(meta));
		/* "report title - site name" */
		if ((cut = strstr(meta, "-")) != NULL ||
		    (cut = strstr(meta, "_")) != NULL ||
		    (cut = strstr(meta, "|")) != NULL)
			*cut = '\0';
		if (meta[0] != '\0')
			set_title(ti, meta);
	}
}

void
title_from_text(const char *text, struct title_info *ti)
{
	static const char *const ext[] = {
	    ".pdf",  ".doc", ".docx", ".wps",  ".ofd", ".png", ".jpg",
	    ".jpeg", ".gif", ".tif",  ".tiff", ".bmp", ".zip", ".rar"};
	size_t l = strlen(text), n;
	char *c = malloc(l + 1);

	memset(ti, 0, sizeof(*ti));
	if (c == NULL)
		return;
	n = clean_text(text, l, c);
	for (size_t i = 0; i < NB_NELEM(ext); i++) {
		size_t el = strlen(ext[i]);

		if (n > el && strcasecmp(c + n - el, ext[i]) == 0) {
			c[n - el] = '\0';
			break;
		}
	}
	if (c[0] != '\0')
		set_title(ti, c);
	free(c);
}

void
title_agency_from_body(const struct indexer_doc *doc, char *out, size_t outlen)
{
	size_t limit = doc->nparas < 10 ? doc->nparas : 10;

	out[0] = '\0';
	for (size_t i = 0; i < limit; i++) {
		size_t l = strlen(doc->paras[i]);
		char *c = malloc(l + 1), *by, *end;

		if (c == NULL)
			return;
		clean_text(doc->paras[i], l, c);
		/* "……要求，由樟树市人民政府办公室编制。" */
		by = strstr(c, "由");
		end = by ? strstr(by, "编制") : NULL;
		if (by != NULL && end != NULL && end - by > 3 + 6 &&
		    end - by < 3 + 90 && (size_t)(end - by - 3) < outlen) {
			*end = '\0';
			if (!has_sentence_punct(by + 3) &&
			    strchr(by + 3, '(') == NULL) {
				strcpy(out, by + 3);
				free(c);
				return;
			}
		}
		free(c);
	}
}
