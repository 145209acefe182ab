/* quai hook: git hooks that lint what a push or a commit brings, and their
 * installation. Everything is written to standard error, which git shows to
 * the pusher as `remote: ...` lines. */
#include <errno.h>
#include <getopt.h>
#include <git2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "hook/hook.h"
#include "lint/lint.h"
#include "core/banned.h"

const char cmd_hook_usage[] =
    "usage: quai hook pre-receive [OPTIONS]\n"
    "       quai hook pre-commit [OPTIONS]\n"
    "       quai hook install [--pre-receive|--pre-commit] [--force] [REPO]\n"
    "       quai hook install --post-receive --server URL --project NAME --secret-file FILE [REPO]\n"
    "       quai hook post-receive --server URL --project NAME --secret-file FILE\n"
    "\n"
    "pre-receive (in a bare repository, as git runs it) lints the Dockerfiles and\n"
    "compose files that the pushed commits add or change, as each pushed tip has\n"
    "them, read from git's objects without a checkout, and rejects the push when\n"
    "a finding reaches the failure threshold. New branches and tags are checked\n"
    "for the commits no existing ref has; deleted refs are skipped. pre-commit\n"
    "lints the staged Dockerfiles and compose files. install writes the hook\n"
    "script into REPO (default: the current repository; pre-receive for a bare\n"
    "one, else pre-commit), keeping a hook quai did not write unless --force.\n"
    "post-receive tells the quai server at URL about every pushed ref (POST\n"
    "/hooks/NAME in quai's signed form, the HMAC key read from FILE at each\n"
    "push), so that a plain bare repository starts pipelines; install\n"
    "--post-receive writes that hook.\n"
    "\n"
    "Options:\n"
    "  -t, --failure-threshold LVL  reject on findings at LVL or above: error\n"
    "                               (default; git config quai.failureThreshold),\n"
    "                               warning, info, style, none\n"
    "  -c, --config FILE            lint configuration (else as 'quai lint' finds it)\n"
    "      --ignore CODE            do not report CODE (repeatable)\n"
    "  -f, --format FORMAT          tty (default), json, sarif, checkstyle,\n"
    "                               gitlab_codeclimate, gnu\n"
    "      --fail-open              accept the push when the hook itself fails (default)\n"
    "      --fail-closed            reject it instead; also git config quai.hookFailure\n"
    "                               or QUAI_HOOK_FAILURE=open|closed\n"
    "      --server URL             post-receive: the quai server (http or https)\n"
    "      --project NAME           post-receive: the project in the server's config\n"
    "      --secret-file FILE       post-receive: the project's webhook secret\n"
    "  -h, --help                   show this help\n"
    "\n"
    "Exit status: 0 accept, 1 reject, 2 usage error.\n";

enum failure_mode { FAIL_UNSET = -1, FAIL_OPEN, FAIL_CLOSED };

struct hook_opts {
	const char *config;
	int threshold; /* -1: not given */
	int format;    /* -1: not given */
	enum failure_mode failure;
	const char **ignores;
	size_t nignores, ignores_cap;
	bool pre_receive, pre_commit, post_receive, force;
	const char *server, *project, *secret_file;
};

enum {
	OPT_IGNORE = 256,
	OPT_FAIL_OPEN,
	OPT_FAIL_CLOSED,
	OPT_PRE_RECEIVE,
	OPT_PRE_COMMIT,
	OPT_POST_RECEIVE,
	OPT_FORCE,
	OPT_SERVER,
	OPT_PROJECT,
	OPT_SECRET_FILE,
};

