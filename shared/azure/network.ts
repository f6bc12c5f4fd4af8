/**
 * The agent's proxy and certificates, applied to every request of the task's
 * Azure clients (Entra ID, Resource Manager, Blob Storage, the Azure DevOps
 * ID token request) by one pipeline policy that picks each request's
 * connection.
 *
 * Why a policy of its own rather than the SDKs' `proxyOptions`:
 * - The SDK's proxy policy knows only NO_PROXY-style host names; the agent's
 *   bypass list holds regular expressions tested against the whole URL
 *   (azure-pipelines-task-lib's getHttpProxyConfiguration), so the choice is
 *   made here, per request.
 * - With a proxy the SDK drops a client's TLS settings (its proxy agent makes
 *   the target's TLS connection itself), so the agent's CA would be lost
 *   exactly where it is needed; here the proxy agent carries it.
 * - A proxy that refuses the connection or the credentials ends the request
 *   at once with an error that names the proxy, instead of retries of a bare
 *   ECONNREFUSED or an HTTP 407 the service never sent.
 *
 * The agent does not set NODE_EXTRA_CA_CERTS for tasks, so its CA file is
 * added to the TLS settings of every connection here, next to the system's
 * roots. A client certificate is offered on every TLS connection; servers that
 * do not ask for one (Azure's) ignore it.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import {
  type Agent,
  type Pipeline,
  type PipelinePolicy,
  type PipelineRequest,
} from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/core-auth';
import { LocalizedError } from '../core/localizedError';
import type { NetworkSettings, ProxySettings, TlsMaterial } from '../ports/networkSettings';

export const NETWORK_POLICY_NAME = 'agentNetworkPolicy';

/** A proxy that could not be used; names the proxy (never its credentials). */
export class ProxyError extends LocalizedError {
  override readonly name = 'ProxyError';

