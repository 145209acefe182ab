/* Unit tests of src/hook/: pre-receive on repositories built with libgit2
 * (pushed commits, new branches, deletions, tags, bad input), pre-commit on
 * an index, and install (foreign hooks, core.hooksPath, unsafe paths). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <ftw.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hook/hook.h"
#include "lint/lint.h"

#define BAD_DOCKERFILE  "FROM debian:12\nRUNN x\n"
#define GOOD_DOCKERFILE "FROM debian:12\nRUN echo hi\n"
#define BAD_COMPOSE                                                                                          \
	"services:\n  web:\n    image: nginx:1\n    restart: always\n    environment:\n      API_TOKEN: "    \
	"abc\n"

static char dir[] = "/tmp/quai-hook-test-XXXXXX";
static git_repository *repo;
static struct quai_lint_config cfg;

/* A commit of files {path, content, ...} on top of parent (NULL: a root). */
static void commit(git_oid *out, const git_oid *parent, const char *const *files)
{
	git_index *idx = NULL;
	assert_int_equal(git_index_new(&idx), 0);
	if (parent) {
		git_commit *p = NULL;
		git_tree *t = NULL;
		assert_int_equal(git_commit_lookup(&p, repo, parent), 0);
		assert_int_equal(git_commit_tree(&t, p), 0);
		assert_int_equal(git_index_read_tree(idx, t), 0);
		git_tree_free(t);
		git_commit_free(p);
	}
	for (size_t i = 0; files[i]; i += 2) {
		git_index_entry e;
		memset(&e, 0, sizeof(e));
		e.path = files[i];
		e.mode = GIT_FILEMODE_BLOB;
		assert_int_equal(git_blob_create_from_buffer(&e.id, repo, files[i + 1], strlen(files[i + 1])),
		                 0);
		assert_int_equal(git_index_add(idx, &e), 0);
	}
	git_oid tree_id;
	assert_int_equal(git_index_write_tree_to(&tree_id, idx, repo), 0);
	git_tree *tree = NULL;
	assert_int_equal(git_tree_lookup(&tree, repo, &tree_id), 0);
	git_signature *sig = NULL;
	assert_int_equal(git_signature_new(&sig, "t", "t@example.org", 1700000000, 0), 0);
	git_commit *pc = NULL;
	if (parent)
		assert_int_equal(git_commit_lookup(&pc, repo, parent), 0);
	const git_commit *parents[] = {pc};
	assert_int_equal(
	    git_commit_create(out, repo, NULL, sig, sig, NULL, "c", tree, parent ? 1 : 0, parents), 0);
	git_commit_free(pc);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(idx);
}

static void set_ref(const char *name, const git_oid *id)
{
	git_reference *ref = NULL;
	assert_int_equal(git_reference_create(&ref, repo, name, id, 1, NULL), 0);
	git_reference_free(ref);
}

static int receive(struct quai_findings *f, struct quai_hook_stats *st, const char *input)
{
	FILE *in = fmemopen((void *)input, strlen(input), "r");
	assert_non_null(in);
	struct quai_error *err = NULL;
	int rc = quai_hook_pre_receive(f, st, repo, in, &cfg, &err);
	fclose(in);
	if (err) {
		fprintf(stderr, "# %s\n", err->msg);
		quai_error_free(err);
	}
	return rc;
}

static bool has(const struct quai_findings *f, const char *file, const char *code)
{
	for (size_t i = 0; i < f->len; i++)
		if (strcmp(f->items[i].file, file) == 0 && strcmp(f->items[i].code, code) == 0)
			return true;
	return false;
}

static char *line(const git_oid *old, const git_oid *new, const char *ref)
{
	char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];
	git_oid_tostr(a, sizeof(a), old);
	git_oid_tostr(b, sizeof(b), new);
	char *s = NULL;
	assert_true(asprintf(&s, "%s %s %s\n", a, b, ref) > 0);
	return s;
}

static void test_pushed_commits_only(void **state)
{
	(void)state;
	git_oid zero, c1, c2, c3;
	memset(&zero, 0, sizeof(zero));
	const char *f1[] = {"old/Dockerfile", BAD_DOCKERFILE, "README", "x", NULL};
	commit(&c1, NULL, f1);
	set_ref("refs/heads/main", &c1);
	const char *f2[] = {"app/Dockerfile", BAD_DOCKERFILE, "app/compose.yaml", BAD_COMPOSE, NULL};
	commit(&c2, &c1, f2);
	const char *f3[] = {"notes.txt", "y", NULL};
	commit(&c3, &c2, f3);

	struct quai_findings f = {0};
	struct quai_hook_stats st = {0};
	char *in = line(&c1, &c3, "refs/heads/main");
	assert_int_equal(receive(&f, &st, in), 0);
	free(in);
	assert_int_equal(st.commits, 2);
	assert_int_equal(st.files, 2);
	assert_true(has(&f, "app/Dockerfile", "DL1000"));
	assert_true(has(&f, "app/compose.yaml", "QC3004"));
	assert_false(has(&f, "old/Dockerfile", "DL1000")); /* already on the server */
	quai_findings_release(&f);

	/* a new branch at a known commit, a deletion, a tag of a known commit: nothing */
	memset(&st, 0, sizeof(st));
	char *a = line(&zero, &c1, "refs/heads/copy"), *b = line(&c1, &zero, "refs/heads/gone"),
	     *c = line(&zero, &c1, "refs/tags/v1");
	char all[512];
	snprintf(all, sizeof(all), "%s%s%s", a, b, c);
	free(a);
	free(b);
	free(c);
	assert_int_equal(receive(&f, &st, all), 0);
	assert_int_equal(st.refs, 3);
	assert_int_equal(st.commits, 0);
	assert_int_equal(f.len, 0);

	/* a new branch with new commits: only those */
	memset(&st, 0, sizeof(st));
	in = line(&zero, &c2, "refs/heads/topic");
	assert_int_equal(receive(&f, &st, in), 0);
	free(in);
	assert_int_equal(st.commits, 1);
	assert_true(has(&f, "app/Dockerfile", "DL1000"));
	quai_findings_release(&f);
}

