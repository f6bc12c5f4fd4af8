/**
 * Resource providers the build needs, registered in the subscription. An
 * unregistered provider otherwise fails the template PUT or, worse, the build
 * an hour in (Network and ContainerInstance are used only by the build VM).
 */
import type { InputName } from '../../config/inputNames';
import type { CheckResult, PreflightContext } from '../types';
import { checkLines } from './result';

interface RequiredProvider {
  namespace: string;
  /** The input that makes it needed. */
  input: InputName;
}

function requiredProviders(ctx: PreflightContext): RequiredProvider[] {
  const providers: RequiredProvider[] = [
    { namespace: 'Microsoft.VirtualMachineImages', input: 'azureSubscription' },
    { namespace: 'Microsoft.Compute', input: 'azureSubscription' },
    { namespace: 'Microsoft.Storage', input: 'azureSubscription' },
  ];
  const vnet = ctx.config.buildVm.vnet;
  if (vnet) providers.push({ namespace: 'Microsoft.Network', input: 'vnetSubnetId' });
  if (vnet?.containerInstanceSubnetId) providers.push({ namespace: 'Microsoft.ContainerInstance', input: 'containerInstanceSubnetId' });
  return providers;
}

export async function checkResourceProviders(ctx: PreflightContext): Promise<CheckResult[]> {
  const line = checkLines('resourceProviders');
  const sub = ctx.subscriptionId;
  return Promise.all(
    requiredProviders(ctx).map(async ({ namespace, input }) => {
      const registration = await ctx.reader.getProviderRegistration(namespace, ctx.signal);
      const state = registration?.registrationState ?? 'NotRegistered';
      switch (state.toLowerCase()) {
        case 'registered':
          return line.passed('PreflightProviderRegistered', namespace);
        case 'registering':
          return line.warning(input, 'PreflightProviderRegistering', namespace, sub, `az provider show --namespace ${namespace} --subscription ${sub} --query registrationState`);
        default:
          return line.failed(input, 'PreflightProviderNotRegistered', namespace, sub, state, `az provider register --namespace ${namespace} --subscription ${sub}`);
      }
    }),
  );
}
