import { LocalizedError } from '../core/localizedError';
import type { InputName } from '../config/inputNames';

/** Message keys of the engine; task.json `messages` declares each. */
export type TemplateErrorKey = 'ArtifactNeedsBuildVmIdentity' | 'ArtifactDestinationIsRoot';

const ENGLISH: Record<TemplateErrorKey, (args: readonly string[]) => string> = {
  ArtifactNeedsBuildVmIdentity: ([size, limit]) =>
    `The build artifacts archive is ${size} bytes, more than the ${limit} bytes Image Builder's File customizer accepts, ` +
    `so the build VM downloads it itself. With 'artifactAccess: identity' the VM needs an identity that can read the blob: ` +
    `set 'buildVmIdentities' to a user-assigned identity with Storage Blob Data Reader on the storage account, or use 'artifactAccess: sas'.`,
  ArtifactDestinationIsRoot: ([destination]) =>
    `Input 'artifactDestination' must be a folder below the root, because the task removes it after customization; got '${destination}'.`,
};

/**
 * A config the engine cannot turn into a working template. Carries the
 * message key (localized by the host through task.json) and the input the
 * user should change.
 */
export class TemplateError extends LocalizedError {
  constructor(
    override readonly key: TemplateErrorKey,
    override readonly args: readonly string[],
    readonly inputName: InputName,
  ) {
    super(key, args);
    this.name = 'TemplateError';
    // Readable without the host's message table (tests, the local runner).
    this.message = ENGLISH[key](args);
  }
}
