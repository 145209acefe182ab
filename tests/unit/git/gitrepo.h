/* Temporary git repositories for unit tests, made with the git CLI run by
 * argv (no shell). Header-only: each test program includes it once. */
#ifndef QUAI_TESTS_GITREPO_H
#define QUAI_TESTS_GITREPO_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define GITREPO_MAX_ARGS 32

/* Runs git -C dir ARGS... (NULL-terminated); its stdout goes to out (up
 * to size bytes, trailing newline removed) when out is not NULL. Returns
 * git's exit status. */
static int gitrepo_run(char *out, size_t size, const char *dir, const char *const *args)
{
	const char *argv[GITREPO_MAX_ARGS + 4] = {"git", "-C", dir};
	size_t n = 3;
	for (size_t i = 0; args[i] && n < GITREPO_MAX_ARGS; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	int fds[2];
	if (pipe(fds) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0 && !out)
			dup2(devnull, 1);
		if (devnull >= 0)
			dup2(devnull, 2);
		execvp("git", (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	size_t len = 0;
	char buf[4096];
	ssize_t r;
	while ((r = read(fds[0], buf, sizeof(buf))) > 0) {
		if (out && len + 1 < size) {
			size_t take = (size_t)r < size - 1 - len ? (size_t)r : size - 1 - len;
			memcpy(out + len, buf, take);
			len += take;
		}
	}
	close(fds[0]);
	if (out) {
		out[len] = '\0';
		while (len && out[len - 1] == '\n')
			out[--len] = '\0';
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int gitrepo_vgit(char *out, size_t size, const char *dir, va_list ap)
{
	const char *args[GITREPO_MAX_ARGS + 1];
	size_t n = 0;
	const char *a;
	while ((a = va_arg(ap, const char *)) && n < GITREPO_MAX_ARGS)
		args[n++] = a;
	args[n] = NULL;
	return gitrepo_run(out, size, dir, args);
}

/* git -C dir ARGS... NULL; aborts the test program when git fails. */
static void gitrepo_git(const char *dir, ...)
{
	va_list ap;
	va_start(ap, dir);
	int rc = gitrepo_vgit(NULL, 0, dir, ap);
	va_end(ap);
	if (rc != 0) {
		fprintf(stderr, "gitrepo: git failed (%d) in %s\n", rc, dir);
		abort();
	}
}

/* As gitrepo_git, with its output in out. */
static void gitrepo_out(char *out, size_t size, const char *dir, ...)
{
	va_list ap;
	va_start(ap, dir);
	int rc = gitrepo_vgit(out, size, dir, ap);
	va_end(ap);
	if (rc != 0) {
		fprintf(stderr, "gitrepo: git failed (%d) in %s\n", rc, dir);
		abort();
	}
}

/* Writes text to dir/rel, creating parent directories. */
static void gitrepo_write(const char *dir, const char *rel, const char *text)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *p = path + strlen(dir) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "gitrepo: cannot write %s: %s\n", path, strerror(errno));
		abort();
	}
	fputs(text, f);
	fclose(f);
}

/* Makes a new repository in a fresh temporary directory (path in out) on
 * branch main, with an identity and no global configuration. */
static void gitrepo_init(char *out, size_t size)
{
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_AUTHOR_NAME", "quai test", 1);
	setenv("GIT_AUTHOR_EMAIL", "test@quai.invalid", 1);
	setenv("GIT_COMMITTER_NAME", "quai test", 1);
	setenv("GIT_COMMITTER_EMAIL", "test@quai.invalid", 1);
	snprintf(out, size, "/tmp/quai-unit-git.XXXXXX");
	if (!mkdtemp(out))
		abort();
	gitrepo_git(out, "init", "-q", "-b", "main", NULL);
}

static void gitrepo_commit(const char *dir, const char *msg)
{
	gitrepo_git(dir, "add", "-A", NULL);
	gitrepo_git(dir, "commit", "-q", "--allow-empty", "-m", msg, NULL);
}

static int gitrepo_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void gitrepo_remove(const char *dir)
{
	if (strncmp(dir, "/tmp/quai-unit-git.", 19) == 0)
		nftw(dir, gitrepo_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
