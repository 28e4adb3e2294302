/*
 * test_units - cell cleaning, numbers, label variants, titles, agencies,
 * years, charsets, format detection and the chain rules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "charset.h"
#include "config.h"
#include "helpers.h"
#include "internal.h"

/* ---- cells ---- */

static void
num(const char *cell, enum num_kind kind, long long i, double d,
    const char *unit)
{
	char clean[256];
	struct num n;

	clean_text(cell, strlen(cell), clean);
	num_parse(clean, &n);
	if (n.kind != kind)
		fail_msg("'%s': kind %d, want %d", cell, n.kind, kind);
	if (kind == NUM_INT && n.i != i)
		fail_msg("'%s': %lld, want %lld", cell, (long long)n.i, i);
	if (kind == NUM_REAL && n.d != d)
		fail_msg("'%s': %.17g, want %.17g", cell, n.d, d);
	assert_string_equal(n.unit, unit);
}

/* Every cell form domain.md and the schema list. */
static void
test_cells(void **state)
{
	(void)state;
	num("", NUM_BLANK, 0, 0, "");
	num("   ", NUM_BLANK, 0, 0, "");
	num("\xC2\xA0", NUM_BLANK, 0, 0, "");                 /* NBSP */
	num("\xE3\x80\x80\xE3\x80\x80", NUM_BLANK, 0, 0, ""); /* U+3000 */
	num("[bookmark: _GoBack]", NUM_BLANK, 0, 0, "");
	num("0", NUM_INT, 0, 0, "");
	num("0\xE3\x80\x80", NUM_INT, 0, 0, ""); /* 0　 */
	num(" 11138", NUM_INT, 11138, 0, "");
	num("\xC2\xA0"
	    "11138",
	    NUM_INT, 11138, 0, "");
	num("[bookmark: _GoBack]3804", NUM_INT, 3804, 0, "");
	num("-2", NUM_INT, -2, 0, "");
	num("－2", NUM_INT, -2, 0, ""); /* full-width minus */
	num("−2", NUM_INT, -2, 0, "");  /* U+2212 */
	num("2.43", NUM_REAL, 0, 2.43, "");
	num("3000644.004", NUM_REAL, 0, 3000644.004, "");
	num("１２３", NUM_INT, 123, 0, ""); /* full-width digits */
	num("１２．５", NUM_REAL, 0, 12.5, "");
	num("1,234", NUM_INT, 1234, 0, "");
	num("1，234，567", NUM_INT, 1234567, 0, "");
	num("251000元", NUM_INT, 251000, 0, "元");
	num("2.43亿元", NUM_REAL, 0, 2.43, "亿元");
	num("8606 万元", NUM_INT, 8606, 0, "万元");
	num("12件", NUM_INT, 12, 0, "件");
	num("1\n2", NUM_INT, 12, 0, ""); /* split over lines */
	num("无", NUM_TEXT, 0, 0, "");
	num("/", NUM_TEXT, 0, 0, "");
	num("—", NUM_TEXT, 0, 0, "");
	num("-", NUM_TEXT, 0, 0, "");
	num("约20", NUM_TEXT, 0, 0, "");
	num("12/13", NUM_INVALID, 0, 0, "");
	num("2.", NUM_INVALID, 0, 0, "");
	num("1,", NUM_INVALID, 0, 0, "");
	num("3个半", NUM_INVALID, 0, 0, "");
	num("99999999999999999999", NUM_INVALID, 0, 0, "");
}

static void
cleaned(const char *in, const char *want)
{
	char out[256];

	clean_text(in, strlen(in), out);
	assert_string_equal(out, want);
}

static void
test_clean_labels(void **state)
{
	(void)state;
	cleaned("规    章", "规章");
	cleaned("规\xE3\x80\x80章", "规章");
	cleaned("本年新\n制作数量", "本年新制作数量");
	cleaned("（一）予以公开", "(一)予以公开");
	cleaned("本年收费金额（单位：万元）", "本年收费金额(单位:万元)");
	cleaned("结果\n纠正", "结果纠正");
	cleaned("\xEF\xBB\xBF\xE2\x80\x8B规章", "规章"); /* BOM, ZWSP */
	assert_string_equal(clean_strip_number("一、本年新收"), "本年新收");
	assert_string_equal(clean_strip_number("(三)不予公开"), "不予公开");
	assert_string_equal(clean_strip_number("(十二)x"), "x");
	assert_string_equal(clean_strip_number("1.属于国家秘密"),
	                    "属于国家秘密");
	assert_string_equal(clean_strip_number("3、其他"), "其他");
	assert_string_equal(clean_strip_number("(1)其他"), "其他");
	assert_string_equal(clean_strip_number("规章"), "规章");
}

/* ---- label variants, through whole documents ---- */

/* Text-form table rows: "label|v|v|..." lines, one row each. */
static char *
text_doc(const char *title, const char *const *rows)
{
	size_t cap = 65536, n = 0;
	char *out = malloc(cap);

	assert_non_null(out);
	n += snprintf(out + n, cap - n, "%s\n本报告依据条例编制。\n", title);
	for (size_t r = 0; rows[r] != NULL; r++) {
		const char *p = rows[r];

		if (strcmp(p, "") == 0) {
			n += snprintf(out + n, cap - n, "\n正文。\n");
			continue;
		}
		while (p != NULL) {
			const char *bar = strchr(p, '|');
			int len = bar ? (int)(bar - p) : (int)strlen(p);

			n += snprintf(out + n, cap - n, "\t%.*s\n", len, p);
			p = bar ? bar + 1 : NULL;
		}
		n += snprintf(out + n, cap - n, "\n");
	}
	return out;
}

static json_t *
parse_rows(const char *title, const char *const *rows, const char *hint)
{
	struct indexer_ctx *ctx = th_ctx();
	struct indexer_status st;
	char *doc = text_doc(title, rows);
	json_t *rec;
	int rc = th_parse(ctx, doc, strlen(doc), NULL, hint, &rec, &st);

	if (rc != 0)
		fail_msg("%s: %s", nb_strerror(rc), st.reason);
	free(doc);
	indexer_ctx_free(ctx);
	return rec;
}

static json_int_t
at(const json_t *rec, const char *path, size_t idx)
{
	json_t *v = (json_t *)rec;
	char buf[256], *save, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok;
	     tok = strtok_r(NULL, ".", &save))
		v = json_object_get(v, tok);
	if (json_is_array(v))
		v = json_array_get(v, idx);
	if (!json_is_integer(v))
		fail_msg("%s[%zu]: not an integer", path, idx);
	return json_integer_value(v);
}

static int
has_path(const json_t *rec, const char *path)
{
	json_t *v = (json_t *)rec;
	char buf[256], *save, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && v;
	     tok = strtok_r(NULL, ".", &save))
		v = json_object_get(v, tok);
	return v != NULL;
}

#define ROW7(label, a) label "|" a "|" a "|" a "|" a "|" a "|" a "|" a

