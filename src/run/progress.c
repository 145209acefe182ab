/* What a run shows: on a terminal one live line per image (its step and
 * elapsed time), otherwise one timestamped line per event; at the end the
 * summary table. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "run/internal.h"
#include "core/banned.h"

#define TAIL_LINES 12
#define TAIL_BYTES (8u << 10)

double run_elapsed(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

static int name_width(const struct run *r)
{
	size_t w = 5;
	for (size_t i = 0; i < r->n; i++)
		if (strlen(r->images[i].img->name) > w)
			w = strlen(r->images[i].img->name);
	return (int)(w > 40 ? 40 : w);
}

/* The first step that failed or was skipped, or NSTEPS. */
static int stopped_at(const struct run_image *ri)
{
	for (int k = 0; k < NSTEPS; k++)
		if (ri->steps[k].status == ST_FAILED || ri->steps[k].status == ST_SKIPPED)
			return k;
	return NSTEPS;
}

static bool finished(const struct run_image *ri)
{
	for (int k = 0; k < NSTEPS; k++)
		if (ri->steps[k].status == ST_PENDING || ri->steps[k].status == ST_RUNNING)
			return false;
	return true;
}

static void live_line(const struct run_image *ri, int w)
{
	fprintf(stderr, "\r\033[K  %-*s  ", w, ri->img->name);
	int k = stopped_at(ri);
	if (ri->pid)
		fprintf(stderr, "%-5s %5.1fs", run_step_name(ri->cur), run_elapsed(&ri->step_start));
	else if (k < NSTEPS && ri->steps[k].status == ST_FAILED)
		fprintf(stderr, "\033[31m%s failed\033[0m", run_step_name((enum run_step_kind)k));
	else if (k < NSTEPS && k != STEP_PUSH)
		fprintf(stderr, "skipped");
	else if (finished(ri))
		fprintf(stderr, "\033[32mdone\033[0m  %5.1fs", ri->seconds);
	else
		fprintf(stderr, "waiting");
	fputc('\n', stderr);
}

/* Running images first, then waiting, stopped, done. */
static int rank(const struct run_image *ri)
{
	if (ri->pid)
		return 0;
	if (!finished(ri))
		return 1;
	return stopped_at(ri) < NSTEPS ? 2 : 3;
}

/* One line per image; on a terminal shorter than that, as many as fit,
 * running images first, and a last line counting the others. */
static void redraw(struct run *r)
{
	int w = name_width(r);
	struct winsize ws;
	size_t rows = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 2 ? ws.ws_row - 1u : 24;
	size_t shown = r->n <= rows ? r->n : rows - 1, lines = 0;
	if (r->drawn)
		fprintf(stderr, "\033[%zuA", r->drawn);
	/* in plan order when every image fits */
	for (int k = 0; k < 4 && lines < shown; k++)
		for (size_t i = 0; i < r->n && lines < shown; i++)
			if (r->n <= rows ? k == 0 : rank(&r->images[i]) == k) {
				live_line(&r->images[i], w);
				lines++;
			}
	if (shown < r->n) {
		fprintf(stderr, "\r\033[K  ... and %zu more\n", r->n - shown);
		lines++;
	}
	r->drawn = lines;
	fflush(stderr);
}

void run_progress_start(struct run *r)
{
	if (r->o->tty)
		redraw(r);
}

void run_progress_event(struct run *r, size_t i, const char *fmt, ...)
{
	if (r->o->tty) {
		redraw(r);
		return;
	}
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s %s: %s\n", when, r->images[i].img->name, msg);
	fflush(stderr);
}

void run_progress_tick(struct run *r)
{
	if (r->o->tty)
		redraw(r);
}

void run_progress_end(struct run *r)
{
	if (r->o->tty)
		redraw(r);
}

/* ---- the summary ---- */

static const char *cell(const struct run_image *ri, enum run_step_kind k)
{
	enum run_status st = ri->steps[k].status;
	if (k == STEP_PUSH && st == ST_OK && ri->steps[STEP_TAG].status == ST_FAILED)
		return "tag failed";
	if (st == ST_NONE ||
	    (st == ST_SKIPPED && ri->steps[k].note && strcmp(ri->steps[k].note, "--no-push") == 0))
		return "-";
	return run_status_name(st);
}

static void print_tail(const char *log, FILE *out)
{
	FILE *f = fopen(log, "r");
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, size > (long)TAIL_BYTES ? size - (long)TAIL_BYTES : 0, SEEK_SET);
	cleanup_free char *buf = xmalloc(TAIL_BYTES + 1);
	size_t n = fread(buf, 1, TAIL_BYTES, f);
	fclose(f);
	buf[n] = '\0';
	/* the failed step's own output: from its "==> " line */
	char *from = buf, *hdr;
	while ((hdr = strstr(from, "\n==> ")))
		from = hdr + 1;
	n -= (size_t)(from - buf);
	memmove(buf, from, n + 1);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	size_t lines = 0;
	char *p = buf + n;
	while (p > buf && lines < TAIL_LINES)
		if (*--p == '\n')
			lines++;
	if (*p == '\n')
		p++;
	for (char *line = p; line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		fprintf(out, "    | %s\n", line);
		line = nl ? nl + 1 : NULL;
	}
}

void run_summary(const struct run *r, FILE *out)
{
	int w = name_width(r);
	fprintf(out, "\n%-*s  %-8s  %-7s  %-7s  %-7s  %-10s  %7s  %s\n", w, "IMAGE", "VERSION", "LINT",
	        "BUILD", "TEST", "PUSH", "TIME", "DIGEST");
	for (size_t i = 0; i < r->n; i++) {
		const struct run_image *ri = &r->images[i];
		const char *digest = ri->nrefs && ri->refs[0].digest ? ri->refs[0].digest : "-";
		fprintf(out, "%-*s  %-8s  %-7s  %-7s  %-7s  %-10s  %6.1fs  %s\n", w, ri->img->name,
		        ri->version ? ri->version : "-", cell(ri, STEP_LINT), cell(ri, STEP_BUILD),
		        cell(ri, STEP_TEST), cell(ri, STEP_PUSH), ri->seconds, digest);
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct run_image *ri = &r->images[i];
		int k = stopped_at(ri);
		if (k == NSTEPS || (ri->steps[k].status == ST_SKIPPED && ri->steps[k].note &&
		                    strcmp(ri->steps[k].note, "--no-push") == 0))
			continue;
		const struct run_step *st = &ri->steps[k];
		fprintf(out, "\n%s: %s %s: %s\n", ri->img->name, run_step_name((enum run_step_kind)k),
		        run_status_name(st->status), st->note ? st->note : "");
		if (st->status == ST_FAILED && k != STEP_LINT && k != STEP_TAG && !r->interrupted) {
			fprintf(out, "  log: %s\n", ri->log);
			print_tail(ri->log, out);
		}
	}
	bool tags = false;
	for (size_t i = 0; i < r->n; i++) {
		const struct run_image *ri = &r->images[i];
		if (ri->git_tag && ri->steps[STEP_TAG].status == ST_OK) {
			fprintf(out, "%s%s", tags ? ", " : "\ngit tags: ", ri->git_tag);
			tags = true;
		}
	}
	if (tags)
		fprintf(out, "%s\n", r->tags_note ? "" : " (pushed to origin)");
	if (r->tags_note)
		fprintf(out, "git tags: %s\n", r->tags_note);
}
