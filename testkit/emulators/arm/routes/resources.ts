/**
 * Microsoft.Resources and friends: subscriptions, their locations, resource
 * groups, the generic resource list (with a `$filter` on resourceType, name and
 * location), provider registration, Microsoft.Authorization/permissions at any
 * scope, role assignments of a principal and role definitions, and
 * user-assigned managed identities.
 */
import { BUILT_IN_ROLES } from '../catalogs';
import type { EmulatorContext } from '../context';
import { ArmError, isRecord, notFound, ok, type ArmRequest } from '../http';
import { locationJson } from '../locations';
import { isWithinScope, lastName, parseResourceId, resourceGroupId, stableGuid } from '../resourceIds';
import type { Router } from '../router';
import type { PermissionSeed } from '../types';
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

  router.add('GET', '/subscriptions/{sub}/locations', (req) => {
    requireApiVersion(req);
    const sub = req.params.sub as string;
    ctx.world.assertSubscription(sub);
    return ok({ value: ctx.world.locations.map((name) => locationJson(sub, name)) });
  });

  const resourceList = (req: ArmRequest, scope: string) => {
    const matches = resourceFilter(req.query.get('$filter'));
    const templates = [...ctx.world.templates.values()].map((t) => ({
      id: t.id,
      type: 'Microsoft.VirtualMachineImages/imageTemplates',
      location: t.submitted.location,
      tags: t.submitted.tags,
    }));
    const resources = [...ctx.world.resources.values()]
      .filter((r) => r.type !== TYPES.resourceGroup)
      .map((r) => ({ id: r.id, type: r.type as string, location: r.json.location, tags: r.json.tags }));
    const value = [...resources, ...templates]
      .filter((r) => isWithinScope(r.id, scope))
      .map((r) => genericResource(r.id, r.type, r.location, r.tags))
      .filter(matches);
    return ok({ value });
  };

  router.add('GET', '/subscriptions/{sub}/resources', (req) => {
    requireApiVersion(req);
    const sub = req.params.sub as string;
    ctx.world.assertSubscription(sub);
    return resourceList(req, `/subscriptions/${sub}`);
  });

  router.add('GET', '/subscriptions/{sub}/resourcegroups/{rg}/resources', (req) => {
    requireApiVersion(req);
    const { sub, rg } = req.params as Record<string, string>;
    ctx.world.assertResourceGroup(sub as string, rg as string);
    return resourceList(req, resourceGroupId(sub as string, rg as string));
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

  router.add('GET', '{*scope}/providers/Microsoft.Authorization/roleAssignments', (req) => {
    requireApiVersion(req);
    const scope = req.params.scope as string;
    // Reading role assignments needs that right at the scope, like everything else; the caller is the connection.
    if (!allows(ctx.world.permissionsAt(scope), 'Microsoft.Authorization/roleAssignments/read')) {
      throw new ArmError(403, 'AuthorizationFailed', `The client does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/read' over scope '${scope}' or the scope is invalid.`);
    }
    const filter = roleAssignmentFilter(req.query.get('$filter'));
    if (!filter.principalId) throw new ArmError(400, 'UnsupportedQuery', 'The stand-in answers role assignments of one principal only (assignedTo or principalId eq).');
    const sub = parseResourceId(scope)?.subscriptionId ?? /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1] ?? '';
    const value = ctx.world
      .assignmentsOf(filter.principalId, sub)
      .filter((a) => isWithinScope(scope, a.scope) || (!filter.atScope && isWithinScope(a.scope, scope)))
      .map((a) => {
        const guid = ctx.world.roleGuid(a.role);
        const name = stableGuid(`assignment:${a.principalId}:${a.scope}:${guid}`.toLowerCase());
        return {
          id: `${a.scope.replace(/\/+$/, '')}/providers/Microsoft.Authorization/roleAssignments/${name}`,
          name,
          type: 'Microsoft.Authorization/roleAssignments',
          properties: {
            roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
            principalId: a.principalId,
            principalType: 'ServicePrincipal',
            scope: a.scope,
          },
        };
      });
    return ok({ value });
  });

  router.add('GET', '{*scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}', (req) => {
    requireApiVersion(req);
    const { scope, guid } = req.params as Record<string, string>;
    const d = ctx.world.roleDefinition(guid as string);
    if (!d) throw new ArmError(404, 'RoleDefinitionDoesNotExist', 'The specified role definition with ID \'' + guid + '\' does not exist.');
    return ok({
      id: `${(scope as string).replace(/\/+$/, '')}/providers/Microsoft.Authorization/roleDefinitions/${d.name}`,
      name: d.name,
      type: 'Microsoft.Authorization/roleDefinitions',
      properties: {
        roleName: d.roleName,
        type: BUILT_IN_ROLES.some((r) => r.name === d.name) ? 'BuiltInRole' : 'CustomRole',
        assignableScopes: ['/'],
        permissions: d.permissions.map((p) => ({ actions: p.actions, notActions: p.notActions ?? [], dataActions: p.dataActions ?? [], notDataActions: p.notDataActions ?? [] })),
      },
    });
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

interface GenericResource {
  id: string;
  name: string;
  type: string;
  location?: unknown;
  tags?: unknown;
}

/** A resource as the generic list shows it: a child resource is named by its names joined, e.g. gallery/image. */
function genericResource(id: string, type: string, location: unknown, tags: unknown): GenericResource {
  const names = parseResourceId(id)?.path.map(([, n]) => n) ?? [lastName(id)];
  return { id, name: names.join('/'), type, ...(location !== undefined ? { location } : {}), ...(tags !== undefined ? { tags } : {}) };
}

const FILTER_TERM = /^(resourceType|name|location)\s+eq\s+'([^']*)'$/i;

/**
 * The `$filter` of the generic resource list: `eq` terms on resourceType, name
 * or location joined by `and` / `or` (and binds tighter), compared without case
 * as ARM does. Anything else is refused rather than silently ignored, so a test
 * never passes on a filter the emulator did not apply.
 */
export function resourceFilter(filter: string | null): (r: GenericResource) => boolean {
  if (filter === null || filter.trim() === '') return () => true;
  const groups = filter
    .trim()
    .split(/\s+or\s+/i)
    .map((group) =>
      group.split(/\s+and\s+/i).map((term) => {
        const m = FILTER_TERM.exec(term.trim().replace(/^\((.*)\)$/, '$1').trim());
        if (!m) throw new ArmError(400, 'InvalidFilterInQueryString', `Invalid $filter '${filter}' specified in the query string.`);
        return { field: (m[1] as string).toLowerCase(), value: (m[2] as string).toLowerCase() };
      }),
    );
  const fieldOf = (r: GenericResource, field: string): string => {
    if (field === 'resourcetype') return r.type;
    if (field === 'name') return r.name;
    return typeof r.location === 'string' ? r.location : '';
  };
  return (r) => groups.some((terms) => terms.every((t) => fieldOf(r, t.field).toLowerCase() === t.value));
}

/**
 * The role assignment `$filter`s the stand-in understands: `atScope()`,
 * `assignedTo('{id}')` and `principalId eq '{id}'`, joined by `and`.
 */
export function roleAssignmentFilter(filter: string | null): { atScope: boolean; principalId?: string } {
  const result: { atScope: boolean; principalId?: string } = { atScope: false };
  if (filter === null || filter.trim() === '') return result;
  for (const term of filter.trim().split(/\s+and\s+/i)) {
    const t = term.trim();
    const assigned = /^assignedTo\('([^']+)'\)$/i.exec(t) ?? /^principalId\s+eq\s+'([^']+)'$/i.exec(t);
    if (/^atScope\(\)$/i.test(t)) result.atScope = true;
    else if (assigned) result.principalId = assigned[1];
    else throw new ArmError(400, 'InvalidFilterInQueryString', `Invalid $filter '${filter}' specified in the query string.`);
  }
  return result;
}

/** RBAC's matching of an action against the permissions answered at a scope (`*` matches any run of characters). */
function allows(permissions: readonly PermissionSeed[], action: string): boolean {
  const matches = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`, 'i').test(action);
  return permissions.some((p) => p.actions.some(matches) && !(p.notActions ?? []).some(matches));
}
