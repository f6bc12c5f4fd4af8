import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { LocalAzure } from '../../testkit/emulators/localAzure';
import { closedPort, startForwardProxy, type ForwardProxy } from '../support/forwardProxy';
import { linuxGalleryInputs, runImageBuilderTask, serviceConnection, type ImageWorld } from '../../testkit/harness';
import { assertCleanup, assertNoSecrets, assertResult, node20Path, uniqueTemplateName, writes } from './checks';
import { startStage } from './stage';

type Run = Awaited<ReturnType<typeof runImageBuilderTask>>;

/** `host:port` of a URL, as a proxy sees it in CONNECT. */
function hostPort(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port}`;
}

function errorsOf(result: Run): string {
  return result.issues.filter((i) => i.type === 'error').map((i) => i.message).join('\n');
}

/**
 * A self-hosted agent behind a corporate proxy: the agent hands its proxy
 * (Agent.ProxyUrl, ...) and CA (Agent.CAInfo) settings to the task, which must
 * send every request through that proxy, except to hosts on the bypass list.
 */
describe('e2e proxy: the agent\'s proxy and certificate settings', function () {
  this.timeout(180_000);
  let azure: LocalAzure;
  let world: ImageWorld;
  let app: string;
  let targets: { entra: string; arm: string; devops: string; azurite: string };

  before(async function () {
    ({ azure, world, app } = await startStage());
    targets = {
      entra: hostPort(azure.entra.authorityHost),
      arm: hostPort(azure.arm.url),
      devops: hostPort(azure.devops.oidcRequestUri),
      azurite: `127.0.0.1:${azure.azurite.port}`,
    };
  });

  after(async function () {
    await azure?.stop();
  });

  const proxies: ForwardProxy[] = [];
  afterEach(async function () {
    for (const proxy of proxies.splice(0)) await proxy.stop();
  });

  it('sends every request (Entra ID, Azure DevOps OIDC, Resource Manager, Storage) through an authenticating proxy, trusting the agent\'s CA file', async function () {
    const credentials = { username: 'build-agent', password: `P@ss:${randomBytes(12).toString('base64url')}` };
    const proxy = await startForwardProxy({ credentials });
    proxies.push(proxy);
    const templateName = uniqueTemplateName('proxy');
    const result = await runImageBuilderTask({
      azure,
      scheme: 'federated',
      nodePath: node20Path(),
      inputs: { ...linuxGalleryInputs(world, app), templateName },
      proxy: { url: proxy.url, ...credentials },
      // The agent exposes its CA file, not NODE_EXTRA_CA_CERTS: only the task's own trust can make TLS work.
      certificates: { caFile: azure.tls.caPath },
      env: { NODE_EXTRA_CA_CERTS: undefined },
    });
    assertResult(result, 'Succeeded');
    assert.ok(result.outputs['bake.galleryImageVersionId'], 'the image version is published');

    const tunnelled = proxy.tunnelledTargets();
    for (const [name, target] of Object.entries(targets)) {
      assert.ok(tunnelled.has(target), `${name} (${target}) was reached through the proxy; it saw ${[...tunnelled].join(', ')}`);
    }
    assert.deepEqual(
      proxy.requests().filter((r) => !r.authorized),
      [],
      'every request carried the proxy credentials',
    );
    assert.ok(azure.devops.requests().some((r) => r.status === 200), 'the OIDC token came from Azure DevOps');
    assert.ok(result.secrets.includes(credentials.password), 'the proxy password is registered as a secret');
    assertNoSecrets(result, azure, [credentials.password]);
    await assertCleanup(azure, templateName, { template: 'gone', blob: 'none' });
  });

  it('goes straight to a host on the bypass list and through the proxy for the others', async function () {
    const proxy = await startForwardProxy();
    proxies.push(proxy);
    const templateName = uniqueTemplateName('bypass');
    // The Azure DevOps stand-in by host name, the others by address: the bypass entry (a regular expression on the URL) matches only it.
    const connection = serviceConnection(azure, 'federated');
    const oidc = new URL(azure.devops.oidcRequestUri);
    oidc.hostname = 'localhost';
    connection.variables['System.OidcRequestUri'] = oidc.href;
    const devopsBefore = azure.devops.requests().length;
    const result = await runImageBuilderTask({
      azure,
      connection,
      nodePath: node20Path(),
      inputs: { ...linuxGalleryInputs(world, app), templateName },
      proxy: { url: proxy.url, bypass: ['^https://localhost[:/]'] },
    });
    assertResult(result, 'Succeeded');

    const asked = new Set(proxy.requests().map((r) => r.target));
    assert.ok(!asked.has(`localhost:${oidc.port}`) && !asked.has(targets.devops), `Azure DevOps was not reached through the proxy: ${[...asked].join(', ')}`);
    assert.ok(azure.devops.requests().length > devopsBefore, 'the OIDC token request reached Azure DevOps directly');
    for (const name of ['entra', 'arm', 'azurite'] as const) {
      assert.ok(asked.has(targets[name]), `${name} (${targets[name]}) was reached through the proxy`);
    }
    assertNoSecrets(result, azure);
    await assertCleanup(azure, templateName, { template: 'gone', blob: 'none' });
  });

  it('fails clearly when the proxy refuses the credentials, without printing them', async function () {
    const proxy = await startForwardProxy({ credentials: { username: 'build-agent', password: 'the-right-one' } });
    proxies.push(proxy);
    const wrongPassword = `wrong-${randomBytes(12).toString('base64url')}`;
    const templateName = uniqueTemplateName('proxy407');
    const writesBefore = writes(azure.arm.requests()).length;
    const result = await runImageBuilderTask({
      azure,
      scheme: 'secret',
      nodePath: node20Path(),
      inputs: { ...linuxGalleryInputs(world, app), templateName },
      proxy: { url: proxy.url, username: 'build-agent', password: wrongPassword },
    });
    assertResult(result, 'Failed');
    const errors = errorsOf(result);
    assert.match(errors, new RegExp(`proxy ${proxy.url.replace(/[.:/]/g, '\\$&')} refused the proxy credentials \\(HTTP 407`), errors);
    assert.ok(proxy.requests().length > 0 && proxy.requests().every((r) => !r.authorized), 'the proxy turned every request away');
    assert.equal(writes(azure.arm.requests()).length, writesBefore, 'nothing was created or changed in ARM');
    assertNoSecrets(result, azure, [wrongPassword]);
  });

  it('fails at once, naming the proxy, when nothing listens at the proxy URL', async function () {
    const port = await closedPort();
    const templateName = uniqueTemplateName('proxydown');
    const password = `pw-${randomBytes(12).toString('base64url')}`;
    const result = await runImageBuilderTask({
      azure,
      scheme: 'secret',
      nodePath: node20Path(),
      inputs: { ...linuxGalleryInputs(world, app), templateName },
      proxy: { url: `http://127.0.0.1:${port}`, username: 'build-agent', password },
    });
    assertResult(result, 'Failed');
    const errors = errorsOf(result);
    assert.match(errors, new RegExp(`Could not connect through the agent's proxy http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`), errors);
    assert.ok(!result.log.join('\n').includes('build-agent'), 'the proxy user name is not printed with the URL');
    assertNoSecrets(result, azure, [password]);
  });
});
