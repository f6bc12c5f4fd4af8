/**
 * Long-running operations as ARM exposes them: an operation-status resource
 * (Azure-AsyncOperation semantics: always 200, state in `status`) and an
 * operation-result URL (Location semantics: 202 while running). URLs are absolute
 * and built from the server's own base URL, because pollers use them verbatim.
 */
import { ArmError, type ArmReply } from './http';
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
  /** The operation was announced with Location only (DELETE): its status URL answers 202 while running. */
  locationSemantics: boolean;
}

export class OperationStore {
  private readonly ops = new Map<string, OperationRecord>();

  start(subscriptionId: string, location: string, apiVersion: string, locationSemantics = false): OperationRecord {
    const op: OperationRecord = {
      id: newGuid().toUpperCase(),
      subscriptionId,
      location: location.toLowerCase().replace(/\s+/g, ''),
      apiVersion,
      status: 'InProgress',
      startTime: new Date().toISOString(),
      locationSemantics,
    };
    this.ops.set(op.id.toLowerCase(), op);
    return op;
  }

  finish(op: OperationRecord, status: Exclude<OperationStatus, 'InProgress'>, error?: { code: string; message: string }): void {
    if (op.status !== 'InProgress') return;
    op.status = status;
    op.endTime = new Date().toISOString();
    if (error) op.error = error;
  }

  get inProgress(): number {
    return [...this.ops.values()].filter((o) => o.status === 'InProgress').length;
  }

  private path(op: OperationRecord, kind: 'operations' | 'operationresults'): string {
    return `/subscriptions/${op.subscriptionId}/providers/Microsoft.VirtualMachineImages/locations/${op.location}/${kind}/${op.id}`;
  }

  statusUrl(baseUrl: string, op: OperationRecord): string {
    return `${baseUrl}${this.path(op, 'operations')}?api-version=${op.apiVersion}`;
  }

  resultUrl(baseUrl: string, op: OperationRecord): string {
    return `${baseUrl}${this.path(op, 'operationresults')}?api-version=${op.apiVersion}`;
  }

  private find(id: string): OperationRecord {
    const op = this.ops.get(id.toLowerCase());
    if (!op) throw new ArmError(404, 'ResourceNotFound', `The operation '${id}' was not found.`);
    return op;
  }

  body(op: OperationRecord): Record<string, unknown> {
    return {
      id: this.path(op, 'operations'),
      name: op.id,
      status: op.status,
      startTime: op.startTime,
      ...(op.endTime ? { endTime: op.endTime, percentComplete: 100 } : {}),
      ...(op.error ? { error: op.error } : {}),
    };
  }

  /** GET .../operations/{id} */
  statusReply(id: string): ArmReply {
    const op = this.find(id);
    if (op.locationSemantics) return this.locationReply(op, true);
    return { status: 200, body: this.body(op) };
  }

  /** GET .../operationresults/{id} */
  resultReply(id: string): ArmReply {
    return this.locationReply(this.find(id), false);
  }

  private locationReply(op: OperationRecord, withBody: boolean): ArmReply {
    switch (op.status) {
      case 'InProgress':
        return { status: 202, ...(withBody ? { body: this.body(op) } : {}) };
      case 'Succeeded':
        return withBody ? { status: 200, body: this.body(op) } : { status: 204 };
      default:
        // Location-style pollers read failure from the status code; the body says why.
        throw new ArmError(400, op.error?.code ?? op.status, op.error?.message ?? `The operation ended ${op.status}.`);
    }
  }
}