static const char *const req2019[] = {
    "勾稽关系|申请人情况",
    "|自然人|法人或其他组织|合计",
    "||商业企业|科研机构|社会公益组织|法律服务机构|其他|",
    ROW7("本年新收政府信息公开申请数量", "1"),
    ROW7("上年结转政府信息公开申请数量", "2"),
    ROW7("本年度办理结果|(一)予以公开", "3"),
    ROW7("|（二）部分公开（区分处理的，只记这一情形，不记其他情形）", "4"),
    ROW7("|（三）不予公开|1.属于国家秘密", "5"),
    ROW7("||2.其他法律行政法规禁止公开", "6"),
    ROW7("||3.危及“三安全一稳定”", "7"),
    ROW7("||4.保护第三方合法权益", "8"),
    ROW7("||5.属于三类内部事务信息", "9"),
    ROW7("||6.属于四类过程性信息", "10"),
    ROW7("||7.属于行政执法案卷", "11"),
    ROW7("||8.属于行政查询事项", "12"),
    ROW7("|（四）无法提供|1.本机关不掌握相关政府信息", "13"),
    ROW7("||2.没有现成信息需要另行制作", "14"),
    ROW7("||3.补正后申请内容仍不明确", "15"),
    ROW7("|（五）不予处理|1.信访投诉举报类申请", "16"),
    ROW7("||2.重复申请", "17"),
    ROW7("||3.要求提供公开出版物", "18"),
    ROW7("||4.无正当理由大量反复申请", "19"),
    ROW7("||5.要求行政机关确认或重新出具已获取信息", "20"),
    ROW7("|（六）其他处理", "21"),
    ROW7("|（七）总计", "22"),
    ROW7("四、结转下年度继续办理", "23"),
    NULL};

/* 2019 spellings: 合计, 只记, 信访投诉举报类, (一) with ASCII brackets,
 * labels without their section numbers, the single （六） row. */
static void
test_labels_2019_requests(void **state)
{
	static const char *const paths[] = {
	    "requests.new",
	    "requests.carried_over",
	    "requests.results.granted",
	    "requests.results.partially_granted",
	    "requests.results.denied.state_secret",
	    "requests.results.denied.law_prohibited",
	    "requests.results.denied.security_stability",
	    "requests.results.denied.third_party",
	    "requests.results.denied.internal_affairs",
	    "requests.results.denied.process_info",
	    "requests.results.denied.enforcement_files",
	    "requests.results.denied.query_matters",
	    "requests.results.unavailable.not_held",
	    "requests.results.unavailable.needs_creation",
	    "requests.results.unavailable.unclear",
	    "requests.results.not_processed.petition",
	    "requests.results.not_processed.duplicate",
	    "requests.results.not_processed.publications",
	    "requests.results.not_processed.excessive",
	    "requests.results.not_processed.confirm_existing",
	    "requests.results.other.other",
	    "requests.results.total",
	    "requests.carried_forward"};
	json_t *rec =
	    parse_rows("樟树市2020年政府信息公开工作年度报告", req2019, NULL);

	(void)state;
	for (size_t i = 0; i < NB_NELEM(paths); i++)
		for (size_t c = 0; c < 7; c++)
			if (at(rec, paths[i], c) != (json_int_t)i + 1)
				fail_msg("%s[%zu] = %lld, want %zu", paths[i],
				         c, (long long)at(rec, paths[i], c),
				         i + 1);
	assert_false(has_path(rec, "requests.results.other.no_correction"));
	json_decref(rec);
}

/* 2021 spellings: 总计, 只计, 信访举报投诉类, three （六） sub-rows. */
static void
test_labels_2021_requests(void **state)
{
	static const char *const rows[] = {
	    "（本列数据的勾稽关系为：第一项加第二项之和）|申请人情况",
	    "|自然人|法人或其他组织|总计",
	    "||商业企业|科研机构|社会公益组织|法律服务机构|其他|",
	    ROW7("三、本年度办理结果|（二）部分公开（区分处理的，只计这一情形，"
	         "不计其他情形）",
	         "4"),
	    ROW7("|（五）不予处理|1.信访举报投诉类申请", "16"),
	    ROW7("|（六）其他处理|1.申请人无正当理由逾期不补正、行政机关不再"
	         "处理其政府信息公开申请",
	         "30"),
	    ROW7("||2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其"
	         "政府信息公开申请",
	         "31"),
	    ROW7("||3.其他", "32"),
	    NULL};
	json_t *rec =
	    parse_rows("樟树市2021年政府信息公开工作年度报告", rows, NULL);

	(void)state;
	assert_int_equal(at(rec, "requests.results.partially_granted", 0), 4);
	assert_int_equal(at(rec, "requests.results.not_processed.petition", 6),
	                 16);
	assert_int_equal(at(rec, "requests.results.other.no_correction", 3),
	                 30);
	assert_int_equal(at(rec, "requests.results.other.no_fee_paid", 3), 31);
	assert_int_equal(at(rec, "requests.results.other.other", 3), 32);
	json_decref(rec);
}

/* A 2021 report that kept the single （六）其他处理 row. */
static void
test_single_other_row_2021(void **state)
{
	static const char *const rows[] = {
	    "信息内容|本年制发件数|本年废止件数|现行有效件数",
	    "规章|1|2|3",
	    "",
	    "|自然人|法人或其他组织|总计",
	    ROW7("|（六）其他处理", "9"),
	    NULL};
	json_t *rec =
	    parse_rows("樟树市2022年政府信息公开工作年度报告", rows, NULL);

	(void)state;
	assert_string_equal(json_string_value(json_object_get(rec, "template")),
	                    "2021");
	assert_int_equal(at(rec, "requests.results.other.other", 0), 9);
	assert_false(has_path(rec, "requests.results.other.no_correction"));
	json_decref(rec);
}

/* 规    章 with spaces, 规范性文件 for 行政规范性文件, 处理决定数量 under
 * several headers, 本年增/减 with a minus, units in header and cell. */
static void
test_labels_active_2019(void **state)
{
	static const char *const rows[] = {
	    "第二十条第(一)项",
	    "信息内容|本年新\n制作数量|本年新\n公开数量|对外公开\n总数量",
	    "规    章|1|2|3",
	    "规范性文件|4|5|6",
	    "第二十条第（五）项",
	    "信息内容|上一年项目数量|本年增/减|处理决定数量",
	    "行政许可|7|8|9",
	    "其他对外管理服务事项|10|－2|11",
	    "第二十条第（六）项",
	    "信息内容|上一年项目数量|本年增/减|处理决定数量",
	    "行政处罚|12|13|14",
	    "行政强制|15|16|17",
	    "信息内容|上一年项目数量|本年增/减",
	    "行政事业性收费|18|-2",
	    "信息内容|采购项目数量|采购总金额",
	    "政府集中采购|19|251000元",
	    NULL};
	json_t *rec =
	    parse_rows("樟树市2020年政府信息公开工作年度报告", rows, NULL);
	json_t *amt;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(rec, "template")),
	                    "2019");
	assert_int_equal(at(rec, "active.rules.new_made", 0), 1);
	assert_int_equal(at(rec, "active.rules.total_published", 0), 3);
	assert_int_equal(at(rec, "active.normative_docs.new_published", 0), 5);
	assert_int_equal(at(rec, "active.licensing.decisions", 0), 9);
	assert_int_equal(at(rec, "active.other_services.change", 0), -2);
	assert_int_equal(at(rec, "active.punishment.decisions", 0), 14);
	assert_int_equal(at(rec, "active.compulsion.prev_items", 0), 15);
	assert_int_equal(at(rec, "active.fees.change", 0), -2);
	assert_false(has_path(rec, "active.fees.decisions"));
	assert_int_equal(at(rec, "active.procurement.items", 0), 19);
	amt = json_object_get(
	    json_object_get(json_object_get(rec, "active"), "procurement"),
	    "amount");
	assert_int_equal(json_integer_value(json_object_get(amt, "value")),
	                 251000);
	assert_string_equal(json_string_value(json_object_get(amt, "unit")),
	                    "元");
	json_decref(rec);
}

