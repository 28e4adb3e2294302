/*
 * pdf-fixtures - test material for the PDF reader.
 *
 *   pdf-fixtures docx IN.docx OUT.docx [--landscape] [--tall]
 *                [--repeat-header] [--furniture] [--fullwidth]
 *                [--borderless] [--bare-title]
 *       the renderer's .docx with what real PDFs show: A4 landscape;
 *       rows tall enough that every table runs over page breaks (and
 *       rows are cut by them); header rows repeated on each page; a
 *       running header and a "- N -" page-number footer; full-width
 *       digits in the tables; tables that draw no borders; a title in
 *       the file's metadata that names no agency.
 *   pdf-fixtures single-other IN.json OUT.json
 *       a 2021 record whose （六）其他处理 is the single row.
 *   pdf-fixtures crafted DIR
 *       small PDFs written by hand: scan.pdf (a page image only),
 *       ocr.pdf (a scan under invisible OCR text), stamped.pdf (a scan with
 *       a page number printed on it), unmapped.pdf (text in
 *       a font without a Unicode map), encrypted.pdf (a password is
 *       needed), garbled.pdf (a header and noise), table.pdf (a ruled
 *       table in a CJK font with a ToUnicode map).
 *
 * Exit 0, or 1 with a message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zip.h>

#include "buf.h"
#include "log.h"

#define MAX_PART (64u << 20)

/* ---- strings ---- */

/* s with every `from` replaced by `to`, into out. */
static void
replace_all(struct nb_buf *out, const char *s, const char *from, const char *to)
{
	size_t fl = strlen(from);
	const char *p;

	while ((p = strstr(s, from)) != NULL) {
		nb_buf_add(out, s, p - s);
		nb_buf_adds(out, to);
		s = p + fl;
	}
	nb_buf_adds(out, s);
}

static char *
replaced(char *s, const char *from, const char *to)
{
	struct nb_buf b;

	nb_buf_init(&b, MAX_PART);
	replace_all(&b, s, from, to);
	free(s);
	return nb_buf_take(&b, NULL);
}

/* ---- docx variants ---- */

struct opts {
	int landscape, tall, repeat, furniture, fullwidth, borderless;
	int bare_title;
};

#define ROW_H "<w:trHeight w:val=\"900\"/>"

/* Row properties: taller rows; tblHeader on the first three rows of the
 * second and third tables (the requests and appeals tables). */
static char *
rows(const char *s, const struct opts *o)
{
	struct nb_buf b;
	int table = 0, row = 0;

	nb_buf_init(&b, MAX_PART);
	while (*s) {
		const char *tbl = strstr(s, "<w:tbl>");
		const char *tr = strstr(s, "<w:tr>");
		char props[128];

		if (tr == NULL)
			break;
		if (tbl != NULL && tbl < tr) {
			nb_buf_add(&b, s, tbl + 7 - s);
			s = tbl + 7;
			table++;
			row = 0;
			continue;
		}
		nb_buf_add(&b, s, tr + 6 - s);
		s = tr + 6;
		snprintf(props, sizeof(props), "%s%s", o->tall ? ROW_H : "",
		         o->repeat && row < 3 && (table == 2 || table == 3)
		             ? "<w:tblHeader/>"
		             : "");
		row++;
		if (strncmp(s, "<w:trPr>", 8) == 0) {
			const char *end = strstr(s, "</w:trPr>");

			if (end == NULL)
				break;
			nb_buf_add(&b, s, end - s);
			nb_buf_adds(&b, props);
			s = end;
		} else if (props[0]) {
			nb_buf_printf(&b, "<w:trPr>%s</w:trPr>", props);
		}
	}
	nb_buf_adds(&b, s);
	return nb_buf_take(&b, NULL);
}

