/* Unit tests of src/executor/ and the pure parts of src/pipeline_run/: the
 * streaming masker (values split across chunks at every offset), the job
 * script, dotenv reports, the shell executor's exit status and timeout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/buf.h"
#include "executor/executor.h"
#include "pipeline_run/pipeline_run.h"

static char *mask_chunks(const char *const *values, const char *text, size_t chunk)
{
	struct quai_executor_masker m;
	quai_executor_masker_init(&m, values);
	struct quai_buf out = QUAI_BUF_INIT;
	size_t n = strlen(text);
	for (size_t i = 0; i < n; i += chunk)
		quai_executor_masker_feed(&m, text + i, i + chunk > n ? n - i : chunk, &out);
	quai_executor_masker_flush(&m, &out);
	quai_executor_masker_release(&m);
	return quai_buf_detach(&out);
}

static void test_mask_every_split(void **state)
{
	(void)state;
	const char *values[] = {"secret123", "tok", NULL};
	const char *text = "a secret123 b tok c secret12 d sec";
	for (size_t chunk = 1; chunk <= strlen(text); chunk++) {
		char *got = mask_chunks(values, text, chunk);
		assert_string_equal(got, "a [MASKED] b [MASKED] c secret12 d sec");
		free(got);
	}
}

static void test_mask_overlapping(void **state)
{
	(void)state;
	const char *values[] = {"aaa", NULL};
	char *got = mask_chunks(values, "aaaaaaa", 2);
	assert_string_equal(got, "[MASKED][MASKED]a");
	free(got);
	const char *none[] = {"", NULL};
	got = mask_chunks(none, "plain", 1);
	assert_string_equal(got, "plain");
	free(got);
}

static void test_script(void **state)
{
	(void)state;
	const char *before[] = {"echo 'b'", NULL};
	const char *script[] = {"false", "echo never", NULL};
	const char *after[] = {"echo $CI_JOB_STATUS", NULL};
	char *s = quai_executor_script(before, script, after);
	assert_non_null(strstr(s, "set -e\n"));
	assert_non_null(strstr(s, "'echo '\\''b'\\'''"));
	assert_non_null(strstr(s, "CI_JOB_STATUS=failed"));
	free(s);
}

static int run_shell(const char *const *script, long timeout, struct quai_executor_result *res)
{
	char *text = quai_executor_script(NULL, script, NULL);
	const char *env[] = {"QUAI_TEST_X=1", NULL};
	struct quai_executor_job j = {.type = QUAI_EXECUTOR_SHELL,
	                              .name = "t",
	                              .script = text,
	                              .env = env,
	                              .workdir = "/tmp",
	                              .timeout_s = timeout,
	                              .out_fd = -1};
	int fd = open("/dev/null", O_WRONLY);
	j.out_fd = fd;
	int rc = quai_executor_run(&j, res, NULL);
	close(fd);
	free(text);
	return rc;
}

static void test_shell(void **state)
{
	(void)state;
	struct quai_executor_result res;
	const char *ok[] = {"test \"$QUAI_TEST_X\" = 1", NULL};
	assert_int_equal(run_shell(ok, 10, &res), 0);
	assert_int_equal(res.exit_code, 0);
	const char *fail[] = {"true", "exit 5", "exit 6", NULL};
	assert_int_equal(run_shell(fail, 10, &res), 0);
	assert_int_equal(res.exit_code, 5);
	const char *slow[] = {"sleep 20", NULL};
	assert_int_equal(run_shell(slow, 1, &res), 0);
	assert_true(res.timed_out);
}

static void test_dotenv(void **state)
{
	(void)state;
	struct quai_pipeline_vars v = {0};
	const char *text = "# comment\nA=1\n\n  B=\"two words\"\nC=x=y\r\n";
	assert_int_equal(quai_pipeline_run_dotenv_parse(&v, text, strlen(text)), 0);
	assert_string_equal(quai_pipeline_vars_get(&v, "A")->value, "1");
	assert_string_equal(quai_pipeline_vars_get(&v, "B")->value, "two words");
	assert_string_equal(quai_pipeline_vars_get(&v, "C")->value, "x=y");
	assert_int_equal(quai_pipeline_run_dotenv_parse(&v, "novalue\n", 8), -1);
	quai_pipeline_vars_release(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mask_every_split), cmocka_unit_test(test_mask_overlapping),
	    cmocka_unit_test(test_script),           cmocka_unit_test(test_shell),
	    cmocka_unit_test(test_dotenv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
