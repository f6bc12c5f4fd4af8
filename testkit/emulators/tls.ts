import * as fs from 'node:fs';
import * as path from 'node:path';

/** The throwaway CA and localhost certificate made by the test wrapper (build/scripts/runTests.js). */
export interface TestTls {
  dir: string;
  caPath: string;
  certPath: string;
  keyPath: string;
  ca: string;
  cert: string;
  key: string;
}

let cached: TestTls | undefined;

export function getTestTls(): TestTls {
  if (cached) return cached;
  const dir = process.env.IB_TEST_TLS_DIR;
  if (!dir) {
    throw new Error(
      'IB_TEST_TLS_DIR is not set: tests that serve HTTPS need the test certificate. ' +
        "Run them through the wrapper, e.g. `node build/scripts/runTests.js 'build/test/**/*.test.js'` (or `npm test`).",
    );
  }
  const caPath = path.join(dir, 'ca.pem');
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  const read = (p: string) => {
    try {
      return fs.readFileSync(p, 'utf8');
    } catch (err) {
      throw new Error(`IB_TEST_TLS_DIR=${dir} has no readable ${path.basename(p)} (${(err as Error).message}); run the tests through build/scripts/runTests.js`);
    }
  };
  cached = { dir, caPath, certPath, keyPath, ca: read(caPath), cert: read(certPath), key: read(keyPath) };
  return cached;
}
