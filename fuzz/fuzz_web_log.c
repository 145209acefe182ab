/* Fuzz target for the web UI's log rendering: each line of the input goes
 * through the section-marker parser and the ANSI-to-HTML renderer; the
 * output must hold no raw '<' outside the spans it opens itself. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "fuzz/fuzz.h"
#include "web/web.h"
#include "core/banned.h"

static void check(const char *html)
{
	for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<'))
		if (strncmp(p, "<span class=\"", 13) != 0 && strncmp(p, "</span>", 7) != 0)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct quai_web_ansi st;
	quai_web_ansi_init(&st);
	struct quai_buf b = QUAI_BUF_INIT;
	size_t start = 0;
	for (size_t i = 0; i <= size; i++) {
		if (i < size && s[i] != '\n')
			continue;
		struct quai_web_section sec;
		size_t off = 0;
		if (quai_web_section_parse(s + start, i - start, &sec) == QUAI_WEB_SECTION_START) {
			if (sec.header_off > i - start)
				abort();
			off = sec.header_off;
		}
		quai_web_ansi_line(&b, s + start + off, i - start - off, &st);
		check(quai_buf_str(&b));
		quai_buf_truncate(&b, 0);
		start = i + 1;
	}
	quai_buf_release(&b);
	return 0;
}
