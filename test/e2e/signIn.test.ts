import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LocalAzure } from '../../testkit/emulators/localAzure';
import { linuxGalleryInputs, runImageBuilderTask, serviceConnection, type ImageWorld, type SignInScheme } from '../../testkit/harness';
import {
  assertCleanup,
  assertNoSecrets,
  assertResult,
  node20Path,
  requestsForTemplate,
  uniqueTemplateName,
  writes,
} from './checks';
import { startForgedOidcServer } from './forgedOidc';
import { startStage } from './stage';

describe('e2e sign-in: every service connection scheme, and refusal of bad credentials', function () {
  this.timeout(120_000);
  let azure: LocalAzure;
  let world: ImageWorld;
  let app: string;

  before(async () => {
    ({ azure, world, app } = await startStage());
  });
  after(async () => {
    await azure?.stop();
  });

  const schemes: SignInScheme[] = ['secret', 'certificate', 'federated', 'managedIdentity'];
  for (const scheme of schemes) {
    it(`${scheme}: builds into the gallery, publishes outputs, cleans up and leaks nothing`, async () => {
      const templateName = uniqueTemplateName(`signin-${scheme}`);
      const entraBefore = azure.entra.requests().length;
      const devopsBefore = azure.devops.requests().length;
      azure.arm.clearRequests();
      const result = await runImageBuilderTask({
        azure,
        scheme,
        nodePath: node20Path(),
        inputs: { ...linuxGalleryInputs(world, app), templateName },
      });
      assertResult(result, 'Succeeded');
      assert.match(result.outputs['bake.galleryImageVersionId'] ?? '', new RegExp(`^${world.linuxGalleryImageId}/versions/\\d+\\.\\d+\\.\\d+$`, 'i'));

      // Signed in the way the scheme says.
      const entra = azure.entra.requests().slice(entraBefore);
      if (scheme === 'managedIdentity') {
        assert.ok(entra.some((r) => r.path.startsWith('/msi/token') && r.status === 200), 'token from the managed identity endpoint');
      } else {
        const grants = entra.filter((r) => /oauth2\/v2\.0\/token/.test(r.path) && r.status === 200);
        assert.ok(grants.length > 0, 'token from the tenant token endpoint');
        assert.ok(grants.every((r) => r.path.startsWith(`/${azure.scenario.tenantId}/`)), 'from the connection tenant');
      }
      if (scheme === 'federated') {
        const oidc = azure.devops.requests().slice(devopsBefore).filter((r) => /oidctoken/i.test(r.path));
        assert.ok(oidc.length > 0 && oidc.every((r) => r.status === 200), 'OIDC token requested from Azure DevOps');
      }
      const templateCalls = requestsForTemplate(azure.arm.requests(), templateName);
      assert.ok(templateCalls.some((r) => r.method === 'PUT' && r.status < 300), 'template created');
      assert.ok(templateCalls.some((r) => r.method === 'POST' && /\/run$/i.test(r.path)), 'run started');
      assert.ok(azure.arm.state().galleryImageVersions.some((v) => String(v.id).toLowerCase() === result.outputs['bake.galleryImageVersionId']!.toLowerCase()), 'the image version exists');

      await assertCleanup(azure, templateName, { template: 'gone', blob: 'none' });
      assertNoSecrets(result, azure);
    });
  }

  async function assertRefused(result: Awaited<ReturnType<typeof runImageBuilderTask>>, templateName: string, why: RegExp): Promise<void> {
    assertResult(result, 'Failed');
    const errors = result.issues.filter((i) => i.type === 'error').map((i) => i.message).join('\n');
    assert.match(errors, why, `the error says why sign-in failed: ${errors}`);
    assert.deepEqual(writes(azure.arm.requests()), [], 'nothing was created or changed in ARM');
    assert.equal(azure.arm.state().imageTemplates.filter((t) => t.name === templateName).length, 0);
    await assertCleanup(azure, templateName, { template: 'gone', blob: 'none' });
    assertNoSecrets(result, azure);
  }

  it('refuses a wrong client secret: clear error, nothing created', async () => {
    const templateName = uniqueTemplateName('wrong-secret');
    azure.arm.clearRequests();
    const wrong = 'not-the-secret-' + 'x'.repeat(24);
    const result = await runImageBuilderTask({
      azure,
      nodePath: node20Path(),
      connection: serviceConnection(azure, 'secret', { clientSecret: wrong }),
      inputs: { ...linuxGalleryInputs(world, app), templateName },
    });
    await assertRefused(result, templateName, /AADSTS7000215|invalid client secret|sign[- ]?in|authenticat/i);
    assert.ok(!result.log.join('\n').includes(wrong), 'the wrong secret is masked too');
  });

  it('refuses a certificate the app does not know: clear error, nothing created', async () => {
    const templateName = uniqueTemplateName('wrong-cert');
    azure.arm.clearRequests();
    // A real key and certificate, just not the one registered with the app.
    const result = await runImageBuilderTask({
      azure,
      nodePath: node20Path(),
      connection: serviceConnection(azure, 'certificate', { certificatePem: strangerCertificatePem() }),
      inputs: { ...linuxGalleryInputs(world, app), templateName },
    });
    await assertRefused(result, templateName, /AADSTS700027|certificate|sign[- ]?in|authenticat/i);
  });

  it('refuses a forged federated assertion: clear error, nothing created', async () => {
    const templateName = uniqueTemplateName('forged');
    azure.arm.clearRequests();
    const forged = await startForgedOidcServer(azure);
    let result;
    try {
      const connection = serviceConnection(azure, 'federated');
      connection.variables = { ...connection.variables, 'System.OidcRequestUri': forged.oidcRequestUri };
      result = await runImageBuilderTask({ azure, nodePath: node20Path(), connection, inputs: { ...linuxGalleryInputs(world, app), templateName } });
      assert.ok(forged.issued() > 0, 'the task took the forged token');
    } finally {
      await forged.stop();
    }
    await assertRefused(result, templateName, /AADSTS\d+|assertion|sign[- ]?in|authenticat/i);
  });
});

/** A self-signed certificate with its key, unknown to the Entra stand-in. */
function strangerCertificatePem(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-stranger-'));
  try {
    const key = path.join(dir, 'k.pem');
    const crt = path.join(dir, 'c.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', '/CN=stranger'], { stdio: 'ignore' });
    return fs.readFileSync(key, 'utf8') + fs.readFileSync(crt, 'utf8');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
