/**
 * Azurite for the benchmarks, over HTTPS with a throwaway certificate made the
 * way the test wrapper makes it: the task talks to Azure Storage over HTTPS,
 * so the client-side TLS cost belongs in the figures.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeTestCertificates, type TestTlsFiles } from '../testkit/certificates';
import { startAzurite, type AzuriteHandle } from '../testkit/emulators/azurite';

export interface BenchStorage {
  azurite: AzuriteHandle;
  tls: TestTlsFiles;
  /** Environment for child processes that talk to Azurite: NODE_EXTRA_CA_CERTS set to the CA. */
  childEnv: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** Makes the certificate (once per bench run) and points the emulator helpers at it. */
export function benchTls(): TestTlsFiles {
  const existing = process.env.IB_TEST_TLS_DIR;
  if (existing && fs.existsSync(path.join(existing, 'ca.pem'))) {
    return { dir: existing, caPath: path.join(existing, 'ca.pem'), certPath: path.join(existing, 'cert.pem'), keyPath: path.join(existing, 'key.pem') };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-bench-tls-'));
  const tls = makeTestCertificates(dir);
  process.env.IB_TEST_TLS_DIR = dir;
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return tls;
}

export async function startBenchStorage(): Promise<BenchStorage> {
  const tls = benchTls();
  const azurite = await startAzurite();
  return {
    azurite,
    tls,
    childEnv: { ...process.env, IB_TEST_TLS_DIR: tls.dir, NODE_EXTRA_CA_CERTS: tls.caPath },
    async stop() {
      // azurite.stop() waits for the exit on an unref'd timer; outside mocha nothing else keeps
      // the event loop alive, and the process would end mid-await without writing its results.
      const keepAlive = setInterval(() => undefined, 1000);
      try {
        await azurite.stop();
      } finally {
        clearInterval(keepAlive);
      }
    },
  };
}