/* Non-numbers are null with a warning naming the cell; blank is null. */
static void
test_non_numbers(void **state)
{
	static const char *const rows[] = {
	    "信息内容|本年制发件数|本年废止件数|现行有效件数", "规章|无| |—",
	    "信息内容|本年收费金额（单位：万元）", "行政事业性收费|/", NULL};
	json_t *rec =
	    parse_rows("樟树市2021年政府信息公开工作年度报告", rows, NULL);
	json_t *w = json_object_get(rec, "warnings");
	json_t *rules =
	    json_object_get(json_object_get(rec, "active"), "rules");

	(void)state;
	assert_true(json_is_null(json_object_get(rules, "made")));
	assert_true(json_is_null(json_object_get(rules, "repealed")));
	assert_true(json_is_null(json_object_get(rules, "in_force")));
	assert_int_equal(json_array_size(w), 3);
	assert_string_equal(json_string_value(json_array_get(w, 0)),
	                    "cell active.rules.made not a number: '无'");
	assert_string_equal(json_string_value(json_array_get(w, 1)),
	                    "cell active.rules.in_force not a number: '—'");
	assert_string_equal(json_string_value(json_array_get(w, 2)),
	                    "cell active.fees.amount not a number: '/'");
	json_decref(rec);
}

/* Short rows: left to right, the rest null; checks not passed. */
static void
test_short_rows(void **state)
{
	static const char *const rows[] = {"|自然人|法人或其他组织|总计",
	                                   "本年新收政府信息公开申请数量|1|2|3",
	                                   NULL};
	json_t *rec =
	    parse_rows("樟树市2021年政府信息公开工作年度报告", rows, NULL);
	json_t *nw = json_object_get(json_object_get(rec, "requests"), "new");
	json_t *checks = json_object_get(rec, "checks");

	(void)state;
	assert_int_equal(json_array_size(nw), 7);
	assert_int_equal(json_integer_value(json_array_get(nw, 2)), 3);
	assert_true(json_is_null(json_array_get(nw, 3)));
	assert_true(json_is_null(json_array_get(nw, 6)));
	/* the only check is new's row total, which cannot be evaluated */
	assert_int_equal(json_array_size(checks), 1);
	assert_true(
	    json_is_null(json_object_get(json_array_get(checks, 0), "ok")));
	json_decref(rec);
}

/* Words of the report's rows in some other table are not its rows. */
static void
test_foreign_tables(void **state)
{
	static const char *const rows[] = {
	    "事项|数量",
	    "信访举报投诉类申请|12",
	    "行政许可|5",
	    "要求行政机关确认|3",
	    "",
	    "|自然人|法人或其他组织|总计",
	    ROW7("本年新收政府信息公开申请数量", "1"),
	    NULL};
	json_t *rec =
	    parse_rows("樟树市2021年政府信息公开工作年度报告", rows, NULL);

	(void)state;
	assert_false(has_path(rec, "active"));
	assert_false(has_path(rec, "requests.results"));
	assert_int_equal(at(rec, "requests.new", 6), 1);
	json_decref(rec);
}

/* The template comes from headers, "unknown" (with a warning) if none. */
static void
test_template_unknown(void **state)
{
	static const char *const rows[] = {
	    "|自然人|法人或其他组织|总计",
	    ROW7("本年新收政府信息公开申请数量", "1"), NULL};
	json_t *rec =
	    parse_rows("樟树市2021年政府信息公开工作年度报告", rows, NULL);
	json_t *w = json_object_get(rec, "warnings");

	(void)state;
	assert_string_equal(json_string_value(json_object_get(rec, "template")),
	                    "unknown");
	assert_int_equal(json_array_size(w), 1);
	assert_non_null(
	    strstr(json_string_value(json_array_get(w, 0)), "template"));
	json_decref(rec);
}

/* ---- HTML: spans, runs, charsets ---- */

static const char html_table[] =
    "<table border=1>"
    "<tr><td colspan=4><p class=MsoNormal><span>第二十条第（一）项</span>"
    "</p></td></tr>"
    "<tr><td><span>信息</span><span>内容</span></td>"
    "<td>本年<br/>制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>"
    "<tr><td>规<span>&nbsp;&nbsp;</span>章</td><td>&nbsp;1</td>"
    "<td><o:p> </o:p></td><td>3</td></tr>"
    "<tr><td>行政规范性文件</td><td>2</td><td>0</td><td>2</td></tr>"
    "<tr><td colspan=4>第二十条第（五）项</td></tr>"
    "<tr><td>信息内容</td><td colspan=3>本年处理决定数量</td></tr>"
    "<tr><td colspan=2>行政许可</td><td colspan=2>1<span>1</span>"
    "<span>138</span></td></tr>"
    "</table>"
    /* the requests table, header and data rows spanning differently */
    "<table>"
    "<tr><td colspan=3 rowspan=2></td><td rowspan=2>自然人</td>"
    "<td colspan=5>法人或其他组织</td><td rowspan=2>总计</td></tr>"
    "<tr><td>商业<br>企业</td><td>科研机构</td><td>社会公益组织</td>"
    "<td>法律服务机构</td><td>其他</td></tr>"
    "<tr><td colspan=2>一、本年新收政府信息公开申请数量</td><td></td>"
    "<td>5</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td>"
    "<td>6</td></tr>"
    "<tr><td rowspan=2>三、本年度办理结果</td>"
    "<td colspan=2>（一）予以公开</td>"
    "<td>4</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td>"
    "<td>5</td></tr>"
    "<tr><td colspan=2>（七）总计</td><td>4</td><td>1</td><td>0</td>"
    "<td>0</td><td>0</td><td>0</td></tr>"
    "</table>";

