/* quai build: lints the Dockerfile, sends the context to the engine as a
 * tar stream, shows the build as it goes and reports the image. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "context/context.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "engine/engine.h"
#include "lint/lint.h"
#include "core/banned.h"

#define DOCKERFILE_MAX_BYTES (64u << 20)
#define CONTEXT_MAX_BYTES    ((uint64_t)8 << 30)
#define STEP_OUTPUT_MAX      (64u << 10) /* output kept per step, to show when it fails */
#define GIT_FILE_MAX         (1u << 20)

const char cmd_build_usage[] = "usage: quai build [OPTIONS] DIR\n"
                               "\n"
                               "Lints DIR's Dockerfile, then builds it with the Docker engine (DOCKER_HOST,\n"
                               "DOCKER_TLS_VERIFY, DOCKER_CERT_PATH as for docker), sending DIR as the\n"
                               "build context minus what .dockerignore excludes.\n"
                               "\n"
                               "Options:\n"
                               "  -t, --tag NAME:TAG       name the image (repeatable)\n"
                               "  -f, --file FILE          the Dockerfile (default: DIR/Dockerfile)\n"
                               "      --build-arg K=V      set a build argument (repeatable)\n"
                               "      --target STAGE       build up to this stage\n"
                               "      --label K=V          add a label (repeatable)\n"
                               "      --no-cache           do not use the build cache\n"
                               "      --pull               pull newer base images\n"
                               "      --no-lint            build even when the linter finds errors\n"
                               "      --log FILE           write the whole build output to FILE\n"
                               "      --max-context SIZE   refuse a context larger than SIZE bytes\n"
                               "                           (suffix K, M or G; default 8G; 0: no limit)\n"
                               "      --iidfile FILE       write the image ID to FILE\n"
                               "  -h, --help               show this help\n"
                               "\n"
                               "The image gets the OCI labels org.opencontainers.image.created, .revision\n"
                               "(git HEAD) and .source (the git remote) unless they are set. The engine's\n"
                               "classic builder is used: Dockerfile heredocs (RUN <<EOF) are refused.\n"
                               "\n"
                               "Exit status: 0 built, 1 lint errors or a failing step, 2 usage or\n"
                               "environment error.\n";

struct build_opts {
	const char *dir, *file, *target, *log, *iidfile;
	char **owned; /* strings made here for args and labels */
	size_t nowned, owned_cap;
	bool no_cache, pull, no_lint;
	uint64_t max_context;
	const char **tags, **args, **labels;
	size_t ntags, tags_cap, nargs, args_cap, nlabels, labels_cap;
};

enum {
	OPT_BUILD_ARG = 256,
	OPT_TARGET,
	OPT_LABEL,
	OPT_NO_CACHE,
	OPT_PULL,
	OPT_NO_LINT,
	OPT_LOG,
	OPT_MAX_CONTEXT,
	OPT_IIDFILE
};

