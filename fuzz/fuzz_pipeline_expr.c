/* Fuzz target for the rules:if expression language: the input is an
 * expression, evaluated against a few variables (one holding a regex). */
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "fuzz/fuzz.h"
#include "pipeline/pipeline.h"
#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	struct quai_pipeline_vars vars = {0};
	quai_pipeline_vars_add(&vars, "CI_COMMIT_BRANCH", "main");
	quai_pipeline_vars_add(&vars, "EMPTY", "");
	quai_pipeline_vars_add(&vars, "RE", "/^ma.*/i");
	quai_pipeline_vars_add(&vars, "REF", "$CI_COMMIT_BRANCH-$RE");
	bool out;
	struct quai_error *err = NULL;
	if (quai_pipeline_if(&out, text, &vars, &err) < 0 && (!err || !err->msg))
		abort();
	quai_error_free(err);
	char *x = quai_pipeline_expand(text, &vars);
	free(x);
	quai_pipeline_vars_release(&vars);
	free(text);
	return 0;
}
