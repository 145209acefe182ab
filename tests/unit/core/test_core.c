/* Unit tests of src/core/: buffers, errors, file reading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/file.h"
#include "core/xalloc.h"

static void test_buf_sh_quoted(void **state)
{
	(void)state;
	struct quai_buf b = QUAI_BUF_INIT;
	quai_buf_put_sh_quoted(&b, "it's $HOME `x`");
	assert_string_equal(b.data, "'it'\\''s $HOME `x`'");
	quai_buf_release(&b);
}

static void test_buf_grows_and_detaches(void **state)
{
	(void)state;
	struct quai_buf b = QUAI_BUF_INIT;
	assert_string_equal(quai_buf_str(&b), "");
	for (int i = 0; i < 1000; i++)
		quai_buf_printf(&b, "%d,", i);
	assert_int_equal(b.len, strlen(b.data));
	assert_true(strncmp(b.data, "0,1,2,", 6) == 0);
	quai_buf_truncate(&b, 2);
	assert_string_equal(b.data, "0,");
	quai_buf_putc(&b, 'x');
	quai_buf_puts(&b, "yz");
	char *s = quai_buf_detach(&b);
	assert_string_equal(s, "0,xyz");
	assert_null(b.data);
	free(s);
	s = quai_buf_detach(&b);
	assert_string_equal(s, "");
	free(s);
}

static void test_error_wrap_adds_context(void **state)
{
	(void)state;
	struct quai_error *err = NULL;
	assert_int_equal(quai_error_set(&err, QUAI_EXIT_FINDINGS, "bad '%s'", "x"), -1);
	assert_int_equal(quai_error_wrap(&err, "lint '%s'", "Dockerfile"), -1);
	assert_string_equal(err->msg, "lint 'Dockerfile': bad 'x'");
	assert_int_equal(err->status, QUAI_EXIT_FINDINGS);
	quai_error_free(err);
	/* a NULL err pointer is allowed: the caller does not want the message */
	assert_int_equal(quai_error_set(NULL, 2, "ignored"), -1);
}

static void test_file_read_cap_and_missing(void **state)
{
	(void)state;
	char path[] = "/tmp/quai-test-core-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello", 5), 5);
	close(fd);

	char *data = NULL;
	size_t len = 0;
	struct quai_error *err = NULL;
	assert_int_equal(quai_file_read(&data, &len, path, 100, &err), 0);
	assert_int_equal(len, 5);
	assert_string_equal(data, "hello");
	free(data);

	assert_int_equal(quai_file_read(&data, &len, path, 4, &err), -1);
	assert_non_null(strstr(err->msg, "limit"));
	quai_error_free(err);
	err = NULL;
	unlink(path);

	assert_int_equal(quai_file_read(&data, &len, path, 100, &err), -1);
	assert_non_null(strstr(err->msg, "No such file"));
	quai_error_free(err);
	err = NULL;

	assert_int_equal(quai_file_read(&data, &len, "/tmp", 100, &err), -1);
	assert_non_null(strstr(err->msg, "is a directory"));
	quai_error_free(err);
}

static void test_xgrow_and_asprintf(void **state)
{
	(void)state;
	int *v = NULL;
	size_t cap = 0;
	for (size_t i = 0; i < 100; i++) {
		v = xgrow(v, &cap, i + 1, sizeof(*v));
		v[i] = (int)i;
	}
	assert_true(cap >= 100);
	assert_int_equal(v[99], 99);
	free(v);
	cleanup_free char *s = xasprintf("%s-%d", "a", 7);
	assert_string_equal(s, "a-7");
	cleanup_free char *t = xstrndup("abcdef", 3);
	assert_string_equal(t, "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_grows_and_detaches),
		cmocka_unit_test(test_buf_sh_quoted),
		cmocka_unit_test(test_error_wrap_adds_context),
		cmocka_unit_test(test_file_read_cap_and_missing),
		cmocka_unit_test(test_xgrow_and_asprintf),
	};
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
