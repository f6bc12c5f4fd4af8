/** The engine's one way to refuse a config: a localized error naming the input to change. */
import { LocalizedError } from '../core/localizedError';
import type { InputName } from '../config/inputNames';

/** Message keys of the engine; task.json `messages` declares each. */
export type TemplateErrorKey = 'ArtifactNeedsBuildVmIdentity' | 'ArtifactDestinationIsRoot';

/**
 * A config the engine cannot turn into a working template. Carries the
 * message key (localized by the host through task.json) and the input the
 * user should change.
 */
export class TemplateError extends LocalizedError {
  declare readonly inputName: InputName;

  constructor(
    override readonly key: TemplateErrorKey,
    override readonly args: readonly string[],
    inputName: InputName,
  ) {
    super(key, args, { inputName });
    this.name = 'TemplateError';
  }
}
