/**
 * What the build VM does with a customizer URL: fetch it with the SAS in the
 * URL, or, when the URL carries no SAS, with a bearer token of the template
 * identity (as the VM's managed identity would). Only local hosts are ever
 * contacted, so a template naming a public URL fails like an unreachable
 * host instead of making a test touch the internet.
 */
import { createHash } from 'node:crypto';

export interface FetchedArtifact {
  auth: 'sas' | 'bearer' | 'anonymous';
  status: number;
  data: Buffer;
  sha256: string;
}

/** Storage service version the VM's blob download uses on identity access. */
const STORAGE_VERSION = '2021-08-06';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export const hasSas = (url: URL): boolean => url.searchParams.has('sig');

export const withoutQuery = (url: string): string => {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url.split('?')[0] ?? url;
  }
};

export class ArtifactFetchError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export async function fetchArtifact(rawUrl: string, storageToken: () => Promise<string>, signal?: AbortSignal): Promise<FetchedArtifact> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new ArtifactFetchError(`invalid URL '${rawUrl}'`, 0);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ArtifactFetchError(`unsupported scheme '${url.protocol}'`, 0);
  if (!LOCAL_HOSTS.has(url.hostname)) {
    throw new ArtifactFetchError(`dial tcp: lookup ${url.hostname}: no such host`, 0);
  }
  const headers: Record<string, string> = {};
  let auth: FetchedArtifact['auth'] = 'anonymous';
  if (hasSas(url)) {
    auth = 'sas';
  } else {
    auth = 'bearer';
    headers.authorization = `Bearer ${await storageToken()}`;
    headers['x-ms-version'] = STORAGE_VERSION;
  }
  let res: Response;
  try {
    res = await fetch(url, { headers, ...(signal ? { signal } : {}) });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new ArtifactFetchError(`${(err as Error).message}${cause ? `: ${cause}` : ''}`, 0);
  }
  const data = Buffer.from(await res.arrayBuffer());
  if (!res.ok) throw new ArtifactFetchError(`server returned ${res.status} ${res.statusText}`, res.status);
  return { auth, status: res.status, data, sha256: createHash('sha256').update(data).digest('hex') };
}
