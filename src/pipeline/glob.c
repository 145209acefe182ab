/* Path globs of changes: and exists:, as Ruby's File.fnmatch with
 * FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB matches them: `*` and `?` stop
 * at '/', `**\/` is any number of directories, [classes], {a,b} braces. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "pipeline/internal.h"
#include "core/banned.h"

#define BRACE_MAX 256u    /* alternatives of one pattern */
#define WALK_MAX  100000u /* files looked at for exists: */
#define STEPS_MAX 200000u

static bool class_match(const char **pp, char c)
{
	const char *p = *pp + 1;
	bool neg = *p == '!' || *p == '^';
	if (neg)
		p++;
	bool hit = false;
	bool first = true;
	while (*p && (first || *p != ']')) {
		first = false;
		char lo = *p;
		if (lo == '\\' && p[1])
			lo = *++p;
		char hi = lo;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = p[2];
			p += 2;
		}
		if (c >= lo && c <= hi)
			hit = true;
		p++;
	}
	if (*p != ']')
		return false; /* unterminated: no match */
	*pp = p + 1;
	return hit != neg && c != '/';
}

static bool match(const char *p, const char *s, unsigned *steps)
{
	while (*p) {
		if (++*steps > STEPS_MAX)
			return false;
		if (p[0] == '*' && p[1] == '*' && p[2] == '/') {
			/* zero or more directories */
			if (match(p + 3, s, steps))
				return true;
			for (const char *q = s; *q; q++)
				if (*q == '/' && match(p + 3, q + 1, steps))
					return true;
			return false;
		}
		if (*p == '*') {
			while (*p == '*')
				p++;
			for (const char *q = s;; q++) {
				if (match(p, q, steps))
					return true;
				if (!*q || *q == '/')
					return false;
			}
		}
		if (!*s)
			return false;
		if (*p == '?') {
			if (*s == '/')
				return false;
		} else if (*p == '[') {
			const char *save = p;
			if (!class_match(&p, *s)) {
				if (strchr(save, ']'))
					return false;
				if (*s != '[')
					return false;
				p = save + 1;
			}
			s++;
			continue;
		} else {
			if (*p == '\\' && p[1])
				p++;
			if (*p != *s)
				return false;
		}
		p++;
		s++;
	}
	return *s == '\0';
}

/* Expands the first {a,b} of pattern into out (recursively). */
static void braces(const char *pattern, char ***out, size_t *n, size_t *cap)
{
	if (*n >= BRACE_MAX)
		return;
	const char *open = NULL;
	for (const char *p = pattern; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '{') {
			open = p;
			break;
		}
	}
	const char *close = NULL;
	unsigned depth = 0;
	for (const char *p = open; p && *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '{')
			depth++;
		else if (*p == '}' && --depth == 0) {
			close = p;
			break;
		}
	}
	if (!open || !close) {
		*out = xgrow(*out, cap, *n + 1, sizeof(char *));
		(*out)[(*n)++] = xstrdup(pattern);
		return;
	}
	const char *alt = open + 1;
	depth = 0;
	for (const char *p = open + 1; p <= close; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '{')
			depth++;
		else if (*p == '}' && depth > 0 && p != close)
			depth--;
		else if ((*p == ',' && depth == 0) || p == close) {
			struct quai_buf b = QUAI_BUF_INIT;
			quai_buf_add(&b, pattern, (size_t)(open - pattern));
			quai_buf_add(&b, alt, (size_t)(p - alt));
			quai_buf_puts(&b, close + 1);
			char *one = quai_buf_detach(&b);
			braces(one, out, n, cap);
			free(one);
			alt = p + 1;
		}
	}
}

bool pl_glob_match(const char *pattern, const char *path)
{
	char **alts = NULL;
	size_t n = 0, cap = 0;
	braces(pattern, &alts, &n, &cap);
	bool hit = false;
	unsigned steps = 0;
	for (size_t i = 0; i < n; i++) {
		if (!hit && match(alts[i], path, &steps))
			hit = true;
		free(alts[i]);
	}
	free(alts);
	return hit;
}

static void walk(const char *root, struct quai_buf *rel, char ***files, size_t *n, size_t *cap)
{
	char *dir = xasprintf("%s/%s", root, quai_buf_str(rel));
	DIR *d = opendir(dir);
	free(dir);
	if (!d)
		return;
	struct dirent *de;
	size_t base = rel->len;
	while ((de = readdir(d)) != NULL && *n < WALK_MAX) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (base == 0 && strcmp(de->d_name, ".git") == 0)
			continue;
		quai_buf_truncate(rel, base);
		if (base)
			quai_buf_putc(rel, '/');
		quai_buf_puts(rel, de->d_name);
		bool is_dir = de->d_type == DT_DIR;
		if (de->d_type == DT_UNKNOWN) {
			struct stat st;
			char *full = xasprintf("%s/%s", root, quai_buf_str(rel));
			is_dir = lstat(full, &st) == 0 && S_ISDIR(st.st_mode);
			free(full);
		}
		if (is_dir) {
			walk(root, rel, files, n, cap);
		} else {
			*files = xgrow(*files, cap, *n + 2, sizeof(char *));
			(*files)[(*n)++] = xstrdup(quai_buf_str(rel));
			(*files)[*n] = NULL;
		}
	}
	quai_buf_truncate(rel, base);
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **pl_glob_files(const char *dir)
{
	char **files = NULL;
	size_t n = 0, cap = 0;
	struct quai_buf rel = QUAI_BUF_INIT;
	walk(dir, &rel, &files, &n, &cap);
	quai_buf_release(&rel);
	if (!files)
		files = xcalloc(1, sizeof(char *));
	qsort(files, n, sizeof(char *), cmp_str);
	return files;
}
