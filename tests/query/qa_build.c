/*
 * qa_build DIR SPEC.json - write a test archive through the store API, as
 * the daemon would: for each report of the spec a capture of its document
 * (rendered from the record by nb_render), the report version, and a
 * "new" or "changed" event; then the agencies and any other events.
 *
 * SPEC: {"agencies": [{"name", "region", "site", "kind", "aliases"}...],
 *        "reports": [{"base": "<expected record file>", "agency",
 *                     "region", "year", "published" (null: none),
 *                     "fetched", "url", "set": {"a.b.0": value...},
 *                     "record_set": {...}}...],
 *        "events": [{"type", "time", "agency", "year", "url", "detail"}]}
 * "base" is read from $NB_SEEDS/expected/.  "set" paths name object keys
 * and array indices; "record_set" changes only the stored record, not
 * the document.  The title becomes "<agency><year>年政府信息公开
 * 工作年度报告".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "nbtime.h"
#include "render.h"
#include "store.h"

static json_t *
load_base(const char *name)
{
	const char *seeds = getenv("NB_SEEDS");
	char path[4096];
	json_error_t err;
	json_t *rec;

	snprintf(path, sizeof(path), "%s/expected/%s",
	         seeds ? seeds : "tests/seeds", name);
	if ((rec = json_load_file(path, JSON_DECODE_ANY, &err)) == NULL)
		fprintf(stderr, "%s:%d: %s\n", path, err.line, err.text);
	return rec;
}

/* set the value at a dotted path of object keys and array indices */
static int
set_path(json_t *rec, const char *path, json_t *value)
{
	char *p = strdup(path), *save = NULL, *tok, *next;
	json_t *v = rec;
	int rc = -1;

	tok = strtok_r(p, ".", &save);
	while (tok != NULL) {
		next = strtok_r(NULL, ".", &save);
		if (next == NULL) {
			if (json_is_array(v))
				rc = json_array_set(v, atoi(tok), value);
			else
				rc = json_object_set(v, tok, value);
			break;
		}
		v = json_is_array(v) ? json_array_get(v, atoi(tok))
		                     : json_object_get(v, tok);
		if (v == NULL)
			break;
		tok = next;
	}
	free(p);
	if (rc != 0)
		fprintf(stderr, "set %s: no such path\n", path);
	return rc;
}

static int64_t
ms(const char *s)
{
	int64_t t = 0;

	if (s && nb_time_parse(s, &t) != 0)
		fprintf(stderr, "bad time %s\n", s);
	return t;
}

struct put {
	struct store_report_in in;
	enum store_change change;
	json_t *ev;
};

static int
put_fn(struct store_txn *txn, void *arg)
{
	struct put *p = arg;
	struct store_event ev = {0};
	int rc;

	if ((rc = store_report_put(txn, &p->in, &p->change, NULL)) != 0)
		return rc;
	if (p->change == STORE_UNCHANGED)
		return 0;
	ev.time = p->in.fetched;
	ev.type = p->change == STORE_NEW ? STORE_EV_NEW : STORE_EV_CHANGED;
	ev.agency = p->in.agency;
	ev.year = p->in.year;
	ev.url = p->in.url;
	ev.detail = "";
	return store_event_append(txn, &ev, NULL);
}

static int
report(struct store *st, const json_t *spec, int n)
{
	const char *agency = json_string_value(json_object_get(spec, "agency"));
	const char *region = json_string_value(json_object_get(spec, "region"));
	const char *url = json_string_value(json_object_get(spec, "url"));
	const char *fetched =
	    json_string_value(json_object_get(spec, "fetched"));
	int year = json_integer_value(json_object_get(spec, "year"));
	const json_t *pub = json_object_get(spec, "published");
	json_t *v;
	json_t *rec =
	    load_base(json_string_value(json_object_get(spec, "base")));
	struct render_opts ro = {0};
	struct store_capture cap = {0};
	struct store_capture_result res;
	struct put p = {0};
	struct nb_buf doc, hdr;
	const char *key;
	json_t *ordered;
	char *json = NULL, title[512], src[64];
	int rc = -1;

	nb_buf_init(&doc, 64 << 20);
	nb_buf_init(&hdr, 4096);
	if (rec == NULL || agency == NULL || url == NULL || year == 0)
		goto fail;
	snprintf(title, sizeof(title), "%s%d年政府信息公开工作年度报告", agency,
	         year);
	json_object_set_new(rec, "agency", json_string(agency));
	json_object_set_new(rec, "region", json_string(region ? region : ""));
	json_object_set_new(rec, "year", json_integer(year));
	json_object_set_new(rec, "title", json_string(title));
	json_object_foreach((json_t *)json_object_get(spec, "set"), key,
	                    v) if (set_path(rec, key, v) != 0) goto fail;
	ro.page = 1;
	ro.published = json_string_value(pub);
	ro.seed = n;
	if (render_html(rec, &ro, &doc) != 0) {
		fprintf(stderr, "report %d: cannot render\n", n);
		goto fail;
	}
	/* "record_set": changes to the record only, after the document was
	   made from it (a record of a shape the renderer would refuse) */
	json_object_foreach((json_t *)json_object_get(spec, "record_set"), key,
	                    v) if (set_path(rec, key, v) != 0) goto fail;
	nb_buf_printf(&hdr,
	              "HTTP/1.1 200 OK\r\nContent-Type: text/html; "
	              "charset=utf-8\r\nContent-Length: %zu\r\n\r\n",
	              doc.len);
	cap.url = url;
	cap.ip = "127.0.0.1";
	cap.date = ms(fetched);
	cap.resp_headers = hdr.data;
	cap.resp_headers_len = hdr.len;
	cap.payload = doc.data;
	cap.payload_len = doc.len;
	if ((rc = store_capture_append(st, &cap, &res)) != 0) {
		fprintf(stderr, "report %d: capture: %s\n", n, nb_strerror(rc));
		goto fail;
	}
	store_sha1_b32(res.payload_sha1, src);
	{
		json_t *source = json_object();
		char iso[21];

		json_object_set_new(source, "url", json_string(url));
		json_object_set(source, "published",
		                json_is_string(pub) ? (json_t *)pub
		                                    : json_null());
		json_object_set_new(
		    source, "fetched",
		    json_string(nb_time_iso(cap.date, iso, sizeof(iso))));
		json_object_set_new(source, "content_type",
		                    json_string("text/html"));
		json_object_set_new(source, "sha1", json_string(src));
		/* the schema's key order: source after title */
		ordered = json_object();
		json_object_foreach(rec, key, v)
		{
			json_object_set(ordered, key, v);
			if (strcmp(key, "title") == 0)
				json_object_set(ordered, "source", source);
		}
		json_decref(source);
		json_decref(rec);
		rec = ordered;
	}
	json = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER |
	                           JSON_REAL_PRECISION(15));
	p.in.agency = agency;
	p.in.region = region;
	p.in.year = year;
	p.in.json = json;
	p.in.json_len = strlen(json);
	p.in.url = url;
	p.in.fetched = cap.date;
	p.in.loc = res.loc;
	memcpy(p.in.payload_sha1, res.payload_sha1, STORE_SHA1_LEN);
	if ((rc = store_write(st, put_fn, &p)) != 0)
		fprintf(stderr, "report %d: %s\n", n, nb_strerror(rc));