static const struct option long_opts[] = {
    {"failure-threshold", required_argument, NULL, 't'},
    {"config", required_argument, NULL, 'c'},
    {"format", required_argument, NULL, 'f'},
    {"ignore", required_argument, NULL, OPT_IGNORE},
    {"fail-open", no_argument, NULL, OPT_FAIL_OPEN},
    {"fail-closed", no_argument, NULL, OPT_FAIL_CLOSED},
    {"pre-receive", no_argument, NULL, OPT_PRE_RECEIVE},
    {"pre-commit", no_argument, NULL, OPT_PRE_COMMIT},
    {"post-receive", no_argument, NULL, OPT_POST_RECEIVE},
    {"force", no_argument, NULL, OPT_FORCE},
    {"server", required_argument, NULL, OPT_SERVER},
    {"project", required_argument, NULL, OPT_PROJECT},
    {"secret-file", required_argument, NULL, OPT_SECRET_FILE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Returns -1 to go on, else the exit status. */
static int parse_opts(struct hook_opts *o, int argc, char **argv)
{
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":t:c:f:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 't':
			o->threshold = quai_lint_level_parse(optarg);
			if (o->threshold < 0) {
				quai_cli_error("unknown failure threshold '%s' (use error, warning, info, "
				               "style or none)",
				               optarg);
				return QUAI_EXIT_USAGE;
			}
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'f':
			o->format = quai_lint_format_parse(optarg);
			if (o->format < 0) {
				quai_cli_error("unknown format '%s'; see 'quai hook --help'", optarg);
				return QUAI_EXIT_USAGE;
			}
			break;
		case OPT_IGNORE:
			o->ignores = xgrow(o->ignores, &o->ignores_cap, o->nignores + 1, sizeof(*o->ignores));
			o->ignores[o->nignores++] = optarg;
			break;
		case OPT_FAIL_OPEN:
		case OPT_FAIL_CLOSED:
			o->failure = c == OPT_FAIL_OPEN ? FAIL_OPEN : FAIL_CLOSED;
			break;
		case OPT_PRE_RECEIVE:
			o->pre_receive = true;
			break;
		case OPT_PRE_COMMIT:
			o->pre_commit = true;
			break;
		case OPT_POST_RECEIVE:
			o->post_receive = true;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case OPT_SERVER:
			o->server = optarg;
			break;
		case OPT_PROJECT:
			o->project = optarg;
			break;
		case OPT_SECRET_FILE:
			o->secret_file = optarg;
			break;
		case 'h':
			fputs(cmd_hook_usage, stdout);
			return QUAI_EXIT_OK;
		case ':':
			quai_cli_error("option '%s' needs a value; see 'quai hook --help'", argv[optind - 1]);
			return QUAI_EXIT_USAGE;
		default:
			quai_cli_error("unknown option '%s'; see 'quai hook --help'", argv[optind - 1]);
			return QUAI_EXIT_USAGE;
		}
	}
	return -1;
}

/* Opens the repository git runs the hook in (GIT_DIR, the quarantine's
 * object directories, GIT_INDEX_FILE), else the one holding path. */
static int open_repo(git_repository **repo, const char *path, struct quai_error **err)
{
	if (!path && git_repository_open_ext(repo, NULL, GIT_REPOSITORY_OPEN_FROM_ENV, NULL) == 0)
		return 0;
	if (git_repository_open_ext(repo, path ? path : ".", 0, NULL) == 0)
		return 0;
	const git_error *e = git_error_last();
	return quai_error_set(err, QUAI_EXIT_USAGE, "'%s' is not a git repository: %s", path ? path : ".",
	                      e && e->message ? e->message : "not found");
}

static void git_config_str(git_repository *repo, const char *key, char *out, size_t size)
{
	git_config *cfg = NULL;
	git_buf buf = {0};
	out[0] = '\0';
	if (repo && git_repository_config_snapshot(&cfg, repo) == 0 &&
	    git_config_get_string_buf(&buf, cfg, key) == 0)
		snprintf(out, size, "%s", buf.ptr);
	git_buf_dispose(&buf);
	git_config_free(cfg);
}

/* --fail-*, else QUAI_HOOK_FAILURE, else git config quai.hookFailure, else
 * open. A value that is neither is said, and taken as closed: whoever set
 * it wanted something other than the default. */
static enum failure_mode failure_mode(const struct hook_opts *o, git_repository *repo)
{
	if (o->failure != FAIL_UNSET)
		return o->failure;
	char conf[64];
	const char *v = getenv("QUAI_HOOK_FAILURE");
	const char *from = "QUAI_HOOK_FAILURE";
	if (!v || !*v) {
		git_config_str(repo, "quai.hookFailure", conf, sizeof(conf));
		v = conf;
		from = "quai.hookFailure";
	}
	if (!*v || strcasecmp(v, "open") == 0)
		return FAIL_OPEN;
	if (strcasecmp(v, "closed") == 0)
		return FAIL_CLOSED;
	quai_cli_error("%s is '%s', neither 'open' nor 'closed': failing closed", from, v);
	return FAIL_CLOSED;
}

