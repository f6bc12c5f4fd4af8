import * as assert from 'node:assert/strict';
import { networkSettingsFromAgent } from '../../shared/edge/agentNetwork';
import { LocalizedError } from '../../shared/core/localizedError';
import { agentNetworkVariables } from '../../testkit/agent/runTaskLikeAgent';
import { VariableStore, variablesToEnvironment } from '../../testkit/agent/variables';

const noFiles = (p: string): Buffer => {
  throw Object.assign(new Error(`ENOENT: no such file or directory, open '${p}'`), { code: 'ENOENT' });
};

function rejectsWith(fn: () => unknown, key: string, args?: unknown[]): LocalizedError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof LocalizedError, `expected ${key}, got ${String(caught)}`);
  assert.equal(caught.key, key);
  if (args) assert.deepEqual(caught.args, args);
  return caught;
}

describe('the agent\'s network settings at the pipeline edge', function () {
  it('is nothing when the agent has neither a proxy nor certificates', function () {
    assert.equal(networkSettingsFromAgent(null, null, noFiles), undefined);
    assert.equal(networkSettingsFromAgent({ proxyUrl: '' }, {}, noFiles), undefined);
  });

  it('reads the proxy URL, credentials and bypass list as task-lib reports them', function () {
    const settings = networkSettingsFromAgent(
      { proxyUrl: 'http://proxy.contoso.com:8888/', proxyUsername: 'CONTOSO\\agent', proxyPassword: 'pw', proxyBypassHosts: ['\\.contoso\\.com$', ''] },
      null,
      noFiles,
    );
    assert.deepEqual(settings, {
      proxy: { url: 'http://proxy.contoso.com:8888', username: 'CONTOSO\\agent', password: 'pw', bypass: ['\\.contoso\\.com$'] },
    });
  });

  it('takes host:port as an HTTP proxy and credentials in the URL when the agent has none of its own', function () {
    assert.deepEqual(networkSettingsFromAgent({ proxyUrl: 'proxy:3128' }, null, noFiles)?.proxy, { url: 'http://proxy:3128', bypass: [] });
    assert.deepEqual(networkSettingsFromAgent({ proxyUrl: 'https://me:s%40cret@proxy:3129' }, null, noFiles)?.proxy, {
      url: 'https://proxy:3129',
      username: 'me',
      password: 's@cret',
      bypass: [],
    });
  });

  it('refuses a proxy URL that is not http or https, without quoting credentials', function () {
    const error = rejectsWith(() => networkSettingsFromAgent({ proxyUrl: 'socks5://user:pw@proxy:1080' }, null, noFiles), 'AgentProxyUrlInvalid');
    assert.deepEqual(error.args, ['socks5://proxy:1080']);
    rejectsWith(() => networkSettingsFromAgent({ proxyUrl: 'http://user:pw@' }, null, noFiles), 'AgentProxyUrlInvalid', ['http://']);
  });

  it('refuses a bypass entry that is not a regular expression, naming it', function () {
    const error = rejectsWith(() => networkSettingsFromAgent({ proxyUrl: 'http://p:1', proxyBypassHosts: ['ok', '(unclosed'] }, null, noFiles), 'AgentProxyBypassInvalid');
    assert.equal(error.args[0], '(unclosed');
  });

  it('reads the CA file and the client certificate, with the passphrase only alongside a certificate', function () {
    const files: Record<string, string> = { '/etc/ca.pem': 'CA PEM', '/etc/client.pem': 'CERT PEM', '/etc/client.key': 'KEY PEM', '/etc/client.pfx': 'PFX' };
    const read = (p: string) => {
      if (!(p in files)) return noFiles(p);
      return Buffer.from(files[p]!);
    };
    assert.deepEqual(networkSettingsFromAgent(null, { caFile: '/etc/ca.pem', passphrase: 'ignored' }, read), { tls: { ca: 'CA PEM' } });
    assert.deepEqual(networkSettingsFromAgent(null, { certFile: '/etc/client.pem', keyFile: '/etc/client.key', passphrase: 'pp' }, read), {
      tls: { cert: 'CERT PEM', key: 'KEY PEM', passphrase: 'pp' },
    });
    assert.deepEqual(networkSettingsFromAgent(null, { certFile: '/etc/client.pem', certArchiveFile: '/etc/client.pfx', passphrase: 'pp' }, read), {
      tls: { pfx: Buffer.from('PFX'), passphrase: 'pp' },
    });
  });

  it('names the agent setting and the file when a certificate file cannot be read', function () {
    const error = rejectsWith(() => networkSettingsFromAgent(null, { caFile: '/missing/ca.pem' }, noFiles), 'AgentCertificateFileUnreadable');
    assert.deepEqual(error.args.slice(0, 2), ['Agent.CAInfo', '/missing/ca.pem']);
  });

  it('agrees with the agent stand-in: the variables it sets are the ones task-lib reads, the password as a secret', function () {
    const { variables, secretVariables } = agentNetworkVariables(
      { url: 'http://proxy:8888', username: 'agent', password: 'pw', bypass: ['localhost'] },
      { caFile: '/etc/ca.pem', clientCert: '/etc/c.pem', clientCertKey: '/etc/c.key', clientCertPassword: 'pp' },
    );
    const store = new VariableStore();
    for (const [name, value] of Object.entries(variables)) store.set(name, value);
    for (const [name, value] of Object.entries(secretVariables)) store.set(name, value, true);
    const env = variablesToEnvironment(store);
    // azure-pipelines-task-lib getHttpProxyConfiguration / getHttpCertConfiguration read these names.
    assert.equal(env['AGENT_PROXYURL'], 'http://proxy:8888');
    assert.equal(env['AGENT_PROXYUSERNAME'], 'agent');
    assert.equal(env['SECRET_AGENT_PROXYPASSWORD'], 'pw');
    assert.equal(env['AGENT_PROXYPASSWORD'], undefined);
    assert.deepEqual(JSON.parse(env['AGENT_PROXYBYPASSLIST']!), ['localhost']);
    assert.equal(env['AGENT_CAINFO'], '/etc/ca.pem');
    assert.equal(env['AGENT_CLIENTCERT'], '/etc/c.pem');
    assert.equal(env['AGENT_CLIENTCERTKEY'], '/etc/c.key');
    assert.equal(env['SECRET_AGENT_CLIENTCERTPASSWORD'], 'pp');
    assert.ok(JSON.parse(env['VSTS_SECRET_VARIABLES']!).includes('Agent.ProxyPassword'));
  });
});