  constructor(
    key: 'ProxyUnreachable' | 'ProxyAuthenticationFailed',
    readonly proxyUrl: string,
    readonly reason: string,
  ) {
    super(key, [proxyUrl, reason]);
    this.message =
      key === 'ProxyUnreachable'
        ? `Could not connect through the agent's proxy ${proxyUrl} (${reason}).`
        : `The agent's proxy ${proxyUrl} refused the proxy credentials (${reason}).`;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** The ProxyError in an error or its causes (the identity library wraps what a request threw). */
export function proxyErrorIn(error: unknown): ProxyError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if (current instanceof ProxyError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Socket errors of a tunnelled request: the task connects only to the proxy, so they are about reaching it. */
const PROXY_CONNECT_FAILURES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** The proxy URL as it may be printed: scheme, host and port only. */
export function displayProxyUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return '(invalid proxy URL)';
  }
}

/** The system's trusted roots, with NODE_EXTRA_CA_CERTS where Node can list them (22.15+), plus the agent's CA. */
function trustedRoots(extraCa: string): string[] {
  const listing = (tls as { getCACertificates?: (kind: string) => string[] }).getCACertificates;
  const system = typeof listing === 'function' ? listing('default') : [...tls.rootCertificates];
  return [...system, extraCa];
}

function tlsOptionsOf(material: TlsMaterial | undefined): tls.ConnectionOptions {
  if (!material) return {};
  return {
    ...(material.ca ? { ca: trustedRoots(material.ca) } : {}),
    ...(material.cert ? { cert: material.cert } : {}),
    ...(material.key ? { key: material.key } : {}),
    ...(material.pfx ? { pfx: material.pfx } : {}),
    ...(material.passphrase ? { passphrase: material.passphrase } : {}),
  };
}

/** Error codes of a refused tunnel, mapped to ProxyError by the policy. */
const TUNNEL_AUTH_REQUIRED = 'PROXY_AUTHENTICATION_REQUIRED';
const TUNNEL_REFUSED = 'PROXY_TUNNEL_REFUSED';

type ConnectionCallback = (error: Error | null, socket?: Duplex) => void;

/**
 * Opens `CONNECT host:port` on the proxy and hands the tunnel to Node's
 * agent machinery, upgraded to TLS for https targets with the agent's CA and
 * client certificate, verified against the target's own name or address.
 * (The SDK's proxy agent verifies an IP target as "localhost" and takes no
 * TLS settings, hence this one.)
 */
function openTunnel(
  proxy: ProxySettings,
  secureTarget: boolean,
  options: tls.ConnectionOptions & { host?: string; port?: number | string },
  callback: ConnectionCallback,
): void {
  const proxyUrl = new URL(proxy.url);
  const host = options.host ?? 'localhost';
  const port = Number(options.port ?? (secureTarget ? 443 : 80));
  const authority = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  const headers: Record<string, string> = { host: authority };
  if (proxy.username || proxy.password) {
    headers['proxy-authorization'] = `Basic ${Buffer.from(`${proxy.username ?? ''}:${proxy.password ?? ''}`).toString('base64')}`;
  }
  const request = (proxyUrl.protocol === 'https:' ? https : http).request({
    host: proxyUrl.hostname.replace(/^\[|\]$/g, ''),
    port: Number(proxyUrl.port || (proxyUrl.protocol === 'https:' ? 443 : 80)),
    method: 'CONNECT',
    path: authority,
    headers,
    agent: false,
    // A TLS proxy is verified with the same trust as the targets.
    ...(proxyUrl.protocol === 'https:' && options.ca ? { ca: options.ca } : {}),
  });
  let settled = false;
  const settle = (error: Error | null, socket?: Duplex) => {
    if (settled) return;
    settled = true;
    callback(error, socket);
  };
  request.once('connect', (response, socket) => {
    if (response.statusCode !== 200) {
      socket.destroy();
      const refused = Object.assign(new Error(`HTTP ${response.statusCode} to CONNECT ${authority}`), {
        code: response.statusCode === 407 ? TUNNEL_AUTH_REQUIRED : TUNNEL_REFUSED,
      });
      settle(refused);
      return;
    }
    if (!secureTarget) {
      settle(null, socket);
      return;
    }
    const servername = net.isIP(host) ? undefined : (options.servername || host);
    settle(null, tls.connect({ ...options, host, socket, ...(servername ? { servername } : {}) }));
  });
  request.once('error', (error) => settle(error));
  request.end();
}

/** An https (or http) agent whose connections are tunnels through the proxy; keep-alive reuses them per target. */
function tunnelAgent(proxy: ProxySettings, secureTarget: boolean, tlsOptions: tls.ConnectionOptions): Agent {
  const AgentBase = secureTarget ? https.Agent : http.Agent;
  const agent = new AgentBase({ keepAlive: true, ...(secureTarget ? tlsOptions : {}) });
  // Node's agents accept an asynchronous createConnection(options, callback).
  (agent as unknown as { createConnection: (options: object, callback: ConnectionCallback) => undefined }).createConnection = (options, callback) => {
    openTunnel(proxy, secureTarget, options, callback);
    return undefined;
  };
  return agent;
}

/**
 * The connections of one run: a proxy agent per target scheme, direct agents
 * for bypassed hosts, all with the agent's TLS material.
 */
class AgentNetwork {
  private readonly bypass: RegExp[];
  private readonly tlsOptions: tls.ConnectionOptions;
  readonly displayUrl: string | undefined;
  private readonly proxyAgents = new Map<boolean, Agent>();
  private directHttps: https.Agent | undefined;
  private directHttp: http.Agent | undefined;
  /** The last proxy failure, for callers whose library swallows the request's error (MSAL). */
  lastFailure: ProxyError | undefined;

  constructor(private readonly settings: NetworkSettings) {
    this.bypass = (settings.proxy?.bypass ?? []).map((source) => new RegExp(source, 'i'));
    this.tlsOptions = tlsOptionsOf(settings.tls);
    this.displayUrl = settings.proxy ? displayProxyUrl(settings.proxy.url) : undefined;
  }

  /** True when the request goes through the proxy: there is one and no bypass entry matches the URL. */
  viaProxy(url: string): boolean {
    return this.settings.proxy !== undefined && !this.bypass.some((re) => re.test(url));
  }

  proxyAgent(secureTarget: boolean): Agent {
    let agent = this.proxyAgents.get(secureTarget);
    if (!agent) {
      agent = tunnelAgent(this.settings.proxy!, secureTarget, this.tlsOptions);
      this.proxyAgents.set(secureTarget, agent);
    }
    return agent;
  }

