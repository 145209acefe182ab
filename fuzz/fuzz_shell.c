/* Fuzz target for the shell reader: parses the input as a RUN script and
 * asks every helper the lint rules ask about each command. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "shell/shell.h"
#include "core/xalloc.h"
#include "core/banned.h"

static const char *const names[] = {"apt-get", "apt", "pip", "npm", "curl", "wget", "cd", "sudo", ""};
static const char *const flags[] = {
    "y", "q", "o", "f", "-", "yes", "no-install-recommends", "output", "no-cache-dir", "O", "",
};

static const char *const value_flags[] = {"t", "o", "target-release", "u", NULL};

static size_t probe(const struct quai_sh_cmd *cmd, size_t size)
{
	size_t sum = 0;
	const char *name = quai_sh_cmd_name(cmd);
	if (name)
		sum += strlen(name);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		sum += quai_sh_cmd_is(cmd, names[i]);
		sum += quai_sh_cmd_has_arg(cmd, names[i]);
	}
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		sum += quai_sh_cmd_has_flag(cmd, flags[i]);
		const char *v = quai_sh_cmd_flag_value(cmd, flags[i]);
		if (v)
			sum += strlen(v);
	}
	sum += quai_sh_cmd_is_pip_install(cmd);
	sum += quai_sh_cmd_has_arg_prefix(cmd, "--");
	sum += quai_sh_cmd_has_arg_prefix(cmd, "");
	const char **args = xcalloc(cmd->argc + 1, sizeof(*args));
	size_t n = quai_sh_cmd_args_noflags(cmd, args);
	for (size_t i = 0; i < n; i++)
		sum += strlen(args[i]);
	n = quai_sh_cmd_args_noflags_skip(cmd, value_flags, args);
	for (size_t i = 0; i < n; i++)
		sum += strlen(args[i]);
	for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
		n = quai_sh_cmd_flag_values(cmd, flags[k], args);
		for (size_t i = 0; i < n; i++)
			sum += strlen(args[i]);
	}
	free(args);
	for (size_t i = 0; i < cmd->argc; i++) {
		/* a word's offset points into the script */
		if (cmd->argv[i].off > size)
			abort();
		sum += strlen(cmd->argv[i].text);
	}
	for (size_t i = 0; i < cmd->nassigns; i++)
		sum += strlen(cmd->assigns[i].text);
	return sum + (size_t)cmd->sep + (size_t)cmd->depth;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct quai_sh_script script;
	quai_sh_parse(&script, (const char *)data, size);
	volatile size_t sum = script.has_pipe;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		sum += quai_sh_script_uses(&script, names[i]);
	for (size_t i = 0; i < script.ncmds; i++)
		sum += probe(&script.cmds[i], size);
	(void)sum;
	quai_sh_script_release(&script);
	return 0;
}
