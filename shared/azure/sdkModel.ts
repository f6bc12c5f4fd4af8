/** The request body in the shape the @azure/arm-imagebuilder SDK takes. */
import type { ImageTemplate } from '@azure/arm-imagebuilder';
import type { ImageTemplateBody } from '../template/types';

/**
 * The body in the flattened model of @azure/arm-imagebuilder 5.x, which takes
 * the `properties` fields at the top level and nests them again on the wire.
 * Note the SDK's serializer sends only the fields it knows: the engine's own
 * sections are all among them.
 */
export function toSdkImageTemplate(body: ImageTemplateBody): ImageTemplate {
  const { properties, ...envelope } = structuredClone(body);
  return { ...envelope, ...properties };
}
