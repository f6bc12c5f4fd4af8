/**
 * AzureImageBuilder@1 entry point: hands the agent's environment to the
 * shared task. Bundled into ../index.js, next to task.json (tl.loc reads it).
 */
import { endProcess } from '../../../../shared/edge/endProcess';
import { createPipelineEnvironment, installCancelHandlers } from '../../../../shared/edge/taskLibHost';
import { runTask } from '../../../../shared/run/runTask';

const { env, cancel } = createPipelineEnvironment(__dirname);
installCancelHandlers(cancel);
// Exit code 0 either way: runTask reports its own failures through task.complete, and a non-zero
// exit would add a second, vaguer error. endProcess lets the output drain before the process ends.
runTask(env).then(
  () => endProcess(0),
  () => endProcess(0),
);
