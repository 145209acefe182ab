/* The results model and its three writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "imagetest/imagetest.h"

static void fill(struct quai_imagetest_results *r)
{
	quai_imagetest_results_add(r, "echo works", QUAI_TEST_COMMAND, true, 1234567, NULL);
	quai_imagetest_results_add(
	    r, "<root> & \"perms\"", QUAI_TEST_FILE_EXISTENCE, false, 2000,
	    "'/' permissions: expected drwx------, actual drwxr-xr-x\nsecond <line>\x01");
	quai_imagetest_results_add(r, "app answers", QUAI_TEST_HTTP, true, 999, NULL);
}

static void test_text(void **state)
{
	(void)state;
	struct quai_imagetest_results r = QUAI_IMAGETEST_RESULTS_INIT;
	fill(&r);
	assert_int_equal(quai_imagetest_results_failed(&r), 1);
	struct quai_buf b = QUAI_BUF_INIT;
	quai_imagetest_write_text(&b, &r);
	assert_string_equal(quai_buf_str(&b), "PASS command: echo works (1.234s)\n"
	                                      "FAIL fileExistence: <root> & \"perms\" (0.002s)\n"
	                                      "    '/' permissions: expected drwx------, actual drwxr-xr-x\n"
	                                      "    second <line>\x01\n"
	                                      "PASS http: app answers (0.000s)\n"
	                                      "2 passed, 1 failed (1.237s)\n");
	quai_buf_release(&b);
	quai_imagetest_results_release(&r);
}

static void test_junit(void **state)
{
	(void)state;
	struct quai_imagetest_results r = QUAI_IMAGETEST_RESULTS_INIT;
	fill(&r);
	struct quai_buf b = QUAI_BUF_INIT;
	quai_imagetest_write_junit(&b, &r, "image <x>");
	assert_string_equal(
	    quai_buf_str(&b),
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
	    "  <testsuite name=\"image &lt;x&gt;\" tests=\"3\" failures=\"1\" errors=\"0\" time=\"1.237\">\n"
	    "    <testcase classname=\"command\" name=\"echo works\" time=\"1.234\"/>\n"
	    "    <testcase classname=\"fileExistence\" name=\"&lt;root&gt; &amp; &quot;perms&quot;\" "
	    "time=\"0.002\">\n"
	    "      <failure message=\"&apos;/&apos; permissions: expected drwx------, actual drwxr-xr-x\">"
	    "&apos;/&apos; permissions: expected drwx------, actual drwxr-xr-x\nsecond "
	    "&lt;line&gt;\\x01</failure>\n"
	    "    </testcase>\n"
	    "    <testcase classname=\"http\" name=\"app answers\" time=\"0.000\"/>\n"
	    "  </testsuite>\n</testsuites>\n");
	quai_buf_release(&b);
	quai_imagetest_results_release(&r);
}

static void test_json(void **state)
{
	(void)state;
	struct quai_imagetest_results r = QUAI_IMAGETEST_RESULTS_INIT;
	fill(&r);
	quai_imagetest_results_add(&r, "bad \xff utf8", QUAI_TEST_HEALTHCHECK, false, 0, "x\xfey");
	struct quai_buf b = QUAI_BUF_INIT;
	quai_imagetest_write_json(&b, &r);
	json_error_t jerr;
	json_t *root = json_loads(quai_buf_str(&b), 0, &jerr);
	assert_non_null(root);
	assert_int_equal(json_integer_value(json_object_get(root, "passed")), 2);
	assert_int_equal(json_integer_value(json_object_get(root, "failed")), 2);
	json_t *tests = json_object_get(root, "tests");
	assert_int_equal(json_array_size(tests), 4);
	json_t *t1 = json_array_get(tests, 1);
	assert_string_equal(json_string_value(json_object_get(t1, "kind")), "fileExistence");
	assert_false(json_is_true(json_object_get(t1, "passed")));
	assert_true(json_is_null(json_object_get(json_array_get(tests, 0), "message")));
	assert_true(json_real_value(json_object_get(json_array_get(tests, 0), "duration")) > 1.23);
	json_t *t3 = json_array_get(tests, 3);
	assert_string_equal(json_string_value(json_object_get(t3, "name")), "bad ? utf8");
	assert_string_equal(json_string_value(json_object_get(t3, "message")), "x?y");
	assert_string_equal(json_string_value(json_object_get(t3, "kind")), "healthcheck");
	json_decref(root);
	quai_buf_release(&b);
	quai_imagetest_results_release(&r);
}

static void test_empty(void **state)
{
	(void)state;
	struct quai_imagetest_results r = QUAI_IMAGETEST_RESULTS_INIT;
	struct quai_buf b = QUAI_BUF_INIT;
	quai_imagetest_write_text(&b, &r);
	assert_string_equal(quai_buf_str(&b), "0 passed, 0 failed (0.000s)\n");
	quai_buf_release(&b);
	quai_imagetest_write_json(&b, &r);
	assert_non_null(strstr(quai_buf_str(&b), "\"tests\": []"));
	quai_buf_release(&b);
	quai_imagetest_results_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_junit),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
