#include <string.h>

#include "lint/lint.h"

int quai_lint_format_parse(const char *s)
{
	static const char *const names[] = { "tty", "json", "sarif", "checkstyle", "gitlab_codeclimate", "gnu" };
	for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

void quai_lint_write(FILE *out, enum quai_lint_format format, const struct quai_findings *f, bool color,
		     const struct quai_dockerfile *const *sources, size_t nsources)
{
	(void)format;
	(void)color;
	(void)sources;
	(void)nsources;
	for (size_t i = 0; i < f->len; i++) {
		const struct quai_finding *it = &f->items[i];
		fprintf(out, "%s:%u:%u: %s: %s %s\n", it->file, it->line, it->col, quai_lint_level_name(it->level),
			it->code, it->message);
	}
}
