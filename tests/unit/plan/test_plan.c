/* Unit tests of src/plan/: paths, quai.yml, discovery, dependencies,
 * cycles, plans between commits, the state file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../git/gitrepo.h"
#include "core/buf.h"
#include "core/error.h"
#include "plan/internal.h"
#include "plan/plan.h"

static void test_paths(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
	    {"a", "a"},   {"./a/", "a"},       {"a//b/./c", "a/b/c"}, {"a/../b", "b"},
	    {"", "."},    {".", "."},          {"a/..", "."},         {"/abs", NULL},
	    {"..", NULL}, {"a/../../b", NULL}, {"a/b/../../c", "c"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = plan_path_norm(cases[i][0]);
		if (cases[i][1])
			assert_string_equal(p, cases[i][1]);
		else
			assert_null(p);
		free(p);
	}
	assert_true(plan_path_under("a/b", "a"));
	assert_true(plan_path_under("a", "a"));
	assert_false(plan_path_under("ab/c", "a"));
	assert_true(plan_path_under("x/y", "."));
}

static char *config_error(const char *text)
{
	struct plan_config cfg;
	struct quai_error *err = NULL;
	int rc = plan_config_parse(&cfg, "quai.yml", text, strlen(text), &err);
	plan_config_release(&cfg);
	if (rc == 0)
		return NULL;
	char *msg = strdup(err->msg);
	assert_int_equal(err->status, QUAI_EXIT_USAGE);
	quai_error_free(err);
	return msg;
}

static void test_config(void **state)
{
	(void)state;
	const char *text = "registry: 127.0.0.1:5000\n"
	                   "namespace: team/\n"
	                   "push_branches: [main, release]\n"
	                   "ignore: [fixtures, 'old-*']\n"
	                   "lint: {ignored: [DL3008]}\n"
	                   "x-notes: anything\n"
	                   "images:\n"
	                   "  ./base/:\n"
	                   "    name: x3-base\n"
	                   "    build_args: {VERSION: 1.2, EMPTY: }\n"
	                   "    tags: latest-base\n"
	                   "    inputs: [shared/, scripts/build.sh]\n"
	                   "  child:\n"
	                   "    build_args: [A=1, B=x=y]\n"
	                   "    target: final\n"
	                   "    tests: child/spec.yml\n"
	                   "    context: .\n"
	                   "    dockerfile: child/Dockerfile.prod\n"
	                   "  skipped: {ignore: true}\n"
	                   "  bare:\n";
	struct plan_config cfg;
	struct quai_error *err = NULL;
	assert_int_equal(plan_config_parse(&cfg, "quai.yml", text, strlen(text), &err), 0);
	assert_string_equal(cfg.registry, "127.0.0.1:5000");
	assert_string_equal(cfg.namespace, "team");
	assert_string_equal(cfg.push_branches[0], "main");
	assert_string_equal(cfg.push_branches[1], "release");
	assert_null(cfg.push_branches[2]);
	assert_string_equal(cfg.ignore[1], "old-*");
	assert_int_equal(cfg.nimages, 4);
	const struct plan_image_cfg *b = plan_config_find(&cfg, "base");
	assert_non_null(b);
	assert_string_equal(b->name, "x3-base");
	assert_string_equal(b->build_args[0], "VERSION=1.2");
	assert_string_equal(b->build_args[1], "EMPTY=");
	assert_string_equal(b->tags[0], "latest-base");
	assert_string_equal(b->inputs[0], "shared");
	assert_string_equal(b->inputs[1], "scripts/build.sh");
	const struct plan_image_cfg *c = plan_config_find(&cfg, "child");
	assert_string_equal(c->build_args[1], "B=x=y");
	assert_string_equal(c->target, "final");
	assert_string_equal(c->tests, "child/spec.yml");
	assert_string_equal(c->context, ".");
	assert_string_equal(c->dockerfile, "child/Dockerfile.prod");
	assert_true(plan_config_find(&cfg, "skipped")->ignore);
	assert_null(plan_config_find(&cfg, "bare")->name);
	assert_null(plan_config_find(&cfg, "nope"));
	plan_config_release(&cfg);

	/* empty files and documents are an empty configuration */
	assert_null(config_error(""));
	assert_null(config_error("# nothing\n"));
	assert_null(config_error("images:\n"));

	static const char *const bad[][2] = {
	    {"registy: x\n", "quai.yml:1:1: unknown key 'registy' in quai.yml: did you mean 'registry'?"},
	    {"zzz: 1\n", "quai.yml:1:1: unknown key 'zzz' in quai.yml (known keys: registry, namespace, "
	                 "push_branches, ignore, images, lint)"},
	    {"images:\n  a:\n    contxt: .\n",
	     "quai.yml:3:5: unknown key 'contxt' in an image entry: did you mean 'context'?"},
	    {"images:\n  a:\n    tags: {x: y}\n",
	     "quai.yml:3:11: 'tags' must be a list of strings, found a mapping"},
	    {"images:\n  a:\n    name: Bad Name\n", "quai.yml:3:11: 'Bad Name' is not a valid image name: "
	                                            "use lowercase letters, digits, '.', '_', '-' "
	                                            "and '/' between components"},
	    {"images:\n  a:\n    context: ../up\n", "quai.yml:3:14: 'context' must be a path inside the "
	                                            "repository, relative to quai.yml, found '../up'"},
	    {"images:\n  /abs: {}\n",
	     "quai.yml:2:3: '/abs' must be a directory inside the repository, relative to quai.yml"},
	    {"images:\n  a:\n    build_args: [NOEQUALS]\n",
	     "quai.yml:3:18: a build argument in a list is written KEY=VALUE"},
	    {"images:\n  a:\n    build_args: {A: [1]}\n",
	     "quai.yml:3:21: build argument 'A' must be a string, found a list"},
	    {"images:\n  a: {}\n  ./a: {}\n",
	     "quai.yml:3:3: directory 'a' has two entries (the other at line 2)"},
	    {"images:\n  a: {}\n  a: {}\n", "quai.yml:3:3: 'a' is written twice in 'images'"},
	    {"images:\n  a:\n    ignore: maybe\n",
	     "quai.yml:3:13: 'ignore' must be true or false, found a string"},
	    {"images: [a]\n", "quai.yml:1:9: 'images' must be a mapping, found a list"},
	    {"- a\n", "quai.yml:1:1: quai.yml must be a mapping, found a list"},
	    {"registry: ghcr.io/team\n",
	     "quai.yml:1:11: 'registry' is a host[:port] such as 'ghcr.io'; put the path in 'namespace'"},
	    {"namespace: Team\n", "quai.yml:1:12: 'Team' is not a valid namespace: use lowercase letters, "
	                          "digits, '.', '_', '-' and "
	                          "'/' between components"},
	    {"registry: [a]\n", "quai.yml:1:11: 'registry' must be a string, found a list"},
	    {"a: 1\n---\nb: 2\n", "quai.yml:3:1: quai.yml must hold one YAML document"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *msg = config_error(bad[i][0]);
		if (!msg || strcmp(msg, bad[i][1]) != 0)
			fprintf(stderr, "case %zu: got '%s'\n", i, msg ? msg : "(no error)");
		assert_non_null(msg);
		assert_string_equal(msg, bad[i][1]);
		free(msg);
	}
	/* YAML syntax errors come from the loader with a position */
	char *msg = config_error("images:\n  a: [\n");
	assert_non_null(msg);
	assert_true(strncmp(msg, "quai.yml:", 9) == 0);
	free(msg);
}

