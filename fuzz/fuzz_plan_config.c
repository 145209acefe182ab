/* Fuzz target for quai.yml as `quai plan` reads it: the input is parsed
 * (plan_config_parse); a configuration that loads is walked (every entry
 * found again by its directory, compared with itself and with the first
 * entry), and the input's first line is normalised as a path. A failed
 * parse must say why. */
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "fuzz/fuzz.h"
#include "plan/internal.h"
#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan_config cfg;
	struct quai_error *err = NULL;
	if (plan_config_parse(&cfg, "quai.yml", (const char *)data, size, &err) == 0) {
		volatile size_t sum = plan_strv_len(cfg.push_branches) + plan_strv_len(cfg.ignore);
		for (size_t i = 0; i < cfg.nimages; i++) {
			const struct plan_image_cfg *im = &cfg.images[i];
			if (plan_config_find(&cfg, im->dir) != im || !plan_yaml_equal(im->value, im->value))
				abort();
			sum += plan_yaml_equal(im->value, cfg.images[0].value);
			sum += plan_strv_len(im->build_args) + plan_strv_len(im->tags) +
			       plan_strv_len(im->inputs);
			for (char **p = im->inputs; p && *p; p++)
				if (!plan_path_under(*p, "."))
					abort();
		}
		(void)sum;
	} else if (!err || !err->msg || !err->msg[0]) {
		abort();
	}
	quai_error_free(err);
	plan_config_release(&cfg);

	const char *nl = memchr(data, '\n', size);
	char *line = xstrndup((const char *)data, nl ? (size_t)(nl - (const char *)data) : size);
	char *norm = plan_path_norm(line);
	if (norm && (norm[0] == '/' || strstr(norm, "//") ||
	             (strcmp(norm, ".") != 0 && norm[strlen(norm) - 1] == '/')))
		abort();
	free(norm);
	free(line);
	return 0;
}
