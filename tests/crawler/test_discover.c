/* test_discover - links, pagination, list data, report titles, challenge
 * pages, backoff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crawler.h"

static const struct link *
find(const struct page *p, const char *url)
{
	for (size_t i = 0; i < p->nlinks; i++)
		if (strcmp(p->links[i].url, url) == 0)
			return &p->links[i];
	return NULL;
}

static const struct link *
must(const struct page *p, const char *url)
{
	const struct link *l = find(p, url);

	if (l == NULL) {
		for (size_t i = 0; i < p->nlinks; i++)
			print_message("  have %s\n", p->links[i].url);
		fail_msg("no link %s", url);
	}
	return l;
}

static void
test_list_page(void **state)
{
	const char *html =
	    "<html><head><meta charset=utf-8><title>部门年度报告</title>"
	    "</head><body>"
	    "<ul><li><a "
	    "href=\"./202501/0123456789abcdef0123456789abcdef.shtml\""
	    " title=\"樟树市洋湖乡2023年政府信息公开工作年度报告\">"
	    "樟树市洋湖乡2023年政府信息公开...</a>"
	    "<span class=\"time\">2024-01-20</span></li>"
	    "<li><a "
	    "href='/zssrmzf/c/202401/ab.shtml'>樟树市洋湖乡2022年政府信息"
	    "公开工作年...</a></li>"
	    "<li><a href=\"/zssrmzf/c/x.shtml\">关于开展春耕工作的通知</a>"
	    "<span>2023年3月5日</span></li>"
	    "<li><a href=\"javascript:void(0)\">打印</a>"
	    "<a href=\"mailto:a@b.cn\">mail</a>"
	    "<a href=\"file:///etc/passwd\">f</a>"
	    "<a href=\"http://10.0.0.5:8080/admin\">后台</a></li>"
	    "<li><a href=\"att/report.docx\">附件</a></li>"
	    "<li><a href=\"./202501/0123456789abcdef0123456789abcdef.shtml#x\">"
	    "dup</a></li></ul>"
	    "<script>createPageHTML(4, 0, \"xxgk_list\", \"shtml\");</script>"
	    "<iframe src=\"/frame.html\"></iframe>"
	    "</body></html>";
	const char *url =
	    "http://www.zhangshu.gov.cn/zssrmzf/c/xxgk_list.shtml";
	struct page p;
	const struct link *l;

	(void)state;
	assert_int_equal(discover_html(url, html, strlen(html), &p), 0);
	assert_string_equal(p.title, "部门年度报告");
	assert_false(p.report);
	l = must(&p, "http://www.zhangshu.gov.cn/zssrmzf/c/202501/"
	             "0123456789abcdef0123456789abcdef.shtml");
	assert_string_equal(l->title,
	                    "樟树市洋湖乡2023年政府信息公开工作年度报告");
	assert_true(l->flags & LINK_REPORT);
	assert_string_equal(l->date, "2024-01-20");
	/* a title cut by the list still counts */
	l = must(&p, "http://www.zhangshu.gov.cn/zssrmzf/c/202401/ab.shtml");
	assert_true(l->flags & LINK_REPORT);
	l = must(&p, "http://www.zhangshu.gov.cn/zssrmzf/c/x.shtml");
	assert_false(l->flags & LINK_REPORT);
	assert_string_equal(l->date, "2023-03-05");
	l = must(&p, "http://www.zhangshu.gov.cn/zssrmzf/c/att/report.docx");
	assert_true(l->flags & LINK_ATTACHMENT);
	must(&p, "http://10.0.0.5:8080/admin"); /* scope is the engine's job */
	must(&p, "http://www.zhangshu.gov.cn/frame.html");
	l = must(&p, "http://www.zhangshu.gov.cn/zssrmzf/c/xxgk_list_2.shtml");
	assert_true(l->flags & LINK_LIST);
	must(&p, "http://www.zhangshu.gov.cn/zssrmzf/c/xxgk_list_3.shtml");
	must(&p, "http://www.zhangshu.gov.cn/zssrmzf/c/xxgk_list_4.shtml");
	assert_null(find(&p, "http://www.zhangshu.gov.cn/zssrmzf/c/"
	                     "xxgk_list_5.shtml"));
	assert_null(find(&p, "http://www.zhangshu.gov.cn/zssrmzf/c/"
	                     "xxgk_list_1.shtml"));
	for (size_t i = 0; i < p.nlinks; i++)
		assert_true(strncmp(p.links[i].url, "http", 4) == 0);
	/* 3 pages + list itself + 2 reports + notice + docx + admin + frame */
	assert_int_equal(p.nlinks, 10);
	page_free(&p);
}

