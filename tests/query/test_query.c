/*
 * test_query.c - the pieces of nianbao(1) that decide answers: agency
 * kinds, deadlines and states, display widths, the export columns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "query.h"

static void
test_kind_infer(void **state)
{
	(void)state;
	assert_int_equal(q_kind_infer("樟树市人民政府"), Q_KIND_GOVERNMENT);
	assert_int_equal(q_kind_infer("铜鼓县人民政府"), Q_KIND_GOVERNMENT);
	assert_int_equal(q_kind_infer("宜春市袁州区人民政府"),
	                 Q_KIND_GOVERNMENT);
	assert_int_equal(q_kind_infer("科尔沁右翼前旗人民政府"),
	                 Q_KIND_GOVERNMENT);
	/* townships and streets report like departments: 31 January */
	assert_int_equal(q_kind_infer("樟树市洋湖乡人民政府"),
	                 Q_KIND_DEPARTMENT);
	assert_int_equal(q_kind_infer("樟树市临江镇人民政府"),
	                 Q_KIND_DEPARTMENT);
	assert_int_equal(q_kind_infer("瑞金市象湖镇人民政府"),
	                 Q_KIND_DEPARTMENT);
	assert_int_equal(q_kind_infer("樟树市福城街道办事处"),
	                 Q_KIND_DEPARTMENT);
	assert_int_equal(q_kind_infer("樟树市人民政府办公室"),
	                 Q_KIND_DEPARTMENT);
	assert_int_equal(q_kind_infer("樟树市机关事务管理局"),
	                 Q_KIND_DEPARTMENT);
	assert_int_equal(q_kind_infer("人民政府"), Q_KIND_DEPARTMENT);
	assert_int_equal(q_kind_infer(""), Q_KIND_DEPARTMENT);
}

static void
test_kind_override(void **state)
{
	struct store_agency a = {0};
	struct nb_agency ag = {0};
	struct nb_config cfg = {0};
	struct q q;

	(void)state;
	q_init(&q, "test");
	a.name = "瑞金市政府";
	a.kind = STORE_KIND_AUTO;
	assert_int_equal(q_kind(&q, a.name, &a), Q_KIND_DEPARTMENT);
	a.kind = STORE_KIND_GOVERNMENT;
	assert_int_equal(q_kind(&q, a.name, &a), Q_KIND_GOVERNMENT);
	/* the config wins over the archive */
	ag.name = (char *)"瑞金市政府";
	ag.kind = NB_KIND_DEPARTMENT;
	cfg.agencies = &ag;
	cfg.nagencies = 1;
	q.cfg = &cfg;
	assert_int_equal(q_config_index(&q), 0);
	assert_int_equal(q_kind(&q, a.name, &a), Q_KIND_DEPARTMENT);
	ag.kind = NB_KIND_AUTO;
	assert_int_equal(q_config_index(&q), 0);
	assert_int_equal(q_kind(&q, a.name, &a), Q_KIND_GOVERNMENT);
	assert_int_equal(q_kind(&q, "樟树市人民政府", NULL), Q_KIND_GOVERNMENT);
	q.cfg = NULL;
	assert_int_equal(q_config_index(&q), 0);
}

/* Many configured kinds: each found by name among them. */
static void
test_kind_many(void **state)
{
	enum { N = 50000 };
	struct nb_config cfg = {0};
	struct q q;
	char name[64];

	(void)state;
	q_init(&q, "test");
	cfg.agencies = calloc(N, sizeof(*cfg.agencies));
	assert_non_null(cfg.agencies);
	cfg.nagencies = N;
	for (int i = 0; i < N; i++) {
		/* a county government named as a department, and back */
		snprintf(name, sizeof(name), "第%d县%s", i,
		         i % 2 ? "人民政府" : "教育局");
		cfg.agencies[i].name = strdup(name);
		cfg.agencies[i].kind =
		    i % 3 == 0
		        ? NB_KIND_AUTO
		        : (i % 2 ? NB_KIND_DEPARTMENT : NB_KIND_GOVERNMENT);
	}
	q.cfg = &cfg;
	assert_int_equal(q_config_index(&q), 0);
	for (int i = 0; i < N; i++) {
		enum q_kind want =
		    i % 3 == 0 ? (i % 2 ? Q_KIND_GOVERNMENT : Q_KIND_DEPARTMENT)
		    : i % 2    ? Q_KIND_DEPARTMENT
		               : Q_KIND_GOVERNMENT;

		assert_int_equal(q_kind(&q, cfg.agencies[i].name, NULL), want);
	}
	assert_int_equal(q_kind(&q, "第1县教育局", NULL), Q_KIND_DEPARTMENT);
	q.cfg = NULL;
	assert_int_equal(q_config_index(&q), 0);
	for (int i = 0; i < N; i++)
		free(cfg.agencies[i].name);
	free(cfg.agencies);
}

