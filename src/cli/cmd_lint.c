/* quai lint: finds Dockerfiles, lints them with the configuration users
 * already have for hadolint, and prints the findings in the format asked. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "compose/lint.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "lint/lint.h"
#include "core/banned.h"

/* A Dockerfile larger than this is refused (docker's own limit is lower). */
#define DOCKERFILE_MAX_BYTES (64u << 20)
#define WALK_MAX_DEPTH 64

const char cmd_lint_usage[] =
	"usage: quai lint [OPTIONS] [PATH...]\n"
	"\n"
	"Checks Dockerfiles: syntax errors, hadolint's rules and codes, quai's own QU\n"
	"rules; and compose files (QC rules) and quai.yml. PATH is a file, a\n"
	"directory (searched recursively for Dockerfile, Dockerfile.*, *.Dockerfile,\n"
	"*Dockerfile, Containerfile, Containerfile.*, compose.yaml, compose.yml,\n"
	"docker-compose*.yml, quai.yml, skipping hidden directories and node_modules)\n"
	"or - for a Dockerfile on standard input; the default is the current\n"
	"directory. Another *.yml file named is a compose file if it has 'services:'.\n"
	"\n"
	"Options:\n"
	"  -f, --format FORMAT          tty (default), json, sarif, checkstyle,\n"
	"                               gitlab_codeclimate, gnu\n"
	"  -t, --failure-threshold LVL  fail only on findings at LVL or above: error,\n"
	"                               warning, info (default), style, ignore, none\n"
	"      --ignore CODE            do not report CODE (repeatable)\n"
	"      --error CODE             report CODE as an error (also --warning,\n"
	"                               --info, --style; repeatable)\n"
	"  -c, --config FILE            read FILE instead of looking for .hadolint.yaml\n"
	"      --no-fail                exit 0 whatever is found\n"
	"      --no-color               no colour in tty output (also NO_COLOR=1)\n"
	"      --trusted-registry REG   allow FROM images only from REG (repeatable)\n"
	"      --require-label L:TYPE   require label L of TYPE: text, url, hash,\n"
	"                               rfc3339, semver, spdx, email (repeatable)\n"
	"      --strict-labels          allow no labels outside the label schema\n"
	"      --disable-ignore-pragma  do not honour '# hadolint ignore=' comments\n"
	"      --shellcheck             check RUN scripts with shellcheck too\n"
	"      --rules                  list every rule with its severity and exit\n"
	"  -V, --verbose                say which files are linted (on stderr)\n"
	"  -h, --help                   show this help\n"
	"\n"
	"Configuration: --config FILE, else the first of ./.hadolint.yaml,\n"
	"./.hadolint.yml, $XDG_CONFIG_HOME/hadolint.yaml, ~/.config/hadolint.yaml,\n"
	"~/.hadolint.yaml; then the lint: section of ./quai.yml; then HADOLINT_*\n"
	"variables; then these options. Ignore a finding with a comment\n"
	"'# hadolint ignore=DL3008' (or '# quai ignore=') above the instruction.\n"
	"\n"
	"Exit status: 0 no findings at or above the threshold, 1 findings,\n"
	"2 usage or environment error.\n";

static const char searched_names[] = "Dockerfile, Dockerfile.*, *.Dockerfile, *Dockerfile, Containerfile, "
				     "compose.yaml, compose.yml, docker-compose*.yml, quai.yml";

/* Options as given; applied on top of the configuration once it is read. */
struct lint_opts {
	const char *config;
	int format; /* -1 when not given */
	int threshold;
	bool no_fail, no_color, strict_labels, disable_pragma, shellcheck, rules, verbose;
	struct quai_lint_override *levels; /* --error/--warning/--info/--style */
	size_t nlevels, levels_cap;
	const char **ignores, **registries, **labels;
	size_t nignores, ignores_cap, nregistries, registries_cap, nlabels, labels_cap;
};

static void push(const char ***list, size_t *n, size_t *cap, const char *s)
{
	*list = xgrow(*list, cap, *n + 1, sizeof(**list));
	(*list)[(*n)++] = s;
}

static void opts_release(struct lint_opts *o)
{
	free(o->levels);
	free(o->ignores);
	free(o->registries);
	free(o->labels);
}

