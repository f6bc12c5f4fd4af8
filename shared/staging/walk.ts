/**
 * The walk both archive formats share: every entry under a folder, in a fixed
 * order (names compared as bytes, a folder right before what it holds), so the
 * same tree always gives the same archive layout.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type WalkEntry =
  | { kind: 'directory'; name: string; mode: number; mtime: Date }
  | { kind: 'file'; name: string; absolutePath: string; mode: number; mtime: Date; size: number }
  | { kind: 'symlink'; name: string; target: string; mode: number; mtime: Date }
  /** Sockets, FIFOs and devices: reading a FIFO would block forever and the others have no content to ship. */
  | { kind: 'skipped'; name: string; absolutePath: string };

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function entryOf(absolutePath: string, name: string, stat: fs.Stats, target?: string): WalkEntry {
  // Permission bits only (setuid and friends included); the type is carried by the entry kind.
  const mode = stat.mode & 0o7777;
  if (stat.isDirectory()) return { kind: 'directory', name, mode, mtime: stat.mtime };
  if (stat.isFile()) return { kind: 'file', name, absolutePath, mode, mtime: stat.mtime, size: stat.size };
  if (stat.isSymbolicLink()) return { kind: 'symlink', name, target: target ?? '', mode, mtime: stat.mtime };
  return { kind: 'skipped', name, absolutePath };
}

/**
 * Entries of `root`. For a folder, names are relative to it (its contents sit
 * at the archive root); for a single file, the one entry is named after the file.
 * Symbolic links are not followed: they are stored as links.
 */
export async function* walk(root: string): AsyncGenerator<WalkEntry> {
  const rootStat = await fs.promises.lstat(root);
  if (!rootStat.isDirectory()) {
    const target = rootStat.isSymbolicLink() ? await fs.promises.readlink(root) : undefined;
    yield entryOf(root, path.basename(root), rootStat, target);
    return;
  }
  yield* walkFolder(root, '');
}

async function* walkFolder(absolute: string, relative: string): AsyncGenerator<WalkEntry> {
  const names = (await fs.promises.readdir(absolute)).sort(compareBytes);
  for (const child of names) {
    const childAbsolute = path.join(absolute, child);
    const childRelative = relative === '' ? child : `${relative}/${child}`;
    const stat = await fs.promises.lstat(childAbsolute);
    const target = stat.isSymbolicLink() ? await fs.promises.readlink(childAbsolute) : undefined;
    // Names are joined with `/` whatever the platform, and never start with `./` or `/`.
    yield entryOf(childAbsolute, childRelative, stat, target);
    if (stat.isDirectory()) yield* walkFolder(childAbsolute, childRelative);
  }
}
