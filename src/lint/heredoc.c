#include "lint/heredoc.h"

#include <string.h>

bool quai_lint_heredoc_prog(const char *args, const char **prog, size_t *len)
{
	args += strspn(args, " \t");
	*prog = args;
	*len = 0;
	if (strncmp(args, "<<", 2) == 0)
		return true;
	size_t n = strcspn(args, " \t");
	const char *rest = args + n;
	rest += strspn(rest, " \t");
	if (n == 0 || strncmp(rest, "<<", 2) != 0)
		return false;
	const char *base = args;
	for (size_t i = 0; i < n; i++)
		if (args[i] == '/')
			base = args + i + 1;
	*prog = base;
	*len = n - (size_t)(base - args);
	return true;
}