static void
check_html_record(const json_t *rec)
{
	assert_string_equal(json_string_value(json_object_get(rec, "template")),
	                    "2021");
	assert_string_equal(json_string_value(json_object_get(rec, "agency")),
	                    "樟树市人民政府");
	assert_int_equal(at(rec, "year", 0), 2021);
	assert_int_equal(at(rec, "active.rules.made", 0), 1);
	assert_true(json_is_null(json_object_get(
	    json_object_get(json_object_get(rec, "active"), "rules"),
	    "repealed")));
	assert_int_equal(at(rec, "active.rules.in_force", 0), 3);
	assert_int_equal(at(rec, "active.normative_docs.in_force", 0), 2);
	assert_int_equal(at(rec, "active.licensing.decisions", 0), 11138);
	assert_int_equal(at(rec, "requests.new", 0), 5);
	assert_int_equal(at(rec, "requests.new", 6), 6);
	assert_int_equal(at(rec, "requests.results.granted", 1), 1);
	assert_int_equal(at(rec, "requests.results.total", 0), 4);
	/* total is missing from the short row */
	assert_true(json_is_null(json_array_get(
	    json_object_get(
	        json_object_get(json_object_get(rec, "requests"), "results"),
	        "total"),
	    6)));
}

static void
test_html_spans(void **state)
{
	struct indexer_ctx *ctx = th_ctx();
	char page[8192];
	json_t *rec;
	struct indexer_status st;

	(void)state;
	snprintf(page, sizeof(page),
	         "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
	         "<title>x</title></head><body><div id=zoomcon>"
	         "<p align=center><span>樟树市2021年政府信息</span>"
	         "<span>公开工作年度报告</span></p>%s</div></body></html>",
	         html_table);
	assert_int_equal(
	    th_parse(ctx, page, strlen(page), NULL, NULL, &rec, &st), 0);
	assert_int_equal(st.format, INDEXER_FMT_HTML);
	check_html_record(rec);
	json_decref(rec);
	indexer_ctx_free(ctx);
}

/* GBK declared only in <meta>; GB2312 only in the HTTP header. */
static void
test_html_gbk(void **state)
{
	struct indexer_ctx *ctx = th_ctx();
	char page[8192], *gbk;
	size_t len;
	json_t *rec;

	(void)state;
	snprintf(page, sizeof(page),
	         "<html><head><meta http-equiv=\"Content-Type\" "
	         "content=\"text/html; charset=gbk\"></head><body>"
	         "<p>樟树市2021年政府信息公开工作年度报告</p>%s</body></html>",
	         html_table);
	assert_int_equal(
	    charset_to_utf8("UTF-8", page, strlen(page), 1 << 20, &gbk, &len),
	    0);
	free(gbk);
	{
		/* UTF-8 -> GBK with iconv, as a GBK site would serve it */
		iconv_t cd = iconv_open("GBK", "UTF-8");
		char *in = page, *out, *o;
		size_t il = strlen(page), ol = 2 * il;

		assert_true(cd != (iconv_t)-1);
		gbk = o = malloc(ol);
		assert_non_null(gbk);
		assert_true(iconv(cd, &in, &il, &o, &ol) != (size_t)-1);
		iconv_close(cd);
		len = o - gbk;
		out = gbk;
		assert_false(charset_is_utf8(out, len));
	}
	assert_int_equal(th_parse(ctx, gbk, len, NULL, NULL, &rec, NULL), 0);
	check_html_record(rec);
	json_decref(rec);
	/* the same bytes, charset only in the HTTP header */
	assert_int_equal(th_parse(ctx, gbk, len, "text/html; charset=GB2312",
	                          NULL, &rec, NULL),
	                 0);
	check_html_record(rec);
	json_decref(rec);
	free(gbk);
	indexer_ctx_free(ctx);
}

static void
test_charset_detect(void **state)
{
	char cs[40];

	(void)state;
	charset_detect(NULL,
	               "\xEF\xBB\xBF"
	               "abc",
	               6, cs, sizeof(cs));
	assert_string_equal(cs, "UTF-8");
	charset_detect("text/html; charset=\"GBK\"", "abc", 3, cs, sizeof(cs));
	assert_string_equal(cs, "GB18030");
	charset_detect(NULL, "<meta charset='gb2312'>", 23, cs, sizeof(cs));
	assert_string_equal(cs, "GB18030");
	charset_detect(NULL, "<META CONTENT=\"text/html;charset=GB18030\">", 42,
	               cs, sizeof(cs));
	assert_string_equal(cs, "GB18030");
	/* declared UTF-8, served GBK: 樟树 in GBK */
	charset_detect(NULL, "<meta charset=utf-8>\xd5\xc1\xca\xf7", 24, cs,
	               sizeof(cs));
	assert_string_equal(cs, "GB18030");
	charset_detect(NULL, "plain \xe6\xa8\x9f", 9, cs, sizeof(cs));
	assert_string_equal(cs, "UTF-8");
	/* a server's Latin-1 default says nothing about a Chinese page */
	charset_detect("text/html; charset=ISO-8859-1", "\xd5\xc1\xca\xf7", 4,
	               cs, sizeof(cs));
	assert_string_equal(cs, "GB18030");
	charset_detect("text/html; charset=iso-8859-1", "\xe6\xa8\x9f", 3, cs,
	               sizeof(cs));
	assert_string_equal(cs, "UTF-8");
	charset_detect(NULL, "<meta charset=big5>", 19, cs, sizeof(cs));
	assert_string_equal(cs, "BIG5");
	/* the first <meta charset> wins; a second one in the body does not */
	charset_detect(NULL, "<meta charset=utf-8><body><meta charset=gbk>", 44,
	               cs, sizeof(cs));
	assert_string_equal(cs, "UTF-8");
}

static void
test_charset_convert(void **state)
{
	char *out;
	size_t len;

	(void)state;
	/* invalid UTF-8 bytes become U+FFFD, never pass through */
	assert_int_equal(charset_to_utf8("UTF-8",
	                                 "a\xff"
	                                 "b\xe6\xa8",
	                                 5, 100, &out, &len),
	                 0);
	assert_string_equal(out, "a\xEF\xBF\xBD"
	                         "b"
	                         "\xEF\xBF\xBD\xEF\xBF\xBD");
	free(out);
	assert_int_equal(
	    charset_to_utf8("GB18030", "\xd5\xc1\xca\xf7", 4, 100, &out, &len),
	    0);
	assert_string_equal(out, "樟树");
	free(out);
	/* a truncated double-byte character at the end */
	assert_int_equal(
	    charset_to_utf8("GB18030", "\xd5\xc1\xca", 3, 100, &out, &len), 0);
	assert_string_equal(out, "樟\xEF\xBF\xBD");
	free(out);
	assert_int_equal(
	    charset_to_utf8("GB18030", "\xd5\xc1\xca\xf7", 4, 3, &out, &len),
	    NB_ETOOBIG);
	assert_int_equal(
	    charset_to_utf8("NO-SUCH-CHARSET", "x", 1, 10, &out, &len),
	    NB_EINVAL);
}

/* ---- .docx: gridSpan, vMerge, runs ---- */

#define TC(x) "<w:tc><w:p><w:r><w:t>" x "</w:t></w:r></w:p></w:tc>"
#define TCS(n, x)                                                              \
	"<w:tc><w:tcPr><w:gridSpan w:val=\"" #n "\"/></w:tcPr><w:p><w:r>"      \
	"<w:t>" x "</w:t></w:r></w:p></w:tc>"
