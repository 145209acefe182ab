/* --shellcheck: every RUN script of the run goes to shellcheck in as few
 * processes as possible (one per shell dialect, files in a temporary
 * directory), and its SCxxxx findings come back at Dockerfile positions.
 *
 * A script keeps the line layout of the Dockerfile: a shell-form RUN is
 * copied from its arguments (padded so that columns match) with docker's
 * line continuations rewritten as the shell's, and a heredoc script is its
 * body. So shellcheck's line N is the Dockerfile's line base + N - 1. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "lint/lint.h"
#include "lint/heredoc.h"
#include "lint/pragma.h"
#include "core/banned.h"

extern char **environ;

#define MAX_FILES_PER_RUN 2000
#define MAX_OUTPUT_BYTES (256u << 20)

enum dialect { SH_SH, SH_BASH, SH_DASH, SH_KSH, SH_NONE };
static const char *const dialect_names[] = { "sh", "bash", "dash", "ksh" };

struct script {
	const struct quai_dockerfile *df;
	size_t instr;       /* top-level instruction index, for ignore pragmas */
	unsigned base_line; /* Dockerfile line of the script's line 1 */
	enum dialect dialect;
	char *text;
};

struct scripts {
	struct script *items;
	size_t len, cap;
};

/* Dialect of a shell program path such as "/bin/bash"; SH_NONE if shellcheck
 * cannot read it (powershell, cmd). */
static enum dialect dialect_of(const char *prog, size_t len)
{
	const char *base = prog;
	for (size_t i = 0; i < len; i++)
		if (prog[i] == '/')
			base = prog + i + 1;
	size_t n = len - (size_t)(base - prog);
	static const struct {
		const char *name;
		enum dialect d;
	} known[] = { { "sh", SH_SH }, { "bash", SH_BASH }, { "dash", SH_DASH }, { "ash", SH_DASH },
		      { "ksh", SH_KSH }, { "mksh", SH_KSH } };
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i].name) == n && strncmp(base, known[i].name, n) == 0)
			return known[i].d;
	return SH_NONE;
}

/* Whether the first heredoc of a RUN is a script shellcheck reads, and in
 * which dialect: `<<EOF` keeps *d, `bash <<EOF` sets it. */
static bool heredoc_script(const char *args, enum dialect *d)
{
	const char *prog;
	size_t n;
	if (!quai_lint_heredoc_prog(args, &prog, &n))
		return false;
	if (n == 0)
		return true;
	enum dialect wd = dialect_of(prog, n);
	if (wd == SH_NONE)
		return false;
	*d = wd;
	return true;
}

