/**
 * Microsoft.Resources and friends: subscriptions, resource groups, provider
 * registration, Microsoft.Authorization/permissions at any scope, and
 * user-assigned managed identities.
 */
import type { EmulatorContext } from '../context';
import { ArmError, isRecord, notFound, ok } from '../http';
import { lastName, resourceGroupId } from '../resourceIds';
import type { Router } from '../router';
import { TYPES } from '../world';
import { requireApiVersion } from './compute';

export function registerResources(router: Router, ctx: EmulatorContext): void {
  const subscriptionJson = (subscriptionId: string) => {
    const s = ctx.world.subscriptions.get(subscriptionId.toLowerCase());
    return {
      id: `/subscriptions/${subscriptionId}`,
      subscriptionId,
      tenantId: s?.tenantId ?? ctx.world.tenantOf(subscriptionId),
      displayName: s?.displayName ?? `Subscription ${subscriptionId}`,
      state: 'Enabled',
    };
  };

  router.add('GET', '/subscriptions', (req) => {
    requireApiVersion(req);
    return ok({ value: [...ctx.world.subscriptions.values()].map((s) => subscriptionJson(s.subscriptionId)) });
  });

  router.add('GET', '/subscriptions/{sub}', (req) => {
    requireApiVersion(req);
    ctx.world.assertSubscription(req.params.sub as string);
    return ok(subscriptionJson(req.params.sub as string));
  });

  router.add('GET', '/subscriptions/{sub}/resourcegroups', (req) => {
    requireApiVersion(req);
    const sub = req.params.sub as string;
    ctx.world.assertSubscription(sub);
    return ok({ value: ctx.world.list(TYPES.resourceGroup, `/subscriptions/${sub}`).filter((r) => r.id.split('/').length === 5).map((r) => structuredClone(r.json)) });
  });

  router.add('GET', '/subscriptions/{sub}/resourcegroups/{rg}', (req) => {
    requireApiVersion(req);
    const rg = ctx.world.assertResourceGroup(req.params.sub as string, req.params.rg as string);
    // HEAD (routed here too) answers 204 like ARM's check-existence call.
    return req.method === 'HEAD' ? { status: 204 } : ok(structuredClone(rg.json));
  });

  router.add('PUT', '/subscriptions/{sub}/resourcegroups/{rg}', (req) => {
    requireApiVersion(req);
    const { sub, rg } = req.params as Record<string, string>;
    ctx.world.assertSubscription(sub as string);
    const body = isRecord(req.body) ? req.body : {};
    if (typeof body.location !== 'string') throw new ArmError(400, 'LocationRequired', 'The location property is required for this definition.');
    const existed = ctx.world.get(resourceGroupId(sub as string, rg as string)) !== undefined;
    const r = ctx.world.putResourceGroup(sub as string, rg as string, body.location, (body.tags as Record<string, string> | undefined) ?? {});
    return ok(structuredClone(r.json), existed ? 200 : 201);
  });

  router.add('DELETE', '/subscriptions/{sub}/resourcegroups/{rg}', (req) => {
    requireApiVersion(req);
    const id = resourceGroupId(req.params.sub as string, req.params.rg as string);
    if (!ctx.world.get(id)) return { status: 204 };
    ctx.world.deleteResourceGroup(id);
    return { status: 200 };
  });

  router.add('GET', '/subscriptions/{sub}/providers/{namespace}', (req) => {
    requireApiVersion(req);
    const { sub, namespace } = req.params as Record<string, string>;
    ctx.world.assertSubscription(sub as string);
    return ok({
      id: `/subscriptions/${sub}/providers/${namespace}`,
      namespace,
      registrationState: ctx.world.providerState(sub as string, namespace as string) ?? 'NotRegistered',
      registrationPolicy: 'RegistrationRequired',
      resourceTypes: [],
    });
  });

  router.add('GET', '{*scope}/providers/Microsoft.Authorization/permissions', (req) => {
    requireApiVersion(req);
    const scope = req.params.scope as string;
    const value = ctx.world.permissionsAt(scope).map((p) => ({
      actions: p.actions,
      notActions: p.notActions ?? [],
      dataActions: p.dataActions ?? [],
      notDataActions: p.notDataActions ?? [],
    }));
    return ok({ value });
  });

  router.add('GET', '/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}', (req) => {
    requireApiVersion(req);
    const { sub, rg, name } = req.params as Record<string, string>;
    ctx.world.assertResourceGroup(sub as string, rg as string);
    const r = ctx.world.get(`${resourceGroupId(sub as string, rg as string)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`);
    if (!r || r.type !== TYPES.identity) throw notFound('Microsoft.ManagedIdentity/userAssignedIdentities', name as string, rg);
    return ok({ ...structuredClone(r.json), name: lastName(r.id) });
  });
}
