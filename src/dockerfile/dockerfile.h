/* The Dockerfile parser: the whole Dockerfile reference as BuildKit's frontend
 * accepts it, into a tree where every node keeps its line and column.
 *
 * Parsing never stops at the first problem and never fails on bad input: what
 * docker would refuse is recorded as a diagnostic (`diags`) and parsing goes
 * on with the next instruction. */
#ifndef QUAI_DOCKERFILE_H
#define QUAI_DOCKERFILE_H

#include <stdbool.h>
#include <stddef.h>

enum quai_df_kind {
	QUAI_DF_UNKNOWN = 0, /* an unknown instruction (also a diagnostic) */
	QUAI_DF_ADD,
	QUAI_DF_ARG,
	QUAI_DF_CMD,
	QUAI_DF_COPY,
	QUAI_DF_ENTRYPOINT,
	QUAI_DF_ENV,
	QUAI_DF_EXPOSE,
	QUAI_DF_FROM,
	QUAI_DF_HEALTHCHECK,
	QUAI_DF_LABEL,
	QUAI_DF_MAINTAINER,
	QUAI_DF_ONBUILD,
	QUAI_DF_RUN,
	QUAI_DF_SHELL,
	QUAI_DF_STOPSIGNAL,
	QUAI_DF_USER,
	QUAI_DF_VOLUME,
	QUAI_DF_WORKDIR,
	QUAI_DF_KIND_COUNT,
};

/* 1-based line; 1-based column counted in bytes of the physical line. */
struct quai_df_pos {
	unsigned line;
	unsigned col;
};

/* `--name=value` or `--name` before the arguments. */
struct quai_df_flag {
	char *name;  /* without the leading "--" */
	char *value; /* NULL when written without '=' */
	struct quai_df_pos pos;
};

/* A heredoc opened by `<<WORD`, `<<-WORD`, `<<"WORD"` or `<<'WORD'`. */
struct quai_df_heredoc {
	char *delim;     /* the delimiter, quotes removed */
	char *body;      /* the lines between, each ending in '\n'; tabs stripped for <<- */
	bool strip_tabs; /* <<- */
	bool expand;     /* false when the delimiter was quoted */
	struct quai_df_pos pos; /* of the "<<" */
	unsigned body_line;     /* line of the first body line */
	unsigned end_line;      /* line of the closing delimiter (0 if unterminated) */
};

/* A key/value pair of ENV, LABEL or ARG. Quotes and escapes are removed from
 * key and value as docker does; variables are not expanded. */
struct quai_df_kv {
	char *key;
	char *value;   /* NULL for `ARG name` without a default */
	bool has_eq;   /* written as key=value (false for legacy `ENV key value`) */
	struct quai_df_pos pos;
};

/* A word of the arguments, as docker splits shell-form arguments of FROM,
 * COPY, ADD, EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL: by whitespace, with
 * quotes kept in `raw` and removed in `text`. Docker does not split the
 * arguments of USER, WORKDIR, STOPSIGNAL and MAINTAINER: they are one word.
 * HEALTHCHECK has one word, its type (CMD or NONE). In `text`, quotes and
 * escapes are removed as docker's lexer removes them, variables are kept as
 * written ("$HOME"); use quai_df_expand() on `raw` to expand them. */
struct quai_df_word {
	char *text;
	char *raw;
	struct quai_df_pos pos;
};

struct quai_df_instr {
	enum quai_df_kind kind;
	char *keyword;          /* as written, original case */
	struct quai_df_pos pos; /* of the keyword */
	unsigned end_line;      /* last physical line, heredoc bodies included */
	size_t raw_off, raw_len; /* the instruction's bytes in quai_dockerfile.src */

	/* The arguments after the flags, continuation lines joined (escape +
	 * newline removed, comment lines inside dropped), leading and trailing
	 * whitespace trimmed. Heredoc bodies are not in it. */
	char *args_text;
	struct quai_df_pos args_pos;

	struct quai_df_flag *flags;
	size_t nflags;

	/* JSON (exec) form: RUN, CMD, ENTRYPOINT, SHELL, VOLUME, COPY, ADD.
	 * Set only when args_text is a valid JSON array of strings; otherwise the
	 * instruction is in shell form, as docker falls back to it. */
	bool json;
	char **json_args;
	size_t njson_args;

	/* Whitespace-split words of args_text (not for RUN/CMD/ENTRYPOINT shell
	 * form, whose command is args_text itself). For COPY/ADD: sources then
	 * destination (JSON form fills these too). */
	struct quai_df_word *words;
	size_t nwords;

	/* ENV, LABEL, ARG pairs in order. */
	struct quai_df_kv *kvs;
	size_t nkvs;

	/* Heredocs opened on this instruction's line(s), in order. For ONBUILD
	 * they belong to the trigger (instr->onbuild). */
	struct quai_df_heredoc *heredocs;
	size_t nheredocs;

