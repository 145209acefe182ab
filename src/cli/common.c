/* What quai and quai-engine share: the command table lookup, errors, help
 * detection, and how quai hands a command to quai-engine. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/error.h"
#include "quai_version.h"

const struct quai_command *quai_command_find(const struct quai_command *table, const char *name)
{
	for (const struct quai_command *c = table; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void quai_cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("quai: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int quai_cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

/* The helper binary beside the running quai (a build tree, or a bundle),
 * else in the libexec directory quai was configured with. */
static int engine_path(char *out, size_t size, const char *helper)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			int len = snprintf(out, size, "%s/%s", self, helper);
			if (len > 0 && (size_t)len < size && access(out, X_OK) == 0)
				return 0;
		}
	}
	int len = snprintf(out, size, "%s/%s", QUAI_LIBEXECDIR, helper);
	return len > 0 && (size_t)len < size && access(out, X_OK) == 0 ? 0 : -1;
}

int quai_cli_exec_engine(const struct quai_command *cmd, char **argv)
{
	const char *helper = cmd->helper ? cmd->helper : "quai-engine";
	char path[PATH_MAX];
	if (engine_path(path, sizeof(path), helper) < 0) {
		quai_cli_error("'%s' needs %s, which is neither beside quai nor in %s: reinstall quai", argv[0],
			       helper, QUAI_LIBEXECDIR);
		return QUAI_EXIT_USAGE;
	}
	/* argv[-1] is quai's own argv[0]: quai-engine sees "quai-engine COMMAND ARGS" */
	char **args = argv - 1;
	args[0] = path;
	/* GnuTLS comes with libcurl's librtmp and LDAP, which quai never uses:
	 * skip its set-up at load (0.6 MB of quai-engine's RSS). quai-engine
	 * takes the variable out again for the programs it runs. */
	if (!getenv("GNUTLS_NO_IMPLICIT_INIT") && setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 1) == 0)
		setenv("QUAI_ENGINE_UNSET_GNUTLS", "1", 1);
	execv(path, args);
	quai_cli_error("cannot run '%s': %s", path, strerror(errno));
	return QUAI_EXIT_USAGE;
}