static void
test_trs_and_meta(void **state)
{
	const char *html =
	    "<html><head><base href=\"http://www.a.gov.cn/art/\">"
	    "<meta name=\"ArticleTitle\" content=\"瑞金市人民政府办公室2021年"
	    "政府信息公开工作年度报告\">"
	    "<meta http-equiv=\"refresh\" content=\"5; URL='/moved.html'\">"
	    "<title>首页</title></head><body>"
	    "<script language=javascript>createPageHTML(3, 0, 'index', "
	    "'html');</script>"
	    "<a href=\"t20161213_357735.htm\">二〇二一年度报告</a>"
	    "<area href=\"/map.html\">"
	    "</body></html>";
	struct page p;

	(void)state;
	assert_int_equal(discover_html("http://www.a.gov.cn/x/index.html", html,
	                               strlen(html), &p),
	                 0);
	assert_string_equal(p.title, "瑞金市人民政府办公室2021年政府信息公开"
	                             "工作年度报告");
	assert_true(p.report);
	assert_string_equal(p.refresh, "http://www.a.gov.cn/moved.html");
	must(&p, "http://www.a.gov.cn/art/index_1.html");
	must(&p, "http://www.a.gov.cn/art/index_2.html");
	assert_null(find(&p, "http://www.a.gov.cn/art/index_3.html"));
	assert_true(
	    must(&p, "http://www.a.gov.cn/art/t20161213_357735.htm")->flags &
	    LINK_REPORT);
	must(&p, "http://www.a.gov.cn/map.html");
	page_free(&p);
}

static void
test_hanweb_inline(void **state)
{
	const char *html =
	    "<html><body><div id=\"4\"><script type=\"text/xml\"><datastore>"
	    "<nextgroup><![CDATA[<a href=\"/module/web/jpage/dataproxy.jsp?"
	    "page=1&webid=1&columnid=5\"></a>]]></nextgroup>"
	    "<recordset><record><![CDATA[<li><a href=\"/art/2024/1/20/"
	    "art_5_77.html\" title=\"瑞金市民政局2023年政府信息公开工作年度报告"
	    "\">x</a></li>]]></record>"
	    "<record><![CDATA[<li><a href=\"/art/2024/1/21/art_5_78.html\">"
	    "other</a></li>]]></record></recordset></datastore></script>"
	    "</div></body></html>";
	struct page p;

	(void)state;
	assert_int_equal(discover_html("http://www.ruijin.gov.cn/col/col5/"
	                               "index.html",
	                               html, strlen(html), &p),
	                 0);
	assert_true(must(&p, "http://www.ruijin.gov.cn/art/2024/1/20/"
	                     "art_5_77.html")
	                ->flags &
	            LINK_REPORT);
	must(&p, "http://www.ruijin.gov.cn/art/2024/1/21/art_5_78.html");
	must(&p, "http://www.ruijin.gov.cn/module/web/jpage/dataproxy.jsp?"
	         "page=1&webid=1&columnid=5");
	assert_null(p.title);
	page_free(&p);
}

