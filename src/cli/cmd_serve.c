/* quai serve: the server (docs/server.md), and the few offline tasks
 * around it: checking the configuration, creating API tokens, writing
 * the post-receive hook of a bare repository. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/xalloc.h"
#include "forge/forge.h"
#include "server/config.h"
#include "server/server.h"
#include "store/store.h"
#include "core/banned.h"

#define DEFAULT_CONFIG "/etc/quai/server.yml"

const char cmd_serve_usage[] =
    "usage: quai serve [--config FILE]\n"
    "       quai serve check [--config FILE]\n"
    "       quai serve token create [--config FILE] [--role admin|read] [--name NAME]\n"
    "       quai serve hook-script --server URL --project NAME --secret-file FILE\n"
    "\n"
    "Runs the CI server: takes webhooks from GitHub, GitLab, Gitea/Forgejo and\n"
    "post-receive hooks on POST /hooks/PROJECT, runs each project's pipelines\n"
    "(quai run, quai run --pipeline) in a fresh checkout, keeps every run in\n"
    "DATA_DIR, reports commit statuses, and serves a JSON API under /api/v1\n"
    "(see docs/server.md). Stops cleanly on SIGTERM or SIGINT.\n"
    "\n"
    "  check         validate the configuration and exit\n"
    "  token create  store a new API token (hashed) and print it once\n"
    "  hook-script   print a post-receive hook that notifies the server\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE  the configuration (default " DEFAULT_CONFIG ")\n"
    "      --role ROLE    admin (may trigger, cancel, retry) or read (default)\n"
    "      --name NAME    a label for the token\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit status: 0 done, 2 usage or configuration error.\n";

enum { OPT_ROLE = 256, OPT_NAME, OPT_SERVER, OPT_PROJECT, OPT_SECRET_FILE };

static const struct option long_opts[] = {
    {"config", required_argument, NULL, 'c'},
    {"role", required_argument, NULL, OPT_ROLE},
    {"name", required_argument, NULL, OPT_NAME},
    {"server", required_argument, NULL, OPT_SERVER},
    {"project", required_argument, NULL, OPT_PROJECT},
    {"secret-file", required_argument, NULL, OPT_SECRET_FILE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct opts {
	const char *config, *role, *name, *server, *project, *secret_file;
};

/* quai beside this binary (quai-engine), else "quai" from PATH. */
static char *quai_binary(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			char *path = xasprintf("%s/quai", self);
			if (access(path, X_OK) == 0)
				return path;
			free(path);
		}
	}
	return xstrdup("quai");
}

static int load(struct quai_server_config **cfg, const struct opts *o)
{
	cleanup_error struct quai_error *err = NULL;
	if (quai_server_config_load(cfg, o->config, &err) < 0) {
		quai_cli_error("%s", err->msg);
		return -1;
	}
	return 0;
}

static int serve(const struct opts *o)
{
	struct quai_server_config *cfg = NULL;
	if (load(&cfg, o) < 0)
		return QUAI_EXIT_USAGE;
	cleanup_free char *bin = quai_binary();
	cleanup_error struct quai_error *err = NULL;
	int rc = quai_server_run(cfg, bin, &err);
	quai_server_config_free(cfg);
	if (rc < 0) {
		quai_cli_error("serve: %s", err->msg);
		return QUAI_EXIT_USAGE;
	}
	return QUAI_EXIT_OK;
}

static int check(const struct opts *o)
{
	struct quai_server_config *cfg = NULL;
	if (load(&cfg, o) < 0)
		return QUAI_EXIT_USAGE;
	printf("%s: ok, %zu project(s)\n", o->config, cfg->nprojects);
	quai_server_config_free(cfg);
	return QUAI_EXIT_OK;
}

