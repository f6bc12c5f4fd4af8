/**
 * Microsoft.Storage/storageAccounts: list, get and listKeys. Every account is
 * an Azurite account: its primary blob endpoint and its key come from Azurite.
 */
import type { EmulatorContext } from '../context';
import { notFound, ok } from '../http';
import { lastName, resourceGroupId } from '../resourceIds';
import type { Router } from '../router';
import { TYPES } from '../world';
import { requireApiVersion } from './compute';

const RG = '/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts';

export function registerStorage(router: Router, ctx: EmulatorContext): void {
  const find = (p: Record<string, string>) => {
    ctx.world.assertResourceGroup(p.sub as string, p.rg as string);
    const r = ctx.world.get(`${resourceGroupId(p.sub as string, p.rg as string)}/providers/Microsoft.Storage/storageAccounts/${p.name}`);
    if (!r || r.type !== TYPES.storageAccount) throw notFound('Microsoft.Storage/storageAccounts', p.name as string, p.rg);
    return r;
  };

  router.add('GET', '/subscriptions/{sub}/providers/Microsoft.Storage/storageAccounts', (req) => {
    requireApiVersion(req);
    const sub = req.params.sub as string;
    ctx.world.assertSubscription(sub);
    return ok({ value: ctx.storageAccountResources(`/subscriptions/${sub}`).map((r) => ctx.renderStorageAccount(r)) });
  });

  router.add('GET', RG, (req) => {
    requireApiVersion(req);
    const { sub, rg } = req.params as Record<string, string>;
    ctx.world.assertResourceGroup(sub as string, rg as string);
    return ok({ value: ctx.storageAccountResources(resourceGroupId(sub as string, rg as string)).map((r) => ctx.renderStorageAccount(r)) });
  });

  router.add('GET', `${RG}/{name}`, (req) => {
    requireApiVersion(req);
    return ok(ctx.renderStorageAccount(find(req.params)));
  });

  router.add('POST', `${RG}/{name}/listKeys`, (req) => {
    requireApiVersion(req);
    const key = ctx.options.storage.accountKey(lastName(find(req.params).id));
    const creationTime = new Date(0).toISOString();
    return ok({
      keys: [
        { keyName: 'key1', value: key, permissions: 'FULL', creationTime },
        // Azurite knows one key per account; the second is the same so either works.
        { keyName: 'key2', value: key, permissions: 'FULL', creationTime },
      ],
    });
  });
}
