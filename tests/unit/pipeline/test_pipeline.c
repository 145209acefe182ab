/* Unit tests of src/pipeline/: the rules:if language, globs, durations,
 * slugs, variable expansion, service aliases, loading from memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "pipeline/internal.h"
#include "pipeline/pipeline.h"

static struct quai_pipeline_vars test_vars(void)
{
	struct quai_pipeline_vars v = {0};
	quai_pipeline_vars_add(&v, "BRANCH", "main");
	quai_pipeline_vars_add(&v, "EMPTY", "");
	quai_pipeline_vars_add(&v, "SPACES", "   ");
	quai_pipeline_vars_add(&v, "RE", "/^ma/");
	quai_pipeline_vars_add(&v, "NUM", "23");
	quai_pipeline_vars_add(&v, "BIG", "1234");
	return v;
}

static void test_if(void **state)
{
	static const struct {
		const char *expr;
		bool want;
	} cases[] = {
	    {"$BRANCH == \"main\"", true},
	    {"$BRANCH == 'main'", true},
	    {"$BRANCH != \"main\"", false},
	    {"$BRANCH", true},
	    {"$EMPTY", false},
	    {"$SPACES", false}, /* blank is not present */
	    {"$NOPE", false},
	    {"$NOPE == null", true},
	    {"$EMPTY == null", false},
	    {"$EMPTY == \"\"", true},
	    {"null == null", true},
	    {"$BRANCH =~ /^ma/", true},
	    {"$BRANCH =~ /^MA/i", true},
	    {"$BRANCH =~ /ai/", true},
	    {"$BRANCH =~ /^ai/", false},
	    {"$BRANCH !~ /^ai/", true},
	    {"$NOPE =~ /x/", false},
	    {"$NOPE !~ /x/", true},
	    {"$BRANCH =~ $RE", true}, /* a variable holding /regex/ */
	    {"$NUM =~ $BIG", true},   /* a plain string: contains */
	    {"$BIG =~ $NUM", false},
	    {"$BRANCH =~ \"/^ma/\"", true},
	    {"$EMPTY || $BRANCH", false}, /* Ruby: "" is truthy, then blank */
	    {"$NOPE || $BRANCH", true},
	    {"$BRANCH && $NOPE", false},
	    {"$BRANCH == \"x\" || $BRANCH == \"main\" && $NUM == \"23\"", true},
	    {"($BRANCH == \"x\" || $BRANCH == \"main\") && $NUM == \"24\"", false},
	    {"\"$BRANCH-x\" == \"main-x\"", true},
	    {"'x'", true},
	    {"/x/", true},
	};
	struct quai_pipeline_vars v = test_vars();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool out = !cases[i].want;
		struct quai_error *err = NULL;
		int rc = quai_pipeline_if(&out, cases[i].expr, &v, &err);
		if (rc < 0 || out != cases[i].want)
			fail_msg("%s: rc %d, got %d (%s)", cases[i].expr, rc, out, err ? err->msg : "");
	}
	quai_pipeline_vars_release(&v);
}

static void test_if_errors(void **state)
{
	static const char *const bad[] = {
	    "",
	    "$",
	    "$A ==",
	    "$A = \"x\"",
	    "($A",
	    "$A)",
	    "\"open",
	    "/open",
	    "//",
	    "$A =~ /(?=x)/",
	    "$A =~ /a/z",
	    "$A && && $B",
	    "$A == \"x\" $B",
	    "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((($A",
	};
	struct quai_pipeline_vars v = test_vars();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bool out;
		struct quai_error *err = NULL;
		if (quai_pipeline_if(&out, bad[i], &v, &err) == 0)
			fail_msg("'%s' parsed", bad[i]);
		assert_non_null(err);
		assert_true(strncmp(err->msg, "col ", 4) == 0 || strstr(err->msg, "regular expression"));
		quai_error_free(err);
	}
	quai_pipeline_vars_release(&v);
}

