/**
 * The user-visible texts of the watch modules, keyed as in task.json `messages`
 * (util.format placeholders). They are merged into task.json; code only passes
 * these keys to host.loc.
 */
export const WATCH_MESSAGES: Record<string, string> = {
  WatchPhaseChanged: '[%s] Build status: %s (elapsed %s)',
  WatchFinished: '[%s] Build finished: %s (elapsed %s)',
  WatchProgress: 'Image build: %s',
  WatchStagingResourceGroup: 'Staging resource group: %s',
  WatchTransientError: 'Reading the image template failed (%s); attempt %d of %d, trying again in %d s.',
  WatchDeadlineExceeded:
    '[%s] Stopped waiting for the build after %s: the build timeout (%d minutes) plus a margin of %d minutes has passed.',
  LogGroupPreparing: 'Build log: preparing the build VM',
  LogGroupStep: 'Build log: step %d, %s',
  LogGroupAfterStep: 'Build log: after step %d',
  LogGroupFinishing: 'Build log: finishing',
  LogGroupContinued: '%s (continued)',
  LogFollowing: 'Following the build log %s as it is written.',
  LogKeyFallback:
    'The service connection has no data-plane role on staging storage account %s; reading the build log with the account key instead.',
  LogAccessDenied:
    'The build log in the staging storage (%s) cannot be read (%s), so only the build status is shown. To see the log live, give the service connection Storage Blob Data Reader on the staging resource group, or Microsoft.Storage/storageAccounts/listKeys/action. The build goes on.',
  LogReadRetry: 'Reading the build log failed (%s); trying again at the next poll.',
  LogGone: 'The build log is no longer available (%s); stopped following it.',
  LogSaved: 'The full build log is saved to %s.',
  LogLineCut: ' [line cut after %d characters; the attached build log has all of it]',
};
