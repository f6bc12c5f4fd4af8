/** The list of preflight checks, in checklist order. */
import type { PreflightCheck } from '../types';
import { checkGalleryCompatibility } from './galleryCompatibility';
import { checkIdentities } from './identities';
import { checkPermissions } from './permissions';
import { checkRegions } from './regions';
import { checkResourceProviders } from './resourceProviders';
import { checkSource } from './source';
import { checkTemplateName } from './templateName';

/** Every check, in the order the checklist shows them. */
export const PREFLIGHT_CHECKS: readonly PreflightCheck[] = [
  { id: 'resourceProviders', run: checkResourceProviders },
  { id: 'identities', run: checkIdentities },
  { id: 'source', run: checkSource },
  { id: 'galleryCompatibility', run: checkGalleryCompatibility },
  { id: 'regions', run: checkRegions },
  { id: 'templateName', run: checkTemplateName },
  { id: 'permissions', run: checkPermissions },
];
