/**
 * The walk both archive formats share: every entry under a folder, in a fixed
 * order (names compared as bytes, a folder right before what it holds), so the
 * same tree always gives the same archive layout.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Why an entry is left out: `special` for sockets, FIFOs and devices (reading
 * a FIFO would block forever and the others have no content to ship);
 * `nameNotUtf8` for a name (or link target) whose bytes are not UTF-8, which
 * neither archive format can name faithfully for the build VM (everything
 * under such a folder is left out with it).
 */
export type SkipReason = 'special' | 'nameNotUtf8';

export type WalkEntry =
  | { kind: 'directory'; name: string; mode: number; mtime: Date }
  | { kind: 'file'; name: string; absolutePath: string; mode: number; mtime: Date; size: number }
  | { kind: 'symlink'; name: string; target: string; mode: number; mtime: Date }
  /** `name` is printable: bytes that are not UTF-8, and control characters, are written as \xNN. */
  | { kind: 'skipped'; name: string; absolutePath: string; reason: SkipReason };

function entryOf(absolutePath: string, name: string, stat: fs.Stats, target?: string): WalkEntry {
  // Permission bits only (setuid and friends included); the type is carried by the entry kind.
  const mode = stat.mode & 0o7777;
  if (stat.isDirectory()) return { kind: 'directory', name, mode, mtime: stat.mtime };
  if (stat.isFile()) return { kind: 'file', name, absolutePath, mode, mtime: stat.mtime, size: stat.size };
  if (stat.isSymbolicLink()) return { kind: 'symlink', name, target: target ?? '', mode, mtime: stat.mtime };
  return { kind: 'skipped', name: printable(Buffer.from(name)), absolutePath, reason: 'special' };
}

/** The bytes as UTF-8 text, or undefined when they are not valid UTF-8 (decoding would change them). */
function utf8(bytes: Buffer): string | undefined {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : undefined;
}

/**
 * A name for a log line: valid UTF-8 runs kept, every other byte and every
 * control character written as \xNN, so the name can neither garble the log
 * nor start a logging command on a line of its own.
 */
function printable(bytes: Buffer): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
    const char = length > 0 && i + length <= bytes.length ? utf8(bytes.subarray(i, i + length)) : undefined;
    if (char !== undefined && !/[\x00-\x1f\x7f-\x9f]/.test(char)) {
      out += char === '\\' ? '\\\\' : char;
      i += length;
    } else {
      out += `\\x${b.toString(16).padStart(2, '0')}`;
      i += 1;
    }
  }
  return out;
}

/**
 * Entries of `root`. For a folder, names are relative to it (its contents sit
 * at the archive root); for a single file, the one entry is named after the file.
 * When `root` itself is a symbolic link, what it points to is packed: that is
 * what the user named. Links inside are not followed: they are stored as links.
 */
export async function* walk(root: string): AsyncGenerator<WalkEntry> {
  const rootStat = await fs.promises.stat(root);
  if (!rootStat.isDirectory()) {
    yield entryOf(root, path.basename(root), rootStat);
    return;
  }
  yield* walkFolder(Buffer.from(root), '');
}

async function* walkFolder(absolute: Buffer, relative: string): AsyncGenerator<WalkEntry> {
  // Names as bytes: a name that is not UTF-8 would come back as text that names no file.
  const names = (await fs.promises.readdir(absolute, { encoding: 'buffer' })).sort(Buffer.compare);
  for (const child of names) {
    const childAbsolute = Buffer.concat([absolute, Buffer.from(path.sep), child]);
    const text = utf8(child);
    // Names are joined with `/` whatever the platform, and never start with `./` or `/`.
    const join = (name: string) => (relative === '' ? name : `${relative}/${name}`);
    if (text === undefined) {
      yield { kind: 'skipped', name: join(printable(child)), absolutePath: childAbsolute.toString('utf8'), reason: 'nameNotUtf8' };
      continue;
    }
    const childRelative = join(text);
    const stat = await fs.promises.lstat(childAbsolute);
    if (stat.isSymbolicLink()) {
      const targetBytes = await fs.promises.readlink(childAbsolute, { encoding: 'buffer' });
      const target = utf8(targetBytes);
      if (target === undefined) {
        yield { kind: 'skipped', name: `${childRelative} -> ${printable(targetBytes)}`, absolutePath: childAbsolute.toString('utf8'), reason: 'nameNotUtf8' };
        continue;
      }
      yield entryOf(childAbsolute.toString('utf8'), childRelative, stat, target);
      continue;
    }
    yield entryOf(childAbsolute.toString('utf8'), childRelative, stat);
    if (stat.isDirectory()) yield* walkFolder(childAbsolute, childRelative);
  }
}
