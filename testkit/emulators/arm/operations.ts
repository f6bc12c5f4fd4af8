/**
 * Long-running operations as Image Builder exposes them: one operation-status
 * resource per create, run and delete, `.../locations/{loc}/operations/{id}`,
 * answering `200 {name, status, startTime[, endTime][, error]}` whatever the
 * status (recorded; the name is an upper-case GUID, the URL spells it in lower
 * case, times have up to 7 fractional digits, trailing zeros trimmed). URLs are absolute and built from the
 * server's own base URL, because pollers use them verbatim; since about December
 * 2023 they carry a signed query the client must keep.
 */
import { ArmError, type ArmReply } from './http';
import { dotnetTime, signedOperationQuery } from './recorded';
import { newGuid } from './resourceIds';

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';

export interface OperationRecord {
  id: string;
  subscriptionId: string;
  location: string;
  apiVersion: string;
  status: OperationStatus;
  startTime: string;
  endTime?: string;
  error?: { code: string; message: string };
  /** The signed query appended to the URL, or '' for the plain URL of older recordings. */
  signedQuery: string;
  /** The Location header's own signed query (same path, other t, s and h). */
  locationQuery: string;
  /** Settles when the operation leaves InProgress. */
  done: Promise<void>;
  settle: () => void;
}

export class OperationStore {
  private readonly ops = new Map<string, OperationRecord>();

  start(subscriptionId: string, location: string, apiVersion: string, signed = true): OperationRecord {
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    const op: OperationRecord = {
      id: newGuid().toUpperCase(),
      subscriptionId,
      location: location.toLowerCase().replace(/\s+/g, ''),
      apiVersion,
      status: 'InProgress',
      startTime: dotnetTime(),
      signedQuery: '',
      locationQuery: '',
      done,
      settle,
    };
    if (signed) {
      const now = Date.now();
      op.signedQuery = signedOperationQuery(now);
      const c = new URLSearchParams(op.signedQuery).get('c') ?? undefined;
      op.locationQuery = signedOperationQuery(now + 2, c);
    }
    this.ops.set(op.id.toLowerCase(), op);
    return op;
  }

  finish(op: OperationRecord, status: Exclude<OperationStatus, 'InProgress'>, error?: { code: string; message: string }): void {
    if (op.status !== 'InProgress') return;
    op.status = status;
    op.endTime = dotnetTime();
    if (error) op.error = error;
    op.settle();
  }

  get inProgress(): number {
    return [...this.ops.values()].filter((o) => o.status === 'InProgress').length;
  }

  private path(op: OperationRecord, kind: 'operations' | 'operationresults'): string {
    return `/subscriptions/${op.subscriptionId}/providers/Microsoft.VirtualMachineImages/locations/${op.location}/${kind}/${op.id.toLowerCase()}`;
  }

  /**
   * The URL of Azure-AsyncOperation, or with `header` 'Location' the one the
   * Location header of run and delete carries: the same operation, with its own
   * signature when signed (equal strings only in the unsigned era).
   */
  statusUrl(baseUrl: string, op: OperationRecord, header: 'Azure-AsyncOperation' | 'Location' = 'Azure-AsyncOperation'): string {
    const query = header === 'Location' ? op.locationQuery : op.signedQuery;
    return `${baseUrl}${this.path(op, 'operations')}?api-version=${op.apiVersion}${query ? `&${query}` : ''}`;
  }

  private find(id: string): OperationRecord {
    const op = this.ops.get(id.toLowerCase());
    if (!op) throw new ArmError(404, 'ResourceNotFound', `The operation '${id}' was not found.`);
    return op;
  }

  body(op: OperationRecord): Record<string, unknown> {
    return {
      name: op.id,
      status: op.status,
      startTime: op.startTime,
      ...(op.endTime ? { endTime: op.endTime } : {}),
      ...(op.error ? { error: op.error } : {}),
    };
  }

  /** GET .../operations/{id}: always 200, the state is in the body. */
  statusReply(id: string): ArmReply {
    return { status: 200, body: this.body(this.find(id)) };
  }

  /**
   * GET .../operationresults/{id}: never handed out by Image Builder (no recording
   * shows it); kept with Location semantics for clients that build it themselves.
   */
  resultReply(id: string): ArmReply {
    const op = this.find(id);
    switch (op.status) {
      case 'InProgress':
        return { status: 202 };
      case 'Succeeded':
        return { status: 204 };
      default:
        throw new ArmError(400, op.error?.code ?? op.status, op.error?.message ?? `The operation ended ${op.status}.`);
    }
  }
}
