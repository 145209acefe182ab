/* The shell reader: one pass over the script that cuts it into words and
 * operators and lists the simple commands, flattening compound commands.
 * Command substitutions are skipped over while their command is read and
 * parsed afterwards, so that the words of one command stay contiguous.
 *
 * Words, commands and their texts are collected in growable arrays and
 * copied at the end into one block owned by script->cmds. */
#include "shell/shell.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "core/banned.h"

#define MAX_DEPTH    64 /* nesting of $( ) parsed for commands */
#define MAX_NEST     64 /* nesting of quotes and expansions while skipping */
#define MAX_CASE     64 /* case statements whose patterns are tracked */
#define MAX_DELIM    64 /* longest here-document delimiter looked for */
#define MAX_HEREDOCS 8  /* here-documents per line looked for */
#define NONE         SIZE_MAX

struct span {
	size_t start, end;
};

struct wrec {
	size_t text; /* offset of the text in the pool */
	size_t off;
	bool quoted;
	bool has_expansion;
};

struct crec {
	size_t first; /* index of the first word (assignments, then argv) */
	size_t nassigns;
	size_t argc;
	enum quai_sh_sep sep;
	bool piped_into;
	int depth;
};

/* The texts of the words, each ended by a NUL once kept. */
struct pool {
	char *data;
	size_t len, cap;
};

struct parser {
	const char *s;
	struct pool pool;
	struct wrec *words;
	size_t nwords, wcap;
	struct crec *cmds;
	size_t ncmds, ccap;
	struct span *subst; /* command substitutions waiting to be parsed */
	size_t nsubst, scap;
	size_t heredoc_budget;   /* bytes left to search for here-document ends */
	size_t lookahead_budget; /* bytes left to look ahead at "((" */
	size_t subst_budget;     /* bytes of substitutions left to parse */
};

/* A here-document whose body may follow the current line. */
struct heredoc {
	char delim[MAX_DELIM];
	size_t len;
	bool strip_tabs; /* <<- */
};

/* The state of one list: the script, or the inside of one substitution. */
struct list {
	size_t first; /* first word of the current command */
	size_t nassigns, argc;
	size_t last;       /* last command this list emitted, or NONE */
	size_t subst_base; /* this list's substitutions start here */
	int depth;
	bool pipe_pending; /* the next command is piped into */
	bool reopened;     /* after fi/done/esac/}/): a separator applies to `last` */
	int ncase;
	unsigned char case_pattern[MAX_CASE]; /* a case pattern comes next */
	size_t nheredocs;
	struct heredoc heredocs[MAX_HEREDOCS];
};

/* Lexical classes */

enum {
	C_BLANK = 1,   /* separates words within a line */
	C_DELIM = 2,   /* ends an unquoted word */
	C_QUOTING = 4, /* starts quoting or an expansion in a word */
	C_DQ = 8,      /* special inside double quotes */
};

static const unsigned char classes[256] = {
    [' '] = C_BLANK | C_DELIM,
    ['\t'] = C_BLANK | C_DELIM,
    ['\r'] = C_BLANK | C_DELIM,
    ['\n'] = C_DELIM,
    [';'] = C_DELIM,
    ['&'] = C_DELIM,
    ['|'] = C_DELIM,
    ['('] = C_DELIM,
    [')'] = C_DELIM,
    ['<'] = C_DELIM,
    ['>'] = C_DELIM,
    ['\\'] = C_QUOTING | C_DQ,
    ['\''] = C_QUOTING,
    ['"'] = C_QUOTING | C_DQ,
    ['$'] = C_QUOTING | C_DQ,
    ['`'] = C_QUOTING | C_DQ,
};

static bool is_blank(char c)
{
	return classes[(unsigned char)c] & C_BLANK;
}

static bool is_delim(char c)
{
	return classes[(unsigned char)c] & C_DELIM;
}

/* "<(" or ">(": a process substitution, read as a word. */
static bool is_procsubst(const char *s, size_t pos, size_t end)
{
	return (s[pos] == '<' || s[pos] == '>') && pos + 1 < end && s[pos + 1] == '(';
}