#define TCM(v, x)                                                              \
	"<w:tc><w:tcPr><w:vMerge " v "/></w:tcPr><w:p><w:r><w:t>" x            \
	"</w:t></w:r></w:p></w:tc>"

static void
test_docx(void **state)
{
	static const char body[] =
	    "<w:p><w:r><w:t>樟树市机关事务管理局2020年政府</w:t></w:r></w:p>"
	    "<w:p><w:r><w:t>信息公开工作</w:t></w:r><w:r><w:t>年度报告</w:t>"
	    "</w:r></w:p>"
	    "<w:tbl>"
	    "<w:tr>" TC("信息内容") TC("本年新制作数量") TC("本年新公开数量") TC(
	        "对外公开总数量") "</w:tr>"
	                          "<w:tr>" TC("规章") TC("0") TC("0") TC(
	                              "0") "</w:tr>"
	                                   "</w:tbl>"
	                                   "<w:tbl>"
	                                   "<w:tr>" TCS(3, "") TC("自然人") TCS(
	                                       5, "法人或其他组织")
	                                       TC("合计") "</w:tr>"
	                                                  "<w:tr>" TCM(
	                                                      "w:val="
	                                                      "\"restart\"",
	                                                      "三、本年度办理结"
	                                                      "果") TCM("w:val="
	                                                                "\"rest"
	                                                                "art\"",
	                                                                "（三）"
	                                                                "不予公"
	                                                                "开") TC("1.属于国家秘密")
	                                                      TC("1") TC("2") TC("3") TC(
	                                                          "4") TC("5") TC("6")
	                                                          TC("21") "</"
	                                                                   "w:"
	                                                                   "tr>"
	                                                                   "<w:"
	                                                                   "tr"
	                                                                   ">" TCM("", "") TCM(
	                                                                       "",
	                                                                       "") "<w:tc><w:p><w:r><w:t>2.其他法律</w:t></w:r><w:r><w:t>行政"
	                                                                           "法规禁止公开</w:t></w:r></w:p></w:tc>" TC(
	                                                                               "7")
	                                                                               TC("1") TC("1") TC(
	                                                                                   "1") TC("1")
	                                                                                   TC("1") "<w:tc><w:p><w:r><w:t>1</w:t></w:r><w:r><w:t>2</w:t></w:r>"
	                                                                                           "</w:p></w:tc></w:tr>"
	                                                                                           "<w:tr>" TCM(
	                                                                                               "",
	                                                                                               "") TCS(2, "（六）其他处理")
	                                                                                               TC("0")
	                                                                                                   TC("0") TC("0") TC(
	                                                                                                       "0") TC("0")
	                                                                                                       TC("0")
	                                                                                                           TC("0") "</w:tr>"
	                                                                                                                   "</w:tbl>";
	struct indexer_ctx *ctx = th_ctx();
	struct indexer_status st;
	size_t len;
	void *docx = th_docx(body, &len);
	json_t *rec;

	(void)state;
	assert_int_equal(th_parse(ctx, docx, len, NULL, NULL, &rec, &st), 0);
	assert_int_equal(st.format, INDEXER_FMT_DOCX);
	assert_string_equal(
	    json_string_value(json_object_get(rec, "title")),
	    "樟树市机关事务管理局2020年政府信息公开工作年度报告");
	assert_string_equal(json_string_value(json_object_get(rec, "template")),
	                    "2019");
	assert_int_equal(at(rec, "requests.results.denied.state_secret", 6),
	                 21);
	assert_int_equal(at(rec, "requests.results.denied.law_prohibited", 0),
	                 7);
	assert_int_equal(at(rec, "requests.results.denied.law_prohibited", 6),
	                 12);
	assert_int_equal(at(rec, "requests.results.other.other", 0), 0);
	json_decref(rec);
	/* the grids themselves: gridSpan widens, vMerge continues down */
	{
		struct indexer_input in = {.data = docx, .len = len};
		const struct indexer_grid *g;
		struct indexer_doc *doc;
		size_t r0, c0;

		assert_int_equal(indexer_doc_read(&in, &doc, NULL), 0);
		assert_int_equal(indexer_doc_ngrids(doc), 2);
		assert_null(indexer_doc_grid(doc, 2));
		g = indexer_doc_grid(doc, 1);
		assert_int_equal(indexer_grid_nrows(g), 4);
		assert_int_equal(indexer_grid_ncols(g), 10);
		assert_string_equal(indexer_grid_at(g, 0, 5, &r0, &c0),
		                    "法人或其他组织");
		assert_int_equal(c0, 4);
		assert_string_equal(indexer_grid_at(g, 3, 0, &r0, &c0),
		                    "三、本年度办理结果");
		assert_int_equal(r0, 1);
		assert_string_equal(indexer_grid_at(g, 2, 1, &r0, &c0),
		                    "（三）不予公开");
		assert_int_equal(r0, 1);
		assert_string_equal(indexer_grid_at(g, 3, 1, &r0, &c0),
		                    "（六）其他处理");
		assert_int_equal(r0, 3);
		indexer_doc_free(doc);
	}
	free(docx);
	indexer_ctx_free(ctx);
}

/* A one-column table is a text frame: its lines are paragraphs. */
static void
test_docx_frame(void **state)
{
	static const char
	    body
	        [] =
	            "<w:tbl><w:tr>" TC("樟树市2021年政府信息公开工作年度报告") "</w:tr><w:tr>" TC(
	                "行政处罚") "</w:tr></w:tbl>"
	                            "<w:tbl>"
	                            "<w:tr>" TC("信息内容") TC("本年制发件数")
	                                TC("本年废止件数") TC(
	                                    "现行有效件数") "</w:tr>"
	                                                    "<w:tr>" TC(
	                                                        "规章") TC("1")
	                                                        TC("2") TC(
	                                                            "3") "</"
	                                                                 "w:tr>"
	                                                                 "</"
	                                                                 "w:"
	                                                                 "tbl>";
	struct indexer_ctx *ctx = th_ctx();
	size_t len;
	void *docx = th_docx(body, &len);
	json_t *rec;

	(void)state;
	assert_int_equal(th_parse(ctx, docx, len, NULL, NULL, &rec, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(rec, "title")),
	                    "樟树市2021年政府信息公开工作年度报告");
	assert_false(has_path(rec, "active.punishment"));
	assert_int_equal(at(rec, "active.rules.in_force", 0), 3);
	json_decref(rec);
	free(docx);
	indexer_ctx_free(ctx);
}