	/* FROM: image reference (flags removed), stage name after AS (or NULL). */
	char *from_image;
	char *from_alias;

	/* HEALTHCHECK: true for NONE. For CMD, `healthcheck_cmd` is the CMD
	 * instruction that follows (its args_text/json fields), flags stay here. */
	bool healthcheck_none;
	struct quai_df_instr *healthcheck_cmd;

	/* ONBUILD: the trigger instruction. */
	struct quai_df_instr *onbuild;

	/* Index of the stage this instruction belongs to; -1 before the first FROM. */
	int stage;
};

/* A build stage: a FROM and what follows it until the next FROM. */
struct quai_df_stage {
	char *name;          /* alias after AS, or NULL; owned by the FROM instruction */
	char *image;         /* owned by the FROM instruction */
	size_t from_index;   /* index of its FROM in quai_dockerfile.instrs */
	size_t end_index;    /* one past its last instruction */
};

/* A comment line. Comment lines inside a continuation are not listed (docker
 * drops them), nor are parser directives. */
struct quai_df_comment {
	char *text; /* after '#', leading and trailing whitespace trimmed */
	struct quai_df_pos pos;
	size_t next_instr; /* index of the instruction that follows, or ninstrs */
};

/* A parser directive at the top of the file: `# syntax=`, `# escape=`, `# check=`. */
struct quai_df_directive {
	char *name; /* lowercase */
	char *value;
	struct quai_df_pos pos;
};

/* Something docker would refuse: a syntax error. */
struct quai_df_diag {
	struct quai_df_pos pos;
	char *message; /* lowercase, says what is wrong and what to do */
};

struct quai_dockerfile {
	char *name;   /* file name as given, for messages */
	char *src;    /* the bytes as read (BOM kept; positions count from after it) */
	size_t src_len;
	char escape;  /* '\\' or '`' */
	/* Internal: blocks holding strings of the tree (keywords, arguments,
	 * raw words, flags, images, comments), freed all at once. */
	struct quai_df_strings *strings;

	struct quai_df_instr *instrs;
	size_t ninstrs;
	struct quai_df_stage *stages;
	size_t nstages;
	struct quai_df_comment *comments;
	size_t ncomments;
	struct quai_df_directive *directives;
	size_t ndirectives;
	struct quai_df_diag *diags;
	size_t ndiags;
};

/* Parses `len` bytes of `src` (not necessarily NUL-terminated; may contain
 * NUL bytes, which are a diagnostic) named `name`. Always succeeds: problems
 * are diagnostics. Release with quai_dockerfile_release(). */
void quai_dockerfile_parse(struct quai_dockerfile *out, const char *name, const char *src, size_t len);
void quai_dockerfile_release(struct quai_dockerfile *df);

/* Raw text of an instruction as written (continuations and heredocs
 * included); owned by df. Not NUL-terminated: use instr->raw_len. */
const char *quai_dockerfile_raw(const struct quai_dockerfile *df, const struct quai_df_instr *instr);

/* Instruction name in upper case ("FROM"), "" for unknown. */
const char *quai_df_kind_name(enum quai_df_kind kind);
/* Looks up a keyword case-insensitively; QUAI_DF_UNKNOWN if none. */
enum quai_df_kind quai_df_kind_from_name(const char *name, size_t len);
/* True if docker expands build variables in this instruction's arguments:
 * ADD COPY ENV EXPOSE FROM LABEL STOPSIGNAL USER VOLUME WORKDIR, and ARG
 * (BuildKit expands ARG names and defaults). False for ONBUILD (its trigger
 * is expanded in the child image) and RUN/CMD/ENTRYPOINT (left to the
 * shell). */
bool quai_df_kind_expands(enum quai_df_kind kind);

/* First flag named `name` (without "--"), or NULL. */
const struct quai_df_flag *quai_df_instr_flag(const struct quai_df_instr *instr, const char *name);
/* Stage index whose alias equals `name` (case-insensitively, as docker), or -1. */
int quai_dockerfile_stage_by_name(const struct quai_dockerfile *df, const char *name);

/* Variable substitution as docker does it: $VAR, ${VAR}, ${VAR:-x},
 * ${VAR-x}, ${VAR:+x}, ${VAR+x}, ${VAR:?msg}, ${VAR?msg}, escaped \$ (or `$
 * with the backtick escape). `lookup` returns the value of a variable or NULL
 * when unset. On success returns 0 and stores a new string in *out (caller
 * frees). Returns -1 with *errmsg (caller frees) for a malformed reference
 * or a failed `?` check. Names of variables referenced but unset are passed
 * to `on_unset` when it is not NULL. */
struct quai_df_vars {
	const char *(*lookup)(void *ctx, const char *name);
	void (*on_unset)(void *ctx, const char *name);
	void *ctx;
};
int quai_df_expand(char **out, char **errmsg, const char *word, char escape, const struct quai_df_vars *vars);

#endif
