/* quai hook install: writes the hook script, a single exec of quai. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "hook/internal.h"
#include "core/banned.h"

/* The second line of every script quai writes: how it knows its own. */
#define MARKER "# quai hook: written by 'quai hook install'"

static const char *kind_name(enum quai_hook_kind kind)
{
	switch (kind) {
	case QUAI_HOOK_PRE_RECEIVE:
		return "pre-receive";
	case QUAI_HOOK_POST_RECEIVE:
		return "post-receive";
	case QUAI_HOOK_PRE_COMMIT:
		break;
	}
	return "pre-commit";
}

/* Only characters that mean nothing to the shell inside single quotes, so
 * the path is data in the script whatever it is. */
static bool plain_path(const char *p)
{
	if (p[0] != '/')
		return false;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("/._+-@,=", *p)))
			return false;
	return true;
}

/* core.hooksPath when set (relative to the working tree, or to the git
 * directory of a bare repository), else GIT_DIR/hooks. */
static char *hooks_dir(git_repository *repo, struct quai_error **err)
{
	git_config *cfg = NULL;
	git_buf buf = {0};
	char *dir = NULL;
	if (git_repository_config_snapshot(&cfg, repo) == 0 &&
	    git_config_get_path(&buf, cfg, "core.hooksPath") == 0 && buf.ptr && *buf.ptr) {
		const char *base = git_repository_workdir(repo);
		if (buf.ptr[0] == '/')
			dir = xstrdup(buf.ptr);
		else
			dir = xasprintf("%s%s", base ? base : git_repository_path(repo),
			                buf.ptr); /* both end with '/' */
	}
	git_buf_dispose(&buf);
	git_config_free(cfg);
	if (dir)
		return dir;
	if (git_repository_item_path(&buf, repo, GIT_REPOSITORY_ITEM_HOOKS) < 0) {
		quai_hook_git_error(err, "cannot find the repository's hooks directory");
		return NULL;
	}
	dir = xstrdup(buf.ptr);
	git_buf_dispose(&buf);
	return dir;
}

int quai_hook_install(char **path_out, struct git_repository *repo, enum quai_hook_kind kind,
                      const char *program, bool force, struct quai_error **err)
{
	return quai_hook_install_args(path_out, repo, kind, program, NULL, force, err);
}

int quai_hook_install_args(char **path_out, struct git_repository *repo, enum quai_hook_kind kind,
                           const char *program, const char *const *args, bool force, struct quai_error **err)
{
	if (!plain_path(program))
		return quai_error_set(
		    err, QUAI_EXIT_USAGE,
		    "cannot write a hook that runs '%s': the path must be absolute and hold only "
		    "letters, digits and / . _ + - @ , =",
		    program);
	cleanup_free char *dir = hooks_dir(repo, err);
	if (!dir)
		return -1;
	size_t dl = strlen(dir);
	while (dl > 1 && dir[dl - 1] == '/')
		dir[--dl] = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return quai_error_errno(err, errno, "cannot create '%s'", dir);
	cleanup_free char *path = xasprintf("%s/%s", dir, kind_name(kind));

	cleanup_free char *old = NULL;
	size_t old_len = 0;
	if (access(path, F_OK) == 0) {
		bool ours = quai_file_read(&old, &old_len, path, 1u << 20, NULL) == 0 && strstr(old, MARKER);
		if (!ours && !force)
			return quai_error_set(
			    err, QUAI_EXIT_USAGE,
			    "'%s' already exists and quai did not write it: merge it by hand, or "
			    "replace it with --force",
			    path);
	}
	cleanup_buf struct quai_buf script = QUAI_BUF_INIT;
	quai_buf_printf(&script,
	                "#!/bin/sh\n" MARKER "; it runs quai on what git hands the hook.\n"
	                "exec '%s' hook %s",
	                program, kind_name(kind));
	for (const char *const *a = args; a && *a; a++) {
		quai_buf_putc(&script, ' ');
		quai_buf_put_sh_quoted(&script, *a);
	}
	quai_buf_puts(&script, " \"$@\"\n");

	cleanup_free char *tmp = xasprintf("%s.quai-tmp", path);
	(void)unlink(tmp);
	cleanup_close int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0755);
	if (fd < 0)
		return quai_error_errno(err, errno, "cannot write '%s'", tmp);
	if (write(fd, script.data, script.len) != (ssize_t)script.len || fchmod(fd, 0755) < 0 ||
	    fsync(fd) < 0) {
		int e = errno;
		(void)unlink(tmp);
		return quai_error_errno(err, e, "cannot write '%s'", tmp);
	}
	if (rename(tmp, path) < 0) {
		int e = errno;
		(void)unlink(tmp);
		return quai_error_errno(err, e, "cannot install '%s'", path);
	}
	*path_out = steal_pointer(&path);
	return 0;
}
