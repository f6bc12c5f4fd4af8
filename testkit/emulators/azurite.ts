/**
 * Starts the real storage emulator (Azurite, blob service only) over HTTPS with
 * the test certificate and OAuth checks on, so storage clients meet the same
 * protocol they meet in production: shared key, SAS and bearer tokens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../repoRoot';
import { registerChild, stopChild } from './processes';
import { getTestTls } from './tls';

export interface StorageAccount {
  name: string;
  /** Base64 account key, as Azure hands it out from listKeys. */
  key: string;
}

export interface AzuriteHandle {
  /** Blob endpoint of an account, path style: https://127.0.0.1:<port>/<account> */
  url(account: string): string;
  readonly port: number;
  readonly accounts: readonly StorageAccount[];
  /** Where the user's build artifacts are uploaded. */
  readonly userAccount: StorageAccount;
  /** Where the service writes build logs (the staging resource group's account). */
  readonly stagingAccount: StorageAccount;
  readonly pid: number;
  /** Stops the process and removes its data; safe to call more than once. */
  stop(): Promise<void>;
}

export interface StartAzuriteOptions {
  /** Account name -> base64 key. The first is the user account, the second the staging account. */
  accounts?: Record<string, string>;
  /** How long to wait for Azurite to listen. */
  startTimeoutMs?: number;
}

export const DEFAULT_USER_ACCOUNT = 'ibartifacts';
export const DEFAULT_STAGING_ACCOUNT = 'ibstaging';

const LISTENING = /successfully listens on (https?:\/\/\S+)/;

export function generateAccountKey(): string {
  return randomBytes(64).toString('base64');
}

function azuriteEntry(): string {
  return path.join(repoRoot, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');
}

export async function startAzurite(opts: StartAzuriteOptions = {}): Promise<AzuriteHandle> {
  const accountMap = opts.accounts ?? {
    [DEFAULT_USER_ACCOUNT]: generateAccountKey(),
    [DEFAULT_STAGING_ACCOUNT]: generateAccountKey(),
  };
  const accounts = Object.entries(accountMap).map(([name, key]) => ({ name, key }));
  if (accounts.length === 0) throw new Error('startAzurite: accounts must name at least one account');
  for (const a of accounts) {
    if (!/^[a-z0-9]{3,24}$/.test(a.name)) throw new Error(`startAzurite: account name "${a.name}" is not a valid storage account name (3-24 lowercase letters and digits)`);
  }
  const tls = getTestTls();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-azurite-'));
  const args = [
    azuriteEntry(),
    '--blobHost', '127.0.0.1',
    '--blobPort', '0',
    '--location', dataDir,
    '--cert', tls.certPath,
    '--key', tls.keyPath,
    '--oauth', 'basic',
    '--disableTelemetry',
    '--silent',
  ];
  const child = spawn(process.execPath, args, {
    cwd: dataDir,
    // Not detached: Azurite stays in the test run's process group, so the wrapper can stop it if we cannot.
    env: { ...process.env, AZURITE_ACCOUNTS: accounts.map((a) => `${a.name}:${a.key}`).join(';') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  registerChild(child, 'azurite', () => fs.rmSync(dataDir, { recursive: true, force: true }));
  // A test that forgets stop() must not keep the test process alive forever: unreferenced, the
  // child lets the process end, and the registry's exit hook then kills it.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();

  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopChild(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  let baseUrl: string;
  try {
    baseUrl = await waitForListening(child, () => output, opts.startTimeoutMs ?? 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const port = Number(new URL(baseUrl).port);
  const [userAccount, stagingAccount = userAccount] = accounts as [StorageAccount, ...StorageAccount[]];
  return {
    url: (account: string) => `https://127.0.0.1:${port}/${account}`,
    port,
    accounts,
    userAccount,
    stagingAccount,
    pid: child.pid as number,
    stop,
  };
}

function waitForListening(child: ChildProcess, output: () => string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`Azurite did not start listening within ${timeoutMs} ms. Output:\n${output()}`)), timeoutMs);
    const onData = () => {
      const m = LISTENING.exec(output());
      if (m) finish(undefined, m[1]);
    };
    const onExit = (code: number | null, signal: string | null) =>
      finish(new Error(`Azurite exited before listening (code ${code}, signal ${signal}). Output:\n${output()}`));
    const finish = (err?: Error, url?: string) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(url as string);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}
