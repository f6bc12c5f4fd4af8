/**
 * Every local stand-in for Azure, started together and wired to each other:
 * Azurite (storage), the Entra ID stand-in (tokens), the Azure DevOps stand-in
 * (OIDC tokens for workload identity federation) and the ARM stand-in, which
 * checks tokens with Entra's key and mints identity tokens through it. Also a
 * ready-made scenario identity: a tenant, a subscription and one principal per
 * way a service connection can sign in.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startArmEmulator, type ArmEmulator, type ArmEmulatorOptions } from './arm/index';
import { leaseAzurite } from './azuritePool';
import { DEFAULT_STAGING_ACCOUNT, DEFAULT_USER_ACCOUNT, generateAccountKey, startAzurite, type AzuriteHandle } from './azurite';
import { startDevOpsEmulator, type DevOpsEmulator } from './devops/index';
import { startEntraEmulator, type EntraEmulator } from './entra/index';
import { startStorageFaultProxy, type StorageFaultProxy } from './storageFaultProxy';
import { getTestTls, type TestTls } from './tls';

export interface ScenarioIdentity {
  tenantId: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  /** Service principal that signs in with a client secret. */
  secretApp: { clientId: string; objectId: string; clientSecret: string };
  /** Service principal that signs in with a certificate. */
  certificateApp: {
    clientId: string;
    objectId: string;
    /** The certificate alone, as registered with the app. */
    certificatePem: string;
    privateKeyPem: string;
    /** Private key and certificate in one PEM, as service connections and ClientCertificateCredential take it. */
    pem: string;
    /** The same PEM on disk. */
    pemPath: string;
  };
  /** App federated to the Azure DevOps stand-in's service connection. */
  federatedApp: {
    clientId: string;
    objectId: string;
    serviceConnectionId: string;
    serviceConnectionName: string;
    subject: string;
  };
  /** User-assigned identity (the template identity) and the system-assigned identity of the agent host. */
  userAssignedIdentity: { resourceId: string; clientId: string; principalId: string };
  systemAssignedIdentity: { clientId: string; principalId: string };
}

export interface LocalAzure {
  tls: TestTls;
  azurite: AzuriteHandle;
  entra: EntraEmulator;
  devops: DevOpsEmulator;
  arm: ArmEmulator;
  /**
   * With `storageFaults`: the fault-injecting proxy in front of Azurite, whose
   * URLs the ARM stand-in hands out as every account's blob endpoint.
   */
  storageProxy?: StorageFaultProxy;
  scenario: ScenarioIdentity;
  /** Environment a child process (a task run) needs to talk to the stand-ins. */
  childEnv(): Record<string, string>;
  /** Stops everything; safe to call twice. */
  stop(): Promise<void>;
}

export interface StartLocalAzureOptions {
  buildTiming?: ArmEmulatorOptions['buildTiming'];
  /** Seed the ARM stand-in with the scenario's subscription, resource group, identity and storage account (default true). */
  seed?: boolean;
  /** More Azurite accounts besides the default user and staging ones (e.g. the account a sample names). */
  storageAccountNames?: string[];
  /**
   * Put the storage fault proxy in front of Azurite (default false): ARM then
   * answers every storage account's blob endpoint with the proxy's URL, so the
   * task's storage requests, and the simulated build's own (log writes,
   * artifact downloads, cleanup), all go through it.
   */
  storageFaults?: boolean;
  /**
   * Take an emptied Azurite server that an earlier local Azure of this process
   * released, and release it again on stop() instead of stopping it
   * (azuritePool.ts; default false: a server of its own, stopped on stop()).
   * For test processes that set up one local Azure after another.
   */
  reuseStorage?: boolean;
}

/** The stand-ins with the storage fault proxy in place. */
export type LocalAzureWithStorageFaults = LocalAzure & { storageProxy: StorageFaultProxy };

/** Makes a self-signed certificate with its key for certificate sign-in (openssl, like the test CA). */
function makeClientCertificate(dir: string, subject: string): { certificatePem: string; privateKeyPem: string } {
  const keyPath = path.join(dir, 'client.key');
  const certPath = path.join(dir, 'client.crt');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', `/CN=${subject}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return { certificatePem: fs.readFileSync(certPath, 'utf8'), privateKeyPem: fs.readFileSync(keyPath, 'utf8') };
}

/** Azurite's default accounts (the first is the user's, the second the staging one) plus any extra names. */
function azuriteAccounts(extra: readonly string[] = []): { accounts?: Record<string, string> } {
  const names = [DEFAULT_USER_ACCOUNT, DEFAULT_STAGING_ACCOUNT, ...extra.filter((n) => n && n !== DEFAULT_USER_ACCOUNT && n !== DEFAULT_STAGING_ACCOUNT)];
  if (names.length === 2) return {};
  return { accounts: Object.fromEntries(names.map((n) => [n, generateAccountKey()])) };
}

