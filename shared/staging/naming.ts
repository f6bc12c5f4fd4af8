/**
 * Names of what staging creates, in one place so the real run and the dry run agree.
 */
import type { Provisioner } from '../config/types';
import type { ArchiveFormat } from './pack';

/** Linux VMs unpack with `tar`; Windows VMs with Expand-Archive, which reads zip only. */
export function archiveFormatFor(provisioner: Provisioner): ArchiveFormat {
  return provisioner === 'shell' ? 'tar.gz' : 'zip';
}

/**
 * `<templateName>/<folderName>.<ext>`: the template name is unique per run
 * (build id and attempt), so parallel runs sharing a container never collide.
 */
export function artifactBlobName(templateName: string, folderName: string, format: ArchiveFormat): string {
  return `${templateName}/${folderName}.${format}`;
}
