import * as assert from 'node:assert/strict';
import { RestError } from '@azure/core-rest-pipeline';
import { describeError } from '../../shared/core/format';

describe('describeError', () => {
  it('says status, code and message of an SDK error: "<status> <code>: <message>"', () => {
    const error = new RestError("The client 'x' does not have authorization to perform action 'Microsoft.Authorization/permissions/read'.", {
      code: 'AuthorizationFailed',
      statusCode: 403,
    });
    assert.equal(describeError(error), "403 AuthorizationFailed: The client 'x' does not have authorization to perform action 'Microsoft.Authorization/permissions/read'.");
  });

  it('says what it has when status or code is missing', () => {
    assert.equal(describeError(Object.assign(new Error('not found'), { statusCode: 404 })), '404: not found');
    assert.equal(describeError(Object.assign(new Error('reset'), { code: 'ECONNRESET' })), 'ECONNRESET: reset');
    assert.equal(describeError(Object.assign(new Error(''), { statusCode: 500, code: 'InternalError' })), '500 InternalError');
  });

  it('gives the message alone when there is neither status nor code', () => {
    assert.equal(describeError(new Error('socket hang up')), 'socket hang up');
  });

  it('names an Error without a message by its name', () => {
    const error = new Error('');
    error.name = 'AbortError';
    assert.equal(describeError(error), 'AbortError');
  });

  it('reads a plain object (not an Error) the same way', () => {
    assert.equal(describeError({ statusCode: 409, code: 'Conflict', message: 'Update of image templates is not supported.' }), '409 Conflict: Update of image templates is not supported.');
    assert.equal(describeError({ message: 'only a message' }), 'only a message');
    // Fields of the wrong type are not shown as if they were a status or a code.
    assert.equal(describeError({ statusCode: '403', code: 7, message: 'odd' }), 'odd');
  });

  it('keeps the first line of a multi-line message only (request ids and details follow on the next lines)', () => {
    const error = Object.assign(new Error('The specified blob does not exist.\r\nRequestId:abc\nTime:2025-01-31T10:00:00Z'), { statusCode: 404, code: 'BlobNotFound' });
    assert.equal(describeError(error), '404 BlobNotFound: The specified blob does not exist.');
  });

  it('cuts a long message at 300 characters and says so', () => {
    const message = 'x'.repeat(299) + 'yz' + 'w'.repeat(100);
    assert.equal(describeError(new Error(message)), `${'x'.repeat(299)}y...`);
    assert.equal(describeError(new Error('x'.repeat(300))), 'x'.repeat(300), 'exactly 300 is not cut');
  });

  it('hides a SAS signature in the message, also where the line is cut', () => {
    const url = 'https://acct.blob.core.windows.net/c/app.tar.gz?sv=2024-08-04&sr=b&sig=SECRET%2Babc%3D&se=2030';
    assert.equal(describeError({ statusCode: 403, code: 'AuthorizationFailure', message: `Download of ${url} failed` }), `403 AuthorizationFailure: Download of ${url.replace('SECRET%2Babc%3D', '***')} failed`);
    // The signature runs past the 300th character: it is hidden, not cut into.
    const cutInside = `${'a'.repeat(290)} ?sig=SECRETSECRETSECRET`;
    const described = describeError(new Error(cutInside));
    assert.ok(!described.includes('SEC'), described);
    assert.ok(described.endsWith('?sig=***'), described);
  });

  it('writes out a thrown value that is not an object', () => {
    assert.equal(describeError('plain text'), 'plain text');
    assert.equal(describeError(42), '42');
    assert.equal(describeError(undefined), 'undefined');
    assert.equal(describeError(null), 'null');
    assert.equal(describeError(`first\nsecond ?sig=SECRET`), 'first');
    assert.equal(describeError(`bad url ?sig=SECRET`), 'bad url ?sig=***');
  });
});
