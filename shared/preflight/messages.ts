/**
 * The user-visible texts of the preflight checks, keyed as in task.json
 * `messages` (util.format placeholders). They are merged into task.json; code
 * passes only these keys to host.loc.
 */
export const PREFLIGHT_MESSAGES: Record<string, string> = {
  // check titles
  PreflightCheckResourceProviders: 'Resource providers',
  PreflightCheckIdentities: 'Managed identities',
  PreflightCheckSource: 'Source image',
  PreflightCheckGalleryCompatibility: 'Gallery image definitions',
  PreflightCheckRegions: 'Regions',
  PreflightCheckGalleryRegion: 'Gallery region',
  PreflightCheckTemplateName: 'Template name',
  PreflightCheckPermissions: 'Permissions of the service connection',
  PreflightCheckStorageAccess: 'Artifact storage',
  PreflightCheckQuota: 'Build VM size and quota',
  PreflightCheckIdentityRights: 'Rights of the template identity',

  // resource providers
  PreflightProviderRegistered: 'Resource provider %s is registered.',
  PreflightProviderRegistering:
    'Resource provider %s is still registering in subscription %s; the build fails unless it is Registered by the time the build starts. `%s` shows its state.',
  PreflightProviderNotRegistered:
    'Resource provider %s is not registered in subscription %s (state: %s). Register it once with `%s` and run again when it reports Registered.',

  // identities
  PreflightIdentityFound: 'Identity %s exists.',
  PreflightIdentityNotFound:
    'The user-assigned identity %s does not exist, or the service connection may not read it. Create it or correct %s.',

  // source
  PreflightPlatformImageFound: 'Platform image %s version %s exists in %s.',
  PreflightPlatformImagePinned: 'Platform image %s exists in %s; latest is %s, which this run pins.',
  PreflightPlatformImageLatest: 'Platform image %s exists in %s; latest is %s at present.',
  PreflightPlatformImageNotFound:
    'Platform image %s is not offered in %s. Check publisher, offer and sku; `%s` lists what there is.',
  PreflightPlatformImageVersionNotFound: 'Platform image %s has no version %s in %s. `%s` lists the versions.',
  PreflightPlanMissing:
    'Platform image %s is sold with a purchase plan, but planInfo is empty. Set planInfo to %s and accept the terms once with `%s`.',
  PreflightPlanMatches: 'Platform image %s has the purchase plan planInfo names (%s).',
  PreflightPlanMismatch: 'planInfo %s does not match the purchase plan of platform image %s (%s). Set planInfo to that plan.',
  PreflightPlanNotNeeded: 'planInfo %s is set, but platform image %s has no purchase plan. Remove planInfo.',
  PreflightManagedImageFound: 'Managed image %s exists.',
  PreflightManagedImageNotFound: 'The source managed image %s does not exist, or the service connection may not read it. Correct managedImageId.',
  PreflightSourceGalleryVersionFound: 'Gallery image version %s exists.',
  PreflightSourceGalleryVersionNotFound:
    'The source gallery image version %s does not exist, or the service connection may not read it. Correct galleryImageVersionId.',
  PreflightGalleryDefinitionOfSourceNotFound:
    'The gallery image definition %s of the source does not exist, or the service connection may not read it. Correct galleryImageVersionId.',
  PreflightSourceVersionNotInLocation:
    'Gallery image version %s is not replicated to %s, where the build runs (it is in: %s). Replicate it there, or build in one of those regions.',
  PreflightSourceOsMismatch:
    'The source image %s is %s, but provisioner %s builds %s images. Choose a source of that OS, or the provisioner that matches the source.',

  // gallery image definitions
  PreflightGalleryDefinitionFits: 'Gallery image definition %s fits the source (%s).',
  PreflightGalleryDefinitionFitsNewVersion: 'Gallery image definition %s fits the source (%s); version %s is new.',
  PreflightGalleryDefinitionNotFound:
    'Gallery image definition %s does not exist. Create it (`az sig image-definition create`, OS type %s) or correct galleryImageId.',
  PreflightGalleryOsMismatch:
    'Gallery image definition %s is for %s, but provisioner %s builds %s images. Publish to a definition of that OS type.',
  PreflightGalleryGenerationMismatch:
    'Gallery image definition %s is Hyper-V generation %s, but the source image is %s. An image keeps its generation: publish to a definition of the source generation, or choose a source of the definition generation.',
  PreflightGalleryArchitectureMismatch:
    'Gallery image definition %s is for architecture %s, but the source image is %s. Publish to a definition of the source architecture, or choose a source of the definition architecture.',
  PreflightGallerySecurityMismatch:
    'Gallery image definition %s has security type %s, which a source of security type %s cannot give. Publish to a definition whose security type the source supports, or choose a source that supports %s.',
  PreflightGalleryVersionExists:
    'Gallery image version %s already exists in %s. Choose a new galleryImageVersion, or leave it empty so the service picks the next one.',

  // regions
  PreflightRegionsValid: 'Regions %s exist in the subscription.',
  PreflightRegionUnknown:
    "'%s' (%s) is not a region of subscription %s. `az account list-locations --query \"[].name\" -o tsv` lists the valid names.",

  PreflightGalleryRegionReplicated: 'The image version is replicated to the region of gallery %s (%s).',
  PreflightGalleryRegionNotReplicated:
    'Gallery %s is in %s, but replicationRegions (%s) does not include it; a gallery image version must be replicated to its gallery\'s region. Add %s to replicationRegions.',

  // template name
  PreflightTemplateNameFree: 'No image template named %s exists in resource group %s.',
  PreflightTemplateLeftover:
    'An image template named %s is left in resource group %s (provisioning state %s, last run %s); the build deletes it and creates it again.',
  PreflightTemplateRunning:
    'An image template named %s in resource group %s is still building (%s); the build cannot replace it until that run ends. Cancel that run or choose another templateName.',

  // permissions of the service connection
  PreflightPermissionTemplatesGranted: 'The service connection may create, run and delete image templates in resource group %s.',
  PreflightPermissionTemplatesMissing:
    'The service connection may not manage image templates in resource group %s: it lacks %s. Give its service principal a role that allows these on the resource group (for example Contributor) and run again.',
  PreflightPermissionIdentityGranted: 'The service connection may assign identity %s to the template.',
  PreflightPermissionIdentityMissing:
    'The service connection may not assign the identity %s to the template (it lacks %s). Give its service principal the Managed Identity Operator role on the identity and run again.',
  PreflightStorageAccountNotFound:
    'Storage account %s is not in subscription %s, or the service connection may not list it. Correct storageAccountName.',
  PreflightPermissionArtifactsByKey: 'The service connection may read the keys of storage account %s to upload and sign the artifacts.',
  PreflightPermissionArtifactsByDelegation:
    'The service connection may upload to storage account %s and sign the artifact link with a user delegation key.',
  PreflightPermissionArtifactsByToken: 'The service connection may upload to storage account %s with its own token.',
  PreflightPermissionArtifactsSasMissing:
    'The service connection can neither read the keys of storage account %s nor upload and sign with its own token (it needs one of: %s). Give its service principal Storage Blob Data Contributor on the account (or a role that allows listKeys), or set artifactAccess to identity.',
  PreflightPermissionArtifactsUploadMissing:
    'The service connection can neither read the keys of storage account %s nor write its blobs (it needs one of: %s). Give its service principal Storage Blob Data Contributor on the account and run again.',

  PreflightPermissionArtifactsSharedKeyOff:
    'Storage account %s does not allow shared key access, so the service connection must upload (and sign the artifact link with a user delegation key) with its own token, but it lacks %s. Give its service principal Storage Blob Data Contributor (or Storage Blob Data Owner) at %s or above and run again.',

  // artifact storage
  PreflightStorageSharedKeyOffSas:
    'Storage account %s does not allow shared key access: the task uploads with the service connection\'s token and signs the artifact link with a user delegation key, never with an account key.',
  PreflightStorageSharedKeyOffIdentity:
    'Storage account %s does not allow shared key access: the task uploads with the service connection\'s token and the build VM reads with the template identity.',
  PreflightStorageNetworkOpen: 'Storage account %s accepts connections from public networks.',
  PreflightStorageDeniesAgent:
    'Storage account %s denies network access by default and allows no IP address, so the upload from this agent fails unless the agent runs inside a virtual network the account allows. Use a self-hosted agent in such a network, or allow the agent\'s public IP address in the account\'s firewall.',
  PreflightStorageDeniesAgentExceptIps:
    'Storage account %s denies network access by default and allows only the IP addresses %s. The task cannot see this agent\'s public address: it must be among them, or the agent must run inside a virtual network the account allows (a self-hosted agent).',
  PreflightStorageDeniesBuildVm:
    'Storage account %s denies network access by default, and the build VM runs outside any network the account allows (vnetSubnetId is empty), so it cannot download the artifacts. Set vnetSubnetId to a subnet listed in the account\'s virtual network rules, or allow public access on the account.',
  PreflightStorageDeniesBuildSubnet:
    'Storage account %s denies network access by default, and the build subnet %s is not among its virtual network rules, so the build VM cannot download the artifacts. Add the subnet to the account\'s networking rules (with the Microsoft.Storage service endpoint on the subnet) and run again.',
  PreflightStorageAllowsBuildSubnet: 'Storage account %s allows the build subnet %s.',
  PreflightStoragePrivateOnlyAgent:
    'Storage account %s has public network access disabled: only private endpoints reach it. This agent must run in a network with a private endpoint of the account (a self-hosted agent), or the upload fails.',
  PreflightStoragePrivateOnlyBuildVm:
    'Storage account %s has public network access disabled, and the build VM runs outside your networks (vnetSubnetId is empty), so it cannot download the artifacts. Set vnetSubnetId to a subnet that reaches a private endpoint of the account.',
  PreflightStoragePrivateOnlyBuildSubnet:
    'Storage account %s has public network access disabled: the build subnet %s must reach a private endpoint of the account and resolve its privatelink.blob.core.windows.net name, or the build VM cannot download the artifacts.',

  // build VM size and quota
  PreflightVmSizeNotOffered:
    "VM size %s is not offered in %s. Choose a size the region offers (`az vm list-skus --location <region> --resource-type virtualMachines -o table`) and set %s.",
  PreflightVmSizeRestricted: 'VM size %s is restricted in %s for this subscription (%s). Choose another size for %s, or ask Azure support to enable it.',
  PreflightQuotaRegionalShort:
    'The region %s has too little vCPU quota for the build: it needs %s vCPUs, %s are free (limit %s) for %s. Free vCPUs in the region or request a higher Total Regional vCPUs quota.',
  PreflightQuotaFamilyShort:
    'VM family %s in %s has too little vCPU quota for the build: it needs %s vCPUs, %s are free (limit %s) for %s. Request more quota for that family, or choose a size of another family.',
  PreflightQuotaEnough: 'The build VMs %s fit the vCPU quota in %s (%s needed, %s free in the region).',

  // rights of the template identity
  PreflightIdentityRightsGranted: 'The template identity %s holds the roles it needs on %s.',
  PreflightIdentityRightsUnreadable:
    'The rights of the template identity %s could not be checked: the service connection may not read role assignments at %s. Make sure the identity may read the source, write the image and read the artifacts.',
  PreflightIdentityCannotReadSource:
    'The template identity %s may not read the source image %s: it lacks %s. Assign it Reader (or a role with these actions) on the image or its resource group and run again.',
  PreflightIdentityCannotWriteGallery:
    'The template identity %s may not publish to gallery image definition %s: it lacks %s. Assign it Contributor on the gallery or its resource group (or a custom role with these actions) and run again.',
  PreflightIdentityCannotWriteImage:
    'The template identity %s may not create managed images in %s: it lacks %s. Assign it Contributor on that resource group (or a custom role with these actions) and run again.',
  PreflightIdentityCannotReadArtifacts:
    'The template identity %s may not read the artifacts in storage account %s (artifactAccess is identity): it lacks %s. Assign it Storage Blob Data Reader on the account and run again.',
  PreflightIdentityCannotJoinSubnet:
    'The template identity %s may not place the build VM in subnet %s: it lacks %s. Assign it Network Contributor on the virtual network (or a role with these actions) and run again.',

  // runner
  PreflightCheckTimedOut: 'Not checked: Azure did not answer within %s seconds.',
  PreflightCheckError: 'Not checked: reading Azure failed (%s).',

  // report
  PreflightChecklistTitle: 'Preflight checks: %s passed, %s warnings, %s failed (%s s)',
  PreflightInputProblem: "Input '%s': %s",
  PreflightVerdictFailed: 'Preflight found %s problem(s) that would fail the build. Nothing was created or uploaded.',
  PreflightVerdictWarnings: 'Preflight passed with %s warning(s).',
  PreflightVerdictPassed: 'Preflight passed.',
  PreflightSummaryTitle: 'Preflight checks',
  PreflightSummaryResult: 'Result',
  PreflightSummaryCheck: 'Check',
  PreflightSummaryDetails: 'Details',
  PreflightStatusPassed: 'Passed',
  PreflightStatusWarning: 'Warning',
  PreflightStatusFailed: 'Failed',
};