/* The grid API a PDF reader uses: spans expanded, origins kept. */
static void
test_grid_api(void **state)
{
	struct indexer_grid *g;
	size_t r0, c0;

	(void)state;
	assert_int_equal(indexer_grid_new(&g), 0);
	assert_int_equal(indexer_grid_row(g), 0);
	assert_int_equal(indexer_grid_cell(g, "A", 1, 2, 2), 0);
	assert_int_equal(indexer_grid_cell(g, "B", 1, 1, 1), 0);
	assert_int_equal(indexer_grid_row(g), 0);
	assert_int_equal(indexer_grid_cell(g, "C", 1, 1, 1), 0);
	assert_int_equal(indexer_grid_row(g), 0);
	assert_int_equal(indexer_grid_cell(g, "D\xff", 2, 0, 500), 0);
	assert_int_equal(indexer_grid_nrows(g), 3);
	assert_int_equal(indexer_grid_ncols(g), INDEXER_MAX_SPAN);
	assert_string_equal(indexer_grid_at(g, 1, 1, &r0, &c0), "A");
	assert_int_equal(r0, 0);
	assert_int_equal(c0, 0);
	assert_string_equal(indexer_grid_at(g, 1, 2, &r0, &c0), "C");
	assert_int_equal(r0, 1);
	assert_int_equal(c0, 2);
	assert_null(indexer_grid_at(g, 0, 3, NULL, NULL)); /* absent */
	assert_string_equal(indexer_grid_at(g, 2, 5, NULL, NULL),
	                    "D\xEF\xBF\xBD");
	assert_null(indexer_grid_at(g, 9, 0, NULL, NULL));
	indexer_grid_free(g);
}

/* ---- titles, agencies, regions, years ---- */

struct title_case {
	const char *title; /* lines separated by \n */
	const char *hint;
	const char *agency, *region;
	int year;
	const char *want_title; /* NULL: the lines joined */
};

static const struct title_case titles[] = {
    {"樟树市2021年政府信息公开工作年度报告", NULL, "樟树市人民政府", "樟树市",
     2021, NULL},
    {"樟树市洋湖乡2023年政府信息公开工作\n年度报告", NULL,
     "樟树市洋湖乡人民政府", "樟树市", 2023, NULL},
    {"瑞金市人民政府办公室\n\n2021年政府信息公开工作年度报告", NULL,
     "瑞金市人民政府办公室", "瑞金市", 2021, NULL},
    {"樟树市机关事务管理局2020年政府\n信息公开工作年度报告", NULL,
     "樟树市机关事务管理局", "樟树市", 2020, NULL},
    {"高安市2020年度政府信息公开工作年度报告", NULL, "高安市人民政府", "高安市",
     2020, NULL},
    {"樟树市２０２２年政府信息公开工作年度报告", NULL, "樟树市人民政府",
     "樟树市", 2022, "樟树市2022年政府信息公开工作年度报告"},
    {"樟树市人民政府二〇二一年政府信息公开工作年度报告", NULL, "樟树市人民政府",
     "樟树市", 2021, NULL},
    {"樟树市政府2021年政府信息公开工作年度报告", NULL, "樟树市人民政府",
     "樟树市", 2021, NULL},
    {"市政府2021年政府信息公开工作年度报告", "樟树市", "樟树市人民政府",
     "樟树市", 2021, NULL},
    {"市政府办公室2022年政府信息公开工作年度报告", "zhangshu",
     "樟树市人民政府办公室", "樟树市", 2022, NULL},
    {"市政府办公室2022年政府信息公开工作年度报告", "ruijin",
     "瑞金市人民政府办公室", "瑞金市", 2022, NULL},
    {"洋湖乡2023年政府信息公开工作年度报告", "樟树市", "樟树市洋湖乡人民政府",
     "樟树市", 2023, NULL},
    {"樟树市机关事务局2021年政府信息公开工作年度报告", NULL,
     "樟树市机关事务管理局", "樟树市", 2021, NULL},
    {"市机关事务管理局2021年政府信息公开工作年度报告", "樟树市",
     "樟树市机关事务管理局", "樟树市", 2021, NULL},
    {"樟树市人民政府办公室2022年政府信息公开工作年度报告", NULL,
     "樟树市人民政府办公室", "樟树市", 2022, NULL},
    {"丰城市2019年政府信息公开年报", NULL, "丰城市人民政府", "丰城市", 2019,
     NULL},
    {"铅山县2022年政府信息公开工作年度报告", NULL, "铅山县人民政府", "铅山县",
     2022, NULL},
    {"樟树市审计局关于2022年政府信息公开工作年度报告", NULL, "樟树市审计局",
     "樟树市", 2022, NULL},
    {"樟树市大桥街道2022年政府信息公开工作年度报告", NULL,
     "樟树市大桥街道办事处", "樟树市", 2022, NULL},
    {"高安市筠阳街道\n2023年政府信息公开工作年度报告", NULL,
     "高安市筠阳街道办事处", "高安市", 2023, NULL},
    {"樟树市 2021 年政府信息公开工作年度报告", NULL, "樟树市人民政府", "樟树市",
     2021, "樟树市2021年政府信息公开工作年度报告"},
    {"高安市人民政府\n二〇二〇年度政府信息公开工作年度报告", NULL,
     "高安市人民政府", "高安市", 2020, NULL},
    {"樟树市张家山街道办事处2021年度政府信息公开工作报告", NULL,
     "樟树市张家山街道办事处", "樟树市", 2021, NULL},
    {"宜春市2021年政府信息公开工作年度报告", NULL, "宜春市人民政府", "宜春市",
     2021, NULL},
    {"市政府2021年政府信息公开工作年度报告", NULL, "市政府", NULL, 2021, NULL},
};

static void
test_titles(void **state)
{
	static const char *const rows[] = {
	    "信息内容|本年制发件数|本年废止件数|现行有效件数", "规章|1|2|3",
	    NULL};

	(void)state;
	for (size_t i = 0; i < NB_NELEM(titles); i++) {
		const struct title_case *t = &titles[i];
		json_t *rec = parse_rows(t->title, rows, t->hint);
		const char *agency =
		    json_string_value(json_object_get(rec, "agency"));
		const char *region =
		    json_string_value(json_object_get(rec, "region"));
		const char *title =
		    json_string_value(json_object_get(rec, "title"));
		char joined[512];
		size_t k = 0;

		for (const char *p = t->title; *p; p++)
			if (*p != '\n')
				joined[k++] = *p;
		joined[k] = '\0';
		if (agency == NULL || strcmp(agency, t->agency) != 0)
			fail_msg("'%s': agency %s, want %s", t->title,
			         agency ? agency : "(none)", t->agency);
		if (t->region == NULL
		        ? region != NULL
		        : region == NULL || strcmp(region, t->region) != 0)
			fail_msg("'%s': region %s, want %s", t->title,
			         region ? region : "(none)",
			         t->region ? t->region : "(none)");
		if (at(rec, "year", 0) != t->year)
			fail_msg("'%s': year %lld, want %d", t->title,
			         (long long)at(rec, "year", 0), t->year);
		assert_string_equal(title,
		                    t->want_title ? t->want_title : joined);
		json_decref(rec);
	}
}