static void test_yaml_equal(void **state)
{
	(void)state;
	const char *a = "images:\n  x: {tags: [a, b], build_args: {A: 1}}\n  y: {name: why}\n";
	const char *b = "images:\n  x:\n    tags:\n      - a\n      - b\n    build_args:\n      A: 1\n  y: "
	                "{name: other}\n";
	struct plan_config ca, cb;
	assert_int_equal(plan_config_parse(&ca, "a", a, strlen(a), NULL), 0);
	assert_int_equal(plan_config_parse(&cb, "b", b, strlen(b), NULL), 0);
	assert_true(plan_yaml_equal(plan_config_find(&ca, "x")->value, plan_config_find(&cb, "x")->value));
	assert_false(plan_yaml_equal(plan_config_find(&ca, "y")->value, plan_config_find(&cb, "y")->value));
	assert_false(plan_yaml_equal(plan_config_find(&ca, "x")->value, NULL));
	assert_true(plan_yaml_equal(NULL, NULL));
	plan_config_release(&ca);
	plan_config_release(&cb);
}

/* The references of Dockerfile text, joined by spaces. */
static char *refs_of(const char *text, char *const *build_args)
{
	char path[] = "/tmp/quai-unit-df.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	char **refs = NULL;
	size_t n = 0;
	assert_int_equal(plan_dockerfile_refs(&refs, &n, path, "Dockerfile", build_args, NULL), 0);
	unlink(path);
	struct quai_buf b = QUAI_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		quai_buf_printf(&b, "%s%s", i ? " " : "", refs[i]);
		free(refs[i]);
	}
	free(refs);
	return quai_buf_detach(&b);
}

