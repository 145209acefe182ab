/* The arguments of one instruction, split as BuildKit's line parsers and
 * instruction parsers split them (frontend/dockerfile/parser/line_parsers.go
 * and instructions/parse.go), with what they refuse as diagnostics. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xalloc.h"
#include "dockerfile/internal.h"
#include "core/banned.h"

struct ictx {
	struct df_parser *p;
	const struct df_line *ll;
	const char *t; /* the logical line's text */
	struct quai_df_instr *in;
	bool trigger;
	bool lex_reported; /* one lexer error per instruction is enough */
	size_t wordcap, kvcap;
};

static const char *kw(const struct ictx *c)
{
	return quai_df_kind_name(c->in->kind);
}

static size_t trim_left(const char *t, size_t a, size_t b)
{
	size_t k;
	while (a < b && (k = df_space_len(t, a, b)))
		a += k;
	return a;
}

static size_t trim_right(const char *t, size_t a, size_t b)
{
	while (b > a) {
		if (df_space_len(t, b - 1, b) == 1)
			b--;
		else if (b - a >= 2 && df_space_len(t, b - 2, b) == 2)
			b -= 2;
		else if (b - a >= 3 && df_space_len(t, b - 3, b) == 3)
			b -= 3;
		else
			break;
	}
	return b;
}

/* Go's unicode.IsSpace(rune(b)) on a single byte, as extractBuilderFlags uses it. */
static bool byte_space(unsigned char b)
{
	return b == ' ' || (b >= '\t' && b <= '\r') || b == 0x85 || b == 0xa0;
}

/* True if df_unquote() would return s[0..n) as it is. */
static bool plain_word(const char *s, size_t n, char escape)
{
	for (size_t k = 0; k < n; k++)
		if (s[k] == '\'' || s[k] == '"' || s[k] == '$' || s[k] == escape)
			return false;
	return true;
}

/* df_unquote()'s result moved into the tree's string blocks. */
static char *keep_string(struct ictx *c, char *s)
{
	char *kept = df_strdup(c->p, s);
	free(s);
	return kept;
}

/* Reports a lexer error in a word docker expands, unless in an ONBUILD
 * trigger. The result is in the tree's string blocks. */
static char *unquote(struct ictx *c, size_t a, size_t b)
{
	if (plain_word(c->t + a, b - a, c->p->df->escape))
		return df_strndup(c->p, c->t + a, b - a);
	char *err = NULL;
	char *s = df_unquote(c->t + a, b - a, c->p->df->escape, &err);
	if (err) {
		if (!c->trigger && !c->lex_reported && quai_df_kind_expands(c->in->kind)) {
			c->lex_reported = true;
			char *w = df_snippet(c->t + a, b - a, 60);
			df_diag(c->p, df_pos(c->ll, a), "%s cannot process '%s': %s", kw(c), w, err);
			free(w);
		}
		free(err);
	}
	return keep_string(c, s);
}

/* Docker expands the JSON elements of ADD, COPY and VOLUME with the same
 * lexer. The result is in the tree's string blocks. */
static char *unquote_json(struct ictx *c, const char *text, size_t at)
{
	if (plain_word(text, strlen(text), c->p->df->escape))
		return df_strdup(c->p, text);
	char *err = NULL;
	char *s = df_unquote(text, strlen(text), c->p->df->escape, &err);
	if (err) {
		if (!c->trigger && !c->lex_reported) {
			c->lex_reported = true;
			char *w = df_snippet(text, strlen(text), 60);
			df_diag(c->p, df_pos(c->ll, at), "%s cannot process '%s': %s", kw(c), w, err);
			free(w);
		}
		free(err);
	}
	return keep_string(c, s);
}

