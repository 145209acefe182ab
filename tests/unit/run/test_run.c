/* Unit tests of src/run/: versions, branch slugs, the references pushed,
 * the run record, the push gate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sys/stat.h>

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

/* Two images, b built FROM a; statuses as the test sets them. */
struct fixture {
	struct quai_repo repo;
	struct quai_repo_image imgs[3];
	struct quai_plan plan;
	struct run_image ri[3];
	struct quai_run_options o;
	struct run r;
	size_t deps_b[1], deps_c[1];
};

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	static char n0[] = "a", n1[] = "b", n2[] = "c", r0[] = "reg/ns/a", r1[] = "reg/ns/b",
	            r2[] = "reg/ns/c";
	static char *names[] = {n0, n1, n2};
	static char *repos[] = {r0, r1, r2};
	static char head[] = "0123456789abcdef0123456789abcdef01234567";
	static char root[] = "/nonexistent", id[] = "20261122T000000Z-000000",
	            started[] = "2026-11-22T00:00:00Z";
	for (int i = 0; i < 3; i++) {
		f->imgs[i].name = f->imgs[i].dir = names[i];
		f->imgs[i].repository = repos[i];
		f->ri[i].img = &f->imgs[i];
		f->ri[i].log = names[i];
	}
	f->deps_b[0] = 0;
	f->deps_c[0] = 1;
	f->ri[1].deps = f->deps_b;
	f->ri[1].ndeps = 1;
	f->ri[2].deps = f->deps_c;
	f->ri[2].ndeps = 1;
	f->repo.root = root;
	f->plan.head = head;
	f->r = (struct run){.o = &f->o,
	                    .repo = &f->repo,
	                    .plan = &f->plan,
	                    .id = id,
	                    .started = started,
	                    .images = f->ri,
	                    .n = 3,
	                    .jobs = 2};
	clock_gettime(CLOCK_MONOTONIC, &f->r.t0);
}

static void record_json(void **state)
{
	struct fixture f;
	fixture_init(&f);
	f.ri[0].steps[STEP_BUILD] = (struct run_step){ST_OK, 1.5, NULL};
	f.ri[0].steps[STEP_TEST] = (struct run_step){ST_FAILED, 0.5, (char *)"a test failed"};
	char ref[] = "reg/ns/a:0.1.0", digest[] = "sha256:00";
	struct run_ref refs[] = {{ref, false, digest}};
	f.ri[0].refs = refs;
	f.ri[0].nrefs = 1;
	json_t *o = run_record_json(&f.r, "failed");
	assert_string_equal(json_string_value(json_object_get(o, "status")), "failed");
	assert_string_equal(json_string_value(json_object_get(o, "commit")), f.plan.head);
	assert_true(json_is_null(json_object_get(o, "since")));
	json_t *a = json_array_get(json_object_get(o, "images"), 0);
	json_t *b = json_array_get(json_object_get(o, "images"), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(a, "build"), "status")), "ok");
	assert_string_equal(json_string_value(json_object_get(json_object_get(a, "test"), "note")),
	                    "a test failed");
	assert_string_equal(json_string_value(json_object_get(a, "digest")), "sha256:00");
	assert_string_equal(json_string_value(json_array_get(json_object_get(b, "depends_on"), 0)), "a");
	assert_string_equal(json_string_value(json_object_get(json_object_get(b, "push"), "status")),
	                    "pending");
	json_decref(o);
	for (int s = ST_PENDING; s <= ST_NONE; s++)
		assert_int_equal(run_status_parse(run_status_name((enum run_status)s)), s);
	assert_int_equal(run_status_parse("nope"), -1);
	assert_int_equal(run_status_parse(NULL), -1);
}

static void ancestors(void **state)
{
	struct fixture f;
	fixture_init(&f);
	assert_true(run_ancestors_tested(&f.r, 0));
	assert_false(run_ancestors_tested(&f.r, 2));
	f.ri[1].steps[STEP_TEST].status = ST_OK;
	assert_false(run_ancestors_tested(&f.r, 2)); /* a, two levels up, is not */
	f.ri[0].steps[STEP_TEST].status = ST_NONE;
	assert_true(run_ancestors_tested(&f.r, 2));
}

static void write_atomic(void **state)
{
	char dir[] = "/tmp/quai-test-run-dir-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/run.json", dir);
	struct quai_error *err = NULL;
	assert_int_equal(run_write_atomic(path, "{}\n", 3, &err), 0);
	assert_int_equal(run_write_atomic(path, "[1]\n", 4, &err), 0);
	FILE *f = fopen(path, "r");
	char buf[16] = "";
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "[1]\n");
	unlink(path);
	rmdir(dir);
	assert_int_equal(run_write_atomic("/nonexistent/dir/run.json", "x", 1, &err), -1);
	assert_non_null(strstr(err->msg, "create '/nonexistent/dir/run.json.tmp."));
	quai_error_free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(semver_parse),      cmocka_unit_test(semver_order),
	    cmocka_unit_test(version_from_tags), cmocka_unit_test(branch_slug),
	    cmocka_unit_test(refs_plan),         cmocka_unit_test(version_label),
	    cmocka_unit_test(record_json),       cmocka_unit_test(ancestors),
	    cmocka_unit_test(write_atomic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