static void
test_xml(void **state)
{
	const char *xml =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><datastore>"
	    "<totalrecord>7</totalrecord><totalpage>3</totalpage>"
	    "<recordset><record><![CDATA[<li><a href=\"/art/2024/1/20/"
	    "art_5_1.html\">a</a></li>]]></record>"
	    "<record><![CDATA[<li><a href=\"/art/2024/1/20/art_5_2.html\">b"
	    "</a></li>]]></record></recordset></datastore>";
	const char *url = "http://h.gov.cn/module/web/jpage/dataproxy.jsp?"
	                  "startrecord=1&endrecord=3&perpage=3";
	struct page p;
	const struct link *l;

	(void)state;
	assert_int_equal(
	    discover_xml(url, "col=1&columnid=5", xml, strlen(xml), &p), 0);
	must(&p, "http://h.gov.cn/art/2024/1/20/art_5_1.html");
	must(&p, "http://h.gov.cn/art/2024/1/20/art_5_2.html");
	l = must(&p, "http://h.gov.cn/module/web/jpage/dataproxy.jsp?"
	             "startrecord=4&endrecord=6&perpage=3");
	assert_true(l->flags & LINK_POST);
	assert_string_equal(l->body, "col=1&columnid=5");
	must(&p, "http://h.gov.cn/module/web/jpage/dataproxy.jsp?"
	         "startrecord=7&endrecord=9&perpage=3");
	assert_int_equal(p.nlinks, 4);
	page_free(&p);
	/* a later window does not page again */
	assert_int_equal(discover_xml("http://h.gov.cn/d.jsp?startrecord=4&"
	                              "endrecord=6",
	                              "col=1", xml, strlen(xml), &p),
	                 0);
	assert_int_equal(p.nlinks, 2);
	page_free(&p);
	assert_int_equal(discover_xml(url, NULL, "", 0, &p), NB_EPARSE);
}

static void
test_json(void **state)
{
	const char *json =
	    "{\"data\":{\"total\":45,\"results\":["
	    "{\"source\":{\"title\":\"高安市2020年政府信息公开工作年度报告\","
	    "\"pubDate\":\"2021-03-20\",\"urls\":\"{\\\"common\\\":"
	    "\\\"/gasrmzf/c/202103/aa.shtml\\\"}\"}},"
	    "{\"source\":{\"title\":\"通知\",\"url\":\"/gasrmzf/c/b.shtml\"}},"
	    "{\"source\":{\"title\":\"x\",\"url\":\"not a url\"}}]}}";
	const char *url = "http://www.gaoan.gov.cn/queryList";
	struct page p;
	const struct link *l;

	(void)state;
	assert_int_equal(discover_json(url,
	                               "{\"channelId\":\"c\",\"pageNo\":1,"
	                               "\"pageSize\":20}",
	                               json, strlen(json), &p),
	                 0);
	l = must(&p, "http://www.gaoan.gov.cn/gasrmzf/c/202103/aa.shtml");
	assert_true(l->flags & LINK_REPORT);
	assert_string_equal(l->title, "高安市2020年政府信息公开工作年度报告");
	assert_string_equal(l->date, "2021-03-20");
	l = must(&p, "http://www.gaoan.gov.cn/gasrmzf/c/b.shtml");
	assert_string_equal(l->date, "");
	/* pages 2 and 3 as POST links with the same request shape */
	assert_int_equal(p.nlinks, 4);
	assert_true(p.links[2].flags & LINK_POST);
	assert_string_equal(
	    p.links[2].body,
	    "{\"channelId\":\"c\",\"pageNo\":2,\"pageSize\":20}");
	assert_string_equal(
	    p.links[3].body,
	    "{\"channelId\":\"c\",\"pageNo\":3,\"pageSize\":20}");
	assert_string_equal(p.links[3].url, url);
	page_free(&p);
	assert_int_equal(discover_json(url, NULL, "{oops", 5, &p), NB_EPARSE);
}