static void test_fixed_later_in_the_push(void **state)
{
	(void)state;
	git_oid zero, c1, c2;
	memset(&zero, 0, sizeof(zero));
	const char *f1[] = {"svc/Dockerfile", BAD_DOCKERFILE, NULL};
	commit(&c1, NULL, f1);
	const char *f2[] = {"svc/Dockerfile", GOOD_DOCKERFILE, NULL};
	commit(&c2, &c1, f2);
	struct quai_findings f = {0};
	struct quai_hook_stats st = {0};
	char *in = line(&zero, &c2, "refs/heads/fixed");
	assert_int_equal(receive(&f, &st, in), 0);
	free(in);
	assert_int_equal(st.commits, 2);
	assert_int_equal(st.files, 1);
	assert_false(has(&f, "svc/Dockerfile", "DL1000"));
	quai_findings_release(&f);
}

static void test_bad_input(void **state)
{
	(void)state;
	struct quai_findings f = {0};
	struct quai_hook_stats st = {0};
	assert_int_equal(receive(&f, &st, "hello\n"), -1);
	char bad[200];
	snprintf(bad, sizeof(bad), "%040d %s refs/heads/x\n", 0, "zz34567890123456789012345678901234567890");
	assert_int_equal(receive(&f, &st, bad), -1);
	snprintf(bad, sizeof(bad), "%040d %s refs/heads/x\n", 0, "1234567890123456789012345678901234567890");
	assert_int_equal(receive(&f, &st, bad), -1); /* an object the repository lacks */
	assert_int_equal(receive(&f, &st, ""), 0);
	quai_findings_release(&f);
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return NULL;
	char *buf = calloc(1, 4096);
	size_t n = fread(buf, 1, 4095, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void test_install(void **state)
{
	(void)state;
	char *path = NULL;
	struct quai_error *err = NULL;
	assert_int_equal(
	    quai_hook_install(&path, repo, QUAI_HOOK_PRE_RECEIVE, "/opt/quai's/quai", false, &err), -1);
	assert_non_null(strstr(err->msg, "must be absolute"));
	quai_error_free(err);
	err = NULL;
	assert_int_equal(quai_hook_install(&path, repo, QUAI_HOOK_PRE_RECEIVE, "/usr/bin/quai", false, &err),
	                 0);
	char *text = slurp(path);
	assert_non_null(strstr(text, "\nexec '/usr/bin/quai' hook pre-receive \"$@\"\n"));
	free(text);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	/* ours: replaced; foreign: kept unless forced */
	char *again = NULL;
	assert_int_equal(
	    quai_hook_install(&again, repo, QUAI_HOOK_PRE_RECEIVE, "/usr/local/bin/quai", false, &err), 0);
	free(again);
	FILE *fp = fopen(path, "w");
	fputs("#!/bin/sh\necho mine\n", fp);
	fclose(fp);
	assert_int_equal(quai_hook_install(&again, repo, QUAI_HOOK_PRE_RECEIVE, "/usr/bin/quai", false, &err),
	                 -1);
	assert_non_null(strstr(err->msg, "--force"));
	quai_error_free(err);
	err = NULL;
	text = slurp(path);
	assert_string_equal(text, "#!/bin/sh\necho mine\n");
	free(text);
	assert_int_equal(quai_hook_install(&again, repo, QUAI_HOOK_PRE_RECEIVE, "/usr/bin/quai", true, &err),
	                 0);
	free(again);
	free(path);

	/* core.hooksPath, relative to the git directory of a bare repository */
	git_config *c = NULL;
	assert_int_equal(git_repository_config(&c, repo), 0);
	assert_int_equal(git_config_set_string(c, "core.hooksPath", "my-hooks"), 0);
	git_config_free(c);
	assert_int_equal(quai_hook_install(&path, repo, QUAI_HOOK_PRE_COMMIT, "/usr/bin/quai", false, &err),
	                 0);
	assert_non_null(strstr(path, "/my-hooks/pre-commit"));
	assert_int_equal(access(path, X_OK), 0);
	free(path);
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	git_libgit2_init();
	char path[256];
	snprintf(path, sizeof(path), "%s/srv.git", dir);
	quai_lint_config_init(&cfg);
	setenv("TMPDIR", dir, 1);
	return git_repository_init(&repo, path, 1);
}

static int teardown(void **state)
{
	(void)state;
	git_repository_free(repo);
	git_libgit2_shutdown();
	quai_lint_config_release(&cfg);
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pushed_commits_only),
	    cmocka_unit_test(test_fixed_later_in_the_push),
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_install),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