/* Byte offset in df->src of (line, col), counting from after any BOM. */
static size_t offset_of(const struct quai_dockerfile *df, unsigned line, unsigned col)
{
	size_t i = df->src_len >= 3 && memcmp(df->src, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	for (unsigned l = 1; l < line && i < df->src_len; l++) {
		const char *nl = memchr(df->src + i, '\n', df->src_len - i);
		if (!nl)
			return df->src_len;
		i = (size_t)(nl - df->src) + 1;
	}
	i += col ? col - 1 : 0;
	return i < df->src_len ? i : df->src_len;
}

static bool blank_or_comment(const char *p, size_t n)
{
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i == n || p[i] == '#';
}

/* The shell text of a shell-form RUN `in` (top itself, or the trigger of
 * the ONBUILD top) from its arguments to the end of the instruction,
 * heredoc bodies included as the shell would read them. */
static char *shell_form_text(const struct quai_dockerfile *df, const struct quai_df_instr *top,
			     const struct quai_df_instr *in)
{
	size_t from = offset_of(df, in->args_pos.line, in->args_pos.col);
	size_t to = top->raw_off + top->raw_len; /* an ONBUILD's trigger ends with it */
	if (to > df->src_len)
		to = df->src_len;
	if (from >= to)
		return NULL;
	struct quai_buf b = QUAI_BUF_INIT;
	for (unsigned c = 1; c < in->args_pos.col; c++)
		quai_buf_putc(&b, ' ');
	bool continued = true; /* still in the instruction's own lines */
	bool first = true;
	for (size_t i = from; i < to;) {
		const char *line = df->src + i;
		const char *nl = memchr(line, '\n', to - i);
		size_t n = nl ? (size_t)(nl - line) : to - i;
		i += n + (nl ? 1 : 0);
		size_t m = n;
		while (m && (line[m - 1] == '\r' || line[m - 1] == ' ' || line[m - 1] == '\t'))
			m--;
		if (!continued) {
			/* A heredoc body line: as written. */
			quai_buf_add(&b, line, n && line[n - 1] == '\r' ? n - 1 : n);
			quai_buf_putc(&b, '\n');
			continue;
		}
		if (!first && blank_or_comment(line, n)) {
			/* Docker drops these inside a continuation; the shell
			 * would end the command, so keep it going. */
			quai_buf_puts(&b, "\\\n");
			continue;
		}
		first = false;
		if (m && line[m - 1] == df->escape) {
			quai_buf_add(&b, line, m - 1);
			quai_buf_puts(&b, "\\\n");
		} else {
			quai_buf_add(&b, line, m);
			quai_buf_putc(&b, '\n');
			continued = false;
		}
	}
	return quai_buf_detach(&b);
}

static void add_script(struct scripts *s, const struct quai_dockerfile *df, size_t instr, unsigned base,
		       enum dialect d, char *text)
{
	if (!text)
		return;
	s->items = xgrow(s->items, &s->cap, s->len + 1, sizeof(*s->items));
	s->items[s->len++] = (struct script){ df, instr, base, d, text };
}

static void gather(struct scripts *out, const struct quai_dockerfile *df)
{
	enum dialect shell = SH_SH;
	for (size_t i = 0; i < df->ninstrs; i++) {
		const struct quai_df_instr *top = &df->instrs[i];
		const struct quai_df_instr *in = top->kind == QUAI_DF_ONBUILD && top->onbuild ? top->onbuild : top;
		if (top->kind == QUAI_DF_FROM) {
			shell = SH_SH;
			continue;
		}
		if (top->kind == QUAI_DF_SHELL) {
			shell = top->json && top->njson_args ? dialect_of(top->json_args[0], strlen(top->json_args[0]))
							     : SH_NONE;
			continue;
		}
		if (in->kind != QUAI_DF_RUN || in->json || !in->args_text || shell == SH_NONE)
			continue;
		enum dialect d = shell;
		if (in->nheredocs && heredoc_script(in->args_text, &d)) {
			const struct quai_df_heredoc *h = &in->heredocs[0];
			if (h->body && h->body_line)
				add_script(out, df, i, h->body_line, d, xstrdup(h->body));
			continue;
		}
		add_script(out, df, i, in->args_pos.line, shell, shell_form_text(df, top, in));
	}
}

/* ---- Running shellcheck ---- */

/* The run's temporary directory: one file per script, one output file per
 * shellcheck process. */
struct tmpdir {
	char path[64];
	char **files;
	size_t nfiles, cap;
};

static void tmpdir_cleanup(struct tmpdir *t)
{
	for (size_t i = 0; i < t->nfiles; i++) {
		unlink(t->files[i]);
		free(t->files[i]);
	}
	free(t->files);
	if (t->path[0])
		rmdir(t->path);
}

/* Registers "<dir>/<prefix><n><suffix>" for removal and returns it. */
static char *tmpdir_add(struct tmpdir *t, const char *prefix, size_t n, const char *suffix)
{
	char *path = xasprintf("%s/%s%zu%s", t->path, prefix, n, suffix);
	t->files = xgrow(t->files, &t->cap, t->nfiles + 1, sizeof(*t->files));
	t->files[t->nfiles++] = path;
	return path;
}

static int write_file(const char *path, const char *text, struct quai_error **err)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return quai_error_errno(err, errno, "cannot create '%s'", path);
	size_t len = strlen(text), done = 0;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return quai_error_errno(err, errno, "cannot write '%s'", path);
		done += (size_t)n;
	}
	return 0;
}

/* Starts argv with standard input from /dev/null and standard output into
 * the file `out`. */
static int spawn(pid_t *pid, char *const argv[], const char *out, struct quai_error **err)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int rc = posix_spawnp(pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc == ENOENT)
		return quai_error_set(err, QUAI_EXIT_USAGE,
				      "--shellcheck needs shellcheck, which is not installed (Debian: apt-get install "
				      "shellcheck)");
	if (rc != 0)
		return quai_error_errno(err, rc, "cannot run shellcheck");
	return 0;
}

/* Waits for pid; returns its exit status or -1 with err. */
static int wait_for(pid_t pid, struct quai_error **err)
{
	int ws;
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return quai_error_errno(err, errno, "cannot wait for shellcheck");
	if (WIFSIGNALED(ws))
		return quai_error_set(err, QUAI_EXIT_USAGE, "shellcheck was killed by signal %d", WTERMSIG(ws));
	return WEXITSTATUS(ws);
}

