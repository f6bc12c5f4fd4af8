/**
 * Runs inside a task process started by the agent stand-in (see
 * taskLibHost.test.ts): drives the real TaskLibHost, and the finish code
 * through it, with hostile and secret-bearing text, so the test can check
 * what the agent made of the output.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { TaskLibHost } from '../../shared/edge/taskLibHost';
import { reportFailure } from '../../shared/run/finish';
import { uploadSummaryFile } from '../../shared/run/summaryFile';
import { buildImageTemplate } from '../../shared/template';
import { baseConfig } from '../support/configFixtures';
import { HOSTILE, SIGNED_URL } from './hostileText';

export async function main(taskDir: string): Promise<void> {
  tl.setResourcePath(path.join(taskDir, 'task.json'));
  const host = new TaskLibHost();
  const scenario = tl.getInput('scenario', true);
  if (scenario === 'hostile') {
    host.info(HOSTILE);
    host.debug(HOSTILE);
    host.warning(HOSTILE);
    host.error(HOSTILE);
    host.beginGroup(HOSTILE);
    host.info('inside the group');
    host.endGroup();
    host.setProgress(50, HOSTILE);
    host.setOutput('templateName', `tmpl ${HOSTILE}`);
    host.complete('Succeeded', HOSTILE);
    return;
  }
  // A failed build whose every text carries a signed URL.
  const config = baseConfig('shell');
  const body = buildImageTemplate(config, {});
  const logFile = path.join(host.tempDirectory(), 'customization-probe.log');
  fs.writeFileSync(logFile, 'saved line\n');
  const armError = Object.assign(new Error(`The blob ${SIGNED_URL} could not be read`), {
    statusCode: 400,
    code: 'InvalidParameter',
    details: [{ code: 'Inner', message: `scope '${SIGNED_URL}'` }],
  });
  host.warning(`Distribution failed for ${SIGNED_URL}`);
  host.info(`log line ${SIGNED_URL}`);
  // Each failure path on its own, as Azure reports one failure at a time: the refused request,
  // the failed run and the failed provisioning each carry the signed URL.
  const watchOf = (kind: 'failed' | 'provisioningFailed') => ({
    kind,
    snapshot: {
      lastRunStatus: { runState: 'Failed', message: `Download of ${SIGNED_URL} failed: 403 AuthorizationPermissionMismatch` },
      provisioningError: { provisioningErrorCode: 'BadSourceUri', message: `The source ${SIGNED_URL.replace(/&/g, '\\u0026')} is not reachable. ${SIGNED_URL}` },
    },
    phases: [],
    elapsedMs: 1000,
    logTail: [`    azure-arm: curl -fsS '${SIGNED_URL}' -o /tmp/a`, 'Script exited with non-zero exit status: 1'],
    logFile,
  });
  const outcomes = [
    reportFailure({ host, config, environment: 'AzureCloud', body, watch: watchOf('failed') }),
    reportFailure({ host, config, environment: 'AzureCloud', body, watch: watchOf('provisioningFailed') }),
    reportFailure({ host, config, environment: 'AzureCloud', body, error: armError }),
  ];
  outcomes.forEach((o, i) => uploadSummaryFile(host, `${config.target.templateName}-${i}`, o.summary ?? ''));
  const outcome = outcomes[2]!;
  host.complete(outcome.result, `${outcome.message} ${SIGNED_URL}`);
}
