#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xalloc.h"
#include "lint/lint.h"

static const char *const level_names[] = {
	[QUAI_LEVEL_ERROR] = "error",   [QUAI_LEVEL_WARNING] = "warning", [QUAI_LEVEL_INFO] = "info",
	[QUAI_LEVEL_STYLE] = "style",   [QUAI_LEVEL_IGNORE] = "ignore",   [QUAI_LEVEL_NONE] = "none",
};

const char *quai_lint_level_name(enum quai_lint_level level)
{
	if ((unsigned)level > QUAI_LEVEL_NONE)
		return "none";
	return level_names[level];
}

int quai_lint_level_parse(const char *s)
{
	for (int i = 0; i <= QUAI_LEVEL_NONE; i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

static struct quai_finding *add(struct quai_findings *f, const char *file, unsigned line, unsigned col,
				 enum quai_lint_level level, const char *code)
{
	f->items = xgrow(f->items, &f->cap, f->len + 1, sizeof(*f->items));
	size_t i = f->len++;
	struct quai_finding *it = &f->items[i];
	if (!file)
		file = "-";
	/* Findings come file after file: keep one copy of each name. */
	char *prev = i > 0 ? f->items[i - 1].file : NULL;
	it->shares_file = prev && strcmp(prev, file) == 0;
	it->file = it->shares_file ? prev : xstrdup(file);
	it->line = line;
	it->col = col;
	it->level = level;
	size_t n = strlen(code);
	if (n >= sizeof(it->code))
		n = sizeof(it->code) - 1;
	memcpy(it->code, code, n);
	it->code[n] = '\0';
	return it;
}

void quai_findings_add(struct quai_findings *f, const char *file, unsigned line, unsigned col,
		       enum quai_lint_level level, const char *code, const char *message)
{
	struct quai_finding *it = add(f, file, line, col, level, code);
	it->message = xstrdup(message);
	it->static_message = false;
}

void quai_findings_add_static(struct quai_findings *f, const char *file, unsigned line, unsigned col,
			      enum quai_lint_level level, const char *code, const char *message)
{
	struct quai_finding *it = add(f, file, line, col, level, code);
	it->message = (char *)message; /* never written nor freed: static_message */
	it->static_message = true;
}

static int cmp_finding(const void *pa, const void *pb)
{
	const struct quai_finding *a = pa, *b = pb;
	int c = strcmp(a->file, b->file);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return strcmp(a->code, b->code);
}

static int cmp_in_file(const void *pa, const void *pb)
{
	const struct quai_finding *a = pa, *b = pb;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return strcmp(a->code, b->code);
}

/* Findings come file after file, and usually the files are already in
 * order: then only each file's run needs sorting, without comparing file
 * names over and over. qsort is glibc's stable merge sort here, so sorting
 * runs gives the very order one sort of everything would. */
void quai_findings_sort(struct quai_findings *f)
{
	if (f->len < 2)
		return;
	for (size_t i = 1; i < f->len; i++) {
		if (strcmp(f->items[i - 1].file, f->items[i].file) > 0) {
			qsort(f->items, f->len, sizeof(*f->items), cmp_finding);
			return;
		}
	}
	size_t start = 0;
	for (size_t i = 1; i <= f->len; i++) {
		if (i < f->len && strcmp(f->items[start].file, f->items[i].file) == 0)
			continue;
		if (i - start > 1)
			qsort(f->items + start, i - start, sizeof(*f->items), cmp_in_file);
		start = i;
	}
}

void quai_findings_release(struct quai_findings *f)
{
	for (size_t i = 0; i < f->len; i++) {
		if (!f->items[i].shares_file)
			free(f->items[i].file);
		if (!f->items[i].static_message)
			free(f->items[i].message);
	}
	free(f->items);
	f->items = NULL;
	f->len = f->cap = 0;
}

bool quai_lint_failed(const struct quai_findings *f, const struct quai_lint_config *cfg)
{
	if (cfg->no_fail || cfg->failure_threshold >= QUAI_LEVEL_IGNORE)
		return false;
	for (size_t i = 0; i < f->len; i++)
		if (f->items[i].level <= cfg->failure_threshold)
			return true;
	return false;
}