static bool is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/* strchr() that does not match the terminating NUL. */
static bool in_set(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

static size_t step(size_t pos, size_t n, size_t end)
{
	return end - pos < n ? end : pos + n;
}

/* A backslash-newline (or backslash-CR-LF) at pos: returns its length, else 0. */
static size_t continuation(const char *s, size_t pos, size_t end)
{
	if (pos >= end || s[pos] != '\\')
		return 0;
	if (pos + 1 < end && s[pos + 1] == '\n')
		return 2;
	if (pos + 2 < end && s[pos + 1] == '\r' && s[pos + 2] == '\n')
		return 3;
	return 0;
}

static size_t skip_blanks(const char *s, size_t pos, size_t end)
{
	while (pos < end) {
		if (is_blank(s[pos])) {
			pos++;
			continue;
		}
		size_t n = continuation(s, pos, end);
		if (!n)
			break;
		pos += n;
	}
	return pos;
}

/* Blanks, newlines and comments. */
static size_t skip_space(const char *s, size_t pos, size_t end)
{
	for (;;) {
		pos = skip_blanks(s, pos, end);
		if (pos >= end)
			return pos;
		if (s[pos] == '\n') {
			pos++;
		} else if (s[pos] == '#') {
			const char *nl = memchr(s + pos, '\n', end - pos);
			pos = nl ? (size_t)(nl - s) : end;
		} else {
			return pos;
		}
	}
}

/* True if the raw text at pos is exactly `word` followed by a delimiter. */
static bool at_word(const char *s, size_t pos, size_t end, const char *word)
{
	if (pos >= end || s[pos] != word[0])
		return false;
	size_t n = strlen(word);
	if (end - pos < n || memcmp(s + pos, word, n) != 0)
		return false;
	return pos + n == end || is_delim(s[pos + n]);
}

/* Skipping over quoted text and expansions without output. Each starts
 * after the opening character and returns the position after the closing
 * one, or `end`; `closed` (may be NULL) tells which. */

static size_t skip_dquote(const char *s, size_t pos, size_t end, int nest);
static size_t skip_braces(const char *s, size_t pos, size_t end, int nest);

static size_t skip_squote(const char *s, size_t pos, size_t end)
{
	const char *q = memchr(s + pos, '\'', end - pos);
	return q ? (size_t)(q - s) + 1 : end;
}

/* $'...': backslash escapes a quote. */
static size_t skip_ansi(const char *s, size_t pos, size_t end)
{
	while (pos < end) {
		if (s[pos] == '\\')
			pos = step(pos, 2, end);
		else if (s[pos++] == '\'')
			return pos;
	}
	return end;
}

static size_t skip_backtick(const char *s, size_t pos, size_t end, bool *closed)
{
	while (pos < end) {
		if (s[pos] == '\\') {
			pos = step(pos, 2, end);
		} else if (s[pos++] == '`') {
			if (closed)
				*closed = true;
			return pos;
		}
	}
	if (closed)
		*closed = false;
	return end;
}

/* Inside $( ), ( ) or $(( )): up to the matching ')'. */
static size_t skip_parens(const char *s, size_t pos, size_t end, int nest, bool *closed)
{
	size_t depth = 1;
	size_t cases = 0; /* open case statements: their patterns end in ')' */
	bool word_start = true;
	while (pos < end) {
		char c = s[pos];
		bool deep = nest < MAX_NEST;
		if (word_start && at_word(s, pos, end, "case")) {
			cases++;
			pos += 4;
			word_start = false;
			continue;
		}
		if (word_start && cases && at_word(s, pos, end, "esac")) {
			cases--;
			pos += 4;
			word_start = false;
			continue;
		}
		switch (c) {
		case '\\':
			pos = step(pos, 2, end);
			break;
		case '\'':
			pos = skip_squote(s, pos + 1, end);
			break;
		case '"':
			pos = deep ? skip_dquote(s, pos + 1, end, nest + 1) : pos + 1;
			break;
		case '`':
			pos = skip_backtick(s, pos + 1, end, NULL);
			break;
		case '(':
			depth++;
			pos++;
			break;
		case ')':
			pos++;
			if (depth == 1 && cases)
				break;
			if (--depth == 0) {
				if (closed)
					*closed = true;
				return pos;
			}
			break;
		case '#':
			if (word_start) {
				const char *nl = memchr(s + pos, '\n', end - pos);
				pos = nl ? (size_t)(nl - s) : end;
			} else {
				pos++;
			}
			break;
		case '$':
			if (pos + 1 < end && s[pos + 1] == '{' && deep)
				pos = skip_braces(s, pos + 2, end, nest + 1);
			else if (pos + 1 < end && s[pos + 1] == '\'')
				pos = skip_ansi(s, pos + 2, end);
			else
				pos++;
			break;
		default:
			pos++;
			break;
		}
		word_start = is_delim(c);
	}
	if (closed)
		*closed = false;
	return end;
}

static size_t skip_dquote(const char *s, size_t pos, size_t end, int nest)
{
	while (pos < end) {
		char c = s[pos];
		if (c == '"')
			return pos + 1;
		if (c == '\\') {
			pos = step(pos, 2, end);
		} else if (c == '`') {
			pos = skip_backtick(s, pos + 1, end, NULL);
		} else if (c == '$' && pos + 1 < end && nest < MAX_NEST) {
			if (s[pos + 1] == '(')
				pos = skip_parens(s, pos + 2, end, nest + 1, NULL);
			else if (s[pos + 1] == '{')
				pos = skip_braces(s, pos + 2, end, nest + 1);
			else
				pos++;
		} else {
			pos++;
		}
	}
	return end;
}

/* Inside ${ }: up to the matching '}'. */
static size_t skip_braces(const char *s, size_t pos, size_t end, int nest)
{
	size_t depth = 1;
	while (pos < end) {
		char c = s[pos];
		bool deep = nest < MAX_NEST;
		if (c == '\\') {
			pos = step(pos, 2, end);
		} else if (c == '"' && deep) {
			pos = skip_dquote(s, pos + 1, end, nest + 1);
		} else if (c == '`') {
			pos = skip_backtick(s, pos + 1, end, NULL);
		} else if (c == '$' && pos + 1 < end && s[pos + 1] == '(' && deep) {
			pos = skip_parens(s, pos + 2, end, nest + 1, NULL);
		} else if (c == '{') {
			depth++;
			pos++;
		} else if (c == '}') {
			pos++;
			if (--depth == 0)
				return pos;
		} else {
			pos++;
		}
	}
	return end;
}

/* At "((": true if the parentheses close together as in "(( x ))", false
 * for nested subshells "((cd a; make); ls)". The look-ahead is paid from a
 * budget so that many "((" cannot make parsing quadratic; without budget
 * left, "((" is arithmetic. */
static bool is_arithmetic(struct parser *p, size_t pos, size_t end)
{
	const char *s = p->s;
	if (end - pos < 2 || s[pos] != '(' || s[pos + 1] != '(')
		return false;
	if (p->lookahead_budget == 0)
		return true;
	bool closed = false;
	size_t inner = skip_parens(s, pos + 2, end, 0, &closed);
	size_t cost = inner - pos;
	p->lookahead_budget -= cost < p->lookahead_budget ? cost : p->lookahead_budget;
	return !closed || (inner < end && s[inner] == ')');
}

/* Output: words and commands */

static void pool_add(struct pool *pool, const char *src, size_t n)
{
	if (n == 0)
		return;
	if (pool->cap - pool->len < n)
		pool->data = xgrow(pool->data, &pool->cap, pool->len + n, 1);
	memcpy(pool->data + pool->len, src, n);
	pool->len += n;
}

static void pool_putc(struct pool *pool, char c)
{
	if (pool->cap == pool->len)
		pool->data = xgrow(pool->data, &pool->cap, pool->len + 1, 1);
	pool->data[pool->len++] = c;
}

static void add_subst(struct parser *p, int depth, size_t start, size_t end)
{
	if (depth + 1 > MAX_DEPTH || start >= end)
		return;
	p->subst = xgrow(p->subst, &p->scap, p->nsubst + 1, sizeof(*p->subst));
	p->subst[p->nsubst++] = (struct span){start, end};
}

/* Inside (( )): arithmetic, but $( ) and ` ` in it run commands. Returns
 * the position after the closing "))". */
static size_t skip_arith(struct parser *p, size_t pos, size_t end, int depth)
{
	const char *s = p->s;
	size_t stop = skip_parens(s, pos, end, 0, NULL);
	while (pos < stop) {
		bool closed = false;
		char c = s[pos];
		if (c == '$' && pos + 1 < stop && s[pos + 1] == '(' &&
		    (pos + 2 >= stop || s[pos + 2] != '(')) {
			size_t e = skip_parens(s, pos + 2, stop, 0, &closed);
			add_subst(p, depth, pos + 2, closed ? e - 1 : e);
			pos = e;
		} else if (c == '`') {
			size_t e = skip_backtick(s, pos + 1, stop, &closed);
			add_subst(p, depth, pos + 1, closed ? e - 1 : e);
			pos = e;
		} else {
			pos++;
		}
	}
	return stop;
}

static void put_raw(struct parser *p, size_t start, size_t end)
{
	pool_add(&p->pool, p->s + start, end - start);
}

/* At '$': copies the expansion as written and notes a command substitution. */
static size_t read_dollar(struct parser *p, size_t pos, size_t end, int depth, struct wrec *w)
{
	const char *s = p->s;
	size_t e = pos + 1;
	bool closed = false;
	char n = e < end ? s[e] : '\0';
	if (e >= end) {
		e = end;
	} else if (n == '(' && is_arithmetic(p, e, end)) {
		e = skip_arith(p, e + 1, end, depth);
		w->has_expansion = true;
	} else if (n == '(') {
		e = skip_parens(s, e + 1, end, 0, &closed);
		add_subst(p, depth, pos + 2, closed ? e - 1 : e);
		w->has_expansion = true;
	} else if (n == '{') {
		e = skip_braces(s, e + 1, end, 0);
		w->has_expansion = true;
	} else if (is_name_start(n)) {
		while (e < end && is_name_char(s[e]))
			e++;
		w->has_expansion = true;
	} else if ((n >= '0' && n <= '9') || in_set(n, "@*#?$!-")) {
		e++;
		w->has_expansion = true;
	}
	put_raw(p, pos, e);
	return e;
}

static size_t read_backtick(struct parser *p, size_t pos, size_t end, int depth, struct wrec *w)
{
	bool closed = false;
	size_t e = skip_backtick(p->s, pos + 1, end, &closed);
	add_subst(p, depth, pos + 1, closed ? e - 1 : e);
	w->has_expansion = true;
	put_raw(p, pos, e);
	return e;
}

static size_t read_dquote(struct parser *p, size_t pos, size_t end, int depth, struct wrec *w)
{
	const char *s = p->s;
	while (pos < end) {
		char c = s[pos];
		if (c == '"')
			return pos + 1;
		if (c == '\\' && pos + 1 < end) {
			char n = s[pos + 1];
			size_t cont = continuation(s, pos, end);
			if (cont) {
				pos += cont;
			} else if (n == '$' || n == '`' || n == '"' || n == '\\') {
				pool_putc(&p->pool, n);
				pos += 2;
			} else {
				pool_putc(&p->pool, '\\');
				pos++;
			}
		} else if (c == '$') {
			pos = read_dollar(p, pos, end, depth, w);
		} else if (c == '`') {
			pos = read_backtick(p, pos, end, depth, w);
		} else {
			size_t e = pos + 1;
			while (e < end && !(classes[(unsigned char)s[e]] & C_DQ))
				e++;
			put_raw(p, pos, e);
			pos = e;
		}
	}
	return end;
}

/* True if s[start, pos) is NAME= or NAME+=. */
static bool is_assign_prefix(const char *s, size_t start, size_t pos)
{
	if (start >= pos || !is_name_start(s[start]))
		return false;
	size_t i = start + 1;
	while (i < pos && is_name_char(s[i]))
		i++;
	if (i < pos && s[i] == '+')
		i++;
	return i + 1 == pos && s[i] == '=';
}

/* True if the word s[start, end) starts with NAME= or NAME+=. */
static bool is_assignment(const char *s, size_t start, size_t end)
{
	if (start >= end || !is_name_start(s[start]))
		return false;
	size_t i = start + 1;
	while (i < end && is_name_char(s[i]))
		i++;
	if (i < end && s[i] == '+')
		i++;
	return i < end && s[i] == '=';
}

/* Reads one word at pos (not a delimiter, or a process substitution
 * "<(" / ">(") into the pool, without its terminating NUL. */
static size_t read_word(struct parser *p, size_t pos, size_t end, int depth, struct wrec *w)
{
	const char *s = p->s;
	size_t start = pos;
	w->text = p->pool.len;
	w->off = pos;
	w->quoted = false;
	w->has_expansion = false;
	while (pos < end) {
		char c = s[pos];
		if (pos == start && is_procsubst(s, pos, end)) {
			bool closed = false;
			size_t e = skip_parens(s, pos + 2, end, 0, &closed);
			add_subst(p, depth, pos + 2, closed ? e - 1 : e);
			w->has_expansion = true;
			put_raw(p, pos, e);
			pos = e;
			continue;
		}
		if (c == '(' && is_assign_prefix(s, start, pos)) {
			size_t e = skip_parens(s, pos + 1, end, 0, NULL);
			put_raw(p, pos, e);
			pos = e;
			continue;
		}
		if (is_delim(c))
			break;
		switch (c) {
		case '\\': {
			size_t cont = continuation(s, pos, end);
			if (cont) {
				pos += cont;
			} else if (pos + 1 < end) {
				pool_putc(&p->pool, s[pos + 1]);
				w->quoted = true;
				pos += 2;
			} else {
				pool_putc(&p->pool, '\\');
				pos++;
			}
			break;
		}
		case '\'': {
			size_t e = skip_squote(s, pos + 1, end);
			size_t stop = (e > pos + 1 && s[e - 1] == '\'') ? e - 1 : e;
			put_raw(p, pos + 1, stop);
			w->quoted = true;
			pos = e;
			break;
		}
		case '"':
			w->quoted = true;
			pos = read_dquote(p, pos + 1, end, depth, w);
			break;
		case '$':
			if (pos + 1 < end && s[pos + 1] == '\'') {
				size_t e = skip_ansi(s, pos + 2, end);
				size_t stop = (e > pos + 2 && s[e - 1] == '\'') ? e - 1 : e;
				put_raw(p, pos + 2, stop);
				w->quoted = true;
				pos = e;
			} else if (pos + 1 < end && s[pos + 1] == '"') {
				w->quoted = true;
				pos = read_dquote(p, pos + 2, end, depth, w);
			} else {
				pos = read_dollar(p, pos, end, depth, w);
			}
			break;
		case '`':
			pos = read_backtick(p, pos, end, depth, w);
			break;
		default: {
			size_t e = pos + 1;
			while (e < end && !(classes[(unsigned char)s[e]] & (C_DELIM | C_QUOTING)))
				e++;
			put_raw(p, pos, e);
			pos = e;
			break;
		}
		}
	}
	return pos;
}

/* Reads a word and forgets it (its substitutions stay noted). */
static size_t drop_word(struct parser *p, size_t pos, size_t end, int depth)
{
	struct wrec w;
	size_t mark = p->pool.len;
	pos = read_word(p, pos, end, depth, &w);
	p->pool.len = mark;
	return pos;
}

static void keep_word(struct parser *p, const struct wrec *w)
{
	pool_putc(&p->pool, '\0');
	if (p->nwords == p->wcap)
		p->words = xgrow(p->words, &p->wcap, p->nwords + 1, sizeof(*p->words));
	p->words[p->nwords++] = *w;
}

/* Lists */

static void parse_list(struct parser *p, size_t pos, size_t end, int depth);

/* Parses the substitutions noted since the current command started; only
 * called when the current command is done or has no words yet. */
static void run_substs(struct parser *p, struct list *l)
{
	for (size_t i = l->subst_base; i < p->nsubst; i++) {
		struct span sp = p->subst[i];
		size_t n = sp.end - sp.start;
		if (n > p->subst_budget) {
			p->subst_budget = 0;
			continue;
		}
		p->subst_budget -= n;
		parse_list(p, sp.start, sp.end, l->depth + 1);
	}
	p->nsubst = l->subst_base;
	l->first = p->nwords;
}

/* Ends the current command at a separator; `newline` for '\n'. */
static void finish(struct parser *p, struct list *l, enum quai_sh_sep sep, bool newline)
{
	if (l->argc || l->nassigns) {
		if (p->ncmds == p->ccap)
			p->cmds = xgrow(p->cmds, &p->ccap, p->ncmds + 1, sizeof(*p->cmds));
		p->cmds[p->ncmds] = (struct crec){
		    .first = l->first,
		    .nassigns = l->nassigns,
		    .argc = l->argc,
		    .sep = sep,
		    .piped_into = l->pipe_pending,
		    .depth = l->depth,
		};
		l->last = p->ncmds++;
		l->pipe_pending = sep == QUAI_SH_SEP_PIPE;
		l->reopened = false;
	} else if (!newline) {
		bool reopened = l->reopened && l->last != NONE;
		if (reopened)
			p->cmds[l->last].sep = sep;
		l->pipe_pending = reopened && sep == QUAI_SH_SEP_PIPE;
		l->reopened = false;
	} else {
		l->reopened = false; /* a newline after | && || continues the list */
	}
	l->nassigns = 0;
	l->argc = 0;
	run_substs(p, l);
}

static bool cmd_empty(const struct list *l)
{
	return l->argc == 0 && l->nassigns == 0;
}

static bool case_wants_pattern(const struct list *l)
{
	return l->ncase > 0 && l->ncase <= MAX_CASE && l->case_pattern[l->ncase - 1];
}

static void case_set_pattern(struct list *l, bool on)
{
	if (l->ncase > 0 && l->ncase <= MAX_CASE)
		l->case_pattern[l->ncase - 1] = on;
}

/* At '<', '>' or "&>": drops the operator and its target word. */
static size_t read_redir(struct parser *p, struct list *l, size_t pos, size_t end)
{
	const char *s = p->s;
	char c = s[pos++];
	bool heredoc = false, strip_tabs = false;
	if (c == '&') {
		pos = step(pos, 1, end); /* the '>' */
		if (pos < end && s[pos] == '>')
			pos++;
	} else if (c == '<' && pos < end) {
		if (s[pos] == '<') {
			pos++;
			heredoc = pos >= end || s[pos] != '<';
			strip_tabs = pos < end && s[pos] == '-';
			if (pos < end && (s[pos] == '<' || s[pos] == '-'))
				pos++;
		} else if (s[pos] == '&' || s[pos] == '>') {
			pos++;
		}
	} else if (c == '>' && pos < end) {
		if (s[pos] == '>' || s[pos] == '&' || s[pos] == '|')
			pos++;
	}
	pos = skip_blanks(s, pos, end);
	if (pos >= end || s[pos] == '#' || (is_delim(s[pos]) && !is_procsubst(s, pos, end)))
		return pos;
	struct wrec w;
	size_t mark = p->pool.len;
	pos = read_word(p, pos, end, l->depth, &w);
	size_t len = p->pool.len - mark;
	if (heredoc && len > 0 && len <= MAX_DELIM && l->nheredocs < MAX_HEREDOCS) {
		struct heredoc *h = &l->heredocs[l->nheredocs++];
		memcpy(h->delim, p->pool.data + mark, len);
		h->len = len;
		h->strip_tabs = strip_tabs;
	}
	p->pool.len = mark;
	return pos;
}

/* At the start of the line after here-document markers: skips their bodies
 * when their delimiter lines are there. The Dockerfile parser has taken the
 * bodies of RUN's own here-documents out, so usually they are not. */
static size_t skip_heredocs(struct parser *p, struct list *l, size_t pos, size_t end)
{
	const char *s = p->s;
	for (size_t i = 0; i < l->nheredocs; i++) {
		const struct heredoc *h = &l->heredocs[i];
		size_t line = pos;
		bool found = false;
		while (line < end && !found && p->heredoc_budget > 0) {
			const char *nl = memchr(s + line, '\n', end - line);
			size_t eol = nl ? (size_t)(nl - s) : end;
			size_t next = nl ? eol + 1 : end;
			size_t b = line;
			while (h->strip_tabs && b < eol && s[b] == '\t')
				b++;
			size_t e = eol > b && s[eol - 1] == '\r' ? eol - 1 : eol;
			found = e - b == h->len && memcmp(s + b, h->delim, h->len) == 0;
			p->heredoc_budget -=
			    next - line < p->heredoc_budget ? next - line : p->heredoc_budget;
			line = next;
		}
		if (!found)
			break;
		pos = line;
	}
	l->nheredocs = 0;
	return pos;
}

/* After "for" or "select": the name and the word list. */
static size_t read_for(struct parser *p, struct list *l, size_t pos, size_t end)
{
	const char *s = p->s;
	pos = skip_blanks(s, pos, end);
	if (pos + 1 < end && s[pos] == '(' && s[pos + 1] == '(')
		return skip_arith(p, pos + 1, end, l->depth);
	if (pos < end && !is_delim(s[pos]))
		pos = drop_word(p, pos, end, l->depth);
	pos = skip_space(s, pos, end);
	if (!at_word(s, pos, end, "in"))
		return pos;
	pos += 2;
	for (;;) {
		pos = skip_blanks(s, pos, end);
		if (pos >= end || is_delim(s[pos]) || s[pos] == '#')
			break;
		pos = drop_word(p, pos, end, l->depth);
	}
	run_substs(p, l);
	return pos;
}

/* After "case": the subject and "in". */
static size_t read_case(struct parser *p, struct list *l, size_t pos, size_t end)
{
	const char *s = p->s;
	pos = skip_blanks(s, pos, end);
	if (pos < end && !is_delim(s[pos]))
		pos = drop_word(p, pos, end, l->depth);
	pos = skip_space(s, pos, end);
	if (at_word(s, pos, end, "in"))
		pos += 2;
	if (l->ncase < MAX_CASE)
		l->case_pattern[l->ncase] = 1;
	if (l->ncase < INT_MAX)
		l->ncase++;
	run_substs(p, l);
	return pos;
}

/* A case pattern "(a|b)" up to its ')', or "esac". */
static size_t read_pattern(struct parser *p, struct list *l, size_t pos, size_t end)
{
	const char *s = p->s;
	pos = skip_space(s, pos, end);
	if (pos >= end)
		return pos;
	if (at_word(s, pos, end, "esac")) {
		l->ncase--;
		l->reopened = true;
		return pos + 4;
	}
	if (s[pos] == '(')
		pos++;
	while (pos < end) {
		pos = skip_blanks(s, pos, end);
		if (pos >= end)
			break;
		char c = s[pos];
		if (c == ')') {
			pos++;
			break;
		}
		if (is_delim(c) && !is_procsubst(s, pos, end))
			pos++;
		else
			pos = drop_word(p, pos, end, l->depth);
	}
	case_set_pattern(l, false);
	run_substs(p, l);
	return pos;
}

/* After "[[": up to "]]", a newline or ';' (operators inside are words). */
static size_t read_dbracket(struct parser *p, struct list *l, size_t pos, size_t end)
{
	const char *s = p->s;
	bool joined = false;
	while (pos < end) {
		pos = skip_blanks(s, pos, end);
		if (pos >= end)
			break;
		char c = s[pos];
		if (at_word(s, pos, end, "]]"))
			return pos + 2;
		if (c == ';' || (c == '\n' && !joined))
			break;
		if (c == '\n') {
			pos++;
			continue;
		}
		joined = (c == '&' || c == '|') && pos + 1 < end && s[pos + 1] == c;
		if (joined)
			pos += 2;
		else if (is_delim(c) && !is_procsubst(s, pos, end))
			pos++;
		else
			pos = drop_word(p, pos, end, l->depth);
	}
	return pos;
}

/* After the name of "name ( )" or "function name": the parentheses, if any;
 * returns 0 if there are none. */
static size_t funcdef_parens(const char *s, size_t pos, size_t end)
{
	pos = skip_blanks(s, pos, end);
	if (pos >= end || s[pos] != '(')
		return 0;
	pos = skip_blanks(s, pos + 1, end);
	if (pos >= end || s[pos] != ')')
		return 0;
	return pos + 1;
}

enum kw {
	KW_OPEN,  /* nothing to do: the next command starts */
	KW_CLOSE, /* ends a compound command: a separator may follow */
	KW_ESAC,
	KW_FOR,
	KW_CASE,
	KW_DBRACKET,
	KW_FUNCTION,
};

static const struct {
	const char *word;
	size_t len;
	enum kw kind;
} keywords[] = {
    {"if", 2, KW_OPEN},     {"then", 4, KW_OPEN},         {"elif", 4, KW_OPEN},  {"else", 4, KW_OPEN},
    {"do", 2, KW_OPEN},     {"while", 5, KW_OPEN},        {"until", 5, KW_OPEN}, {"{", 1, KW_OPEN},
    {"!", 1, KW_OPEN},      {"fi", 2, KW_CLOSE},          {"done", 4, KW_CLOSE}, {"}", 1, KW_CLOSE},
    {"esac", 4, KW_ESAC},   {"for", 3, KW_FOR},           {"select", 6, KW_FOR}, {"case", 4, KW_CASE},
    {"[[", 2, KW_DBRACKET}, {"function", 8, KW_FUNCTION},
};

/* A reserved word at the start of a command; returns the new position or 0. */
static size_t keyword(struct parser *p, struct list *l, size_t pos, size_t end)
{
	const char *s = p->s;
	/* the first letters of the keywords: most words are none */
	if (!in_set(s[pos], "itedwu{!f}sc["))
		return 0;
	size_t n = 0;
	while (pos + n < end && !is_delim(s[pos + n]) && n <= 8)
		n++;
	if (n > 8)
		return 0;
	size_t i = 0;
	while (i < sizeof(keywords) / sizeof(keywords[0]) &&
	       (keywords[i].len != n || keywords[i].word[0] != s[pos] ||
	        memcmp(keywords[i].word, s + pos, n) != 0))
		i++;
	if (i == sizeof(keywords) / sizeof(keywords[0]))
		return 0;
	pos += n;
	switch (keywords[i].kind) {
	case KW_OPEN:
		return pos;
	case KW_CLOSE:
		l->reopened = true;
		return pos;
	case KW_ESAC:
		if (l->ncase > 0)
			l->ncase--;
		l->reopened = true;
		return pos;
	case KW_FOR:
		return read_for(p, l, pos, end);
	case KW_CASE:
		return read_case(p, l, pos, end);
	case KW_DBRACKET:
		return read_dbracket(p, l, pos, end);
	case KW_FUNCTION:
	default: {
		pos = skip_blanks(s, pos, end);
		if (pos < end && !is_delim(s[pos]))
			pos = drop_word(p, pos, end, l->depth);
		size_t after = funcdef_parens(s, pos, end);
		return after ? after : pos;
	}
	}
}

static size_t read_command_word(struct parser *p, struct list *l, size_t pos, size_t end)
{
	const char *s = p->s;
	if (cmd_empty(l)) {
		size_t kw = keyword(p, l, pos, end);
		if (kw)
			return kw;
	}
	struct wrec w;
	size_t mark = p->pool.len;
	size_t e = read_word(p, pos, end, l->depth, &w);

	/* an IO number: 2>&1 */
	size_t i = pos;
	while (i < e && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == e && e < end && (s[e] == '<' || s[e] == '>')) {
		p->pool.len = mark;
		return read_redir(p, l, e, end);
	}
	if (l->argc == 0 && is_assignment(s, pos, e)) {
		keep_word(p, &w);
		l->nassigns++;
		return e;
	}
	if (l->argc == 0 && !w.quoted && !w.has_expansion) {
		size_t after = funcdef_parens(s, e, end);
		if (after) {
			p->pool.len = mark;
			return after;
		}
	}
	keep_word(p, &w);
	l->argc++;
	return e;
}

/* At an operator character; returns the new position. */
static size_t read_operator(struct parser *p, struct list *l, size_t pos, size_t end)
{
	const char *s = p->s;
	char c = s[pos];
	char n = pos + 1 < end ? s[pos + 1] : '\0';
	switch (c) {
	case '\n':
		finish(p, l, QUAI_SH_SEP_SEMI, true);
		return l->nheredocs ? skip_heredocs(p, l, pos + 1, end) : pos + 1;
	case ';':
		if (n == ';' || n == '&') {
			pos += 2;
			if (n == ';' && pos < end && s[pos] == '&')
				pos++;
			finish(p, l, QUAI_SH_SEP_SEMI, false);
			case_set_pattern(l, true);
			return pos;
		}
		finish(p, l, QUAI_SH_SEP_SEMI, false);
		return pos + 1;
	case '&':
		if (n == '&') {
			finish(p, l, QUAI_SH_SEP_AND, false);
			return pos + 2;
		}
		if (n == '>')
			return read_redir(p, l, pos, end);
		finish(p, l, QUAI_SH_SEP_BG, false);
		return pos + 1;
	case '|':
		finish(p, l, n == '|' ? QUAI_SH_SEP_OR : QUAI_SH_SEP_PIPE, false);
		return pos + (n == '|' || n == '&' ? 2 : 1);
	case '(':
		if (!cmd_empty(l)) {
			finish(p, l, QUAI_SH_SEP_SEMI, false);
			return pos + 1;
		}
		if (n == '(' && is_arithmetic(p, pos, end)) /* (( )) */
			return skip_arith(p, pos + 1, end, l->depth);
		return pos + 1;
	case ')':
		finish(p, l, QUAI_SH_SEP_SEMI, false);
		l->reopened = true;
		return pos + 1;
	default: /* '<' or '>' */
		return read_redir(p, l, pos, end);
	}
}

static void parse_list(struct parser *p, size_t pos, size_t end, int depth)
{
	const char *s = p->s;
	/* Field by field: the case and here-document arrays (most of the
	 * struct) are only read below their counts, which start at 0. */
	struct list l;
	l.first = p->nwords;
	l.nassigns = 0;
	l.argc = 0;
	l.last = NONE;
	l.subst_base = p->nsubst;
	l.depth = depth;
	l.pipe_pending = false;
	l.reopened = false;
	l.ncase = 0;
	l.nheredocs = 0;
	while (pos < end) {
		if (case_wants_pattern(&l) && cmd_empty(&l)) {
			pos = read_pattern(p, &l, pos, end);
			continue;
		}
		pos = skip_blanks(s, pos, end);
		if (pos >= end)
			break;
		char c = s[pos];
		if (c == '#') {
			const char *nl = memchr(s + pos, '\n', end - pos);
			pos = nl ? (size_t)(nl - s) : end;
		} else if (is_delim(c) && !is_procsubst(s, pos, end)) {
			pos = read_operator(p, &l, pos, end);
		} else {
			pos = read_command_word(p, &l, pos, end);
		}
	}
	finish(p, &l, QUAI_SH_SEP_END, false);
	if (l.last != NONE && p->cmds[l.last].sep == QUAI_SH_SEP_SEMI)
		p->cmds[l.last].sep = QUAI_SH_SEP_END;
}

_Static_assert(sizeof(struct wrec) == sizeof(struct quai_sh_word), "words are converted in place");

/* Turns the collected commands, words and texts into one block owned by
 * out->cmds: [commands][words][texts]. The word array grows into the block
 * and its records become words in place, so that a script of many words
 * does not need their memory twice. */
static void build(struct quai_sh_script *out, struct parser *p)
{
	if (p->ncmds == 0)
		return;
	size_t csize = p->ncmds * sizeof(struct quai_sh_cmd);
	size_t wsize = p->nwords * sizeof(struct quai_sh_word);
	char *block = xrealloc(p->words, csize + wsize + p->pool.len + 1);
	p->words = NULL;
	memmove(block + csize, block, wsize);
	struct quai_sh_cmd *cmds = (struct quai_sh_cmd *)(void *)block;
	struct quai_sh_word *words = (struct quai_sh_word *)(void *)(block + csize);
	char *text = block + csize + wsize;
	if (p->pool.len)
		memcpy(text, p->pool.data, p->pool.len);
	text[p->pool.len] = '\0';
	for (size_t i = 0; i < p->nwords; i++) {
		struct wrec w;
		memcpy(&w, &words[i], sizeof(w));
		words[i] = (struct quai_sh_word){
		    .text = text + w.text,
		    .off = w.off,
		    .quoted = w.quoted,
		    .has_expansion = w.has_expansion,
		};
	}
	for (size_t i = 0; i < p->ncmds; i++) {
		const struct crec *c = &p->cmds[i];
		cmds[i] = (struct quai_sh_cmd){
		    .assigns = c->nassigns ? words + c->first : NULL,
		    .nassigns = c->nassigns,
		    .argv = c->argc ? words + c->first + c->nassigns : NULL,
		    .argc = c->argc,
		    .sep = c->sep,
		    .piped_into = c->piped_into,
		    .depth = c->depth,
		};
		if (c->argc) {
			const char *name = cmds[i].argv[0].text;
			const char *slash = strrchr(name, '/');
			cmds[i].name = slash ? slash + 1 : name;
			quai_sh_bloom_add(out->name_bits, quai_sh_hash(cmds[i].name, (size_t)-1));
			quai_sh_bloom_add(out->prefix_bits, quai_sh_hash(cmds[i].name, 3));
		} else {
			cmds[i].name = "";
		}
		if (c->piped_into)
			out->has_pipe = true;
	}
	out->cmds = cmds;
	out->ncmds = p->ncmds;
}

void quai_sh_parse(struct quai_sh_script *out, const char *src, size_t len)
{
	memset(out, 0, sizeof(*out));
	struct parser p = {.s = src};
	if (!src)
		len = 0;
	p.heredoc_budget = len < SIZE_MAX / 8 ? 4 * len + 65536 : SIZE_MAX;
	p.lookahead_budget = p.heredoc_budget;
	/* scripts nest substitutions two or three deep; deeper nesting of
	 * large spans is where parsing them all again would cost */
	p.subst_budget = len < SIZE_MAX / 16 ? 8 * len + 65536 : SIZE_MAX;
	/* Sized for a typical script up front (the texts are at most about as
	 * long as the script, a word is about six bytes, a command five words)
	 * so that the arrays rarely grow; huge scripts grow as they go. */
	if (len > 0) {
		size_t hint = len < 65536 ? len : 65536;
		p.pool.cap = hint + 64;
		p.pool.data = xmalloc(p.pool.cap);
		p.wcap = hint / 6 + 8;
		p.words = xmalloc(p.wcap * sizeof(*p.words));
		p.ccap = hint / 32 + 8;
		p.cmds = xmalloc(p.ccap * sizeof(*p.cmds));
	}
	parse_list(&p, 0, len, 0);
	build(out, &p);
	free(p.pool.data);
	free(p.words);
	free(p.cmds);
	free(p.subst);
}

void quai_sh_script_release(struct quai_sh_script *script)
{
	free(script->cmds);
	memset(script, 0, sizeof(*script));
}