static void test_dockerfile_refs(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
	    {"FROM a\nFROM b:1 AS x\nFROM x\nFROM scratch\n", "a b:1"},
	    {"ARG R=reg\nARG N=${R}/base\nFROM ${N}:${TAG:-latest}\n", "reg/base:latest"},
	    {"FROM --platform=$BUILDPLATFORM golang AS build\nFROM alpine\nCOPY --from=build /a /b\n",
	     "golang alpine"},
	    {"FROM a AS one\nFROM b\nCOPY --from=0 /x /y\nCOPY --from=ONE /x /y\nADD --from=c /x /y\n",
	     "a b c"},
	    {"FROM a\nARG SRC=tools\nCOPY --from=${SRC}:2 /x /y\nRUN --mount=type=cache,from=cachy,target=/c "
	     "true\n",
	     "a tools:2 cachy"},
	    {"FROM a\nFROM a\nCOPY --from=a / /\n", "a"},
	    {"FROM ${UNSET}\nFROM $\n", "$"},
	    {"ARG V\nFROM base:${V}\n", "base:given"},
	    {"# no FROM at all\nRUN true\n", ""},
	    {"FROM x:${V:?must be set}\nFROM y\n", "y"},
	};
	char v_given[] = "V=given";
	char *args[] = {v_given, NULL};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = refs_of(cases[i][0], args);
		if (strcmp(got, cases[i][1]) != 0)
			fprintf(stderr, "case %zu: got '%s'\n", i, got);
		assert_string_equal(got, cases[i][1]);
		free(got);
	}
	/* build_args win over defaults, and only for declared ARGs */
	char base_mine[] = "BASE=mine", other_x[] = "OTHER=x";
	char *over[] = {base_mine, other_x, NULL};
	char *got = refs_of("ARG BASE=theirs\nFROM ${BASE}\nFROM ${OTHER:-none}\n", over);
	assert_string_equal(got, "mine none");
	free(got);
}

/* ---- repositories ---- */

static struct quai_repo *load_ok(const char *dir)
{
	struct quai_repo *repo = NULL;
	struct quai_error *err = NULL;
	if (quai_repo_load(&repo, dir, &err) < 0) {
		fprintf(stderr, "%s\n", err->msg);
		quai_error_free(err);
		fail();
	}
	return repo;
}

static char *load_error(const char *dir)
{
	struct quai_repo *repo = NULL;
	struct quai_error *err = NULL;
	assert_int_equal(quai_repo_load(&repo, dir, &err), -1);
	assert_null(repo);
	char *msg = strdup(err->msg);
	quai_error_free(err);
	return msg;
}

/* "name<-parent(ref),..." for one image */
static char *parents(const struct quai_repo *repo, const char *name)
{
	const struct quai_repo_image *im = quai_repo_find(repo, name);
	assert_non_null(im);
	struct quai_buf b = QUAI_BUF_INIT;
	for (size_t k = 0; k < im->nparents; k++)
		quai_buf_printf(&b, "%s%s(%s)", k ? "," : "", repo->images[im->parents[k]].name,
		                im->parent_refs[k]);
	return quai_buf_detach(&b);
}

static void expect_parents(const struct quai_repo *repo, const char *name, const char *want)
{
	char *got = parents(repo, name);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "%s: got '%s'\n", name, got);
	assert_string_equal(got, want);
	free(got);
}