static int read_output(char **out, size_t *len, const char *path, struct quai_error **err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return quai_error_errno(err, errno, "cannot open '%s'", path);
	struct quai_buf b = QUAI_BUF_INIT;
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (b.len + (size_t)n > MAX_OUTPUT_BYTES) {
			quai_buf_release(&b);
			return quai_error_set(err, QUAI_EXIT_USAGE, "shellcheck printed more than %u bytes",
					      MAX_OUTPUT_BYTES);
		}
		quai_buf_add(&b, chunk, (size_t)n);
	}
	*len = b.len;
	*out = quai_buf_detach(&b);
	return 0;
}

static enum quai_lint_level sc_level(const char *s)
{
	if (strcmp(s, "error") == 0)
		return QUAI_LEVEL_ERROR;
	if (strcmp(s, "warning") == 0)
		return QUAI_LEVEL_WARNING;
	if (strcmp(s, "info") == 0)
		return QUAI_LEVEL_INFO;
	return QUAI_LEVEL_STYLE;
}

/* Byte column in line `line` of text for shellcheck's json1 column, which
 * counts characters (a tab is one). */
static unsigned byte_col(const char *text, unsigned line, unsigned sc_col)
{
	const char *p = text;
	for (unsigned l = 1; l < line && p; l++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		return sc_col;
	unsigned chars = 1, bytes = 1;
	for (; *p && *p != '\n'; p++, bytes++) {
		if (((unsigned char)*p & 0xc0) == 0x80)
			continue;
		if (chars == sc_col)
			break;
		chars++;
	}
	return bytes;
}

/* Script index of a path "<dir>/<n>.sh", or SIZE_MAX. */
static size_t script_index(const char *file, const struct tmpdir *t, size_t nscripts)
{
	size_t dlen = strlen(t->path);
	if (strncmp(file, t->path, dlen) != 0 || file[dlen] != '/')
		return SIZE_MAX;
	char *end;
	unsigned long long n = strtoull(file + dlen + 1, &end, 10);
	if (end == file + dlen + 1 || strcmp(end, ".sh") != 0 || n >= nscripts)
		return SIZE_MAX;
	return (size_t)n;
}

static void map_findings(struct quai_findings *out, const char *json, size_t len, const struct scripts *s,
			 const struct tmpdir *t, const struct quai_lint_config *cfg)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, 0, &jerr);
	json_t *comments = root ? json_object_get(root, "comments") : NULL;
	size_t i;
	json_t *c;
	json_array_foreach(comments, i, c)
	{
		const char *file = json_string_value(json_object_get(c, "file"));
		json_int_t line = json_integer_value(json_object_get(c, "line"));
		json_int_t col = json_integer_value(json_object_get(c, "column"));
		json_int_t code = json_integer_value(json_object_get(c, "code"));
		const char *level = json_string_value(json_object_get(c, "level"));
		const char *msg = json_string_value(json_object_get(c, "message"));
		if (!file || !level || !msg || line < 1 || line > 0xffffff || col < 1 || col > 0xffffff)
			continue;
		size_t k = script_index(file, t, s->len);
		if (k == SIZE_MAX)
			continue;
		const struct script *sc = &s->items[k];
		char scode[16];
		snprintf(scode, sizeof(scode), "SC%lld", (long long)code);
		enum quai_lint_level lv = quai_lint_config_level(cfg, scode, sc_level(level));
		if (lv == QUAI_LEVEL_IGNORE ||
		    (!cfg->disable_ignore_pragma && quai_lint_pragma_ignores(sc->df, sc->instr, scode)))
			continue;
		unsigned bcol = byte_col(sc->text, (unsigned)line, (unsigned)col);
		quai_findings_add(out, sc->df->name, sc->base_line + (unsigned)line - 1, bcol, lv, scode, msg);
	}
	json_decref(root);
}

/* One shellcheck process: scripts of one dialect. */
struct batch {
	enum dialect dialect;
	size_t *idx;
	size_t n;
	pid_t pid;
	char *out;
};

/* Splits the scripts into batches: per dialect, and into about as many
 * processes as there are processors, since shellcheck is slow. */
static struct batch *plan(const struct scripts *s, size_t *nbatches)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus < 1)
		cpus = 1;
	if (cpus > 16)
		cpus = 16;
	size_t per = (s->len + (size_t)cpus - 1) / (size_t)cpus;
	if (per < 16)
		per = 16;
	if (per > MAX_FILES_PER_RUN)
		per = MAX_FILES_PER_RUN;
	struct batch *b = NULL;
	size_t nb = 0, cap = 0;
	for (int d = SH_SH; d < SH_NONE; d++) {
		struct batch *cur = NULL;
		for (size_t i = 0; i < s->len; i++) {
			if (s->items[i].dialect != (enum dialect)d)
				continue;
			if (!cur || cur->n == per) {
				b = xgrow(b, &cap, nb + 1, sizeof(*b));
				cur = &b[nb++];
				*cur = (struct batch){ .dialect = (enum dialect)d, .idx = xcalloc(per, sizeof(size_t)),
						       .pid = -1 };
			}
			cur->idx[cur->n++] = i;
		}
	}
	*nbatches = nb;
	return b;
}

