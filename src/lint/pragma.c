#include "lint/pragma.h"

#include <string.h>
#include <strings.h>

const char *quai_lint_pragma_codes(const char *text, bool *global)
{
	const char *p = text;
	while (*p == ' ' || *p == '\t')
		p++;
	/* most comments are prose: look at the first letter before the word */
	char c = (char)(*p | 0x20);
	if (c != 'h' && c != 'q')
		return NULL;
	if (strncasecmp(p, "hadolint", 8) == 0)
		p += 8;
	else if (strncasecmp(p, "quai", 4) == 0)
		p += 4;
	else
		return NULL;
	if (*p != ' ' && *p != '\t')
		return NULL;
	p += strspn(p, " \t");
	*global = strncasecmp(p, "global", 6) == 0 && (p[6] == ' ' || p[6] == '\t');
	if (*global)
		p += 6 + strspn(p + 6, " \t");
	if (strncasecmp(p, "ignore", 6) != 0)
		return NULL;
	p += 6;
	p += strspn(p, " \t");
	if (*p != '=')
		return NULL;
	return p + 1 + strspn(p + 1, " \t");
}

bool quai_lint_pragma_lists(const char *list, const char *code)
{
	size_t clen = strlen(code);
	for (const char *p = list; *p && *p != '#';) {
		p += strspn(p, ", \t");
		size_t n = strcspn(p, ", \t#");
		if (n == clen && strncasecmp(p, code, n) == 0)
			return true;
		p += n;
	}
	return false;
}

bool quai_lint_pragma_ignores(const struct quai_dockerfile *df, size_t instr, const char *code)
{
	for (size_t i = 0; i < df->ncomments; i++) {
		bool global;
		const char *list = df->comments[i].text ? quai_lint_pragma_codes(df->comments[i].text, &global) : NULL;
		if (!list || (!global && df->comments[i].next_instr != instr))
			continue;
		if (quai_lint_pragma_lists(list, code))
			return true;
	}
	return false;
}
