/* A POSIX shell reader for the scripts of RUN instructions and heredocs: it
 * finds the simple commands a script runs, with their words, so that lint
 * rules can ask "does this script run `apt-get install` without -y?".
 *
 * It is not an interpreter. Compound commands (if/then/fi, for/while/do/done,
 * case, { }, ( ), functions) are flattened: the simple commands inside them
 * are listed in order. Command substitutions $(...) and `...` are parsed too
 * and their commands listed after the command that contains them. Parsing
 * never fails: unterminated quotes end at the end of input.
 *
 * Details a rule may care about: `[ ... ]` is a command named "[";
 * `[[ ... ]]` and `(( ))` are not commands, though substitutions inside
 * `[[ ]]` are listed; `!` is dropped; `time`, `exec`, `sudo` are commands
 * like any other; redirections are dropped with their targets; a
 * here-document marker is dropped, and its body skipped only when the
 * delimiter line is in the script (the Dockerfile parser has already taken
 * the bodies of RUN's own here-documents out). */
#ifndef QUAI_SHELL_H
#define QUAI_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct quai_sh_word {
	char *text;         /* quotes and backslashes removed; expansions kept as written */
	size_t off;         /* byte offset of the word in the parsed script */
	bool quoted;        /* some part was quoted */
	bool has_expansion; /* contains an unquoted or double-quoted $ or ` */
};

enum quai_sh_sep {
	QUAI_SH_SEP_END = 0, /* end of script or of a list */
	QUAI_SH_SEP_SEMI,    /* ; or newline */
	QUAI_SH_SEP_AND,     /* && */
	QUAI_SH_SEP_OR,      /* || */
	QUAI_SH_SEP_PIPE,    /* | or |& */
	QUAI_SH_SEP_BG,      /* & */
};

struct quai_sh_cmd {
	/* argv[0] is the command name, after leading assignments (FOO=bar cmd)
	 * and redirections are removed; argc is 0 for a bare assignment. */
	struct quai_sh_word *argv;
	size_t argc;
	struct quai_sh_word *assigns; /* leading NAME=value words */
	size_t nassigns;
	enum quai_sh_sep sep; /* what follows this command */
	bool piped_into;      /* the previous command's output is piped into it */
	int depth;            /* 0 at top level, +1 inside each $( ) or ` ` */
	const char *name;     /* argv[0] without a leading path, "" if argc is 0 */
};

struct quai_sh_script {
	struct quai_sh_cmd *cmds;
	size_t ncmds;
	bool has_pipe; /* some pipeline of two or more commands */
	/* Bloom filters of the command names and of their first three bytes
	 * (quai_sh_bloom_*): a script without a name's bits runs no command
	 * of that name. All zero when unknown. */
	uint64_t name_bits[4];
	uint64_t prefix_bits[4];
};

/* FNV-1a of n bytes of s, for the Bloom filters of quai_sh_script. */
static inline uint32_t quai_sh_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n && s[i]; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static inline void quai_sh_bloom_add(uint64_t bits[4], uint32_t h)
{
	bits[(h >> 6) & 3] |= (uint64_t)1 << (h & 63);
	bits[(h >> 14) & 3] |= (uint64_t)1 << ((h >> 8) & 63);
}

static inline bool quai_sh_bloom_has(const uint64_t bits[4], uint32_t h)
{
	if (!(bits[0] | bits[1] | bits[2] | bits[3]))
		return true; /* unknown */
	return (bits[(h >> 6) & 3] >> (h & 63) & 1) && (bits[(h >> 14) & 3] >> ((h >> 8) & 63) & 1);
}

/* False only if no command of the script is named one of `names` (NULL-
 * terminated): lets a rule skip a script without looking at its commands. */
static inline bool quai_sh_script_may_run(const struct quai_sh_script *script, const char *const *names)
{
	for (; *names; names++)
		if (quai_sh_bloom_has(script->name_bits, quai_sh_hash(*names, (size_t)-1)))
			return true;
	return false;
}

/* Same for names that start with one of `prefixes` (of three bytes or
 * more; only the first three count). */
