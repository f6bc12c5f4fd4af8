/** The port through which the task reads what the pipeline gives it: inputs, context, files, connections, cancel. */
import type { InputName } from '../config/inputNames';
import type { PipelineContext } from '../config/types';
import type { TaskHost } from '../core/taskHost';
import type { ServiceConnection } from './serviceConnection';

/**
 * Everything the task needs from whatever runs it. The pipeline edge
 * (shared/edge/taskLibHost.ts) and the tests both provide one, so the
 * task's behaviour lives in one place (shared/run/runTask.ts).
 */
export interface TaskEnvironment {
  host: TaskHost;
  /** Raw input value by name; undefined or '' when not set. */
  input(name: InputName): string | undefined;
  context: PipelineContext;
  /** Reads a text file the user pointed at (templateJsonPath). */
  readTextFile(path: string): string;
  /** Resolves a service connection by endpoint id; throws a localized error when it is unusable. */
  serviceConnection(endpointId: string): ServiceConnection;
  /** Aborted when the pipeline is cancelled. */
  cancellation: AbortSignal;
}
