/**
 * Microsoft.VirtualMachineImages: imageTemplates (PUT, GET, PATCH, DELETE, list,
 * run, cancel, runOutputs, triggers), the operation-status resources and the
 * provider's operation list, with the service's status codes and LRO headers.
 */
import { SimulatedBuild } from '../build/simulatedBuild';
import { fetchArtifact } from '../build/artifactFetch';
import { ensureStaging, removeTemplateArtifacts } from '../build/staging';
import { storageTokenFor } from '../build/storageToken';
import type { EmulatorContext } from '../context';
import { ArmError, isRecord, notFound, ok, type ArmReply, type ArmRequest } from '../http';
import { idKey, parseResourceId, serviceId, templateId } from '../resourceIds';
import type { Router } from '../router';
import { assertImageBuilderApiVersion, validateTemplateBody, validateTriggerBody, validateUpdateBody } from '../templateValidation';
import type { OperationRecord } from '../operations';
import type { Json, RunStatus, TemplateRecord } from '../world';
import { PROVIDER_OPERATIONS } from './providerOperations';
import { goTime } from '../recorded';

const PROVIDER = '/providers/Microsoft.VirtualMachineImages';
const T = `/subscriptions/{sub}/resourceGroups/{rg}${PROVIDER}/imageTemplates/{name}`;
const NAME_PATTERN = /^[A-Za-z0-9-_.]{1,64}$/;

