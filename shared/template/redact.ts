/** A template body safe to print: every SAS signature in it redacted by the one redactor. */
import type { ImageTemplateBody } from './types';
import { redactSasDeep } from '../core/sasRedaction';

/** A deep copy of the body with every SAS signature redacted, in URL fields and script lines alike; safe to print. */
export function redactTemplate(body: ImageTemplateBody): ImageTemplateBody {
  return redactSasDeep(body);
}