/* ASCII digits of the text runs in tables as full-width digits. */
static char *
fullwidth(const char *s)
{
	struct nb_buf b;
	int in_table = 0;

	nb_buf_init(&b, MAX_PART);
	while (*s) {
		const char *t = strstr(s, "<w:t");
		const char *open = strstr(s, "<w:tbl>");
		const char *close = strstr(s, "</w:tbl>");

		if (open != NULL && (t == NULL || open < t) &&
		    (close == NULL || open < close)) {
			nb_buf_add(&b, s, open + 7 - s);
			s = open + 7;
			in_table = 1;
			continue;
		}
		if (close != NULL && (t == NULL || close < t)) {
			nb_buf_add(&b, s, close + 8 - s);
			s = close + 8;
			in_table = 0;
			continue;
		}
		const char *gt, *end;

		if (t == NULL || (t[4] != '>' && t[4] != ' ') ||
		    (gt = strchr(t, '>')) == NULL ||
		    (end = strstr(gt, "</w:t>")) == NULL) {
			const char *next = t ? t + 4 : s + strlen(s);

			nb_buf_add(&b, s, next - s);
			s = next;
			continue;
		}
		nb_buf_add(&b, s, gt + 1 - s);
		for (const char *p = gt + 1; p < end; p++) {
			if (in_table && *p >= '0' && *p <= '9') {
				char fw[4] = "\xef\xbc\x90";

				fw[2] = (char)(0x90 + (*p - '0'));
				nb_buf_add(&b, fw, 3);
			} else {
				nb_buf_add(&b, p, 1);
			}
		}
		s = end;
	}
	return nb_buf_take(&b, NULL);
}

#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define R_NS                                                                   \
	"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define OD_CT "application/vnd.openxmlformats-officedocument.wordprocessingml"

static const char header_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:hdr xmlns:w=\"" W_NS "\"><w:p><w:pPr><w:jc w:val=\"right\"/>"
    "</w:pPr><w:r><w:rPr><w:sz w:val=\"18\"/></w:rPr>"
    "<w:t>政务公开专栏</w:t></w:r></w:p></w:hdr>\n";

static const char footer_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:ftr xmlns:w=\"" W_NS "\"><w:p><w:pPr><w:jc w:val=\"center\"/>"
    "</w:pPr><w:r><w:t xml:space=\"preserve\">- </w:t></w:r>"
    "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
    "<w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>"
    "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>"
    "<w:r><w:t>1</w:t></w:r>"
    "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
    "<w:r><w:t xml:space=\"preserve\"> -</w:t></w:r></w:p></w:ftr>\n";

