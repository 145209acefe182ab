/* The pipeline templates built into quai, for `include: - template: NAME`.
 * quai runs offline, so only these names resolve; GitLab's own templates
 * are copied into the project and included with include:local. */
#include <stddef.h>
#include <string.h>

#include "pipeline/internal.h"
#include "core/banned.h"

/* The monorepo flow (`quai run`) as a job. `.quai-monorepo` is the hidden
 * job to extend; `quai-monorepo` is the ready one. The job needs `quai`
 * (and git) on its PATH: the shell executor runs on the host, where
 * `quai pipeline run` puts its own directory on PATH; a docker executor
 * needs an image with quai and an executor with `docker_socket: true`.
 * A working copy without .git (quai pipeline run's) becomes a one-commit
 * repository, so that `quai run` sees every image as changed. */
static const char monorepo[] =
    "# Quai/Monorepo.gitlab-ci.yml: the monorepo flow (quai run) as a job.\n"
    "stages: [build, test, deploy]\n"
    ".quai-monorepo:\n"
    "  stage: build\n"
    "  tags: [quai]\n"
    "  script:\n"
    "    - >-\n"
    "      if [ ! -e .git ]; then\n"
    "      git init -q -b \"${CI_COMMIT_BRANCH:-main}\" &&\n"
    "      git add -A &&\n"
    "      git -c user.name=quai -c user.email=quai@localhost commit -q -m \"$CI_COMMIT_SHA\";\n"
    "      fi\n"
    "    - quai run --report quai-run.json $QUAI_RUN_ARGS\n"
    "  artifacts:\n"
    "    when: always\n"
    "    paths: [quai-run.json]\n"
    "quai-monorepo:\n"
    "  extends: .quai-monorepo\n";

static const struct {
	const char *name;
	const char *text;
} builtin[] = {
    {"Quai/Monorepo.gitlab-ci.yml", monorepo},
};

const char *pl_template_find(const char *name, size_t *len)
{
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (strcmp(builtin[i].name, name) == 0) {
			*len = strlen(builtin[i].text);
			return builtin[i].text;
		}
	return NULL;
}

const char *pl_template_names(void)
{
	return "Quai/Monorepo.gitlab-ci.yml";
}
