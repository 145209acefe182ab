/* Questions lint rules ask about one simple command: its name, arguments
 * and flags, read the way hadolint reads them ("-qy" holds the flags q and
 * y, "--flag=value" the flag "flag", "-" is an argument). */
#include "shell/shell.h"

#include <string.h>

#include "core/banned.h"

static const char *arg(const struct quai_sh_cmd *cmd, size_t i)
{
	return cmd->argv[i].text ? cmd->argv[i].text : "";
}

/* strcmp(a, b) == 0 without a call: arguments are short. */
static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static bool is_ddash(const char *t)
{
	return t[0] == '-' && t[1] == '-' && t[2] == '\0';
}

static bool is_flag_word(const char *t)
{
	return t[0] == '-' && t[1] != '\0';
}

static bool is_long(const char *t)
{
	return t[0] == '-' && t[1] == '-';
}

/* True if the long flag word t ("--name" or "--name=value") is `flag`. */
static bool long_is(const char *t, const char *flag, size_t flen)
{
	return strncmp(t + 2, flag, flen) == 0 && (t[2 + flen] == '\0' || t[2 + flen] == '=');
}

/* Callers may write a flag as "y", "-y" or "--no-cache": the name counts. */
static const char *strip_dashes(const char *flag)
{
	while (*flag == '-')
		flag++;
	return flag;
}

/* True if the flag named by name[0..n) is in the NULL-terminated list. */
static bool listed(const char *name, size_t n, const char *const *list)
{
	for (; list && *list; list++) {
		const char *f = strip_dashes(*list);
		if (strlen(f) == n && strncmp(f, name, n) == 0)
			return true;
	}
	return false;
}

const char *quai_sh_cmd_name_of_argv(const struct quai_sh_cmd *cmd)
{
	const char *name = arg(cmd, 0);
	const char *slash = strrchr(name, '/');
	return slash ? slash + 1 : name;
}

bool quai_sh_cmd_has_arg(const struct quai_sh_cmd *cmd, const char *a)
{
	for (size_t i = 1; i < cmd->argc; i++)
		if (streq(arg(cmd, i), a))
			return true;
	return false;
}

bool quai_sh_cmd_has_arg_prefix(const struct quai_sh_cmd *cmd, const char *prefix)
{
	size_t n = strlen(prefix);
	for (size_t i = 1; i < cmd->argc; i++)
		if (strncmp(arg(cmd, i), prefix, n) == 0)
			return true;
	return false;
}

bool quai_sh_cmd_has_flag(const struct quai_sh_cmd *cmd, const char *flag)
{
	flag = strip_dashes(flag);
	size_t flen = strlen(flag);
	if (flen == 0)
		return false;
	for (size_t i = 1; i < cmd->argc; i++) {
		const char *t = arg(cmd, i);
		if (is_ddash(t))
			return false;
		if (!is_flag_word(t))
			continue;
		if (is_long(t)) {
			if (long_is(t, flag, flen))
				return true;
		} else if (flen == 1 && strchr(t + 1, flag[0])) {
			return true;
		}
	}
	return false;
}

/* The value of `flag` in the word at argv[*i], or NULL; *i moves past a
 * value taken from the next word. At "--", *i becomes argc. */
static const char *value_at(const struct quai_sh_cmd *cmd, size_t *i, const char *flag, size_t flen)
{
	const char *t = arg(cmd, *i);
	const char *value = NULL;
	if (is_ddash(t)) {
		*i = cmd->argc;
		return NULL;
	}
	if (!is_flag_word(t))
		return NULL;
	if (is_long(t)) {
		if (!long_is(t, flag, flen))
			return NULL;
		value = t + 2 + flen;
		if (*value == '=')
			return value + 1;
	} else {
		value = flen == 1 ? strchr(t + 1, flag[0]) : NULL;
		if (!value)
			return NULL;
		if (value[1] != '\0')
			return value + 1;
	}
	if (*i + 1 >= cmd->argc)
		return "";
	return arg(cmd, ++*i);
}

const char *quai_sh_cmd_flag_value(const struct quai_sh_cmd *cmd, const char *flag)
{
	flag = strip_dashes(flag);
	size_t flen = strlen(flag);
	for (size_t i = 1; flen && i < cmd->argc; i++) {
		const char *value = value_at(cmd, &i, flag, flen);
		if (value)
			return value;
	}
	return NULL;
}

size_t quai_sh_cmd_flag_values(const struct quai_sh_cmd *cmd, const char *flag, const char **out)
{
	flag = strip_dashes(flag);
	size_t flen = strlen(flag);
	size_t n = 0;
	for (size_t i = 1; flen && i < cmd->argc; i++) {
		const char *value = value_at(cmd, &i, flag, flen);
		if (value)
			out[n++] = value;
	}
	return n;
}

bool quai_sh_cmd_is_pip_install(const struct quai_sh_cmd *cmd)
{
	const char *name = quai_sh_cmd_name(cmd);
	if (strncmp(name, "pip", 3) == 0)
		return quai_sh_cmd_has_arg(cmd, "install");
	if (strncmp(name, "python", 6) != 0)
		return false;
	for (size_t i = 1; i + 2 < cmd->argc; i++)
		if (streq(arg(cmd, i), "-m") && streq(arg(cmd, i + 1), "pip") && streq(arg(cmd, i + 2), "install"))
			return true;
	return false;
}

/* True if the flag word t is one of `value_flags` and its value is the next word. */
static bool takes_next(const char *t, const char *const *value_flags)
{
	if (is_long(t))
		return !strchr(t, '=') && listed(t + 2, strlen(t + 2), value_flags);
	for (const char *c = t + 1; *c; c++)
		if (listed(c, 1, value_flags))
			return c[1] == '\0';
	return false;
}

size_t quai_sh_cmd_args_noflags_skip(const struct quai_sh_cmd *cmd, const char *const *value_flags,
                                     const char **out)
{
	size_t n = 0;
	bool operands = false;
	for (size_t i = 1; i < cmd->argc; i++) {
		const char *t = arg(cmd, i);
		if (!operands && is_ddash(t)) {
			operands = true;
			continue;
		}
		if (!operands && is_flag_word(t)) {
			if (value_flags && takes_next(t, value_flags))
				i++;
			continue;
		}
		out[n++] = t;
	}
	return n;
}

size_t quai_sh_cmd_args_noflags(const struct quai_sh_cmd *cmd, const char **out)
{
	return quai_sh_cmd_args_noflags_skip(cmd, NULL, out);
}

bool quai_sh_script_uses(const struct quai_sh_script *script, const char *name)
{
	for (size_t i = 0; script && i < script->ncmds; i++)
		if (quai_sh_cmd_is(&script->cmds[i], name))
			return true;
	return false;
}
