/** The template engine: config in, imageTemplates request body out. Pure; no I/O. */
export { buildImageTemplate } from './buildImageTemplate';
export { redactTemplate } from './redact';
export { summarizeTemplate } from './summary';
export { TemplateError, type TemplateErrorKey } from './templateError';
export { FILE_CUSTOMIZER_LIMIT_BYTES, WINDOWS_ARCHIVE_FOLDER } from './artifactSteps';
export { WINDOWS_UPDATE_STEP } from './customizeSteps';
export type * from './types';