enum {
	OPT_IGNORE = 256,
	OPT_ERROR,
	OPT_WARNING,
	OPT_INFO,
	OPT_STYLE,
	OPT_NO_FAIL,
	OPT_NO_COLOR,
	OPT_TRUSTED,
	OPT_LABEL,
	OPT_STRICT,
	OPT_NO_PRAGMA,
	OPT_SHELLCHECK,
	OPT_RULES,
};

static const struct option long_opts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "failure-threshold", required_argument, NULL, 't' },
	{ "config", required_argument, NULL, 'c' },
	{ "ignore", required_argument, NULL, OPT_IGNORE },
	{ "error", required_argument, NULL, OPT_ERROR },
	{ "warning", required_argument, NULL, OPT_WARNING },
	{ "info", required_argument, NULL, OPT_INFO },
	{ "style", required_argument, NULL, OPT_STYLE },
	{ "no-fail", no_argument, NULL, OPT_NO_FAIL },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "no-colour", no_argument, NULL, OPT_NO_COLOR },
	{ "trusted-registry", required_argument, NULL, OPT_TRUSTED },
	{ "require-label", required_argument, NULL, OPT_LABEL },
	{ "strict-labels", no_argument, NULL, OPT_STRICT },
	{ "disable-ignore-pragma", no_argument, NULL, OPT_NO_PRAGMA },
	{ "shellcheck", no_argument, NULL, OPT_SHELLCHECK },
	{ "rules", no_argument, NULL, OPT_RULES },
	{ "verbose", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void add_level(struct lint_opts *o, const char *code, enum quai_lint_level level)
{
	o->levels = xgrow(o->levels, &o->levels_cap, o->nlevels + 1, sizeof(*o->levels));
	struct quai_lint_override *l = &o->levels[o->nlevels++];
	memset(l, 0, sizeof(*l));
	snprintf(l->code, sizeof(l->code), "%s", code);
	l->level = level;
}

/* Returns -1 to go on, else the exit status. */
static int parse_opts(struct lint_opts *o, int argc, char **argv)
{
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":f:t:c:Vh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->format = quai_lint_format_parse(optarg);
			if (o->format < 0) {
				quai_cli_error("unknown format '%s' (use tty, json, sarif, checkstyle, "
					       "gitlab_codeclimate or gnu)",
					       optarg);
				return QUAI_EXIT_USAGE;
			}
			break;
		case 't':
			o->threshold = quai_lint_level_parse(optarg);
			if (o->threshold < 0) {
				quai_cli_error("unknown failure threshold '%s' (use error, warning, info, style, "
					       "ignore or none)",
					       optarg);
				return QUAI_EXIT_USAGE;
			}
			break;
		case 'c':
			o->config = optarg;
			break;
		case OPT_IGNORE:
			push(&o->ignores, &o->nignores, &o->ignores_cap, optarg);
			break;
		case OPT_ERROR:
		case OPT_WARNING:
		case OPT_INFO:
		case OPT_STYLE:
			add_level(o, optarg, (enum quai_lint_level)(QUAI_LEVEL_ERROR + (c - OPT_ERROR)));
			break;
		case OPT_NO_FAIL:
			o->no_fail = true;
			break;
		case OPT_NO_COLOR:
			o->no_color = true;
			break;
		case OPT_TRUSTED:
			push(&o->registries, &o->nregistries, &o->registries_cap, optarg);
			break;
		case OPT_LABEL:
			push(&o->labels, &o->nlabels, &o->labels_cap, optarg);
			break;
		case OPT_STRICT:
			o->strict_labels = true;
			break;
		case OPT_NO_PRAGMA:
			o->disable_pragma = true;
			break;
		case OPT_SHELLCHECK:
			o->shellcheck = true;
			break;
		case OPT_RULES:
			o->rules = true;
			break;
		case 'V':
			o->verbose = true;
			break;
		case 'h':
			fputs(cmd_lint_usage, stdout);
			return QUAI_EXIT_OK;
		case ':':
			quai_cli_error("option '%s' needs a value; see 'quai lint --help'", argv[optind - 1]);
			return QUAI_EXIT_USAGE;
		default:
			quai_cli_error("unknown option '%s'; see 'quai lint --help'", argv[optind - 1]);
			return QUAI_EXIT_USAGE;
		}
	}
	return -1;
}

