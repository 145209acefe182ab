/* Internals shared by the files of src/dockerfile/: not part of the module's
 * interface (that is dockerfile.h). */
#ifndef QUAI_DOCKERFILE_INTERNAL_H
#define QUAI_DOCKERFILE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "core/buf.h"
#include "dockerfile/dockerfile.h"

/* A piece of a logical line copied from one physical line: the logical
 * offset `log` holds the byte at source offset `src`. */
struct df_seg {
	size_t log;
	size_t src;
	size_t line_start; /* source offset of the physical line's first byte (after a BOM) */
	unsigned line;
};

/* A logical line: physical lines joined by continuations, as BuildKit
 * joins them, with a map back to the source. */
struct df_line {
	struct quai_buf text;
	struct df_seg *segs;
	size_t nsegs, segcap;
	bool indented; /* its first physical line started with whitespace */
};

struct df_parser {
	struct quai_dockerfile *df;
	const char *src;
	size_t len;
	size_t off;    /* next unread byte */
	unsigned line; /* number of the last line read */
	bool directives_done;
	bool labs; /* a `# syntax=` directive names a labs frontend */
	size_t pending_comments; /* first comment whose next_instr is not set yet */
	size_t instrcap, stagecap, commentcap, directivecap, diagcap;
};

/* A physical line: [start, end) without its line ending. */
struct df_pline {
	size_t start, end;
	unsigned line;
};

bool df_read_line(struct df_parser *p, struct df_pline *out);

/* A copy of s[0..n) (NUL-terminated) kept in the tree's string blocks: one
 * allocation for many strings, all freed by quai_dockerfile_release().
 * Such strings are never freed one by one. */
char *df_strndup(struct df_parser *p, const char *s, size_t n);
char *df_strdup(struct df_parser *p, const char *s);

void df_diag(struct df_parser *p, struct quai_df_pos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* True once no more diagnostics are recorded: skip the work of making one. */
bool df_diags_full(const struct df_parser *p);
struct quai_df_pos df_pos(const struct df_line *ll, size_t log);
/* Source offset of logical offset `log`. */
size_t df_src_off(const struct df_line *ll, size_t log);

/* df_space_len() for a byte that is not ASCII. */
size_t df_space_len_utf8(const char *s, size_t i, size_t n);
/* Bytes of the Unicode white space character at s[i] (Go's unicode.IsSpace), 0 if none. */
static inline size_t df_space_len(const char *s, size_t i, size_t n)
{
	unsigned char c = (unsigned char)s[i];
	if (c == ' ' || (c >= '\t' && c <= '\r'))
		return 1;
	return c < 0x80 ? 0 : df_space_len_utf8(s, i, n);
}
/* quai_buf_putc() without a call while the buffer has room. */
static inline void df_putc(struct quai_buf *b, char c)
{
	if (b->len + 2 <= b->cap) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return;
	}
	quai_buf_putc(b, c);
}

/* quai_buf_add() without a call while the buffer has room. */
static inline void df_buf_add(struct quai_buf *b, const char *s, size_t n)
{
	if (b->data && n < b->cap - b->len) {
		memcpy(b->data + b->len, s, n);
		b->len += n;
		b->data[b->len] = '\0';
		return;
	}
	quai_buf_add(b, s, n);
}

/* Go's `[\t\v\f\r ]`. */
static inline bool df_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/* A copy of `len` bytes of `s` fit for a message: at most `max` bytes, control
 * characters replaced, "..." when cut. Caller frees. */
char *df_snippet(const char *s, size_t len, size_t max);

/* Parses one instruction of `ll` from logical offset `start` to `end`.
 * `trigger` is set for an ONBUILD trigger: then only what BuildKit's parser
 * refuses is reported, not what its instruction checks refuse. */
void df_parse_instr(struct df_parser *p, const struct df_line *ll, size_t start, size_t end,
		    struct quai_df_instr *in, bool trigger);
void df_instr_release(struct quai_df_instr *in);

/* JSON array of strings, as BuildKit reads exec form. */
enum df_json_result {
	DF_JSON_NOT_JSON = 0, /* not JSON: shell form */
	DF_JSON_OK,
	DF_JSON_NOT_STRINGS, /* valid JSON, but some element is not a string */
};
struct df_json_elem {
	char *text;
	size_t off, len; /* of the literal, quotes included */
};
enum df_json_result df_json_parse(const char *s, size_t n, struct df_json_elem **out, size_t *nout);

/* Quote and escape removal of a word as docker's shell lexer does it, with
 * variable references kept as written. Returns the new string; on a lexer
 * error also sets *err (caller frees both). */
char *df_unquote(const char *s, size_t n, char escape, char **err);

/* Splits `s` into words as BuildKit does to look for heredocs (quotes and
 * escapes kept). Returns false if the lexer fails, as BuildKit then finds no
 * heredoc. */
struct df_span {
	size_t start, end;
};
bool df_shell_words(const char *s, size_t n, struct df_span **out, size_t *nout);
/* Heredoc name of a word's part after "<<" or "<<-": sets *name (caller frees)
 * and *quoted. False if it is not a heredoc word. */
bool df_heredoc_name(const char *s, size_t n, char **name, bool *quoted);

/* Flag and argument checks (check.c). */
void df_check_flags(struct df_parser *p, const struct quai_df_instr *in);
/* Go's time.ParseDuration; false if invalid. */
bool df_parse_duration(const char *s, long long *ns);
/* Closest of `words` to `w` by edit distance (case-insensitive), at most 2 edits; NULL if none. */
const char *df_suggest(const char *w, size_t n, const char *const *words, size_t nwords);

#endif
