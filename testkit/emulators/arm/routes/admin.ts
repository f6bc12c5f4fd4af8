/**
 * The admin API under /_emulator/: the same operations as the in-process
 * methods, for a child process (the task, `npm start`) that drives the
 * emulator over HTTP. Not ARM: no auth, no faults, not in the request log.
 */
import { faultFromJson } from '../faults';
import { ArmError, isRecord, ok } from '../http';
import { Router } from '../router';
import type { ArmEmulator, BuildScenario, World } from '../types';

export function adminRouter(emulator: Omit<ArmEmulator, 'url' | 'stop'> & { clearFaults(): void }): Router {
  const router = new Router();
  const body = (v: unknown): Record<string, unknown> => {
    if (!isRecord(v)) throw new ArmError(400, 'InvalidRequestContent', 'The admin API expects a JSON object body.');
    return v;
  };
  router.add('GET', '/_emulator/state', () => ok(emulator.state()));
  router.add('POST', '/_emulator/seed', (req) => {
    try {
      emulator.seed(body(req.body) as Partial<World>);
    } catch (err) {
      if (err instanceof ArmError) throw err;
      throw new ArmError(400, 'InvalidSeed', (err as Error).message);
    }
    return { status: 204 };
  });
  router.add('POST', '/_emulator/scenario', (req) => {
    emulator.setScenario(body(req.body) as Partial<BuildScenario>);
    return { status: 204 };
  });
  router.add('POST', '/_emulator/faults', (req) => {
    try {
      emulator.injectFault(faultFromJson(body(req.body)));
    } catch (err) {
      if (err instanceof ArmError) throw err;
      throw new ArmError(400, 'InvalidFault', (err as Error).message);
    }
    return { status: 204 };
  });
  router.add('DELETE', '/_emulator/faults', () => {
    emulator.clearFaults();
    return { status: 204 };
  });
  router.add('GET', '/_emulator/requests', () => ok({ value: emulator.requests() }));
  router.add('DELETE', '/_emulator/requests', () => {
    emulator.clearRequests();
    return { status: 204 };
  });
  return router;
}