static int apply_opts(struct quai_lint_config *cfg, const struct lint_opts *o, struct quai_error **err)
{
	for (size_t i = 0; i < o->nignores; i++)
		quai_lint_config_add_ignore(cfg, o->ignores[i]);
	for (size_t i = 0; i < o->nlevels; i++)
		quai_lint_config_add_override(cfg, o->levels[i].code, o->levels[i].level);
	for (size_t i = 0; i < o->nregistries; i++)
		quai_lint_config_add_registry(cfg, o->registries[i]);
	for (size_t i = 0; i < o->nlabels; i++)
		if (quai_lint_config_add_label(cfg, o->labels[i], err) < 0)
			return quai_error_wrap(err, "--require-label");
	if (o->threshold >= 0)
		cfg->failure_threshold = (enum quai_lint_level)o->threshold;
	if (o->format >= 0)
		cfg->format = o->format;
	cfg->no_fail |= o->no_fail;
	cfg->no_color |= o->no_color;
	cfg->strict_labels |= o->strict_labels;
	cfg->disable_ignore_pragma |= o->disable_pragma;
	cfg->shellcheck |= o->shellcheck;
	cfg->verbose |= o->verbose;
	return 0;
}

static int cmp_rule(const void *a, const void *b)
{
	return strcmp(((const struct quai_lint_rule_info *)a)->code, ((const struct quai_lint_rule_info *)b)->code);
}

/* Dockerfile and compose rules, in one list sorted by code. */
static int list_rules(void)
{
	size_t n, m;
	const struct quai_lint_rule_info *df = quai_lint_rules(&n), *qc = quai_compose_lint_rules(&m);
	cleanup_free struct quai_lint_rule_info *all = xcalloc(n + m, sizeof(*all));
	memcpy(all, df, n * sizeof(*all));
	memcpy(all + n, qc, m * sizeof(*all));
	qsort(all, n + m, sizeof(*all), cmp_rule);
	for (size_t i = 0; i < n + m; i++)
		printf("%-7s %-8s %s\n", all[i].code, quai_lint_level_name(all[i].level), all[i].summary);
	return QUAI_EXIT_OK;
}

/* ---- Finding Dockerfiles ---- */

struct paths {
	char **items;
	size_t len, cap;
	/* For items of `out` only: a file collect() opened already (-1 if
	 * none) and its size, so that linting it walks its path once. */
	int *fds;
	size_t *sizes;
	size_t fds_cap, sizes_cap, nheld, held_max;
};

/* Files held open between collect() and linting: at most half of the
 * descriptors allowed, and this many; more are opened again. */
#define HELD_FDS_MAX 4096

