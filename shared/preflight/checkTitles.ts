/** The title of each preflight check, as a task.json message key. */
import type { CheckId } from './types';

/** The message key of each check's title in the checklist and the summary. */
export const CHECK_TITLE_KEYS: Readonly<Record<CheckId, string>> = {
  resourceProviders: 'PreflightCheckResourceProviders',
  identities: 'PreflightCheckIdentities',
  source: 'PreflightCheckSource',
  galleryCompatibility: 'PreflightCheckGalleryCompatibility',
  regions: 'PreflightCheckRegions',
  galleryRegion: 'PreflightCheckGalleryRegion',
  templateName: 'PreflightCheckTemplateName',
  permissions: 'PreflightCheckPermissions',
  storageAccess: 'PreflightCheckStorageAccess',
  quota: 'PreflightCheckQuota',
  identityRights: 'PreflightCheckIdentityRights',
};
