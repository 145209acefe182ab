#include <string.h>

#include "shell/shell.h"

void quai_sh_parse(struct quai_sh_script *out, const char *src, size_t len)
{
	(void)src;
	(void)len;
	memset(out, 0, sizeof(*out));
}

void quai_sh_script_release(struct quai_sh_script *script)
{
	memset(script, 0, sizeof(*script));
}
