/* Cron expressions for `schedules:`: five fields (minute hour day-of-month
 * month day-of-week) with `*`, lists, ranges, steps (`1-5/2`, and a star followed by `/15`),
 * month and day names (jan..dec, sun..sat; 7 is Sunday too), and the
 * shorthands @yearly @annually @monthly @weekly @daily @midnight @hourly.
 * As in Vixie cron, when both day fields are restricted a day matches
 * either. Times are the server's local time. */
#ifndef QUAI_SCHEDULER_CRON_H
#define QUAI_SCHEDULER_CRON_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/error.h"

struct quai_cron {
	uint64_t minutes; /* bit 0..59 */
	uint32_t hours;   /* bit 0..23 */
	uint32_t mdays;   /* bit 1..31 */
	uint16_t months;  /* bit 1..12 */
	uint8_t wdays;    /* bit 0..6, 0 = Sunday */
	bool mday_star;
	bool wday_star;
};

/* Parses expr (at most 256 bytes); on error -1 with a message naming the
 * field that is wrong. */
int quai_cron_parse(struct quai_cron *out, const char *expr, struct quai_error **err);
/* True when the minute holding t matches. */
bool quai_cron_matches(const struct quai_cron *c, time_t t);
/* The first matching minute strictly after `after` (seconds zeroed), or
 * -1 when none within five years (e.g. "0 0 30 2 *"). */
time_t quai_cron_next(const struct quai_cron *c, time_t after);

#endif