static void
test_script_lists(void **state)
{
	const char *jx =
	    "<html><body><ul id=\"listContent\"></ul>"
	    "<script type=\"text/javascript\">\n"
	    "var queryData = {\"websiteId\": \"zssrmzf\", \"channelId\": "
	    "\"c0ffee\", \"pageNo\": 1, \"pageSize\": 20};\n"
	    "$.ajax({url: \"/queryList\", type: \"POST\", contentType: "
	    "\"application/json\", data: JSON.stringify(queryData), dataType: "
	    "\"json\"});\n</script></body></html>";
	const char *hw =
	    "<html><body><div id=\"7\"><script>\n"
	    "$(document).ready(function () {\n  $('#7').jpage({\n"
	    "    proxyUrl: '/module/web/jpage/dataproxy.jsp',\n"
	    "    totalRecord: 40, perPage: 10, groupSize: 3,\n"
	    "    ajaxParam: {col: 1, appid: 1, webid: 2, path: '/', "
	    "columnid: 5, unitid: '7', webname: '瑞金市人民政府', "
	    "permissiontype: 0}\n  });\n});\n</script></div></body></html>";
	struct page p;
	const struct link *l;

	(void)state;
	assert_int_equal(discover_html("http://www.zhangshu.gov.cn/zssrmzf/c/"
	                               "xxgk_list.shtml",
	                               jx, strlen(jx), &p),
	                 0);
	assert_int_equal(p.nlinks, 1);
	l = &p.links[0];
	assert_string_equal(l->url, "http://www.zhangshu.gov.cn/queryList");
	assert_true(l->flags & LINK_POST);
	assert_string_equal(l->ctype, "application/json");
	assert_string_equal(l->body,
	                    "{\"websiteId\":\"zssrmzf\",\"channelId\":"
	                    "\"c0ffee\",\"pageNo\":1,\"pageSize\":20}");
	page_free(&p);

	assert_int_equal(discover_html("http://www.ruijin.gov.cn/col/col5/"
	                               "index.html",
	                               hw, strlen(hw), &p),
	                 0);
	assert_int_equal(p.nlinks, 1);
	l = &p.links[0];
	assert_string_equal(l->url, "http://www.ruijin.gov.cn/module/web/jpage/"
	                            "dataproxy.jsp?startrecord=1&endrecord=30&"
	                            "perpage=10");
	assert_true(l->flags & LINK_POST);
	assert_string_equal(
	    l->body, "col=1&appid=1&webid=2&path=/&columnid=5&unitid=7&"
	             "webname=%E7%91%9E%E9%87%91%E5%B8%82%E4%BA%BA%E6%B0%91"
	             "%E6%94%BF%E5%BA%9C&permissiontype=0");
	page_free(&p);
}

static void
test_article_list(void **state)
{
	const char *html = "<html><body><script>var articleList = [{\"title\":"
	                   "\"丰城市2024年政府信息公开工作年度报告\",\"url\":"
	                   "\"/pc/content/9/content_9.html\"}];</script>"
	                   "</body></html>";
	struct page p;

	(void)state;
	assert_int_equal(discover_html("http://www.jxfc.gov.cn/pc/list.html",
	                               html, strlen(html), &p),
	                 0);
	assert_true(must(&p, "http://www.jxfc.gov.cn/pc/content/9/"
	                     "content_9.html")
	                ->flags &
	            LINK_REPORT);
	page_free(&p);
}

static void
test_garbage(void **state)
{
	struct page p;
	char junk[4096];

	(void)state;
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7919 % 251);
	assert_true(discover_html("http://a.cn/", junk, sizeof(junk), &p) ==
	                0 ||
	            p.nlinks == 0);
	page_free(&p);
	assert_int_equal(discover_html("http://a.cn/", "<a href=x>", 10, &p),
	                 0);
	must(&p, "http://a.cn/x");
	page_free(&p);
}

