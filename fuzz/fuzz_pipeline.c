/* Fuzz target for the pipeline loader: the input is a .gitlab-ci.yml,
 * loaded from memory in an empty project directory (include:local and
 * exists: find nothing), for a push to main; a loaded pipeline is walked
 * and every job's variables computed. A failed load must say why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "pipeline/pipeline.h"
#include "core/banned.h"

static const char *project_dir(void)
{
	static char dir[] = "/tmp/quai-fuzz-pipeline-XXXXXX";
	static int made;
	if (!made) {
		if (!mkdtemp(dir))
			abort();
		made = 1;
	}
	return dir;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *changed[] = {"src/a.c", "Dockerfile"};
	struct quai_pipeline_vars user = {0};
	quai_pipeline_vars_add(&user, "FUZZ", "1");
	struct quai_pipeline_context ctx = {
	    .project_dir = project_dir(),
	    .file = ".gitlab-ci.yml",
	    .data = (const char *)data,
	    .len = size,
	    .branch = "main",
	    .changes = {changed, 2, false},
	    .variables = &user,
	};
	struct quai_pipeline *p = NULL;
	struct quai_error *err = NULL;
	if (quai_pipeline_load(&p, &ctx, &err) == 0) {
		for (size_t i = 0; i < p->njobs; i++) {
			struct quai_pipeline_vars env;
			quai_pipeline_job_env(&env, p, &p->jobs[i], (long)i + 1, NULL);
			quai_pipeline_vars_release(&env);
			if (!quai_pipeline_find(p, p->jobs[i].name))
				abort();
		}
	} else if (!err || !err->msg || !err->msg[0]) {
		abort();
	}
	quai_error_free(err);
	quai_pipeline_free(p);
	quai_pipeline_vars_release(&user);
	return 0;
}
