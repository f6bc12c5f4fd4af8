/** The build VM's archive lister: tar.gz and zip entry names, no extraction. */
import * as assert from 'node:assert/strict';
import * as yazl from 'yazl';
import { listArchiveEntries } from '../../../testkit/emulators/arm/build/archiveEntries';
import { makeTarGz } from '../../../testkit/emulators/arm/fixtures';

function makeZip(files: Record<string, string>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) zip.addBuffer(Buffer.from(content), name);
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

describe('ARM emulator archive listing', () => {
  it('lists tar.gz entries in order', async () => {
    assert.deepEqual(await listArchiveEntries(await makeTarGz({ 'a/b.txt': 'b', 'c.sh': 'echo' })), ['a/b.txt', 'c.sh']);
  });

  it('lists zip entries from the central directory', async () => {
    assert.deepEqual(await listArchiveEntries(await makeZip({ 'app/Run.ps1': 'Write-Host hi', 'app/data/x.json': '{}' })), ['app/Run.ps1', 'app/data/x.json']);
  });

  it('says "not an archive" for a plain script and fails on a damaged archive', async () => {
    assert.equal(await listArchiveEntries(Buffer.from('#!/bin/sh\necho hi\n')), undefined);
    const zip = await makeZip({ 'a.txt': 'a' });
    await assert.rejects(Promise.resolve().then(() => listArchiveEntries(zip.subarray(0, zip.length - 30))));
    const tgz = await makeTarGz({ 'a.txt': 'a'.repeat(5000) });
    await assert.rejects(listArchiveEntries(tgz.subarray(0, 40)));
  });
});