static int token_create(const struct opts *o)
{
	const char *role = o->role ? o->role : "read";
	if (strcmp(role, "admin") != 0 && strcmp(role, "read") != 0) {
		quai_cli_error("serve token create: --role must be admin or read, not '%s'", role);
		return QUAI_EXIT_USAGE;
	}
	struct quai_server_config *cfg = NULL;
	if (load(&cfg, o) < 0)
		return QUAI_EXIT_USAGE;
	unsigned char raw[24];
	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		quai_server_config_free(cfg);
		quai_cli_error("serve token create: no random bytes from the kernel");
		return QUAI_EXIT_USAGE;
	}
	char token[5 + 2 * sizeof(raw) + 1] = "quai_";
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(token + 5 + 2 * i, 3, "%02x", raw[i]);
	char hex[65];
	quai_forge_sha256_hex(token, strlen(token), hex);
	cleanup_free char *db = xasprintf("%s/quai.db", cfg->data_dir);
	mkdir(cfg->data_dir, 0750);
	struct quai_store *store = NULL;
	cleanup_error struct quai_error *err = NULL;
	int rc = quai_store_open(&store, db, &err);
	if (rc == 0)
		rc = quai_store_token_add(store, o->name ? o->name : role, hex, role, &err);
	quai_store_close(store);
	quai_server_config_free(cfg);
	if (rc < 0) {
		quai_cli_error("serve token create: %s", err->msg);
		return QUAI_EXIT_USAGE;
	}
	printf("%s\n", token);
	return QUAI_EXIT_OK;
}

static int hook_script(const struct opts *o)
{
	if (!o->server || !o->project || !o->secret_file) {
		quai_cli_error(
		    "serve hook-script: needs --server URL, --project NAME and --secret-file FILE");
		return QUAI_EXIT_USAGE;
	}
	struct quai_buf b = QUAI_BUF_INIT;
	quai_forge_post_receive_script(&b, o->server, o->project, o->secret_file);
	fputs(quai_buf_str(&b), stdout);
	quai_buf_release(&b);
	return QUAI_EXIT_OK;
}

/* One option into o; -1 for an unknown one. */
static int take(int c, struct opts *o)
{
	switch (c) {
	case 'c':
		o->config = optarg;
		return 0;
	case OPT_ROLE:
		o->role = optarg;
		return 0;
	case OPT_NAME:
		o->name = optarg;
		return 0;
	case OPT_SERVER:
		o->server = optarg;
		return 0;
	case OPT_PROJECT:
		o->project = optarg;
		return 0;
	case OPT_SECRET_FILE:
		o->secret_file = optarg;
		return 0;
	default:
		return -1;
	}
}

int cmd_serve(int argc, char **argv)
{
	struct opts o = {.config = DEFAULT_CONFIG};
	int c;
	/* options before the subcommand ("+": stop at it), then after it */
	while ((c = getopt_long(argc, argv, "+c:h", long_opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(cmd_serve_usage, stdout);
			return QUAI_EXIT_OK;
		}
		if (take(c, &o) < 0) {
			fputs(cmd_serve_usage, stderr);
			return QUAI_EXIT_USAGE;
		}
	}
	const char *sub = optind < argc ? argv[optind++] : NULL;
	if (sub && strcmp(sub, "token") == 0) {
		const char *what = optind < argc ? argv[optind++] : NULL;
		if (!what || strcmp(what, "create") != 0) {
			quai_cli_error("serve token: expected 'create'");
			return QUAI_EXIT_USAGE;
		}
	}
	while ((c = getopt_long(argc, argv, "c:", long_opts, NULL)) != -1) {
		if (take(c, &o) < 0) {
			fputs(cmd_serve_usage, stderr);
			return QUAI_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		quai_cli_error("serve: unexpected argument '%s'", argv[optind]);
		return QUAI_EXIT_USAGE;
	}
	if (!sub)
		return serve(&o);
	if (strcmp(sub, "check") == 0)
		return check(&o);
	if (strcmp(sub, "token") == 0)
		return token_create(&o);
	if (strcmp(sub, "hook-script") == 0)
		return hook_script(&o);
	quai_cli_error("serve: unknown subcommand '%s': use check, token create or hook-script", sub);
	return QUAI_EXIT_USAGE;
}

const char cmd_token_usage[] = "usage: quai token create [--config FILE] [--role admin|read] [--name NAME]\n"
                               "\n"
                               "The same as 'quai serve token create': stores a new API token for the\n"
                               "server of FILE (hashed, in its data_dir) and prints it once.\n";

int cmd_token(int argc, char **argv)
{
	/* "token ARGS" is "serve token ARGS" */
	char serve_name[] = "serve";
	char **args = xcalloc((size_t)argc + 2, sizeof(char *));
	args[0] = serve_name;
	for (int i = 0; i < argc; i++)
		args[i + 1] = argv[i];
	int rc = cmd_serve(argc + 1, args);
	free(args);
	return rc;
}
