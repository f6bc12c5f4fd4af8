/**
 * A throwaway certificate authority and a localhost certificate it signs, for
 * the stand-ins' HTTPS: made by the test wrapper (scripts/runTests.ts) before
 * mocha starts and by `npm start` (scripts/start.ts). testkit/emulators/tls.ts
 * reads them back in the test processes.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const LEAF_EXTENSIONS = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature,keyEncipherment',
  'extendedKeyUsage=serverAuth',
  'subjectAltName=DNS:localhost,IP:127.0.0.1',
].join('\n');

export interface TestTlsFiles {
  dir: string;
  caPath: string;
  certPath: string;
  keyPath: string;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed while making the test certificate: ${stderr || String(err)}`);
  }
}

/** Makes ca.pem, cert.pem and key.pem (a localhost / 127.0.0.1 leaf signed by a fresh CA) in dir. */
export function makeTestCertificates(dir: string): TestTlsFiles {
  const files: TestTlsFiles = {
    dir,
    caPath: path.join(dir, 'ca.pem'),
    certPath: path.join(dir, 'cert.pem'),
    keyPath: path.join(dir, 'key.pem'),
  };
  openssl(
    [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
      '-subj', '/CN=Image Builder test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'leaf.csr', '-subj', '/CN=localhost'], dir);
  fs.writeFileSync(path.join(dir, 'leaf.ext'), LEAF_EXTENSIONS);
  openssl(
    [
      'x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', 'cert.pem', '-days', '2', '-sha256', '-extfile', 'leaf.ext',
    ],
    dir,
  );
  // The CA key signs nothing else; removing it means a leaked ca.pem trusts only this one leaf.
  for (const f of ['ca.key', 'leaf.csr', 'leaf.ext', 'ca.srl']) fs.rmSync(path.join(dir, f), { force: true });
  return files;
}
