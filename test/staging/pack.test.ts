import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { HashingStream } from '../../shared/staging/hashing';
import * as net from 'node:net';
import { packDirectory, type ArchiveFormat } from '../../shared/staging/pack';
import { tarChunks } from '../../shared/staging/tarWriter';
import type { SkipReason, WalkEntry } from '../../shared/staging/walk';

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

async function packTo(
  source: string,
  format: ArchiveFormat,
  file: string,
  onSkipped?: (name: string, reason: SkipReason) => void,
): Promise<{ sha256: string; sizeBytes: number }> {
  const hashing = new HashingStream();
  await pipeline(packDirectory(source, format, onSkipped ? { onSkipped } : {}), hashing, fs.createWriteStream(file));
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
  /** Names in the archive, as the tools that unpack it on the build VM list them. */
  function listing(archive: string, format: ArchiveFormat): string[] {
    const out = format === 'tar.gz' ? execFileSync('tar', ['-tzf', archive]) : execFileSync('unzip', ['-Z1', archive]);
    return out.toString('utf8').trim().split('\n').filter((n) => n !== '');
  }

  function extract(archive: string, format: ArchiveFormat, out: string): void {
    fs.mkdirSync(out);
    if (format === 'tar.gz') execFileSync('tar', ['-xzf', archive, '-C', out]);
    else execFileSync('unzip', ['-q', archive, '-d', out]);
  }

  for (const format of ['tar.gz', 'zip'] as const) {
    describe(`what the user means (${format})`, function () {
      it('a packagePath that is a symbolic link to a folder packs the folder; links inside stay links', async function () {
        const link = path.join(work, 'current');
        fs.symlinkSync(source, link);
        const archive = path.join(work, `linked.${format}`);
        await packTo(link, format, archive);
        const out = path.join(work, 'out');
        extract(archive, format, out);
        assertTreeRestored(source, out);
        assert.ok(!listing(archive, format).some((n) => n === 'current' || n.startsWith('current/')), 'the contents sit at the archive root');
      });

      it('a packagePath that is a symbolic link to a file packs the file under the link\'s name', async function () {
        const link = path.join(work, 'setup.sh');
        fs.symlinkSync(path.join(source, 'bin', 'run.sh'), link);
        const archive = path.join(work, `file.${format}`);
        await packTo(link, format, archive);
        assert.deepEqual(listing(archive, format), ['setup.sh']);
        const out = path.join(work, 'out');
        extract(archive, format, out);
        assert.ok(fs.lstatSync(path.join(out, 'setup.sh')).isFile(), 'the file itself, not a link');
        assert.equal(fs.readFileSync(path.join(out, 'setup.sh'), 'utf8'), '#!/bin/sh\necho hello\n');
      });

      it('leaves out names that are not UTF-8 with a warning naming them escaped, and packs everything else', async function () {
        const root = Buffer.from(source);
        const at = (...parts: Buffer[]) => Buffer.concat([root, ...parts.flatMap((p) => [Buffer.from('/'), p])]);
        fs.writeFileSync(at(Buffer.from([0x62, 0x61, 0x64, 0xff, 0x2e, 0x74, 0x78, 0x74])), 'bad\n'); // bad\xff.txt
        fs.mkdirSync(at(Buffer.from([0x64, 0x69, 0x72, 0xc3]))); // dir\xc3 (a cut-off two-byte sequence)
        fs.writeFileSync(at(Buffer.from([0x64, 0x69, 0x72, 0xc3]), Buffer.from('inside.txt')), 'inside\n');
        fs.symlinkSync(Buffer.from([0x74, 0x0a, 0xfe]), at(Buffer.from('odd-link'))); // target t\n\xfe
        fs.writeFileSync(path.join(source, 'bin', 'ok-é.txt'), 'fine\n');
        const skipped: [string, SkipReason][] = [];
        const archive = path.join(work, `names.${format}`);
        await packTo(source, format, archive, (name, reason) => skipped.push([name, reason]));
        assert.deepEqual(skipped.sort(), [
          ['bad\\xff.txt', 'nameNotUtf8'],
          ['dir\\xc3', 'nameNotUtf8'],
          ['odd-link -> t\\x0a\\xfe', 'nameNotUtf8'],
        ]);
        const names = listing(archive, format);
        assert.ok(names.includes('bin/ok-é.txt'));
        assert.ok(!names.some((n) => n.startsWith('bad') || n.startsWith('dir') || n.startsWith('odd-link')), names.join('\n'));
        const out = path.join(work, 'out');
        extract(archive, format, out);
        assertTreeRestored(source, out);
      });

      it('leaves out FIFOs and sockets with a warning, and packs everything else', async function () {
        execFileSync('mkfifo', [path.join(source, 'bin', 'pipe')]);
        const server = net.createServer();
        await new Promise<void>((resolve) => server.listen(path.join(source, 'sock'), resolve));
        try {
          const skipped: [string, SkipReason][] = [];
          const archive = path.join(work, `special.${format}`);
          await packTo(source, format, archive, (name, reason) => skipped.push([name, reason]));
          assert.deepEqual(skipped, [['bin/pipe', 'special'], ['sock', 'special']]);
          const out = path.join(work, 'out');
          extract(archive, format, out);
          assertTreeRestored(source, out);
          assert.ok(!fs.existsSync(path.join(out, 'sock')) && !fs.existsSync(path.join(out, 'bin', 'pipe')));
        } finally {
          await new Promise<void>((resolve) => server.close(() => resolve()));
        }
      });
    });
  }

  describe('files changing while read (tar)', function () {
    async function tarOf(entries: WalkEntry[]): Promise<Buffer> {
      const chunks: Buffer[] = [];
      async function* list() {
        yield* entries;
      }
      for await (const chunk of tarChunks(list())) chunks.push(chunk);
      return Buffer.concat(chunks);
    }
    const fileEntry = (name: string, absolutePath: string, size: number): WalkEntry => ({ kind: 'file', name, absolutePath, mode: 0o644, mtime: new Date(0), size });

    it('fails, naming the file, when a file became shorter than when it was listed', async function () {
      const file = path.join(source, 'readme.md');
      await assert.rejects(tarOf([fileEntry('readme.md', file, 4096)]), /readme\.md became shorter while it was being packed \(expected 4096 bytes\)/);
    });

    it('packs the size it listed when a file grew, so the archive stays consistent', async function () {
      const file = path.join(source, 'readme.md');
      const tar = await tarOf([fileEntry('readme.md', file, 4), fileEntry('bin/run.sh', path.join(source, 'bin', 'run.sh'), 9)]);
      const archive = path.join(work, 'grown.tar');
      fs.writeFileSync(archive, tar);
      const out = path.join(work, 'out');
      fs.mkdirSync(out);
      execFileSync('tar', ['-xf', archive, '-C', out]);
      assert.equal(fs.readFileSync(path.join(out, 'readme.md'), 'utf8'), '# ar');
      assert.equal(fs.readFileSync(path.join(out, 'bin', 'run.sh'), 'utf8'), '#!/bin/sh');
    });
  });
});
