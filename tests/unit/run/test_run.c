/* Unit tests of src/run/version.c: versions, branch slugs, the references pushed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/internal.h"

static void semver_parse(void **state)
{
	struct semver v;
	assert_int_equal(run_semver_parse(&v, "1.2.3"), 0);
	assert_true(v.major == 1 && v.minor == 2 && v.patch == 3 && !*v.pre);
	assert_int_equal(run_semver_parse(&v, "v10.0.7-rc.1"), 0);
	assert_true(v.major == 10 && v.patch == 7);
	assert_string_equal(v.pre, "rc.1");
	const char *bad[] = {"",       "1",       "1.2",    "1.2.x",  "01.2.3",
	                     "1.2.3-", "1.2.3+b", "1.2.3 ", "-1.2.3", "1..3"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(run_semver_parse(&v, bad[i]), -1);
}

static void semver_order(void **state)
{
	struct semver a, b;
	run_semver_parse(&a, "1.2.10");
	run_semver_parse(&b, "1.2.9");
	assert_true(run_semver_cmp(&a, &b) > 0);
	run_semver_parse(&b, "1.2.10-rc.1");
	assert_true(run_semver_cmp(&a, &b) > 0);
	assert_true(run_semver_cmp(&b, &a) < 0);
	assert_int_equal(run_semver_cmp(&a, &a), 0);
}

static void version_from_tags(void **state)
{
	char *v = run_version_from_tags("base", NULL, NULL, 0, "c0");
	assert_string_equal(v, "0.1.0");
	free(v);
	const char *tags[] = {"base/v0.1.0", "base/v0.1.9",  "base/v0.1.10",    "basement/v9.0.0",
	                      "base/vX",     "child/v3.0.0", "base/v0.2.0-rc.1"};
	const char *commits[] = {"c1", "c2", "c3", "c4", "c5", "c6", "c7"};
	v = run_version_from_tags("base", tags, commits, 7, "c0");
	assert_string_equal(v, "0.2.0");
	free(v);
	v = run_version_from_tags("base", tags, commits, 6, "c0");
	assert_string_equal(v, "0.1.11");
	free(v);
	/* released at HEAD already: the same version again */
	v = run_version_from_tags("base", tags, commits, 6, "c2");
	assert_string_equal(v, "0.1.9");
	free(v);
	v = run_version_from_tags("child", tags, commits, 7, "c0");
	assert_string_equal(v, "3.0.1");
	free(v);
}

static void branch_slug(void **state)
{
	struct {
		const char *in, *out;
	} cases[] = {{"main", "main"},
	             {"feature/Login-Page", "feature-login-page"},
	             {"--x--", "x"},
	             {"", "detached"},
	             {NULL, "detached"},
	             {".hidden", "_hidden"},
	             {"a//b__c..d", "a-b__c..d"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *s = run_branch_slug(cases[i].in);
		assert_string_equal(s, cases[i].out);
		free(s);
	}
	char long_name[400];
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	char *s = run_branch_slug(long_name);
	assert_int_equal(strlen(s), 128);
	free(s);
}

static char *joined(struct run_ref *refs, size_t n)
{
	static char buf[1024];
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		strncat(buf, refs[i].ref, sizeof(buf) - strlen(buf) - 1);
		strncat(buf, refs[i].floating ? "~ " : " ", sizeof(buf) - strlen(buf) - 1);
	}
	return buf;
}

static void refs_plan(void **state)
{
	struct run_ref *refs;
	size_t n;
	char stable[] = "stable", latest[] = "latest";
	char *extra[] = {stable, latest, NULL};
	run_refs_plan(&refs, &n, "r:5000/ns/base", "1.4.2", true, "main", "abc1234", extra);
	assert_string_equal(joined(refs, n),
	                    "r:5000/ns/base:1.4.2 r:5000/ns/base:1.4~ r:5000/ns/base:1~ "
	                    "r:5000/ns/base:latest~ r:5000/ns/base:stable~ r:5000/ns/base:abc1234 ");
	run_refs_free(refs, n);
	run_refs_plan(&refs, &n, "base", "2.0.0-rc.1", true, "main", "abc1234", NULL);
	assert_string_equal(joined(refs, n), "base:2.0.0-rc.1 base:abc1234 ");
	run_refs_free(refs, n);
	run_refs_plan(&refs, &n, "base", "1.4.2", false, "feature/x", "abc1234", extra);
	assert_string_equal(joined(refs, n), "base:feature-x~ base:abc1234 ");
	run_refs_free(refs, n);
}

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/quai-test-run-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void version_label(void **state)
{
	char *p =
	    write_tmp("ARG V=1.2.3\nFROM scratch AS build\nLABEL org.opencontainers.image.version=9.9.9\n"
	              "FROM scratch\nARG V\nLABEL org.opencontainers.image.version=\"${V}\"\n");
	bool unresolved = true;
	char *v = run_version_from_dockerfile(p, NULL, NULL, &unresolved);
	assert_false(unresolved);
	assert_string_equal(v, "1.2.3");
	free(v);
	char v2[] = "V=2.0.0";
	char *args[] = {v2, NULL};
	v = run_version_from_dockerfile(p, NULL, args, &unresolved);
	assert_string_equal(v, "2.0.0");
	free(v);
	v = run_version_from_dockerfile(p, "build", NULL, &unresolved);
	assert_string_equal(v, "9.9.9");
	free(v);
	unlink(p);
	free(p);
	p = write_tmp("FROM scratch\nARG V\nLABEL org.opencontainers.image.version=$V a=b\n");
	assert_null(run_version_from_dockerfile(p, NULL, NULL, &unresolved)); /* unset: unknown */
	assert_true(unresolved);
	unlink(p);
	free(p);
	p = write_tmp("FROM scratch\nLABEL a=b\n");
	assert_null(run_version_from_dockerfile(p, NULL, NULL, &unresolved));
	assert_false(unresolved);
	unlink(p);
	free(p);
	assert_null(run_version_from_dockerfile("/nonexistent/Dockerfile", NULL, NULL, &unresolved));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(semver_parse),      cmocka_unit_test(semver_order),
	    cmocka_unit_test(version_from_tags), cmocka_unit_test(branch_slug),
	    cmocka_unit_test(refs_plan),         cmocka_unit_test(version_label),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
