/**
 * An HTTPS server that answers like Azure Resource Manager for everything the
 * task uses (Image Builder templates with a simulated build, Compute images and
 * galleries, storage accounts backed by Azurite, identities, resource groups,
 * providers, permissions), with a request log, fault injection and scenario
 * control, in process or through the admin API under /_emulator/.
 */
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { EmulatorContext } from './context';
import { registerCompute } from './routes/compute';
import { adminRouter } from './routes/admin';
import { registerImageTemplates } from './routes/imageTemplates';
import { registerResources } from './routes/resources';
import { registerStorage } from './routes/storage';
import { Router } from './router';
import { RequestHandler } from './server';
import type { ArmEmulator, ArmEmulatorOptions, BuildScenario, FaultSpec, RequestLogEntry, World, WorldSnapshot } from './types';

export type * from './types';
export { ARM_AUDIENCE } from './server';
export { DEFAULT_TIMING } from './context';
export {
  RECORDED_TIMING,
  scaledTiming,
  recordedTransientPutFault,
  recordedProvisioningFailure,
  INTERNAL_OPERATION_ERROR,
  ZERO_TIME,
} from './recorded';

export async function startArmEmulator(options: ArmEmulatorOptions): Promise<ArmEmulator> {
  const ctx = new EmulatorContext(options);
  const arm = new Router();
  registerImageTemplates(arm, ctx);
  registerCompute(arm, ctx);
  registerStorage(arm, ctx);
  registerResources(arm, ctx);

  let handler: RequestHandler | undefined;
  const api = {
    seed: (world: Partial<World>) => {
      ctx.world.seed(world);
      ctx.changed();
    },
    state: () => ctx.world.snapshot((t) => ctx.renderTemplate(t), ctx.ops.inProgress),
    requests: () => (handler as RequestHandler).log.map((e) => ({ ...e, query: { ...e.query } })),
    clearRequests: () => {
      (handler as RequestHandler).log.length = 0;
    },
    waitForRequest: (match: (entry: RequestLogEntry) => boolean, signal?: AbortSignal) =>
      new Promise<RequestLogEntry>((resolve, reject) => {
        const h = handler as RequestHandler;
        const seen = h.log.find(match);
        if (seen) return resolve({ ...seen });
        const onAbort = () => {
          h.arrivals.delete(listener);
          reject(signal?.reason ?? new Error('stopped waiting for a request'));
        };
        const listener = (entry: RequestLogEntry) => {
          if (!match(entry)) return;
          h.arrivals.delete(listener);
          signal?.removeEventListener('abort', onAbort);
          resolve({ ...entry });
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        h.arrivals.add(listener);
      }),
    waitForState: (ready: (state: WorldSnapshot) => boolean, signal?: AbortSignal) =>
      new Promise<WorldSnapshot>((resolve, reject) => {
        const onAbort = () => {
          ctx.changeListeners.delete(check);
          reject(signal?.reason ?? new Error('stopped waiting for a state'));
        };
        function check(): void {
          const state = api.state();
          if (!ready(state)) return;
          ctx.changeListeners.delete(check);
          signal?.removeEventListener('abort', onAbort);
          resolve(state);
        }
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        ctx.changeListeners.add(check);
        check();
      }),
    injectFault: (f: FaultSpec) => ctx.faults.add(f),
    clearFaults: () => ctx.faults.clear(),
    setScenario: (s: Partial<BuildScenario>) => {
      ctx.scenario = { ...ctx.scenario, ...s };
    },
    holdCanceling: () => ctx.holdCanceling(),
  };
  handler = new RequestHandler(ctx, arm, adminRouter(api));

  const server = https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  ctx.baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      ctx.shutdown.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await ctx.drain();
      await closed;
    })();
    return stopping;
  };

  return {
    url: ctx.baseUrl,
    seed: api.seed,
    state: api.state,
    requests: api.requests,
    clearRequests: api.clearRequests,
    waitForRequest: api.waitForRequest,
    waitForState: api.waitForState,
    injectFault: api.injectFault,
    setScenario: api.setScenario,
    holdCanceling: api.holdCanceling,
    stop,
  };
}