static void test_discovery_and_dependencies(void **state)
{
	(void)state;
	char dir[256];
	gitrepo_init(dir, sizeof(dir));
	gitrepo_write(dir, "quai.yml",
	              "registry: reg.example:5000\n"
	              "namespace: team\n"
	              "ignore: [fixtures]\n"
	              "images:\n"
	              "  images/base: {name: x3-base}\n"
	              "  images/child: {build_args: {PARENT: x3-base}}\n"
	              "  skipped: {ignore: true}\n"
	              "  special: {dockerfile: docker/special.Dockerfile, context: .}\n");
	gitrepo_write(dir, "images/base/Dockerfile", "FROM busybox:1.36\n");
	gitrepo_write(dir, "images/base/tests.yml", "schemaVersion: 2.0.0\n");
	gitrepo_write(dir, "images/child/Dockerfile",
	              "ARG PARENT=nothing-here\nFROM ${PARENT}:latest AS build\nFROM build\n");
	gitrepo_write(dir, "images/child/container-structure-test.yaml", "schemaVersion: 2.0.0\n");
	gitrepo_write(dir, "images/grand/Containerfile", "FROM reg.example:5000/team/child:1.2.3\n");
	gitrepo_write(dir, "sib/Dockerfile",
	              "FROM busybox AS tools\n"
	              "FROM scratch\n"
	              "COPY --from=tools /bin/sh /sh\n"
	              "COPY --from=x3-base /etc/passwd /etc/passwd\n"
	              "COPY --from=0 /x /y\n"
	              "RUN --mount=type=bind,from=grand,target=/g true\n");
	gitrepo_write(
	    dir, "pinned/Dockerfile",
	    "FROM x3-base@sha256:0123456789012345678901234567890123456789012345678901234567890123\n");
	gitrepo_write(dir, "other-ns/Dockerfile",
	              "FROM elsewhere/team/x3-base\nFROM team/x3-base\nFROM x3-bases\n");
	gitrepo_write(dir, "stage-shadow/Dockerfile", "FROM busybox AS x3-base\nFROM x3-base\n");
	gitrepo_write(dir, "fixtures/bad/Dockerfile", "FROM x3-base\n");
	gitrepo_write(dir, "skipped/Dockerfile", "FROM x3-base\n");
	gitrepo_write(dir, "node_modules/pkg/Dockerfile", "FROM x3-base\n");
	gitrepo_write(dir, ".hidden/Dockerfile", "FROM x3-base\n");
	gitrepo_write(dir, "build-out/Dockerfile", "FROM x3-base\n");
	gitrepo_write(dir, ".gitignore", "build-out/\n");
	gitrepo_write(dir, "docker/special.Dockerfile", "ARG V=1\nFROM reg.example:5000/team/x3-base:${V}\n");
	gitrepo_write(dir, "special/README", "its Dockerfile is elsewhere\n");
	gitrepo_commit(dir, "one");

	char sub[300];
	snprintf(sub, sizeof(sub), "%s/images/child", dir);
	struct quai_repo *repo = load_ok(sub);
	assert_string_equal(repo->root, dir);
	assert_string_equal(repo->registry, "reg.example:5000");
	assert_string_equal(repo->namespace, "team");
	assert_null(repo->push_branches);
	assert_string_equal(repo->default_branch, "main");
	struct quai_buf names = QUAI_BUF_INIT;
	for (size_t i = 0; i < repo->nimages; i++)
		quai_buf_printf(&names, "%s%s=%s", i ? " " : "", repo->images[i].name, repo->images[i].dir);
	assert_string_equal(quai_buf_str(&names),
	                    "child=images/child grand=images/grand other-ns=other-ns "
	                    "pinned=pinned sib=sib special=special stage-shadow=stage-shadow "
	                    "x3-base=images/base");
	quai_buf_release(&names);

	const struct quai_repo_image *base = quai_repo_find(repo, "x3-base");
	assert_string_equal(base->context, "images/base");
	assert_string_equal(base->dockerfile, "images/base/Dockerfile");
	assert_string_equal(base->tests, "images/base/tests.yml");
	assert_string_equal(base->repository, "reg.example:5000/team/x3-base");
	assert_null(base->target);
	assert_null(base->build_args[0]);
	const struct quai_repo_image *child = quai_repo_find(repo, "child");
	assert_string_equal(child->tests, "images/child/container-structure-test.yaml");
	assert_string_equal(child->build_args[0], "PARENT=x3-base");
	const struct quai_repo_image *grand = quai_repo_find(repo, "grand");
	assert_string_equal(grand->dockerfile, "images/grand/Containerfile");
	assert_null(grand->tests);
	const struct quai_repo_image *special = quai_repo_find(repo, "special");
	assert_string_equal(special->context, ".");
	assert_string_equal(special->dockerfile, "docker/special.Dockerfile");
	assert_null(quai_repo_find(repo, "skipped"));

	expect_parents(repo, "x3-base", "");
	expect_parents(repo, "child", "x3-base(x3-base:latest)");
	expect_parents(repo, "grand", "child(reg.example:5000/team/child:1.2.3)");
	expect_parents(repo, "sib", "grand(grand),x3-base(x3-base)");
	expect_parents(repo, "pinned", "");
	expect_parents(repo, "other-ns", "");
	expect_parents(repo, "stage-shadow", "");
	expect_parents(repo, "special", "x3-base(reg.example:5000/team/x3-base:1)");
	quai_repo_free(repo);
	gitrepo_remove(dir);
}

