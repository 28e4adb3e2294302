/*
 * seed2docx TEXT DOCX - write a report in the seeds' text form as a .docx
 * (one w:p per line, one w:tbl per table), for the docx fuzzer's corpus:
 * made at build time so no binary is committed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "buf.h"

static void
esc(struct nb_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '&')
			nb_buf_adds(b, "&amp;");
		else if (c == '<')
			nb_buf_adds(b, "&lt;");
		else if (c == '>')
			nb_buf_adds(b, "&gt;");
		else if (c >= 0x20 || c == '\t')
			nb_buf_add(b, s + i, 1);
	}
}

static void
para(struct nb_buf *b, const char *s, size_t n)
{
	nb_buf_adds(b, "<w:p><w:r><w:t xml:space=\"preserve\">");
	esc(b, s, n);
	nb_buf_adds(b, "</w:t></w:r></w:p>");
}

int
main(int argc, char *argv[])
{
	struct nb_buf x;
	char line[65536];
	int in_table = 0, in_row = 0, in_cell = 0, err;
	FILE *fp;
	zip_t *za;
	zip_source_t *src;

	if (argc != 3 || (fp = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "usage: seed2docx TEXT DOCX\n");
		return 2;
	}
	nb_buf_init(&x, 64u << 20);
	nb_buf_adds(&x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	                "<w:document xmlns:w=\"http://schemas.openxmlformats"
	                ".org/wordprocessingml/2006/main\"><w:body>");
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t n = strcspn(line, "\r\n");

		if (line[0] == '\t') {
			if (!in_table)
				nb_buf_adds(&x, "<w:tbl>");
			if (in_cell)
				nb_buf_adds(&x, "</w:tc>");
			if (!in_row)
				nb_buf_adds(&x, "<w:tr>");
			nb_buf_adds(&x, "<w:tc>");
			para(&x, line + 1, n - 1);
			in_table = in_row = in_cell = 1;
		} else if (n == 0) {
			if (in_row)
				nb_buf_adds(&x, "</w:tc></w:tr>");
			in_row = in_cell = 0;
		} else if (in_cell) {
			para(&x, line, n);
		} else {
			if (in_table)
				nb_buf_adds(&x, "</w:tbl>");
			in_table = 0;
			para(&x, line, n);
		}
	}
	fclose(fp);
	if (in_row)
		nb_buf_adds(&x, "</w:tc></w:tr>");
	if (in_table)
		nb_buf_adds(&x, "</w:tbl>");
	nb_buf_adds(&x, "</w:body></w:document>");
	za = zip_open(argv[2], ZIP_CREATE | ZIP_TRUNCATE, &err);
	if (za == NULL)
		return 1;
	src = zip_source_buffer(za, x.data, x.len, 0);
	if (src == NULL || zip_file_add(za, "word/document.xml", src, 0) < 0 ||
	    zip_close(za) != 0) {
		fprintf(stderr, "seed2docx: %s: cannot write\n", argv[2]);
		return 1;
	}
	nb_buf_free(&x);
	return 0;
}
