/* Cron expressions: what parses, what does not (and says which field),
 * and the next run time, in UTC (TZ is set by main). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scheduler/cron.h"

/* 2026-11-23 (a Monday) hh:mm UTC */
static time_t at(int year, int mon, int day, int hour, int min)
{
	struct tm tm = {0};
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	return timegm(&tm);
}

static time_t next(const char *expr, time_t after)
{
	struct quai_cron c;
	struct quai_error *err = NULL;
	if (quai_cron_parse(&c, expr, &err) < 0)
		fail_msg("'%s': %s", expr, err->msg);
	return quai_cron_next(&c, after);
}

static void test_parse_errors(void **state)
{
	(void)state;
	static const struct {
		const char *expr, *want;
	} cases[] = {
	    {"", "five fields"},
	    {"* * * *", "five fields"},
	    {"* * * * * *", "more than five"},
	    {"60 * * * *", "minute"},
	    {"* 24 * * *", "hour"},
	    {"* * 0 * *", "day of month"},
	    {"* * 32 * *", "day of month"},
	    {"* * * 13 *", "month"},
	    {"* * * * 8", "day of week"},
	    {"*/0 * * * *", "minute"},
	    {"5-1 * * * *", "minute"},
	    {"1,,2 * * * *", "minute"},
	    {"a * * * *", "minute"},
	    {"* * * foo *", "month"},
	    {"@often", "shorthand"},
	    {"1-2-3 * * * *", "minute"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct quai_cron c;
		struct quai_error *err = NULL;
		if (quai_cron_parse(&c, cases[i].expr, &err) == 0)
			fail_msg("'%s' parsed", cases[i].expr);
		if (!strstr(err->msg, cases[i].want))
			fail_msg("'%s': '%s' does not say '%s'", cases[i].expr, err->msg, cases[i].want);
		quai_error_free(err);
	}
}

static void test_next(void **state)
{
	(void)state;
	time_t mon = at(2026, 11, 23, 10, 30); /* Monday 10:30 */
	assert_int_equal(next("* * * * *", mon), at(2026, 11, 23, 10, 31));
	assert_int_equal(next("0 4 * * 1", mon), at(2026, 11, 30, 4, 0));
	assert_int_equal(next("0 4 * * mon", at(2026, 11, 23, 3, 0)), at(2026, 11, 23, 4, 0));
	assert_int_equal(next("*/15 * * * *", mon), at(2026, 11, 23, 10, 45));
	assert_int_equal(next("0 0 1 1 *", mon), at(2027, 1, 1, 0, 0));
	assert_int_equal(next("@yearly", mon), at(2027, 1, 1, 0, 0));
	assert_int_equal(next("@hourly", mon), at(2026, 11, 23, 11, 0));
	assert_int_equal(next("30 2 29 2 *", mon), at(2028, 2, 29, 2, 30));
	assert_int_equal(next("0 12 * * 7", mon), at(2026, 11, 29, 12, 0)); /* 7 is Sunday */
	assert_int_equal(next("0 9-17/4 * * 1-5", mon), at(2026, 11, 23, 13, 0));
	assert_int_equal(next("0 0 * dec fri", mon), at(2026, 12, 4, 0, 0));
	/* both day fields restricted: either matches */
	assert_int_equal(next("0 0 1 * 3", mon), at(2026, 11, 25, 0, 0));
	/* never */
	assert_int_equal(next("0 0 30 2 *", mon), -1);
	/* strictly after, even on a matching minute with seconds */
	assert_int_equal(next("30 10 * * *", mon + 10), at(2026, 11, 24, 10, 30));
}

static void test_matches(void **state)
{
	(void)state;
	struct quai_cron c;
	assert_int_equal(quai_cron_parse(&c, "0,30 8 * jan-mar,nov SAT,sun", NULL), 0);
	assert_true(quai_cron_matches(&c, at(2026, 11, 28, 8, 30)));
	assert_false(quai_cron_matches(&c, at(2026, 11, 27, 8, 30)));
	assert_false(quai_cron_matches(&c, at(2026, 12, 5, 8, 30)));
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_next),
	    cmocka_unit_test(test_matches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
