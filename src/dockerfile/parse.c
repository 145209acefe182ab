/* The Dockerfile parser's main loop: physical lines, parser directives,
 * comments, continuations, heredoc bodies and stages, as BuildKit's
 * frontend/dockerfile/parser reads them. The arguments of each instruction
 * are parsed in instr.c. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xalloc.h"
#include "dockerfile/dockerfile.h"
#include "dockerfile/internal.h"
#include "core/banned.h"

static const char *const kind_names[QUAI_DF_KIND_COUNT] = {
	[QUAI_DF_UNKNOWN] = "",
	[QUAI_DF_ADD] = "ADD",
	[QUAI_DF_ARG] = "ARG",
	[QUAI_DF_CMD] = "CMD",
	[QUAI_DF_COPY] = "COPY",
	[QUAI_DF_ENTRYPOINT] = "ENTRYPOINT",
	[QUAI_DF_ENV] = "ENV",
	[QUAI_DF_EXPOSE] = "EXPOSE",
	[QUAI_DF_FROM] = "FROM",
	[QUAI_DF_HEALTHCHECK] = "HEALTHCHECK",
	[QUAI_DF_LABEL] = "LABEL",
	[QUAI_DF_MAINTAINER] = "MAINTAINER",
	[QUAI_DF_ONBUILD] = "ONBUILD",
	[QUAI_DF_RUN] = "RUN",
	[QUAI_DF_SHELL] = "SHELL",
	[QUAI_DF_STOPSIGNAL] = "STOPSIGNAL",
	[QUAI_DF_USER] = "USER",
	[QUAI_DF_VOLUME] = "VOLUME",
	[QUAI_DF_WORKDIR] = "WORKDIR",
};

const char *quai_df_kind_name(enum quai_df_kind kind)
{
	if ((unsigned)kind >= QUAI_DF_KIND_COUNT)
		return "";
	return kind_names[kind];
}

enum quai_df_kind quai_df_kind_from_name(const char *name, size_t len)
{
	if (len < 3 || len > 11)
		return QUAI_DF_UNKNOWN;
	/* the names are upper-case letters: c & 0xdf is c in upper case */
	char first = (char)(name[0] & 0xdf);
	for (int k = 1; k < QUAI_DF_KIND_COUNT; k++) {
		const char *kn = kind_names[k];
		if (kn[0] != first)
			continue;
		size_t i = 1;
		while (i < len && kn[i] && kn[i] == (char)(name[i] & 0xdf) && (name[i] | 0x20) >= 'a' &&
		       (name[i] | 0x20) <= 'z')
			i++;
		if (i == len && !kn[i])
			return (enum quai_df_kind)k;
	}
	return QUAI_DF_UNKNOWN;
}

bool quai_df_kind_expands(enum quai_df_kind kind)
{
	switch (kind) {
	case QUAI_DF_ADD:
	case QUAI_DF_ARG:
	case QUAI_DF_COPY:
	case QUAI_DF_ENV:
	case QUAI_DF_EXPOSE:
	case QUAI_DF_FROM:
	case QUAI_DF_LABEL:
	case QUAI_DF_STOPSIGNAL:
	case QUAI_DF_USER:
	case QUAI_DF_VOLUME:
	case QUAI_DF_WORKDIR:
		return true;
	default:
		return false;
	}
}

const struct quai_df_flag *quai_df_instr_flag(const struct quai_df_instr *instr, const char *name)
{
	for (size_t i = 0; i < instr->nflags; i++)
		if (strcmp(instr->flags[i].name, name) == 0)
			return &instr->flags[i];
	return NULL;
}