static char *
entry(zip_t *za, const char *name)
{
	zip_stat_t st;
	zip_file_t *zf;
	char *buf;

	if (zip_stat(za, name, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
	    st.size > MAX_PART || (zf = zip_fopen(za, name, 0)) == NULL)
		return NULL;
	buf = malloc(st.size + 1);
	if (buf != NULL &&
	    zip_fread(zf, buf, st.size) != (zip_int64_t)st.size) {
		free(buf);
		buf = NULL;
	}
	if (buf != NULL)
		buf[st.size] = '\0';
	zip_fclose(zf);
	return buf;
}

/* Entries get a fixed time: the same input gives the same bytes (the
 * test material is converted again only when it changes). */
static int
put(zip_t *za, const char *name, const char *data)
{
	zip_source_t *src = zip_source_buffer(za, data, strlen(data), 0);
	zip_int64_t idx;

	if (src == NULL ||
	    (idx = zip_file_add(za, name, src,
	                        ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8)) < 0) {
		zip_source_free(src);
		return -1;
	}
	return zip_file_set_mtime(za, (zip_uint64_t)idx, 1577869200, 0);
}

static int
docx_variant(const char *in, const char *out, const struct opts *o)
{
	char *doc = NULL, *rels = NULL, *types = NULL, *styles = NULL;
	char *core = NULL;
	zip_t *src = NULL, *dst = NULL;
	zip_int64_t n;
	int err, rc = 1;

	if ((src = zip_open(in, ZIP_RDONLY, &err)) == NULL) {
		log_warnx("%s: cannot open as zip", in);
		return 1;
	}
	doc = entry(src, "word/document.xml");
	rels = entry(src, "word/_rels/document.xml.rels");
	types = entry(src, "[Content_Types].xml");
	styles = entry(src, "word/styles.xml");
	core = entry(src, "docProps/core.xml");
	if (doc == NULL || rels == NULL || types == NULL || styles == NULL ||
	    core == NULL) {
		log_warnx("%s: not the renderer's .docx", in);
		goto done;
	}
	if (o->landscape)
		doc = replaced(doc, "<w:pgSz w:w=\"11906\" w:h=\"16838\"/>",
		               "<w:pgSz w:w=\"16838\" w:h=\"11906\" "
		               "w:orient=\"landscape\"/>");
	if (o->tall || o->repeat) {
		char *t = rows(doc, o);

		free(doc);
		doc = t;
	}
	if (o->bare_title) {
		/* the file's title without the agency, as many are */
		char *t = strstr(core, "<dc:title>"), *e;

		if (t != NULL && (e = strstr(t, "</dc:title>")) != NULL) {
			struct nb_buf b;

			nb_buf_init(&b, MAX_PART);
			nb_buf_add(&b, core, t + 10 - core);
			nb_buf_adds(&b, "政府信息公开工作年度报告");
			nb_buf_adds(&b, e);
			free(core);
			core = nb_buf_take(&b, NULL);
		}
	}
	if (o->borderless) {
		doc = replaced(doc, "w:val=\"single\"", "w:val=\"nil\"");
		styles = replaced(styles, "w:val=\"single\"", "w:val=\"nil\"");
	}
	if (o->fullwidth) {
		char *t = fullwidth(doc);

		free(doc);
		doc = t;
	}
	if (o->furniture) {
		doc = replaced(doc, "<w:document ",
		               "<w:document xmlns:r=\"" R_NS "\" ");
		doc =
		    replaced(doc, "<w:sectPr>",
		             "<w:sectPr><w:headerReference w:type=\"default\" "
		             "r:id=\"rIdNbH\"/><w:footerReference "
		             "w:type=\"default\" r:id=\"rIdNbF\"/>");
		rels = replaced(
		    rels, "</Relationships>",
		    "<Relationship Id=\"rIdNbH\" Type=\"" R_NS "/header\" "
		    "Target=\"header1.xml\"/><Relationship Id=\"rIdNbF\" "
		    "Type=\"" R_NS "/footer\" Target=\"footer1.xml\"/>"
		    "</Relationships>");
		types =
		    replaced(types, "</Types>",
		             "<Override PartName=\"/word/header1.xml\" "
		             "ContentType=\"" OD_CT ".header+xml\"/>"
		             "<Override PartName=\"/word/footer1.xml\" "
		             "ContentType=\"" OD_CT ".footer+xml\"/></Types>");
	}
	if ((dst = zip_open(out, ZIP_CREATE | ZIP_TRUNCATE, &err)) == NULL) {
		log_warnx("%s: cannot create", out);
		goto done;
	}
	n = zip_get_num_entries(src, 0);
	for (zip_int64_t i = 0; i < n; i++) {
		const char *name = zip_get_name(src, i, 0);
		zip_source_t *zs;

		if (name == NULL || strcmp(name, "word/document.xml") == 0 ||
		    strcmp(name, "word/_rels/document.xml.rels") == 0 ||
		    strcmp(name, "[Content_Types].xml") == 0 ||
		    strcmp(name, "word/styles.xml") == 0 ||
		    strcmp(name, "docProps/core.xml") == 0)
			continue;
		if ((zs = zip_source_zip(dst, src, i, 0, 0, -1)) == NULL ||
		    zip_file_add(dst, name, zs, ZIP_FL_ENC_UTF_8) < 0) {
			zip_source_free(zs);
			log_warnx("%s: cannot copy %s", out, name);
			goto done;
		}
	}
	if (put(dst, "word/document.xml", doc) != 0 ||
	    put(dst, "word/_rels/document.xml.rels", rels) != 0 ||
	    put(dst, "[Content_Types].xml", types) != 0 ||
	    put(dst, "word/styles.xml", styles) != 0 ||
	    put(dst, "docProps/core.xml", core) != 0 ||
	    (o->furniture && (put(dst, "word/header1.xml", header_xml) != 0 ||
	                      put(dst, "word/footer1.xml", footer_xml) != 0))) {
		log_warnx("%s: cannot write", out);
		goto done;
	}
	if (zip_close(dst) != 0) {
		log_warnx("%s: %s", out, zip_strerror(dst));
		zip_discard(dst);
		dst = NULL;
		goto done;
	}
	dst = NULL;
	rc = 0;
done:
	if (dst != NULL)
		zip_discard(dst);
	zip_discard(src);
	free(doc);
	free(rels);
	free(types);
	free(styles);
	free(core);
	return rc;
}

/* ---- the single （六） row ---- */

static int
single_other(const char *in, const char *out)
{
	json_error_t je;
	json_t *rec = json_load_file(in, 0, &je), *other;
	int rc = 1;

	if (rec == NULL) {
		log_warnx("%s:%d: %s", in, je.line, je.text);
		return 1;
	}
	other = json_object_get(
	    json_object_get(json_object_get(rec, "requests"), "results"),
	    "other");
	if (!json_is_object(other)) {
		log_warnx("%s: no requests.results.other", in);
		goto done;
	}
	json_object_del(other, "no_correction");
	json_object_del(other, "no_fee_paid");
	if (json_dump_file(rec, out, JSON_INDENT(1)) != 0)
		log_warnx("%s: cannot write", out);
	else
		rc = 0;
done:
	json_decref(rec);
	return rc;
}

/* ---- hand-made PDFs ---- */

struct pdfw {
	struct nb_buf b;
	size_t off[16];
	int n;
};

static void obj(struct pdfw *w, const char *fmt, ...) NB_PRINTF(2, 3);

static void
obj(struct pdfw *w, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	w->off[++w->n] = w->b.len;
	nb_buf_printf(&w->b, "%d 0 obj\n%s\nendobj\n", w->n, s ? s : "null");
	free(s);
}

static void
stream(struct pdfw *w, const char *dict, const char *data, size_t len)
{
	w->off[++w->n] = w->b.len;
	nb_buf_printf(&w->b, "%d 0 obj\n<<%s /Length %zu>>\nstream\n", w->n,
	              dict, len);
	nb_buf_add(&w->b, data, len);
	nb_buf_adds(&w->b, "\nendstream\nendobj\n");
}

static int
finish(struct pdfw *w, const char *path, const char *trailer)
{
	size_t xref = w->b.len;
	FILE *fp;
	int ok;

	nb_buf_printf(&w->b, "xref\n0 %d\n0000000000 65535 f \n", w->n + 1);
	for (int i = 1; i <= w->n; i++)
		nb_buf_printf(&w->b, "%010zu 00000 n \n", w->off[i]);
	nb_buf_printf(&w->b,
	              "trailer\n<</Size %d /Root 1 0 R%s>>\nstartxref\n%zu\n"
	              "%%%%EOF\n",
	              w->n + 1, trailer, xref);
	fp = fopen(path, "wb");
	ok = fp != NULL && fwrite(w->b.data, 1, w->b.len, fp) == w->b.len;
	if (fp != NULL && fclose(fp) != 0)
		ok = 0;
	if (!ok)
		log_warn("%s", path);
	nb_buf_free(&w->b);
	return ok ? 0 : 1;
}

static void
start(struct pdfw *w)
{
	nb_buf_init(&w->b, MAX_PART);
	w->n = 0;
	nb_buf_adds(&w->b, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
	obj(w, "<</Type /Catalog /Pages 2 0 R>>");
	obj(w, "<</Type /Pages /Kids [3 0 R] /Count 1>>");
}

/* Page 3 with resources res and content 4 (written next). */
static void
page(struct pdfw *w, const char *res)
{
	obj(w,
	    "<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
	    "/Resources <<%s>> /Contents 4 0 R>>",
	    res);
}

static void
gray_image(struct pdfw *w)
{
	char px[64];

	for (int i = 0; i < 64; i++)
		px[i] = (char)(i * 4);
	stream(w,
	       "/Type /XObject /Subtype /Image /Width 8 /Height 8 "
	       "/ColorSpace /DeviceGray /BitsPerComponent 8",
	       px, sizeof(px));
}

/* A page image; with ocr 1 under invisible text, with 2 stamped with a
 * visible page number. */
static int
scan_pdf(const char *path, int ocr)
{
	static const char *const content[] = {
	    "q 495 0 0 742 50 50 cm /Im0 Do Q",
	    "q 495 0 0 742 50 50 cm /Im0 Do Q "
	    "BT 3 Tr /F1 12 Tf 100 700 Td (2021 report) Tj ET",
	    "q 495 0 0 742 50 50 cm /Im0 Do Q "
	    "BT /F1 10 Tf 290 30 Td (- 1 -) Tj ET"};
	struct pdfw w;
	const char *c = content[ocr];

	start(&w);
	page(&w, "/XObject <</Im0 5 0 R>> /Font <</F1 6 0 R>>");
	stream(&w, "", c, strlen(c));
	gray_image(&w);
	obj(&w, "<</Type /Font /Subtype /Type1 /BaseFont /Helvetica>>");
	return finish(&w, path, "");
}

/* Text in a CID font whose codes map to no Unicode. */
static int
unmapped_pdf(const char *path)
{
	struct pdfw w;
	const char *c = "BT /F1 16 Tf 72 700 Td <0101020203030404050506060707> "
	                "Tj 0 -24 Td <0808090910101111121213131414> Tj ET";

	start(&w);
	page(&w, "/Font <</F1 5 0 R>>");
	stream(&w, "", c, strlen(c));
	obj(&w, "<</Type /Font /Subtype /Type0 /BaseFont /NbNoMap "
	        "/Encoding /Identity-H /DescendantFonts [6 0 R]>>");
	obj(&w, "<</Type /Font /Subtype /CIDFontType2 /BaseFont /NbNoMap "
	        "/CIDSystemInfo <</Registry (Nb) /Ordering (NoMap) "
	        "/Supplement 0>> /FontDescriptor 7 0 R /DW 1000>>");
	obj(&w, "<</Type /FontDescriptor /FontName /NbNoMap /Flags 4 "
	        "/FontBBox [0 -120 1000 880] /ItalicAngle 0 /Ascent 880 "
	        "/Descent -120 /CapHeight 700 /StemV 80>>");
	return finish(&w, path, "");
}

/* A standard security handler whose empty user password does not open
 * the file. */
static int
encrypted_pdf(const char *path)
{
	struct pdfw w;
	const char *c = "BT /F1 12 Tf 72 700 Td (secret) Tj ET";
	char trailer[512];

	start(&w);
	page(&w, "/Font <</F1 5 0 R>>");
	stream(&w, "", c, strlen(c));
	obj(&w, "<</Type /Font /Subtype /Type1 /BaseFont /Helvetica>>");
	obj(&w, "<</Filter /Standard /V 1 /R 2 /P -44 "
	        "/O <0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
	        "abcdef> /U <fedcba9876543210fedcba9876543210fedcba9876543210fe"
	        "dcba9876543210>>>");
	snprintf(trailer, sizeof(trailer),
	         " /Encrypt %d 0 R /ID [<00112233445566778899aabbccddeeff> "
	         "<00112233445566778899aabbccddeeff>]",
	         w.n);
	return finish(&w, path, trailer);
}

static int
garbled_pdf(const char *path)
{
	struct pdfw w;

	nb_buf_init(&w.b, MAX_PART);
	nb_buf_adds(&w.b, "%PDF-1.7\n");
	for (unsigned i = 0, x = 12345; i < 4096; i++) {
		char ch;

		x = x * 1103515245u + 12345u;
		ch = (char)(x >> 16);
		nb_buf_add(&w.b, &ch, 1);
	}
	w.n = 0;
	return finish(&w, path, "") == 0 ? 0 : 1;
}

/*
 * A ruled 2 x 3 table of a 2021 section-二 block in a CJK font that is
 * not embedded, with a ToUnicode map: 信息内容 | 本年处理决定数量 over
 * 行政许可 | ７ (a full-width digit).  Seed material for the fuzzer.
 */
static int
table_pdf(const char *path)
{
	static const char *const cells[] = {"信息内容", "本年处理决定数量",
	                                    "行政许可", "７"};
	struct nb_buf c, cmap;
	struct pdfw w;
	unsigned code = 1;

	nb_buf_init(&c, MAX_PART);
	nb_buf_init(&cmap, MAX_PART);
	nb_buf_adds(&c,
	            "0.5 w 72 700 m 472 700 l S 72 670 m 472 670 l S "
	            "72 640 m 472 640 l S 72 700 m 72 640 l S "
	            "222 700 m 222 640 l S 472 700 m 472 640 l S BT /F1 12 Tf");
	nb_buf_adds(&cmap, "/CIDInit /ProcSet findresource begin 12 dict begin "
	                   "begincmap /CMapName /NbMap def "
	                   "1 begincodespacerange <0000> <FFFF> "
	                   "endcodespacerange ");
	for (int i = 0; i < 4; i++) {
		const char *s = cells[i];
		int n = 0;

		nb_buf_printf(&c, " 1 0 0 1 %d %d Tm <", i % 2 ? 230 : 80,
		              i < 2 ? 680 : 650);
		for (const unsigned char *p = (const unsigned char *)s; *p;
		     p += 3, n++) {
			unsigned u = ((p[0] & 0x0F) << 12) |
			             ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);

			nb_buf_printf(&c, "%04X", code);
			nb_buf_printf(&cmap,
			              "1 beginbfchar <%04X> <%04X> endbfchar ",
			              code++, u);
		}
		nb_buf_adds(&c, "> Tj");
	}
	nb_buf_adds(&c, " ET");
	nb_buf_adds(&cmap, "endcmap CMapName currentdict /CMap defineresource "
	                   "pop end end");
	start(&w);
	page(&w, "/Font <</F1 5 0 R>>");
	stream(&w, "", c.data, c.len);
	obj(&w, "<</Type /Font /Subtype /Type0 /BaseFont /SimSun "
	        "/Encoding /Identity-H /DescendantFonts [6 0 R] "
	        "/ToUnicode 8 0 R>>");
	obj(&w, "<</Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun "
	        "/CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) "
	        "/Supplement 0>> /FontDescriptor 7 0 R /DW 1000>>");
	obj(&w, "<</Type /FontDescriptor /FontName /SimSun /Flags 4 "
	        "/FontBBox [0 -120 1000 880] /ItalicAngle 0 /Ascent 880 "
	        "/Descent -120 /CapHeight 700 /StemV 80>>");
	stream(&w, "", cmap.data, cmap.len);
	nb_buf_free(&c);
	nb_buf_free(&cmap);
	return finish(&w, path, "");
}

static int
crafted(const char *dir)
{
	static const struct {
		const char *name;
		int (*fn)(const char *);
	} files[] = {{"unmapped.pdf", unmapped_pdf},
	             {"encrypted.pdf", encrypted_pdf},
	             {"garbled.pdf", garbled_pdf},
	             {"table.pdf", table_pdf}};
	char path[4096];
	int rc = 0;

	snprintf(path, sizeof(path), "%s/scan.pdf", dir);
	rc |= scan_pdf(path, 0);
	snprintf(path, sizeof(path), "%s/ocr.pdf", dir);
	rc |= scan_pdf(path, 1);
	snprintf(path, sizeof(path), "%s/stamped.pdf", dir);
	rc |= scan_pdf(path, 2);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		rc |= files[i].fn(path);
	}
	return rc;
}