static void
test_deadlines(void **state)
{
	char dl[11];
	struct q q;

	(void)state;
	q_init(&q, "test");
	q_deadline(Q_KIND_GOVERNMENT, 2021, dl);
	assert_string_equal(dl, "2022-03-31");
	q_deadline(Q_KIND_DEPARTMENT, 2021, dl);
	assert_string_equal(dl, "2022-01-31");

	strcpy(q.today, "2022-01-31");
	/* the deadline day itself is still on time, and not yet overdue */
	assert_int_equal(q_state_of(&q, 1, "2022-01-31", dl), Q_ON_TIME);
	assert_int_equal(q_state_of(&q, 1, "2022-02-01", dl), Q_LATE);
	assert_int_equal(q_state_of(&q, 1, "2022-02-01T09:00:00Z", dl), Q_LATE);
	assert_int_equal(q_state_of(&q, 1, NULL, dl), Q_UNDATED);
	assert_int_equal(q_state_of(&q, 1, "2022", dl), Q_UNDATED);
	assert_int_equal(q_state_of(&q, 0, NULL, dl), Q_MISSING);
	strcpy(q.today, "2022-02-01");
	assert_int_equal(q_state_of(&q, 0, NULL, dl), Q_OVERDUE);
	assert_int_equal(q_days_between("2022-01-31", "2022-02-01"), 1);
	assert_int_equal(q_days_between("2024-01-31", "2024-03-15"), 44);
	assert_int_equal(q_days_between("2023-03-31", "2023-03-31"), 0);
}

static void
test_width(void **state)
{
	(void)state;
	assert_int_equal(q_width("abc"), 3);
	assert_int_equal(q_width("樟树市"), 6);
	assert_int_equal(q_width("（单位：万元）"), 14);
	assert_int_equal(q_width("a　b"), 4); /* U+3000 is wide */
	assert_int_equal(q_width("é"), 1);
	assert_int_equal(q_width("\xff\xfe"), 2); /* invalid: one each */
	assert_int_equal(q_width(""), 0);
}

static void
test_table_terminal(void **state)
{
	static const char *const cols[] = {"agency", ">n"};
	struct q_table *t = q_table_new(cols, 2);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(t);
	assert_int_equal(q_table_row(t), 0);
	assert_int_equal(q_table_set(t, 0, Q_STR, "樟树市人民政府"), 0);
	assert_int_equal(q_table_setf(t, 1, Q_NUM, "%d", 7), 0);
	assert_int_equal(q_table_row(t), 0);
	assert_int_equal(q_table_set(t, 0, Q_STR, "ab"), 0);
	assert_int_equal(q_table_print(t, Q_FMT_TABLE, fp), 0);
	fclose(fp);
	/* 14 columns of Chinese, two blanks, the number right-aligned */
	assert_string_equal(buf, "agency          n\n"
	                         "樟树市人民政府  7\n"
	                         "ab              -\n");
	free(buf);
	q_table_free(t);
}

static void
test_table_csv_json(void **state)
{
	static const char *const cols[] = {"a", ">b", "c"};
	struct q_table *t = q_table_new(cols, 3);
	json_t *v = json_real(2.43);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(q_table_row(t), 0);
	assert_int_equal(q_table_set(t, 0, Q_STR, "x,\"y\"\nz"), 0);
	assert_int_equal(q_table_setj(t, 1, v), 0);
	assert_int_equal(q_table_print(t, Q_FMT_CSV, fp), 0);
	fflush(fp);
	assert_string_equal(buf, "a,b,c\r\n\"x,\"\"y\"\"\nz\",2.43,\r\n");
	rewind(fp);
	len = 0;
	assert_int_equal(q_table_print(t, Q_FMT_JSON, fp), 0);
	fputc('\0', fp);
	fclose(fp);
	{
		json_t *arr = json_loads(buf, 0, NULL), *o;

		assert_non_null(arr);
		o = json_array_get(arr, 0);
		assert_string_equal(json_string_value(json_object_get(o, "a")),
		                    "x,\"y\"\nz");
		assert_true(json_real_value(json_object_get(o, "b")) == 2.43);
		assert_true(json_is_null(json_object_get(o, "c")));
		json_decref(arr);
	}
	json_decref(v);
	free(buf);
	q_table_free(t);
}

