import * as assert from 'node:assert/strict';
import { format } from 'node:util';
import { RestError } from '@azure/core-rest-pipeline';
import { armErrorFacts, failureHints, type FailureFacts, type HintKey } from '../../shared/report/failureHints';
import { taskMessages as REPORT_MESSAGES } from '../support/localizer';

const IDENTITY = '/subscriptions/s/resourceGroups/id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib';

function armError(statusCode: number, code: string, message: string): RestError {
  const err = new RestError(message, { statusCode, code });
  err.details = { error: { code, message } };
  return err;
}

const keys = (facts: FailureFacts): HintKey[] => failureHints(facts).map((h) => h.key);

describe('failureHints', () => {
  it('names the missing role of the service connection, with action and scope', () => {
    const error = armError(
      403,
      'AuthorizationFailed',
      "The client 'c' with object id 'o' does not have authorization to perform action 'Microsoft.VirtualMachineImages/imageTemplates/write' over scope '/subscriptions/s/resourceGroups/rg/providers/Microsoft.VirtualMachineImages/imageTemplates/t' or the scope is invalid.",
    );
    const hints = failureHints({ error });
    assert.deepEqual(hints, [
      {
        key: 'HintConnectionRole',
        args: ['Microsoft.VirtualMachineImages/imageTemplates/write', '/subscriptions/s/resourceGroups/rg/providers/Microsoft.VirtualMachineImages/imageTemplates/t'],
      },
    ]);
    assert.deepEqual(keys({ error: armError(403, 'Forbidden', 'nope') }), ['HintConnectionRole']);
  });

  it("names the missing role of the template's identity when the service reports it", () => {
    const hints = failureHints({
      runMessage:
        "Distribution failed: ... does not have authorization to perform action 'Microsoft.Compute/galleries/images/versions/write' over scope '/subscriptions/s/resourceGroups/gal'.",
      templateIdentity: IDENTITY,
    });
    assert.deepEqual(hints, [{ key: 'HintIdentityRole', args: [IDENTITY, 'Microsoft.Compute/galleries/images/versions/write', '/subscriptions/s/resourceGroups/gal'] }]);
  });

  it('tells how to register a missing resource provider', () => {
    const error = armError(409, 'MissingSubscriptionRegistration', "The subscription is not registered to use namespace 'Microsoft.VirtualMachineImages'. See https://aka.ms/rps-not-found");
    assert.deepEqual(failureHints({ error }), [{ key: 'HintProviderNotRegistered', args: ['Microsoft.VirtualMachineImages', 'Microsoft.VirtualMachineImages'] }]);
    const other = armError(400, 'NoRegisteredProviderFound', 'No registered resource provider found for location westeurope and API version 2025-10-01 for type imageTemplates in Microsoft.ContainerInstance.');
    assert.deepEqual(failureHints({ error: other }), [{ key: 'HintProviderNotRegistered', args: ['Microsoft.ContainerInstance', 'Microsoft.ContainerInstance'] }]);
    const text = format(REPORT_MESSAGES.HintProviderNotRegistered!, ...failureHints({ error }).at(0)!.args);
    assert.ok(text.includes('az provider register --namespace Microsoft.VirtualMachineImages'));
  });

  it("points to the identity's access to the source or gallery", () => {
    const linked = "The client 'x' has permission to perform action 'Microsoft.Compute/images/write' on scope 'y'; however, it does not have permission to perform action 'read' on the linked scope(s) 'z'. LinkedAuthorizationFailed";
    assert.deepEqual(failureHints({ runMessage: linked, templateIdentity: IDENTITY })[0], { key: 'HintIdentityAccess', args: [IDENTITY] }, 'no resource named: the general hint');
    // A named resource gets the role for that resource; the identity's own id is not the resource.
    const image = '/subscriptions/s/resourceGroups/src/providers/Microsoft.Compute/images/base';
    const named = `Build (Managed Image) step failed: the user assigned identity ${IDENTITY} does not have access to the image ${image}.`;
    assert.deepEqual(failureHints({ runMessage: named, templateIdentity: IDENTITY })[0], { key: 'HintIdentityImage', args: [IDENTITY, image] });
    assert.deepEqual(keys({ provisioningError: { provisioningErrorCode: 'BadSharedImageVersionSource', message: 'Identity does not have access to the source gallery image' } }), ['HintIdentityAccess']);
  });

  it('recognises quota and unavailable VM sizes', () => {
    assert.deepEqual(keys({ runMessage: "Operation could not be completed as it results in exceeding approved standardDSv5Family Cores quota. QuotaExceeded" }), ['HintQuota']);
    assert.deepEqual(keys({ error: armError(409, 'OperationNotAllowed', 'Operation results in exceeding quota limits of Core. Maximum allowed: 4') }), ['HintQuota']);
    assert.deepEqual(keys({ runMessage: "SkuNotAvailable: The requested VM size 'Standard_D2ds_v4' is currently not available in location 'westeurope'." }), ['HintSkuNotAvailable']);
  });

  it('recognises a timeout, from the watch or from the service', () => {
    assert.deepEqual(failureHints({ timedOut: true, buildTimeoutMinutes: 90 }), [{ key: 'HintTimeout', args: [90] }]);
    assert.deepEqual(keys({ runMessage: "Failed while waiting for packerizer: Timeout waiting for microservice to complete: 'context deadline exceeded'" }), ['HintTimeout']);
  });

  it('finds the failing customizer and its exit status in the log tail', () => {
    const logTail = [
      '[g] PACKER OUT (telemetry) Starting provisioner shell',
      '[g] PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/script.sh',
      '[g] PACKER ERR ==> azure-arm: apt-get: not found',
      '[g] PACKER OUT (telemetry) Starting provisioner powershell',
      "[g] PACKER ERR ==> azure-arm: Script exited with non-zero exit status: 127. Allowed exit codes are: [0]",
      '[g] PACKER OUT (telemetry) ending powershell',
    ];
    assert.deepEqual(failureHints({ logTail, runMessage: 'Packer build command has failed: exit status 1.' }), [{ key: 'HintScriptFailed', args: ['powershell', '127'] }]);
    assert.deepEqual(failureHints({ runMessage: 'Error when executing packerizer: Packer build command has failed: exit status 1. During the image build, a failure has occurred, please review the build log to identify which build/customization step failed.' }), [
      { key: 'HintScriptFailed', args: ['script', '?'] },
    ]);
  });

  it('gives no hint for an unknown failure and every hint key has a text', () => {
    assert.deepEqual(failureHints({ runMessage: 'Something odd happened.', logTail: ['all good', 'exit status 0'] }), []);
    const all: HintKey[] = [
      'HintConnectionRole',
      'HintIdentityRole',
      'HintProviderNotRegistered',
      'HintIdentityAccess',
      'HintQuota',
      'HintSkuNotAvailable',
      'HintTimeout',
      'HintScriptFailed',
      'HintIdentityVnet',
      'HintIdentityGallery',
      'HintIdentityImage',
      'HintIdentityStorage',
      'HintInvalidRequest',
      'HintNotFound',
      'HintConflict',
      'HintThrottled',
      'HintServiceError',
    ];
    for (const key of all) assert.ok(REPORT_MESSAGES[key], key);
  });

  it('reads code, message and nested details from an ARM error', () => {
    const err = new RestError('Validation failed', { statusCode: 400, code: 'ValidationFailed' });
    err.details = { error: { code: 'ValidationFailed', message: 'outer', details: [{ code: 'InnerCode', message: 'inner' }] } };
    assert.deepEqual(armErrorFacts(err), {
      statusCode: 400,
      code: 'ValidationFailed',
      message: 'Validation failed',
      details: [
        { code: 'ValidationFailed', message: 'outer' },
        { code: 'InnerCode', message: 'inner' },
      ],
    });
    assert.equal(armErrorFacts('text'), undefined);
  });
});