static int start_batch(struct batch *b, struct tmpdir *t, size_t number, struct quai_error **err)
{
	char **argv = xcalloc(b->n + 10, sizeof(*argv));
	size_t argc = 0, first_file;
	argv[argc++] = (char *)"shellcheck";
	argv[argc++] = (char *)"--norc";
	argv[argc++] = (char *)"-f";
	argv[argc++] = (char *)"json1";
	argv[argc++] = (char *)"-s";
	argv[argc++] = (char *)dialect_names[b->dialect];
	/* Sourced files are not in the image being linted; variables come
	 * from ENV and ARG, which shellcheck cannot see. */
	argv[argc++] = (char *)"-e";
	argv[argc++] = (char *)"SC1090,SC1091,SC2154";
	first_file = argc;
	for (size_t i = 0; i < b->n; i++)
		argv[argc++] = xasprintf("%s/%zu.sh", t->path, b->idx[i]);
	argv[argc] = NULL;
	b->out = tmpdir_add(t, "out-", number, ".json");
	int rc = spawn(&b->pid, argv, b->out, err);
	for (size_t i = first_file; i < argc; i++)
		free(argv[i]);
	free(argv);
	return rc;
}

static int finish_batch(struct batch *b, const struct scripts *s, const struct tmpdir *t, struct quai_findings *out,
			const struct quai_lint_config *cfg, struct quai_error **err)
{
	int status = wait_for(b->pid, err);
	b->pid = -1;
	if (status < 0)
		return -1;
	if (status > 1)
		return quai_error_set(err, QUAI_EXIT_USAGE, "shellcheck failed with exit status %d", status);
	cleanup_free char *json = NULL;
	size_t len = 0;
	if (read_output(&json, &len, b->out, err) < 0)
		return -1;
	map_findings(out, json, len, s, t, cfg);
	return 0;
}

/* Fails with the "not installed" message when shellcheck cannot be run. */
static int probe(struct tmpdir *t, struct quai_error **err)
{
	char *argv[] = { (char *)"shellcheck", (char *)"--version", NULL };
	pid_t pid;
	const char *out = tmpdir_add(t, "version", 0, ".txt");
	if (spawn(&pid, argv, out, err) < 0)
		return -1;
	return wait_for(pid, err) == 0 ? 0 : quai_error_set(err, QUAI_EXIT_USAGE, "shellcheck --version failed");
}

int quai_lint_shellcheck(struct quai_findings *out, const struct quai_dockerfile *const *dfs, size_t ndfs,
			 const struct quai_lint_config *cfg, struct quai_error **err)
{
	struct scripts s = { 0 };
	for (size_t i = 0; i < ndfs; i++)
		gather(&s, dfs[i]);
	struct tmpdir t = { 0 };
	const char *base = getenv("TMPDIR");
	snprintf(t.path, sizeof(t.path), "%s/quai-sc-XXXXXX",
		 base && *base && strlen(base) < sizeof(t.path) - 20 ? base : "/tmp");
	size_t nb = 0;
	struct batch *b = NULL;
	int rc = 0;
	if (!mkdtemp(t.path)) {
		int e = errno;
		t.path[0] = '\0';
		rc = quai_error_errno(err, e, "cannot create a temporary directory for shellcheck");
		goto out;
	}
	if (s.len == 0) {
		/* Still say so when shellcheck is missing: the user asked for it. */
		rc = probe(&t, err);
		goto out;
	}
	for (size_t i = 0; i < s.len && rc == 0; i++)
		rc = write_file(tmpdir_add(&t, "", i, ".sh"), s.items[i].text, err);
	if (rc == 0)
		b = plan(&s, &nb);
	for (size_t i = 0; i < nb && rc == 0; i++)
		rc = start_batch(&b[i], &t, i, err);
	for (size_t i = 0; i < nb; i++) {
		if (b[i].pid < 0)
			continue;
		if (rc == 0)
			rc = finish_batch(&b[i], &s, &t, out, cfg, err);
		else
			wait_for(b[i].pid, NULL);
	}
out:
	for (size_t i = 0; i < nb; i++)
		free(b[i].idx);
	free(b);
	tmpdir_cleanup(&t);
	for (size_t i = 0; i < s.len; i++)
		free(s.items[i].text);
	free(s.items);
	return rc;
}
