/**
 * How the agent reaches the network: its proxy and its certificates, as the
 * pipeline edge read them from the agent (Agent.ProxyUrl, Agent.CAInfo, ...).
 * A plain value: the edge fills it, the Azure adapters (network.ts) apply it
 * to every client, so no library code reads the agent's variables itself.
 */
export interface ProxySettings {
  /** The proxy's URL without credentials, e.g. `http://proxy.contoso.com:8888`; safe to print. */
  url: string;
  username?: string;
  password?: string;
  /**
   * The agent's bypass list: regular expressions, each tested (case-insensitive)
   * against a request's whole URL, as azure-pipelines-task-lib does. A request
   * whose URL matches one goes straight to its host.
   */
  bypass: readonly string[];
}

/** Certificate material the agent is configured with, read from its files. */
export interface TlsMaterial {
  /** PEM of the CA certificate(s) the agent trusts besides the system's (Agent.CAInfo). */
  ca?: string;
  /** Client certificate and key (PEM, Agent.ClientCert / Agent.ClientCertKey). */
  cert?: string;
  key?: string;
  /** Client certificate archive (PKCS#12, Agent.ClientCertArchive). */
  pfx?: Buffer;
  /** Passphrase of the key or the archive (Agent.ClientCertPassword). */
  passphrase?: string;
}

export interface NetworkSettings {
  proxy?: ProxySettings;
  tls?: TlsMaterial;
}

/** Values of the settings that must never appear in a log. */
export function networkSecretsOf(settings: NetworkSettings | undefined): string[] {
  return [settings?.proxy?.password, settings?.tls?.passphrase].filter((v): v is string => typeof v === 'string' && v !== '');
}
