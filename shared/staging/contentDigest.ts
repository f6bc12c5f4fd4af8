/**
 * A digest of what the build artifacts hold, for the build fingerprint: every
 * entry's kind, path, permission bits, link target and file bytes, in the walk's
 * fixed order. Timestamps, owners and the archive's own bytes (compression,
 * entry headers) are left out, so a checkout of the same files on another day
 * or another agent gives the same digest.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { walk } from './walk';

export interface ContentDigest {
  /** Lowercase hex SHA-256. */
  sha256: string;
  files: number;
  bytes: number;
}

/** Scheme marker, so a change of the record format changes every digest. */
const SCHEME = 'artifact-content/v1';

export async function contentDigest(root: string, signal?: AbortSignal): Promise<ContentDigest> {
  const outer = createHash('sha256');
  outer.update(`${SCHEME}\n`);
  let files = 0;
  let bytes = 0;
  for await (const entry of walk(root)) {
    signal?.throwIfAborted();
    // One JSON line per entry: JSON escapes every character that could end a record early.
    switch (entry.kind) {
      case 'directory':
        outer.update(`${JSON.stringify(['d', entry.name, entry.mode])}\n`);
        break;
      case 'symlink':
        outer.update(`${JSON.stringify(['l', entry.name, entry.mode, entry.target])}\n`);
        break;
      case 'file': {
        const file = await fileDigest(entry.absolutePath, signal);
        files++;
        bytes += file.size;
        outer.update(`${JSON.stringify(['f', entry.name, entry.mode, file.size, file.sha256])}\n`);
        break;
      }
      case 'skipped':
        // Packing leaves these out (with a warning), so they never reach the image.
        break;
    }
  }
  return { sha256: outer.digest('hex'), files, bytes };
}

async function fileDigest(absolutePath: string, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  // Large reads: hashing, not the read calls, should be what a big tree costs.
  const stream = fs.createReadStream(absolutePath, { highWaterMark: 1024 * 1024, ...(signal ? { signal } : {}) });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}
