/*
 * render.h - turn a report record (the canonical JSON of the report schema)
 * back into the documents county sites publish, so tests, the fixture site
 * and the benchmarks have realistic input whose exact record is known.
 *
 * The promise every renderer keeps: parsing what it produces gives back the
 * record it was given (same agency, year, template, title, and every table
 * cell, null where the record has null), whatever cosmetic variant is chosen.
 *
 * What a document holds, in every format:
 *   - the title (the record's, else
 * "<agency><year>年政府信息公开工作年度报告"), an opening paragraph naming the
 * agency and the year, the six sections with generic prose, and the template's
 * three tables: 二 (one table of four grid columns, blocks
 * 第二十条第（一）/（五）/（六）/（八）[/（九）]项), 三 (3 label columns + 7
 * value columns, three header rows) and 四 (15 columns, three header rows, one
 * row of values);
 *   - only the rows whose keys the record has; a section whose key is
 *     absent has no table; a 2021 record whose results.other holds only
 *     "other" gets the single （六）其他处理 row;
 *   - a null cell is blank, a number is written as the record holds it
 *     (integers as integers; reals in their shortest exact form: 2.43,
 *     3000644.004, 8606.0), never rescaled or invented;
 *   - an amount's unit in its column header (本年收费金额（单位：万元）,
 *     采购总金额（亿元）), or with RV_UNITS_IN_CELLS in the cell only
 *     (8606万元, header without unit); no unit anywhere when it is null.
 *     A null or absent amount is a blank cell.
 * Values are always found the same way: expand the row and column spans
 * into a grid; a data cell lies under the header whose grid columns it
 * covers; a row with fewer cells than the grid is short, its missing cells
 * null.
 */
#ifndef NB_RENDER_H
#define NB_RENDER_H

#include <jansson.h>

#include "buf.h"

/*
 * Cosmetic variations seen on the live sites; OR them into opts.variant.
 * Each applies to HTML and docx (Word's runs, breaks, merges) and, where
 * the text form can show it, to the text.
 */
enum render_variant {
	/* text split over several <span> runs (docx: w:r), at seeded
	   character boundaries: 三</span><span>、本年…, 20</span><span>23 */
	RV_SPLIT_RUNS = 1 << 0,
	/* header and data rows span differently: the label area of table
	   三 is four grid columns (header colspan 4, （三）/（五） colspan 2,
	   their rows' labels 1, the other groups' the other way round), and
	   single-value rows of 二 are label colspan 2 + value colspan 2 */
	RV_SPAN_SHIFT = 1 << 1,
	/* <br> inside header labels (本年新<br>制作数量, 商业<br>企业; docx
	   w:br; text: the label continues on an unindented line) */
	RV_BR_HEADERS = 1 << 2,
	/* blanks as &nbsp;, <o:p> </o:p>, U+3000, or missing (a row's
	   trailing blanks are left out: a short row, docx w:gridAfter); and
	   Word's litter around numbers: NBSP / U+3000 / space padding, one
	   _GoBack bookmark (<a name="_GoBack">, w:bookmarkStart, and in the
	   text "[bookmark: _GoBack]") */
	RV_BLANK_STYLES = 1 << 3,
	/* the other spelling of each label that has one: 2021 tables get
	   规范性文件, 信访投诉举报类, 只记/不记, 结果维护, 合计, the 2019
	   wording of the 勾稽 note; 2019 tables get 行政规范性文件, 规章
	   (for 规    章), 信访举报投诉类, 只计/不计, 结果维持, 总计; section 五
	   is titled 存在的主要问题及整改措施 */
	RV_LABEL_VARIANTS = 1 << 4,
	/* section headings lose 一、二、 (table labels keep theirs) */
	RV_NO_NUMBERING = 1 << 5,
	/* <font face="方正仿宋_GBK"> inside every run (docx: w:rFonts) */
	RV_FONT_TAGS = 1 << 6,
	/* page: a metadata table (索引号, 发布机构, 公开日期) before the
	   article, <ucapcontent> around the body, <publishtime>, a view
	   counter filled by JavaScript, links to another host of the site
	   group and to a CMS back end on a private IP, a second
	   <meta charset> inside the body; a fragment gets <ucapcontent>
	   and the inner <meta charset> */
	RV_CHROME_NOISE = 1 << 7,
	/* amounts written with their unit (8606万元), header without */
	RV_UNITS_IN_CELLS = 1 << 8,
	/* title broken over two paragraphs (text: lines, sometimes with an
	   empty line between): after the agency, before 信息公开工作年度报告,
	   or before 年度报告, as the seeds do; page meta keep it whole */
	RV_TITLE_SPLIT = 1 << 9,
	RV_ALL = (1 << 10) - 1,
};

struct render_opts {
	const char *charset;   /* HTML only: "UTF-8" (NULL) or
	                          "GBK"/"GB2312"/"GB18030" (any case): bytes in
	                          that encoding, declared only in a <meta
	                          http-equiv="Content-Type"> (a fragment starts
	                          with one); characters the charset lacks
	                          become &#xNNNN; references */
	int page;              /* HTML: a whole county-site page (head, meta
	                          ArticleTitle/PubDate/ContentSource, breadcrumbs,
	                          zoomcon div) rather than the body fragment */
	const char *published; /* "YYYY-MM-DD" for PubDate (docx: the
	                          creation date and the zip entries' time);
	                          NULL: none */
	unsigned variant;      /* enum render_variant bits */
	unsigned seed;         /* picks among equivalent spellings and where
	                          runs split; the same record, options and seed
	                          always give the same bytes */
};

/*
 * Each appends the document to out and returns 0, NB_EINVAL (the record
 * lacks agency or year, its template is not "2021" or "2019", a table
 * value is neither a number nor null, or an unknown charset), NB_ENOMEM
 * or NB_ETOOBIG (out's cap); on failure out is left as it was.  rec is
 * only read; o may be NULL for the defaults.
 *   render_html: a report page as the Jiangxi platform serves it (tables
 *                pasted from Word: every cell <td><p class=MsoNormal>
 *                <span>…</span><o:p></o:p></p></td>, no <th>).
 *   render_docx: a Word .docx (zip) with real w:tbl tables, gridSpan and
 *                vMerge for spanned cells; opens in LibreOffice.
 *   render_text: the seeds' text form: a paragraph a line; in tables a
 *                cell a tab-indented line, a cell merged down from above an
 *                empty tab line, a blank line after each row and one more
 *                after the table; 商业/企业-style labels wrap onto an
 *                unindented line.  Always UTF-8.
 */
int render_html(const json_t *rec, const struct render_opts *o,
                struct nb_buf *out);
int render_docx(const json_t *rec, const struct render_opts *o,
                struct nb_buf *out);
int render_text(const json_t *rec, const struct render_opts *o,
                struct nb_buf *out);

#endif
