import * as assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { isPidAlive } from '../../testkit/emulators/processes';
import { getTestTls } from '../../testkit/emulators/tls';
import { repoRoot } from '../../testkit/repoRoot';

const wrapper = path.join(repoRoot, 'build', 'scripts', 'runTests.js');

describe('test TLS and the test wrapper', function () {
  it('gives a CA-signed certificate for localhost and 127.0.0.1, trusted through NODE_EXTRA_CA_CERTS', async function () {
    const tls = getTestTls();
    assert.equal(process.env.NODE_EXTRA_CA_CERTS, tls.caPath);
    const ca = new X509Certificate(tls.ca);
    const leaf = new X509Certificate(tls.cert);
    assert.equal(ca.ca, true);
    assert.equal(leaf.ca, false);
    assert.ok(leaf.verify(ca.publicKey), 'the leaf is signed by the CA');
    assert.ok(leaf.checkHost('localhost'));
    assert.ok(leaf.checkIP('127.0.0.1'));
    assert.equal(leaf.checkHost('example.com'), undefined);
    assert.equal(fs.existsSync(path.join(tls.dir, 'ca.key')), false, 'the CA key is not left behind');

    const server = https.createServer({ cert: tls.cert, key: tls.key }, (_req, res) => res.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      assert.equal(await (await fetch(`https://127.0.0.1:${port}/`)).text(), 'hello');
      assert.equal(await (await fetch(`https://localhost:${port}/`)).text(), 'hello');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('tells to run through the wrapper when IB_TEST_TLS_DIR is missing', function () {
    const env = { ...process.env };
    delete env.IB_TEST_TLS_DIR;
    const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(require.resolve('../../testkit/emulators/tls'))}).getTestTls()`], { env, encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /IB_TEST_TLS_DIR is not set.*build\/scripts\/runTests\.js/s);
  });

  describe('cleanup after the run', function () {
    let dir: string;
    beforeEach(function () {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-wrapper-test-'));
    });
    afterEach(function () {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    /** A spec that starts a long-lived process (as an emulator would), records what it saw, then ends as told. */
    function writeSpec(ending: string): string {
      const spec = path.join(dir, 'fixture.spec.js');
      fs.writeFileSync(
        spec,
        `const { spawn } = require('node:child_process');
         const fs = require('node:fs');
         it('leaves a process behind', function () {
           const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
           fs.writeFileSync(${JSON.stringify(path.join(dir, 'seen.json'))}, JSON.stringify({
             pid: child.pid, tlsDir: process.env.IB_TEST_TLS_DIR, extraCa: process.env.NODE_EXTRA_CA_CERTS,
             caExists: fs.existsSync(process.env.NODE_EXTRA_CA_CERTS) }));
           ${ending}
         });`,
      );
      return spec;
    }

    function runWrapper(spec: string): Promise<{ code: number; stdout: string; stderr: string }> {
      return new Promise((resolve) => {
        // This test may itself run in a mocha worker: its worker id must not leak into the run it starts.
        const env = { ...process.env };
        delete env['MOCHA_WORKER_ID'];
        execFile(process.execPath, [wrapper, spec], { cwd: repoRoot, env, timeout: 60_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    }

    const seen = () => JSON.parse(fs.readFileSync(path.join(dir, 'seen.json'), 'utf8')) as { pid: number; tlsDir: string; extraCa: string; caExists: boolean };

    it('stops what a failing test left running, removes the certificate and passes on the failure', async function () {
      const result = await runWrapper(writeSpec("child.unref(); throw new Error('boom');"));
      assert.equal(result.code, 1, result.stdout + result.stderr);
      const s = seen();
      assert.equal(s.caExists, true);
      assert.equal(s.extraCa, path.join(s.tlsDir, 'ca.pem'));
      assert.equal(isPidAlive(s.pid), false, 'the leftover process was stopped');
      assert.equal(fs.existsSync(s.tlsDir), false);
      assert.match(result.stderr, new RegExp(`stopped 1 process\\(es\\) left running by the tests: ${s.pid}`));
    });

    it('stops what is left when mocha itself dies, and reports the signal', async function () {
      // With --parallel the spec runs in a worker (MOCHA_WORKER_ID set), a child of mocha's main process.
      const result = await runWrapper(writeSpec("process.kill(process.env.MOCHA_WORKER_ID === undefined ? process.pid : process.ppid, 'SIGKILL');"));
      assert.equal(result.code, 128 + os.constants.signals.SIGKILL);
      assert.match(result.stderr, /mocha ended by SIGKILL/);
      assert.equal(isPidAlive(seen().pid), false);
    });

    it('runs only the files named, not the configured spec as well', async function () {
      const result = await runWrapper(writeSpec('child.unref(); child.kill();'));
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /1 passing/);
    });
  });
});
