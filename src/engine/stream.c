/* The two stream formats of the Engine API, parsed as chunks arrive:
 * JSON messages (/build, /images/push) and multiplexed container output. */
#include <string.h>

#include "engine/internal.h"
#include "core/banned.h"

/* Parses every JSON value of one line (docker sends one per line, but a
 * line holding several concatenated objects is accepted too). */
static int parse_line(struct engine_lines *l, const char *s, size_t len, struct quai_error **err)
{
	while (len > 0) {
		while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
			s++;
			len--;
		}
		if (len == 0)
			return 0;
		json_error_t jerr;
		json_t *msg = json_loadb(s, len, JSON_DISABLE_EOF_CHECK, &jerr);
		if (!msg)
			return quai_error_set(err, QUAI_EXIT_USAGE,
			                      "the engine sent a message that is not JSON: %s", jerr.text);
		int rc = l->fn(l->arg, msg, err);
		json_decref(msg);
		if (rc)
			return -1;
		size_t used = (size_t)jerr.position;
		if (used == 0 || used > len)
			return 0;
		s += used;
		len -= used;
	}
	return 0;
}

int engine_lines_feed(struct engine_lines *l, const char *data, size_t len, struct quai_error **err)
{
	while (len > 0) {
		const char *nl = memchr(data, '\n', len);
		size_t take = nl ? (size_t)(nl - data) + 1 : len;
		if (l->pending.len + take > ENGINE_LINE_MAX)
			return quai_error_set(err, QUAI_EXIT_USAGE, "the engine sent a message over %u bytes",
			                      ENGINE_LINE_MAX);
		if (nl && l->pending.len == 0) {
			if (parse_line(l, data, take, err) < 0)
				return -1;
		} else {
			quai_buf_add(&l->pending, data, take);
			if (nl) {
				int rc = parse_line(l, l->pending.data, l->pending.len, err);
				quai_buf_truncate(&l->pending, 0);
				if (rc < 0)
					return -1;
			}
		}
		data += take;
		len -= take;
	}
	return 0;
}

int engine_lines_finish(struct engine_lines *l, struct quai_error **err)
{
	int rc = 0;
	if (l->pending.len > 0)
		rc = parse_line(l, l->pending.data, l->pending.len, err);
	quai_buf_truncate(&l->pending, 0);
	return rc;
}

void engine_lines_release(struct engine_lines *l)
{
	quai_buf_release(&l->pending);
}

static bool header_plausible(const unsigned char *h, size_t n)
{
	if (n >= 1 && h[0] > 2)
		return false;
	for (size_t i = 1; i < 4 && i < n; i++)
		if (h[i] != 0)
			return false;
	return true;
}

int engine_demux_feed(struct engine_demux *d, const char *data, size_t len, struct quai_error **err)
{
	if (!d->started && len > 0) {
		d->started = true;
		d->raw = !header_plausible((const unsigned char *)data, len);
	}
	if (d->raw)
		return len ? d->fn(d->arg, 1, data, len, err) : 0;
	while (len > 0) {
		if (d->left == 0 && d->hdr_len < 8) {
			size_t take = 8 - d->hdr_len < len ? 8 - d->hdr_len : len;
			memcpy(d->hdr + d->hdr_len, data, take);
			d->hdr_len += take;
			data += take;
			len -= take;
			if (d->hdr_len < 8)
				return 0;
			if (!header_plausible(d->hdr, 8))
				return quai_error_set(err, QUAI_EXIT_USAGE,
				                      "the engine sent a bad stream frame header");
			d->stream = d->hdr[0] == 2 ? 2 : 1;
			d->left = (uint32_t)d->hdr[4] << 24 | (uint32_t)d->hdr[5] << 16 |
			          (uint32_t)d->hdr[6] << 8 | d->hdr[7];
			d->hdr_len = d->left == 0 ? 0 : 8;
			continue;
		}
		size_t take = d->left < len ? d->left : len;
		if (d->fn(d->arg, d->stream, data, take, err))
			return -1;
		d->left -= (uint32_t)take;
		data += take;
		len -= take;
		if (d->left == 0)
			d->hdr_len = 0;
	}
	return 0;
}

int engine_demux_finish(struct engine_demux *d, struct quai_error **err)
{
	if (!d->raw && (d->left > 0 || (d->hdr_len > 0 && d->hdr_len < 8)))
		return quai_error_set(err, QUAI_EXIT_USAGE, "the output stream ended inside a frame");
	return 0;
}
