/* Unit tests of src/git/: opening, revisions, branches, merge bases, the
 * paths two commits and the working tree differ in, blobs at a revision. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "git/git.h"
#include "gitrepo.h"

static struct quai_git *open_ok(const char *path)
{
	struct quai_git *g = NULL;
	struct quai_error *err = NULL;
	if (quai_git_open(&g, path, &err) < 0) {
		fprintf(stderr, "%s\n", err->msg);
		quai_error_free(err);
		fail();
	}
	return g;
}

/* The changed paths joined by spaces. */
static char *changed(struct quai_git *g, const char *from, const char *to, bool dirty)
{
	char **v = NULL;
	size_t n = 0;
	struct quai_error *err = NULL;
	if (quai_git_changed(g, &v, &n, from, to, dirty, &err) < 0) {
		fprintf(stderr, "%s\n", err->msg);
		quai_error_free(err);
		fail();
	}
	struct quai_buf b = QUAI_BUF_INIT;
	for (size_t i = 0; i < n; i++)
		quai_buf_printf(&b, "%s%s", i ? " " : "", v[i]);
	assert_null(v[n]);
	quai_git_strv_free(v);
	return quai_buf_detach(&b);
}

static void test_open_resolve_branch(void **state)
{
	(void)state;
	char dir[256], sub[300], sha[64];
	gitrepo_init(dir, sizeof(dir));
	struct quai_error *err = NULL;
	struct quai_git *g = NULL;

	/* no commit yet: HEAD does not resolve, the branch is known */
	g = open_ok(dir);
	char hex[41];
	assert_int_equal(quai_git_resolve(g, hex, "HEAD", &err), -1);
	assert_non_null(err);
	quai_error_free(err);
	err = NULL;
	char *branch = NULL;
	assert_int_equal(quai_git_branch(g, &branch, &err), 0);
	assert_string_equal(branch, "main");
	free(branch);
	quai_git_free(g);

	gitrepo_write(dir, "a/b/file", "1\n");
	gitrepo_commit(dir, "one");
	gitrepo_write(dir, "a/b/file", "2\n");
	gitrepo_commit(dir, "two");
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	g = open_ok(sub);
	char wd[300];
	snprintf(wd, sizeof(wd), "%s/", dir);
	assert_string_equal(quai_git_workdir(g), wd);
	assert_non_null(quai_git_raw(g));

	gitrepo_out(sha, sizeof(sha), dir, "rev-parse", "HEAD~1", NULL);
	assert_int_equal(quai_git_resolve(g, hex, "HEAD~1", &err), 0);
	assert_string_equal(hex, sha);
	assert_int_equal(quai_git_resolve(g, hex, "main", &err), 0);
	assert_int_equal(quai_git_resolve(g, hex, "no-such-rev", &err), -1);
	assert_non_null(strstr(err->msg, "'no-such-rev'"));
	quai_error_free(err);
	err = NULL;

	/* a tag resolves to its commit */
	gitrepo_git(dir, "tag", "-a", "-m", "v", "x/v1.0.0", "HEAD~1", NULL);
	assert_int_equal(quai_git_resolve(g, hex, "x/v1.0.0", &err), 0);
	assert_string_equal(hex, sha);

	assert_int_equal(quai_git_branch(g, &branch, &err), 0);
	assert_string_equal(branch, "main");
	free(branch);
	gitrepo_git(dir, "checkout", "-q", "--detach", "HEAD", NULL);
	assert_int_equal(quai_git_branch(g, &branch, &err), 0);
	assert_null(branch);
	quai_git_free(g);

	/* outside any repository */
	assert_int_equal(quai_git_open(&g, "/", &err), -1);
	assert_null(g);
	assert_non_null(strstr(err->msg, "not inside a git repository"));
	quai_error_free(err);
	gitrepo_remove(dir);
}