export function registerImageTemplates(router: Router, ctx: EmulatorContext): void {
  const find = (req: ArmRequest): TemplateRecord => {
    const { sub, rg, name } = req.params as { sub: string; rg: string; name: string };
    ctx.world.assertResourceGroup(sub, rg);
    const t = ctx.world.templates.get(idKey(templateId(sub, rg, name)));
    if (!t) throw notFound('Microsoft.VirtualMachineImages/imageTemplates', name, rg);
    return t;
  };
  const version = (req: ArmRequest) => assertImageBuilderApiVersion(req.query.get('api-version'));
  const isBusy = (t: TemplateRecord) => t.lastRunStatus?.runState === 'Running' || t.lastRunStatus?.runState === 'Canceling';
  const notAllowed = (op: string, t: TemplateRecord) =>
    new ArmError(
      409,
      'OperationNotAllowed',
      `Operation Microsoft.VirtualMachineImages/imageTemplates/${op} is not allowed in provisioning state: ${t.provisioningState} or run state: ${t.lastRunStatus?.runState ?? 'none'}.`,
    );
  const location = (t: TemplateRecord) => String(t.submitted.location ?? 'westus');
  const lroHeaders = (baseUrl: string, op: OperationRecord) => ({
    'Azure-AsyncOperation': ctx.ops.statusUrl(baseUrl, op),
    Location: ctx.ops.statusUrl(baseUrl, op, 'Location'),
  });
  const startOp = (sub: string, t: TemplateRecord, apiVersion: string) =>
    ctx.ops.start(sub, location(t), apiVersion, ctx.scenario.signedOperationUrls !== false);

  router.add('GET', `/subscriptions/{sub}${PROVIDER}/imageTemplates`, (req) => {
    version(req);
    ctx.world.assertSubscription(req.params.sub as string);
    const sub = (req.params.sub as string).toLowerCase();
    return ok({ value: [...ctx.world.templates.values()].filter((t) => t.subscriptionId.toLowerCase() === sub).map((t) => ctx.renderTemplate(t)) });
  });

  router.add('GET', `/subscriptions/{sub}/resourceGroups/{rg}${PROVIDER}/imageTemplates`, (req) => {
    version(req);
    const { sub, rg } = req.params as { sub: string; rg: string };
    ctx.world.assertResourceGroup(sub, rg);
    const value = [...ctx.world.templates.values()]
      .filter((t) => t.subscriptionId.toLowerCase() === sub.toLowerCase() && t.resourceGroup.toLowerCase() === rg.toLowerCase())
      .map((t) => ctx.renderTemplate(t));
    return ok({ value });
  });

  router.add('GET', T, (req) => {
    version(req);
    return ok(ctx.renderTemplate(find(req)));
  });

  router.add('PUT', T, async (req) => {
    const apiVersion = version(req);
    const { sub, rg, name } = req.params as { sub: string; rg: string; name: string };
    ctx.world.assertResourceGroup(sub, rg);
    if (!NAME_PATTERN.test(name)) {
      throw new ArmError(400, 'InvalidParameter', `The image template name '${name}' is invalid: it must match ^[A-Za-z0-9-_.]{1,64}$.`);
    }
    const id = templateId(sub, rg, name);
    if (ctx.world.templates.has(idKey(id))) {
      throw new ArmError(409, 'Conflict', `The image template '${name}' already exists. Update/Upgrade of image templates is currently not supported. Please delete the template and create it again.`);
    }
    await validateTemplateBody(apiVersion, req.body);
    const body = structuredClone(req.body as Json);
    // A racing PUT may have created it while this one was validating.
    if (ctx.world.templates.has(idKey(id))) throw new ArmError(409, 'Conflict', 'Update/Upgrade of image templates is currently not supported.');
    const t: TemplateRecord = {
      id,
      subscriptionId: sub,
      resourceGroup: rg,
      name,
      apiVersion,
      submitted: body,
      provisioningState: 'Creating',
      stagingCreatedByService: false,
      runOutputs: [],
      runIds: [],
      vhdBlobUrls: [],
      triggers: new Map(),
    };
    ctx.world.templates.set(idKey(id), t);
    const op = startOp(sub, t, apiVersion);
    void ctx.background(async () => {
      await ctx.sleep(ctx.timing().provisioningMs);
      if (ctx.world.templates.get(idKey(id)) !== t || t.provisioningState !== 'Creating') return;
      // The staging group exists after create, even a failed one (recorded).
      ensureStaging(ctx, t);
      // Resolved even when the create then fails (recorded).
      resolveSourceVersion(ctx, t);
      const failure = ctx.scenario.provisioningFailure ?? missingIdentity(ctx, t);
      if (failure) {
        t.provisioningState = 'Failed';
        t.provisioningError = { provisioningErrorCode: failure.provisioningErrorCode ?? 'Other', message: failure.message };
        ctx.ops.finish(op, 'Failed', { code: failure.code, message: failure.message });
      } else {
        if (ctx.scenario.checksumsAtCreate !== false) await fillChecksums(ctx, t);
        if (ctx.world.templates.get(idKey(id)) !== t || t.provisioningState !== 'Creating') return;
        t.provisioningState = 'Succeeded';
        ctx.ops.finish(op, 'Succeeded');
      }
    });
    // Recorded: 201, Azure-AsyncOperation only (no Location, no Retry-After), the body an echo in state Creating.
    return ok(ctx.renderTemplate(t, { echo: true }), 201, { 'Azure-AsyncOperation': ctx.ops.statusUrl(req.baseUrl, op) });
  });

  router.add('PATCH', T, async (req) => {
    const apiVersion = version(req);
    const t = find(req);
    await validateUpdateBody(apiVersion, req.body);
    if (isBusy(t)) throw notAllowed('write', t);
    const update = req.body as Json;
    const props = isRecord(update.properties) ? update.properties : {};
    const current = isRecord(t.submitted.properties) ? t.submitted.properties : {};
    if (Array.isArray(props.distribute)) {
      const given = new Set(props.distribute.filter(isRecord).map((d) => String(d.runOutputName).toLowerCase()));
      for (const d of Array.isArray(current.distribute) ? current.distribute.filter(isRecord) : []) {
        if (!given.has(String(d.runOutputName).toLowerCase())) {
          throw new ArmError(400, 'ValidationFailed', `Validation failed: Distribute target with Runoutput name ${String(d.runOutputName)} not found in the update request. Deleting a distribution target is not allowed.`);
        }
      }
      current.distribute = structuredClone(props.distribute);
    }
    if (isRecord(props.vmProfile)) current.vmProfile = structuredClone(props.vmProfile);
    if (update.tags !== undefined) t.submitted.tags = structuredClone(update.tags);
    if (update.identity !== undefined) t.submitted.identity = structuredClone(update.identity);
    t.submitted.properties = current;
    return ok(ctx.renderTemplate(t));
  });

  router.add('DELETE', T, (req) => {
    const apiVersion = version(req);
    const { sub, rg, name } = req.params as { sub: string; rg: string; name: string };
    ctx.world.assertResourceGroup(sub, rg);
    const t = ctx.world.templates.get(idKey(templateId(sub, rg, name)));
    if (!t) return { status: 204 };
    const canceling = t.lastRunStatus?.runState === 'Canceling';
    // Not recorded: DELETE while Canceling is either refused or queued behind the cancel (scenario).
    if (canceling ? (ctx.scenario.deleteWhileCanceling ?? 'conflict') === 'conflict' : isBusy(t)) throw notAllowed('delete', t);
    const op = startOp(sub, t, apiVersion);
    const previous = t.deleteDone;
    const waitFor = canceling ? (t.runDone ?? Promise.resolve()) : Promise.resolve();
    if (!canceling) t.provisioningState = 'Deleting';
    t.deleteDone = previous ?? ctx.background(async () => {
      await waitFor;
      t.provisioningState = 'Deleting';
      await ctx.sleep(ctx.timing().deleteMs);
      await removeTemplateArtifacts(ctx, t);
      if (ctx.world.templates.get(idKey(t.id)) === t) ctx.world.templates.delete(idKey(t.id));
    });
    void ctx.background(async () => {
      await t.deleteDone;
      ctx.ops.finish(op, 'Succeeded');
    });
    // Recorded: 202, empty body, Azure-AsyncOperation and Location both naming the operation.
    return { status: 202, headers: lroHeaders(req.baseUrl, op) };
  });

  router.add('POST', `${T}/run`, (req) => {
    const apiVersion = version(req);
    const t = find(req);
    if (t.provisioningState !== 'Succeeded' || isBusy(t)) throw notAllowed('run', t);
    if (t.deleteDone) throw notAllowed('run', t);
    const op = startOp(t.subscriptionId, t, apiVersion);
    const controller = new AbortController();
    const build = new SimulatedBuild(ctx, t, op, controller.signal);
    t.cancelRun = () => controller.abort();
    const done = ctx.background(() => build.run());
    t.runDone = done;
    void done.finally(() => {
      if (t.runDone === done) delete t.cancelRun;
    });
    // Recorded: 202, empty body, Azure-AsyncOperation and Location both naming the operation.
    return { status: 202, headers: lroHeaders(req.baseUrl, op) };
  });

  router.add('POST', `${T}/cancel`, (req) => {
    const apiVersion = version(req);
    const t = find(req);
    const run = t.lastRunStatus;
    if (run?.runState !== 'Running') throw notAllowed('cancel', t);
    void apiVersion;
    // Recorded right after the cancel: Canceling, this message, and no runSubState key at all.
    run.runState = 'Canceling';
    run.message = 'Canceling image build';
    delete run.runSubState;
    if (t.cancelRun) {
      t.cancelRun();
    } else {
      // A seeded run has no build behind it: it ends Canceled after the usual cancel time.
      t.runDone = cancelSeededRun(ctx, t, run);
    }
    // Recorded: 204, empty body, no Azure-AsyncOperation, Location or Retry-After: nothing to poll.
    return { status: 204 };
  });

  const renderOutput = (t: TemplateRecord, o: TemplateRecord['runOutputs'][number]) => ({
    id: `${serviceId(t.id)}/runOutputs/${o.name}`,
    name: o.name,
    type: 'Microsoft.VirtualMachineImages/imageTemplates/runOutputs',
    properties: {
      ...(o.artifactId ? { artifactId: o.artifactId } : {}),
      ...(o.artifactUri ? { artifactUri: o.artifactUri } : {}),
      provisioningState: 'Succeeded',
    },
  });

  router.add('GET', `${T}/runOutputs`, (req) => {
    version(req);
    const t = find(req);
    return ok({ value: t.runOutputs.map((o) => renderOutput(t, o)) });
  });

  router.add('GET', `${T}/runOutputs/{output}`, (req) => {
    version(req);
    const t = find(req);
    const wanted = (req.params.output as string).toLowerCase();
    const o = t.runOutputs.find((x) => x.name.toLowerCase() === wanted);
    if (!o) throw notFound('Microsoft.VirtualMachineImages/imageTemplates/runOutputs', `${t.name}/${req.params.output as string}`, t.resourceGroup);
    return ok(renderOutput(t, o));
  });

  // ---- triggers ------------------------------------------------------------------------

  const renderTrigger = (t: TemplateRecord, name: string, trigger: Json) => ({
    id: `${t.id}/triggers/${name}`,
    name,
    type: 'Microsoft.VirtualMachineImages/imageTemplates/triggers',
    properties: trigger,
  });

  router.add('GET', `${T}/triggers`, (req) => {
    version(req);
    const t = find(req);
    return ok({ value: [...t.triggers.entries()].map(([n, tr]) => renderTrigger(t, n, tr)) });
  });

  router.add('GET', `${T}/triggers/{trigger}`, (req) => {
    version(req);
    const t = find(req);
    const name = req.params.trigger as string;
    const tr = t.triggers.get(name.toLowerCase());
    if (!tr) throw notFound('Microsoft.VirtualMachineImages/imageTemplates/triggers', `${t.name}/${name}`, t.resourceGroup);
    return ok(renderTrigger(t, name, tr));
  });

  router.add('PUT', `${T}/triggers/{trigger}`, async (req) => {
    const apiVersion = version(req);
    const t = find(req);
    await validateTriggerBody(apiVersion, req.body);
    const name = req.params.trigger as string;
    const existed = t.triggers.has(name.toLowerCase());
    const kind = String(((req.body as Json).properties as Json).kind);
    // Recorded (trigger recording, 2025): "Trigger is active", a Go time.
    const trigger: Json = { kind, status: { code: 'Healthy', message: 'Trigger is active', time: goTime() }, provisioningState: 'Succeeded' };
    t.triggers.set(name.toLowerCase(), trigger);
    const op = startOp(t.subscriptionId, t, apiVersion);
    ctx.ops.finish(op, 'Succeeded');
    return ok(renderTrigger(t, name, trigger), existed ? 200 : 201, { 'Azure-AsyncOperation': ctx.ops.statusUrl(req.baseUrl, op) });
  });

  router.add('DELETE', `${T}/triggers/{trigger}`, (req) => {
    const apiVersion = version(req);
    const t = find(req);
    if (!t.triggers.delete((req.params.trigger as string).toLowerCase())) return { status: 204 };
    // Recorded: 202 with both headers, like the template's own DELETE.
    const op = startOp(t.subscriptionId, t, apiVersion);
    ctx.ops.finish(op, 'Succeeded');
    return { status: 202, headers: lroHeaders(req.baseUrl, op) };
  });

  // ---- operations ------------------------------------------------------------------------

  router.add('GET', `/subscriptions/{sub}${PROVIDER}/locations/{loc}/operations/{id}`, (req): ArmReply => {
    version(req);
    return ctx.ops.statusReply(req.params.id as string);
  });

  router.add('GET', `/subscriptions/{sub}${PROVIDER}/locations/{loc}/operationresults/{id}`, (req): ArmReply => {
    version(req);
    return ctx.ops.resultReply(req.params.id as string);
  });

  router.add('GET', `${PROVIDER}/operations`, (req) => {
    version(req);
    return ok({ value: PROVIDER_OPERATIONS });
  });
}

