/* quai_executor_run: picks the executor. */
#include "executor/executor.h"
#include "core/banned.h"

int quai_executor_run_shell(const struct quai_executor_job *job, struct quai_executor_result *res,
                            struct quai_error **err);
int quai_executor_run_docker(const struct quai_executor_job *job, struct quai_executor_result *res,
                             struct quai_error **err);

void quai_executor_release_docker(void *pending);

void quai_executor_release(struct quai_executor_result *res)
{
	if (res->pending)
		quai_executor_release_docker(res->pending);
	res->pending = NULL;
}

int quai_executor_run(const struct quai_executor_job *job, struct quai_executor_result *res,
                      struct quai_error **err)
{
	*res = (struct quai_executor_result){.exit_code = -1};
	if (job->type == QUAI_EXECUTOR_DOCKER)
		return quai_executor_run_docker(job, res, err);
	return quai_executor_run_shell(job, res, err);
}
