import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const MiB = 1024 * 1024;
/**
 * Well under the input (~130 MB): an archive or a file held in memory would
 * need all of it, while streaming needs buffers of a fixed size (measured:
 * about 60 MiB for tar.gz with its gzip workers, 30 MiB for zip).
 */
const BOUND = 100 * MiB;

/** ~130 MB that does not compress: big random files plus a thousand small ones. */
function makeLargeTree(root: string): number {
  let total = 0;
  const chunk = Buffer.alloc(4 * MiB);
  for (let f = 0; f < 3; f++) {
    const fd = fs.openSync(path.join(root, `big-${f}.bin`), 'w');
    for (let i = 0; i < 10; i++) {
      randomFillSync(chunk);
      fs.writeSync(fd, chunk);
      total += chunk.length;
    }
    fs.closeSync(fd);
  }
  for (let d = 0; d < 10; d++) {
    const dir = path.join(root, `small-${d}`);
    fs.mkdirSync(dir);
    for (let i = 0; i < 100; i++) {
      const data = randomFillSync(Buffer.alloc(10 * 1024));
      fs.writeFileSync(path.join(dir, `f${i}.dat`), data);
      total += data.length;
    }
  }
  return total;
}

describe('packDirectory memory', function () {
  this.timeout(300_000);
  let work: string;
  let inputBytes: number;

  before(function () {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-packmem-'));
    inputBytes = makeLargeTree(work);
  });
  after(function () {
    fs.rmSync(work, { recursive: true, force: true });
  });

  for (const format of ['tar.gz', 'zip'] as const) {
    it(`stays flat while packing ~130 MB of incompressible data as ${format}`, async function () {
      const child = path.join(__dirname, 'fixtures', 'packMemory.js');
      const { stdout } = await promisify(execFile)(process.execPath, [child, work, format], { maxBuffer: MiB });
      const result = JSON.parse(stdout) as { baselineRss: number; peakRss: number; sizeBytes: number };
      // The archive really holds the input: random data does not shrink.
      assert.ok(inputBytes > BOUND * 1.25, 'the input is well over the bound');
      assert.ok(result.sizeBytes > inputBytes, `archive ${result.sizeBytes} bytes for ${inputBytes} input bytes`);
      const growth = result.peakRss - result.baselineRss;
      assert.ok(growth < BOUND, `peak RSS grew by ${(growth / MiB).toFixed(1)} MiB while packing (bound ${BOUND / MiB} MiB)`);
    });
  }
});
