/* Output formats on hand-made findings: escaping, bad bytes, carets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint/lint.h"

static char *render(enum quai_lint_format fmt, const struct quai_findings *f, bool color,
		    const struct quai_dockerfile *const *src, size_t nsrc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	quai_lint_write(out, fmt, f, color, src, nsrc);
	fclose(out);
	return buf;
}

static void test_json_cleans_bad_utf8(void **state)
{
	(void)state;
	struct quai_findings f = { 0 };
	quai_findings_add(&f, "a\xff.Dockerfile", 2, 3, QUAI_LEVEL_WARNING, "DL3006", "bad \xc3 byte \"q\"");
	char *s = render(QUAI_FORMAT_JSON, &f, false, NULL, 0);
	json_error_t err;
	json_t *j = json_loads(s, 0, &err);
	assert_non_null(j);
	json_t *o = json_array_get(j, 0);
	assert_string_equal(json_string_value(json_object_get(o, "file")), "a\xef\xbf\xbd.Dockerfile");
	assert_string_equal(json_string_value(json_object_get(o, "message")), "bad \xef\xbf\xbd byte \"q\"");
	assert_int_equal(json_integer_value(json_object_get(o, "line")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "column")), 3);
	json_decref(j);
	free(s);
	quai_findings_release(&f);
}

static void test_checkstyle_escapes(void **state)
{
	(void)state;
	struct quai_findings f = { 0 };
	quai_findings_add(&f, "x'<&>\".D", 1, 1, QUAI_LEVEL_ERROR, "DL1000", "a\x01" "b \xe2\x82\xac");
	char *s = render(QUAI_FORMAT_CHECKSTYLE, &f, false, NULL, 0);
	assert_string_equal(s, "<?xml version='1.0' encoding='UTF-8'?><checkstyle version='4.3'>"
			       "<file name='x&#39;&#60;&#38;&#62;&#34;.D' >"
			       "<error line='1' column='1' severity='error' message='a&#65533;b &#8364;' "
			       "source='DL1000' /></file></checkstyle>\n");
	free(s);
	quai_findings_release(&f);
}

static void test_long_message_is_cut(void **state)
{
	(void)state;
	struct quai_findings f = { 0 };
	char *big = malloc(100001);
	memset(big, 'x', 100000);
	big[100000] = '\0';
	quai_findings_add(&f, "D", 1, 1, QUAI_LEVEL_ERROR, "DL1000", big);
	char *s = render(QUAI_FORMAT_GNU, &f, false, NULL, 0);
	assert_true(strlen(s) < 1100);
	assert_non_null(strstr(s, "xxx...\n"));
	free(s);
	free(big);
	quai_findings_release(&f);
}

static void test_caret_excerpt(void **state)
{
	(void)state;
	struct quai_dockerfile df;
	memset(&df, 0, sizeof(df));
	df.name = (char *)"Dockerfile";
	df.src = (char *)"\xef\xbb\xbf" "FROM a\r\n\tFORM b\r\n";
	df.src_len = strlen(df.src);
	const struct quai_dockerfile *srcs[] = { &df };
	struct quai_findings f = { 0 };
	quai_findings_add(&f, "Dockerfile", 2, 3, QUAI_LEVEL_ERROR, "DL1000", "unknown instruction 'FORM'");
	quai_findings_add(&f, "Dockerfile", 1, 1, QUAI_LEVEL_WARNING, "DL3006", "tag it");
	quai_findings_sort(&f);
	char *s = render(QUAI_FORMAT_TTY, &f, false, srcs, 1);
	assert_string_equal(s, "Dockerfile:1:1 warning DL3006 tag it\n"
			       "Dockerfile:2:3 error DL1000 unknown instruction 'FORM'\n"
			       " 2 | \tFORM b\n"
			       "   | \t ^\n");
	free(s);
	s = render(QUAI_FORMAT_TTY, &f, true, srcs, 1);
	assert_non_null(strstr(s, "\033["));
	free(s);
	quai_findings_release(&f);
}

static void test_caret_in_long_line(void **state)
{
	(void)state;
	size_t n = 1 << 20;
	char *src = malloc(n + 1);
	memset(src, 'a', n);
	src[n] = '\0';
	struct quai_dockerfile df;
	memset(&df, 0, sizeof(df));
	df.name = (char *)"D";
	df.src = src;
	df.src_len = n;
	const struct quai_dockerfile *srcs[] = { &df };
	struct quai_findings f = { 0 };
	quai_findings_add(&f, "D", 1, 500000, QUAI_LEVEL_ERROR, "DL1000", "here");
	char *s = render(QUAI_FORMAT_TTY, &f, false, srcs, 1);
	assert_true(strlen(s) < 400);
	assert_non_null(strstr(s, "| ..."));
	free(s);
	free(src);
	quai_findings_release(&f);
}

static void test_sarif_and_codeclimate(void **state)
{
	(void)state;
	struct quai_findings f = { 0 };
	quai_findings_add(&f, "./a/Dockerfile", 4, 2, QUAI_LEVEL_STYLE, "SC2086", "quote it");
	quai_findings_add(&f, "./a/Dockerfile", 5, 1, QUAI_LEVEL_STYLE, "SC2086", "quote it");
	char *s = render(QUAI_FORMAT_SARIF, &f, false, NULL, 0);
	json_error_t err;
	json_t *j = json_loads(s, 0, &err);
	assert_non_null(j);
	json_t *run = json_array_get(json_object_get(j, "runs"), 0);
	json_t *rules = json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules");
	assert_int_equal(json_array_size(rules), 1);
	json_t *res = json_array_get(json_object_get(run, "results"), 1);
	assert_string_equal(json_string_value(json_object_get(res, "level")), "note");
	json_t *loc = json_object_get(json_array_get(json_object_get(res, "locations"), 0), "physicalLocation");
	assert_string_equal(json_string_value(json_object_get(json_object_get(loc, "artifactLocation"), "uri")),
			    "a/Dockerfile");
	json_decref(j);
	free(s);
	s = render(QUAI_FORMAT_CODECLIMATE, &f, false, NULL, 0);
	j = json_loads(s, 0, &err);
	assert_non_null(j);
	const char *f0 = json_string_value(json_object_get(json_array_get(j, 0), "fingerprint"));
	const char *f1 = json_string_value(json_object_get(json_array_get(j, 1), "fingerprint"));
	assert_int_equal(strlen(f0), 40);
	assert_string_not_equal(f0, f1);
	json_decref(j);
	free(s);
	quai_findings_release(&f);
}

static void test_format_names(void **state)
{
	(void)state;
	assert_int_equal(quai_lint_format_parse("tty"), QUAI_FORMAT_TTY);
	assert_int_equal(quai_lint_format_parse("gitlab_codeclimate"), QUAI_FORMAT_CODECLIMATE);
	assert_int_equal(quai_lint_format_parse("gnu"), QUAI_FORMAT_GNU);
	assert_int_equal(quai_lint_format_parse("xml"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_cleans_bad_utf8), cmocka_unit_test(test_checkstyle_escapes),
		cmocka_unit_test(test_long_message_is_cut),  cmocka_unit_test(test_caret_excerpt),
		cmocka_unit_test(test_caret_in_long_line),   cmocka_unit_test(test_sarif_and_codeclimate),
		cmocka_unit_test(test_format_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