static inline bool quai_sh_script_may_run_prefix(const struct quai_sh_script *script,
						 const char *const *prefixes)
{
	for (; *prefixes; prefixes++)
		if (!(*prefixes)[0] || !(*prefixes)[1] || !(*prefixes)[2] ||
		    quai_sh_bloom_has(script->prefix_bits, quai_sh_hash(*prefixes, 3)))
			return true;
	return false;
}

/* Parses `len` bytes of `src`. Always succeeds; release with quai_sh_script_release(). */
void quai_sh_parse(struct quai_sh_script *out, const char *src, size_t len);
void quai_sh_script_release(struct quai_sh_script *script);

/* quai_sh_cmd_name() of a command not made by quai_sh_parse(). */
const char *quai_sh_cmd_name_of_argv(const struct quai_sh_cmd *cmd);
/* Command name without a leading path ("/usr/bin/apt-get" -> "apt-get");
 * "" for a bare assignment. Inline: rules ask it of every command. */
static inline const char *quai_sh_cmd_name(const struct quai_sh_cmd *cmd)
{
	if (!cmd || cmd->argc == 0)
		return "";
	return cmd->name ? cmd->name : quai_sh_cmd_name_of_argv(cmd);
}
/* True if the command's name is `name`. Inline: rules ask it of every
 * command for many names. */
static inline bool quai_sh_cmd_is(const struct quai_sh_cmd *cmd, const char *name)
{
	if (!cmd || cmd->argc == 0)
		return false;
	const char *a = quai_sh_cmd_name(cmd);
	while (*a && *a == *name)
		a++, name++;
	return *a == *name;
}

/* True if some argument (argv[1..]) equals `arg`. */
bool quai_sh_cmd_has_arg(const struct quai_sh_cmd *cmd, const char *arg);
/* True if the command has flag `flag`: a single letter matches "-x" and
 * bundled short flags ("-qy" has 'y'); a longer name matches "--flag" and
 * "--flag=value". Arguments after "--" are not flags. Leading dashes of
 * `flag` are ignored ("-y" is "y"). */
bool quai_sh_cmd_has_flag(const struct quai_sh_cmd *cmd, const char *flag);
/* Value of a flag: "--flag=value", "--flag value", "-f value", "-fvalue";
 * NULL if absent. The returned string is owned by cmd. For "--flag value" and
 * "-f value" forms the value is the next word. */
const char *quai_sh_cmd_flag_value(const struct quai_sh_cmd *cmd, const char *flag);
/* Arguments that are not flags, in order (argv[1..] minus words starting
 * with '-', though "-" alone is an argument, and after "--" everything):
 * fills `out` (an array of at least argc pointers into cmd) and returns how
 * many. */
size_t quai_sh_cmd_args_noflags(const struct quai_sh_cmd *cmd, const char **out);
/* Like quai_sh_cmd_args_noflags(), but also leaves out the word that follows
 * a flag of `value_flags` (a NULL-terminated list of names as for
 * quai_sh_cmd_has_flag) written without an attached value: with "t",
 * "apt-get install -t bookworm foo" gives "install", "foo". */
size_t quai_sh_cmd_args_noflags_skip(const struct quai_sh_cmd *cmd, const char *const *value_flags,
                                     const char **out);
/* Every value of a flag, as quai_sh_cmd_flag_value() finds them, in order
 * ("useradd -u 1 -u 2" gives "1", "2"): fills `out` (at least argc pointers
 * into cmd) and returns how many. */
size_t quai_sh_cmd_flag_values(const struct quai_sh_cmd *cmd, const char *flag, const char **out);
/* True for "pip* ... install ..." and "python* ... -m pip install ...". */
bool quai_sh_cmd_is_pip_install(const struct quai_sh_cmd *cmd);
/* True if some argument (argv[1..]) starts with `prefix`. */
bool quai_sh_cmd_has_arg_prefix(const struct quai_sh_cmd *cmd, const char *prefix);
/* True if some command of the script, at any depth, is named `name`. */
bool quai_sh_script_uses(const struct quai_sh_script *script, const char *name);

#endif
