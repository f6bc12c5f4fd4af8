/**
 * The local stand-ins for one describe block of end-to-end scenarios, seeded
 * with the image world (sources and targets of every kind of build), and a
 * small app folder to stage: the set-up every end-to-end file starts with.
 * A block calls startStage in its before hook and stops `azure` in its after hook.
 */
import { startLocalAzure, type LocalAzure, type LocalAzureWithStorageFaults, type StartLocalAzureOptions } from '../../testkit/emulators/localAzure';
import { FAST_BUILD, makeAppFolder, seedImageWorld, type ImageWorld } from '../../testkit/harness';

export interface Stage<A extends LocalAzure = LocalAzure> {
  azure: A;
  world: ImageWorld;
  /** A small app folder (webapp/ with an install script) for packagePath. */
  app: string;
}

/**
 * Starts the stand-ins with short build phases (FAST_BUILD unless `buildTiming`
 * says otherwise) on an emptied Azurite server of an earlier file, and seeds them.
 */
export async function startStage(options: StartLocalAzureOptions & { storageFaults: true }): Promise<Stage<LocalAzureWithStorageFaults>>;
export async function startStage(options?: StartLocalAzureOptions): Promise<Stage>;
export async function startStage(options: StartLocalAzureOptions = {}): Promise<Stage> {
  // A mocha worker runs file after file: each takes the emptied Azurite server of the one before.
  const azure = await startLocalAzure({ buildTiming: FAST_BUILD, reuseStorage: true, ...options });
  return { azure, world: seedImageWorld(azure), app: makeAppFolder() };
}