static void paths_add(struct paths *out, char *path, int fd, size_t size)
{
	out->items = xgrow(out->items, &out->cap, out->len + 1, sizeof(*out->items));
	out->fds = xgrow(out->fds, &out->fds_cap, out->len + 1, sizeof(*out->fds));
	out->sizes = xgrow(out->sizes, &out->sizes_cap, out->len + 1, sizeof(*out->sizes));
	out->items[out->len] = path;
	out->fds[out->len] = fd;
	out->sizes[out->len++] = size;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the Dockerfiles under dir, in sorted order. Subdirectories that
 * cannot be read are skipped; returns -1 (errno set) if dir itself cannot. */
static int walk(struct paths *out, const char *dir, int depth)
{
	if (depth > WALK_MAX_DEPTH)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct paths names = { 0 };
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0')))
			continue;
		unsigned char type = e->d_type;
		bool dirp;
		if (type == DT_DIR) {
			dirp = true;
		} else if (type == DT_REG) {
			dirp = false;
		} else {
			/* A symlink or unknown type: look at it (never follow
			 * a symlinked directory, it may loop). */
			if (type != DT_LNK && type != DT_UNKNOWN)
				continue;
			cleanup_free char *p = xasprintf("%s/%s", dir, n);
			struct stat st, lst;
			if (stat(p, &st) != 0)
				continue;
			if (S_ISDIR(st.st_mode) && lstat(p, &lst) == 0 && S_ISLNK(lst.st_mode))
				continue;
			if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
				continue;
			dirp = S_ISDIR(st.st_mode);
		}
		if (dirp ? (n[0] == '.' || strcmp(n, "node_modules") == 0) : quai_lint_kind_by_name(n) == QUAI_LINT_KIND_OTHER)
			continue;
		/* Mark directories with a trailing '/' so one sort orders both. */
		names.items = xgrow(names.items, &names.cap, names.len + 1, sizeof(*names.items));
		names.items[names.len++] = dirp ? xasprintf("%s/", n) : xstrdup(n);
	}
	closedir(d);
	if (names.len > 1)
		qsort(names.items, names.len, sizeof(*names.items), cmp_str);
	bool root = strcmp(dir, ".") == 0;
	for (size_t i = 0; i < names.len; i++) {
		char *n = names.items[i];
		size_t len = strlen(n);
		bool dirp = n[len - 1] == '/';
		if (dirp)
			n[len - 1] = '\0';
		char *p = root ? xstrdup(n) : ends_with(dir, "/") ? xasprintf("%s%s", dir, n) : xasprintf("%s/%s", dir, n);
		if (dirp) {
			(void)walk(out, p, depth + 1);
			free(p);
		} else {
			paths_add(out, p, -1, 0);
		}
		free(n);
	}
	free(names.items);
	return 0;
}

static void paths_release(struct paths *p)
{
	for (size_t i = 0; i < p->len; i++) {
		free(p->items[i]);
		if (p->fds[i] >= 0)
			close(p->fds[i]);
	}
	free(p->items);
	free(p->fds);
	free(p->sizes);
}

/* Opens a PATH argument that is a regular file and keeps it open for
 * linting: one walk of its path instead of two (stat, then open). Returns
 * false, with errno from open, when that did not work: then the caller
 * looks at the path with stat() as before. O_NONBLOCK: a FIFO must not
 * block here (it is opened again, as before, when linted). */
static bool hold_file(struct paths *out, const char *a, bool *is_dir)
{
	*is_dir = false;
	if (!out->held_max) {
		struct rlimit rl;
		out->held_max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur / 2 < HELD_FDS_MAX
					? (size_t)(rl.rlim_cur / 2)
					: HELD_FDS_MAX;
	}
	if (out->nheld >= out->held_max) {
		errno = 0;
		return false;
	}
	int fd = open(a, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0) {
		*is_dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
		close(fd);
		errno = 0;
		return false;
	}
	out->nheld++;
	paths_add(out, xstrdup(a), fd, (size_t)st.st_size);
	return true;
}

/* Expands the PATH arguments into files to lint. Returns an exit status
 * (QUAI_EXIT_USAGE if any argument was bad; the others are still listed). */
static int collect(struct paths *out, char **args, int nargs)
{
	static char dot[] = ".";
	char *deflt[] = { dot };
	if (nargs == 0) {
		args = deflt;
		nargs = 1;
	}
	int status = QUAI_EXIT_OK;
	bool stdin_seen = false;
	for (int i = 0; i < nargs; i++) {
		const char *a = args[i];
		if (strcmp(a, "-") == 0) {
			if (!stdin_seen)
				paths_add(out, xstrdup("-"), -1, 0);
			stdin_seen = true;
			continue;
		}
		bool is_dir;
		if (hold_file(out, a, &is_dir))
			continue;
		struct stat st;
		if (!is_dir && stat(a, &st) != 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				quai_cli_error("'%s': no such file or directory", a);
			else
				quai_cli_error("'%s': %s", a, strerror(errno));
			status = QUAI_EXIT_USAGE;
			continue;
		}
		if (is_dir || S_ISDIR(st.st_mode)) {
			size_t before = out->len;
			if (walk(out, a, 0) < 0) {
				quai_cli_error("cannot read directory '%s': %s", a, strerror(errno));
				status = QUAI_EXIT_USAGE;
			} else if (out->len == before) {
				quai_cli_error("'%s': no Dockerfile found in this directory (looked for %s)", a,
					       searched_names);
				status = QUAI_EXIT_USAGE;
			}
			continue;
		}
		paths_add(out, xstrdup(a), -1, 0);
	}
	return status;
}

