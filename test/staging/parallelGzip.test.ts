import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createCipheriv } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { compressMember, createParallelGzip, looksIncompressible, SEGMENT_BYTES, STORE_ENTROPY_BITS } from '../../shared/staging/parallelGzip';
import { packDirectory } from '../../shared/staging/pack';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Deterministic bytes that do not compress. */
function randomBytes(n: number, label = 'r'): Buffer {
  const key = createHash('sha256').update(label).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(n));
}

/** Source-like text: words and numbers picked by a seeded generator, so it compresses about as well as code (to ~25 %). */
function text(n: number, seed = 1): Buffer {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'value', 'return', 'const', 'function', 'result', 'options', 'stream', 'await'];
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  let out = '';
  while (out.length < n) out += `${words[Math.floor(next() * words.length)]} ${Math.floor(next() * 10000)}${next() < 0.1 ? '\n' : ' '}`;
  return Buffer.from(out).subarray(0, n);
}

async function gzipOf(input: Buffer, options: Parameters<typeof createParallelGzip>[0], pieceBytes = 300 * KiB): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let at = 0; at < input.length; at += pieceBytes) pieces.push(input.subarray(at, at + pieceBytes));
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(pieces),
    createParallelGzip(options),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk);
        callback();
      },
    }),
  );
  return Buffer.concat(out);
}

/**
 * Members in a gzip file. zlib's gunzip reads through all members, so each is
 * walked by hand: a 10-byte header (zlib writes no optional fields), the
 * deflate data (inflateRaw stops at its end and says how much it read), and
 * an 8-byte trailer.
 */
function memberCount(gz: Buffer): number {
  let count = 0;
  for (let at = 0; at < gz.length; count++) {
    assert.deepEqual([...gz.subarray(at, at + 4)], [0x1f, 0x8b, 8, 0], `no plain gzip member header at offset ${at}`);
    const { engine } = zlib.inflateRawSync(gz.subarray(at + 10), { info: true }) as unknown as { engine: { bytesWritten: number } };
    at += 10 + engine.bytesWritten + 8;
  }
  return count;
}

