/* Pure HTML helpers of the web UI: escaping, ANSI colours to HTML, and
 * GitLab's collapsible section markers (see web.h). */
#include <stdlib.h>
#include <string.h>

#include "web/web.h"
#include "core/banned.h"

void quai_web_escape_n(struct quai_buf *b, const char *s, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		const char *ent = NULL;
		switch (ch) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		default:
			if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
				ent = "";
		}
		if (!ent)
			continue;
		quai_buf_add(b, s + start, i - start);
		quai_buf_puts(b, ent);
		start = i + 1;
	}
	quai_buf_add(b, s + start, len - start);
}

void quai_web_escape(struct quai_buf *b, const char *s)
{
	if (s)
		quai_web_escape_n(b, s, strlen(s));
}

void quai_web_ansi_init(struct quai_web_ansi *st)
{
	memset(st, 0, sizeof(*st));
	st->fg = st->bg = -1;
}

static bool plain(const struct quai_web_ansi *st)
{
	return st->fg < 0 && st->bg < 0 && !st->bold && !st->italic && !st->underline;
}

static void open_span(struct quai_buf *b, const struct quai_web_ansi *st)
{
	quai_buf_puts(b, "<span class=\"");
	const char *sep = "";
	if (st->fg >= 0) {
		quai_buf_printf(b, "f%d", st->fg);
		sep = " ";
	}
	if (st->bg >= 0) {
		quai_buf_printf(b, "%sb%d", sep, st->bg);
		sep = " ";
	}
	if (st->bold) {
		quai_buf_printf(b, "%sbo", sep);
		sep = " ";
	}
	if (st->italic) {
		quai_buf_printf(b, "%sit", sep);
		sep = " ";
	}
	if (st->underline)
		quai_buf_printf(b, "%sul", sep);
	quai_buf_puts(b, "\">");
}

static void sgr(struct quai_web_ansi *st, const int *p, size_t n)
{
	if (n == 0) {
		quai_web_ansi_init(st);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int v = p[i];
		if (v == 0)
			quai_web_ansi_init(st);
		else if (v == 1)
			st->bold = true;
		else if (v == 3)
			st->italic = true;
		else if (v == 4)
			st->underline = true;
		else if (v == 22)
			st->bold = false;
		else if (v == 23)
			st->italic = false;
		else if (v == 24)
			st->underline = false;
		else if (v >= 30 && v <= 37)
			st->fg = v - 30;
		else if (v >= 90 && v <= 97)
			st->fg = v - 90 + 8;
		else if (v == 39)
			st->fg = -1;
		else if (v >= 40 && v <= 47)
			st->bg = v - 40;
		else if (v >= 100 && v <= 107)
			st->bg = v - 100 + 8;
		else if (v == 49)
			st->bg = -1;
		else if ((v == 38 || v == 48) && i + 2 < n && p[i + 1] == 5) {
			int c = p[i + 2];
			if (c >= 0 && c < 16)
				*(v == 38 ? &st->fg : &st->bg) = c;
			i += 2;
		} else if ((v == 38 || v == 48) && i + 4 < n && p[i + 1] == 2)
			i += 4;
	}
}

/* Length of the escape sequence at s[0] == ESC; *is_sgr and its params. */
static size_t escape_len(const char *s, size_t len, bool *is_sgr, int *params, size_t *np)
{
	*is_sgr = false;
	*np = 0;
	if (len < 2)
		return len;
	if (s[1] != '[')
		return 2;
	size_t i = 2;
	int cur = 0;
	bool have = false;
	while (i < len && ((s[i] >= '0' && s[i] <= '9') || s[i] == ';' || s[i] == '?')) {
		if (s[i] == ';') {
			if (*np < 16)
				params[(*np)++] = have ? cur : 0;
			cur = 0;
			have = false;
		} else if (s[i] != '?') {
			if (cur < 10000)
				cur = cur * 10 + (s[i] - '0');
			have = true;
		}
		i++;
	}
	if (i == len)
		return len;
	if (s[i] == 'm') {
		*is_sgr = true;
		if ((have || *np) && *np < 16)
			params[(*np)++] = cur;
	}
	return i + 1;
}