/* ---- Linting ---- */

/* A syntax finding of the CLI's own, through ignores and overrides. */
static void syntax_finding(struct quai_findings *f, const struct quai_lint_config *cfg, const char *name,
			   unsigned line, unsigned col, const char *msg)
{
	enum quai_lint_level level = quai_lint_config_level(cfg, "DL1000", QUAI_LEVEL_ERROR);
	if (level != QUAI_LEVEL_IGNORE)
		quai_findings_add(f, name, line, col, level, "DL1000", msg);
}

/* Problems with the bytes themselves, found before parsing. Returns true
 * when the file is not text at all and should not be parsed. */
static bool check_bytes(struct quai_findings *f, const struct quai_lint_config *cfg, const char *name,
			const char *src, size_t len)
{
	if (len == 0) {
		syntax_finding(f, cfg, name, 1, 1, "file is empty: docker refuses a Dockerfile without instructions");
		return true;
	}
	const char *nul = memchr(src, '\0', len);
	if (nul) {
		unsigned line = 1, col = 1;
		for (const char *p = src; p < nul; p++) {
			col++;
			if (*p == '\n')
				line++, col = 1;
		}
		syntax_finding(f, cfg, name, line, col, "file is not text (it contains NUL bytes): is this a Dockerfile?");
		return true;
	}
	return false;
}

/* Offset of the first byte of s[0..len) that is not UTF-8, or len. ASCII,
 * nearly all of a Dockerfile, is skipped 32 or 8 bytes at a time. */
static size_t utf8_bad_offset(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint64_t w[4];
		if (len - i >= 32) {
			memcpy(w, s + i, 32);
			if (((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080u) == 0) {
				i += 32;
				continue;
			}
		}
		if (len - i >= 8 && (memcpy(w, s + i, 8), (w[0] & 0x8080808080808080u) == 0)) {
			i += 8;
			continue;
		}
		unsigned c = s[i];
		size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
		bool ok = n > 0 && i + n <= len;
		for (size_t k = 1; ok && k < n; k++)
			ok = (s[i + k] & 0xc0) == 0x80;
		if (ok && n == 2)
			ok = c >= 0xc2;
		if (ok && n == 3) {
			unsigned cp = ((c & 0x0f) << 12) | ((s[i + 1] & 0x3f) << 6);
			ok = cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
		}
		if (ok && n == 4) {
			unsigned cp = ((c & 0x07) << 18) | ((s[i + 1] & 0x3f) << 12);
			ok = cp >= 0x10000 && cp <= 0x10ffff;
		}
		if (!ok)
			return i;
		i += n;
	}
	return len;
}

/* One finding for the first byte that is not UTF-8, if any, at its line
 * and column (columns count bytes). */
static void check_utf8(struct quai_findings *f, const struct quai_lint_config *cfg, const char *name,
		       const char *src, size_t len)
{
	size_t bad = utf8_bad_offset((const unsigned char *)src, len);
	if (bad == len)
		return;
	unsigned line = 1;
	size_t line_start = 0;
	for (const char *p = src; (p = memchr(p, '\n', (size_t)(src + bad - p))); p++) {
		line++;
		line_start = (size_t)(p - src) + 1;
	}
	char msg[128];
	snprintf(msg, sizeof(msg), "invalid UTF-8 (byte 0x%02x): save the file as UTF-8", (unsigned char)src[bad]);
	syntax_finding(f, cfg, name, line, (unsigned)(bad - line_start + 1), msg);
}

/* True if the parser already reported bad UTF-8 itself. */
static bool parser_saw_utf8(const struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ndiags; i++)
		if (df->diags[i].message && strcasestr(df->diags[i].message, "utf-8"))
			return true;
	return false;
}

static bool has_instructions(const struct quai_dockerfile *df)
{
	return df->ninstrs > 0 || df->ndiags > 0;
}

/* A buffer the files are read into one after the other. */
struct readbuf {
	char *data;
	size_t size;
};

