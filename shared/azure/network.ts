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
import {
  createHttpHeaders,
  createPipelineRequest,
  proxyPolicy,
  type Agent,
  type Pipeline,
  type PipelinePolicy,
  type PipelineRequest,
} from '@azure/core-rest-pipeline';
import { LocalizedError } from '../host/localizedError';
import type { NetworkSettings, ProxySettings, TlsMaterial } from './networkSettings';

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
        ? `Could not connect to the agent's proxy ${proxyUrl} (${reason}).`
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

/** Socket errors that, with the request sent to the proxy, can only be about reaching the proxy itself. */
const PROXY_CONNECT_FAILURES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPROTO',
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

/** The proxy URL the SDK's proxy agents take: credentials in it, percent-encoded by URL. */
function proxyUrlWithCredentials(proxy: ProxySettings): URL {
  const url = new URL(proxy.url);
  url.username = '';
  url.password = '';
  if (proxy.username) url.username = proxy.username;
  if (proxy.password) url.password = proxy.password;
  return url;
}

/**
 * The SDK's own proxy agents (https-proxy-agent, http-proxy-agent, pinned by
 * @azure/core-rest-pipeline), taken from its proxy policy rather than imported
 * directly, so the task depends on nothing the SDK does not already bring.
 */
async function sdkProxyAgent(proxyUrl: URL, secureTarget: boolean): Promise<Agent> {
  const policy = proxyPolicy(
    {
      host: `${proxyUrl.protocol}//${proxyUrl.hostname}`,
      port: Number(proxyUrl.port || (proxyUrl.protocol === 'https:' ? 443 : 80)),
      username: decodeURIComponent(proxyUrl.username),
      password: decodeURIComponent(proxyUrl.password),
    },
    { customNoProxyList: [] },
  );
  let agent: Agent | undefined;
  const probe = createPipelineRequest({ url: secureTarget ? 'https://proxy-probe.invalid/' : 'http://proxy-probe.invalid/' });
  await policy.sendRequest(probe, async (request) => {
    agent = request.agent;
    return { request, status: 200, headers: createHttpHeaders() };
  });
  if (!agent) throw new Error('@azure/core-rest-pipeline no longer sets a proxy agent on requests; the agent proxy cannot be applied');
  return agent;
}

/**
 * The connections of one run: a proxy agent per target scheme, direct agents
 * for bypassed hosts, all with the agent's TLS material.
 */
class AgentNetwork {
  private readonly bypass: RegExp[];
  private readonly tlsOptions: tls.ConnectionOptions;
  private readonly proxyUrl: URL | undefined;
  readonly displayUrl: string | undefined;
  private readonly proxyAgents = new Map<boolean, Promise<Agent>>();
  private directHttps: https.Agent | undefined;
  private directHttp: http.Agent | undefined;

  constructor(private readonly settings: NetworkSettings) {
    this.bypass = (settings.proxy?.bypass ?? []).map((source) => new RegExp(source, 'i'));
    this.tlsOptions = tlsOptionsOf(settings.tls);
    this.proxyUrl = settings.proxy ? proxyUrlWithCredentials(settings.proxy) : undefined;
    this.displayUrl = settings.proxy ? displayProxyUrl(settings.proxy.url) : undefined;
  }

  /** True when the request goes through the proxy: there is one and no bypass entry matches the URL. */
  viaProxy(url: string): boolean {
    return this.proxyUrl !== undefined && !this.bypass.some((re) => re.test(url));
  }

  async proxyAgent(secureTarget: boolean): Promise<Agent> {
    let agent = this.proxyAgents.get(secureTarget);
    if (!agent) {
      agent = sdkProxyAgent(this.proxyUrl!, secureTarget).then((made) => {
        // Node merges an agent's `options` into each request's, and the proxy
        // agent opens the target's TLS connection with them: so the agent's CA
        // and client certificate reach the tunnelled connection.
        if (secureTarget) Object.assign((made as unknown as { options: object }).options, this.tlsOptions);
        return made;
      });
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
    return this.proxyUrl !== undefined;
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
      if (proxied) request.agent = await network.proxyAgent(secureTarget);
      else if (network.hasProxy) request.agent = network.directAgent(secureTarget);
      else if (!request.agent && secureTarget && network.hasTls) request.agent = network.directAgent(true);
      if (!proxied) return next(request);

      let response;
      try {
        response = await next(request);
      } catch (error) {
        const code = String((error as { code?: unknown }).code ?? '');
        if (PROXY_CONNECT_FAILURES.has(code)) throw new ProxyError('ProxyUnreachable', network.displayUrl!, code);
        throw error;
      }
      if (response.status === 407) throw new ProxyError('ProxyAuthenticationFailed', network.displayUrl!, 'HTTP 407 Proxy Authentication Required');
      return response;
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