static void test_glob(void **state)
{
	static const struct {
		const char *pat, *path;
		bool want;
	} cases[] = {
	    {"Dockerfile", "Dockerfile", true},
	    {"*.md", "README.md", true},
	    {"*.md", "docs/a.md", false},
	    {"docs/*", "docs/a.md", true},
	    {"docs/*", "docs/x/a.md", false},
	    {"docs/**/*", "docs/x/a.md", true},
	    {"docs/**/*", "docs/a.md", true},
	    {"**/*.c", "a.c", true},
	    {"**/*.c", "src/lib/a.c", true},
	    {"src/**/*.{c,h}", "src/x/y.h", true},
	    {"src/**/*.{c,h}", "src/x/y.o", false},
	    {"file?.txt", "file1.txt", true},
	    {"file?.txt", "file/.txt", false},
	    {"[a-c]*.txt", "b1.txt", true},
	    {"[!a-c]*.txt", "b1.txt", false},
	    {".hidden/*", ".hidden/x", true},
	    {"*", ".dot", true},
	    {"a\\*b", "a*b", true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (pl_glob_match(cases[i].pat, cases[i].path) != cases[i].want)
			fail_msg("%s vs %s", cases[i].pat, cases[i].path);
}

static void test_duration(void **state)
{
	long s;
	assert_int_equal(quai_pipeline_duration(&s, "3 hours 30 minutes"), 0);
	assert_int_equal(s, 12600);
	assert_int_equal(quai_pipeline_duration(&s, "3h 30m"), 0);
	assert_int_equal(s, 12600);
	assert_int_equal(quai_pipeline_duration(&s, "1 week"), 0);
	assert_int_equal(s, 604800);
	assert_int_equal(quai_pipeline_duration(&s, "3600"), 0);
	assert_int_equal(s, 3600);
	assert_int_equal(quai_pipeline_duration(&s, "1 day and 2 hrs"), 0);
	assert_int_equal(s, 93600);
	assert_int_equal(quai_pipeline_duration(&s, "soon"), -1);
	assert_int_equal(quai_pipeline_duration(&s, ""), -1);
	assert_int_equal(quai_pipeline_duration(&s, "-1 h"), -1);
}

static void test_slug_and_aliases(void **state)
{
	char *s = quai_pipeline_slug("Feature/Big_Thing");
	assert_string_equal(s, "feature-big-thing");
	free(s);
	s = quai_pipeline_slug("--x--");
	assert_string_equal(s, "x");
	free(s);
	s = quai_pipeline_slug(
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_int_equal(strlen(s), 63);
	free(s);
	char **a = quai_pipeline_service_aliases("registry.example.com:5000/tutum/wordpress:latest");
	assert_string_equal(a[0], "registry.example.com:5000__tutum__wordpress");
	assert_string_equal(a[1], "registry.example.com:5000-tutum-wordpress");
	assert_null(a[2]);
	pl_strv_free(a);
	a = quai_pipeline_service_aliases("postgres:14@sha256:abc");
	assert_string_equal(a[0], "postgres");
	assert_null(a[1]);
	pl_strv_free(a);
}

static void test_expand(void **state)
{
	struct quai_pipeline_vars v = {0};
	quai_pipeline_vars_add(&v, "A", "a");
	quai_pipeline_vars_add(&v, "B", "<$A>");
	quai_pipeline_vars_add(&v, "RAW", "$A")->raw = true;
	quai_pipeline_vars_add(&v, "LOOP", "x$LOOP");
	char *s = quai_pipeline_expand("$A ${A} $B $$A $RAW $NOPE|${NOPE}|$", &v);
	assert_string_equal(s, "a a <a> $A $A ||$");
	free(s);
	s = quai_pipeline_expand("$LOOP", &v);
	assert_true(strncmp(s, "xxxxxxxxx", 9) == 0);
	free(s);
	struct quai_error *err = NULL;
	assert_int_equal(quai_pipeline_vars_parse(&v, "K=V=W", &err), 0);
	assert_string_equal(quai_pipeline_vars_get(&v, "K")->value, "V=W");
	assert_int_equal(quai_pipeline_vars_parse(&v, "bad-name=x", &err), -1);
	quai_error_free(err);
	quai_pipeline_vars_release(&v);
}

static struct quai_pipeline *load(const char *text, const char *branch)
{
	struct quai_pipeline_context ctx = {
	    .project_dir = ".",
	    .file = "t.yml",
	    .data = text,
	    .len = strlen(text),
	    .branch = branch,
	    .changes = {NULL, 0, true},
	};
	struct quai_pipeline *p = NULL;
	struct quai_error *err = NULL;
	if (quai_pipeline_load(&p, &ctx, &err) < 0)
		fail_msg("%s", err->msg);
	return p;
}

static void test_load_and_env(void **state)
{
	struct quai_pipeline *p =
	    load("variables: {G: g, REF: $CI_COMMIT_REF_NAME}\n"
	         "build:\n  stage: build\n  image: alpine:$G\n  script: [make]\n"
	         "test:\n  parallel: 2\n  needs: [build]\n  variables: {G: job}\n  script: [t]\n",
	         "dev");
	assert_int_equal(p->njobs, 3);
	assert_string_equal(p->jobs[0].name, "build");
	assert_string_equal(p->jobs[0].image.name, "alpine:g");
	assert_string_equal(p->jobs[2].name, "test 2/2");
	assert_int_equal(p->jobs[2].nneeds, 1);
	struct quai_pipeline_vars env;
	quai_pipeline_job_env(&env, p, &p->jobs[2], 42, NULL);
	assert_string_equal(quai_pipeline_vars_get(&env, "CI_JOB_ID")->value, "42");
	assert_string_equal(quai_pipeline_vars_get(&env, "CI_NODE_INDEX")->value, "2");
	assert_string_equal(quai_pipeline_vars_get(&env, "CI_NODE_TOTAL")->value, "2");
	assert_string_equal(quai_pipeline_vars_get(&env, "G")->value, "job");
	assert_string_equal(quai_pipeline_vars_get(&env, "REF")->value, "dev");
	assert_string_equal(quai_pipeline_vars_get(&env, "CI_COMMIT_BRANCH")->value, "dev");
	assert_string_equal(quai_pipeline_vars_get(&env, "CI_JOB_STAGE")->value, "test");
	assert_string_equal(quai_pipeline_vars_get(&env, "CI_COMMIT_SHORT_SHA")->value, "00000000");
	assert_true(quai_pipeline_vars_get(&env, "CI_REGISTRY_PASSWORD")->masked);
	quai_pipeline_vars_release(&env);
	assert_non_null(quai_pipeline_find(p, "test 1/2"));
	assert_null(quai_pipeline_find(p, "test"));
	quai_pipeline_free(p);
}

static void test_env_inherit_and_dotenv(void **state)
{
	struct quai_pipeline *p =
	    load("variables: {G: g, H: h}\n"
	         "a:\n  inherit: {variables: [H]}\n  script: [x]\n"
	         "b:\n  inherit: {variables: false}\n  variables: {OWN: $H}\n  script: [x]\n",
	         "main");
	struct quai_pipeline_vars dotenv = {0}, env;
	quai_pipeline_vars_add(&dotenv, "FROM_DOTENV", "1");
	quai_pipeline_job_env(&env, p, quai_pipeline_find(p, "a"), 1, &dotenv);
	assert_null(quai_pipeline_vars_get(&env, "G"));
	assert_string_equal(quai_pipeline_vars_get(&env, "H")->value, "h");
	assert_string_equal(quai_pipeline_vars_get(&env, "FROM_DOTENV")->value, "1");
	quai_pipeline_vars_release(&env);
	quai_pipeline_job_env(&env, p, quai_pipeline_find(p, "b"), 2, NULL);
	assert_null(quai_pipeline_vars_get(&env, "G"));
	assert_string_equal(quai_pipeline_vars_get(&env, "OWN")->value, "");
	quai_pipeline_vars_release(&env);
	quai_pipeline_vars_release(&dotenv);
	quai_pipeline_free(p);
}

static int fake_compare(void *ud, const char *ref, char ***out, struct quai_error **err)
{
	int *calls = ud;
	(*calls)++;
	if (strcmp(ref, "refs/heads/main") != 0)
		return quai_error_set(err, QUAI_EXIT_USAGE, "unknown ref '%s'", ref);
	char **v = calloc(2, sizeof(char *));
	v[0] = strdup("api/server.go");
	*out = v;
	return 0;
}

static void test_changes_compare_to(void **state)
{
	const char *text = "api:\n  script: [x]\n  rules:\n    - changes:\n        paths: ['api/**/*']\n"
	                   "        compare_to: refs/heads/$CI_DEFAULT_BRANCH\n"
	                   "web:\n  script: [x]\n  rules:\n    - changes:\n        paths: ['web/*']\n"
	                   "        compare_to: refs/heads/main\n"
	                   "push:\n  script: [x]\n  rules:\n    - changes: ['web/*']\n";
	const char *changed[] = {"web/index.html"};
	int calls = 0;
	struct quai_pipeline_context ctx = {
	    .project_dir = ".",
	    .file = "t.yml",
	    .data = text,
	    .len = strlen(text),
	    .branch = "feature",
	    .changes = {changed, 1, false},
	    .compare = fake_compare,
	    .compare_ud = &calls,
	};
	struct quai_pipeline *p = NULL;
	struct quai_error *err = NULL;
	if (quai_pipeline_load(&p, &ctx, &err) < 0)
		fail_msg("%s", err->msg);
	assert_int_equal(calls, 2);
	assert_true(quai_pipeline_find(p, "api")->created);
	assert_false(quai_pipeline_find(p, "web")->created); /* web/ did not change since main */
	assert_true(quai_pipeline_find(p, "push")->created); /* it did in the push */
	quai_pipeline_free(p);
}

static void test_alias_bomb_is_cheap(void **state)
{
	struct quai_pipeline *p = load(".a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	                               ".b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	                               ".c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	                               ".d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	                               ".e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	                               ".f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
	                               "job:\n  variables: {}\n  script: [echo]\n  tags: [*a]\n",
	                               "main");
	assert_int_equal(p->njobs, 1);
	quai_pipeline_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_if),
	    cmocka_unit_test(test_if_errors),
	    cmocka_unit_test(test_glob),
	    cmocka_unit_test(test_duration),
	    cmocka_unit_test(test_slug_and_aliases),
	    cmocka_unit_test(test_expand),
	    cmocka_unit_test(test_load_and_env),
	    cmocka_unit_test(test_env_inherit_and_dotenv),
	    cmocka_unit_test(test_changes_compare_to),
	    cmocka_unit_test(test_alias_bomb_is_cheap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