fail:
	free(json);
	json_decref(rec);
	nb_buf_free(&doc);
	nb_buf_free(&hdr);
	return rc;
}

struct agencies {
	const json_t *list;
};

static int
agencies_fn(struct store_txn *txn, void *arg)
{
	const json_t *a;
	size_t i;
	int rc;

	json_array_foreach((const json_t *)arg, i, a)
	{
		struct store_agency sa = {0}, old;
		const char *kind =
		    json_string_value(json_object_get(a, "kind"));
		const json_t *al;
		struct nb_buf aliases;
		size_t j;

		nb_buf_init(&aliases, 1 << 16);
		sa.name = json_string_value(json_object_get(a, "name"));
		if (store_agency_get(txn, sa.name, &old) == 0) {
			sa.first_year = old.first_year;
			sa.last_year = old.last_year;
		}
		sa.region = json_string_value(json_object_get(a, "region"));
		sa.site = json_string_value(json_object_get(a, "site"));
		if (sa.site == NULL)
			sa.site = "";
		json_array_foreach(json_object_get(a, "aliases"), j, al)
		    nb_buf_add(&aliases, json_string_value(al),
		               strlen(json_string_value(al)) + 1);
		sa.aliases = aliases.data;
		sa.aliases_len = aliases.len;
		sa.kind =
		    kind == NULL                      ? STORE_KIND_AUTO
		    : strcmp(kind, "government") == 0 ? STORE_KIND_GOVERNMENT
		    : strcmp(kind, "department") == 0 ? STORE_KIND_DEPARTMENT
		                                      : STORE_KIND_AUTO;
		rc = store_agency_put(txn, &sa);
		nb_buf_free(&aliases);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
events_fn(struct store_txn *txn, void *arg)
{
	const json_t *e;
	size_t i;
	int rc;

	json_array_foreach((const json_t *)arg, i, e)
	{
		struct store_event ev = {0};
		const char *s;

		ev.type = store_event_type_parse(
		    json_string_value(json_object_get(e, "type")));
		ev.time = ms(json_string_value(json_object_get(e, "time")));
		ev.agency =
		    (s = json_string_value(json_object_get(e, "agency"))) ? s
		                                                          : "";
		ev.year = json_integer_value(json_object_get(e, "year"));
		ev.url =
		    (s = json_string_value(json_object_get(e, "url"))) ? s : "";
		ev.detail =
		    (s = json_string_value(json_object_get(e, "detail"))) ? s
		                                                          : "";
		if ((rc = store_event_append(txn, &ev, NULL)) != 0)
			return rc;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct store *st = NULL;
	json_error_t err;
	json_t *spec, *r;
	size_t i;
	int rc = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: qa_build DIR SPEC.json\n");
		return 2;
	}
	log_init("qa_build", 0);
	if ((spec = json_load_file(argv[2], 0, &err)) == NULL) {
		fprintf(stderr, "%s:%d: %s\n", argv[2], err.line, err.text);
		return 2;
	}
	if (store_open(argv[1], STORE_RDWR | STORE_CREATE, NULL, &st) != 0)
		return 1;
	json_array_foreach(json_object_get(spec, "reports"), i, r)
	{
		if ((rc = report(st, r, (int)i)) != 0)
			break;
	}
	if (rc == 0 && json_object_get(spec, "agencies"))
		rc = store_write(st, agencies_fn,
		                 json_object_get(spec, "agencies"));
	if (rc == 0 && json_object_get(spec, "events"))
		rc =
		    store_write(st, events_fn, json_object_get(spec, "events"));
	store_close(st);
	json_decref(spec);
	if (rc != 0)
		fprintf(stderr, "qa_build: %s\n", nb_strerror(rc));
	return rc != 0;
}
