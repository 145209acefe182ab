/* Which kind of file `quai lint` is looking at, and linting the kinds that
 * are not Dockerfiles: compose files (loaded, then the QC rules) and
 * quai.yml (YAML syntax). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compose/compose.h"
#include "compose/lint.h"
#include "compose/lint_internal.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "yaml/yaml.h"
#include "plan/plan.h"
#include "core/banned.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The names `quai lint` looks for in directories, as hadolint's users name
 * Dockerfiles; editor and patch leftovers are not. */
static bool is_dockerfile_name(const char *name)
{
	static const char *const not_dockerfiles[] = {".dockerignore", "~", ".swp", ".orig", ".rej", ".bak"};
	for (size_t i = 0; i < sizeof(not_dockerfiles) / sizeof(not_dockerfiles[0]); i++)
		if (ends_with(name, not_dockerfiles[i]))
			return false;
	return strncmp(name, "Dockerfile", 10) == 0 || strncmp(name, "Containerfile", 13) == 0 ||
	       ends_with(name, "Dockerfile") || ends_with(name, ".dockerfile") ||
	       ends_with(name, "Containerfile");
}

enum quai_lint_kind quai_lint_kind_by_name(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strcmp(base, "quai.yml") == 0 || strcmp(base, "quai.yaml") == 0)
		return QUAI_LINT_KIND_QUAI_YML;
	if (quai_compose_is_compose_name(base))
		return QUAI_LINT_KIND_COMPOSE;
	if (is_dockerfile_name(base))
		return QUAI_LINT_KIND_DOCKERFILE;
	return QUAI_LINT_KIND_OTHER;
}

/* True when a line of text starts with `services:` at column 1. */
static bool has_top_level_services(const char *text, size_t len)
{
	for (size_t i = 0; i < len;) {
		if (len - i >= 9 && memcmp(text + i, "services:", 9) == 0)
			return true;
		const char *nl = memchr(text + i, '\n', len - i);
		if (!nl)
			break;
		i = (size_t)(nl - text) + 1;
	}
	return false;
}

enum quai_lint_kind quai_lint_kind_of(const char *path, const char *text, size_t len)
{
	if (strcmp(path, "-") == 0)
		return QUAI_LINT_KIND_DOCKERFILE;
	enum quai_lint_kind k = quai_lint_kind_by_name(path);
	if (k != QUAI_LINT_KIND_OTHER)
		return k;
	if (ends_with(path, ".yml") || ends_with(path, ".yaml"))
		return text && has_top_level_services(text, len) ? QUAI_LINT_KIND_COMPOSE
		                                                 : QUAI_LINT_KIND_OTHER;
	return QUAI_LINT_KIND_DOCKERFILE;
}

/* Splits "FILE:LINE:COL: message" as quai_yaml_load reports errors. */
static const char *split_position(const char *msg, const char *file, unsigned *line, unsigned *col)
{
	size_t n = strlen(file);
	if (strncmp(msg, file, n) != 0 || msg[n] != ':')
		return msg;
	char *end;
	unsigned long l = strtoul(msg + n + 1, &end, 10);
	if (*end != ':')
		return msg;
	unsigned long c = strtoul(end + 1, &end, 10);
	if (*end != ':')
		return msg;
	*line = (unsigned)l;
	*col = (unsigned)c;
	return end + 1 + (end[1] == ' ');
}

/* Adds the loader's findings through cfg and the files' pragmas. A
 * finding without a position takes the one its message starts with. */
static void add_diags(struct quai_findings *out, const struct quai_findings *diags,
                      const struct quai_lint_config *cfg, struct quai_compose_sources *sources)
{
	for (size_t i = 0; i < diags->len; i++) {
		const struct quai_finding *d = &diags->items[i];
		enum quai_lint_level level = quai_lint_config_level(cfg, d->code, d->level);
		if (level == QUAI_LEVEL_IGNORE)
			continue;
		unsigned line = d->line, col = d->col;
		const char *msg = d->message;
		if (line == 0 && d->file)
			msg = split_position(msg, d->file, &line, &col);
		if (line == 0)
			line = col = 1;
		if (!cfg->disable_ignore_pragma &&
		    quai_compose_pragma_ignores(sources, d->file, line, NULL, d->code))
			continue;
		quai_findings_add(out, d->file, line, col, level, d->code, msg);
	}
}

/* Removes every "dir/" from s, in place. */
static void remove_prefix(char *s, const char *dir, size_t n)
{
	for (char *p = s; s && (p = strstr(p, dir));) {
		if (p[n] == '/')
			memmove(p, p + n + 1, strlen(p + n + 1) + 1);
		else
			p += n;
	}
}

/* The loader names files by absolute path: when the user named a relative
 * one, show the files under the current directory relative to it, as
 * Dockerfiles are, in file names and messages. */
static void relative_names(struct quai_findings *f, size_t first, const char *path)
{
	char cwd[PATH_MAX];
	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)) || strcmp(cwd, "/") == 0)
		return;
	size_t n = strlen(cwd);
	for (size_t i = first; i < f->len; i++) {
		remove_prefix(f->items[i].file, cwd, n);
		remove_prefix(f->items[i].message, cwd, n);
	}
}

/* The two families of compose file names: STEM.yaml / STEM.yml is a base,
 * STEM.X.yaml / STEM.X.yml (compose.override.yaml, docker-compose.prod.yml)
 * a file read on top of one. Returns the stem's length, or 0. */