struct run {
	struct quai_lint_config cfg;
	struct quai_findings findings;
	enum quai_lint_format format;
	struct quai_dockerfile **dfs; /* kept for shellcheck and caret excerpts */
	size_t ndfs, dfs_cap;
	int status;
	struct readbuf readbuf;
};

/* A parsed file is kept until the output only if something still needs it:
 * shellcheck, or a caret excerpt of a syntax error in tty output. */
static bool keep_tree(const struct run *r, size_t first_finding)
{
	if (r->cfg.shellcheck)
		return true;
	if (r->format != QUAI_FORMAT_TTY)
		return false;
	for (size_t i = first_finding; i < r->findings.len; i++)
		if (strcmp(r->findings.items[i].code, "DL1000") == 0)
			return true;
	return false;
}

/* Room for `n` bytes; what the buffer held is lost. */
static void readbuf_reserve(struct readbuf *b, size_t n)
{
	if (n <= b->size)
		return;
	free(b->data);
	b->data = xmalloc(n);
	b->size = n;
}

/* Reads a Dockerfile as quai_file_read() does, with the same messages, but
 * into `b` (the bytes stay there until the next file), sized from fstat: for
 * a regular file one read, and no allocation once the buffer is large. */
static int read_dockerfile(struct readbuf *b, size_t *out_len, const char *path, int held, size_t held_size,
			   struct quai_error **err)
{
	if (held < 0 && strcmp(path, "-") == 0) {
		char *text;
		if (quai_file_read(&text, out_len, path, DOCKERFILE_MAX_BYTES, err) < 0)
			return -1;
		free(b->data);
		b->data = text;
		b->size = *out_len + 1;
		return 0;
	}
	cleanup_close int fd = held >= 0 ? held : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return quai_error_errno(err, errno, "cannot open '%s'", path);
	struct stat st;
	bool reg = false;
	size_t cap = 65536; /* bytes the buffer holds before its NUL */
	if (held >= 0) { /* a regular file, collect() looked */
		reg = true;
		if (held_size < DOCKERFILE_MAX_BYTES)
			cap = held_size + 1;
	} else if (fstat(fd, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return quai_error_set(err, QUAI_EXIT_USAGE, "'%s' is a directory", path);
		reg = S_ISREG(st.st_mode);
		if (reg && st.st_size >= 0 && (uint64_t)st.st_size < DOCKERFILE_MAX_BYTES)
			cap = (size_t)st.st_size + 1; /* one more: a short read is the end */
	}
	readbuf_reserve(b, cap + 1);
	char *buf = b->data;
	size_t len = 0;
	for (;;) {
		if (len == cap) {
			cap *= 2;
			b->data = buf = xrealloc(buf, cap + 1);
			b->size = cap + 1;
		}
		size_t want = cap - len;
		if (want > DOCKERFILE_MAX_BYTES + 1 - len)
			want = DOCKERFILE_MAX_BYTES + 1 - len;
		ssize_t n = read(fd, buf + len, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return quai_error_errno(err, errno, "cannot read '%s'", path);
		}
		if (n == 0)
			break;
		if (len + (size_t)n > DOCKERFILE_MAX_BYTES)
			return quai_error_set(err, QUAI_EXIT_USAGE, "'%s' is larger than the %zu byte limit", path,
					      (size_t)DOCKERFILE_MAX_BYTES);
		len += (size_t)n;
		if (reg && (size_t)n < want)
			break;
	}
	buf[len] = '\0';
	*out_len = len;
	return 0;
}

/* Lints one file; `held` is its descriptor if collect() opened it (this
 * takes it), else -1. */
static void lint_file(struct run *r, const char *path, int held, size_t held_size)
{
	size_t len = 0;
	cleanup_error struct quai_error *err = NULL;
	if (r->cfg.verbose)
		fprintf(stderr, "quai: linting '%s'\n", path);
	if (quai_cli_lint_pipeline(&r->findings, path)) {
		if (held >= 0)
			close(held);
		return; /* .gitlab-ci.yml: the pipeline loader's check (cmd_pipeline.c) */
	}
	if (read_dockerfile(&r->readbuf, &len, path, held, held_size, &err) < 0) {
		quai_cli_error("%s", err->msg);
		r->status = QUAI_EXIT_USAGE;
		return;
	}
	const char *src = r->readbuf.data;
	enum quai_lint_kind kind = quai_lint_kind_of(path, src, len);
	if (kind != QUAI_LINT_KIND_DOCKERFILE) {
		if (quai_lint_file_of_kind(&r->findings, kind, path, src, len, &r->cfg, &err) < 0) {
			quai_cli_error("%s", err->msg);
			r->status = QUAI_EXIT_USAGE;
		}
		return;
	}
	if (check_bytes(&r->findings, &r->cfg, path, src, len))
		return;
	size_t first = r->findings.len;
	struct quai_dockerfile df;
	quai_dockerfile_parse(&df, path, src, len);
	if (!parser_saw_utf8(&df))
		check_utf8(&r->findings, &r->cfg, path, src, len);
	if (!has_instructions(&df))
		syntax_finding(&r->findings, &r->cfg, path, 1, 1,
			       "no instructions: docker refuses a Dockerfile without a FROM");
	quai_lint_dockerfile(&r->findings, &df, &r->cfg);
	if (!keep_tree(r, first)) {
		quai_dockerfile_release(&df);
		return;
	}
	r->dfs = xgrow(r->dfs, &r->dfs_cap, r->ndfs + 1, sizeof(struct quai_dockerfile *));
	r->dfs[r->ndfs] = xmalloc(sizeof(df));
	*r->dfs[r->ndfs++] = df;
}

static void run_release(struct run *r)
{
	for (size_t i = 0; i < r->ndfs; i++) {
		quai_dockerfile_release(r->dfs[i]);
		free(r->dfs[i]);
	}
	free(r->dfs);
	free(r->readbuf.data);
	quai_findings_release(&r->findings);
	quai_lint_config_release(&r->cfg);
}

int cmd_lint(int argc, char **argv)
{
	struct lint_opts o = { .format = -1, .threshold = -1 };
	int rc = parse_opts(&o, argc, argv);
	if (rc >= 0) {
		opts_release(&o);
		return rc;
	}
	if (o.rules) {
		opts_release(&o);
		return list_rules();
	}
	struct run r = { .status = QUAI_EXIT_OK };
	quai_lint_config_init(&r.cfg);
	cleanup_error struct quai_error *err = NULL;
	if (quai_lint_config_discover(&r.cfg, o.config, &err) < 0 || apply_opts(&r.cfg, &o, &err) < 0) {
		quai_cli_error("%s", err->msg);
		opts_release(&o);
		run_release(&r);
		return QUAI_EXIT_USAGE;
	}
	opts_release(&o);
	r.format = r.cfg.format >= 0 ? (enum quai_lint_format)r.cfg.format : QUAI_FORMAT_TTY;

	struct paths files = { 0 };
	r.status = collect(&files, argv + optind, argc - optind);
	for (size_t i = 0; i < files.len; i++) {
		lint_file(&r, files.items[i], files.fds[i], files.sizes[i]);
		files.fds[i] = -1;
	}
	paths_release(&files);

	if (r.cfg.shellcheck && r.ndfs &&
	    quai_lint_shellcheck(&r.findings, (const struct quai_dockerfile *const *)r.dfs, r.ndfs, &r.cfg, &err) <
		    0) {
		quai_cli_error("%s", err->msg);
		run_release(&r);
		return QUAI_EXIT_USAGE;
	}

	quai_findings_sort(&r.findings);
	bool tty = isatty(STDOUT_FILENO);
	bool color = r.format == QUAI_FORMAT_TTY && !r.cfg.no_color && tty;
	/* Nothing was written to stdout yet: write in large blocks (glibc
	 * ignores the size unless it is given the buffer). */
	static char outbuf[1 << 16];
	if (!tty)
		setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	quai_lint_write(stdout, r.format, &r.findings, color, (const struct quai_dockerfile *const *)r.dfs, r.ndfs);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		quai_cli_error("cannot write the findings: %s", strerror(errno));
		r.status = QUAI_EXIT_USAGE;
	}
	if (r.status == QUAI_EXIT_OK && quai_lint_failed(&r.findings, &r.cfg))
		r.status = QUAI_EXIT_FINDINGS;
	int status = r.status;
	run_release(&r);
	return status;
}
