/*
 * crawler.h - the pieces of nianbaod that decide what to fetch and what a
 * response means: URL normalisation and scope, robots.txt, discovery of
 * links, list pages and report candidates, recognition of non-content
 * (challenge) responses, retry backoff.  None of them does I/O; the engine
 * (crawl.h) drives them from its event loop.
 *
 * Caveats:
 * - Every text handed to the discovery functions must already be UTF-8
 *   (the engine converts with common/charset.h first).
 * - Strings returned through out-parameters are owned by the caller unless a
 *   comment says otherwise; structures are freed with their *_free.
 */
#ifndef NB_CRAWLER_H
#define NB_CRAWLER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "nb.h"

/* Longest URL the crawler keeps; longer ones are traps or garbage. */
#define URL_MAX 2048

/*
 * url_normalize - resolve ref against base and bring the result into the
 * one form the crawler stores: scheme and host lower-case, default port
 * dropped, dot segments removed, fragment removed, percent-escapes with
 * lower-case hex (as curl writes them), unreserved characters decoded and
 * raw non-ASCII bytes escaped, session-id parameters (jsessionid,
 * phpsessid, sid, …, and ";jsessionid=" path parameters) removed, an empty
 * query dropped; the order of the other parameters is kept.  Leading and
 * trailing blanks of ref are ignored (as browsers do).
 * @param[in] base  absolute URL, or NULL when ref must be absolute.
 * @param[out] out  the URL, malloc'd, freed by the caller.
 * Returns 0; NB_EINVAL when ref is empty, unparsable, not http/https
 * (javascript:, mailto:, file:, …), has user credentials or is longer than
 * URL_MAX; NB_ENOMEM.
 */
int url_normalize(const char *base, const char *ref, char **out);

/*
 * url_host_get - the lower-case host of a normalised URL into buf (IPv6
 * literals without brackets).  Returns 0 or NB_EINVAL.
 */
int url_host_get(const char *url, char *buf, size_t len);

/*
 * url_path_get - the path and query ("/a/b?x=1") of a URL into buf, as
 * robots.txt rules match them.  Returns 0, NB_EINVAL or NB_ETOOBIG.
 */
int url_path_get(const char *url, char *buf, size_t len);

/*
 * url_in_scope - 1 when url's host is on the site's allow-list, else 0.
 * Scope is by host only: a site-relative path that belongs to another site
 * of the same CMS group resolves against this host and is judged by it, and
 * a mirror copying official paths onto another domain is out.
 */
int url_in_scope(const struct nb_site *site, const char *url);

/*
 * url_is_trap - 1 when a URL has the shape of a crawler trap: too long a
 * query, too many parameters, a path segment sequence repeated three times,
 * or a calendar-style date parameter.  Pure shape test; the page budget and
 * depth limit catch the rest.
 */
int url_is_trap(const char *url);

/*
 * url_has_date_path - 1 when the path carries a year and month
 * (/2025/1/, /2025/01/ or /202501/): report archives and calendars look so.
 * A link from such a page to one of the same shape is a step along a
 * calendar when it repeats; the engine follows only a few such steps.
 */
int url_has_date_path(const char *url);

/*
 * url_shape - url with every digit run replaced by '#' and every hex run
 * of 16+ characters by 'H' into buf: pages of one template share a shape.
 * Returns 0 or NB_ETOOBIG.
 */
int url_shape(const char *url, char *buf, size_t len);

/*
 * addr_is_private - 1 for loopback, private (RFC 1918, fc00::/7),
 * link-local, carrier-grade NAT, unspecified, multicast and other addresses
 * that never serve a public government site; also for IPv4-mapped IPv6
 * forms of those.  0 otherwise.
 */
int addr_is_private(const struct sockaddr *sa);

/*
 * host_literal_is_private - for a host written as an IP literal: 1 when it
 * is private (see addr_is_private), 0 when public, -1 when host is a name.
 */
int host_literal_is_private(const char *host);

/* ---- robots.txt (RFC 9309) ---- */

struct robots;

/*
 * robots_parse - read a robots.txt body for agent (the product token of our
 * User-Agent, matched case-insensitively; the "*" group applies when no
 * group names us).  Rules of every group naming the agent are merged.
 * Unknown lines and garbage are ignored; a body of 0 bytes allows all.
 * @param[out] out  freed with robots_free.
 * Returns 0 or NB_ENOMEM.
 */
int robots_parse(const char *text, size_t len, const char *agent,
                 struct robots **out);