static void
usage(void)
{
	log_warnx("usage: pdf-fixtures docx IN OUT [--landscape] [--tall] "
	          "[--repeat-header] [--furniture] [--fullwidth] "
	          "[--borderless] [--bare-title] | "
	          "single-other IN.json OUT.json | crafted DIR");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct opts o = {0};

	log_init("pdf-fixtures", 0);
	if (argc == 3 && strcmp(argv[1], "crafted") == 0)
		return crafted(argv[2]);
	if (argc == 4 && strcmp(argv[1], "single-other") == 0)
		return single_other(argv[2], argv[3]);
	if (argc < 4 || strcmp(argv[1], "docx") != 0)
		usage();
	for (int i = 4; i < argc; i++) {
		if (strcmp(argv[i], "--landscape") == 0)
			o.landscape = 1;
		else if (strcmp(argv[i], "--tall") == 0)
			o.tall = 1;
		else if (strcmp(argv[i], "--repeat-header") == 0)
			o.repeat = 1;
		else if (strcmp(argv[i], "--furniture") == 0)
			o.furniture = 1;
		else if (strcmp(argv[i], "--fullwidth") == 0)
			o.fullwidth = 1;
		else if (strcmp(argv[i], "--borderless") == 0)
			o.borderless = 1;
		else if (strcmp(argv[i], "--bare-title") == 0)
			o.bare_title = 1;
		else
			usage();
	}
	return docx_variant(argv[2], argv[3], &o);
}
