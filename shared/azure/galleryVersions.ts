/** Lists the versions of a gallery image definition through Resource Manager. */
import type { ResourceManagementClient } from '@azure/arm-resources';
import { createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import type { ListedGalleryVersion } from '../images/galleryLatest';

/** Compute Gallery API version of the version listing (stable, long supported). */
export const GALLERY_API_VERSION = '2023-07-03';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The versions of a gallery image definition. A plain GET through the Resource
 * Manager client's pipeline (same token, retry and endpoint) rather than the
 * Compute client, which is bound to the connection's subscription: the source
 * gallery may live in another one.
 */
export async function listGalleryImageVersions(
  resources: ResourceManagementClient,
  resourceManagerUrl: string,
  definitionId: string,
  abortSignal?: AbortSignal,
): Promise<ListedGalleryVersion[]> {
  const versions: ListedGalleryVersion[] = [];
  let url: string | undefined = `${resourceManagerUrl.replace(/\/+$/, '')}${definitionId.replace(/\/+$/, '')}/versions?api-version=${GALLERY_API_VERSION}`;
  for (let page = 0; url !== undefined && page < 100; page++) {
    const response = await resources.sendRequest(createPipelineRequest({ url, method: 'GET', abortSignal }));
    let body: Json = {};
    try {
      body = obj(JSON.parse(response.bodyAsText ?? '{}'));
    } catch {
      body = {};
    }
    if (response.status < 200 || response.status >= 300) {
      const error = obj(body['error']);
      throw new RestError(str(error['message']) ?? `GET ${new URL(url).pathname} answered ${response.status}`, {
        code: str(error['code']),
        statusCode: response.status,
      });
    }
    for (const item of Array.isArray(body['value']) ? body['value'] : []) {
      const v = obj(item);
      const p = obj(v['properties']);
      const publishing = obj(p['publishingProfile']);
      const regions = Array.isArray(publishing['targetRegions'])
        ? publishing['targetRegions'].map((r) => str(obj(r)['name'])).filter((r): r is string => r !== undefined)
        : undefined;
      const name = str(v['name']);
      if (!name) continue;
      versions.push({
        name,
        provisioningState: str(p['provisioningState']),
        excludeFromLatest: publishing['excludeFromLatest'] === true,
        ...(regions ? { regions } : {}),
      });
    }
    url = str(body['nextLink']);
  }
  return versions;
}
