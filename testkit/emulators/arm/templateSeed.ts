/**
 * Turns a seeded image template (the resource as the service would return it)
 * into the emulator's record of it, so tests can start from a template that
 * already exists, e.g. a leftover of an earlier pipeline run whose build is
 * still Running or ended Failed, without creating and running it first.
 */
import { isRecord } from './http';
import { parseResourceId, templateId } from './resourceIds';
import type { ImageTemplateSeed } from './types';
import type { Json, RunStatus, TemplateRecord } from './world';

const PROVISIONING_STATES: ReadonlyArray<TemplateRecord['provisioningState']> = ['Creating', 'Updating', 'Succeeded', 'Failed', 'Deleting', 'Canceled'];
const RUN_STATES: ReadonlyArray<RunStatus['runState']> = ['Running', 'Canceling', 'Succeeded', 'PartiallySucceeded', 'Failed', 'Canceled'];
const RUN_SUB_STATES: ReadonlyArray<NonNullable<RunStatus['runSubState']>> = ['Queued', 'Building', 'Customizing', 'Optimizing', 'Validating', 'Distributing'];

const oneOf = <T extends string>(allowed: readonly T[], value: unknown, what: string, id: string): T => {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`Seeded image template '${id}': ${what} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}.`);
};

function runStatusOf(v: unknown, id: string): RunStatus | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v)) throw new Error(`Seeded image template '${id}': properties.lastRunStatus must be an object.`);
  const runState = oneOf(RUN_STATES, v.runState, 'properties.lastRunStatus.runState', id);
  const status: RunStatus = {
    startTime: typeof v.startTime === 'string' ? v.startTime : new Date().toISOString(),
    runState,
    message: typeof v.message === 'string' ? v.message : '',
  };
  if (typeof v.endTime === 'string') status.endTime = v.endTime;
  if (v.runSubState !== undefined) status.runSubState = oneOf(RUN_SUB_STATES, v.runSubState, 'properties.lastRunStatus.runSubState', id);
  else if (runState === 'Running') status.runSubState = 'Customizing';
  return status;
}

export function templateRecordFromSeed(seed: ImageTemplateSeed): TemplateRecord {
  const parsed = parseResourceId(seed.id);
  const kind = parsed?.path[0];
  if (
    !parsed?.resourceGroup ||
    parsed.namespace?.toLowerCase() !== 'microsoft.virtualmachineimages' ||
    parsed.path.length !== 1 ||
    kind?.[0].toLowerCase() !== 'imagetemplates'
  ) {
    throw new Error(`Seeded image template id '${seed.id}' is not a Microsoft.VirtualMachineImages/imageTemplates resource id.`);
  }
  const name = kind[1];
  const resource = structuredClone(seed.resource) as Json;
  const props = isRecord(resource.properties) ? resource.properties : {};
  const provisioningState = props.provisioningState === undefined ? 'Succeeded' : oneOf(PROVISIONING_STATES, props.provisioningState, 'properties.provisioningState', seed.id);
  const lastRunStatus = runStatusOf(props.lastRunStatus, seed.id);
  const error = isRecord(props.provisioningError) ? props.provisioningError : undefined;
  const staging = typeof props.exactStagingResourceGroup === 'string' ? props.exactStagingResourceGroup : undefined;
  // The record keeps state apart from what a client submitted; renderTemplate puts it back.
  for (const k of ['provisioningState', 'provisioningError', 'lastRunStatus', 'exactStagingResourceGroup']) delete props[k];
  const submitted: Json = { ...resource, properties: props };
  for (const k of ['id', 'name', 'type']) delete submitted[k];
  const record: TemplateRecord = {
    id: templateId(parsed.subscriptionId, parsed.resourceGroup, name),
    subscriptionId: parsed.subscriptionId,
    resourceGroup: parsed.resourceGroup,
    name,
    apiVersion: seed.apiVersion ?? '2025-10-01',
    submitted,
    provisioningState,
    // A seeded staging group is the service's own: deleting the template removes it, as for a real leftover.
    stagingCreatedByService: staging !== undefined && props.stagingResourceGroup === undefined,
    runOutputs: (seed.runOutputs ?? []).map((o) => ({ ...o })),
    runIds: [],
    vhdBlobUrls: [],
    triggers: new Map(),
  };
  if (lastRunStatus) record.lastRunStatus = lastRunStatus;
  if (staging) record.exactStagingResourceGroup = staging;
  if (error) {
    record.provisioningError = {
      provisioningErrorCode: String(error.provisioningErrorCode ?? 'Other'),
      message: String(error.message ?? ''),
    };
  }
  return record;
}
