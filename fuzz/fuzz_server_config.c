/* Fuzz target for the server's configuration reader: the input is a
 * server.yml parsed from memory; a failure must say why, and a loaded
 * configuration is looked through. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "server/config.h"
#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct quai_server_config *cfg = NULL;
	struct quai_error *err = NULL;
	if (quai_server_config_parse(&cfg, "server.yml", (const char *)data, size, &err) == 0) {
		for (size_t i = 0; i < cfg->nprojects; i++)
			if (quai_server_config_project(cfg, cfg->projects[i].name) != &cfg->projects[i] ||
			    !cfg->projects[i].url || !cfg->projects[i].concurrency)
				abort();
		quai_server_config_free(cfg);
	} else if (!err || !err->msg || !err->msg[0]) {
		abort();
	}
	quai_error_free(err);
	return 0;
}
