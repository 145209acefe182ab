/* quai login: checks credentials against a registry and stores them as
 * docker login does. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "registry/registry.h"
#include "core/banned.h"

#define SECRET_MAX (64u << 10)

const char cmd_login_usage[] =
    "usage: quai login [OPTIONS] REGISTRY\n"
    "\n"
    "Checks a user name and password against REGISTRY (its /v2/ endpoint, basic\n"
    "auth or the token flow), then stores them as docker login does: in the\n"
    "credsStore helper of $DOCKER_CONFIG/config.json when one is set, else in\n"
    "its auths (base64, file mode 0600, other settings kept).\n"
    "\n"
    "Options:\n"
    "  -u, --username USER    the user (default: QUAI_REGISTRY_USER, else asked)\n"
    "      --password-stdin   read the password from standard input\n"
    "  -h, --help             show this help\n"
    "\n"
    "Without --password-stdin the password is QUAI_REGISTRY_PASSWORD, else it is\n"
    "asked for (without echo) when standard input is a terminal.\n"
    "\n"
    "Exit status: 0 stored, 1 credentials refused, 2 usage or environment error.\n";

enum { OPT_PASSWORD_STDIN = 256 };

static const struct option long_opts[] = {
    {"username", required_argument, NULL, 'u'},
    {"password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Reads one line (or all of stdin for a pipe) without its final newline. */
static char *read_line(bool all)
{
	struct quai_buf b = QUAI_BUF_INIT;
	char ch;
	for (;;) {
		ssize_t r = read(STDIN_FILENO, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (!all && ch == '\n') || b.len >= SECRET_MAX)
			break;
		quai_buf_putc(&b, ch);
	}
	while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
		quai_buf_truncate(&b, b.len - 1);
	return quai_buf_detach(&b);
}

static char *prompt(const char *what, bool echo)
{
	fprintf(stderr, "%s: ", what);
	fflush(stderr);
	struct termios old, quiet;
	bool restore = false;
	if (!echo && tcgetattr(STDIN_FILENO, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
	}
	char *s = read_line(false);
	if (restore) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	return s;
}

int cmd_login(int argc, char **argv)
{
	const char *user = NULL;
	bool pw_stdin = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "u:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			break;
		case OPT_PASSWORD_STDIN:
			pw_stdin = true;
			break;
		case 'h':
			fputs(cmd_login_usage, stdout);
			return QUAI_EXIT_OK;
		default:
			fputs("see 'quai login --help'\n", stderr);
			return QUAI_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		quai_cli_error("login: expected one REGISTRY");
		fputs("see 'quai login --help'\n", stderr);
		return QUAI_EXIT_USAGE;
	}
	const char *registry = argv[optind];
	bool tty = isatty(STDIN_FILENO);
	struct quai_registry_creds cr = {0};
	if (!user)
		user = getenv("QUAI_REGISTRY_USER");
	if (user && *user)
		cr.username = xstrdup(user);
	else if (tty && !pw_stdin)
		cr.username = prompt("Username", true);
	if (!cr.username || !*cr.username) {
		quai_cli_error("login: no user name (use -u USER)");
		quai_registry_creds_release(&cr);
		return QUAI_EXIT_USAGE;
	}
	const char *envpw = getenv("QUAI_REGISTRY_PASSWORD");
	if (pw_stdin)
		cr.password = read_line(true);
	else if (envpw && *envpw)
		cr.password = xstrdup(envpw);
	else if (tty)
		cr.password = prompt("Password", false);
	if (!cr.password || !*cr.password) {
		quai_cli_error("login: no password (use --password-stdin)");
		quai_registry_creds_release(&cr);
		return QUAI_EXIT_USAGE;
	}
	cleanup_error struct quai_error *err = NULL;
	cleanup_free char *host = quai_registry_key(registry);
	/* the Docker Hub key is a URL; its API is registry-1.docker.io */
	const char *api = strcmp(host, QUAI_REGISTRY_DOCKER_HUB) == 0 ? "registry-1.docker.io" : host;
	cleanup_free char *where = NULL;
	int status = QUAI_EXIT_OK;
	if (quai_registry_check(api, &cr, &err) < 0 ||
	    quai_registry_login_store(&where, registry, &cr, &err) < 0) {
		quai_cli_error("login '%s': %s", registry, err->msg);
		status = err->status ? err->status : QUAI_EXIT_USAGE;
	} else {
		printf("login succeeded: credentials for %s stored in %s\n", host, where);
	}
	quai_registry_creds_release(&cr);
	return status;
}
