/** The task from inputs to result, whoever runs it. */
import type { TaskEnvironment } from '../ports/taskEnvironment';
import type { InputName } from '../config/inputNames';
import { parseConfig, formatProblem, suppliedFilePath, type ConfigFiles } from '../config/parse';
import { packagePathExists } from '../staging/packageSource';
import { LocalizedError } from '../core/localizedError';
import { performDryRun } from './dryRun';

/**
 * The task from inputs to result, whoever runs it.
 * Bad input is reported before anything touches Azure.
 */
export async function runTask(env: TaskEnvironment): Promise<void> {
  const { host } = env;
  try {
    // The agent roots an empty filePath input to the working directory; that means "not supplied".
    const templateJsonPath = suppliedFilePath(env.input('templateJsonPath'), env.context.workingDirectory);
    const files: ConfigFiles = {};
    if (templateJsonPath) {
      try {
        files.templateJson = env.readTextFile(templateJsonPath);
      } catch (err) {
        throw new LocalizedError('TemplateFileUnreadable', [templateJsonPath, (err as Error).message]);
      }
    }
    // Checked with the inputs, so a wrong path is reported before anything is asked of Azure.
    const packagePath = suppliedFilePath(env.input('packagePath'), env.context.workingDirectory);
    if (packagePath) files.packagePathExists = packagePathExists(packagePath);
    const parsed = parseConfig((name: InputName) => env.input(name), env.context, files);
    if (!parsed.ok) {
      for (const problem of parsed.problems) host.error(formatProblem(problem, host.loc.bind(host)));
      host.complete('Failed', host.loc('InvalidInputs', parsed.problems.length));
      return;
    }
    // Contradicting options do not stop the run; each warning names both inputs and says which wins.
    for (const warning of parsed.warnings ?? []) host.warning(formatProblem(warning, host.loc.bind(host)));
    const config = parsed.config;
    if (config.dryRun) {
      await performDryRun(host, config);
      host.complete('Succeeded', host.loc('DryRunDone', config.target.templateName));
      return;
    }
    const connection = env.serviceConnection(config.target.connection);
    // Loaded only for a real run: the Azure SDKs are most of the bundle, and a
    // dry run or an input error should not pay for evaluating them.
    const { runBuild } = await import('./runBuild.js');
    const outcome = await runBuild({ host, config, connection, cancellation: env.cancellation, pipeline: env.context });
    host.complete(outcome.result, outcome.message);
  } catch (err) {
    const message = err instanceof LocalizedError ? err.format(host.loc.bind(host)) : String((err as Error)?.message ?? err);
    host.error(message);
    host.complete('Failed', message);
  }
}

