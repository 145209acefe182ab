/* Runs the QC rules over a resolved compose model, then filters what they
 * found through ignored codes, severity overrides and the ignore pragmas
 * written in the compose files.
 *
 * YAML drops comments, so pragmas are read from the files' text: a
 * `# quai ignore=QC3001` (or `# hadolint ignore=`) comment in the lines just
 * above a finding's line, or above the key of the service it belongs to, or
 * at the end of the finding's own line; `# quai global ignore=` anywhere in
 * the file silences the code in the whole file. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compose/compose.h"
#include "compose/lint.h"
#include "compose/lint_internal.h"
#include "compose/lint_rule.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "lint/pragma.h"
#include "core/banned.h"

#define SOURCE_MAX_BYTES (64u << 20)

struct source {
	char *file;
	char *text; /* NULL when the file could not be read */
	size_t len;
	size_t *lines; /* offset of the start of line i+1 */
	size_t nlines;
};

struct quai_compose_lint_ctx {
	struct quai_findings *out;
	const struct quai_lint_config *cfg;
	const struct quai_compose *c;
	const struct quai_compose_rule *rule;
	const struct quai_yaml_node *scope; /* the key of the service being checked */
	struct quai_compose_sources *sources;
};

struct quai_compose_sources {
	struct source *items;
	size_t len, cap;
};

struct quai_compose_sources *quai_compose_sources_new(void)
{
	return xcalloc(1, sizeof(struct quai_compose_sources));
}

void quai_compose_sources_free(struct quai_compose_sources *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->len; i++) {
		free(s->items[i].file);
		free(s->items[i].text);
		free(s->items[i].lines);
	}
	free(s->items);
	free(s);
}

static const struct source *source_get(struct quai_compose_sources *s, const char *file)
{
	if (!file)
		return NULL;
	for (size_t i = 0; i < s->len; i++)
		if (strcmp(s->items[i].file, file) == 0)
			return s->items[i].text ? &s->items[i] : NULL;
	s->items = xgrow(s->items, &s->cap, s->len + 1, sizeof(*s->items));
	struct source *src = &s->items[s->len++];
	memset(src, 0, sizeof(*src));
	src->file = xstrdup(file);
	cleanup_error struct quai_error *err = NULL;
	if (quai_file_read(&src->text, &src->len, file, SOURCE_MAX_BYTES, &err) < 0) {
		src->text = NULL;
		return NULL;
	}
	size_t cap = 0;
	src->lines = xgrow(NULL, &cap, 1, sizeof(*src->lines));
	src->lines[src->nlines++] = 0;
	for (size_t i = 0; i < src->len; i++)
		if (src->text[i] == '\n' && i + 1 <= src->len) {
			src->lines = xgrow(src->lines, &cap, src->nlines + 1, sizeof(*src->lines));
			src->lines[src->nlines++] = i + 1;
		}
	return src;
}

/* Line n (1-based) of src as [*start, *start + *len), without its newline. */
static bool source_line(const struct source *src, unsigned n, const char **start, size_t *len)
{
	if (!src->text || n == 0 || n > src->nlines)
		return false;
	size_t a = src->lines[n - 1];
	size_t b = n < src->nlines ? src->lines[n] - 1 : src->len;
	if (b > a && src->text[b - 1] == '\r')
		b--;
	*start = src->text + a;
	*len = b - a;
	return true;
}

/* True when the code list of a pragma (up to the end of the line) names code. */
static bool list_has(const char *list, size_t len, const char *code)
{
	size_t clen = strlen(code);
	const char *end = list + len;
	for (const char *p = list; p < end && *p != '#';) {
		while (p < end && (*p == ',' || *p == ' ' || *p == '\t'))
			p++;
		const char *q = p;
		while (q < end && *q != ',' && *q != ' ' && *q != '\t' && *q != '#')
			q++;
		if ((size_t)(q - p) == clen && strncasecmp(p, code, clen) == 0)
			return true;
		p = q > p ? q : p + 1;
	}
	return false;
}

/* Checks one comment (text after '#', len bytes to the end of the line). */
static bool comment_ignores(const char *text, size_t len, const char *code, bool want_global)
{
	char buf[512];
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	bool global;
	const char *list = quai_lint_pragma_codes(buf, &global);
	return list && global == want_global && list_has(list, strlen(list), code);
}

/* The comment of a line that holds only a comment, or NULL. */
static const char *whole_line_comment(const char *s, size_t len, size_t *clen)
{
	size_t i = 0;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == len || s[i] != '#')
		return NULL;
	*clen = len - i - 1;
	return s + i + 1;
}

/* A pragma in the comment lines right above line n, or at its end. */
static bool ignored_at_line(const struct source *src, unsigned n, const char *code)
{
	const char *s;
	size_t len, clen;
	if (source_line(src, n, &s, &len)) {
		for (size_t i = 1; i < len; i++)
			if (s[i] == '#' && (s[i - 1] == ' ' || s[i - 1] == '\t') &&
			    comment_ignores(s + i + 1, len - i - 1, code, false))
				return true;
	}
	for (unsigned l = n - 1; l >= 1 && source_line(src, l, &s, &len); l--) {
		const char *c = whole_line_comment(s, len, &clen);
		if (!c)
			break;
		if (comment_ignores(c, clen, code, false))
			return true;
	}
	return false;
}

