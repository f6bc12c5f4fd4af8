/**
 * The agent's proxy and certificate settings, as azure-pipelines-task-lib
 * reports them (getHttpProxyConfiguration, getHttpCertConfiguration), turned
 * into the NetworkSettings the Azure adapters apply. Part of the pipeline
 * edge, but without task-lib itself: taskLibHost.ts passes the values in.
 * Bad settings are reported here, before any request, naming the agent
 * setting; no message quotes the proxy password.
 */
import type { NetworkSettings, ProxySettings, TlsMaterial } from '../ports/networkSettings';
import { LocalizedError } from '../core/localizedError';

/** task-lib's ProxyConfiguration (Agent.ProxyUrl, Agent.ProxyUsername, Agent.ProxyPassword, Agent.ProxyBypassList). */
export interface AgentProxyValues {
  proxyUrl?: string;
  proxyUsername?: string;
  proxyPassword?: string;
  proxyBypassHosts?: unknown;
}

/** task-lib's CertConfiguration (Agent.CAInfo, Agent.ClientCert, Agent.ClientCertKey, Agent.ClientCertArchive, Agent.ClientCertPassword). */
export interface AgentCertValues {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  certArchiveFile?: string;
  passphrase?: string;
}

/** The URL with anything before an `@` in its authority removed, for messages about a URL that does not parse. */
function withoutUserInfo(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@/i, '$1');
}

function proxySettingsOf(values: AgentProxyValues): ProxySettings {
  const raw = (values.proxyUrl ?? '').trim();
  // The agent's configuration accepts `host:port`; like the agent, that means an HTTP proxy.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new LocalizedError('AgentProxyUrlInvalid', [withoutUserInfo(raw)]);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    throw new LocalizedError('AgentProxyUrlInvalid', [withoutUserInfo(raw)]);
  }
  // Credentials in the URL count when the agent has none of its own.
  const username = values.proxyUsername || decodeURIComponent(url.username) || undefined;
  const password = values.proxyPassword || decodeURIComponent(url.password) || undefined;
  url.username = '';
  url.password = '';

  const bypassHosts = values.proxyBypassHosts ?? [];
  if (!Array.isArray(bypassHosts)) throw new LocalizedError('AgentProxyBypassInvalid', [String(bypassHosts), 'not a list']);
  const bypass: string[] = [];
  for (const entry of bypassHosts) {
    if (typeof entry !== 'string' || entry.trim() === '') continue;
    try {
      new RegExp(entry, 'i');
    } catch (error) {
      throw new LocalizedError('AgentProxyBypassInvalid', [entry, (error as Error).message]);
    }
    bypass.push(entry);
  }
  return {
    url: `${url.protocol}//${url.host}`,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    bypass,
  };
}

function tlsMaterialOf(values: AgentCertValues, readFile: (path: string) => Buffer): TlsMaterial | undefined {
  const read = (setting: string, path: string): Buffer => {
    try {
      return readFile(path);
    } catch (error) {
      throw new LocalizedError('AgentCertificateFileUnreadable', [setting, path, (error as Error).message]);
    }
  };
  const material: TlsMaterial = {};
  if (values.caFile) material.ca = read('Agent.CAInfo', values.caFile).toString('utf8');
  if (values.certArchiveFile) {
    material.pfx = read('Agent.ClientCertArchive', values.certArchiveFile);
  } else if (values.certFile) {
    material.cert = read('Agent.ClientCert', values.certFile).toString('utf8');
    if (values.keyFile) material.key = read('Agent.ClientCertKey', values.keyFile).toString('utf8');
  }
  if ((material.pfx || material.cert) && values.passphrase) material.passphrase = values.passphrase;
  return Object.keys(material).length > 0 ? material : undefined;
}

/** NetworkSettings from the agent's values; undefined when the agent sets neither a proxy nor certificates. */
export function networkSettingsFromAgent(
  proxy: AgentProxyValues | null | undefined,
  cert: AgentCertValues | null | undefined,
  readFile: (path: string) => Buffer,
): NetworkSettings | undefined {
  const settings: NetworkSettings = {};
  if (proxy?.proxyUrl && proxy.proxyUrl.trim() !== '') settings.proxy = proxySettingsOf(proxy);
  const tls = cert ? tlsMaterialOf(cert, readFile) : undefined;
  if (tls) settings.tls = tls;
  return settings.proxy || settings.tls ? settings : undefined;
}
