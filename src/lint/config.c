/* Lint configuration: defaults, .hadolint.yaml, quai.yml's lint section,
 * HADOLINT_* variables. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xalloc.h"
#include "lint/lint.h"

void quai_lint_config_init(struct quai_lint_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->failure_threshold = QUAI_LEVEL_INFO;
	cfg->require_user = true;
}

void quai_lint_config_release(struct quai_lint_config *cfg)
{
	for (size_t i = 0; i < cfg->nignored; i++)
		free(cfg->ignored[i]);
	free(cfg->ignored);
	free(cfg->overrides);
	for (size_t i = 0; i < cfg->ntrusted_registries; i++)
		free(cfg->trusted_registries[i]);
	free(cfg->trusted_registries);
	for (size_t i = 0; i < cfg->nlabel_schema; i++) {
		free(cfg->label_schema[i].name);
		free(cfg->label_schema[i].type);
	}
	free(cfg->label_schema);
	memset(cfg, 0, sizeof(*cfg));
}

enum quai_lint_level quai_lint_config_level(const struct quai_lint_config *cfg, const char *code,
					    enum quai_lint_level deflt)
{
	for (size_t i = 0; i < cfg->nignored; i++)
		if (strcasecmp(cfg->ignored[i], code) == 0)
			return QUAI_LEVEL_IGNORE;
	enum quai_lint_level level = deflt;
	for (size_t i = 0; i < cfg->noverrides; i++)
		if (strcasecmp(cfg->overrides[i].code, code) == 0)
			level = cfg->overrides[i].level;
	return level;
}

int quai_lint_config_load(struct quai_lint_config *cfg, const char *path, struct quai_error **err)
{
	(void)cfg;
	return quai_error_set(err, QUAI_EXIT_USAGE, "'%s': configuration files are not read yet", path);
}

int quai_lint_config_load_quai_yml(struct quai_lint_config *cfg, const char *path, struct quai_error **err)
{
	(void)cfg;
	return quai_error_set(err, QUAI_EXIT_USAGE, "'%s': configuration files are not read yet", path);
}

int quai_lint_config_from_env(struct quai_lint_config *cfg, struct quai_error **err)
{
	(void)cfg;
	(void)err;
	return 0;
}