/* The hook could not do its job: say so, loudly, and decide as configured. */
static int own_failure(const char *what, const char *msg, enum failure_mode mode)
{
	quai_cli_error("the %s hook failed: %s", what, msg);
	if (mode == FAIL_CLOSED) {
		quai_cli_error("REJECTED because the hook could not check it (quai.hookFailure=closed)");
		return QUAI_EXIT_FINDINGS;
	}
	quai_cli_error(
	    "WARNING: ACCEPTED WITHOUT BEING CHECKED (quai.hookFailure=open; set it to 'closed' to "
	    "reject instead)");
	return QUAI_EXIT_OK;
}

static int build_config(struct quai_lint_config *cfg, const struct hook_opts *o, git_repository *repo,
                        struct quai_error **err)
{
	quai_lint_config_init(cfg);
	if (quai_lint_config_discover(cfg, o->config, err) < 0)
		return -1;
	for (size_t i = 0; i < o->nignores; i++)
		quai_lint_config_add_ignore(cfg, o->ignores[i]);
	char conf[64];
	git_config_str(repo, "quai.failureThreshold", conf, sizeof(conf));
	int level = o->threshold >= 0 ? o->threshold : *conf ? quai_lint_level_parse(conf) : QUAI_LEVEL_ERROR;
	if (level < 0)
		return quai_error_set(err, QUAI_EXIT_USAGE, "quai.failureThreshold '%s' is not a level",
		                      conf);
	cfg->failure_threshold = (enum quai_lint_level)level;
	if (o->format >= 0)
		cfg->format = o->format;
	cfg->no_fail = false;
	return 0;
}

static int run_check(const struct hook_opts *o, bool receive)
{
	const char *what = receive ? "pre-receive" : "pre-commit";
	const char *subject = receive ? "push" : "commit";
	git_repository *repo = NULL;
	struct quai_lint_config cfg;
	struct quai_findings findings = {0};
	struct quai_hook_stats stats = {0};
	cleanup_error struct quai_error *err = NULL;
	int status;

	git_libgit2_init();
	int rc = open_repo(&repo, NULL, &err);
	enum failure_mode mode = failure_mode(o, repo);
	quai_lint_config_init(&cfg);
	if (rc == 0) {
		quai_lint_config_release(&cfg);
		rc = build_config(&cfg, o, repo, &err);
	}
	if (rc == 0)
		rc = receive ? quai_hook_pre_receive(&findings, &stats, repo, stdin, &cfg, &err)
		             : quai_hook_pre_commit(&findings, &stats, repo, &cfg, &err);
	if (rc < 0) {
		status = own_failure(what, err->msg, mode);
		goto out;
	}
	quai_findings_sort(&findings);
	enum quai_lint_format format = cfg.format >= 0 ? (enum quai_lint_format)cfg.format : QUAI_FORMAT_TTY;
	fflush(stdout);
	quai_lint_write(stderr, format, &findings, false, NULL, 0);
	bool failed = quai_lint_failed(&findings, &cfg);
	status = failed ? QUAI_EXIT_FINDINGS : QUAI_EXIT_OK;
	if (failed)
		quai_cli_error(
		    "%s rejected: fix the findings at level %s or above in the files it changes (or "
		    "silence one with '# quai ignore=CODE' on the line above it)",
		    subject, quai_lint_level_name(cfg.failure_threshold));
	else if (stats.files > 0)
		quai_cli_error("checked %zu file%s%s: %s accepted", stats.files, stats.files == 1 ? "" : "s",
		               findings.len ? " (findings below the threshold)" : "", subject);
out:
	quai_findings_release(&findings);
	quai_lint_config_release(&cfg);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return status;
}

