/* The .dockerignore matcher: the data cases of tests/data/context/dockerignore/
 * and a few that need bytes a data file holds badly (CR, BOM). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "context/context.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"

static const char *data_dir = "tests/data/context/dockerignore";

static int has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Runs one NAME.case file; returns the number of failed expectations. */
static int run_case(const char *path)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	struct quai_error *err = NULL;
	if (quai_file_read(&text, &len, path, 1 << 20, &err) < 0) {
		print_error("%s: %s\n", path, err->msg);
		quai_error_free(err);
		return 1;
	}
	char *sep = strstr(text, "----\n");
	if (!sep) {
		print_error("%s: no ---- line\n", path);
		return 1;
	}
	struct quai_dockerignore *di = NULL;
	if (quai_dockerignore_parse(&di, text, (size_t)(sep - text), path, &err) < 0) {
		print_error("%s: %s\n", path, err->msg);
		quai_error_free(err);
		return 1;
	}
	int failed = 0, checked = 0;
	for (char *line = sep + 5; *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strlen(line) > 2 && (line[0] == 'x' || line[0] == 'i') && line[1] == ' ') {
			bool want = line[0] == 'x';
			bool got = quai_dockerignore_match(di, line + 2);
			checked++;
			if (got != want) {
				print_error("%s: '%s' should be %s\n", path, line + 2,
				            want ? "excluded" : "sent");
				failed++;
			}
		} else if (*line) {
			print_error("%s: bad line '%s'\n", path, line);
			failed++;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	if (checked == 0) {
		print_error("%s: no paths\n", path);
		failed++;
	}
	quai_dockerignore_free(di);
	return failed;
}

static int run_bad(const char *path)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	struct quai_error *err = NULL;
	if (quai_file_read(&text, &len, path, 1 << 20, &err) < 0) {
		quai_error_free(err);
		return 1;
	}
	struct quai_dockerignore *di = NULL;
	if (quai_dockerignore_parse(&di, text, len, path, &err) == 0) {
		print_error("%s: accepted\n", path);
		quai_dockerignore_free(di);
		return 1;
	}
	/* the message names the file and line */
	int bad = strstr(err->msg, path) == NULL || strstr(err->msg, ":1:") == NULL;
	if (bad)
		print_error("%s: message '%s'\n", path, err->msg);
	quai_error_free(err);
	return bad;
}

static void test_data_cases(void **state)
{
	DIR *d = opendir(data_dir);
	assert_non_null(d);
	struct dirent *de;
	int failed = 0, cases = 0, bad = 0;
	while ((de = readdir(d))) {
		cleanup_free char *path = xasprintf("%s/%s", data_dir, de->d_name);
		if (has_suffix(de->d_name, ".case")) {
			failed += run_case(path);
			cases++;
		} else if (has_suffix(de->d_name, ".bad")) {
			failed += run_bad(path);
			bad++;
		}
	}
	closedir(d);
	assert_true(cases >= 20);
	assert_true(bad >= 5);
	assert_int_equal(failed, 0);
}

static bool m(const char *text, const char *path)
{
	struct quai_dockerignore *di = NULL;
	struct quai_error *err = NULL;
	if (quai_dockerignore_parse(&di, text, strlen(text), NULL, &err) < 0) {
		print_error("%s\n", err->msg);
		quai_error_free(err);
		fail();
	}
	bool r = quai_dockerignore_match(di, path);
	quai_dockerignore_free(di);
	return r;
}

static void test_crlf_bom(void **state)
{
	assert_true(m("\xef\xbb\xbf"
	              "foo\r\nbar\r\n",
	              "foo"));
	assert_true(m("\xef\xbb\xbf"
	              "foo\r\nbar\r\n",
	              "bar"));
	assert_false(m("\xef\xbb\xbf"
	               "foo\r\nbar\r\n",
	               "\xef\xbb\xbf"
	               "foo"));
	/* a BOM only counts on the first line */
	assert_false(m("x\n\xef\xbb\xbf"
	               "foo\n",
	               "foo"));
	/* no final newline */
	assert_true(m("a\n!b\nc", "c"));
	assert_true(m("\tfoo\t\n", "foo"));
}

static void test_empty_and_load(void **state)
{
	struct quai_dockerignore *di = NULL;
	struct quai_error *err = NULL;
	assert_int_equal(quai_dockerignore_load(&di, NULL, &err), 0);
	assert_false(quai_dockerignore_match(di, "anything"));
	assert_int_equal(quai_dockerignore_count(di), 0);
	quai_dockerignore_free(di);
	assert_int_equal(quai_dockerignore_load(&di, "/nonexistent/quai/.dockerignore", &err), 0);
	assert_false(quai_dockerignore_match(di, "x"));
	quai_dockerignore_free(di);
	assert_false(m("# only a comment\n\n   \n", "x"));
	assert_false(quai_dockerignore_match(NULL, "x"));
}

static void test_add_and_walk(void **state)
{
	struct quai_dockerignore *di = NULL;
	struct quai_error *err = NULL;
	assert_int_equal(quai_dockerignore_parse(&di, "docker\n", 7, NULL, &err), 0);
	assert_false(quai_dockerignore_has_exceptions(di));
	assert_true(quai_dockerignore_match(di, "docker/Dockerfile"));
	assert_int_equal(quai_dockerignore_add(di, "!docker/Dockerfile", &err), 0);
	assert_true(quai_dockerignore_has_exceptions(di));
	assert_false(quai_dockerignore_match(di, "docker/Dockerfile"));
	assert_true(quai_dockerignore_match(di, "docker/other"));
	assert_true(quai_dockerignore_walk_excluded_dir(di, "docker"));
	assert_false(quai_dockerignore_walk_excluded_dir(di, "dock"));
	assert_false(quai_dockerignore_walk_excluded_dir(di, "docker/Dockerfile/x"));
	assert_int_equal(quai_dockerignore_add(di, "!", &err), -1);
	assert_non_null(strstr(err->msg, "illegal exclusion"));
	quai_error_free(err);
	quai_dockerignore_free(di);
}

static void test_long_patterns(void **state)
{
	/* many stars against a long name stays linear */
	char pat[2100], path[4100];
	size_t k = 0;
	for (int i = 0; i < 1000; i++) {
		pat[k++] = '*';
		pat[k++] = 'a';
	}
	pat[k++] = 'b';
	pat[k] = '\0';
	memset(path, 'a', 4000);
	path[4000] = '\0';
	assert_false(m(pat, path));
	path[3999] = 'b';
	assert_true(m(pat, path));
}

int main(int argc, char **argv)
{
	if (argc > 1)
		data_dir = argv[1];
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_data_cases),     cmocka_unit_test(test_crlf_bom),
	    cmocka_unit_test(test_empty_and_load), cmocka_unit_test(test_add_and_walk),
	    cmocka_unit_test(test_long_patterns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
