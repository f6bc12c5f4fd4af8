/** The list of preflight checks, in checklist order. */
import type { PreflightCheck } from '../types';
import { checkGalleryCompatibility } from './galleryCompatibility';
import { checkGalleryRegion } from './galleryRegion';
import { checkIdentityRights } from './identityRights';
import { checkIdentities } from './identities';
import { checkPermissions } from './permissions';
import { checkQuota } from './quota';
import { checkRegions } from './regions';
import { checkResourceProviders } from './resourceProviders';
import { checkSource } from './source';
import { checkStorageAccess } from './storageAccess';
import { checkTemplateName } from './templateName';

/** Every check, in the order the checklist shows them. */
export const PREFLIGHT_CHECKS: readonly PreflightCheck[] = [
  { id: 'resourceProviders', run: checkResourceProviders },
  { id: 'identities', run: checkIdentities },
  { id: 'source', run: checkSource },
  { id: 'galleryCompatibility', run: checkGalleryCompatibility },
  { id: 'regions', run: checkRegions },
  { id: 'galleryRegion', run: checkGalleryRegion },
  { id: 'quota', run: checkQuota },
  { id: 'templateName', run: checkTemplateName },
  { id: 'permissions', run: checkPermissions },
  { id: 'identityRights', run: checkIdentityRights },
  { id: 'storageAccess', run: checkStorageAccess },
];