function cancelSeededRun(ctx: EmulatorContext, t: TemplateRecord, run: RunStatus): Promise<void> {
  return ctx.background(async () => {
    await ctx.sleep(ctx.timing().cancelMs);
    await ctx.cancelingReleased();
    if (t.lastRunStatus !== run) return;
    Object.assign(run, { runState: 'Canceled', endTime: goTime(), message: 'Build was canceled by the user.' });
    delete run.runSubState;
  });
}

/**
 * The service downloads each script (Shell/PowerShell scriptUri, File sourceUri)
 * while creating and fills in the sha256Checksum the user left out (recorded).
 * A download that fails leaves it out (what the service does then is not recorded).
 */
async function fillChecksums(ctx: EmulatorContext, t: TemplateRecord): Promise<void> {
  const props = isRecord(t.submitted.properties) ? t.submitted.properties : {};
  const customize = Array.isArray(props.customize) ? props.customize : [];
  const identity = ctx.templateIdentity(t) ?? '';
  for (const [i, c] of customize.entries()) {
    if (!isRecord(c) || (typeof c.sha256Checksum === 'string' && c.sha256Checksum !== '')) continue;
    const uri = c.type === 'File' ? c.sourceUri : c.type === 'Shell' || c.type === 'PowerShell' ? c.scriptUri : undefined;
    if (typeof uri !== 'string' || uri === '') continue;
    try {
      const fetched = await fetchArtifact(uri, () => storageTokenFor(ctx, identity), ctx.shutdown.signal);
      t.serviceChecksums = { ...t.serviceChecksums, [i]: fetched.sha256 };
    } catch {
      // Left out, as documented above.
    }
  }
}

/**
 * After a create the service has resolved the source: `latest` of a platform
 * image becomes the concrete version (recorded), a gallery `latest` the version id.
 */
function resolveSourceVersion(ctx: EmulatorContext, t: TemplateRecord): void {
  const source = isRecord(t.submitted.properties) && isRecord(t.submitted.properties.source) ? t.submitted.properties.source : undefined;
  if (source?.type === 'PlatformImage') {
    const img = ctx.world.platformImage(String(t.submitted.location), String(source.publisher), String(source.offer), String(source.sku), String(source.version));
    if (img) t.exactVersion = img.version;
  }
}

/** The service refuses a template whose identity does not exist (when the world knows identities at all). */
function missingIdentity(ctx: EmulatorContext, t: TemplateRecord): { code: string; message: string; provisioningErrorCode?: string } | undefined {
  const id = ctx.templateIdentity(t);
  if (!id || ctx.world.get(id)) return undefined;
  const p = parseResourceId(id);
  return {
    code: 'Other',
    message: `The user assigned identity '${id}' was not found${p?.resourceGroup ? ` in resource group '${p.resourceGroup}'` : ''}. Please check that it exists and that the template is allowed to use it.`,
  };
}