int quai_dockerfile_stage_by_name(const struct quai_dockerfile *df, const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < df->nstages; i++)
		if (df->stages[i].name && strcasecmp(df->stages[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *quai_dockerfile_raw(const struct quai_dockerfile *df, const struct quai_df_instr *instr)
{
	if (!df->src || instr->raw_off > df->src_len)
		return "";
	return df->src + instr->raw_off;
}

/* ---- positions and diagnostics ---- */

#define MAX_DIAGS 500 /* then one "too many" diagnostic, and no more */

struct quai_df_pos df_pos(const struct df_line *ll, size_t log)
{
	size_t lo = 0, hi = ll->nsegs;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (ll->segs[mid].log <= log)
			lo = mid;
		else
			hi = mid;
	}
	const struct df_seg *s = &ll->segs[lo];
	return (struct quai_df_pos){ s->line, (unsigned)(s->src + (log - s->log) - s->line_start + 1) };
}

size_t df_src_off(const struct df_line *ll, size_t log)
{
	size_t i = ll->nsegs - 1;
	while (i > 0 && ll->segs[i].log > log)
		i--;
	return ll->segs[i].src + (log - ll->segs[i].log);
}

bool df_diags_full(const struct df_parser *p)
{
	return p->df->ndiags > MAX_DIAGS;
}

void df_diag(struct df_parser *p, struct quai_df_pos pos, const char *fmt, ...)
{
	struct quai_dockerfile *df = p->df;
	va_list ap;
	if (df->ndiags > MAX_DIAGS)
		return;
	df->diags = xgrow(df->diags, &p->diagcap, df->ndiags + 1, sizeof(*df->diags));
	df->diags[df->ndiags].pos = pos;
	if (df->ndiags == MAX_DIAGS) {
		df->diags[df->ndiags++].message =
			xstrdup("too many syntax errors: is this a Dockerfile? (no more are reported)");
		return;
	}
	va_start(ap, fmt);
	df->diags[df->ndiags].message = xvasprintf(fmt, ap);
	df->ndiags++;
	va_end(ap);
}

char *df_snippet(const char *s, size_t len, size_t max)
{
	bool cut = len > max;
	if (cut)
		len = max;
	char *out = xmalloc(len + 4);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	memcpy(out + len, cut ? "..." : "", cut ? 4 : 1);
	return out;
}

size_t df_space_len_utf8(const char *s, size_t i, size_t n)
{
	unsigned char c = (unsigned char)s[i];
	if (c < 0xc2)
		return 0;
	unsigned char c1 = i + 1 < n ? (unsigned char)s[i + 1] : 0;
	if (c == 0xc2)
		return (c1 == 0x85 || c1 == 0xa0) ? 2 : 0;
	if (i + 2 >= n)
		return 0;
	unsigned char c2 = (unsigned char)s[i + 2];
	if (c == 0xe1 && c1 == 0x9a && c2 == 0x80)
		return 3; /* U+1680 */
	if (c == 0xe3 && c1 == 0x80 && c2 == 0x80)
		return 3; /* U+3000 */
	if (c == 0xe2 && c1 == 0x80 && (c2 <= 0x8a || c2 == 0xa8 || c2 == 0xa9 || c2 == 0xaf))
		return 3; /* U+2000..200A, 2028, 2029, 202F */
	if (c == 0xe2 && c1 == 0x81 && c2 == 0x9f)
		return 3; /* U+205F */
	return 0;
}

static size_t skip_space(const char *s, size_t i, size_t n)
{
	size_t k;
	while (i < n && (k = df_space_len(s, i, n)))
		i += k;
	return i;
}

/* ---- the tree's strings ---- */

struct quai_df_strings {
	struct quai_df_strings *next;
	size_t used, size;
	char data[];
};

#define STRINGS_BLOCK 4000

char *df_strndup(struct df_parser *p, const char *s, size_t n)
{
	struct quai_df_strings **head = &p->df->strings, *b = *head;
	if (!b || b->size - b->used < n + 1) {
		/* a long string gets a block of its own, after the current one */
		size_t size = n + 1 > STRINGS_BLOCK / 4 ? n + 1 : STRINGS_BLOCK;
		struct quai_df_strings *nb = xmalloc(sizeof(*nb) + size);
		nb->used = 0;
		nb->size = size;
		if (b && size != STRINGS_BLOCK) {
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			*head = nb;
		}
		b = nb;
	}
	char *out = b->data + b->used;
	b->used += n + 1;
	if (n)
		memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

char *df_strdup(struct df_parser *p, const char *s)
{
	return df_strndup(p, s, strlen(s));
}

/* ---- physical lines ---- */

bool df_read_line(struct df_parser *p, struct df_pline *out)
{
	if (p->off >= p->len)
		return false;
	const char *s = p->src + p->off;
	const char *nl = memchr(s, '\n', p->len - p->off);
	size_t end = nl ? (size_t)(nl - p->src) : p->len;
	out->start = p->off;
	p->off = nl ? end + 1 : end;
	while (end > out->start && p->src[end - 1] == '\r')
		end--;
	out->end = end;
	out->line = ++p->line;
	return true;
}

/* ---- parser directives and comments ---- */

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Go regexp \s: [\t\n\f\r ]. */
static bool is_re_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* Matches a line (leading white space removed) against BuildKit's directive
 * form "#" space* name \s* "=" \s* value. */
static bool match_directive(const char *s, size_t n, size_t *ks, size_t *ke, size_t *vs, size_t *ve)
{
	if (n == 0 || s[0] != '#')
		return false;
	size_t i = skip_space(s, 1, n);
	*ks = i;
	if (i >= n || !is_alpha(s[i]))
		return false;
	while (i < n && (is_alpha(s[i]) || is_digit(s[i])))
		i++;
	*ke = i;
	while (i < n && is_re_space(s[i]))
		i++;
	if (i >= n || s[i] != '=')
		return false;
	i++;
	while (i < n && is_re_space(s[i]))
		i++;
	size_t e = n;
	while (e > i && is_re_space(s[e - 1]))
		e--;
	if (e <= i)
		return false;
	*vs = i;
	*ve = e;
	return true;
}

static bool value_has(const char *v, const char *needle)
{
	return strstr(v, needle) != NULL;
}

/* Returns true if the line was a parser directive. */
static bool directive(struct df_parser *p, const struct df_pline *pl, size_t lead)
{
	const char *s = p->src + pl->start + lead;
	size_t n = pl->end - pl->start - lead;
	size_t ks, ke, vs, ve;
	if (!match_directive(s, n, &ks, &ke, &vs, &ve)) {
		p->directives_done = true;
		return false;
	}
	char name[16];
	size_t klen = ke - ks;
	if (klen >= sizeof(name)) {
		p->directives_done = true;
		return false;
	}
	for (size_t i = 0; i < klen; i++)
		name[i] = (char)(s[ks + i] | 0x20);
	name[klen] = '\0';
	if (strcmp(name, "syntax") != 0 && strcmp(name, "escape") != 0 && strcmp(name, "check") != 0) {
		p->directives_done = true;
		return false;
	}

	struct quai_dockerfile *df = p->df;
	struct quai_df_pos pos = { pl->line, (unsigned)(lead + 1) };
	for (size_t i = 0; i < df->ndirectives; i++) {
		if (strcmp(df->directives[i].name, name) == 0) {
			df_diag(p, pos,
				"only one '%s' parser directive can be used: remove this one or the one on line %u",
				name, df->directives[i].pos.line);
			return true;
		}
	}
	df->directives = xgrow(df->directives, &p->directivecap, df->ndirectives + 1, sizeof(*df->directives));
	struct quai_df_directive *d = &df->directives[df->ndirectives++];
	d->name = xstrdup(name);
	d->value = xstrndup(s + vs, ve - vs);
	d->pos = pos;
	if (strcmp(name, "escape") == 0) {
		if (strcmp(d->value, "\\") == 0 || strcmp(d->value, "`") == 0) {
			df->escape = d->value[0];
		} else {
			char *v = df_snippet(d->value, strlen(d->value), 20);
			df_diag(p, pos, "invalid escape token '%s': the escape directive takes '\\' or '`'", v);
			free(v);
		}
	} else if (strcmp(name, "syntax") == 0) {
		p->labs = value_has(d->value, "labs");
	}
	return true;
}

static void add_comment(struct df_parser *p, const struct df_pline *pl, size_t lead)
{
	struct quai_dockerfile *df = p->df;
	const char *s = p->src + pl->start + lead + 1;
	size_t n = pl->end - pl->start - lead - 1;
	size_t i = skip_space(s, 0, n);
	size_t e = n;
	while (e > i) {
		size_t k = 0;
		/* trailing white space: ASCII and the two-byte U+0085 / U+00A0 */
		if (df_space_len(s, e - 1, n) == 1)
			k = 1;
		else if (e - i >= 2 && df_space_len(s, e - 2, n) == 2)
			k = 2;
		if (!k)
			break;
		e -= k;
	}
	if (df->ncomments == p->commentcap)
		df->comments = xgrow(df->comments, &p->commentcap, df->ncomments < 32 ? 32 : df->ncomments + 1,
				     sizeof(*df->comments));
	struct quai_df_comment *c = &df->comments[df->ncomments++];
	c->text = df_strndup(p, s + i, e - i);
	c->pos = (struct quai_df_pos){ pl->line, (unsigned)(lead + 1) };
	c->next_instr = (size_t)-1;
}

/* ---- logical lines ---- */

static void line_add(struct df_line *ll, const char *src, size_t off, size_t n, const struct df_pline *pl)
{
	if (ll->nsegs == ll->segcap)
		ll->segs = xgrow(ll->segs, &ll->segcap, ll->nsegs + 1, sizeof(*ll->segs));
	ll->segs[ll->nsegs++] = (struct df_seg){ ll->text.len, off, pl->start, pl->line };
	df_buf_add(&ll->text, src + off, n);
}

/* BuildKit's `([^E])E[ \t]*$|^E[ \t]*$` for escape E on one physical line
 * [a, *b): if it matches, cuts the escape and what follows and returns true. */
static bool trim_continuation(char esc, const char *s, size_t a, size_t *b)
{
	size_t e = *b;
	while (e > a && (s[e - 1] == ' ' || s[e - 1] == '\t'))
		e--;
	if (e == a || s[e - 1] != esc)
		return false;
	if (e - 1 > a && s[e - 2] == esc)
		return false;
	*b = e - 1;
	return true;
}

/* ---- heredocs ---- */

static bool heredoc_kind(const struct quai_df_instr *in)
{
	return in && !in->json &&
	       (in->kind == QUAI_DF_RUN || in->kind == QUAI_DF_COPY || in->kind == QUAI_DF_ADD);
}

static bool has_heredoc_op(const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	while ((p = memchr(p, '<', (size_t)(end - p))) && p + 1 < end) {
		if (p[1] == '<')
			return true;
		p += 2;
	}
	return false;
}

/* The heredocs a line opens, as BuildKit finds them: words of the form
 * `[n]<<[-]NAME`. */
static void find_heredocs(const struct df_line *ll, struct quai_df_instr *in)
{
	const char *t = quai_buf_str(&ll->text);
	struct df_span *w = NULL;
	size_t nw = 0, cap = 0;
	if (!df_shell_words(t, ll->text.len, &w, &nw))
		goto out;
	for (size_t i = 0; i < nw; i++) {
		size_t s = w[i].start, e = w[i].end;
		while (s < e && is_digit(t[s]))
			s++;
		if (e - s < 3 || t[s] != '<' || t[s + 1] != '<')
			continue;
		size_t lt = s;
		s += 2;
		bool chomp = t[s] == '-';
		if (chomp)
			s++;
		if (s == e || memchr(t + s, '<', e - s))
			continue;
		char *name;
		bool quoted;
		if (!df_heredoc_name(t + s, e - s, &name, &quoted))
			continue;
		in->heredocs = xgrow(in->heredocs, &cap, in->nheredocs + 1, sizeof(*in->heredocs));
		struct quai_df_heredoc *h = &in->heredocs[in->nheredocs++];
		memset(h, 0, sizeof(*h));
		h->delim = name;
		h->strip_tabs = chomp;
		h->expand = !quoted;
		h->pos = df_pos(ll, lt);
	}
out:
	free(w);
}

/* Reads the bodies of the heredocs of `in` from the lines that follow. */
static void read_heredocs(struct df_parser *p, struct quai_df_instr *in, size_t *last_end)
{
	struct df_pline pl;
	for (size_t i = 0; i < in->nheredocs; i++) {
		struct quai_df_heredoc *h = &in->heredocs[i];
		struct quai_buf body = QUAI_BUF_INIT;
		size_t dlen = strlen(h->delim);
		bool done = false;
		h->body_line = p->line + 1;
		while (df_read_line(p, &pl)) {
			const char *s = p->src + pl.start;
			size_t n = pl.end - pl.start, t = 0;
			*last_end = pl.end;
			if (h->strip_tabs)
				while (t < n && s[t] == '\t')
					t++;
			if (n - t == dlen && memcmp(s + t, h->delim, dlen) == 0) {
				h->end_line = pl.line;
				done = true;
				break;
			}
			quai_buf_add(&body, s + t, n - t);
			df_putc(&body, '\n');
		}
		h->body = quai_buf_detach(&body);
		if (!done) {
			char *d = df_snippet(h->delim, dlen, 40);
			df_diag(p, h->pos,
				"unterminated heredoc '%s': no line after it is exactly '%s'; add that line where the "
				"heredoc ends%s",
				d, d, h->strip_tabs ? " (leading tabs allowed)" : "");
			free(d);
			for (size_t k = i + 1; k < in->nheredocs; k++)
				in->heredocs[k].body = xstrdup(""); /* never read: the file ended */
			return;
		}
	}
}

/* ---- instructions and stages ---- */

static void add_stage(struct df_parser *p, size_t index)
{
	struct quai_dockerfile *df = p->df;
	struct quai_df_instr *in = &df->instrs[index];
	df->stages = xgrow(df->stages, &p->stagecap, df->nstages + 1, sizeof(*df->stages));
	struct quai_df_stage *st = &df->stages[df->nstages];
	st->name = in->from_alias;
	st->image = in->from_image;
	st->from_index = index;
	st->end_index = index + 1;
	in->stage = (int)df->nstages++;
}

static void instruction(struct df_parser *p, struct df_line *ll, const struct df_pline *first, size_t lead)
{
	struct quai_dockerfile *df = p->df;
	char esc = df->escape;
	struct df_pline pl;

	quai_buf_truncate(&ll->text, 0);
	ll->nsegs = 0;
	ll->indented = lead > 0;
	size_t a = first->start + lead, b = first->end;
	bool cont = trim_continuation(esc, p->src, a, &b);
	line_add(ll, p->src, a, b - a, first);
	size_t last_end = first->end;
	while (cont && df_read_line(p, &pl)) {
		last_end = pl.end;
		size_t l = skip_space(p->src, pl.start, pl.end);
		if (l == pl.end || p->src[l] == '#')
			continue; /* empty lines and comments inside a continuation */
		b = pl.end;
		cont = trim_continuation(esc, p->src, pl.start, &b);
		line_add(ll, p->src, pl.start, b - pl.start, &pl);
	}

	if (df->ninstrs == p->instrcap) /* from 32: most files have fewer */
		df->instrs = xgrow(df->instrs, &p->instrcap, df->ninstrs < 32 ? 32 : df->ninstrs + 1,
				   sizeof(*df->instrs));
	size_t index = df->ninstrs++;
	struct quai_df_instr *in = &df->instrs[index];
	memset(in, 0, sizeof(*in));
	in->stage = (int)df->nstages - 1;
	df_parse_instr(p, ll, 0, ll->text.len, in, false);

	struct quai_df_instr *hd = in->kind == QUAI_DF_ONBUILD ? in->onbuild : in;
	if (heredoc_kind(hd) && has_heredoc_op(quai_buf_str(&ll->text), ll->text.len)) {
		find_heredocs(ll, hd);
		read_heredocs(p, hd, &last_end);
	}
	in->end_line = p->line;
	in->raw_len = last_end > in->raw_off ? last_end - in->raw_off : 0;

	if (in->kind == QUAI_DF_FROM)
		add_stage(p, index);
	else if (df->nstages)
		df->stages[df->nstages - 1].end_index = index + 1;
	if (in->onbuild) {
		in->onbuild->stage = in->stage;
		in->onbuild->end_line = in->end_line;
		in->onbuild->raw_len = last_end > in->onbuild->raw_off ? last_end - in->onbuild->raw_off : 0;
	}
	if (in->healthcheck_cmd) {
		in->healthcheck_cmd->stage = in->stage;
		in->healthcheck_cmd->end_line = in->end_line;
		in->healthcheck_cmd->raw_len =
			last_end > in->healthcheck_cmd->raw_off ? last_end - in->healthcheck_cmd->raw_off : 0;
	}

	for (size_t i = p->pending_comments; i < df->ncomments; i++)
		df->comments[i].next_instr = index;
	p->pending_comments = df->ncomments;
}

static void check_file(struct df_parser *p)
{
	struct quai_dockerfile *df = p->df;
	if (df->ninstrs == 0) {
		df_diag(p, (struct quai_df_pos){ 1, 1 },
			"the file has no instructions: a Dockerfile needs at least a FROM instruction");
		return;
	}
	bool unknown = false;
	for (size_t i = 0; i < df->ninstrs; i++)
		unknown = unknown || df->instrs[i].kind == QUAI_DF_UNKNOWN;
	if (df->nstages == 0 && !unknown) /* a misspelt FROM is reported already */
		df_diag(p, df->instrs[0].pos,
			"no FROM instruction: add one (e.g. 'FROM debian:12') to start a build stage");
}

void quai_dockerfile_parse(struct quai_dockerfile *out, const char *name, const char *src, size_t len)
{
	memset(out, 0, sizeof(*out));
	out->name = xstrdup(name ? name : "");
	out->src = xmalloc(len + 1);
	if (len)
		memcpy(out->src, src, len);
	out->src[len] = '\0';
	out->src_len = len;
	out->escape = '\\';

	struct df_parser p = { .df = out, .src = out->src, .len = len };
	const char *nul = len ? memchr(out->src, '\0', len) : NULL;
	if (nul) {
		/* positions of a binary file are meaningless past the first NUL: report it once */
		size_t off = (size_t)(nul - out->src), ls = off;
		unsigned line = 1;
		for (size_t i = 0; i < off; i++)
			if (out->src[i] == '\n') {
				line++;
				ls = i + 1;
			}
		if (line == 1)
			ls = 0;
		df_diag(&p, (struct quai_df_pos){ line, (unsigned)(off - ls + 1) },
			"the file is not text (it contains a NUL byte): a Dockerfile must be UTF-8 text");
		return;
	}
	if (len >= 3 && memcmp(src, "\xef\xbb\xbf", 3) == 0)
		p.off = 3;

	/* a logical line is rarely longer: it grows when it is */
	struct df_line ll = { .text = { .data = xmalloc(1024), .cap = 1024 },
			      .segs = xmalloc(32 * sizeof(struct df_seg)),
			      .segcap = 32 };
	ll.text.data[0] = '\0';
	struct df_pline pl;
	while (df_read_line(&p, &pl)) {
		size_t lead = skip_space(p.src, pl.start, pl.end) - pl.start;
		if (!p.directives_done && directive(&p, &pl, lead))
			continue;
		if (pl.start + lead == pl.end)
			continue;
		if (p.src[pl.start + lead] == '#') {
			add_comment(&p, &pl, lead);
			continue;
		}
		instruction(&p, &ll, &pl, lead);
	}
	for (size_t i = p.pending_comments; i < out->ncomments; i++)
		out->comments[i].next_instr = out->ninstrs;
	quai_buf_release(&ll.text);
	free(ll.segs);
	check_file(&p);
}

void quai_dockerfile_release(struct quai_dockerfile *df)
{
	for (size_t i = 0; i < df->ninstrs; i++)
		df_instr_release(&df->instrs[i]);
	free(df->instrs);
	free(df->stages);
	free(df->comments); /* their texts are in df->strings */
	for (size_t i = 0; i < df->ndirectives; i++) {
		free(df->directives[i].name);
		free(df->directives[i].value);
	}
	free(df->directives);
	for (size_t i = 0; i < df->ndiags; i++)
		free(df->diags[i].message);
	free(df->diags);
	free(df->name);
	free(df->src);
	for (struct quai_df_strings *b = df->strings, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	memset(df, 0, sizeof(*df));
}
