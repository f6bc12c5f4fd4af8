/** The dry run: the template the task would submit, shown without calling Azure. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageBuilderConfig } from '../config/types';
import type { TaskHost } from '../core/taskHost';
import type { StagedArtifact } from '../template/stagedArtifact';
import { buildImageTemplate, redactTemplate, summarizeTemplate } from '../template';
import { measureArchive } from '../staging/measure';
import { artifactBlobName, archiveFormatFor } from '../staging/naming';
import { contentDigest } from '../staging/contentDigest';
import { buildFingerprint } from '../template/fingerprint';

/**
 * Shows exactly which template the task would submit, without calling Azure.
 *
 * Artifacts are packed locally (into a hash, not to disk or the network) so
 * the template carries the real size and checksum, and therefore the same
 * delivery step (File customizer or checked download) a real run would use.
 */
export async function performDryRun(host: TaskHost, config: ImageBuilderConfig): Promise<string> {
  let artifact: StagedArtifact | undefined;
  if (config.artifacts) {
    const format = archiveFormatFor(config.provisioner);
    host.info(host.loc('DryRunPacking', config.artifacts.packagePath));
    const measured = await measureArchive(config.artifacts.packagePath, format);
    const blobName = artifactBlobName(config.target.templateName, config.artifacts.folderName, format);
    artifact = {
      url: `https://${config.artifacts.storageAccountName}.blob.core.windows.net/${config.artifacts.storageContainer}/${blobName}`,
      sizeBytes: measured.sizeBytes,
      sha256: measured.sha256,
      format,
    };
  }
  const pinnedPlatformVersion = undefined; // resolving `latest` needs Azure; a dry run shows what was asked for
  const body = redactTemplate(buildImageTemplate(config, { artifact, pinnedPlatformVersion }));
  const json = JSON.stringify(body, null, 2);

  host.info(host.loc('TemplateName', config.target.templateName));
  for (const line of summarizeTemplate(body)) host.info(`  ${line}`);
  host.beginGroup(host.loc('DryRunTemplate'));
  for (const line of json.split('\n')) host.info(line);
  host.endGroup();

  const file = path.join(host.tempDirectory(), `${config.target.templateName}.imagetemplate.json`);
  fs.writeFileSync(file, json + '\n');
  host.addAttachment('ImageBuilderTemplate', path.basename(file), file);
  host.uploadLog(file);
  host.info(host.loc('DryRunWritten', file));
  host.setOutput('templateName', config.target.templateName);
  announceFingerprint(host, config, await fingerprintOf(config));
  return file;
}

/**
 * The fingerprint over the source as written: a dry run makes no Azure calls,
 * so neither `latest` is resolved nor the newest image looked at.
 */
async function fingerprintOf(config: ImageBuilderConfig): Promise<string> {
  const digest = config.artifacts ? await contentDigest(config.artifacts.packagePath) : undefined;
  return buildFingerprint(config, digest ? { artifactContentSha256: digest.sha256 } : {});
}

function announceFingerprint(host: TaskHost, config: ImageBuilderConfig, fingerprint: string): void {
  host.info(host.loc('DryRunFingerprint', fingerprint));
  const source = config.source;
  const latest =
    (source.kind === 'platformImage' && source.version.toLowerCase() === 'latest') ||
    (source.kind === 'galleryImageVersion' && /\/versions\/latest$/i.test(source.imageVersionId));
  if (latest) host.info(host.loc('DryRunFingerprintLatest'));
  host.setOutput('buildFingerprint', fingerprint);
  // A dry run builds nothing, but it did not skip anything either.
  host.setOutput('buildSkipped', 'false');
}
