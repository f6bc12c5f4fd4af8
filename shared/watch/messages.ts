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
  LogGroupStepNamed: 'Build log: %s',
  LogStepUnnamed: 'step %d, %s',
  LogStepFinished: '%s finished after %s (as read from the build log).',
  WatchHeartbeat: '[%s] Still waiting for the build: status %s, elapsed %s, no new build-log line for %s.',
  WaitBudget:
    'The task waits up to %d minutes for the build: the build timeout of %d minutes%s plus a margin of %d minutes for queueing and clean-up. Tasks cannot read the job\'s timeout: give the job timeoutInMinutes of at least %d (Microsoft-hosted agents stop a job after 60 minutes unless it says otherwise) and cancelTimeoutInMinutes of at least 5, so a cancel can still delete the template.',
  WaitBudgetServiceDefault: ' (0: the service default)',
  LogStagingGroupDenied:
    'The build log cannot be read: the service connection may not list the storage accounts of the staging resource group %s (%s), which the service creates for each build. Until the build ends only its status is shown. To see the log live, set Staging resource group (stagingResourceGroup) to the resource id of a group the connection can read (Reader, and Storage Blob Data Reader or listKeys on its storage account). The group must be empty or not exist yet (then the service creates it), be in the build\'s region, and not be used by another template; the Image Builder identity needs Contributor or Owner on it. The build goes on.',
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
