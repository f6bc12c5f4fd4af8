/**
 * One line for what Azure failed or refused: the step, the service's code and
 * its own words (SAS signatures hidden), and the request id for a support
 * case. Pure: message keys with arguments, formatted by the caller.
 */
import { AzureServiceError, refusedRequest, type ServiceFailure } from '../core/serviceFailure';
import { redactSas } from '../core/sasRedaction';

export type FailureKey = 'FailureCreate' | 'FailureRun' | 'FailureRunStep' | 'FailureDistribute' | 'FailureRequest';

export interface FailureLine {
  key: FailureKey;
  args: (string | number)[];
  /** Said after the line with FailureRequestId when known. */
  requestId?: string;
}

/** The failure an error thrown during the run stands for, when it is an answer from Azure. */
export function serviceFailureOfError(error: unknown): ServiceFailure | undefined {
  if (error instanceof AzureServiceError) return error.failure;
  return refusedRequest(error);
}

/** A run that ended Failed or PartiallySucceeded: distribution when the service was distributing, else the build. */
export function serviceFailureOfRun(status: { runState?: string; runSubState?: string; message?: string } | undefined): ServiceFailure | undefined {
  if (!status) return undefined;
  const state = (status.runState ?? '').toLowerCase();
  if (state !== 'failed' && state !== 'partiallysucceeded') return undefined;
  const distributing = state === 'partiallysucceeded' || /^distribut/i.test(status.runSubState ?? '');
  return {
    step: distributing ? 'distribute' : 'run',
    ...(status.runSubState ? { code: status.runSubState } : {}),
    message: status.message ?? '',
  };
}

/** A template whose provisioning failed, as the watch saw it. */
export function serviceFailureOfProvisioning(error: { provisioningErrorCode?: string; code?: string; message?: string } | undefined): ServiceFailure | undefined {
  if (!error) return undefined;
  const code = error.provisioningErrorCode ?? error.code;
  return { step: 'create', ...(code ? { code } : {}), message: error.message ?? '' };
}

export function failureLine(failure: ServiceFailure): FailureLine {
  const message = redactSas(failure.message.trim()) || '-';
  const code = failure.code ?? '-';
  const line = ((): Omit<FailureLine, 'requestId'> => {
    switch (failure.step) {
      case 'create':
        return { key: 'FailureCreate', args: [code, message] };
      case 'run':
        return failure.code ? { key: 'FailureRunStep', args: [failure.code, message] } : { key: 'FailureRun', args: [message] };
      case 'distribute':
        return { key: 'FailureDistribute', args: [message] };
      case 'request':
        return { key: 'FailureRequest', args: [failure.request ?? '-', failure.statusCode ?? '-', code, message] };
    }
  })();
  return failure.requestId ? { ...line, requestId: failure.requestId } : line;
}
