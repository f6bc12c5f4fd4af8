/**
 * Lists the entry names of a downloaded archive (tar.gz or zip) without
 * extracting anything: the simulated build VM proves the artifact is a readable
 * archive, and tests can see what it held. Nothing from it is ever run.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';

export type ArchiveKind = 'tar.gz' | 'zip';

export function archiveKind(data: Buffer): ArchiveKind | undefined {
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) return 'tar.gz';
  if (data.length >= 4 && data.readUInt32LE(0) === 0x04034b50) return 'zip';
  // An empty zip is only an end-of-central-directory record.
  if (data.length >= 22 && data.readUInt32LE(0) === 0x06054b50) return 'zip';
  return undefined;
}

/** Entry names in archive order; undefined when the data is not an archive; throws when it is a broken one. */
export async function listArchiveEntries(data: Buffer): Promise<string[] | undefined> {
  switch (archiveKind(data)) {
    case 'tar.gz':
      return listTarGz(data);
    case 'zip':
      return listZip(data);
    default:
      return undefined;
  }
}

async function listTarGz(data: Buffer): Promise<string[]> {
  const names: string[] = [];
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    names.push(header.name);
    stream.on('end', () => next());
    stream.resume();
  });
  await pipeline(Readable.from([data]), createGunzip(), extract);
  return names;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;

/** Reads the zip central directory: only names are needed, so no inflating. */
function listZip(data: Buffer): string[] {
  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = data.length - 22; i >= Math.max(0, data.length - 22 - 0xffff); i--) {
    if (data.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('zip: end of central directory not found');
  let count = data.readUInt16LE(eocd + 10);
  let offset = data.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) {
    // Zip64: the locator precedes the EOCD and points at the zip64 EOCD record.
    const locator = eocd - 20;
    if (locator < 0 || data.readUInt32LE(locator) !== 0x07064b50) throw new Error('zip: zip64 locator not found');
    const z64 = Number(data.readBigUInt64LE(locator + 8));
    count = Number(data.readBigUInt64LE(z64 + 32));
    offset = Number(data.readBigUInt64LE(z64 + 48));
  }
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    if (offset + 46 > data.length || data.readUInt32LE(offset) !== CENTRAL) throw new Error(`zip: central directory entry ${n} is damaged`);
    const nameLen = data.readUInt16LE(offset + 28);
    const extraLen = data.readUInt16LE(offset + 30);
    const commentLen = data.readUInt16LE(offset + 32);
    names.push(data.toString('utf8', offset + 46, offset + 46 + nameLen));
    offset += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}