static void
test_titles(void **state)
{
	static const char *const yes[] = {
	    "樟树市2021年政府信息公开工作年度报告",
	    "樟树市洋湖乡2023年政府信息公开工作年度报告",
	    "高安市人民政府2020年度政府信息公开工作年度报告",
	    "樟树市机关事务管理局２０２０年政府信息公开工作年度报告",
	    "二〇二一年政府信息公开工作年度报告",
	    "瑞金市政府信息公开工作年度报告",
	    "2022年政务公开年报",
	    "樟树市洋湖乡2023年政府信息公开工作年...",
	    "樟树市洋湖乡2023年政府信息公开…",
	};
	static const char *const no[] = {
	    "关于开展春耕工作的通知",
	    "政府信息公开指南",
	    "樟树市2021年国民经济和社会发展统计公报",
	    "政府信息公开工作...",
	    "年度报告",
	};

	(void)state;
	for (size_t i = 0; i < NB_NELEM(yes); i++)
		if (!title_is_report(yes[i]))
			fail_msg("not a report title: %s", yes[i]);
	for (size_t i = 0; i < NB_NELEM(no); i++)
		if (title_is_report(no[i]))
			fail_msg("taken for a report: %s", no[i]);
	assert_false(title_is_report(NULL));
}

static void
test_challenge(void **state)
{
	const char *js = "<html><head><script>document.cookie=\"__tst=1a2b;"
	                 "path=/\";location.reload();</script></head>"
	                 "<body></body></html>";
	const char *js2 = "<html><script type=\"text/javascript\">var x=\"ab\";"
	                  "document.cookie='c='+x;window.location.href="
	                  "window.location.href;</script></html>";
	const char *content =
	    "<html><head><title>樟树市2021年政府信息公开工作年度报告</title>"
	    "<script>document.cookie='font=1';location.href='#';</script>"
	    "</head><body><div id=zoomcon><p>根据《中华人民共和国政府信息公开"
	    "条例》规定，现公布樟树市2021年度政府信息公开工作年度报告。本报告"
	    "由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
	    "政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、"
	    "其他需要报告的事项六部分组成。</p></div></body></html>";

	(void)state;
	assert_non_null(challenge_detect(200, js, strlen(js)));
	assert_non_null(challenge_detect(200, js2, strlen(js2)));
	assert_non_null(challenge_detect(412, "", 0));
	assert_non_null(challenge_detect(405, NULL, 0));
	assert_non_null(challenge_detect(200, "<p>安全验证</p>",
	                                 strlen("<p>安全验证</p>")));
	assert_null(challenge_detect(200, content, strlen(content)));
	assert_null(challenge_detect(200, "<html><body>hi</body></html>", 28));
	assert_null(challenge_detect(404, "", 0));
	assert_null(challenge_detect(200, NULL, 0));
}

static void
test_backoff(void **state)
{
	(void)state;
	/* within [d/2, d] for d = base * 2^(n-1) capped */
	for (uint32_t r = 0; r < 2000; r += 7) {
		long a1 = backoff_ms(1, 1000, 60000, r * 2654435761u);
		long a3 = backoff_ms(3, 1000, 60000, r * 2654435761u);
		long a20 = backoff_ms(20, 1000, 60000, r * 2654435761u);

		assert_true(a1 >= 500 && a1 <= 1000);
		assert_true(a3 >= 2000 && a3 <= 4000);
		assert_true(a20 >= 30000 && a20 <= 60000);
	}
	assert_int_equal(backoff_ms(0, 1000, 60000, 0), 500);
	assert_int_equal(backoff_ms(2, 1000, 60000, 1000), 2000);
	/* the jitter spreads */
	assert_true(backoff_ms(4, 1000, 60000, 1) !=
	            backoff_ms(4, 1000, 60000, 3001));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_list_page),
	    cmocka_unit_test(test_trs_and_meta),
	    cmocka_unit_test(test_hanweb_inline),
	    cmocka_unit_test(test_xml),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_article_list),
	    cmocka_unit_test(test_script_lists),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_titles),
	    cmocka_unit_test(test_challenge),
	    cmocka_unit_test(test_backoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
