/* Fuzz target for the cron parser: parses the input (up to its first NUL)
 * and, when it parses, asks for the next few run times. */
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "fuzz/fuzz.h"
#include "scheduler/cron.h"
#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	struct quai_cron c;
	struct quai_error *err = NULL;
	if (quai_cron_parse(&c, text, &err) == 0) {
		time_t t = 1795000000;
		for (int i = 0; i < 3 && t >= 0; i++) {
			t = quai_cron_next(&c, t);
			if (t >= 0 && !quai_cron_matches(&c, t))
				abort();
		}
	} else if (!err || !err->msg || !err->msg[0]) {
		abort();
	}
	quai_error_free(err);
	free(text);
	return 0;
}
