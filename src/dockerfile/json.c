/* The exec form: a JSON array of strings, read as Go's json.Unmarshal reads
 * it into []interface{} (BuildKit's parseJSON). Anything that is not valid
 * JSON is shell form; valid JSON with a non-string element is an error. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "dockerfile/internal.h"
#include "core/banned.h"

#define MAX_DEPTH 10000 /* Go's encoding/json nesting limit */

struct jp {
	const char *s;
	size_t n, i;
};

static void ws(struct jp *j)
{
	while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t' || j->s[j->i] == '\n' || j->s[j->i] == '\r'))
		j->i++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool hex4(struct jp *j, unsigned *out)
{
	if (j->n - j->i < 4)
		return false;
	unsigned v = 0;
	for (int k = 0; k < 4; k++) {
		int h = hexval(j->s[j->i + (size_t)k]);
		if (h < 0)
			return false;
		v = v * 16 + (unsigned)h;
	}
	j->i += 4;
	*out = v;
	return true;
}

static void put_utf8(struct quai_buf *b, unsigned cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	df_buf_add(b, u, n);
}

/* A string at j->i (on its '"'); decoded into `b` when not NULL. */
static bool string(struct jp *j, struct quai_buf *b)
{
	j->i++;
	for (;;) {
		if (j->i >= j->n)
			return false;
		size_t run = j->i;
		while (j->i < j->n && j->s[j->i] != '"' && j->s[j->i] != '\\' && (unsigned char)j->s[j->i] >= 0x20)
			j->i++;
		if (b)
			df_buf_add(b, j->s + run, j->i - run);
		if (j->i >= j->n)
			return false;
		char c = j->s[j->i];
		if (c == '"') {
			j->i++;
			return true;
		}
		if (c != '\\')
			return false; /* control character */
		if (++j->i >= j->n)
			return false;
		c = j->s[j->i++];
		const char *esc = strchr("\"\\/bfnrt", c);
		if (c && esc) {
			static const char out[] = "\"\\/\b\f\n\r\t";
			if (b)
				df_putc(b, out[esc - "\"\\/bfnrt"]);
			continue;
		}
		if (c != 'u')
			return false;
		unsigned cp;
		if (!hex4(j, &cp))
			return false;
		if (cp >= 0xd800 && cp < 0xdc00) {
			unsigned lo;
			size_t save = j->i;
			if (j->n - j->i >= 6 && j->s[j->i] == '\\' && j->s[j->i + 1] == 'u') {
				j->i += 2;
				if (!hex4(j, &lo))
					return false;
				if (lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				} else {
					cp = 0xfffd;
					j->i = save;
				}
			} else {
				cp = 0xfffd;
			}
		} else if (cp >= 0xdc00 && cp < 0xe000) {
			cp = 0xfffd;
		}
		if (b)
			put_utf8(b, cp);
	}
}

static bool digits(struct jp *j)
{
	size_t s = j->i;
	while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
		j->i++;
	return j->i > s;
}

static bool number(struct jp *j)
{
	if (j->s[j->i] == '-')
		j->i++;
	if (j->i >= j->n)
		return false;
	if (j->s[j->i] == '0')
		j->i++;
	else if (!digits(j))
		return false;
	if (j->i < j->n && j->s[j->i] == '.') {
		j->i++;
		if (!digits(j))
			return false;
	}
	if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
		j->i++;
		if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
			j->i++;
		if (!digits(j))
			return false;
	}
	return true;
}

static bool literal(struct jp *j, const char *w)
{
	size_t l = strlen(w);
	if (j->n - j->i < l || memcmp(j->s + j->i, w, l) != 0)
		return false;
	j->i += l;
	return true;
}

/* Any JSON value, without recursion: `stack` holds '[' or '{' per level. */
static bool value(struct jp *j)
{
	char *stack = NULL;
	size_t depth = 0, cap = 0;
	bool ok = false;
	for (;;) {
		ws(j);
		if (j->i >= j->n)
			goto out;
		char c = j->s[j->i];
		if (c == '[' || c == '{') {
			if (depth >= MAX_DEPTH)
				goto out;
			stack = xgrow(stack, &cap, depth + 1, 1);
			stack[depth++] = c;
			j->i++;
			ws(j);
			if (j->i < j->n && j->s[j->i] == (c == '[' ? ']' : '}')) {
				j->i++;
				depth--;
				goto after_value;
			}
			if (c == '{')
				goto key;
			continue;
		}
		if (c == '"') {
			if (!string(j, NULL))
				goto out;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			if (!number(j))
				goto out;
		} else if (!literal(j, "true") && !literal(j, "false") && !literal(j, "null")) {
			goto out;
		}
	after_value:
		for (;;) {
			if (depth == 0) {
				ok = true;
				goto out;
			}
			ws(j);
			if (j->i >= j->n)
				goto out;
			char e = j->s[j->i++];
			char open = stack[depth - 1];
			if (e == ',') {
				if (open == '{')
					goto key;
				break; /* next array element */
			}
			if (e != (open == '[' ? ']' : '}'))
				goto out;
			depth--;
		}
		continue;
	key:
		ws(j);
		if (j->i >= j->n || j->s[j->i] != '"' || !string(j, NULL))
			goto out;
		ws(j);
		if (j->i >= j->n || j->s[j->i] != ':')
			goto out;
		j->i++;
	}
out:
	free(stack);
	return ok;
}

enum df_json_result df_json_parse(const char *s, size_t n, struct df_json_elem **out, size_t *nout)
{
	struct jp j = { s, n, 0 };
	*out = NULL;
	*nout = 0;
	/* BuildKit trims Unicode white space on the left, then needs '[' */
	size_t k;
	while (j.i < n && (k = df_space_len(s, j.i, n)))
		j.i += k;
	if (j.i >= n || s[j.i] != '[')
		return DF_JSON_NOT_JSON;
	size_t start = j.i;
	if (!value(&j))
		return DF_JSON_NOT_JSON;
	ws(&j);
	if (j.i != n)
		return DF_JSON_NOT_JSON;

	/* valid: collect the top-level elements */
	struct df_json_elem *el = NULL;
	size_t nel = 0, cap = 0;
	j.i = start + 1;
	ws(&j);
	if (j.s[j.i] == ']')
		goto done;
	for (;;) {
		ws(&j);
		size_t at = j.i;
		if (s[at] != '"') {
			for (size_t i = 0; i < nel; i++)
				free(el[i].text);
			free(el);
			return DF_JSON_NOT_STRINGS;
		}
		struct quai_buf b = QUAI_BUF_INIT;
		string(&j, &b);
		el = xgrow(el, &cap, nel + 1, sizeof(*el));
		el[nel++] = (struct df_json_elem){ quai_buf_detach(&b), at, j.i - at };
		ws(&j);
		if (s[j.i++] == ']')
			break;
	}
done:
	*out = el;
	*nout = nel;
	return DF_JSON_OK;
}