/** Runs the stop functions in reverse start order, all of them even when one fails. */
async function stopAll(stops: Array<() => Promise<void> | void>): Promise<void> {
  const failures: unknown[] = [];
  for (const stop of [...stops].reverse()) {
    try {
      await stop();
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'some local Azure stand-ins did not stop cleanly');
}

export async function startLocalAzure(options: StartLocalAzureOptions & { storageFaults: true }): Promise<LocalAzureWithStorageFaults>;
export async function startLocalAzure(options?: StartLocalAzureOptions): Promise<LocalAzure>;
export async function startLocalAzure(options: StartLocalAzureOptions = {}): Promise<LocalAzure> {
  const tls = getTestTls();
  const stops: Array<() => Promise<void> | void> = [];
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-local-azure-'));
  stops.push(() => fs.rmSync(workDir, { recursive: true, force: true }));
  try {
    const tenantId = randomUUID();
    const subscriptionId = randomUUID();
    const resourceGroup = 'rg-imagebuilder';
    const location = 'westus';

    const [azurite, entra, devops] = await Promise.all([
      (options.reuseStorage
        ? leaseAzurite(azuriteAccounts(options.storageAccountNames))
        : startAzurite(azuriteAccounts(options.storageAccountNames)).then((azurite) => ({ azurite, release: azurite.stop }))
      ).then((lease) => (stops.push(lease.release), lease.azurite)),
      startEntraEmulator({ tls }).then((e) => (stops.push(e.stop), e)),
      startDevOpsEmulator({ tls }).then((d) => (stops.push(d.stop), d)),
    ]);

    let storageProxy: StorageFaultProxy | undefined;
    if (options.storageFaults) {
      storageProxy = await startStorageFaultProxy({ upstream: `https://127.0.0.1:${azurite.port}`, tls });
      stops.push(storageProxy.stop);
    }
    const blobEndpoint = storageProxy ? storageProxy.url : (name: string) => azurite.url(name);

    const secretApp = entra.registerApp({ tenantId, clientId: randomUUID(), clientSecret: randomBytes(30).toString('base64url') });
    const cert = makeClientCertificate(workDir, 'imagebuilder-pipeline');
    const pemPath = path.join(workDir, 'client.pem');
    fs.writeFileSync(pemPath, cert.privateKeyPem + cert.certificatePem, { mode: 0o600 });
    const certificateApp = entra.registerApp({ tenantId, clientId: randomUUID(), certificatePem: cert.certificatePem });
    const connection = devops.registerConnection({ id: randomUUID(), name: 'imagebuilder-wif' });
    entra.trustIssuer(devops.issuer, devops.jwks);
    const federatedApp = entra.registerApp({
      tenantId,
      clientId: randomUUID(),
      federated: { issuer: devops.issuer, subject: connection.subject, audience: 'api://AzureADTokenExchange' },
    });
    const userAssignedResourceId = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ib-template-identity`;
    const userAssigned = entra.registerManagedIdentity({ tenantId, clientId: randomUUID(), resourceId: userAssignedResourceId });
    const systemAssigned = entra.registerManagedIdentity({ tenantId, clientId: randomUUID() });

    const arm = await startArmEmulator({
      tls: { cert: tls.cert, key: tls.key },
      storage: {
        blobEndpoint,
        accountKey: (name) => {
          const account = azurite.accounts.find((a) => a.name === name);
          if (!account) throw new Error(`Azurite serves no account named ${name}`);
          return account.key;
        },
        stagingAccountName: azurite.stagingAccount.name,
      },
      verifyToken: (token, audience) => entra.verifyAccessToken(token, audience),
      issueToken: (audience, identityResourceId) => {
        const known = identityResourceId.toLowerCase() === userAssignedResourceId.toLowerCase();
        return entra.issue({
          tenantId,
          audience,
          identityResourceId,
          ...(known ? { clientId: userAssigned.clientId, objectId: userAssigned.principalId } : {}),
        });
      },
      ...(options.buildTiming ? { buildTiming: options.buildTiming } : {}),
    });
    stops.push(arm.stop);

    if (options.seed !== false) {
      arm.seed({
        subscriptions: [{ subscriptionId, tenantId, displayName: 'Image Builder (local)' }],
        resourceGroups: [{ subscriptionId, name: resourceGroup, location }],
        identities: [{ id: userAssignedResourceId, location, clientId: userAssigned.clientId, principalId: userAssigned.principalId, tenantId }],
        storageAccounts: [
          {
            id: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Storage/storageAccounts/${azurite.userAccount.name}`,
            location,
          },
        ],
      });
    }

    const scenario: ScenarioIdentity = {
      tenantId,
      subscriptionId,
      resourceGroup,
      location,
      secretApp: { clientId: secretApp.clientId, objectId: secretApp.objectId, clientSecret: secretApp.clientSecret as string },
      certificateApp: {
        clientId: certificateApp.clientId,
        objectId: certificateApp.objectId,
        certificatePem: cert.certificatePem,
        privateKeyPem: cert.privateKeyPem,
        pem: cert.privateKeyPem + cert.certificatePem,
        pemPath,
      },
      federatedApp: {
        clientId: federatedApp.clientId,
        objectId: federatedApp.objectId,
        serviceConnectionId: connection.id,
        serviceConnectionName: connection.name,
        subject: connection.subject,
      },
      userAssignedIdentity: { resourceId: userAssignedResourceId, clientId: userAssigned.clientId, principalId: userAssigned.principalId },
      systemAssignedIdentity: { clientId: systemAssigned.clientId, principalId: systemAssigned.principalId },
    };

    let stopped: Promise<void> | undefined;
    return {
      tls,
      azurite,
      entra,
      devops,
      arm,
      ...(storageProxy ? { storageProxy } : {}),
      scenario,
      childEnv: () => ({
        NODE_EXTRA_CA_CERTS: tls.caPath,
        IB_TEST_TLS_DIR: tls.dir,
        // App Service style managed identity, read by @azure/identity's ManagedIdentityCredential.
        IDENTITY_ENDPOINT: entra.managedIdentityEndpoint,
        IDENTITY_HEADER: entra.managedIdentityHeader,
      }),
      stop: () => (stopped ??= stopAll(stops)),
    };
  } catch (err) {
    await stopAll(stops).catch(() => undefined);
    throw err;
  }
}
