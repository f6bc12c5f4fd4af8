import type { ImageTemplateBody } from './types';
import { REDACTION_MARK, redactSas, redactSasDeep } from '../core/sasRedaction';

/** What a SAS signature becomes in a printed template (the one redactor's mark). */
export const REDACTED = REDACTION_MARK;

/** A deep copy of the body with every SAS signature redacted, in URL fields and script lines alike; safe to print. */
export function redactTemplate(body: ImageTemplateBody): ImageTemplateBody {
  return redactSasDeep(body);
}

/** The one SAS redactor, under the name the template code uses. */
export const redactSasInText = redactSas;
