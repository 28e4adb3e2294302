/*
 * clean.c - UTF-8 helpers, cell cleaning and number reading.
 *
 * Everything the matcher compares goes through clean_text first, so the
 * variants real documents carry (spaces inside labels, full-width forms,
 * Word artefacts) meet one spelling.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c, min;
	size_t len;

	if (n == 0) {
		*cp = 0xFFFD;
		return 1;
	}
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		c &= 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		c &= 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	if (n < len) {
		*cp = 0xFFFD;
		return 1;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		*cp = 0xFFFD;
		return 1;
	}
	*cp = c;
	return len;
}

size_t
utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = 0xC0 | (cp >> 6);
		o[1] = 0x80 | (cp & 0x3F);
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = 0xE0 | (cp >> 12);
		o[1] = 0x80 | ((cp >> 6) & 0x3F);
		o[2] = 0x80 | (cp & 0x3F);
		return 3;
	}
	o[0] = 0xF0 | (cp >> 18);
	o[1] = 0x80 | ((cp >> 12) & 0x3F);
	o[2] = 0x80 | ((cp >> 6) & 0x3F);
	o[3] = 0x80 | (cp & 0x3F);
	return 4;
}

size_t
utf8_valid_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t l;

		if (s[i] < 0x80) {
			i++;
			continue;
		}
		l = utf8_decode(s + i, n - i, &cp);
		if (cp == 0xFFFD && l == 1)
			return i;
		i += l;
	}
	return n;
}

static int
is_blank_cp(uint32_t cp)
{
	switch (cp) {
	case ' ':
	case '\t':
	case '\n':
	case '\r':
	case '\f':
	case '\v':
	case 0x00A0: /* NBSP, &nbsp; */
	case 0x1680:
	case 0x2028:
	case 0x2029:
	case 0x202F:
	case 0x205F:
	case 0x2060:
	case 0x3000: /* ideographic space */
	case 0xFEFF: /* BOM / zero-width no-break space */
		return 1;
	}
	return cp >= 0x2000 && cp <= 0x200D; /* en/em spaces, zero-width */
}

/* Word leaves "[bookmark: _GoBack]" in text extracted from .docx. */
static size_t
bookmark_len(const char *s, size_t n)
{
	const char *end;

	if (n < 11 || s[0] != '[' || strncasecmp(s + 1, "bookmark", 8) != 0)
		return 0;
	end = memchr(s, ']', n < 128 ? n : 128);
	return end ? (size_t)(end - s) + 1 : 0;
}

size_t
clean_text(const char *s, size_t len, char *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0;

	while (i < len) {
		uint32_t cp;
		size_t l, b;

		if (u[i] == '[' && (b = bookmark_len(s + i, len - i)) > 0) {
			i += b;
			continue;
		}
		if (u[i] < 0x80) {
			if (!is_blank_cp(u[i]) && u[i] != 0)
				out[o++] = s[i];
			i++;
			continue;
		}
		l = utf8_decode(u + i, len - i, &cp);
		i += l;
		if (is_blank_cp(cp))
			continue;
		if (cp >= 0xFF01 && cp <= 0xFF5E)
			cp -= 0xFEE0; /* full-width ASCII */
		else if (cp == 0x2212)
			cp = '-'; /* minus sign */
		o += utf8_encode(cp, out + o);
	}
	out[o] = '\0';
	return o;
}

static const char *const cjk_digits[] = {"一", "二", "三", "四", "五",
                                         "六", "七", "八", "九", "十"};

/* Length of a run of CJK numerals 一..十 at s. */
static size_t
cjk_num_len(const char *s)
{
	size_t n = 0;

	for (;;) {
		size_t k;

		for (k = 0; k < NB_NELEM(cjk_digits); k++)
			if (strncmp(s + n, cjk_digits[k], 3) == 0)
				break;
		if (k == NB_NELEM(cjk_digits))
			return n;
		n += 3;
	}
}

const char *
clean_strip_number(const char *s)
{
	size_t n;

	if (s[0] == '(') {
		n = cjk_num_len(s + 1);
		if (n == 0)
			while (s[1 + n] >= '0' && s[1 + n] <= '9')
				n++;
		if (n > 0 && s[1 + n] == ')') {
			s += n + 2;
			if (strncmp(s, "、", 3) == 0)
				s += 3;
			return s;
		}
		return s;
	}
	n = cjk_num_len(s);
	if (n > 0) {
		if (strncmp(s + n, "、", 3) == 0)
			return s + n + 3;
		if (s[n] == '.')
			return s + n + 1;
		return s;
	}
	n = 0;
	while (s[n] >= '0' && s[n] <= '9')
		n++;
	if (n > 0 && n <= 2) {
		if (s[n] == '.' || s[n] == ')')
			return s + n + 1;
		if (strncmp(s + n, "、", 3) == 0)
			return s + n + 3;
	}
	return s;
}

/* Units a value may carry in its own cell. */
static const char *const units[] = {"亿元", "万元", "千元", "百万元", "元",
                                    "件",   "个",   "项",   "条",     "次",
                                    "人",   "家",   "宗",   "篇"};

void
num_parse(const char *c, struct num *n)
{
	const char *p = c;
	int neg = 0, ndig = 0, nfrac = 0;
	int64_t v = 0;
	char digits[64];
	size_t nd = 0;

	memset(n, 0, sizeof(*n));
	if (*p == '\0') {
		n->kind = NUM_BLANK;
		return;
	}
	if (*p == '-' || *p == '+') {
		neg = *p == '-';
		p++;
	}
	if (!(*p >= '0' && *p <= '9')) {
		n->kind = NUM_TEXT;
		return;
	}
	if (neg)
		digits[nd++] = '-';
	for (; (*p >= '0' && *p <= '9') || *p == ','; p++) {
		if (*p == ',') {
			/* a thousands separator sits between digits */
			if (!(p[1] >= '0' && p[1] <= '9')) {
				n->kind = NUM_INVALID;
				return;
			}
			continue;
		}
		if (++ndig > 18) {
			n->kind = NUM_INVALID;
			return;
		}
		v = v * 10 + (*p - '0');
		digits[nd++] = *p;
	}
	if (*p == '.') {
		digits[nd++] = *p++;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (ndig + ++nfrac > 30) {
				n->kind = NUM_INVALID;
				return;
			}
			digits[nd++] = *p;
		}
		if (nfrac == 0) {
			n->kind = NUM_INVALID;
			return;
		}
	}
	digits[nd] = '\0';
	if (*p != '\0') {
		size_t k;

		for (k = 0; k < NB_NELEM(units); k++)
			if (strcmp(p, units[k]) == 0)
				break;
		if (k == NB_NELEM(units)) {
			n->kind = NUM_INVALID;
			return;
		}
		strcpy(n->unit, units[k]);
	}
	if (nfrac > 0) {
		n->kind = NUM_REAL;
		n->d = strtod(digits, NULL);
	} else {
		n->kind = NUM_INT;
		n->i = neg ? -v : v;
	}
}
