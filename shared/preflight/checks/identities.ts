/** The template's identity and every build VM identity exist (their ids were validated as ids already). */
import type { InputName } from '../../config/inputNames';
import type { CheckResult, PreflightContext } from '../types';
import { checkLines } from './result';

export async function checkIdentities(ctx: PreflightContext): Promise<CheckResult[]> {
  const line = checkLines('identities');
  const wanted: Array<{ id: string; input: InputName }> = [
    { id: ctx.config.target.managedIdentity, input: 'managedIdentity' },
    ...ctx.config.buildVm.userAssignedIdentities.map((id) => ({ id, input: 'buildVmIdentities' as const })),
  ];
  return Promise.all(
    wanted.map(async ({ id, input }) => {
      const identity = await ctx.reader.getIdentity(id, ctx.signal);
      return identity ? line.passed('PreflightIdentityFound', id) : line.failed(input, 'PreflightIdentityNotFound', id, input);
    }),
  );
}
