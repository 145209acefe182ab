/* Rule tests as data files, so that adding a case needs no code.
 *
 * tests/data/lint/<CODE>/fire*.Dockerfile must report CODE; if its first line
 * is "# lines: 3 5", exactly on those lines. pass*.Dockerfile must not report
 * CODE. A config.yaml beside them (.hadolint.yaml format) applies to all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "lint/lint.h"

struct data_case {
	char *code;
	char *path;
	char *config; /* NULL if none */
	bool fire;
};

static void check_case(void **state)
{
	const struct data_case *c = *state;
	cleanup_free char *src = NULL;
	size_t len = 0;
	struct quai_error *err = NULL;
	if (quai_file_read(&src, &len, c->path, 1u << 24, &err) < 0)
		fail_msg("%s", err->msg);

	struct quai_lint_config cfg;
	quai_lint_config_init(&cfg);
	if (c->config && quai_lint_config_load(&cfg, c->config, &err) < 0)
		fail_msg("%s", err->msg);

	struct quai_dockerfile df;
	quai_dockerfile_parse(&df, c->path, src, len);
	struct quai_findings f = { 0 };
	quai_lint_dockerfile(&f, &df, &cfg);

	unsigned want[64];
	size_t nwant = 0;
	if (strncmp(src, "# lines:", 8) == 0) {
		char *p = src + 8;
		while (nwant < 64) {
			char *end;
			unsigned long v = strtoul(p, &end, 10);
			if (end == p)
				break;
			want[nwant++] = (unsigned)v;
			p = end;
		}
	}

	size_t hits = 0;
	char got[1024] = "";
	size_t gotlen = 0;
	for (size_t i = 0; i < f.len; i++) {
		if (gotlen < sizeof(got) - 64)
			gotlen += (size_t)snprintf(got + gotlen, sizeof(got) - gotlen, " %s@%u", f.items[i].code,
						   f.items[i].line);
		if (strcmp(f.items[i].code, c->code) != 0)
			continue;
		hits++;
		if (nwant) {
			bool ok = false;
			for (size_t w = 0; w < nwant; w++)
				ok = ok || want[w] == f.items[i].line;
			if (!ok)
				fail_msg("%s: %s reported on unexpected line %u (got:%s)", c->path, c->code,
					 f.items[i].line, got);
		}
	}
	if (c->fire && hits == 0)
		fail_msg("%s: expected %s, not reported (got:%s)", c->path, c->code, got);
	if (c->fire && nwant && hits != nwant)
		fail_msg("%s: expected %s %zu times, got %zu (got:%s)", c->path, c->code, nwant, hits, got);
	if (!c->fire && hits)
		fail_msg("%s: %s reported but must not be (got:%s)", c->path, c->code, got);

	quai_findings_release(&f);
	quai_dockerfile_release(&df);
	quai_lint_config_release(&cfg);
}

static const char *data_root;

/* Every rule the linter lists has a case that fires and one that must not. */
static void every_rule_has_data(void **state)
{
	(void)state;
	size_t n;
	const struct quai_lint_rule_info *rules = quai_lint_rules(&n);
	assert_true(n > 90);
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *dir = xasprintf("%s/%s", data_root, rules[i].code);
		DIR *d = opendir(dir);
		if (!d)
			fail_msg("rule %s has no test data folder %s", rules[i].code, dir);
		bool fire = false, pass = false;
		for (struct dirent *e; (e = readdir(d));) {
			fire = fire || strncmp(e->d_name, "fire", 4) == 0;
			pass = pass || strncmp(e->d_name, "pass", 4) == 0;
		}
		closedir(d);
		if (!fire || !pass)
			fail_msg("rule %s needs a fire* and a pass* data file in %s", rules[i].code, dir);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **list_dir(const char *path, size_t *n)
{
	DIR *d = opendir(path);
	char **names = NULL;
	size_t cap = 0;
	*n = 0;
	if (!d)
		return NULL;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		names = xgrow(names, &cap, *n + 1, sizeof(*names));
		names[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof(*names), cmp_str);
	return names;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : "tests/data/lint";
	data_root = root;
	struct CMUnitTest *tests = NULL;
	size_t ntests = 0, cap = 0;
	tests = xgrow(tests, &cap, 1, sizeof(*tests));
	tests[ntests++] = (struct CMUnitTest){ xstrdup("every rule has data files"), every_rule_has_data, NULL,
					       NULL, NULL };
	size_t ncodes;
	char **codes = list_dir(root, &ncodes);
	for (size_t i = 0; i < ncodes; i++) {
		cleanup_free char *dir = xasprintf("%s/%s", root, codes[i]);
		cleanup_free char *config = xasprintf("%s/config.yaml", dir);
		struct stat st;
		bool has_config = stat(config, &st) == 0;
		size_t nfiles;
		char **files = list_dir(dir, &nfiles);
		for (size_t j = 0; j < nfiles; j++) {
			bool fire = strncmp(files[j], "fire", 4) == 0;
			bool pass = strncmp(files[j], "pass", 4) == 0;
			if ((fire || pass) && ends_with(files[j], ".Dockerfile")) {
				struct data_case *c = xcalloc(1, sizeof(*c));
				c->code = xstrdup(codes[i]);
				c->path = xasprintf("%s/%s", dir, files[j]);
				c->config = has_config ? xstrdup(config) : NULL;
				c->fire = fire;
				tests = xgrow(tests, &cap, ntests + 1, sizeof(*tests));
				tests[ntests++] = (struct CMUnitTest){ xasprintf("%s/%s", codes[i], files[j]),
								       check_case, NULL, NULL, c };
			}
			free(files[j]);
		}
		free(files);
		free(codes[i]);
	}
	free(codes);
	if (ntests == 0) {
		fprintf(stderr, "no rule test data under '%s'\n", root);
		return 1;
	}
	int failed = _cmocka_run_group_tests("lint rules (data files)", tests, ntests, NULL, NULL);
	for (size_t i = 0; i < ntests; i++) {
		struct data_case *c = (struct data_case *)tests[i].initial_state;
		free((char *)tests[i].name);
		if (!c)
			continue;
		free(c->code);
		free(c->path);
		free(c->config);
		free(c);
	}
	free(tests);
	return failed ? 1 : 0;
}
