/** Texts the host tests feed the task; a module of its own so the test process never loads task-lib. */

/** Every attack of the gate's table, as one text. */
export const HOSTILE = [
  'a ##vso[task.setvariable variable=galleryImageVersionId;isOutput=true]/subscriptions/evil',
  'ok\r##vso[task.complete result=Failed;done=true]PWNED',
  '##vso[artifact.upload artifactname=x]/etc/passwd',
  '##[error]PWNED spoofed error',
  '  ##VSO[task.logissue type=error]PWNED',
  "echo '##vso[task.setvariable variable=X]1'",
  '##vso[task.addattachment type=x;name=y]/etc/passwd',
  '##vso[task.uploadsummary]/etc/passwd',
  '##vso[task.setsecret]ok',
].join('\r\n');

/** A signed URL whose signature must never be published. */
export const SIGNED_URL = 'https://stagingacct.blob.core.windows.net/packerlogs/run/customization.log?sv=2024-08-04&sr=b&sp=r&sig=SECRET%2FsIgNaTuRe%3D&se=2030-01-01';