static bool ignored_globally(const struct source *src, const char *code)
{
	const char *s;
	size_t len, clen;
	for (unsigned l = 1; source_line(src, l, &s, &len); l++) {
		const char *c = whole_line_comment(s, len, &clen);
		if (c && comment_ignores(c, clen, code, true))
			return true;
	}
	return false;
}

bool quai_compose_pragma_ignores(struct quai_compose_sources *sources, const char *file, unsigned line,
                                 const struct quai_yaml_node *scope, const char *code)
{
	const struct source *src = source_get(sources, file);
	if (src && (ignored_globally(src, code) || ignored_at_line(src, line, code)))
		return true;
	if (scope && scope->file) {
		const struct source *ssrc = source_get(sources, scope->file);
		if (ssrc && ignored_at_line(ssrc, scope->line, code))
			return true;
	}
	return false;
}

void quai_compose_report(struct quai_compose_lint_ctx *ctx, const struct quai_yaml_node *at, const char *fmt,
                         ...)
{
	const char *code = ctx->rule->code;
	enum quai_lint_level level = quai_lint_config_level(ctx->cfg, code, ctx->rule->level);
	if (level == QUAI_LEVEL_IGNORE)
		return;
	const char *file = at && at->file ? at->file : ctx->scope ? ctx->scope->file : NULL;
	unsigned line = at ? at->line : 1, col = at ? at->col : 1;
	if (!file)
		file = ctx->c->files && ctx->c->files[0] ? ctx->c->files[0] : "compose.yaml";
	if (!ctx->cfg->disable_ignore_pragma &&
	    quai_compose_pragma_ignores(ctx->sources, file, line, ctx->scope, code))
		return;
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	quai_findings_add(ctx->out, file, line, col, level, code, msg);
}

bool quai_compose_interpolated(struct quai_compose_lint_ctx *ctx, const struct quai_yaml_node *at)
{
	const struct source *src = at ? source_get(ctx->sources, at->file) : NULL;
	const char *s;
	size_t len;
	if (!src || !source_line(src, at->line, &s, &len))
		return false;
	size_t i = at->col > 0 && at->col - 1 < len ? at->col - 1 : 0;
	for (; i < len; i++) {
		if (s[i] != '$')
			continue;
		if (i + 1 < len && s[i + 1] == '$') {
			i++;
			continue;
		}
		if (i + 1 < len &&
		    (s[i + 1] == '{' || s[i + 1] == '_' || (s[i + 1] >= 'A' && s[i + 1] <= 'Z') ||
		     (s[i + 1] >= 'a' && s[i + 1] <= 'z')))
			return true;
	}
	return false;
}

const struct quai_yaml_node *quai_compose_scope(const struct quai_compose_lint_ctx *ctx)
{
	return ctx->scope;
}

bool quai_compose_from_compose_file(const struct quai_compose_lint_ctx *ctx,
                                    const struct quai_yaml_node *node)
{
	if (!node || !node->file)
		return false;
	if (!ctx->c->files)
		return true;
	for (char **f = ctx->c->files; *f; f++)
		if (strcmp(*f, node->file) == 0)
			return true;
	return false;
}

static bool rule_on(const struct quai_lint_config *cfg, const struct quai_compose_rule *r)
{
	return quai_lint_config_level(cfg, r->code, r->level) != QUAI_LEVEL_IGNORE;
}

void quai_compose_lint_with(struct quai_findings *out, const struct quai_compose *c,
                            const struct quai_lint_config *cfg, struct quai_compose_sources *sources)
{
	const struct quai_yaml_node *services = quai_yaml_get(c->model, "services");
	if (!services || services->type != QUAI_YAML_MAP)
		return;
	struct quai_compose_lint_ctx ctx = {.out = out, .cfg = cfg, .c = c, .sources = sources};
	for (size_t i = 0; i < services->n; i++) {
		const struct quai_yaml_pair *p = &services->pairs[i];
		const char *name = quai_yaml_str(p->key);
		if (!name || p->value->type != QUAI_YAML_MAP)
			continue;
		ctx.scope = p->key;
		for (const struct quai_compose_rule *r = quai_compose_rules; r->code; r++) {
			if (!rule_on(cfg, r))
				continue;
			ctx.rule = r;
			r->check(&ctx, name, p->value, c->model);
		}
	}
}

void quai_compose_lint(struct quai_findings *out, const struct quai_compose *c,
                       const struct quai_lint_config *cfg)
{
	struct quai_compose_sources *sources = quai_compose_sources_new();
	quai_compose_lint_with(out, c, cfg, sources);
	quai_compose_sources_free(sources);
}

/* QC1000 is reported by the loader; listed here with the rules. */
static const struct quai_lint_rule_info loader_rule = {
    "QC1000", QUAI_LEVEL_ERROR,
    "Invalid compose file: docker compose would refuse it (schema, types, references, interpolation)"};

const struct quai_lint_rule_info *quai_compose_lint_rules(size_t *n)
{
	static struct quai_lint_rule_info *infos;
	static size_t ninfos;
	if (!infos) {
		size_t count = 1;
		for (const struct quai_compose_rule *r = quai_compose_rules; r->code; r++)
			count++;
		infos = xcalloc(count, sizeof(*infos));
		infos[ninfos++] = loader_rule;
		for (const struct quai_compose_rule *r = quai_compose_rules; r->code; r++)
			infos[ninfos++] = (struct quai_lint_rule_info){r->code, r->level, r->summary};
	}
	*n = ninfos;
	return infos;
}
