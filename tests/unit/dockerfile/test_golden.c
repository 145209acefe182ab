/* Golden-file tests of the parser: each tests/data/dockerfile/X.Dockerfile
 * must dump (dump.c) exactly as X.expected. To update one after a deliberate
 * change: build/tests/unit/dockerfile/df_dump X.Dockerfile > X.expected, and
 * review the difference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "dockerfile/dockerfile.h"
#include "dump.h"

static void check_golden(void **state)
{
	const char *path = *state;
	cleanup_free char *src = NULL, *want = NULL;
	size_t len = 0, wlen = 0;
	struct quai_error *err = NULL;
	size_t base = strlen(path) - strlen(".Dockerfile");
	cleanup_free char *exp = xasprintf("%.*s.expected", (int)base, path);
	if (quai_file_read(&src, &len, path, 1u << 24, &err) < 0 || quai_file_read(&want, &wlen, exp, 1u << 24, &err) < 0)
		fail_msg("%s", err->msg);

	struct quai_dockerfile df;
	quai_dockerfile_parse(&df, path, src, len);
	char *got = NULL;
	size_t glen = 0;
	FILE *f = open_memstream(&got, &glen);
	assert_non_null(f);
	df_test_dump(f, &df);
	fclose(f);
	quai_dockerfile_release(&df);
	bool same = got && want && glen == wlen && memcmp(got, want, glen) == 0;
	if (!same && got && want) {
		size_t i = 0;
		while (i < glen && i < wlen && got[i] == want[i])
			i++;
		size_t ls = i;
		while (ls > 0 && got[ls - 1] != '\n')
			ls--;
		print_message("# %s: first difference at byte %zu\n# got:  %.120s\n", exp, i, got + ls);
	}
	free(got);
	assert_true(same);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/data/dockerfile";
	DIR *d = opendir(dir);
	if (!d) {
		printf("1..0 # SKIP no directory %s\n", dir);
		return 0;
	}
	char **paths = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t l = strlen(e->d_name);
		if (l > 11 && strcmp(e->d_name + l - 11, ".Dockerfile") == 0) {
			paths = xgrow(paths, &cap, n + 1, sizeof(*paths));
			paths[n++] = xasprintf("%s/%s", dir, e->d_name);
		}
	}
	closedir(d);
	if (n)
		qsort(paths, n, sizeof(*paths), cmp_str);
	struct CMUnitTest *tests = xcalloc(n ? n : 1, sizeof(*tests));
	for (size_t i = 0; i < n; i++)
		tests[i] = (struct CMUnitTest){ strrchr(paths[i], '/') + 1, check_golden, NULL, NULL, paths[i] };
	int r = _cmocka_run_group_tests("dockerfile golden files", tests, n, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(tests);
	return r;
}