/* the table printed as CSV, in a string the caller frees */
static char *
table_csv(struct q_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(q_table_print(t, Q_FMT_CSV, fp), 0);
	fclose(fp);
	return buf;
}

/* q_table_order by ranks gives what q_table_sort by the names gives:
 * rows of one name in the order they came; setref and setn cells too */
static void
test_table_order(void **state)
{
	static const char *const cols[] = {"name", ">n", "ref"};
	static const char *const names[] = {"丙", "甲", "乙", "甲甲", "Z"};
	enum { N = 2000 };
	struct q_table *a = q_table_new(cols, 3), *b = q_table_new(cols, 3);
	uint32_t *key = calloc(N, sizeof(*key)), rank[5];
	char *x, *y;

	(void)state;
	assert_non_null(key);
	/* names' ranks in byte order */
	for (int i = 0; i < 5; i++) {
		rank[i] = 0;
		for (int j = 0; j < 5; j++)
			rank[i] += strcmp(names[j], names[i]) < 0;
	}
	for (int r = 0; r < N; r++) {
		int i = (r * 7 + r / 3) % 5;

		for (int k = 0; k < 2; k++) {
			struct q_table *t = k ? b : a;

			assert_int_equal(q_table_row(t), 0);
			assert_int_equal(q_table_set(t, 0, Q_STR, names[i]), 0);
			assert_int_equal(q_table_setn(t, 1, r - N / 2), 0);
			assert_int_equal(
			    q_table_setref(t, 2, Q_STR, cols[r % 3]), 0);
		}
		key[r] = rank[i];
	}
	assert_int_equal(q_table_order(a, key, 5), 0);
	assert_int_equal(q_table_sort(b, 0), 0);
	x = table_csv(a);
	y = table_csv(b);
	assert_string_equal(x, y);
	/* and it is sorted: the first row is Z's, the first of them (r = 2) */
	assert_memory_equal(x, "name,n,ref\r\nZ,-998,ref\r\n", 24);
	free(x);
	free(y);
	free(key);
	q_table_free(a);
	q_table_free(b);
}

static void
test_fields(void **state)
{
	json_t *rec =
	    json_pack("{s:s, s:{s:{s:i}, s:{s:{s:f, s:s}}}, s:{s:[iiiiiii], "
	              "s:{s:{s:[iiiiiin]}}}}",
	              "agency", "樟树市人民政府", "active", "licensing",
	              "decisions", 11138, "fees", "amount", "value", 8606.5,
	              "unit", "万元", "requests", "new", 36, 2, 0, 0, 0, 0, 38,
	              "results", "denied", "third_party", 1, 2, 3, 4, 5, 6);
	size_t n = q_fields_count(), found = 0;

	(void)state;
	assert_non_null(rec);
	/* 42 plain fields, 25 request rows x 7 columns, 15 appeals */
	assert_int_equal(n, 42 + 175 + 15);
	for (size_t i = 0; i < n; i++) {
		const char *name = q_field_name(i);
		json_t *v = q_field_get(rec, i);

		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(q_field_name(j), name);
		if (strcmp(name, "active.licensing.decisions") == 0) {
			assert_int_equal(json_integer_value(v), 11138);
			found++;
		} else if (strcmp(name, "active.fees.amount.unit") == 0) {
			assert_string_equal(json_string_value(v), "万元");
			found++;
		} else if (strcmp(name, "requests.new.total") == 0) {
			assert_int_equal(json_integer_value(v), 38);
			found++;
		} else if (strcmp(name, "requests.results.denied.third_party."
		                        "total") == 0) {
			assert_true(json_is_null(v));
			found++;
		} else if (strcmp(name, "requests.results.denied.third_party."
		                        "legal_services") == 0) {
			assert_int_equal(json_integer_value(v), 5);
			found++;
		} else if (strcmp(name, "appeals.review.total") == 0) {
			assert_null(v);
			found++;
		}
	}
	assert_int_equal(found, 6);
	json_decref(rec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kind_infer),
	    cmocka_unit_test(test_kind_override),
	    cmocka_unit_test(test_kind_many),
	    cmocka_unit_test(test_deadlines),
	    cmocka_unit_test(test_width),
	    cmocka_unit_test(test_table_terminal),
	    cmocka_unit_test(test_table_csv_json),
	    cmocka_unit_test(test_table_order),
	    cmocka_unit_test(test_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
