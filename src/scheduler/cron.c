/* Cron expressions (see cron.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "scheduler/cron.h"
#include "core/banned.h"

#define CRON_MAX_LEN 256

struct field {
	const char *name;
	int lo, hi;
	const char *const *names; /* names[i] is value lo+i... or NULL */
	int names_base;
};

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
                                          "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const day_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

static const struct field fields[5] = {
    {"minute", 0, 59, NULL, 0},          {"hour", 0, 23, NULL, 0},
    {"day of month", 1, 31, NULL, 0},    {"month", 1, 12, month_names, 1},
    {"day of week", 0, 7, day_names, 0},
};

/* A number or a name at *p; advances *p. */
static int value(const struct field *f, const char **p, int *out)
{
	const char *s = *p;
	if (isdigit((unsigned char)*s)) {
		int v = 0;
		while (isdigit((unsigned char)*s)) {
			v = v * 10 + (*s++ - '0');
			if (v > 1000)
				return -1;
		}
		*p = s;
		*out = v;
		return 0;
	}
	if (!f->names)
		return -1;
	for (int i = 0; f->names[i]; i++) {
		if (strncasecmp(s, f->names[i], 3) == 0 && !isalpha((unsigned char)s[3])) {
			*p = s + 3;
			*out = f->names_base + i;
			return 0;
		}
	}
	return -1;
}

/* One comma-separated item: *, N, N-M, with an optional /STEP. */
static int item(const struct field *f, const char *s, size_t len, uint64_t *bits)
{
	cleanup_free char *text = xstrndup(s, len);
	const char *p = text;
	int lo, hi, step = 1;
	bool star = false;
	if (*p == '*') {
		lo = f->lo;
		hi = f->hi;
		star = true;
		p++;
	} else {
		if (value(f, &p, &lo) < 0)
			return -1;
		hi = lo;
		if (*p == '-') {
			p++;
			if (value(f, &p, &hi) < 0)
				return -1;
		}
	}
	if (*p == '/') {
		p++;
		if (!isdigit((unsigned char)*p) || value(f, &p, &step) < 0 || step < 1)
			return -1;
		if (!star && hi == lo)
			hi = f->hi;
	}
	if (*p || lo < f->lo || hi > f->hi || lo > hi || lo < 0 || hi > 63)
		return -1;
	for (int v = lo; v <= hi; v += step)
		*bits |= 1ull << v;
	return 0;
}

static int parse_field(const struct field *f, const char *s, size_t len, uint64_t *bits, bool *star)
{
	*bits = 0;
	*star = len == 1 && s[0] == '*';
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == ',') {
			if (i == start || item(f, s + start, i - start, bits) < 0)
				return -1;
			start = i + 1;
		}
	}
	return 0;
}

static const char *shorthand(const char *expr)
{
	static const struct {
		const char *name, *expr;
	} table[] = {
	    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
	    {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
	    {"@hourly", "0 * * * *"},
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(expr, table[i].name) == 0)
			return table[i].expr;
	return NULL;
}

int quai_cron_parse(struct quai_cron *out, const char *expr, struct quai_error **err)
{
	memset(out, 0, sizeof(*out));
	if (strlen(expr) > CRON_MAX_LEN)
		return quai_error_set(err, 2, "cron expression longer than %d bytes", CRON_MAX_LEN);
	if (expr[0] == '@') {
		const char *e = shorthand(expr);
		if (!e)
			return quai_error_set(
			    err, 2,
			    "unknown cron shorthand '%s': use @hourly, @daily, @weekly, @monthly or @yearly",
			    expr);
		expr = e;
	}
	const char *p = expr;
	uint64_t bits[5];
	bool star[5];
	int nf = 0;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *start = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (nf == 5)
			return quai_error_set(err, 2, "cron expression '%s' has more than five fields", expr);
		if (parse_field(&fields[nf], start, (size_t)(p - start), &bits[nf], &star[nf]) < 0)
			return quai_error_set(
			    err, 2, "cron expression '%s': bad %s field '%.*s' (allowed %d-%d)", expr,
			    fields[nf].name, (int)(p - start), start, fields[nf].lo, fields[nf].hi);
		nf++;
	}
	if (nf != 5)
		return quai_error_set(
		    err, 2, "cron expression '%s' needs five fields: minute hour day month weekday", expr);
	out->minutes = bits[0];
	out->hours = (uint32_t)bits[1];
	out->mdays = (uint32_t)bits[2];
	out->months = (uint16_t)bits[3];
	uint64_t w = bits[4];
	if (w & (1u << 7))
		w = (w | 1u) & 0x7f;
	out->wdays = (uint8_t)w;
	out->mday_star = star[2];
	out->wday_star = star[4];
	return 0;
}

static bool day_matches(const struct quai_cron *c, const struct tm *tm)
{
	bool md = c->mdays & (1u << tm->tm_mday);
	bool wd = c->wdays & (1u << tm->tm_wday);
	if (c->mday_star || c->wday_star)
		return md && wd;
	return md || wd;
}

bool quai_cron_matches(const struct quai_cron *c, time_t t)
{
	struct tm tm;
	if (!localtime_r(&t, &tm))
		return false;
	return (c->minutes & (1ull << tm.tm_min)) && (c->hours & (1u << tm.tm_hour)) &&
	       (c->months & (1u << (tm.tm_mon + 1))) && day_matches(c, &tm);
}

time_t quai_cron_next(const struct quai_cron *c, time_t after)
{
	struct tm tm;
	time_t t = after - (after % 60) + 60;
	if (!localtime_r(&t, &tm))
		return -1;
	/* walk by day while the day does not match, then by hour, then by minute */
	for (int guard = 0; guard < 5 * 366 * 24 * 60; guard++) {
		if (!(c->months & (1u << (tm.tm_mon + 1))) || !day_matches(c, &tm)) {
			tm.tm_mday++;
			tm.tm_hour = 0;
			tm.tm_min = 0;
		} else if (!(c->hours & (1u << tm.tm_hour))) {
			tm.tm_hour++;
			tm.tm_min = 0;
		} else if (!(c->minutes & (1ull << tm.tm_min))) {
			tm.tm_min++;
		} else {
			return t;
		}
		tm.tm_sec = 0;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		if (t == (time_t)-1 || t > after + 5LL * 366 * 86400)
			return -1;
		if (!localtime_r(&t, &tm))
			return -1;
	}
	return -1;
}