/* Year only in the body, or only in the publication date. */
static void
test_year_fallbacks(void **state)
{
	static const char *const rows[] = {
	    "信息内容|本年制发件数|本年废止件数|现行有效件数", "规章|1|2|3",
	    NULL};
	struct indexer_ctx *ctx = th_ctx();
	struct indexer_doc *doc;
	struct indexer_input in = {0};
	struct indexer_match_opts mo = {0};
	char *text = text_doc("樟树市统计局政府信息公开工作年度报告", rows);
	json_t *rec;

	(void)state;
	/* "本报告依据条例编制。" has no year: the publication date decides */
	in.data = text;
	in.len = strlen(text);
	assert_int_equal(indexer_doc_read(&in, &doc, NULL), 0);
	mo.published = "2022-01-20";
	assert_int_equal(indexer_doc_record(ctx, doc, &mo, &rec, NULL), 0);
	assert_int_equal(at(rec, "year", 0), 2021);
	assert_non_null(strstr(json_string_value(json_array_get(
	                           json_object_get(rec, "warnings"), 0)),
	                       "publication date"));
	json_decref(rec);
	indexer_doc_free(doc);
	free(text);
	/* no agency in the title: the opening paragraph names it */
	text =
	    text_doc("2021年政府信息公开工作年度报告\n本报告依据《条例》要求，"
	             "由樟树市机关事务管理局编制。",
	             rows);
	in.data = text;
	in.len = strlen(text);
	assert_int_equal(indexer_doc_read(&in, &doc, NULL), 0);
	assert_int_equal(indexer_doc_record(ctx, doc, &mo, &rec, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(rec, "agency")),
	                    "樟树市机关事务管理局");
	assert_int_equal(at(rec, "year", 0), 2021);
	json_decref(rec);
	indexer_doc_free(doc);
	free(text);
	/* a year in the opening paragraph beats the publication date */
	text = text_doc(
	    "樟树市统计局政府信息公开工作年度报告\n2020年，我局……。", rows);
	in.data = text;
	in.len = strlen(text);
	assert_int_equal(indexer_doc_read(&in, &doc, NULL), 0);
	assert_int_equal(indexer_doc_record(ctx, doc, &mo, &rec, NULL), 0);
	assert_int_equal(at(rec, "year", 0), 2020);
	json_decref(rec);
	indexer_doc_free(doc);
	free(text);
	indexer_ctx_free(ctx);
}

/* ArticleTitle and ContentSource from the page's meta tags. */
static void
test_meta(void **state)
{
	static const char page[] =
	    "<html><head><meta name=\"ArticleTitle\" "
	    "content=\"2021年政府信息公开工作年度报告\">"
	    "<meta name=\"ContentSource\" content=\"樟树市人民政府办公室\">"
	    "<meta name=\"PubDate\" content=\"2022-01-20 09:30\"></head>"
	    "<body><div>首页&gt;政务公开&gt;政府信息公开年报</div>"
	    "<table><tr><td>信息内容</td><td>本年制发件数</td>"
	    "<td>本年废止件数</td><td>现行有效件数</td></tr>"
	    "<tr><td>规章</td><td>1</td><td>0</td><td>1</td></tr></table>"
	    "</body></html>";
	struct indexer_ctx *ctx = th_ctx();
	json_t *rec;

	(void)state;
	assert_int_equal(
	    th_parse(ctx, page, strlen(page), NULL, NULL, &rec, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(rec, "agency")),
	                    "樟树市人民政府办公室");
	assert_string_equal(json_string_value(json_object_get(rec, "title")),
	                    "2021年政府信息公开工作年度报告");
	assert_int_equal(at(rec, "year", 0), 2021);
	json_decref(rec);
	/* a capture's publication date comes from PubDate, date part only */
	{
		struct indexer_input in = {.data = page,
		                           .len = strlen(page),
		                           .url = "http://h/a.shtml",
		                           .content_type = "text/html; "
		                                           "charset=UTF-8"};
		json_t *src;

		assert_int_equal(indexer_parse(ctx, &in, &rec, NULL), 0);
		src = json_object_get(rec, "source");
		assert_string_equal(
		    json_string_value(json_object_get(src, "published")),
		    "2022-01-20");
		assert_string_equal(
		    json_string_value(json_object_get(src, "content_type")),
		    "text/html");
		assert_null(json_object_get(src, "fetched"));
		json_decref(rec);
	}
	indexer_ctx_free(ctx);
}

static void
test_normalise_api(void **state)
{
	struct indexer_ctx *ctx = th_ctx();
	const char *region = NULL;

	(void)state;
	assert_string_equal(
	    indexer_agency_normalise(ctx, "市政府", "樟树市", &region),
	    "樟树市人民政府");
	assert_string_equal(region, "樟树市");
	assert_null(indexer_agency_normalise(ctx, "市政府", "瑞金市", NULL));
	assert_null(indexer_agency_normalise(ctx, "市政府", NULL, NULL));
	assert_string_equal(
	    indexer_agency_normalise(ctx, "樟树市 政府", NULL, NULL),
	    "樟树市人民政府");
	indexer_ctx_free(ctx);
}

/* A configuration without agencies or sites: the report names itself. */
static void
test_no_agencies(void **state)
{
	struct nb_config cfg = {0};
	struct indexer_ctx *ctx;
	struct indexer_status st;
	json_t *rec;
	size_t len;
	char *text;

	(void)state;
	assert_int_equal(indexer_ctx_new(&cfg, &ctx), 0);
	text = th_read(th_src("tests/seeds/000_b28a0448acb1371b.txt"), &len);
	assert_int_equal(
	    th_parse(ctx, text, len, "text/plain", NULL, &rec, &st), 0);
	assert_string_equal(json_string_value(json_object_get(rec, "agency")),
	                    "樟树市人民政府");
	assert_int_equal(json_integer_value(json_object_get(rec, "year")),
	                 2021);
	assert_null(indexer_agency_normalise(ctx, "樟树市交通局", NULL, NULL));
	json_decref(rec);
	free(text);
	indexer_ctx_free(ctx);
}

/* A national configuration: tens of thousands of agencies and aliases. */
static void
test_many_agencies(void **state)
{
	enum { N = 40000 };
	struct nb_config cfg = {0};
	struct indexer_ctx *ctx;
	const char *region;
	char name[64];

	(void)state;
	cfg.agencies = calloc(N, sizeof(*cfg.agencies));
	assert_non_null(cfg.agencies);
	cfg.nagencies = N;
	for (int i = 0; i < N; i++) {
		struct nb_agency *a = &cfg.agencies[i];

		snprintf(name, sizeof(name), "第%d县交通运输局", i);
		a->name = strdup(name);
		snprintf(name, sizeof(name), "第%d县", i);
		a->region = strdup(name);
		a->aliases.n = 2;
		a->aliases.v = calloc(2, sizeof(char *));
		a->aliases.v[0] = strdup("县交通局");
		snprintf(name, sizeof(name), "第%d县交通局", i);
		a->aliases.v[1] = strdup(name);
	}
	assert_int_equal(indexer_ctx_new(&cfg, &ctx), 0);
	for (int i = 0; i < N; i += 997) {
		char want[64];

		snprintf(want, sizeof(want), "第%d县交通运输局", i);
		snprintf(name, sizeof(name), "第%d县交通局", i);
		assert_string_equal(
		    indexer_agency_normalise(ctx, name, NULL, &region), want);
		snprintf(name, sizeof(name), "第%d县", i);
		assert_string_equal(region, name);
		/* the region-less alias, resolved by the region given */
		assert_string_equal(
		    indexer_agency_normalise(ctx, "县交通局", name, NULL),
		    want);
	}
	assert_null(indexer_agency_normalise(ctx, "县交通局", NULL, NULL));
	indexer_ctx_free(ctx);
	for (int i = 0; i < N; i++) {
		free(cfg.agencies[i].name);
		free(cfg.agencies[i].region);
		free(cfg.agencies[i].aliases.v[0]);
		free(cfg.agencies[i].aliases.v[1]);
		free(cfg.agencies[i].aliases.v);
	}
	free(cfg.agencies);
}

