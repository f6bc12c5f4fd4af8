/**
 * Size and checksum of the archive a run would upload, without writing it
 * anywhere: the dry run uses it so the template it shows carries real values.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HashingStream, type StreamDigest } from './hashing';
import { packDirectory, type ArchiveFormat } from './pack';

export async function measureArchive(packagePath: string, format: ArchiveFormat): Promise<StreamDigest> {
  const hashing = new HashingStream();
  await pipeline(packDirectory(packagePath, format), hashing, new Writable({ write: (_chunk, _encoding, done) => done() }));
  return hashing.digest();
}