static void test_default_branch_and_merge_base(void **state)
{
	(void)state;
	char dir[256], base[64], hex[41];
	gitrepo_init(dir, sizeof(dir));
	struct quai_error *err = NULL;
	gitrepo_write(dir, "f", "1\n");
	gitrepo_commit(dir, "one");
	gitrepo_out(base, sizeof(base), dir, "rev-parse", "HEAD", NULL);
	gitrepo_git(dir, "checkout", "-q", "-b", "feature", NULL);
	gitrepo_write(dir, "g", "1\n");
	gitrepo_commit(dir, "on feature");
	gitrepo_git(dir, "checkout", "-q", "main", NULL);
	gitrepo_write(dir, "h", "1\n");
	gitrepo_commit(dir, "on main");

	struct quai_git *g = open_ok(dir);
	char *def = NULL;
	assert_int_equal(quai_git_default_branch(g, &def, &err), 0);
	assert_string_equal(def, "main");
	free(def);
	assert_int_equal(quai_git_merge_base(g, hex, "feature", "main", &err), 0);
	assert_string_equal(hex, base);

	/* origin/HEAD names the default branch when there is one */
	gitrepo_git(dir, "update-ref", "refs/remotes/origin/trunk", "HEAD", NULL);
	gitrepo_git(dir, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk", NULL);
	assert_int_equal(quai_git_default_branch(g, &def, &err), 0);
	assert_string_equal(def, "trunk");
	free(def);
	quai_git_free(g);

	/* master when there is no main; nothing when neither */
	gitrepo_git(dir, "symbolic-ref", "-d", "refs/remotes/origin/HEAD", NULL);
	gitrepo_git(dir, "branch", "-m", "main", "master", NULL);
	g = open_ok(dir);
	assert_int_equal(quai_git_default_branch(g, &def, &err), 0);
	assert_string_equal(def, "master");
	free(def);
	gitrepo_git(dir, "branch", "-m", "master", "other", NULL);
	assert_int_equal(quai_git_default_branch(g, &def, &err), 0);
	assert_null(def);

	/* unrelated histories share no merge base */
	gitrepo_git(dir, "checkout", "-q", "--orphan", "lonely", NULL);
	gitrepo_git(dir, "rm", "-rq", "--cached", ".", NULL);
	gitrepo_commit(dir, "lonely");
	assert_int_equal(quai_git_merge_base(g, hex, "lonely", "feature", &err), -1);
	assert_non_null(strstr(err->msg, "share no history"));
	quai_error_free(err);
	quai_git_free(g);
	gitrepo_remove(dir);
}

static void test_changed(void **state)
{
	(void)state;
	char dir[256];
	gitrepo_init(dir, sizeof(dir));
	gitrepo_write(dir, "a/keep", "k\n");
	gitrepo_write(dir, "a/mod", "1\n");
	gitrepo_write(dir, "a/old-name", "r\n");
	gitrepo_write(dir, "b/deep/x/del", "d\n");
	gitrepo_write(dir, "c/same", "s\n");
	gitrepo_write(dir, "t", "file then dir\n");
	gitrepo_commit(dir, "one");
	gitrepo_write(dir, "a/mod", "2\n");
	gitrepo_git(dir, "mv", "a/old-name", "a/new-name", NULL);
	gitrepo_git(dir, "rm", "-q", "b/deep/x/del", NULL);
	gitrepo_write(dir, "b/deep/y/new", "n\n");
	gitrepo_git(dir, "rm", "-q", "t", NULL);
	gitrepo_write(dir, "t/inside", "i\n");
	gitrepo_commit(dir, "two");

	struct quai_git *g = open_ok(dir);
	char *s = changed(g, "HEAD~1", "HEAD", false);
	assert_string_equal(s, "a/mod a/new-name a/old-name b/deep/x/del b/deep/y/new t t/inside");
	free(s);
	s = changed(g, "HEAD", "HEAD~1", false);
	assert_string_equal(s, "a/mod a/new-name a/old-name b/deep/x/del b/deep/y/new t t/inside");
	free(s);
	s = changed(g, "HEAD", "HEAD", false);
	assert_string_equal(s, "");
	free(s);
	/* from NULL: every path of the commit */
	s = changed(g, NULL, "HEAD~1", false);
	assert_string_equal(s, "a/keep a/mod a/old-name b/deep/x/del c/same t");
	free(s);
	/* to NULL: HEAD */
	s = changed(g, "HEAD~1", NULL, false);
	assert_string_equal(s, "a/mod a/new-name a/old-name b/deep/x/del b/deep/y/new t t/inside");
	free(s);

	/* the working tree: unstaged, staged, untracked; ignored files do not count */
	gitrepo_write(dir, ".gitignore", "*.log\n");
	gitrepo_commit(dir, "three");
	gitrepo_write(dir, "c/same", "changed\n");
	gitrepo_write(dir, "a/staged", "s\n");
	gitrepo_git(dir, "add", "a/staged", NULL);
	gitrepo_write(dir, "u/untracked/file", "u\n");
	gitrepo_write(dir, "u/x.log", "ignored\n");
	s = changed(g, "HEAD", "HEAD", false);
	assert_string_equal(s, "");
	free(s);
	s = changed(g, "HEAD", "HEAD", true);
	assert_string_equal(s, "a/staged c/same u/untracked/file");
	free(s);
	s = changed(g, "HEAD~1", "HEAD", true);
	assert_string_equal(s, ".gitignore a/staged c/same u/untracked/file");
	free(s);
	/* dirty against another commit than HEAD: both differences */
	s = changed(g, "HEAD~2", "HEAD~1", true);
	assert_string_equal(
	    s, "a/mod a/new-name a/old-name a/staged b/deep/x/del b/deep/y/new c/same t t/inside "
	       "u/untracked/file");
	free(s);

	struct quai_error *err = NULL;
	char **v = NULL;
	size_t n = 0;
	assert_int_equal(quai_git_changed(g, &v, &n, "nope", "HEAD", false, &err), -1);
	assert_null(v);
	quai_error_free(err);
	quai_git_free(g);
	gitrepo_remove(dir);
}

static void test_blob_and_ignore(void **state)
{
	(void)state;
	char dir[256];
	gitrepo_init(dir, sizeof(dir));
	gitrepo_write(dir, "quai.yml", "registry: one\n");
	gitrepo_write(dir, ".gitignore", "out/\n");
	gitrepo_write(dir, "img/Dockerfile", "FROM x\n");
	gitrepo_commit(dir, "one");
	gitrepo_write(dir, "quai.yml", "registry: two\n");
	gitrepo_commit(dir, "two");
	gitrepo_write(dir, "out/Dockerfile", "FROM y\n");

	struct quai_git *g = open_ok(dir);
	struct quai_error *err = NULL;
	char *data = NULL;
	size_t len = 0;
	assert_int_equal(quai_git_read_blob(g, &data, &len, "HEAD~1", "quai.yml", 1024, &err), 1);
	assert_string_equal(data, "registry: one\n");
	assert_int_equal(len, 14);
	free(data);
	assert_int_equal(quai_git_read_blob(g, &data, &len, "HEAD", "quai.yml", 1024, &err), 1);
	assert_string_equal(data, "registry: two\n");
	free(data);
	assert_int_equal(quai_git_read_blob(g, &data, &len, "HEAD", "missing.yml", 1024, &err), 0);
	assert_null(data);
	assert_int_equal(quai_git_read_blob(g, &data, &len, "HEAD", "img", 1024, &err), 0);
	assert_int_equal(quai_git_read_blob(g, &data, &len, "HEAD", "quai.yml", 4, &err), -1);
	assert_non_null(strstr(err->msg, "larger than 4 bytes"));
	quai_error_free(err);

	assert_true(quai_git_is_ignored(g, "out"));
	assert_false(quai_git_is_ignored(g, "img"));
	assert_false(quai_git_is_ignored(g, "elsewhere"));
	quai_git_free(g);
	gitrepo_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_resolve_branch),
	    cmocka_unit_test(test_default_branch_and_merge_base),
	    cmocka_unit_test(test_changed),
	    cmocka_unit_test(test_blob_and_ignore),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
