import * as assert from 'node:assert/strict';
import type { ServiceConnection } from '../../shared/azure/serviceConnection';
import type { ImageBuilderConfig } from '../../shared/config/types';
import { ConsoleHost } from '../../shared/host/consoleHost';
import type { BuildServices, TemplateOperations, TemplateState } from '../../shared/run/buildServices';
import { runBuild } from '../../shared/run/runBuild';
import { loc } from '../config/configFixtures';
import { artifactsFor, baseConfig } from '../support/configFixtures';

const connection: ServiceConnection = {
  id: 'conn',
  subscriptionId: '00000000-0000-0000-0000-000000000001',
  resourceManagerUrl: 'https://management.azure.com/',
  authorityHost: 'https://login.microsoftonline.com/',
  environment: 'AzureCloud',
  auth: { scheme: 'ManagedServiceIdentity' },
};

/** Records every call the orchestration makes; each test scripts only what it needs. */
function fakeServices(script: { existing?: TemplateState; createFails?: Error }) {
  const calls: string[] = [];
  const templates: TemplateOperations = {
    get: async () => (calls.push('get'), script.existing),
    create: async () => {
      calls.push('create');
      if (script.createFails) throw script.createFails;
      return { id: '/t', provisioningState: 'Succeeded' };
    },
    delete: async () => void calls.push('delete'),
    startRun: async () => void calls.push('startRun'),
    cancelRun: async () => void calls.push('cancelRun'),
    runOutputs: async () => (calls.push('runOutputs'), []),
  };
  const services: BuildServices = {
    templates,
    resolveLatestPlatformVersion: async () => (calls.push('resolveLatest'), '1.2.3'),
    stageArtifacts: async () => {
      calls.push('stage');
      return {
        artifact: { url: 'https://acct.blob.core.windows.net/c/t/app.tar.gz?sig=abc', sizeBytes: 10, sha256: 'a'.repeat(64), format: 'tar.gz' },
        remove: async () => void calls.push('removeUpload'),
      };
    },
    preflightReader: () => {
      throw new Error('preflight is off in these tests');
    },
    buildLogAccess: () => {
      throw new Error('no watch in these tests');
    },
  };
  return { services, calls };
}

function config(change: (c: ImageBuilderConfig) => void = () => undefined): ImageBuilderConfig {
  const c = baseConfig();
  c.preflight = false;
  c.artifacts = artifactsFor('shell');
  change(c);
  return c;
}

async function run(c: ImageBuilderConfig, services: BuildServices, signal = new AbortController().signal) {
  const lines: string[] = [];
  const host = new ConsoleHost(loc, (l) => lines.push(l));
  const outcome = await runBuild({ host, config: c, connection, cancellation: signal, services });
  return { outcome, lines };
}

describe('build run orchestration (fake Azure)', () => {
  it('a leftover template that is still building stops the run before anything is uploaded or created', async () => {
    const { services, calls } = fakeServices({ existing: { id: '/t', lastRunStatus: { runState: 'Running' } } });
    const { outcome, lines } = await run(config(), services);
    assert.equal(outcome.result, 'Failed');
    assert.deepEqual(calls, ['get']);
    assert.ok(lines.some((l) => l.includes('already exists and is running')), lines.join('\n'));
  });

  it('an idle leftover is replaced: deleted before the new template is created', async () => {
    const { services, calls } = fakeServices({ existing: { id: '/t', lastRunStatus: { runState: 'Failed' } }, createFails: new Error('boom') });
    await run(config(), services);
    assert.deepEqual(calls.slice(0, 5), ['get', 'delete', 'resolveLatest', 'stage', 'create']);
  });

  it('a failed create still removes the template it may have left and the uploaded artifacts', async () => {
    const { services, calls } = fakeServices({ createFails: Object.assign(new Error('Conflict'), { statusCode: 409, code: 'Conflict' }) });
    const { outcome, lines } = await run(config(), services);
    assert.equal(outcome.result, 'Failed');
    assert.ok(calls.includes('delete') && calls.includes('removeUpload'), calls.join(','));
    assert.ok(!calls.includes('startRun'));
    assert.ok(lines.some((l) => /409/.test(l) && /Conflict/.test(l)), lines.join('\n'));
  });

  it('cleanup onSuccess keeps what a failed run created', async () => {
    const { services, calls } = fakeServices({ createFails: new Error('boom') });
    await run(config((c) => (c.cleanup = 'onSuccess')), services);
    assert.ok(!calls.includes('delete') && !calls.includes('removeUpload'), calls.join(','));
  });

  it('a cancel before the build starts ends Canceled without creating anything', async () => {
    const { services, calls } = fakeServices({});
    const cancel = new AbortController();
    cancel.abort();
    const { outcome } = await run(config(), services, cancel.signal);
    assert.equal(outcome.result, 'Canceled');
    assert.deepEqual(calls, []);
  });
});