static size_t compose_stem(const char *base, bool *overlay)
{
	static const char *const stems[] = {"docker-compose", "compose"};
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(stems[i]);
		if (strncmp(base, stems[i], n) != 0 || base[n] != '.')
			continue;
		const char *rest = base + n + 1;
		*overlay = strcmp(rest, "yaml") != 0 && strcmp(rest, "yml") != 0;
		return n;
	}
	return 0;
}

/* dir + stem + each suffix: the first that exists, or NULL. */
static char *first_existing(const char *dir, size_t dlen, const char *stem, size_t slen,
                            const char *const *suffixes)
{
	for (; *suffixes; suffixes++) {
		char *p = xasprintf("%.*s%.*s%s", (int)dlen, dir, (int)slen, stem, *suffixes);
		if (access(p, F_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

/* The files docker compose reads with path: a base with its override beside
 * it (read automatically), a file of the STEM.X family on top of its base
 * (`-f base -f file`, the way such files are used), else path alone. */
static size_t project_files(char *files[2], const char *path)
{
	static const char *const bases[] = {".yaml", ".yml", NULL};
	static const char *const overrides[] = {".override.yaml", ".override.yml", NULL};
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dlen = (size_t)(base - path);
	bool overlay = false;
	size_t slen = compose_stem(base, &overlay);
	char *other = !slen     ? NULL
	              : overlay ? first_existing(path, dlen, base, slen, bases)
	                        : first_existing(path, dlen, base, slen, overrides);
	if (!other) {
		files[0] = xstrdup(path);
		return 1;
	}
	files[overlay ? 1 : 0] = xstrdup(path);
	files[overlay ? 0 : 1] = other;
	return 2;
}

/* Appends f's findings to out but those out already has: a file read by
 * several projects (an override, an included file) is reported once. */
static void add_unique(struct quai_findings *out, size_t from, const struct quai_findings *f)
{
	for (size_t i = 0; i < f->len; i++) {
		const struct quai_finding *n = &f->items[i];
		bool seen = false;
		for (size_t j = from; j < out->len && !seen; j++) {
			const struct quai_finding *o = &out->items[j];
			seen = o->line == n->line && o->col == n->col && strcmp(o->code, n->code) == 0 &&
			       strcmp(o->file, n->file) == 0 && strcmp(o->message, n->message) == 0;
		}
		if (!seen)
			quai_findings_add(out, n->file, n->line, n->col, n->level, n->code, n->message);
	}
}

int quai_compose_lint_file(struct quai_findings *out, const char *path, const char *const *env,
                           const struct quai_lint_config *cfg, struct quai_error **err)
{
	char *files[2] = {NULL, NULL};
	size_t nfiles = project_files(files, path);
	struct quai_compose_options o = {
	    .files = (const char *const *)files, .nfiles = nfiles, .environ = env};
	struct quai_findings diags = {0}, found = {0};
	struct quai_compose *c = NULL;
	int rc = quai_compose_load(&c, &diags, &o, err);
	if (rc == 0) {
		struct quai_compose_sources *sources = quai_compose_sources_new();
		add_diags(&found, &diags, cfg, sources);
		if (c)
			quai_compose_lint_with(&found, c, cfg, sources);
		quai_compose_sources_free(sources);
		relative_names(&found, 0, path);
		add_unique(out, 0, &found);
	}
	quai_findings_release(&found);
	quai_findings_release(&diags);
	quai_compose_free(c);
	free(files[0]);
	free(files[1]);
	return rc;
}

void quai_lint_quai_yml(struct quai_findings *out, const char *path, const char *text, size_t len,
                        const struct quai_lint_config *cfg)
{
	enum quai_lint_level level = quai_lint_config_level(cfg, "QC1000", QUAI_LEVEL_ERROR);
	if (level == QUAI_LEVEL_IGNORE)
		return;
	cleanup_yaml_doc struct quai_yaml_doc *doc = NULL;
	cleanup_error struct quai_error *err = NULL;
	if (quai_yaml_load(&doc, path, text, len, &err) < 0) {
		unsigned line = 1, col = 1;
		const char *msg = split_position(err->msg, path, &line, &col);
		quai_findings_add(out, path, line, col, level, "QC1000", msg);
		return;
	}
	if (doc->root && doc->root->type != QUAI_YAML_MAP && !quai_yaml_is_null(doc->root)) {
		cleanup_free char *msg =
		    xasprintf("quai.yml must be a mapping, found %s", quai_yaml_kind_name(doc->root));
		quai_findings_add(out, path, doc->root->line, doc->root->col, level, "QC1000", msg);
		return;
	}
	/* then as quai plan and quai run read it */
	if (quai_plan_config_check(path, text, len, &err) < 0) {
		unsigned line = 1, col = 1;
		const char *msg = split_position(err->msg, path, &line, &col);
		quai_findings_add(out, path, line, col, level, "QC1000", msg);
	}
}

int quai_lint_file_of_kind(struct quai_findings *out, enum quai_lint_kind kind, const char *path,
                           const char *text, size_t len, const struct quai_lint_config *cfg,
                           struct quai_error **err)
{
	switch (kind) {
	case QUAI_LINT_KIND_COMPOSE:
		return quai_compose_lint_file(out, path, NULL, cfg, err);
	case QUAI_LINT_KIND_QUAI_YML:
		quai_lint_quai_yml(out, path, text, len, cfg);
		return 0;
	case QUAI_LINT_KIND_DOCKERFILE:
	case QUAI_LINT_KIND_OTHER:
		break;
	}
	return quai_error_set(
	    err, QUAI_EXIT_USAGE,
	    "'%s' is not a file quai lints: a YAML file without a top-level 'services:' is not a "
	    "compose file (quai lints Dockerfiles, compose files and quai.yml)",
	    path);
}