describe('parallel gzip', function () {
  this.timeout(60_000);
  let work: string;

  before(function () {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-pgzip-'));
  });
  after(function () {
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('writes several members that gzip -t, gunzip and zlib read back as the original bytes', async function () {
    const input = Buffer.concat([text(3 * MiB), randomBytes(3 * MiB), text(MiB + 12345)]);
    const gz = await gzipOf(input, { workers: 2 });
    assert.ok(memberCount(gz) >= 5, `expected several members, found ${memberCount(gz)}`);

    const file = path.join(work, 'mixed.gz');
    fs.writeFileSync(file, gz);
    execFileSync('gzip', ['-t', file]);
    assert.ok(execFileSync('gzip', ['-dc', file], { maxBuffer: 64 * MiB }).equals(input), 'gzip -dc output differs from the input');
    assert.ok(zlib.gunzipSync(gz).equals(input), 'zlib.gunzipSync output differs from the input');
  });

  it('makes a tar.gz that tar -xzf extracts with every file intact', async function () {
    const source = path.join(work, 'tree');
    fs.mkdirSync(path.join(source, 'bin'), { recursive: true });
    fs.mkdirSync(path.join(source, 'src', 'deep'), { recursive: true });
    fs.writeFileSync(path.join(source, 'bin', 'payload.bin'), randomBytes(5 * MiB + 7));
    fs.writeFileSync(path.join(source, 'bin', 'logs.txt'), text(4 * MiB));
    for (let i = 0; i < 200; i++) fs.writeFileSync(path.join(source, 'src', 'deep', `f${i}.cs`), text(1000 + i * 37));
    const archive = path.join(work, 'tree.tar.gz');
    await pipeline(packDirectory(source, 'tar.gz'), fs.createWriteStream(archive));

    const gz = fs.readFileSync(archive);
    assert.ok(memberCount(gz) > 1, 'the archive should consist of several gzip members');
    execFileSync('gzip', ['-t', archive]);
    const out = path.join(work, 'out');
    fs.mkdirSync(out);
    execFileSync('tar', ['-xzf', archive, '-C', out]);
    for (const rel of ['bin/payload.bin', 'bin/logs.txt', 'src/deep/f0.cs', 'src/deep/f199.cs']) {
      assert.ok(fs.readFileSync(path.join(out, rel)).equals(fs.readFileSync(path.join(source, rel))), `${rel} differs after extraction`);
    }
    assert.equal(fs.readdirSync(path.join(out, 'src', 'deep')).length, 200);
  });

  it('does not grow random data, and deflates text within 2 % of gzip -6', async function () {
    const random = randomBytes(4 * MiB);
    const stored = await gzipOf(random, { workers: 1 });
    // Stored blocks cost 5 bytes per block of up to 64 KiB, plus 18 bytes per member.
    assert.ok(stored.length < random.length * 1.001, `random data grew to ${stored.length} bytes`);
    assert.ok(zlib.gunzipSync(stored).equals(random));

    const words = text(4 * MiB);
    const ours = await gzipOf(words, { workers: 2 });
    const reference = zlib.gzipSync(words, { level: 6 });
    assert.ok(ours.length <= reference.length * 1.02, `text packed to ${ours.length} bytes, gzip -6 makes ${reference.length}`);
  });

  it('deflates random data at the asked level when storing is turned off', async function () {
    const random = randomBytes(2 * MiB, 'off');
    const deflated = await gzipOf(random, { workers: 1, storeIncompressible: false });
    const stored = await gzipOf(random, { workers: 1 });
    assert.notDeepEqual(deflated, stored);
    assert.ok(zlib.gunzipSync(deflated).equals(random));
  });

  it('gives the same bytes whatever the number of workers', async function () {
    const input = Buffer.concat([text(2 * MiB), randomBytes(2 * MiB, 'det'), text(500 * KiB)]);
    const one = await gzipOf(input, { workers: 1 }, 2 * MiB);
    const three = await gzipOf(input, { workers: 3 }, 2 * MiB);
    assert.ok(one.equals(three), 'output depends on the number of workers');
  });

  it('turns an empty input into a valid empty gzip file', async function () {
    const gz = await gzipOf(Buffer.alloc(0), { workers: 1 });
    assert.equal(zlib.gunzipSync(gz).length, 0);
    const file = path.join(work, 'empty.gz');
    fs.writeFileSync(file, gz);
    execFileSync('gzip', ['-t', file]);
  });

  it('passes an upstream error on', async function () {
    const failing = new Readable({
      read() {
        this.destroy(new Error('disk went away'));
      },
    });
    await assert.rejects(
      pipeline(failing, createParallelGzip({ workers: 2 }), new Writable({ write: (_c, _e, cb) => cb() })),
      /disk went away/,
    );
  });

  it('rejects a level outside 0-9', function () {
    assert.throws(() => createParallelGzip({ level: 10, workers: 1 }), /0-9/);
  });

  describe('looksIncompressible', function () {
    it('is true for random bytes and gzip output, false for text, zeros and small pieces', function () {
      assert.equal(looksIncompressible(randomBytes(SEGMENT_BYTES), STORE_ENTROPY_BITS), true);
      assert.equal(looksIncompressible(zlib.gzipSync(text(SEGMENT_BYTES * 4)).subarray(0, SEGMENT_BYTES), STORE_ENTROPY_BITS), true);
      assert.equal(looksIncompressible(text(SEGMENT_BYTES), STORE_ENTROPY_BITS), false);
      assert.equal(looksIncompressible(Buffer.alloc(SEGMENT_BYTES), STORE_ENTROPY_BITS), false);
      assert.equal(looksIncompressible(randomBytes(512), STORE_ENTROPY_BITS), false);
    });
  });

  describe('compressMember', function () {
    const settings = { level: 6, storeIncompressible: true, segmentBytes: SEGMENT_BYTES, thresholdBits: STORE_ENTROPY_BITS };
    const levels: number[] = [];
    const recordingGzip = (data: Uint8Array, options: { level: number }) => {
      levels.push(options.level);
      return zlib.gzipSync(data, options);
    };

    beforeEach(() => {
      levels.length = 0;
    });

    it('makes one member per run of segments with the same verdict, stored or at the level asked', function () {
      const data = Buffer.concat([text(2 * SEGMENT_BYTES), randomBytes(3 * SEGMENT_BYTES), text(SEGMENT_BYTES)]);
      const members = compressMember(data, settings, recordingGzip, looksIncompressible);
      assert.deepEqual(levels, [6, 0, 6]);
      assert.ok(zlib.gunzipSync(Buffer.concat(members)).equals(data));
    });

    it('deflates everything in one member when storing is off', function () {
      const data = Buffer.concat([text(SEGMENT_BYTES), randomBytes(SEGMENT_BYTES)]);
      compressMember(data, { ...settings, storeIncompressible: false }, recordingGzip, looksIncompressible);
      assert.deepEqual(levels, [6]);
    });
  });
});
