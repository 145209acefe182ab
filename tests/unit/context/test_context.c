/* The build context stream: temporary trees streamed through
 * quai_context_read and read back with libarchive. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "context/context.h"
#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"

static char tmp[64];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	snprintf(tmp, sizeof(tmp), "/tmp/quai-ctx-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	return 0;
}

static int teardown(void **state)
{
	nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* Writes tmp/rel with contents, making parent directories. */
static void put(const char *rel, const char *contents)
{
	cleanup_free char *path = xasprintf("%s/%s", tmp, rel);
	for (char *s = strchr(path + strlen(tmp) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(contents, f);
	fclose(f);
}

static void mkdir_rel(const char *rel)
{
	cleanup_free char *path = xasprintf("%s/%s", tmp, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void link_rel(const char *target, const char *rel)
{
	cleanup_free char *path = xasprintf("%s/%s", tmp, rel);
	assert_int_equal(symlink(target, path), 0);
}

/* Streams the context with reads of `chunk` bytes; returns 0 or -1 with *err. */
static int stream(const char *dir, const char *dockerfile, uint64_t max, size_t chunk, struct quai_buf *out,
                  char **dfname, struct quai_error **err)
{
	struct quai_context *ctx = NULL;
	if (quai_context_open(&ctx, dir, dockerfile, max, err) < 0)
		return -1;
	char *buf = xmalloc(chunk);
	ssize_t n;
	while ((n = quai_context_read(ctx, buf, chunk, err)) > 0) {
		assert_true((size_t)n <= chunk);
		quai_buf_add(out, buf, (size_t)n);
	}
	free(buf);
	if (dfname)
		*dfname = xstrdup(quai_context_dockerfile_name(ctx));
	quai_context_free(ctx);
	return n < 0 ? -1 : 0;
}

/* The members as "name type size" lines, type d, f or l>target; contents of
 * regular files appended to *contents as "name=data;" when asked. */
static char *members(const struct quai_buf *tar, struct quai_buf *contents)
{
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_memory(a, tar->data, tar->len), ARCHIVE_OK);
	struct quai_buf list = QUAI_BUF_INIT;
	struct archive_entry *e;
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		assert_int_equal(archive_entry_uid(e), 0);
		assert_int_equal(archive_entry_gid(e), 0);
		assert_true(archive_entry_uname(e) == NULL || *archive_entry_uname(e) == '\0');
		switch (archive_entry_filetype(e)) {
		case AE_IFDIR:
			quai_buf_printf(&list, "%s d\n", name);
			break;
		case AE_IFLNK:
			quai_buf_printf(&list, "%s l>%s\n", name, archive_entry_symlink(e));
			break;
		default:
			quai_buf_printf(&list, "%s f%lld\n", name, (long long)archive_entry_size(e));
			break;
		}
		if (contents && archive_entry_filetype(e) == AE_IFREG) {
			char b[4096];
			la_ssize_t n;
			quai_buf_printf(contents, "%s=", name);
			while ((n = archive_read_data(a, b, sizeof(b))) > 0)
				quai_buf_add(contents, b, (size_t)n);
			quai_buf_puts(contents, ";");
		}
	}
	archive_read_free(a);
	return quai_buf_detach(&list);
}

static void test_basic_tree(void **state)
{
	put("Dockerfile", "FROM scratch\n");
	put("a.txt", "hello");
	put("a.log", "no");
	put("keep.log", "yes");
	put("build/x", "no");
	put("sub/b.txt", "b");
	put("sub/deep/c.txt", "cc");
	put(".dockerignore", "# logs\n*.log\n!keep.log\nbuild\n");
	cleanup_free char *path = xasprintf("%s/a.txt", tmp);
	chmod(path, 0640);
	struct timespec ts[2] = {{1000000000, 0}, {1000000000, 0}};
	utimensat(AT_FDCWD, path, ts, 0);
	cleanup_buf struct quai_buf tar = QUAI_BUF_INIT, contents = QUAI_BUF_INIT;
	cleanup_free char *dfname = NULL;
	struct quai_error *err = NULL;
	assert_int_equal(stream(tmp, NULL, 0, 65536, &tar, &dfname, &err), 0);
	assert_string_equal(dfname, "Dockerfile");
	assert_int_equal(tar.len % 512, 0);
	cleanup_free char *list = members(&tar, &contents);
	assert_string_equal(list,
	                    ".dockerignore f29\nDockerfile f13\na.txt f5\nkeep.log f3\nsub/ d\nsub/b.txt f1\n"
	                    "sub/deep/ d\nsub/deep/c.txt f2\n");
	assert_non_null(strstr(contents.data, "a.txt=hello;"));
	assert_non_null(strstr(contents.data, "sub/deep/c.txt=cc;"));
	/* mode and mtime kept */
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	archive_read_open_memory(a, tar.data, tar.len);
	struct archive_entry *e;
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		if (strcmp(archive_entry_pathname(e), "a.txt") == 0) {
			assert_int_equal(archive_entry_perm(e), 0640);
			assert_int_equal(archive_entry_mtime(e), 1000000000);
		}
	}
	archive_read_free(a);
}

static void test_always_sent(void **state)
{
	put("Dockerfile", "FROM scratch\n");
	put("a", "a");
	put("dir/b", "b");
	put(".dockerignore", "*\nDockerfile\n.dockerignore\n");
	cleanup_buf struct quai_buf tar = QUAI_BUF_INIT;
	struct quai_error *err = NULL;
	assert_int_equal(stream(tmp, NULL, 0, 4096, &tar, NULL, &err), 0);
	cleanup_free char *list = members(&tar, NULL);
	assert_string_equal(list, ".dockerignore f27\nDockerfile f13\n");
}

static void test_dockerfile_in_excluded_dir(void **state)
{
	put("docker/Dockerfile", "FROM scratch\n");
	put("docker/other", "x");
	put("app", "x");
	put(".dockerignore", "docker\n");
	cleanup_free char *df = xasprintf("%s/docker/Dockerfile", tmp);
	cleanup_buf struct quai_buf tar = QUAI_BUF_INIT;
	cleanup_free char *dfname = NULL;
	struct quai_error *err = NULL;
	assert_int_equal(stream(tmp, df, 0, 4096, &tar, &dfname, &err), 0);
	assert_string_equal(dfname, "docker/Dockerfile");
	cleanup_free char *list = members(&tar, NULL);
	assert_string_equal(list, ".dockerignore f7\napp f1\ndocker/Dockerfile f13\n");
}

static void test_exception_needs_literal_dir(void **state)
{
	/* docker walks an excluded directory only when an exception starts with
	 * its literal path: "!*\/keep" does not bring a/keep back */
	put("Dockerfile", "FROM scratch\n");
	put("a/keep", "k");
	put("b/keep", "k");
	put(".dockerignore", "*\n!*/keep\n!b/keep\n");
	cleanup_buf struct quai_buf tar = QUAI_BUF_INIT;
	struct quai_error *err = NULL;
	assert_int_equal(stream(tmp, NULL, 0, 4096, &tar, NULL, &err), 0);
	cleanup_free char *list = members(&tar, NULL);
	assert_string_equal(list, ".dockerignore f18\nDockerfile f13\nb/keep f1\n");
}

static void test_dockerfile_outside(void **state)
{
	put("ctx/app", "x");
	put("ctx/.dockerignore", "secret\n");
	put("ctx/secret", "s");
	put("elsewhere/Build.Dockerfile", "FROM scratch\nCOPY app /\n");
	cleanup_free char *dir = xasprintf("%s/ctx", tmp);
	cleanup_free char *df = xasprintf("%s/elsewhere/Build.Dockerfile", tmp);
	cleanup_buf struct quai_buf tar = QUAI_BUF_INIT, contents = QUAI_BUF_INIT;
	cleanup_free char *dfname = NULL;
	struct quai_error *err = NULL;
	assert_int_equal(stream(dir, df, 0, 7, &tar, &dfname, &err), 0);
	assert_int_equal(strlen(dfname), strlen(".dockerfile.") + 20);
	assert_memory_equal(dfname, ".dockerfile.", 12);
	cleanup_free char *list = members(&tar, &contents);
	cleanup_free char *want =
	    xasprintf(".dockerignore f%zu\napp f1\n%s f24\n", strlen("secret\n\n") + 33, dfname);
	assert_string_equal(list, want);
	cleanup_free char *ign = xasprintf(".dockerignore=secret\n\n%s\n;", dfname);
	assert_non_null(strstr(contents.data, ign));
	cleanup_free char *body = xasprintf("%s=FROM scratch\nCOPY app /\n;", dfname);
	assert_non_null(strstr(contents.data, body));

	/* no .dockerignore: one is made that hides the Dockerfile */
	cleanup_free char *ignpath = xasprintf("%s/ctx/.dockerignore", tmp);
	unlink(ignpath);
	quai_buf_release(&tar);
	quai_buf_release(&contents);
	free(dfname);
	dfname = NULL;
	assert_int_equal(stream(dir, df, 0, 4096, &tar, &dfname, &err), 0);
	free(list);
	list = members(&tar, &contents);
	free(want);
	want = xasprintf("app f1\nsecret f1\n%s f24\n.dockerignore f47\n", dfname);
	assert_string_equal(list, want);
}

static void test_escaping_symlinks(void **state)
{
	put("Dockerfile", "FROM scratch\n");
	put("sub/b.txt", "b");
	link_rel("sub/b.txt", "inside");
	link_rel("../sub/b.txt", "sub/up-and-in");
	cleanup_buf struct quai_buf tar = QUAI_BUF_INIT;
	struct quai_error *err = NULL;
	assert_int_equal(stream(tmp, NULL, 0, 4096, &tar, NULL, &err), 0);
	cleanup_free char *list = members(&tar, NULL);
	assert_string_equal(list, "Dockerfile f13\ninside l>sub/b.txt\nsub/ d\nsub/b.txt f1\n"
	                          "sub/up-and-in l>../sub/b.txt\n");

	link_rel("../../etc/passwd", "sub/escape");
	quai_buf_release(&tar);
	assert_int_equal(stream(tmp, NULL, 0, 4096, &tar, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "'sub/escape'"));
	assert_non_null(strstr(err->msg, "outside"));
	quai_error_free(err);
	err = NULL;

	/* excluded, it is not looked at */
	put(".dockerignore", "sub/escape\n");
	quai_buf_release(&tar);
	assert_int_equal(stream(tmp, NULL, 0, 4096, &tar, NULL, &err), 0);

	link_rel("/etc/passwd", "abs");
	quai_buf_release(&tar);
	assert_int_equal(stream(tmp, NULL, 0, 4096, &tar, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "'abs'"));
	quai_error_free(err);
}

static void test_size_limit(void **state)
{
	put("Dockerfile", "FROM scratch\n");
	char *big = xmalloc(100001);
	memset(big, 'x', 100000);
	big[100000] = '\0';
	put("big.bin", big);
	free(big);
	cleanup_buf struct quai_buf tar = QUAI_BUF_INIT;
	struct quai_error *err = NULL;
	assert_int_equal(stream(tmp, NULL, 50000, 4096, &tar, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "50000"));
	assert_non_null(strstr(err->msg, ".dockerignore"));
	quai_error_free(err);
	err = NULL;
	assert_int_equal(stream(tmp, NULL, 200000, 4096, &tar, NULL, &err), 0);
	assert_true(tar.len <= 200000);
	cleanup_buf struct quai_buf contents = QUAI_BUF_INIT;
	cleanup_free char *list = members(&tar, &contents);
	assert_string_equal(list, "Dockerfile f13\nbig.bin f100000\n");
	put(".dockerignore", "*.bin\n");
	quai_buf_release(&tar);
	assert_int_equal(stream(tmp, NULL, 50000, 4096, &tar, NULL, &err), 0);
}

static void test_empty_dirs_and_missing(void **state)
{
	cleanup_buf struct quai_buf tar = QUAI_BUF_INIT;
	struct quai_error *err = NULL;
	/* no Dockerfile */
	assert_int_equal(stream(tmp, NULL, 0, 4096, &tar, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "Dockerfile"));
	quai_error_free(err);
	err = NULL;
	/* the lowercase name is found too; empty directories are kept */
	put("dockerfile", "FROM scratch\n");
	mkdir_rel("empty");
	cleanup_free char *fifo = xasprintf("%s/fifo", tmp);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	cleanup_free char *dfname = NULL;
	assert_int_equal(stream(tmp, NULL, 0, 4096, &tar, &dfname, &err), 0);
	assert_string_equal(dfname, "dockerfile");
	cleanup_free char *list = members(&tar, NULL);
	assert_string_equal(list, "dockerfile f13\nempty/ d\n");
	/* not a directory */
	cleanup_free char *file = xasprintf("%s/dockerfile", tmp);
	assert_int_equal(stream(file, NULL, 0, 4096, &tar, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "not a directory"));
	quai_error_free(err);
}

static void test_deep_tree_and_chunks(void **state)
{
	put("Dockerfile", "FROM scratch\n");
	struct quai_buf rel = QUAI_BUF_INIT;
	for (int i = 0; i < 40; i++)
		quai_buf_printf(&rel, "level-%02d/", i);
	quai_buf_puts(&rel, "a-file-with-a-long-name.txt");
	put(rel.data, "deep");
	char *big = xmalloc(300001);
	for (int i = 0; i < 300000; i++)
		big[i] = (char)('a' + i % 26);
	big[300000] = '\0';
	put("big.txt", big);
	cleanup_buf struct quai_buf one = QUAI_BUF_INIT, large = QUAI_BUF_INIT, odd = QUAI_BUF_INIT;
	struct quai_error *err = NULL;
	assert_int_equal(stream(tmp, NULL, 0, 1, &one, NULL, &err), 0);
	assert_int_equal(stream(tmp, NULL, 0, 1 << 20, &large, NULL, &err), 0);
	assert_int_equal(stream(tmp, NULL, 0, 509, &odd, NULL, &err), 0);
	assert_int_equal(one.len, large.len);
	assert_int_equal(odd.len, large.len);
	assert_memory_equal(one.data, large.data, one.len);
	assert_memory_equal(odd.data, large.data, odd.len);
	cleanup_buf struct quai_buf contents = QUAI_BUF_INIT;
	cleanup_free char *list = members(&large, &contents);
	cleanup_free char *want = xasprintf("%s f4\n", rel.data);
	assert_non_null(strstr(list, want));
	cleanup_free char *body = xasprintf("big.txt=%s;", big);
	assert_non_null(strstr(contents.data, body));
	free(big);
	quai_buf_release(&rel);
}

/* Streams tmp and checks the error names 'secret'; 0 when it does. */
static int unreadable_check(void)
{
	cleanup_buf struct quai_buf tar = QUAI_BUF_INIT;
	struct quai_error *err = NULL;
	if (stream(tmp, NULL, 0, 4096, &tar, NULL, &err) == 0)
		return 1;
	int rc = strstr(err->msg, "'secret'") && strstr(err->msg, "ermission") ? 0 : 2;
	quai_error_free(err);
	return rc;
}

static void test_unreadable(void **state)
{
	put("Dockerfile", "FROM scratch\n");
	put("secret", "s");
	cleanup_free char *path = xasprintf("%s/secret", tmp);
	chmod(path, 0);
	chmod(tmp, 0755);
	if (geteuid() != 0) {
		assert_int_equal(unreadable_check(), 0);
		return;
	}
	/* root reads everything: check as nobody */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(3);
		_exit(unreadable_check());
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_bad_dockerignore(void **state)
{
	put("Dockerfile", "FROM scratch\n");
	put(".dockerignore", "ok\n[\n");
	cleanup_buf struct quai_buf tar = QUAI_BUF_INIT;
	struct quai_error *err = NULL;
	assert_int_equal(stream(tmp, NULL, 0, 4096, &tar, NULL, &err), -1);
	assert_non_null(strstr(err->msg, ".dockerignore:2:"));
	quai_error_free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_basic_tree, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_always_sent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dockerfile_in_excluded_dir, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exception_needs_literal_dir, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dockerfile_outside, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_escaping_symlinks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_size_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_dirs_and_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deep_tree_and_chunks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unreadable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_dockerignore, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