static int run_post_receive(const struct hook_opts *o, int nargs)
{
	if (nargs || !o->server || !o->project || !o->secret_file) {
		quai_cli_error("usage: quai hook post-receive --server URL --project NAME --secret-file FILE");
		return QUAI_EXIT_USAGE;
	}
	cleanup_error struct quai_error *err = NULL;
	if (quai_hook_post_receive(stdin, o->server, o->project, o->secret_file, &err) < 0) {
		/* the push has happened: say why the server was not told, exit 0 */
		quai_cli_error("post-receive: %s; no pipeline starts for this push", err->msg);
	}
	return QUAI_EXIT_OK;
}

static int run_install(const struct hook_opts *o, int argc, char **argv)
{
	if (argc > 1 || o->pre_receive + o->pre_commit + o->post_receive > 1) {
		quai_cli_error("usage: quai hook install [--pre-receive|--pre-commit|--post-receive] [--force] [REPO]");
		return QUAI_EXIT_USAGE;
	}
	if (o->post_receive && (!o->server || !o->project || !o->secret_file)) {
		quai_cli_error("install --post-receive needs --server URL, --project NAME and --secret-file FILE");
		return QUAI_EXIT_USAGE;
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		quai_cli_error("cannot find quai's own path: %s", strerror(errno));
		return QUAI_EXIT_USAGE;
	}
	self[n] = '\0';
	git_libgit2_init();
	git_repository *repo = NULL;
	cleanup_error struct quai_error *err = NULL;
	cleanup_free char *path = NULL;
	int status = QUAI_EXIT_OK;
	if (open_repo(&repo, argc ? argv[0] : ".", &err) < 0) {
		status = err->status;
	} else {
		enum quai_hook_kind kind = o->post_receive                ? QUAI_HOOK_POST_RECEIVE
		                           : o->pre_receive               ? QUAI_HOOK_PRE_RECEIVE
		                           : o->pre_commit                ? QUAI_HOOK_PRE_COMMIT
		                           : git_repository_is_bare(repo) ? QUAI_HOOK_PRE_RECEIVE
		                                                          : QUAI_HOOK_PRE_COMMIT;
		cleanup_free char *secret = o->post_receive ? realpath(o->secret_file, NULL) : NULL;
		const char *args[] = {"--server", o->server, "--project", o->project, "--secret-file", secret, NULL};
		if (o->post_receive && !secret) {
			quai_error_errno(&err, errno, "cannot find '%s'", o->secret_file);
			status = QUAI_EXIT_USAGE;
		} else if (quai_hook_install_args(&path, repo, kind, self, o->post_receive ? args : NULL, o->force,
		                                &err) < 0)
			status = err->status ? err->status : QUAI_EXIT_USAGE;
		else
			printf("installed %s\n", path);
	}
	if (err)
		quai_cli_error("%s", err->msg);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return status;
}

int cmd_hook(int argc, char **argv)
{
	if (argc < 2) {
		quai_cli_error("usage: quai hook pre-receive|pre-commit|install; see 'quai hook --help'");
		return QUAI_EXIT_USAGE;
	}
	const char *sub = argv[1];
	struct hook_opts o = {.threshold = -1, .format = -1, .failure = FAIL_UNSET};
	int rc = parse_opts(&o, argc - 1, argv + 1);
	if (rc < 0) {
		int nargs = argc - 1 - optind;
		char **args = argv + 1 + optind;
		if (strcmp(sub, "pre-receive") == 0 || strcmp(sub, "pre-commit") == 0) {
			rc = nargs ? (quai_cli_error(
			                  "'quai hook %s' takes no arguments (git gives it its input)", sub),
			              QUAI_EXIT_USAGE)
			           : run_check(&o, sub[4] == 'r');
		} else if (strcmp(sub, "post-receive") == 0) {
			rc = run_post_receive(&o, nargs);
		} else if (strcmp(sub, "install") == 0) {
			rc = run_install(&o, nargs, args);
		} else {
			quai_cli_error("unknown hook '%s' (use pre-receive, pre-commit, post-receive or install)",
			               sub);
			rc = QUAI_EXIT_USAGE;
		}
	}
	free(o.ignores);
	return rc;
}
