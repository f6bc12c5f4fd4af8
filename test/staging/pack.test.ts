import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { HashingStream } from '../../shared/staging/hashing';
import { packDirectory, type ArchiveFormat } from '../../shared/staging/pack';

const LONG_DIR = 'a'.repeat(60) + '/' + 'b'.repeat(60);
const LONG_FILE = `${LONG_DIR}/${'c'.repeat(90)}.txt`; // > 100 bytes, splits into prefix + name
const UNSPLITTABLE = 'd'.repeat(180) + '.txt'; // one segment > 100 bytes: needs a pax header
const LONG_TARGET = `${'../'.repeat(10)}${'t'.repeat(120)}`;

function makeTree(root: string): void {
  fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bin', 'run.sh'), '#!/bin/sh\necho hello\n');
  fs.chmodSync(path.join(root, 'bin', 'run.sh'), 0o755);
  fs.writeFileSync(path.join(root, 'readme.md'), '# artifacts\n');
  fs.chmodSync(path.join(root, 'readme.md'), 0o640);
  fs.mkdirSync(path.join(root, 'empty'));
  fs.symlinkSync('bin/run.sh', path.join(root, 'link-to-run'));
  fs.symlinkSync(LONG_TARGET, path.join(root, 'long-link'));
  fs.mkdirSync(path.join(root, LONG_DIR), { recursive: true });
  fs.writeFileSync(path.join(root, LONG_FILE), 'deep\n');
  fs.writeFileSync(path.join(root, UNSPLITTABLE), 'long name\n');
  fs.writeFileSync(path.join(root, 'ünïcode файл.txt'), 'utf-8 name\n');
  // Bigger than the writer's small-file batching and not a multiple of 512.
  fs.writeFileSync(path.join(root, 'blob.bin'), Buffer.alloc(3 * 1024 * 1024 + 123, 7));
}

async function packTo(source: string, format: ArchiveFormat, file: string): Promise<{ sha256: string; sizeBytes: number }> {
  const hashing = new HashingStream();
  await pipeline(packDirectory(source, format), hashing, fs.createWriteStream(file));
  return hashing.digest();
}

function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function modeOf(p: string): number {
  return fs.statSync(p).mode & 0o777;
}

function assertTreeRestored(source: string, out: string): void {
  assert.equal(fs.readFileSync(path.join(out, 'bin', 'run.sh'), 'utf8'), '#!/bin/sh\necho hello\n');
  assert.equal(modeOf(path.join(out, 'bin', 'run.sh')), 0o755, 'executables stay executable');
  assert.equal(modeOf(path.join(out, 'readme.md')), 0o640);
  assert.ok(fs.statSync(path.join(out, 'empty')).isDirectory(), 'empty folders are kept');
  assert.deepEqual(fs.readdirSync(path.join(out, 'empty')), []);
  assert.ok(fs.lstatSync(path.join(out, 'link-to-run')).isSymbolicLink(), 'symlinks stay symlinks');
  assert.equal(fs.readlinkSync(path.join(out, 'link-to-run')), 'bin/run.sh');
  assert.equal(fs.readFileSync(path.join(out, LONG_FILE), 'utf8'), 'deep\n');
  assert.equal(fs.readFileSync(path.join(out, UNSPLITTABLE), 'utf8'), 'long name\n');
  assert.equal(fs.readFileSync(path.join(out, 'ünïcode файл.txt'), 'utf8'), 'utf-8 name\n');
  assert.ok(fs.readFileSync(path.join(out, 'blob.bin')).equals(fs.readFileSync(path.join(source, 'blob.bin'))));
}

describe('packDirectory', function () {
  let work: string;
  let source: string;

  beforeEach(function () {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'ib-pack-'));
    source = path.join(work, 'artifacts');
    fs.mkdirSync(source);
    makeTree(source);
  });
  afterEach(function () {
    fs.rmSync(work, { recursive: true, force: true });
  });

  describe('tar.gz', function () {
    it('is read back by GNU tar with contents, modes, symlinks, empty folders and long names intact', async function () {
      const archive = path.join(work, 'a.tar.gz');
      await packTo(source, 'tar.gz', archive);
      const out = path.join(work, 'out');
      fs.mkdirSync(out);
      execFileSync('tar', ['-xzf', archive, '-C', out]);
      assertTreeRestored(source, out);
      assert.equal(fs.readlinkSync(path.join(out, 'long-link')), LONG_TARGET, 'link targets over 100 bytes survive');
    });

    it('lists entries in a fixed order, each folder before its contents, with no leading ./', async function () {
      const archive = path.join(work, 'a.tar.gz');
      await packTo(source, 'tar.gz', archive);
      const names = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).trim().split('\n');
      assert.ok(names.indexOf('bin/') < names.indexOf('bin/run.sh'));
      assert.ok(names.every((n) => !n.startsWith('./') && !n.startsWith('/')));
      assert.ok(names.includes(LONG_FILE));
      assert.ok(names.includes(UNSPLITTABLE));
      const again = path.join(work, 'b.tar.gz');
      await packTo(source, 'tar.gz', again);
      assert.deepEqual(execFileSync('tar', ['-tzf', again], { encoding: 'utf8' }).trim().split('\n'), names);
    });

    it('packs a single file under its own name', async function () {
      const archive = path.join(work, 'f.tar.gz');
      await packTo(path.join(source, 'bin', 'run.sh'), 'tar.gz', archive);
      assert.equal(execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }), 'run.sh\n');
      const out = path.join(work, 'out');
      fs.mkdirSync(out);
      execFileSync('tar', ['-xzf', archive, '-C', out]);
      assert.equal(modeOf(path.join(out, 'run.sh')), 0o755);
    });

    it('reports the SHA-256 and size of exactly the bytes produced', async function () {
      const archive = path.join(work, 'a.tar.gz');
      const digest = await packTo(source, 'tar.gz', archive);
      assert.equal(digest.sizeBytes, fs.statSync(archive).size);
      assert.equal(digest.sha256, sha256File(archive));
      const cli = execFileSync('sha256sum', [archive], { encoding: 'utf8' }).split(' ')[0];
      assert.equal(digest.sha256, cli);
    });

    it('fails the stream when the folder does not exist', async function () {
      await assert.rejects(packTo(path.join(work, 'missing'), 'tar.gz', path.join(work, 'x.tar.gz')), /ENOENT/);
    });
  });

  describe('zip', function () {
    it('is read back by unzip with contents, modes, symlinks, empty folders and long names intact', async function () {
      const archive = path.join(work, 'a.zip');
      const digest = await packTo(source, 'zip', archive);
      assert.equal(digest.sha256, sha256File(archive));
      const out = path.join(work, 'out');
      const result = spawnSync('unzip', ['-q', archive, '-d', out], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      assertTreeRestored(source, out);
    });

    it('packs a single file under its own name', async function () {
      const archive = path.join(work, 'f.zip');
      await packTo(path.join(source, 'readme.md'), 'zip', archive);
      const listing = execFileSync('unzip', ['-Z1', archive], { encoding: 'utf8' });
      assert.equal(listing, 'readme.md\n');
    });
  });
});
