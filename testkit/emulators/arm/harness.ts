/**
 * Test fixture for the ARM emulator's own tests: Azurite (user + staging
 * accounts) and the emulator on the test certificate, a stub credential, and a
 * small world most tests start from.
 */
import type { TokenCredential } from '@azure/core-auth';
import { startAzurite, type AzuriteHandle } from '../azurite';
import { getTestTls } from '../tls';
import { armCall } from './armClient';
import { startArmEmulator, type ArmEmulator, type ArmEmulatorOptions, type World, type WorldSnapshot } from './index';

export const SUB = '11111111-2222-3333-4444-555555555555';
export const RG = 'rg-images';
export const LOCATION = 'westus';
export const IDENTITY_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ib-identity`;
export const SOURCE_IMAGE_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/images/source-image`;
export const GALLERY_IMAGE_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/galleries/gallery1/images/app-linux`;

export const stubCredential: TokenCredential = {
  getToken: async () => ({ token: 'stub-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

export interface Harness {
  azurite: AzuriteHandle;
  arm: ArmEmulator;
  stop(): Promise<void>;
}

export function baseWorld(userAccountName: string): Partial<World> {
  return {
    resourceGroups: [{ subscriptionId: SUB, name: RG, location: LOCATION }],
    identities: [{ id: IDENTITY_ID, location: LOCATION }],
    storageAccounts: [{ id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/${userAccountName}`, location: LOCATION }],
    managedImages: [{ id: SOURCE_IMAGE_ID, location: LOCATION, osType: 'Linux', hyperVGeneration: 'V2' }],
    platformImages: [
      { location: LOCATION, publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: '24.04.202401010', hyperVGeneration: 'V2' },
      { location: LOCATION, publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: '24.04.202409090', hyperVGeneration: 'V2', features: [{ name: 'SecurityType', value: 'TrustedLaunchSupported' }] },
      { location: LOCATION, publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: '24.04.202405050', hyperVGeneration: 'V2' },
    ],
    galleryImages: [{ id: GALLERY_IMAGE_ID, location: LOCATION, osType: 'Linux', hyperVGeneration: 'V2', features: [{ name: 'SecurityType', value: 'TrustedLaunch' }] }],
  };
}

export async function startHarness(overrides: Partial<ArmEmulatorOptions> = {}): Promise<Harness> {
  const tls = getTestTls();
  const azurite = await startAzurite();
  let arm: ArmEmulator;
  try {
    arm = await startArmEmulator({
      tls: { cert: tls.cert, key: tls.key },
      storage: {
        blobEndpoint: (name) => azurite.url(name),
        accountKey: (name) => {
          const a = azurite.accounts.find((x) => x.name === name);
          if (!a) throw new Error(`No Azurite account named ${name}`);
          return a.key;
        },
        stagingAccountName: azurite.stagingAccount.name,
      },
      buildTiming: {
        provisioningMs: 30,
        queuedMs: 30,
        buildingMs: 30,
        customizerMs: 60,
        optimizingMs: 20,
        validatingMs: 20,
        distributingMs: 30,
        cancelMs: 30,
        deleteMs: 30,
      },
      ...overrides,
    });
  } catch (err) {
    await azurite.stop();
    throw err;
  }
  arm.seed(baseWorld(azurite.userAccount.name));
  return {
    azurite,
    arm,
    stop: async () => {
      await arm.stop();
      await azurite.stop();
    },
  };
}

/** Polls until the condition holds, or fails naming what it waited for. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Ends every run (a running build is cancelled), deletes every template and
 * waits until none is left, on the stand-in's own announcements of its state:
 * each test of the stand-in starts from no templates.
 */
export async function removeAllTemplates(arm: ArmEmulator): Promise<void> {
  const runEnded = (id: string) => (state: WorldSnapshot) => {
    const runState = state.imageTemplates.find((t) => t.id === id)?.lastRunStatus?.['runState'];
    return runState !== 'Running' && runState !== 'Canceling';
  };
  for (const t of arm.state().imageTemplates) {
    if (t.lastRunStatus?.['runState'] === 'Running') await armCall(arm.url, 'POST', `${t.id}/cancel`);
    await arm.waitForState(runEnded(t.id));
    await armCall(arm.url, 'DELETE', t.id);
  }
  await arm.waitForState((state) => state.imageTemplates.length === 0);
}