void quai_web_ansi_line(struct quai_buf *b, const char *s, size_t len, struct quai_web_ansi *st)
{
	/* a carriage return overwrites the line: keep what follows the last
	 * one that is not at the end */
	while (len && s[len - 1] == '\r')
		len--;
	for (size_t i = len; i > 0; i--)
		if (s[i - 1] == '\r') {
			s += i;
			len -= i;
			break;
		}
	bool open = false;
	if (!plain(st)) {
		open_span(b, st);
		open = true;
	}
	size_t start = 0;
	for (size_t i = 0; i < len;) {
		if (s[i] != '\x1b') {
			i++;
			continue;
		}
		quai_web_escape_n(b, s + start, i - start);
		bool is_sgr;
		int params[16];
		size_t np;
		size_t n = escape_len(s + i, len - i, &is_sgr, params, &np);
		if (is_sgr) {
			if (open)
				quai_buf_puts(b, "</span>");
			sgr(st, params, np);
			open = !plain(st);
			if (open)
				open_span(b, st);
		}
		i += n;
		start = i;
	}
	quai_web_escape_n(b, s + start, len - start);
	if (open)
		quai_buf_puts(b, "</span>");
}

static const char *find(const char *s, size_t len, const char *needle)
{
	size_t nl = strlen(needle);
	for (size_t i = 0; i + nl <= len; i++)
		if (memcmp(s + i, needle, nl) == 0)
			return s + i;
	return NULL;
}

enum quai_web_section_kind quai_web_section_parse(const char *s, size_t len, struct quai_web_section *out)
{
	memset(out, 0, sizeof(*out));
	enum quai_web_section_kind kind = QUAI_WEB_SECTION_START;
	const char *p = find(s, len, "section_start:");
	size_t skip = 14;
	if (!p) {
		p = find(s, len, "section_end:");
		kind = QUAI_WEB_SECTION_END;
		skip = 12;
	}
	if (!p)
		return QUAI_WEB_NO_SECTION;
	/* only escape sequences may come before the marker */
	for (const char *q = s; q < p; q++)
		if (*q != '\x1b' && *q != '[' && *q != '0' && *q != 'K')
			return QUAI_WEB_NO_SECTION;
	const char *end = s + len;
	p += skip;
	char *num_end = NULL;
	char tmp[24];
	size_t tl = 0;
	while (p + tl < end && tl < sizeof(tmp) - 1 && p[tl] >= '0' && p[tl] <= '9')
		tl++;
	if (tl == 0 || p + tl >= end || p[tl] != ':')
		return QUAI_WEB_NO_SECTION;
	memcpy(tmp, p, tl);
	tmp[tl] = '\0';
	out->time = strtoll(tmp, &num_end, 10);
	p += tl + 1;
	size_t nl = 0;
	while (p + nl < end && p[nl] != '\r' && p[nl] != '[' && p[nl] != '\x1b' && p[nl] != ' ')
		nl++;
	if (nl == 0 || nl > 64)
		return QUAI_WEB_NO_SECTION;
	memcpy(out->name, p, nl);
	out->name[nl] = '\0';
	for (size_t i = 0; i < nl; i++) {
		char c = out->name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return QUAI_WEB_NO_SECTION;
	}
	p += nl;
	if (p < end && *p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));
		if (!close)
			return QUAI_WEB_NO_SECTION;
		if (find(p, (size_t)(close - p), "collapsed=true"))
			out->collapsed = true;
		p = close + 1;
	}
	if (p < end && *p == '\r')
		p++;
	if (end - p >= 4 && memcmp(p, "\x1b[0K", 4) == 0)
		p += 4;
	out->header_off = (size_t)(p - s);
	return kind;
}