static void test_load_errors(void **state)
{
	(void)state;
	char dir[256];
	gitrepo_init(dir, sizeof(dir));
	gitrepo_write(dir, "a/Dockerfile", "FROM c\n");
	gitrepo_write(dir, "b/Dockerfile", "FROM a:1\n");
	gitrepo_write(dir, "c/Dockerfile", "FROM scratch\nCOPY --from=b / /\n");
	gitrepo_write(dir, "d/Dockerfile", "FROM busybox\n");
	char *msg = load_error(dir);
	assert_string_equal(
	    msg, "images depend on each other in a cycle: a -> c -> b -> a (each is built from the "
	         "next); break it in one of their Dockerfiles");
	free(msg);

	gitrepo_write(dir, "c/Dockerfile", "FROM c\n");
	msg = load_error(dir);
	assert_string_equal(
	    msg, "images depend on each other in a cycle: c -> c (each is built from the next); break "
	         "it in one of their Dockerfiles");
	free(msg);

	gitrepo_write(dir, "c/Dockerfile", "FROM busybox\n");
	gitrepo_write(dir, "x/d/Dockerfile", "FROM busybox\n");
	msg = load_error(dir);
	assert_string_equal(
	    msg, "directories 'd' and 'x/d' are both image 'd': give one another 'name' in quai.yml's "
	         "'images'");
	free(msg);

	gitrepo_write(dir, "quai.yml", "images:\n  x/d: {name: d2}\n  nowhere: {}\n");
	msg = load_error(dir);
	assert_string_equal(msg,
	                    "quai.yml:3:3: 'nowhere' has no Dockerfile or Containerfile: set 'dockerfile' or "
	                    "remove the entry");
	free(msg);

	gitrepo_write(dir, "quai.yml",
	              "images:\n  x/d: {name: d2}\n  nowhere: {dockerfile: nowhere/Dockerfile}\n");
	msg = load_error(dir);
	assert_string_equal(msg, "quai.yml:3:25: 'nowhere/Dockerfile' does not exist");
	free(msg);

	gitrepo_write(dir, "quai.yml", "images:\n  x/d: {name: d2}\n");
	struct quai_repo *repo = load_ok(dir);
	assert_int_equal(repo->nimages, 5);
	quai_repo_free(repo);

	msg = load_error("/");
	assert_non_null(strstr(msg, "not inside a git repository"));
	free(msg);
	gitrepo_remove(dir);
}

/* ---- plans ---- */

