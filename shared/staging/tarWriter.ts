/**
 * A minimal streaming tar writer: POSIX ustar headers, with a pax extended
 * header only for what ustar cannot hold (long names, long link targets,
 * sizes of 8 GiB and more).
 *
 * Why not tar-stream: its packing work costs several CPU-seconds per GiB,
 * and staging competes for the same cores as compression and upload. This
 * writer builds each 512-byte header directly and batches small files into
 * large chunks, so the cost per entry is one header and one read.
 */
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import type { SkipReason, WalkEntry } from './walk';

const BLOCK = 512;
/** Chunks handed downstream are at least this big (small files are batched) and file reads are this big. */
const CHUNK = 1024 * 1024;
/** ustar's 11 octal digits hold sizes up to 8 GiB - 1. */
const USTAR_MAX_SIZE = 0o77777777777;

type TypeFlag = '0' | '2' | '5' | 'x';

interface HeaderFields {
  name: string;
  mode: number;
  size: number;
  mtime: number;
  type: TypeFlag;
  linkname?: string;
}

function writeString(block: Buffer, offset: number, length: number, value: string): void {
  block.write(value, offset, length, 'utf8');
}

/** ustar numbers are zero-padded octal followed by a NUL. */
function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(value.toString(8).padStart(length - 1, '0') + '\0', offset, length, 'ascii');
}

function header(fields: HeaderFields, nameField: string, prefixField: string): Buffer {
  const block = Buffer.alloc(BLOCK);
  writeString(block, 0, 100, nameField);
  writeOctal(block, 100, 8, fields.mode);
  writeOctal(block, 108, 8, 0); // uid/gid 0 and no owner names: the build VM extracts as its own user
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, Math.min(fields.size, USTAR_MAX_SIZE));
  writeOctal(block, 136, 12, Math.max(0, fields.mtime));
  block.fill(0x20, 148, 156); // the checksum is computed with its own field as spaces
  block.write(fields.type, 156, 1, 'ascii');
  writeString(block, 157, 100, fields.linkname ?? '');
  block.write('ustar\u000000', 257, 8, 'ascii');
  writeString(block, 345, 155, prefixField);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i]!;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return block;
}

/** Splits a long name into ustar's prefix (155 bytes) and name (100 bytes) at a `/`, if it can. */
function splitName(name: string): { name: string; prefix: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { name, prefix: '' };
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) > 155) return undefined;
    if (rest !== '' && Buffer.byteLength(rest) <= 100) return { name: rest, prefix };
  }
  return undefined;
}

/** One pax record: "<length> <key>=<value>\n", where length counts the whole record including its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = Buffer.byteLength(body);
  let length = bodyLength + 1;
  while (length !== bodyLength + String(length).length) length = bodyLength + String(length).length;
  return `${length}${body}`;
}

/** The longest prefix of `value` that fits in `bytes` UTF-8 bytes without cutting a character. */
function truncateBytes(value: string, bytes: number): string {
  let out = '';
  let used = 0;
  for (const ch of value) {
    const size = Buffer.byteLength(ch);
    if (used + size > bytes) break;
    out += ch;
    used += size;
  }
  return out;
}

function padding(size: number): Buffer | undefined {
  const rest = size % BLOCK;
  return rest === 0 ? undefined : Buffer.alloc(BLOCK - rest);
}

/** The header block(s) of one entry: a pax header first when ustar alone cannot describe it. */
function entryHeader(fields: HeaderFields): Buffer[] {
  const split = splitName(fields.name);
  const linkFits = fields.linkname === undefined || Buffer.byteLength(fields.linkname) <= 100;
  const sizeFits = fields.size <= USTAR_MAX_SIZE;
  if (split && linkFits && sizeFits) return [header(fields, split.name, split.prefix)];

  let records = '';
  if (!split) records += paxRecord('path', fields.name);
  if (!linkFits) records += paxRecord('linkpath', fields.linkname!);
  if (!sizeFits) records += paxRecord('size', String(fields.size));
  const data = Buffer.from(records, 'utf8');
  // The ustar fields still get a readable (truncated) value for readers that ignore pax.
  const shortName = split ? split.name : truncateBytes(fields.name, 100);
  const pax = header(
    { name: '', mode: 0o644, size: data.length, mtime: fields.mtime, type: 'x' },
    truncateBytes(`PaxHeader/${shortName}`, 100),
    '',
  );
  const parts = [pax, data];
  const pad = padding(data.length);
  if (pad) parts.push(pad);
  parts.push(header(fields, shortName, split ? split.prefix : ''));
  return parts;
}

function mtimeOf(entry: { mtime: Date }): number {
  return Math.floor(entry.mtime.getTime() / 1000);
}

/** Reads exactly `size` bytes of a file in CHUNK pieces; a file that shrank while packing is an error, not a corrupt archive. */
async function* fileChunks(absolutePath: string, size: number): AsyncGenerator<Buffer> {
  const handle = await fs.promises.open(absolutePath, 'r');
  try {
    let remaining = size;
    while (remaining > 0) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK, remaining));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, size - remaining);
      if (bytesRead === 0) throw new Error(`${absolutePath} became shorter while it was being packed (expected ${size} bytes)`);
      remaining -= bytesRead;
      yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** Archive bytes for the entries, in order, ending with the two zero blocks. */
export async function* tarChunks(entries: AsyncIterable<WalkEntry>, onSkipped?: (name: string, reason: SkipReason) => void): AsyncGenerator<Buffer> {
  // Small pieces (headers, small files) are gathered so downstream sees few, large chunks.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = (): Buffer | undefined => {
    if (pendingBytes === 0) return undefined;
    const out = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return out;
  };
  const add = (parts: Buffer[]) => {
    for (const p of parts) {
      pending.push(p);
      pendingBytes += p.length;
    }
  };

  for await (const entry of entries) {
    switch (entry.kind) {
      case 'directory':
        add(entryHeader({ name: `${entry.name}/`, mode: entry.mode, size: 0, mtime: mtimeOf(entry), type: '5' }));
        break;
      case 'symlink':
        add(entryHeader({ name: entry.name, mode: entry.mode, size: 0, mtime: mtimeOf(entry), type: '2', linkname: entry.target }));
        break;
      case 'skipped':
        onSkipped?.(entry.name, entry.reason);
        break;
      case 'file': {
        add(entryHeader({ name: entry.name, mode: entry.mode, size: entry.size, mtime: mtimeOf(entry), type: '0' }));
        if (entry.size < CHUNK / 4) {
          for await (const chunk of fileChunks(entry.absolutePath, entry.size)) add([chunk]);
        } else {
          const head = flush();
          if (head) yield head;
          yield* fileChunks(entry.absolutePath, entry.size);
        }
        const pad = padding(entry.size);
        if (pad) add([pad]);
        break;
      }
    }
    if (pendingBytes >= CHUNK) yield flush()!;
  }
  add([Buffer.alloc(2 * BLOCK)]);
  yield flush()!;
}

/** A byte stream of the tar archive; reads files only as fast as the consumer takes the bytes. */
export function tarStream(entries: AsyncIterable<WalkEntry>, onSkipped?: (name: string, reason: SkipReason) => void): Readable {
  return Readable.from(tarChunks(entries, onSkipped), { objectMode: false, highWaterMark: CHUNK });
}