  directAgent(secureTarget: boolean): Agent {
    if (secureTarget) return (this.directHttps ??= new https.Agent({ keepAlive: true, ...this.tlsOptions }));
    return (this.directHttp ??= new http.Agent({ keepAlive: true }));
  }

  get hasTls(): boolean {
    return this.settings.tls !== undefined && Object.keys(this.tlsOptions).length > 0;
  }

  get hasProxy(): boolean {
    return this.settings.proxy !== undefined;
  }
}

const networks = new WeakMap<NetworkSettings, AgentNetwork>();

function networkOf(settings: NetworkSettings): AgentNetwork {
  let network = networks.get(settings);
  if (!network) {
    network = new AgentNetwork(settings);
    networks.set(settings, network);
  }
  return network;
}

/** True when the settings change anything about how requests connect. */
export function isNetworkConfigured(settings: NetworkSettings | undefined): settings is NetworkSettings {
  return settings !== undefined && (settings.proxy !== undefined || settings.tls !== undefined);
}

/**
 * The policy that connects each request as the agent's settings say. It must
 * run after the SDK's own proxy policy (which follows HTTPS_PROXY/NO_PROXY):
 * when the agent names a proxy, the agent's settings decide; when it names
 * none, an environment proxy the SDK chose is left alone.
 */
export function createNetworkPolicy(settings: NetworkSettings): PipelinePolicy {
  const network = networkOf(settings);
  return {
    name: NETWORK_POLICY_NAME,
    async sendRequest(request: PipelineRequest, next) {
      const secureTarget = request.url.toLowerCase().startsWith('https:');
      const proxied = network.viaProxy(request.url);
      if (proxied) request.agent = network.proxyAgent(secureTarget);
      else if (network.hasProxy) request.agent = network.directAgent(secureTarget);
      else if (!request.agent && secureTarget && network.hasTls) request.agent = network.directAgent(true);
      if (!proxied) return next(request);

      let response;
      try {
        response = await next(request);
      } catch (error) {
        const code = String((error as { code?: unknown }).code ?? '');
        const reason = (error as { message?: unknown }).message;
        if (code === TUNNEL_AUTH_REQUIRED) {
          throw (network.lastFailure = new ProxyError('ProxyAuthenticationFailed', network.displayUrl!, 'HTTP 407 Proxy Authentication Required'));
        }
        if (code === TUNNEL_REFUSED) throw (network.lastFailure = new ProxyError('ProxyUnreachable', network.displayUrl!, String(reason)));
        if (PROXY_CONNECT_FAILURES.has(code)) throw (network.lastFailure = new ProxyError('ProxyUnreachable', network.displayUrl!, code));
        throw error;
      }
      return response;
    },
  };
}

/**
 * A credential whose failures name the proxy when the proxy was why: MSAL
 * turns a failed request into its own error codes (endpoints_resolution_error,
 * network_error) and drops what the request threw.
 */
export function surfacingProxyFailures(credential: TokenCredential, settings: NetworkSettings | undefined): TokenCredential {
  if (!settings?.proxy) return credential;
  const network = networkOf(settings);
  return {
    async getToken(scopes, options) {
      network.lastFailure = undefined;
      try {
        return await credential.getToken(scopes, options);
      } catch (error) {
        throw proxyErrorIn(error) ?? network.lastFailure ?? error;
      }
    },
  };
}

/** Adds the network policy to a client's pipeline, after its retry phase so every try is connected alike. */
export function applyNetworkSettings(pipeline: Pipeline, settings: NetworkSettings | undefined): void {
  if (!isNetworkConfigured(settings)) return;
  pipeline.removePolicy({ name: NETWORK_POLICY_NAME });
  pipeline.addPolicy(createNetworkPolicy(settings), { afterPhase: 'Retry' });
}

/** The same policy for clients built from options (the identity credentials): per retry, after the SDK's proxy policy. */
export function networkClientOptions(settings: NetworkSettings | undefined): {
  additionalPolicies?: Array<{ policy: PipelinePolicy; position: 'perRetry' }>;
} {
  if (!isNetworkConfigured(settings)) return {};
  return { additionalPolicies: [{ policy: createNetworkPolicy(settings), position: 'perRetry' }] };
}
