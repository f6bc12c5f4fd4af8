/**
 * AzureImageVersionPromote@1 entry point: hands the agent's environment to
 * runPromote. Bundled into ../index.js, next to task.json (tl.loc reads it).
 */
import { endProcess } from '../../../../shared/edge/endProcess';
import { createPipelineEnvironment, installCancelHandlers } from '../../../../shared/edge/taskLibHost';
import { runPromote } from './runPromote';

const { env, cancel } = createPipelineEnvironment(__dirname);
installCancelHandlers(cancel);
runPromote(env).then(
  () => endProcess(0),
  () => endProcess(0),
);