static void add_word(struct ictx *c, char *text, size_t a, size_t b)
{
	struct quai_df_instr *in = c->in;
	in->words = xgrow(in->words, &c->wordcap, in->nwords + 1, sizeof(*in->words));
	struct quai_df_word *w = &in->words[in->nwords++];
	w->text = text;
	w->raw = df_strndup(c->p, c->t + a, b - a);
	w->pos = df_pos(c->ll, a);
}

/* parseStringsWhitespaceDelimited: split on runs of [\t\v\f\r ]. */
static void split_blank(struct ictx *c, size_t a, size_t b)
{
	size_t i = a;
	while (i < b) {
		size_t s = i;
		while (i < b && !df_is_blank(c->t[i]))
			i++;
		add_word(c, unquote(c, s, i), s, i);
		while (i < b && df_is_blank(c->t[i]))
			i++;
	}
}

/* parseWords: words split on white space outside quotes, quotes and
 * escapes kept. Returns the words as spans. */
static struct df_span *parse_words(const char *t, size_t a, size_t b, char esc, size_t *nout)
{
	enum { SPACES, WORD, QUOTE } phase = SPACES;
	struct df_span *w = NULL;
	size_t n = 0, cap = 0, ws = 0, we = 0;
	char quote = 0;
	for (size_t i = a;;) {
		if (i >= b) {
			if (phase != SPACES && we > ws) {
				w = xgrow(w, &cap, n + 1, sizeof(*w));
				w[n++] = (struct df_span){ ws, we };
			}
			break;
		}
		size_t sp = df_space_len(t, i, b);
		if (phase == SPACES) {
			if (sp) {
				i += sp;
				continue;
			}
			phase = WORD;
			ws = we = i;
		}
		char ch = t[i];
		if (phase == WORD) {
			if (sp) {
				if (we > ws) {
					w = xgrow(w, &cap, n + 1, sizeof(*w));
					w[n++] = (struct df_span){ ws, we };
				}
				phase = SPACES;
				i += sp;
				continue;
			}
			if (ch == '\'' || ch == '"') {
				quote = ch;
				phase = QUOTE;
			}
			if (ch == esc) {
				if (i + 1 == b) {
					i++; /* an escape at the very end is dropped */
					continue;
				}
				i++;
			}
			we = ++i;
			continue;
		}
		/* QUOTE */
		if (ch == quote)
			phase = WORD;
		if (ch == esc && quote != '\'') {
			if (i + 1 == b) {
				phase = WORD;
				i++;
				continue;
			}
			i++;
		}
		we = ++i;
	}
	*nout = n;
	return w;
}

/* ---- exec form ---- */

/* Tries the JSON (exec) form; false means shell form. */
static bool try_json(struct ictx *c, size_t a, size_t b, bool words)
{
	struct quai_df_instr *in = c->in;
	struct df_json_elem *el = NULL;
	size_t n = 0;
	enum df_json_result r = df_json_parse(c->t + a, b - a, &el, &n);
	if (r == DF_JSON_NOT_JSON)
		return false;
	if (r == DF_JSON_NOT_STRINGS) {
		df_diag(c->p, df_pos(c->ll, a),
			"the JSON array of %s holds something other than strings: quote every element, "
			"e.g. [\"executable\", \"param\"]",
			kw(c)[0] ? kw(c) : "the instruction");
		return false;
	}
	in->json = true;
	in->json_args = xcalloc(n ? n : 1, sizeof(char *));
	in->njson_args = n;
	for (size_t i = 0; i < n; i++) {
		in->json_args[i] = el[i].text;
		if (words)
			add_word(c, unquote_json(c, el[i].text, a + el[i].off), a + el[i].off,
				 a + el[i].off + el[i].len);
	}
	free(el);
	return true;
}

/* ---- ENV, LABEL, ARG ---- */