/* a policy that allows everything (missing robots.txt), or nothing */
int robots_allow_all(struct robots **out);
int robots_deny_all(struct robots **out);

/*
 * robots_allowed - 1 if pathquery ("/a/b?x") may be fetched: the longest
 * matching Allow or Disallow pattern decides ('*' and a final '$' as in
 * RFC 9309), Allow wins a tie, no match allows.  /robots.txt is always
 * allowed.
 */
int robots_allowed(const struct robots *r, const char *pathquery);

/* Crawl-delay of the group in milliseconds, or -1 when it has none. */
long robots_crawl_delay_ms(const struct robots *r);

void robots_free(struct robots *r);

/* The robots.txt product token of a User-Agent ("nianbao/1.0 (...)" ->
 * "nianbao") into buf. */
void robots_agent_token(const char *user_agent, char *buf, size_t len);

/* ---- discovery ---- */

enum link_flags {
	LINK_REPORT = 1 << 0,     /* title says annual report of a year */
	LINK_ATTACHMENT = 1 << 1, /* .docx .doc .pdf .wps */
	LINK_LIST = 1 << 2,       /* pagination / list data of a column */
	LINK_POST = 1 << 3,       /* fetch with POST and link.body */
};

struct link {
	char *url;     /* normalised, absolute */
	char *title;   /* title attribute or text, may be NULL */
	char *body;    /* LINK_POST: form or JSON body; else NULL */
	char *ctype;   /* LINK_POST: Content-Type of body; else NULL */
	char date[11]; /* publication date shown beside it, or "" */
	unsigned flags;
};

struct page {
	struct link *links; /* deduplicated, in document order */
	size_t nlinks;
	char *title;   /* ArticleTitle meta, else <title>; may be NULL */
	char date[11]; /* PubDate meta as YYYY-MM-DD, or "" */
	int report;    /* the page itself looks like an annual report */
	char *refresh; /* meta refresh or script reload target, or NULL */
};

/*
 * discover_html - links of an HTML page (or fragment) in UTF-8: <a href>,
 * <area>, <frame>/<iframe> src, meta refresh, <base href> honoured,
 * pagination generated by createPageHTML(n, cur, "name", "ext") scripts,
 * Hanweb data-proxy paging and inline record lists, and the embedded
 * articleList JSON of the newer list pages.  Only http(s) URLs survive.
 * Returns 0, NB_EPARSE (not HTML at all) or NB_ENOMEM; on success *out is
 * filled and freed with page_free.
 */
int discover_html(const char *url, const char *html, size_t len,
                  struct page *out);

/*
 * discover_json - the links of a `POST /queryList` answer
 * ({"data":{"results":[{"source":{"title","urls",…}}],"total":N}}),
 * plus, from the first page (request body with pageNo 1), one POST link per
 * further page.  @param reqbody  the body the answer was fetched with.
 */
int discover_json(const char *url, const char *reqbody, const char *json,
                  size_t len, struct page *out);

/*
 * discover_xml - a Hanweb dataproxy.jsp answer: <datastore> with
 * <totalrecord>/<totalpage>, <recordset><record><![CDATA[<li>…]]></record>;
 * the records' links and, from the first window, POST links for the rest.
 */
int discover_xml(const char *url, const char *reqbody, const char *xml,
                 size_t len, struct page *out);

void page_free(struct page *p);

/*
 * title_is_report - 1 when a (possibly truncated) title names an annual
 * government-information-disclosure report: 年度报告 or 年报 with a year
 * (digits, full-width digits or 二〇二一), or a title cut with "..." or
 * "…" after 政府信息公开 that still carries a year.
 */
int title_is_report(const char *title);

/* 1 for a path ending in .docx .doc .pdf .wps (case-insensitive) */
int url_is_attachment(const char *url);

/* ---- responses that are not content ---- */

/*
 * challenge_detect - why a response is not content, or NULL when it is:
 * 405/412 answers (servers that want a cookie first), small pages that only
 * set a cookie by script and reload, known WAF interstitial markers.
 * @param status  HTTP status; @param body  the (UTF-8 or raw) payload.
 * Returns a static string naming the reason.
 */
const char *challenge_detect(long status, const char *body, size_t len);

/* ---- retries ---- */

/*
 * backoff_ms - delay before retry number attempt (1 = first retry):
 * base * 2^(attempt-1), capped at max, with "equal jitter" so that half of
 * it is random (rnd is any 32-bit random number).
 */
long backoff_ms(int attempt, long base_ms, long max_ms, uint32_t rnd);

#endif
