/* Runs the spec cases under tests/data/imagetest/: every good/ file must load,
 * every bad/ file must fail with the FILE:LINE:COL and text of their first line
 * "# error: LINE:COL: TEXT". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "imagetest/imagetest.h"

static const char *data_dir;

static char **list_yaml(const char *dir, size_t *n)
{
	char **names = NULL;
	size_t cap = 0;
	*n = 0;
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
			continue;
		names = xgrow(names, &cap, *n + 1, sizeof(*names));
		names[(*n)++] = xasprintf("%s/%s", dir, e->d_name);
	}
	closedir(d);
	return names;
}

static void test_good(void **state)
{
	(void)state;
	char *dir = xasprintf("%s/good", data_dir);
	size_t n;
	char **files = list_yaml(dir, &n);
	assert_true(n >= 4);
	for (size_t i = 0; i < n; i++) {
		struct quai_imagetest_spec spec;
		struct quai_error *err = NULL;
		int rc = quai_imagetest_spec_load(&spec, files[i], &err);
		if (rc != 0)
			fail_msg("%s: %s", files[i], err->msg);
		quai_imagetest_spec_release(&spec);
		free(files[i]);
	}
	free(files);
	free(dir);
}

static void test_bad(void **state)
{
	(void)state;
	char *dir = xasprintf("%s/bad", data_dir);
	size_t n;
	char **files = list_yaml(dir, &n);
	assert_true(n >= 10);
	int failures = 0;
	for (size_t i = 0; i < n; i++) {
		FILE *f = fopen(files[i], "r");
		assert_non_null(f);
		char first[512] = "";
		if (!fgets(first, sizeof(first), f))
			first[0] = '\0';
		fclose(f);
		first[strcspn(first, "\n")] = '\0';
		assert_true(strncmp(first, "# error: ", 9) == 0);
		const char *want = first + 9;
		const char *sep = strstr(want, ": ");
		assert_non_null(sep);
		char *where = xasprintf("%s:%.*s: ", files[i], (int)(sep - want), want);
		struct quai_imagetest_spec spec;
		struct quai_error *err = NULL;
		int rc = quai_imagetest_spec_load(&spec, files[i], &err);
		if (rc == 0) {
			print_error("%s: loaded, expected an error\n", files[i]);
			failures++;
			quai_imagetest_spec_release(&spec);
		} else if (strncmp(err->msg, where, strlen(where)) != 0 || !strstr(err->msg, sep + 2)) {
			print_error("%s:\n  expected %s...%s\n  actual   %s\n", files[i], where, sep + 2,
			            err->msg);
			failures++;
		}
		quai_error_free(err);
		free(where);
		free(files[i]);
	}
	free(files);
	free(dir);
	assert_int_equal(failures, 0);
}

int main(int argc, char **argv)
{
	data_dir = argc > 1 ? argv[1] : "tests/data/imagetest";
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good),
	    cmocka_unit_test(test_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
