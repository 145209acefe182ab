/* Unit tests of compose interpolation and .env files (the cases of the
 * compose documentation's "Interpolation" page). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compose/internal.h"

static struct compose_env env;

static int setup(void **state)
{
	(void)state;
	compose_env_set(&env, "SET", "value", true);
	compose_env_set(&env, "EMPTY", "", true);
	compose_env_set(&env, "TAG", "1.25", true);
	compose_env_set(&env, "_under_score9", "u", true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	compose_env_release(&env);
	return 0;
}

static void expect(const char *in, const char *out)
{
	struct quai_buf b = QUAI_BUF_INIT;
	char *msg = NULL;
	int rc = compose_interpolate(&b, in, strlen(in), &env, &msg);
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", in, msg);
	assert_int_equal(rc, 0);
	assert_string_equal(quai_buf_str(&b), out);
	quai_buf_release(&b);
	free(msg);
}

static void expect_error(const char *in, const char *part)
{
	struct quai_buf b = QUAI_BUF_INIT;
	char *msg = NULL;
	assert_int_equal(compose_interpolate(&b, in, strlen(in), &env, &msg), -1);
	assert_non_null(msg);
	if (!strstr(msg, part))
		fprintf(stderr, "'%s' not in '%s'\n", part, msg);
	assert_non_null(strstr(msg, part));
	quai_buf_release(&b);
	free(msg);
}

static void test_plain(void **state)
{
	(void)state;
	expect("", "");
	expect("no variables", "no variables");
	expect("$SET", "value");
	expect("${SET}", "value");
	expect("a-$SET-b", "a-value-b");
	expect("$SET.$TAG", "value.1.25");
	expect("${_under_score9}", "u");
	expect("$UNSET", "");
	expect("${UNSET}", "");
	expect("x${UNSET}y", "xy");
}

static void test_defaults(void **state)
{
	(void)state;
	expect("${UNSET:-default}", "default");
	expect("${EMPTY:-default}", "default");
	expect("${SET:-default}", "value");
	expect("${UNSET-default}", "default");
	expect("${EMPTY-default}", "");
	expect("${SET-default}", "value");
	expect("${UNSET:-}", "");
	expect("${UNSET:-with spaces and : colons}", "with spaces and : colons");
}

static void test_alternatives(void **state)
{
	(void)state;
	expect("${SET:+alt}", "alt");
	expect("${EMPTY:+alt}", "");
	expect("${UNSET:+alt}", "");
	expect("${SET+alt}", "alt");
	expect("${EMPTY+alt}", "alt");
	expect("${UNSET+alt}", "");
}

static void test_nested(void **state)
{
	(void)state;
	expect("${UNSET:-${TAG}}", "1.25");
	expect("${UNSET:-${UNSET2:-inner}}", "inner");
	expect("${UNSET:-$TAG-x}", "1.25-x");
	expect("${SET:+${TAG}}", "1.25");
	expect("${UNSET:-${UNSET2:-${TAG:-x}}}", "1.25");
	expect("${UNSET:-a}${UNSET:-b}", "ab");
}

static void test_escapes(void **state)
{
	(void)state;
	expect("$$", "$");
	expect("$$SET", "$SET");
	expect("$${SET}", "${SET}");
	expect("$$$SET", "$value");
	expect("cost: $$5", "cost: $5");
	expect("${UNSET:-$$}", "$");
}

static void test_required(void **state)
{
	(void)state;
	expect("${SET:?must be set}", "value");
	expect("${EMPTY?must be set}", "");
	expect_error("${UNSET:?must be set}", "required variable UNSET is missing a value: must be set");
	expect_error("${EMPTY:?not empty please}",
	             "required variable EMPTY is missing a value: not empty please");
	expect_error("${UNSET?}", "required variable UNSET is missing a value");
	expect_error("${UNSET:?${TAG} needed}", "1.25 needed");
}

static void test_invalid(void **state)
{
	(void)state;
	expect_error("$", "invalid interpolation format");
	expect_error("a $5", "invalid interpolation format");
	expect_error("${", "invalid interpolation format");
	expect_error("${SET", "invalid interpolation format");
	expect_error("${}", "invalid interpolation format");
	expect_error("${1A}", "invalid interpolation format");
	expect_error("${SET:x}", "invalid interpolation format");
	expect_error("${SET!}", "invalid interpolation format");
	expect_error("$ {SET}", "invalid interpolation format");
}

static void test_deep_nesting(void **state)
{
	(void)state;
	char buf[4096];
	size_t n = 0;
	for (int i = 0; i < 100; i++) {
		memcpy(buf + n, "${U:-", 5);
		n += 5;
	}
	for (int i = 0; i < 100; i++)
		buf[n++] = '}';
	buf[n] = '\0';
	expect_error(buf, "nested too deep");
}

static void test_env_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/quai-envtest-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/.env", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("# comment\n"
	      "A=1\n"
	      "export B=two words  # inline comment\n"
	      "C='single $A quoted'\n"
	      "D=\"double $A\\nquoted\"\n"
	      "E=${A}-${UNSET:-d}\n"
	      "  F = spaced\n"
	      "SET=from-file\n"
	      "\n"
	      "G=\n",
	      f);
	fclose(f);
	struct compose_env e = {0};
	compose_env_set(&e, "SET", "from-environment", true);
	struct quai_error *err = NULL;
	assert_int_equal(compose_env_load_file(&e, path, false, &err), 0);
	assert_string_equal(compose_env_get(&e, "A"), "1");
	assert_string_equal(compose_env_get(&e, "B"), "two words");
	assert_string_equal(compose_env_get(&e, "C"), "single $A quoted");
	assert_string_equal(compose_env_get(&e, "D"), "double 1\nquoted");
	assert_string_equal(compose_env_get(&e, "E"), "1-d");
	assert_string_equal(compose_env_get(&e, "F"), "spaced");
	assert_string_equal(compose_env_get(&e, "SET"), "from-environment");
	assert_string_equal(compose_env_get(&e, "G"), "");
	compose_env_release(&e);

	f = fopen(path, "w");
	fputs("A=1\nnot a line\n", f);
	fclose(f);
	assert_int_equal(compose_env_load_file(&e, path, false, &err), -1);
	assert_non_null(strstr(err->msg, ".env:2:"));
	quai_error_free(err);
	compose_env_release(&e);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain),        cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_alternatives), cmocka_unit_test(test_nested),
	    cmocka_unit_test(test_escapes),      cmocka_unit_test(test_required),
	    cmocka_unit_test(test_invalid),      cmocka_unit_test(test_deep_nesting),
	    cmocka_unit_test(test_env_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
