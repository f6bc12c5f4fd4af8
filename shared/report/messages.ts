/**
 * The user-visible texts of the report modules, keyed as in task.json `messages`
 * (util.format placeholders). They are merged into task.json; code only passes
 * these keys to host.loc.
 */
export const REPORT_MESSAGES: Record<string, string> = {
  HintConnectionRole:
    "The service connection may not perform '%s' on '%s'. Give its service principal a role that allows it on that scope (for example Contributor on the template's resource group, plus Managed Identity Operator on the identity), then run again.",
  HintIdentityRole:
    "The template's managed identity (%s) may not perform '%s' on '%s'. Give the identity a role that allows it on that scope (for example Contributor on the resource group it distributes to), then run again.",
  HintProviderNotRegistered:
    'The resource provider %s is not registered in the subscription. Register it once with `az provider register --namespace %s` and run again when `az provider show` reports Registered.',
  HintIdentityAccess:
    "The template's managed identity (%s) cannot reach the source image, the gallery or the artifacts. Give it Reader on the source image or its gallery, Contributor on the gallery or resource group it writes to, and Storage Blob Data Reader on the artifact container when artifactAccess is identity.",
  HintQuota:
    'A quota was exceeded (%s). Ask for more quota for the build VM family in this region (Azure portal: Subscriptions > Usage + quotas), choose a smaller vmSize, or build in another location.',
  HintSkuNotAvailable:
    'The build VM size is not available in this region or subscription. Choose another vmSize (`az vm list-skus --location <region> --resource-type virtualMachines` lists them).',
  HintTimeout:
    'The build did not finish within its timeout (%s minutes). Raise buildTimeoutInMinutes (at most 960) or make the customization faster; the build log shows which step took the time.',
  HintScriptFailed:
    'The customizer step %s failed with exit status %s. The build log lines above show why; fix the script, or for PowerShell add the code to validExitCodes if it means success.',
  FailureCreate:
    "Azure could not create the image template (%s): %s",
  FailureRun:
    "The image build failed: %s",
  FailureRunStep:
    "The image build failed while %s: %s",
  FailureDistribute:
    "Distributing the image failed: %s",
  FailureRequest:
    "Azure refused the request %s (%s %s): %s",
  FailureRequestId:
    "Request id for a support case: %s",
  HintIdentityVnet:
    "Grant the Image Builder identity %s the Network Contributor role, or a custom role with Microsoft.Network/virtualNetworks/read and Microsoft.Network/virtualNetworks/subnets/join/action, on the virtual network %s, then run again.",
  HintIdentityGallery:
    "Grant the Image Builder identity %s a role that may write image versions on the gallery %s (Contributor, or a custom role with Microsoft.Compute/galleries/read, Microsoft.Compute/galleries/images/read, Microsoft.Compute/galleries/images/versions/read and Microsoft.Compute/galleries/images/versions/write), then run again.",
  HintIdentityImage:
    "Grant the Image Builder identity %s a role that may read and write images on %s (Contributor on its resource group, or a custom role with Microsoft.Compute/images/read, Microsoft.Compute/images/write and Microsoft.Compute/images/delete), then run again.",
  HintIdentityStorage:
    "Grant the Image Builder identity %s the Storage Blob Data Reader role on the storage account %s (or on the artifact container), then run again.",
  HintInvalidRequest:
    "Azure rejected a value the task sent; the message above names it. Correct that input (or the template JSON) and run again.",
  HintNotFound:
    "Azure does not know the resource that %s names. Check that it exists in the subscription of the service connection and that the input naming it is spelled correctly.",
  HintConflict:
    "Azure refused %s because of the resource's current state (another operation on it is still running, or it already exists). Wait for that operation to end, or choose another template name, then run again.",
  HintThrottled:
    "Azure throttled the requests of this subscription and the retries ran out. Run again later, or raise pollIntervalSeconds so the task asks less often.",
  HintServiceError:
    "Azure reported an error on its side and the retries ran out. Run again; if it keeps failing, open a support case with the request id.",
  SummaryTitle: 'Image build %s: %s',
  SummarySource: 'Source',
  SummarySourcePlatform: 'Platform image %s (version %s)',
  SummarySourceManaged: 'Managed image %s',
  SummarySourceGallery: 'Gallery image version %s',
  SummaryCustomizers: 'Customizers',
  SummaryNoCustomizers: 'None.',
  SummaryDistribution: 'Distribution',
  SummaryColumnKind: 'Kind',
  SummaryColumnRunOutput: 'Run output',
  SummaryColumnTarget: 'Target',
  SummaryColumnResult: 'Result',
  SummaryKindManagedImage: 'Managed image',
  SummaryKindGallery: 'Gallery image version',
  SummaryKindVhd: 'VHD',
  SummaryDefaultVhdTarget: 'staging storage account',
  SummaryAutomaticVersion: '(automatic version)',
  SummaryNotProduced: 'not produced',
  SummaryOutputs: 'Output variables',
  SummaryColumnName: 'Name',
  SummaryColumnValue: 'Value',
  SummaryPhases: 'Time per phase',
  SummaryColumnPhase: 'Phase',
  SummaryColumnDuration: 'Duration',
  SummaryTotal: 'Total',
  SummaryPhasePreflight: 'Preflight checks',
  SummaryPhaseUpload: 'Artifact upload',
  SummaryPhaseCreate: 'Template creation',
  SummaryPhaseBuild: 'Build (until the service reported the end)',
  SummaryPhaseService: 'Build: %s',
  SummaryPhaseStep: 'Build step: %s',
  SummaryFailure: 'What went wrong',
  SummaryLinks: 'Links',
  SummaryLinkTemplate: 'Image template in the Azure portal',
  SummaryLinkStaging: 'Staging resource group in the Azure portal (deleted with the template)',
  SummaryLinkProduced: '%s %s in the Azure portal',
  SummaryNoPortal: 'No portal links: the Azure portal address of cloud %s is not known.',
};