static void add_kv(struct ictx *c, size_t ka, size_t kb, size_t va, size_t vb, bool has_eq, bool has_value)
{
	struct quai_df_instr *in = c->in;
	in->kvs = xgrow(in->kvs, &c->kvcap, in->nkvs + 1, sizeof(*in->kvs));
	struct quai_df_kv *kv = &in->kvs[in->nkvs++];
	kv->key = unquote(c, ka, kb);
	kv->value = has_value ? unquote(c, va, vb) : NULL;
	kv->has_eq = has_eq;
	kv->pos = df_pos(c->ll, ka);
	if (ka == kb && !c->trigger)
		df_diag(c->p, kv->pos, "%s names can not be blank: write name=value", kw(c));
}

static void name_val(struct ictx *c, size_t a, size_t b)
{
	size_t n;
	struct df_span *w = parse_words(c->t, a, b, c->p->df->escape, &n);
	if (n == 0)
		goto out;
	const char *eq = memchr(c->t + w[0].start, '=', w[0].end - w[0].start);
	if (!eq) {
		/* legacy `ENV name value`: the rest of the line is the value */
		size_t k = a;
		while (k < b && !df_is_blank(c->t[k]))
			k++;
		if (k == b) {
			char *s = df_snippet(c->t + a, b - a, 40);
			df_diag(c->p, df_pos(c->ll, a), "%s '%s' has no value: write '%s %s=value'", kw(c), s, kw(c),
				s);
			free(s);
			goto out;
		}
		size_t v = k;
		while (v < b && df_is_blank(c->t[v]))
			v++;
		add_kv(c, a, k, v, b, false, true);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		size_t s = w[i].start, e = w[i].end;
		const char *q = memchr(c->t + s, '=', e - s);
		if (!q) {
			char *x = df_snippet(c->t + s, e - s, 40);
			df_diag(c->p, df_pos(c->ll, s), "'%s' in %s has no '=': write each entry as name=value", x,
				kw(c));
			free(x);
			continue;
		}
		size_t k = (size_t)(q - c->t);
		add_kv(c, s, k, k + 1, e, true, true);
	}
out:
	free(w);
}

static void args_kv(struct ictx *c, size_t a, size_t b)
{
	size_t n;
	struct df_span *w = parse_words(c->t, a, b, c->p->df->escape, &n);
	for (size_t i = 0; i < n; i++) {
		size_t s = w[i].start, e = w[i].end;
		const char *q = memchr(c->t + s, '=', e - s);
		if (q) {
			size_t k = (size_t)(q - c->t);
			add_kv(c, s, k, k + 1, e, true, true);
		} else {
			add_kv(c, s, e, e, e, false, false);
		}
	}
	free(w);
}

/* ---- FROM ---- */