static char *plan_text(const struct quai_repo *repo, const char *since, bool dirty, bool all)
{
	struct quai_plan_options o = {since, dirty, all};
	struct quai_plan *plan = NULL;
	struct quai_error *err = NULL;
	if (quai_plan_compute(&plan, repo, &o, &err) < 0) {
		fprintf(stderr, "%s\n", err->msg);
		quai_error_free(err);
		fail();
	}
	struct quai_buf b = QUAI_BUF_INIT;
	for (size_t i = 0; i < plan->n; i++) {
		quai_buf_printf(&b, "%s:", repo->images[plan->entries[i].image].name);
		for (char **r = plan->entries[i].reasons; *r; r++)
			quai_buf_printf(&b, " [%s]", *r);
		quai_buf_putc(&b, '\n');
	}
	quai_plan_free(plan);
	return quai_buf_detach(&b);
}

static void expect_plan(const struct quai_repo *repo, const char *since, bool dirty, const char *want)
{
	char *got = plan_text(repo, since, dirty, false);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "since %s: got\n%s", since ? since : "(default)", got);
	assert_string_equal(got, want);
	free(got);
}

static void test_plans(void **state)
{
	(void)state;
	char dir[256];
	gitrepo_init(dir, sizeof(dir));
	gitrepo_write(dir, "quai.yml", "images:\n  indep: {inputs: [shared/, 'tools/*.sh']}\n");
	gitrepo_write(dir, "base/Dockerfile", "FROM busybox\n");
	gitrepo_write(dir, "base/.dockerignore", "*.md\n!KEEP.md\n");
	gitrepo_write(dir, "child/Dockerfile", "FROM base\n");
	gitrepo_write(dir, "grand/Dockerfile", "FROM child\n");
	gitrepo_write(dir, "sib/Dockerfile", "FROM base\n");
	gitrepo_write(dir, "indep/Dockerfile", "FROM busybox\n");
	gitrepo_commit(dir, "one");
	struct quai_repo *repo = load_ok(dir);

	/* on the default branch with no record: everything */
	expect_plan(repo, NULL, false,
	            "base: [no earlier commit to compare with]\n"
	            "child: [no earlier commit to compare with] [depends on base]\n"
	            "grand: [no earlier commit to compare with] [depends on child]\n"
	            "indep: [no earlier commit to compare with]\n"
	            "sib: [no earlier commit to compare with] [depends on base]\n");
	char *all = plan_text(repo, "HEAD", false, true);
	assert_string_equal(all, "base: [all images requested]\n"
	                         "child: [all images requested] [depends on base]\n"
	                         "grand: [all images requested] [depends on child]\n"
	                         "indep: [all images requested]\n"
	                         "sib: [all images requested] [depends on base]\n");
	free(all);
	expect_plan(repo, "HEAD", false, "");

	gitrepo_write(dir, "base/README.md", "ignored by .dockerignore\n");
	gitrepo_commit(dir, "two");
	expect_plan(repo, "HEAD~1", false, "");
	gitrepo_write(dir, "base/KEEP.md", "kept by an exception\n");
	gitrepo_commit(dir, "three");
	expect_plan(repo, "HEAD~1", false,
	            "base: [changed: base/KEEP.md]\n"
	            "child: [depends on base]\n"
	            "grand: [depends on child]\n"
	            "sib: [depends on base]\n");
	gitrepo_write(dir, "child/app", "1\n");
	gitrepo_write(dir, "shared/lib", "1\n");
	gitrepo_write(dir, "tools/x.sh", "1\n");
	gitrepo_write(dir, "tools/x.py", "1\n");
	gitrepo_commit(dir, "four");
	expect_plan(repo, "HEAD~1", false,
	            "child: [changed: child/app]\n"
	            "grand: [depends on child]\n"
	            "indep: [input changed: shared/lib] [input changed: tools/x.sh]\n");
	expect_plan(repo, "HEAD~2", false,
	            "base: [changed: base/KEEP.md]\n"
	            "child: [changed: child/app] [depends on base]\n"
	            "grand: [depends on child]\n"
	            "indep: [input changed: shared/lib] [input changed: tools/x.sh]\n"
	            "sib: [depends on base]\n");

	/* a quai.yml entry that changes; another key that does not matter */
	gitrepo_write(dir, "quai.yml",
	              "lint: {ignored: [DL3008]}\nimages:\n  indep: {inputs: [shared/, 'tools/*.sh']}\n"
	              "  sib: {tags: [x]}\n");
	gitrepo_commit(dir, "five");
	expect_plan(repo, "HEAD~1", false, "sib: [quai.yml: entry 'sib' changed]\n");
	gitrepo_write(dir, "quai.yml",
	              "images:\n  indep: {inputs: [shared/, 'tools/*.sh']}\n  sib: {tags: [x]}\n");
	gitrepo_commit(dir, "six");
	expect_plan(repo, "HEAD~1", false, "");

	/* --dirty: working tree changes count, and only with it */
	gitrepo_write(dir, "sib/new-file", "untracked\n");
	gitrepo_write(dir, "grand/Dockerfile", "FROM child\nRUN true\n");
	expect_plan(repo, "HEAD", false, "");
	expect_plan(repo, "HEAD", true,
	            "grand: [changed: grand/Dockerfile]\n"
	            "sib: [changed: sib/new-file]\n");
	gitrepo_git(dir, "checkout", "-q", "--", "grand/Dockerfile", NULL);
	char path[400];
	snprintf(path, sizeof(path), "%s/sib/new-file", dir);
	remove(path);

	/* the record of the last success is the default base */
	struct quai_error *err = NULL;
	char *last = NULL;
	assert_int_equal(quai_plan_last_success(repo, "main", &last, &err), 0);
	assert_null(last);
	char sha[64];
	gitrepo_out(sha, sizeof(sha), dir, "rev-parse", "HEAD~3", NULL);
	assert_int_equal(quai_plan_record_success(repo, "main", sha, &err), 0);
	assert_int_equal(quai_plan_record_success(repo, "other", "0000", &err), 0);
	assert_int_equal(quai_plan_last_success(repo, "main", &last, &err), 0);
	assert_string_equal(last, sha);
	free(last);
	assert_int_equal(quai_plan_last_success(repo, NULL, &last, &err), 0);
	assert_null(last);
	expect_plan(repo, NULL, false,
	            "child: [changed: child/app]\n"
	            "grand: [depends on child]\n"
	            "indep: [input changed: shared/lib] [input changed: tools/x.sh]\n"
	            "sib: [quai.yml: entry 'sib' changed]\n");
	/* .quai/ keeps itself out of git: nothing dirty */
	expect_plan(repo, "HEAD", true, "");

	/* a feature branch without a record: the merge base with main */
	gitrepo_git(dir, "checkout", "-q", "-b", "feature", NULL);
	expect_plan(repo, NULL, false, "");
	gitrepo_write(dir, "indep/x", "1\n");
	gitrepo_commit(dir, "on feature");
	gitrepo_write(dir, "indep/y", "1\n");
	gitrepo_commit(dir, "on feature again");
	expect_plan(repo, NULL, false, "indep: [changed: indep/x] [changed: indep/y]\n");

	struct quai_plan_options o = {"no-such-rev", false, false};
	struct quai_plan *plan = NULL;
	assert_int_equal(quai_plan_compute(&plan, repo, &o, &err), -1);
	assert_null(plan);
	assert_non_null(strstr(err->msg, "'no-such-rev'"));
	quai_error_free(err);

	/* JSON */
	o.since = "HEAD~1";
	assert_int_equal(quai_plan_compute(&plan, repo, &o, NULL), 0);
	char *json = quai_plan_json(plan, repo);
	char want[1024];
	snprintf(want, sizeof(want),
	         "{\n  \"since\": \"%s\",\n  \"head\": \"%s\",\n  \"images\": [\n    {\n      \"name\": "
	         "\"indep\",\n"
	         "      \"dir\": \"indep\",\n      \"reasons\": [\n        \"changed: indep/y\"\n      ],\n"
	         "      \"depends_on\": []\n    }\n  ]\n}",
	         plan->since, plan->head);
	assert_string_equal(json, want);
	free(json);
	quai_plan_free(plan);
	quai_repo_free(repo);
	gitrepo_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_paths),
	    cmocka_unit_test(test_config),
	    cmocka_unit_test(test_yaml_equal),
	    cmocka_unit_test(test_dockerfile_refs),
	    cmocka_unit_test(test_discovery_and_dependencies),
	    cmocka_unit_test(test_load_errors),
	    cmocka_unit_test(test_plans),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