static const struct option long_opts[] = {
    {"tag", required_argument, NULL, 't'},
    {"file", required_argument, NULL, 'f'},
    {"build-arg", required_argument, NULL, OPT_BUILD_ARG},
    {"target", required_argument, NULL, OPT_TARGET},
    {"label", required_argument, NULL, OPT_LABEL},
    {"no-cache", no_argument, NULL, OPT_NO_CACHE},
    {"pull", no_argument, NULL, OPT_PULL},
    {"no-lint", no_argument, NULL, OPT_NO_LINT},
    {"log", required_argument, NULL, OPT_LOG},
    {"max-context", required_argument, NULL, OPT_MAX_CONTEXT},
    {"iidfile", required_argument, NULL, OPT_IIDFILE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Appends s to a NULL-terminated list. */
static void push(const char ***list, size_t *n, size_t *cap, const char *s)
{
	*list = xgrow(*list, cap, *n + 2, sizeof(**list));
	(*list)[(*n)++] = s;
	(*list)[*n] = NULL;
}

static int need_kv(const char *opt, const char *v)
{
	if (strchr(v, '=') && v[0] != '=')
		return 0;
	quai_cli_error("%s '%s': expected KEY=VALUE", opt, v);
	return -1;
}

static const char *own(struct build_opts *o, char *s)
{
	o->owned = xgrow(o->owned, &o->owned_cap, o->nowned + 1, sizeof(*o->owned));
	o->owned[o->nowned++] = s;
	return s;
}

/* K=V, or K alone for the value of the variable K (skipped when unset), as docker does. */
static void build_arg(struct build_opts *o, const char *arg)
{
	const char *v = strchr(arg, '=') ? NULL : getenv(arg);
	if (!strchr(arg, '=') && !v)
		return;
	push(&o->args, &o->nargs, &o->args_cap, v ? own(o, xasprintf("%s=%s", arg, v)) : arg);
}

/* "123", "10K", "5M", "8G" (powers of 1024) into *out; -1 if malformed. */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	unsigned long long n = strtoull(s, &end, 10);
	unsigned shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (errno || *end || (shift && n > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)n << shift;
	return 0;
}

/* Returns -1 to go on, else the exit status. */
static int parse_opts(struct build_opts *o, int argc, char **argv)
{
	int c;
	o->max_context = CONTEXT_MAX_BYTES;
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:f:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 't':
			push(&o->tags, &o->ntags, &o->tags_cap, optarg);
			break;
		case 'f':
			o->file = optarg;
			break;
		case OPT_BUILD_ARG:
			build_arg(o, optarg);
			break;
		case OPT_LABEL:
			if (need_kv("--label", optarg) < 0)
				return QUAI_EXIT_USAGE;
			push(&o->labels, &o->nlabels, &o->labels_cap, optarg);
			break;
		case OPT_TARGET:
			o->target = optarg;
			break;
		case OPT_NO_CACHE:
			o->no_cache = true;
			break;
		case OPT_PULL:
			o->pull = true;
			break;
		case OPT_NO_LINT:
			o->no_lint = true;
			break;
		case OPT_LOG:
			o->log = optarg;
			break;
		case OPT_IIDFILE:
			o->iidfile = optarg;
			break;
		case OPT_MAX_CONTEXT:
			if (parse_size(optarg, &o->max_context) < 0) {
				quai_cli_error("--max-context: '%s' is not a size (like 500M)", optarg);
				return QUAI_EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(cmd_build_usage, stdout);
			return QUAI_EXIT_OK;
		default:
			fputs("see 'quai build --help'\n", stderr);
			return QUAI_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		quai_cli_error("build takes one directory; see 'quai build --help'");
		return QUAI_EXIT_USAGE;
	}
	o->dir = argv[optind];
	return -1;
}

/* Lints the Dockerfile: prints the findings, fails on error-level ones and
 * on heredocs, which the classic builder cannot build. */
static int lint(const struct build_opts *o, const char *path, struct quai_error **err)
{
	cleanup_free char *src = NULL;
	size_t len;
	if (quai_file_read(&src, &len, path, DOCKERFILE_MAX_BYTES, err) < 0)
		return -1;
	struct quai_dockerfile df;
	quai_dockerfile_parse(&df, path, src, len);
	int rc = 0;
	for (size_t i = 0; i < df.ninstrs && rc == 0; i++) {
		const struct quai_df_instr *in = &df.instrs[i];
		if (in->nheredocs || (in->onbuild && in->onbuild->nheredocs))
			rc = quai_error_set(
			    err, QUAI_EXIT_FINDINGS,
			    "%s:%u: a heredoc (%s <<...) needs BuildKit, and quai builds with the "
			    "engine's classic builder: use RUN with && or COPY a script",
			    path, in->pos.line, in->keyword);
	}
	if (rc == 0 && !o->no_lint) {
		struct quai_lint_config cfg;
		struct quai_findings f = {0};
		quai_lint_config_init(&cfg);
		rc = quai_lint_config_discover(&cfg, NULL, err);
		if (rc == 0) {
			quai_lint_dockerfile(&f, &df, &cfg);
			quai_findings_sort(&f);
			const struct quai_dockerfile *srcs[] = {&df};
			quai_lint_write(stderr, QUAI_FORMAT_TTY, &f, false, srcs, 1);
			size_t nerr = 0;
			for (size_t i = 0; i < f.len; i++)
				nerr += f.items[i].level == QUAI_LEVEL_ERROR;
			if (nerr)
				rc = quai_error_set(
				    err, QUAI_EXIT_FINDINGS,
				    "'%s' has %zu lint error%s: fix %s or build with --no-lint", path, nerr,
				    nerr == 1 ? "" : "s", nerr == 1 ? "it" : "them");
		}
		quai_findings_release(&f);
		quai_lint_config_release(&cfg);
	}
	quai_dockerfile_release(&df);
	return rc;
}

/* ---- OCI labels from git, read from .git without running git ---- */

static char *find_git_dir(const char *dir)
{
	char *abs = realpath(dir, NULL);
	while (abs) {
		char *git = xasprintf("%s/.git", abs);
		struct stat st;
		if (stat(git, &st) == 0 && S_ISDIR(st.st_mode)) {
			free(abs);
			return git;
		}
		free(git);
		char *slash = strrchr(abs, '/');
		if (!slash || slash == abs)
			break;
		*slash = '\0';
	}
	free(abs);
	return NULL;
}

static char *read_trimmed(const char *path)
{
	char *s = NULL;
	size_t len;
	if (quai_file_read(&s, &len, path, GIT_FILE_MAX, NULL) < 0)
		return NULL;
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
		s[--len] = '\0';
	return s;
}

static char *git_revision(const char *git)
{
	cleanup_free char *head_path = xasprintf("%s/HEAD", git);
	cleanup_free char *head = read_trimmed(head_path);
	if (!head)
		return NULL;
	if (strncmp(head, "ref: ", 5) != 0)
		return strlen(head) == 40 ? xstrdup(head) : NULL;
	const char *ref = head + 5;
	cleanup_free char *ref_path = xasprintf("%s/%s", git, ref);
	char *rev = read_trimmed(ref_path);
	if (rev)
		return rev;
	cleanup_free char *packed_path = xasprintf("%s/packed-refs", git);
	cleanup_free char *packed = read_trimmed(packed_path);
	for (char *line = packed; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strlen(line) > 41 && line[40] == ' ' && strcmp(line + 41, ref) == 0)
			return xstrndup(line, 40);
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static char *git_remote(const char *git)
{
	cleanup_free char *cfg_path = xasprintf("%s/config", git);
	cleanup_free char *cfg = read_trimmed(cfg_path);
	bool in_origin = false;
	for (char *line = cfg; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		line += strspn(line, " \t");
		if (*line == '[')
			in_origin = strcmp(line, "[remote \"origin\"]") == 0;
		else if (in_origin && strncmp(line, "url", 3) == 0) {
			const char *v = line + 3 + strspn(line + 3, " \t");
			if (*v == '=')
				return xstrdup(v + 1 + strspn(v + 1, " \t"));
		}
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static bool has_label(const struct build_opts *o, const char *key)
{
	size_t n = strlen(key);
	for (size_t i = 0; i < o->nlabels; i++)
		if (strncmp(o->labels[i], key, n) == 0 && o->labels[i][n] == '=')
			return true;
	return false;
}

/* Adds the OCI labels not given. */
static void oci_labels(struct build_opts *o)
{
	char created[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cleanup_free char *git = find_git_dir(o->dir);
	cleanup_free char *rev = git ? git_revision(git) : NULL;
	cleanup_free char *remote = git ? git_remote(git) : NULL;
	const char *keys[] = {"org.opencontainers.image.created", "org.opencontainers.image.revision",
	                      "org.opencontainers.image.source"};
	const char *vals[] = {created, rev, remote};
	for (size_t i = 0; i < 3; i++) {
		if (!vals[i] || has_label(o, keys[i]))
			continue;
		push(&o->labels, &o->nlabels, &o->labels_cap, own(o, xasprintf("%s=%s", keys[i], vals[i])));
	}
}

/* ---- the build's output ---- */

struct view {
	bool tty;
	FILE *log;
	struct quai_buf line;   /* the current, incomplete line */
	struct quai_buf step;   /* the current step's title */
	struct quai_buf output; /* the current step's output (capped at its tail) */
	struct timespec start, step_start, drawn;
	bool status_shown;
};

static double since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void keep_output(struct view *v, const char *line)
{
	size_t n = strlen(line);
	if (v->output.len + n + 1 > STEP_OUTPUT_MAX) {
		size_t drop = v->output.len + n + 1 - STEP_OUTPUT_MAX;
		if (drop > v->output.len)
			drop = v->output.len;
		memmove(v->output.data, v->output.data + drop, v->output.len - drop);
		quai_buf_truncate(&v->output, v->output.len - drop);
	}
	quai_buf_puts(&v->output, line);
	quai_buf_putc(&v->output, '\n');
}

/* Columns of the terminal on stderr, 80 when it does not say. */
static int term_width(void)
{
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

/* Bytes of the first `cols` characters of UTF-8 text s (n bytes). */
static size_t utf8_prefix(const char *s, size_t n, int cols)
{
	size_t i = 0;
	for (int c = 0; i < n && c < cols; c++) {
		i++;
		while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
	}
	return i;
}

/* The one status line of a terminal: the whole build's elapsed time, the
 * current step, the time spent in it; cut to the terminal's width. */
static void show_status(struct view *v)
{
	char total[32], step[32];
	snprintf(total, sizeof(total), "[%6.1fs] ", since(&v->start));
	snprintf(step, sizeof(step), " (%.1fs)", since(&v->step_start));
	const char *title = v->step.len ? quai_buf_str(&v->step) : "sending the build context";
	size_t tlen = strlen(title);
	int room = term_width() - 1 - (int)strlen(total) - (int)strlen(step);
	size_t cut = utf8_prefix(title, tlen, room);
	if (cut < tlen)
		cut = utf8_prefix(title, tlen, room > 3 ? room - 3 : 0);
	fprintf(stderr, "\r\033[K%s%.*s%s%s", total, (int)cut, title, cut < tlen ? "..." : "", step);
	fflush(stderr);
	v->status_shown = true;
	clock_gettime(CLOCK_MONOTONIC, &v->drawn);
}

/* The status line again, at most ten times a second. */
static void refresh_status(struct view *v)
{
	if (!v->status_shown || since(&v->drawn) >= 0.1)
		show_status(v);
}

static void view_line(struct view *v, const char *line)
{
	if (v->log)
		fprintf(v->log, "%s\n", line);
	bool is_step = strncmp(line, "Step ", 5) == 0 && strstr(line, " : ");
	if (is_step) {
		quai_buf_truncate(&v->step, 0);
		quai_buf_puts(&v->step, line);
		quai_buf_truncate(&v->output, 0);
		clock_gettime(CLOCK_MONOTONIC, &v->step_start);
	} else {
		keep_output(v, line);
	}
	if (v->tty) {
		if (is_step)
			show_status(v);
		else
			refresh_status(v);
	} else {
		printf("%s\n", line);
		fflush(stdout);
	}
}

static int on_output(void *arg, const char *text, struct quai_error **err)
{
	struct view *v = arg;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (v->line.len + n < STEP_OUTPUT_MAX)
			quai_buf_add(&v->line, p, n);
		if (!nl)
			break;
		view_line(v, quai_buf_str(&v->line));
		quai_buf_truncate(&v->line, 0);
		p = nl + 1;
	}
	return 0;
}

static void view_end(struct view *v)
{
	if (v->line.len) {
		view_line(v, quai_buf_str(&v->line));
		quai_buf_truncate(&v->line, 0);
	}
	if (v->status_shown)
		fputs("\r\033[K", stderr);
}

static void on_tick(void *arg)
{
	struct view *v = arg;
	if (v->tty)
		refresh_status(v);
}

static ssize_t context_read(void *arg, char *buf, size_t n, struct quai_error **err)
{
	return quai_context_read(arg, buf, n, err);
}

static int write_iidfile(const char *path, const char *id, struct quai_error **err)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return quai_error_errno(err, errno, "open '%s'", path);
	fputs(id, f);
	if (fclose(f) != 0)
		return quai_error_errno(err, errno, "write '%s'", path);
	return 0;
}

static int build(struct build_opts *o, struct view *v, struct quai_error **err)
{
	cleanup_free char *dockerfile = o->file ? xstrdup(o->file) : xasprintf("%s/Dockerfile", o->dir);
	if (lint(o, dockerfile, err) < 0)
		return -1;
	oci_labels(o);
	struct quai_engine *e = NULL;
	struct quai_context *ctx = NULL;
	int rc = quai_engine_open(&e, err);
	if (rc == 0)
		rc = quai_context_open(&ctx, o->dir, o->file, o->max_context, err);
	struct quai_engine_body body = {context_read, ctx};
	struct quai_engine_build b = {
	    .tags = o->tags,
	    .build_args = o->args,
	    .labels = o->labels,
	    .target = o->target,
	    .no_cache = o->no_cache,
	    .pull = o->pull,
	    .context = &body,
	    .on_output = on_output,
	    .on_tick = on_tick,
	    .arg = v,
	};
	cleanup_free char *id = NULL;
	if (rc == 0) {
		b.dockerfile = quai_context_dockerfile_name(ctx);
		rc = quai_engine_image_build(e, &id, &b, err);
		view_end(v);
	}
	if (rc < 0 && v->step.len) {
		/* say which step failed, with its output when it was not shown */
		fprintf(stderr, "quai: failed at %s\n", quai_buf_str(&v->step));
		if (v->tty && v->output.len)
			fputs(quai_buf_str(&v->output), stderr);
	}
	if (rc == 0 && o->iidfile)
		rc = write_iidfile(o->iidfile, id, err);
	json_t *info = NULL;
	if (rc == 0 && quai_engine_image_inspect(e, &info, id, NULL) == 0) {
		double mb = (double)json_integer_value(json_object_get(info, "Size")) / 1e6;
		printf("built %s (%.1f MB) in %.1fs\n", id, mb, since(&v->start));
		for (size_t i = 0; i < o->ntags; i++)
			printf("tagged %s\n", o->tags[i]);
	} else if (rc == 0) {
		printf("built %s\n", id);
	}
	json_decref(info);
	quai_context_free(ctx);
	quai_engine_free(e);
	return rc;
}

static int run(struct build_opts *o)
{
	struct view v = {.tty = isatty(STDERR_FILENO) && isatty(STDOUT_FILENO) && !getenv("NO_COLOR")};
	clock_gettime(CLOCK_MONOTONIC, &v.start);
	v.step_start = v.start;
	cleanup_error struct quai_error *err = NULL;
	if (o->log && !(v.log = fopen(o->log, "w"))) {
		quai_cli_error("open '%s': %s", o->log, strerror(errno));
		return QUAI_EXIT_USAGE;
	}
	int status = QUAI_EXIT_OK;
	if (build(o, &v, &err) < 0) {
		quai_cli_error("build '%s': %s", o->dir, err ? err->msg : "failed");
		status = err ? err->status : QUAI_EXIT_USAGE;
	}
	if (v.log)
		fclose(v.log);
	quai_buf_release(&v.line);
	quai_buf_release(&v.step);
	quai_buf_release(&v.output);
	return status;
}

int cmd_build(int argc, char **argv)
{
	struct build_opts o = {0};
	int status = parse_opts(&o, argc, argv);
	if (status < 0)
		status = run(&o);
	for (size_t i = 0; i < o.nowned; i++)
		free(o.owned[i]);
	free(o.owned);
	free(o.tags);
	free(o.args);
	free(o.labels);
	return status;
}