static bool valid_stage_name(const char *s)
{
	char c0 = (char)(s[0] | 0x20);
	if (!(c0 >= 'a' && c0 <= 'z'))
		return false;
	for (const char *p = s + 1; *p; p++) {
		char ch = (char)(*p | 0x20);
		if (!((ch >= 'a' && ch <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return false;
	}
	return true;
}

static void from(struct ictx *c, size_t a, size_t b)
{
	struct quai_df_instr *in = c->in;
	split_blank(c, a, b);
	size_t n = in->nwords;
	in->from_image = df_strdup(c->p, n ? in->words[0].text : "");
	bool as = n >= 2 && strcasecmp(in->words[1].raw, "as") == 0;
	if (as && n >= 3)
		in->from_alias = df_strdup(c->p, in->words[2].raw);
	if (c->trigger)
		return;
	if (n == 0) {
		df_diag(c->p, in->pos, "FROM needs an image: write 'FROM image[:tag] [AS name]'");
	} else if (as && n == 2) {
		df_diag(c->p, in->words[1].pos, "'AS' without a stage name: write 'FROM %.60s AS name'",
			in->words[0].raw);
	} else if (n > 1 && (!as || n > 3)) {
		size_t k = as ? 3 : 1;
		char *s = df_snippet(in->words[k].raw, strlen(in->words[k].raw), 40);
		df_diag(c->p, in->words[k].pos,
			"unexpected '%s' in FROM: it takes one image and optionally 'AS name'", s);
		free(s);
	}
	if (in->from_alias && !valid_stage_name(in->from_alias)) {
		char *s = df_snippet(in->from_alias, strlen(in->from_alias), 40);
		df_diag(c->p, in->words[2].pos,
			"invalid stage name '%s': it must start with a letter and hold only letters, digits, "
			"'-', '_' and '.'",
			s);
		free(s);
	}
}

/* ---- HEALTHCHECK and ONBUILD ---- */

static void healthcheck(struct ictx *c, size_t a, size_t b)
{
	struct quai_df_instr *in = c->in;
	size_t sep = a;
	while (sep < b && !byte_space((unsigned char)c->t[sep]))
		sep++;
	if (sep == a) {
		if (!c->trigger)
			df_diag(c->p, in->pos, "HEALTHCHECK requires an argument: write 'HEALTHCHECK CMD command' or "
					       "'HEALTHCHECK NONE'");
		return;
	}
	size_t next = sep;
	while (next < b && byte_space((unsigned char)c->t[next]))
		next++;
	add_word(c, df_strndup(c->p, c->t + a, sep - a), a, sep);
	if (sep - a == 4 && strncasecmp(c->t + a, "NONE", 4) == 0) {
		in->healthcheck_none = true;
		if (next < b && !c->trigger)
			df_diag(c->p, df_pos(c->ll, next), "HEALTHCHECK NONE takes no arguments: remove what follows");
		return;
	}
	if (!(sep - a == 3 && strncasecmp(c->t + a, "CMD", 3) == 0)) {
		/* BuildKit's parser still reads the rest as a command */
		struct df_json_elem *el = NULL;
		size_t n = 0;
		if (df_json_parse(c->t + next, b - next, &el, &n) == DF_JSON_NOT_STRINGS)
			df_diag(c->p, df_pos(c->ll, next),
				"the JSON array of HEALTHCHECK holds something other than strings: quote every element");
		for (size_t i = 0; i < n; i++)
			free(el[i].text);
		free(el);
		if (!c->trigger) {
			char *s = df_snippet(c->t + a, sep - a, 30);
			df_diag(c->p, df_pos(c->ll, a), "unknown HEALTHCHECK type '%s': use CMD or NONE", s);
			free(s);
		}
		return;
	}
	struct quai_df_instr *cmd = xcalloc(1, sizeof(*cmd));
	in->healthcheck_cmd = cmd;
	cmd->kind = QUAI_DF_CMD;
	cmd->keyword = df_strndup(c->p, c->t + a, sep - a);
	cmd->pos = df_pos(c->ll, a);
	cmd->raw_off = df_src_off(c->ll, a);
	cmd->args_text = df_strndup(c->p, c->t + next, b - next);
	cmd->args_pos = df_pos(c->ll, next);
	cmd->stage = in->stage;
	struct ictx sub = { .p = c->p, .ll = c->ll, .t = c->t, .in = cmd, .trigger = c->trigger };
	try_json(&sub, next, b, false);
	bool empty = cmd->json ? cmd->njson_args == 0 : next == b;
	if (empty && !c->trigger)
		df_diag(c->p, cmd->pos, "HEALTHCHECK CMD needs a command: write e.g. 'HEALTHCHECK CMD curl -f "
					"http://localhost/ || exit 1'");
}

static void onbuild(struct ictx *c, size_t a, size_t b)
{
	struct quai_df_instr *in = c->in;
	if (a == b) {
		if (!c->trigger)
			df_diag(c->p, in->pos, "ONBUILD requires an instruction: write e.g. 'ONBUILD RUN make'");
		return;
	}
	if (c->trigger)
		return; /* ONBUILD ONBUILD: refused below, not parsed deeper */
	struct quai_df_instr *t = xcalloc(1, sizeof(*t));
	t->stage = in->stage;
	in->onbuild = t;
	df_parse_instr(c->p, c->ll, a, b, t, true);
	if (t->kind == QUAI_DF_ONBUILD)
		df_diag(c->p, t->pos, "chaining ONBUILD via 'ONBUILD ONBUILD' isn't allowed: remove one");
	else if (t->kind == QUAI_DF_FROM || t->kind == QUAI_DF_MAINTAINER)
		df_diag(c->p, t->pos, "%s isn't allowed as an ONBUILD trigger", quai_df_kind_name(t->kind));
}

/* ---- unknown instructions ---- */

static void unknown(struct ictx *c, size_t ks, size_t ke)
{
	static const char *const names[] = { "ADD",	    "ARG",   "CMD",	"COPY",	  "ENTRYPOINT",
					     "ENV",	    "EXPOSE", "FROM",	"HEALTHCHECK", "LABEL",
					     "MAINTAINER", "ONBUILD", "RUN",	"SHELL",  "STOPSIGNAL",
					     "USER",	    "VOLUME", "WORKDIR" };
	const size_t nnames = sizeof(names) / sizeof(names[0]);
	const char *t = c->t;
	struct quai_df_pos pos = c->in->pos;
	if (df_diags_full(c->p))
		return;
	char *s = df_snippet(t + ks, ke - ks, 40);
	const char *sug = df_suggest(t + ks, ke - ks, names, nnames);
	if (sug) {
		df_diag(c->p, pos, "unknown instruction '%s': did you mean '%s'?", s, sug);
		goto out;
	}
	for (size_t i = 0; i < nnames; i++) {
		size_t l = strlen(names[i]);
		if (ke - ks > l && strncasecmp(t + ks, names[i], l) == 0 &&
		    !((t[ks + l] | 0x20) >= 'a' && (t[ks + l] | 0x20) <= 'z')) {
			df_diag(c->p, pos, "unknown instruction '%s': put a space after '%s'", s, names[i]);
			goto out;
		}
	}
	char ch = (char)(t[ks] | 0x20);
	if (c->ll->indented || !(ch >= 'a' && ch <= 'z'))
		df_diag(c->p, pos,
			"unknown instruction '%s': if this continues the line before, end that line with '%c'", s,
			c->p->df->escape);
	else
		df_diag(c->p, pos, "unknown instruction '%s': a line must start with an instruction such as FROM, "
				   "RUN or COPY", s);
out:
	free(s);
}

/* ---- builder flags ---- */

/* extractBuilderFlags: leading `--name[=value]` words. Returns where the
 * arguments start. */
static size_t flags(struct ictx *c, size_t a, size_t b)
{
	struct quai_df_instr *in = c->in;
	const char *t = c->t;
	size_t cap = 0, i = a;
	struct quai_buf w = QUAI_BUF_INIT;
	for (;;) {
		while (i < b && byte_space((unsigned char)t[i]))
			i++;
		if (i >= b)
			break;
		if (!(t[i] == '-' && i + 1 < b && t[i + 1] == '-'))
			break;
		size_t ws = i;
		bool blank_ok = false, in_quote = false;
		char quote = 0;
		quai_buf_truncate(&w, 0);
		size_t we = i;
		while (we < b && !byte_space((unsigned char)t[we]) && t[we] != '\'' && t[we] != '"' && t[we] != '\\')
			we++;
		if (we == b || byte_space((unsigned char)t[we])) {
			df_buf_add(&w, t + i, we - i); /* nothing to unquote */
			i = we;
		}
		for (; i < b; i++) {
			char ch = t[i];
			if (!in_quote) {
				if (byte_space((unsigned char)ch))
					break;
				if (ch == '\'' || ch == '"') {
					quote = ch;
					blank_ok = true;
					in_quote = true;
					continue;
				}
			} else if (ch == quote) {
				in_quote = false;
				continue;
			}
			if (ch == '\\') {
				if (i + 1 == b) {
					in_quote = false;
					continue;
				}
				ch = t[++i];
			}
			df_putc(&w, ch);
		}
		if (w.len == 2 && memcmp(w.data, "--", 2) == 0) {
			i = i < b ? trim_left(t, i, b) : b; /* "--" ends the flags */
			break;
		}
		if (!blank_ok && w.len == 0)
			continue;
		const char *s = quai_buf_str(&w);
		in->flags = xgrow(in->flags, &cap, in->nflags + 1, sizeof(*in->flags));
		struct quai_df_flag *f = &in->flags[in->nflags++];
		const char *eq = strchr(s + 2, '=');
		size_t nlen = eq ? (size_t)(eq - s - 2) : strlen(s + 2);
		f->name = df_strndup(c->p, s + 2, nlen);
		f->value = eq ? df_strdup(c->p, eq + 1) : NULL;
		f->pos = df_pos(c->ll, ws);
	}
	quai_buf_release(&w);
	return i;
}

/* ---- the instruction ---- */

/* BuildKit's `^(\d*)<<(-?)([^<]*)$` with a heredoc name after it. */
static bool is_heredoc_word(const char *w)
{
	while (*w >= '0' && *w <= '9')
		w++;
	if (w[0] != '<' || w[1] != '<')
		return false;
	w += 2;
	if (*w == '-')
		w++;
	char *name;
	bool quoted;
	if (!*w || strchr(w, '<') || !df_heredoc_name(w, strlen(w), &name, &quoted))
		return false;
	free(name);
	return true;
}

static void check_count(struct ictx *c, size_t a, size_t b)
{
	struct quai_df_instr *in = c->in;
	switch (in->kind) {
	case QUAI_DF_ADD:
	case QUAI_DF_COPY: {
		size_t n = in->json ? in->njson_args : in->nwords;
		if (n < 2)
			df_diag(c->p, in->pos, "%s needs a source and a destination: write '%s <src>... <dest>'",
				kw(c), kw(c));
		else if (is_heredoc_word(in->json ? in->json_args[n - 1] : in->words[n - 1].raw))
			df_diag(c->p, in->words[n - 1].pos,
				"%s cannot accept a heredoc as the destination: put the destination path last", kw(c));
		break;
	}
	case QUAI_DF_MAINTAINER:
	case QUAI_DF_USER:
	case QUAI_DF_WORKDIR:
	case QUAI_DF_STOPSIGNAL:
		if (a == b)
			df_diag(c->p, in->pos, "%s requires exactly one argument", kw(c));
		break;
	case QUAI_DF_ENV:
	case QUAI_DF_LABEL:
		if (a == b)
			df_diag(c->p, in->pos, "%s requires at least one argument: write '%s name=value'", kw(c),
				kw(c));
		break;
	case QUAI_DF_ARG:
		if (in->nkvs == 0)
			df_diag(c->p, in->pos, "ARG requires at least one argument: write 'ARG name' or "
					       "'ARG name=default'");
		break;
	case QUAI_DF_EXPOSE:
		if (in->nwords == 0)
			df_diag(c->p, in->pos, "EXPOSE requires at least one argument: write e.g. 'EXPOSE 80/tcp'");
		break;
	case QUAI_DF_VOLUME:
		if ((in->json ? in->njson_args : in->nwords) == 0) {
			df_diag(c->p, in->pos, "VOLUME requires at least one argument: write e.g. 'VOLUME /data'");
			break;
		}
		for (size_t i = 0; in->json && i < in->njson_args; i++) {
			const char *v = in->json_args[i];
			if (trim_left(v, 0, strlen(v)) == strlen(v)) {
				df_diag(c->p, in->words[i].pos, "VOLUME can not be an empty string: give a path");
				break;
			}
		}
		break;
	case QUAI_DF_SHELL:
		if (a == b || (in->json && in->njson_args == 0))
			df_diag(c->p, in->pos, "SHELL requires at least one argument: write e.g. "
					       "'SHELL [\"/bin/bash\", \"-c\"]'");
		else if (!in->json)
			df_diag(c->p, in->args_pos, "SHELL requires the JSON form: write e.g. "
						    "'SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]'");
		break;
	default:
		break;
	}
}

void df_parse_instr(struct df_parser *p, const struct df_line *ll, size_t start, size_t end,
		    struct quai_df_instr *in, bool trigger)
{
	struct ictx c = { .p = p, .ll = ll, .t = quai_buf_str(&ll->text), .in = in, .trigger = trigger };
	const char *t = c.t;
	start = trim_left(t, start, end);
	end = trim_right(t, start, end);
	size_t ke = start;
	while (ke < end && !df_is_blank(t[ke]))
		ke++;
	in->keyword = df_strndup(p, t + start, ke - start);
	in->kind = quai_df_kind_from_name(t + start, ke - start);
	in->pos = df_pos(ll, start);
	in->raw_off = df_src_off(ll, start);
	size_t rs = ke;
	while (rs < end && df_is_blank(t[rs]))
		rs++;
	size_t a = trim_left(t, flags(&c, rs, end), end);
	in->args_text = df_strndup(p, t + a, end - a);
	in->args_pos = df_pos(ll, a);

	switch (in->kind) {
	case QUAI_DF_ADD:
	case QUAI_DF_COPY:
	case QUAI_DF_VOLUME:
		if (!try_json(&c, a, end, true))
			split_blank(&c, a, end);
		break;
	case QUAI_DF_RUN:
	case QUAI_DF_CMD:
	case QUAI_DF_ENTRYPOINT:
	case QUAI_DF_SHELL:
		if (a < end)
			try_json(&c, a, end, false);
		break;
	case QUAI_DF_ENV:
	case QUAI_DF_LABEL:
		name_val(&c, a, end);
		break;
	case QUAI_DF_ARG:
		args_kv(&c, a, end);
		break;
	case QUAI_DF_EXPOSE:
		split_blank(&c, a, end);
		break;
	case QUAI_DF_FROM:
		from(&c, a, end);
		break;
	case QUAI_DF_MAINTAINER:
	case QUAI_DF_USER:
	case QUAI_DF_WORKDIR:
	case QUAI_DF_STOPSIGNAL:
		if (a < end)
			add_word(&c, in->kind == QUAI_DF_MAINTAINER ? df_strndup(p, t + a, end - a) : unquote(&c, a, end),
				 a, end);
		break;
	case QUAI_DF_HEALTHCHECK:
		healthcheck(&c, a, end);
		break;
	case QUAI_DF_ONBUILD:
		onbuild(&c, a, end);
		break;
	default:
		if (!trigger) {
			if (start == end)
				df_diag(p, in->pos, "a line continuation with nothing after it: remove the '%c'",
					p->df->escape);
			else
				unknown(&c, start, ke);
		}
		return;
	}
	if (!trigger) {
		check_count(&c, a, end);
		df_check_flags(p, in);
	}
}

/* keyword, args_text, flags, words, pairs, from_image and from_alias are
 * in the tree's string blocks (df_strndup): not freed here. */
void df_instr_release(struct quai_df_instr *in)
{
	free(in->flags);
	for (size_t i = 0; i < in->njson_args; i++)
		free(in->json_args[i]);
	free(in->json_args);
	free(in->words);
	free(in->kvs);
	for (size_t i = 0; i < in->nheredocs; i++) {
		free(in->heredocs[i].delim);
		free(in->heredocs[i].body);
	}
	free(in->heredocs);
	if (in->healthcheck_cmd) {
		df_instr_release(in->healthcheck_cmd);
		free(in->healthcheck_cmd);
	}
	if (in->onbuild) {
		df_instr_release(in->onbuild);
		free(in->onbuild);
	}
}
