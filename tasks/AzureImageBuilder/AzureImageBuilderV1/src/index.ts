/**
 * AzureImageBuilder@1 entry point: hands the agent's environment to the
 * shared task. Bundled into ../index.js, next to task.json (tl.loc reads it).
 */
import { createPipelineEnvironment, installCancelHandlers } from '../../../../shared/host/taskLibHost';
import { runTask } from '../../../../shared/run/runTask';

const { env, cancel } = createPipelineEnvironment(__dirname);
installCancelHandlers(cancel);
runTask(env).then(
  () => process.exit(0),
  () => process.exit(0), // runTask reports its own failures; a non-zero exit would add a second, vaguer error
);