static void
test_find_year(void **state)
{
	size_t pos, end;

	(void)state;
	assert_int_equal(title_find_year("樟树市2021年", &pos, &end), 2021);
	assert_int_equal(pos, 9);
	assert_int_equal(end, 16);
	assert_int_equal(title_find_year("二〇二一年", NULL, NULL), 2021);
	assert_int_equal(title_find_year("二○二○年度", NULL, NULL), 2020);
	assert_int_equal(title_find_year("第711号", NULL, NULL), 0);
	assert_int_equal(title_find_year("12021年", NULL, NULL), 0);
	assert_int_equal(title_find_year("1800年", NULL, NULL), 0);
	assert_int_equal(title_find_year("20231月1日", NULL, NULL), 0);
}

/* ---- formats ---- */

static void
test_format_detect(void **state)
{
	(void)state;
	assert_int_equal(indexer_format_detect("%PDF-1.7\n", 9),
	                 INDEXER_FMT_PDF);
	assert_int_equal(
	    indexer_format_detect("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1xxxx", 12),
	    INDEXER_FMT_DOC);
	assert_int_equal(indexer_format_detect("\xFF\xD8\xFF\xE0xx", 6),
	                 INDEXER_FMT_IMAGE);
	assert_int_equal(indexer_format_detect("\x89PNG\r\n\x1A\nxx", 10),
	                 INDEXER_FMT_IMAGE);
	assert_int_equal(indexer_format_detect("PK\x03\x04xxxx", 8),
	                 INDEXER_FMT_ZIP);
	assert_int_equal(indexer_format_detect("  <!DOCTYPE html><p>", 20),
	                 INDEXER_FMT_HTML);
	assert_int_equal(indexer_format_detect("标题\n\t规章\n", 14),
	                 INDEXER_FMT_TEXT);
	assert_int_equal(indexer_format_detect("a\0b", 3), INDEXER_FMT_BINARY);
	assert_int_equal(indexer_format_detect("plain words", 11),
	                 INDEXER_FMT_UNKNOWN);
}

/* ---- archive-level chains ---- */

static void
test_chains(void **state)
{
	json_t *y1 =
	    json_pack("{s:s,s:i,s:s,s:{s:{s:i,s:i,s:i},s:{s:i,s:i,s:n}}}",
	              "agency", "A", "year", 2021, "template", "2021", "active",
	              "rules", "made", 1, "repealed", 0, "in_force", 10,
	              "normative_docs", "made", 1, "repealed", 0, "in_force");
	json_t *y2 = json_pack(
	    "{s:s,s:i,s:s,s:{s:{s:i,s:i,s:i},s:{s:i,s:i,s:i}}}", "agency", "A",
	    "year", 2022, "template", "2021", "active", "rules", "made", 3,
	    "repealed", 1, "in_force", 12, "normative_docs", "made", 2,
	    "repealed", 0, "in_force", 5);
	json_t *p19 =
	    json_pack("{s:s,s:i,s:s,s:{s:{s:i,s:i,s:i}}}", "agency", "A",
	              "year", 2019, "template", "2019", "active", "licensing",
	              "prev_items", 10, "change", -2, "decisions", 5);
	json_t *c20 =
	    json_pack("{s:s,s:i,s:s,s:{s:{s:i,s:i,s:i}}}", "agency", "A",
	              "year", 2020, "template", "2019", "active", "licensing",
	              "prev_items", 9, "change", 0, "decisions", 5);
	json_t *out, *c;

	(void)state;
	assert_int_equal(indexer_chain_check(y1, y2, &out), 0);
	assert_int_equal(json_array_size(out), 2);
	c = json_array_get(out, 0);
	assert_string_equal(json_string_value(json_object_get(c, "rule")),
	                    "active.in_force_chain");
	assert_true(json_is_true(json_object_get(c, "ok")));
	assert_int_equal(json_integer_value(json_object_get(c, "expected")),
	                 12);
	c = json_array_get(out, 1);
	assert_true(json_is_null(json_object_get(c, "ok")));
	assert_true(json_is_null(json_object_get(c, "expected")));
	assert_int_equal(json_integer_value(json_object_get(c, "actual")), 5);
	json_decref(out);
	assert_int_equal(indexer_chain_check(p19, c20, &out), 0);
	c = json_array_get(out, 0);
	assert_string_equal(json_string_value(json_object_get(c, "rule")),
	                    "active.items_chain");
	assert_true(json_is_false(json_object_get(c, "ok")));
	assert_int_equal(json_integer_value(json_object_get(c, "expected")), 8);
	assert_int_equal(json_integer_value(json_object_get(c, "actual")), 9);
	json_decref(out);
	/* different templates share no rule; wrong years are refused */
	assert_int_equal(indexer_chain_check(c20, y1, &out), 0);
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
	assert_int_equal(indexer_chain_check(y2, y1, &out), NB_EINVAL);
	assert_int_equal(indexer_chain_check(y1, NULL, &out), NB_EINVAL);
	json_decref(y1);
	json_decref(y2);
	json_decref(p19);
	json_decref(c20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cells),
	    cmocka_unit_test(test_no_agencies),
	    cmocka_unit_test(test_clean_labels),
	    cmocka_unit_test(test_labels_2019_requests),
	    cmocka_unit_test(test_labels_2021_requests),
	    cmocka_unit_test(test_single_other_row_2021),
	    cmocka_unit_test(test_labels_active_2019),
	    cmocka_unit_test(test_non_numbers),
	    cmocka_unit_test(test_short_rows),
	    cmocka_unit_test(test_foreign_tables),
	    cmocka_unit_test(test_template_unknown),
	    cmocka_unit_test(test_html_spans),
	    cmocka_unit_test(test_html_gbk),
	    cmocka_unit_test(test_charset_detect),
	    cmocka_unit_test(test_charset_convert),
	    cmocka_unit_test(test_docx),
	    cmocka_unit_test(test_docx_frame),
	    cmocka_unit_test(test_grid_api),
	    cmocka_unit_test(test_titles),
	    cmocka_unit_test(test_year_fallbacks),
	    cmocka_unit_test(test_meta),
	    cmocka_unit_test(test_normalise_api),
	    cmocka_unit_test(test_many_agencies),
	    cmocka_unit_test(test_find_year),
	    cmocka_unit_test(test_format_detect),
	    cmocka_unit_test(test_chains),
	};

	return cmocka_run_group_tests_name("indexer units", tests, NULL, NULL);
}
