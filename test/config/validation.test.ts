import * as assert from 'node:assert/strict';
import type { InputName } from '../../shared/config/inputNames';
import { base, ids, problemsOf, SUB, type Inputs } from './configFixtures';

interface Rule {
  title: string;
  inputs: Inputs;
  files?: { templateJson?: string; packagePathExists?: boolean };
  /** The input the message must name. */
  input: InputName;
  /** The full message, as the user reads it. */
  message: string;
}

const RID = '/subscriptions/<subscription id>/resourceGroups/<group>/providers/';
const linux = base;
const windows: Inputs = { ...base, provisioner: 'powershell' };
const withPackage: Inputs = { ...base, packagePath: '/agent/_work/1/a/drop', storageAccountName: 'fabrikamartifacts' };

const RULES: Rule[] = [
  // Required inputs and missing sources
  { title: 'azureSubscription missing', inputs: { ...base, azureSubscription: ' ' }, input: 'azureSubscription', message: "Input 'azureSubscription' is required." },
  { title: 'resourceGroup missing', inputs: { ...base, resourceGroup: undefined }, input: 'resourceGroup', message: "Input 'resourceGroup' is required." },
  { title: 'location missing', inputs: { ...base, location: '' }, input: 'location', message: "Input 'location' is required." },
  { title: 'managedIdentity missing', inputs: { ...base, managedIdentity: '' }, input: 'managedIdentity', message: "Input 'managedIdentity' is required." },
  { title: 'platform image missing', inputs: { ...base, baseImage: '' }, input: 'baseImage', message: "Input 'baseImage' is required when sourceType is 'platformImage'." },
  { title: 'managed image source missing', inputs: { ...base, sourceType: 'managedImage' }, input: 'managedImageId', message: "Input 'managedImageId' is required when sourceType is 'managedImage'." },
  { title: 'gallery version source missing', inputs: { ...base, sourceType: 'galleryImageVersion' }, input: 'galleryImageVersionId', message: "Input 'galleryImageVersionId' is required when sourceType is 'galleryImageVersion'." },
  // Resource ids: shape, provider and type
  { title: 'identity id of the wrong type', inputs: { ...base, managedIdentity: ids.subnet }, input: 'managedIdentity', message: `Input 'managedIdentity': expected the resource id of a user-assigned managed identity, ${RID}Microsoft.ManagedIdentity/userAssignedIdentities/<name>, got '${ids.subnet}'.` },
  { title: 'identity given by name', inputs: { ...base, managedIdentity: 'aib-identity' }, input: 'managedIdentity', message: `Input 'managedIdentity': expected the resource id of a user-assigned managed identity, ${RID}Microsoft.ManagedIdentity/userAssignedIdentities/<name>, got 'aib-identity'.` },
  { title: 'identity id with a subscription that is not a GUID', inputs: { ...base, managedIdentity: ids.identity.replace(SUB, 'my-sub') }, input: 'managedIdentity', message: `Input 'managedIdentity': expected the resource id of a user-assigned managed identity, ${RID}Microsoft.ManagedIdentity/userAssignedIdentities/<name>, got '${ids.identity.replace(SUB, 'my-sub')}'.` },
  { title: 'managed image source id of a gallery image', inputs: { ...base, sourceType: 'managedImage', managedImageId: ids.galleryDefinition }, input: 'managedImageId', message: `Input 'managedImageId': expected the resource id of a managed image, ${RID}Microsoft.Compute/images/<name>, got '${ids.galleryDefinition}'.` },
  { title: 'gallery version source id without a version', inputs: { ...base, sourceType: 'galleryImageVersion', galleryImageVersionId: ids.galleryDefinition }, input: 'galleryImageVersionId', message: `Input 'galleryImageVersionId': expected the resource id of a gallery image version, ${RID}Microsoft.Compute/galleries/<gallery>/images/<definition>/versions/<x.y.z or latest>, got '${ids.galleryDefinition}'.` },
  { title: 'gallery version source id with a bad version', inputs: { ...base, sourceType: 'galleryImageVersion', galleryImageVersionId: `${ids.galleryDefinition}/versions/1.2` }, input: 'galleryImageVersionId', message: `Input 'galleryImageVersionId': expected the resource id of a gallery image version, ${RID}Microsoft.Compute/galleries/<gallery>/images/<definition>/versions/<x.y.z or latest>, got '${ids.galleryDefinition}/versions/1.2'.` },
  { title: 'gallery target of another provider', inputs: { ...base, galleryImageId: ids.galleryDefinition.replace('Microsoft.Compute', 'Microsoft.Storage') }, input: 'galleryImageId', message: `Input 'galleryImageId': expected the resource id of a gallery image definition, ${RID}Microsoft.Compute/galleries/<gallery>/images/<definition>, optionally followed by /versions/<x.y.z>, got '${ids.galleryDefinition.replace('Microsoft.Compute', 'Microsoft.Storage')}'.` },
  { title: 'gallery target of a whole gallery', inputs: { ...base, galleryImageId: ids.galleryDefinition.replace('/images/web', '') }, input: 'galleryImageId', message: `Input 'galleryImageId': expected the resource id of a gallery image definition, ${RID}Microsoft.Compute/galleries/<gallery>/images/<definition>, optionally followed by /versions/<x.y.z>, got '${ids.galleryDefinition.replace('/images/web', '')}'.` },
  { title: 'gallery target version latest', inputs: { ...base, galleryImageId: `${ids.galleryDefinition}/versions/latest` }, input: 'galleryImageId', message: "Input 'galleryImageId': expected a gallery image version x.y.z of three whole numbers (each at most 2147483647), got 'latest'." },
  { title: 'managed image target of the wrong type', inputs: { ...base, distributeType: 'managedImage', imageIdForDistribute: ids.identity }, input: 'imageIdForDistribute', message: `Input 'imageIdForDistribute': expected the resource id of a managed image, ${RID}Microsoft.Compute/images/<name>, got '${ids.identity}'.` },
  { title: 'build VM identity of the wrong type', inputs: { ...base, buildVmIdentities: `${ids.buildVmIdentity},${ids.managedImage}` }, input: 'buildVmIdentities', message: `Input 'buildVmIdentities': expected the resource id of a user-assigned managed identity, ${RID}Microsoft.ManagedIdentity/userAssignedIdentities/<name>, got '${ids.managedImage}'.` },
  { title: 'subnet id of a virtual network', inputs: { ...base, vnetSubnetId: ids.subnet.replace('/subnets/build', '') }, input: 'vnetSubnetId', message: `Input 'vnetSubnetId': expected the resource id of a subnet, ${RID}Microsoft.Network/virtualNetworks/<network>/subnets/<subnet>, got '${ids.subnet.replace('/subnets/build', '')}'.` },
  { title: 'container instance subnet id malformed', inputs: { ...base, vnetSubnetId: ids.subnet, containerInstanceSubnetId: 'aci' }, input: 'containerInstanceSubnetId', message: `Input 'containerInstanceSubnetId': expected the resource id of a subnet, ${RID}Microsoft.Network/virtualNetworks/<network>/subnets/<subnet>, got 'aci'.` },
  { title: 'staging resource group given by name', inputs: { ...base, stagingResourceGroup: 'rg-aib-staging' }, input: 'stagingResourceGroup', message: "Input 'stagingResourceGroup': expected the resource id of a resource group, /subscriptions/<subscription id>/resourceGroups/<name>, got 'rg-aib-staging'." },
  { title: 'staging resource group id of a resource', inputs: { ...base, stagingResourceGroup: ids.managedImage }, input: 'stagingResourceGroup', message: `Input 'stagingResourceGroup': expected the resource id of a resource group, /subscriptions/<subscription id>/resourceGroups/<name>, got '${ids.managedImage}'.` },
  // Names and regions
  { title: 'resource group name with spaces', inputs: { ...base, resourceGroup: 'my images' }, input: 'resourceGroup', message: "Input 'resourceGroup': expected a resource group name of 1 to 90 letters, digits, '-', '_', '.', '(' or ')' not ending in '.', got 'my images'." },
  { title: 'location with an underscore', inputs: { ...base, location: 'west_europe' }, input: 'location', message: "Input 'location': expected an Azure region, as a name such as eastus or westeurope or a display name such as East US or West Europe, got 'west_europe'." },
  { title: 'managed image location with a dash', inputs: { ...base, distributeType: 'managedImage', imageIdForDistribute: ids.managedImageTarget, managedImageLocation: 'north-europe' }, input: 'managedImageLocation', message: "Input 'managedImageLocation': expected an Azure region, as a name such as eastus or westeurope or a display name such as East US or West Europe, got 'north-europe'." },
  { title: 'template name with a space', inputs: { ...base, templateName: 'web image' }, input: 'templateName', message: "Input 'templateName': expected 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit and ending with a letter, digit or '_', got 'web image'." },
  { title: 'template name of 65 characters', inputs: { ...base, templateName: 't'.repeat(65) }, input: 'templateName', message: `Input 'templateName': expected 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit and ending with a letter, digit or '_', got '${'t'.repeat(65)}'.` },
  { title: 'template name .', inputs: { ...base, templateName: '.' }, input: 'templateName', message: "Input 'templateName': expected 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit and ending with a letter, digit or '_', got '.'." },
  { title: 'template name ..', inputs: { ...base, templateName: '..' }, input: 'templateName', message: "Input 'templateName': expected 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit and ending with a letter, digit or '_', got '..'." },
  { title: 'template name starting with a dot', inputs: { ...base, templateName: '.web' }, input: 'templateName', message: "Input 'templateName': expected 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit and ending with a letter, digit or '_', got '.web'." },
  { title: 'template name starting with a hyphen', inputs: { ...base, templateName: '-web' }, input: 'templateName', message: "Input 'templateName': expected 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit and ending with a letter, digit or '_', got '-web'." },
  { title: 'template name ending with a dot', inputs: { ...base, templateName: 'web.' }, input: 'templateName', message: "Input 'templateName': expected 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit and ending with a letter, digit or '_', got 'web.'." },
  { title: 'template name ending with a hyphen', inputs: { ...base, templateName: 'web-' }, input: 'templateName', message: "Input 'templateName': expected 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit and ending with a letter, digit or '_', got 'web-'." },
  { title: 'run output name ..', inputs: { ...base, runOutputName: '..' }, input: 'runOutputName', message: "Input 'runOutputName': expected 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit and ending with a letter, digit or '_', got '..'." },
  { title: 'run output name with a slash', inputs: { ...base, runOutputName: 'web/out' }, input: 'runOutputName', message: "Input 'runOutputName': expected 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit and ending with a letter, digit or '_', got 'web/out'." },
  { title: 'vm size with spaces', inputs: { ...base, vmSize: 'Standard D2' }, input: 'vmSize', message: "Input 'vmSize': expected a VM size name such as Standard_D4s_v5, got 'Standard D2'." },
  // Platform image
  { title: 'base image with two parts', inputs: { ...base, baseImage: 'Canonical:ubuntu' }, input: 'baseImage', message: "Input 'baseImage': expected publisher:offer:sku or publisher:offer:sku:version, got 'Canonical:ubuntu'." },
  { title: 'base image with an empty part', inputs: { ...base, baseImage: 'Canonical::server' }, input: 'baseImage', message: "Input 'baseImage': expected publisher:offer:sku or publisher:offer:sku:version, got 'Canonical::server'." },
  { title: 'base image with a bad version', inputs: { ...base, baseImage: 'Canonical:ubuntu:server:newest' }, input: 'baseImage', message: "Input 'baseImage': expected publisher:offer:sku or publisher:offer:sku:version, got 'Canonical:ubuntu:server:newest'." },
  { title: 'base image version malformed', inputs: { ...base, baseImageVersion: 'v1' }, input: 'baseImageVersion', message: "Input 'baseImageVersion': expected 'latest' or a version of three whole numbers such as 2024.01.15, got 'v1'." },
  { title: 'two different platform versions', inputs: { ...base, baseImage: 'Canonical:ubuntu:server:1.0.0', baseImageVersion: '2.0.0' }, input: 'baseImageVersion', message: "Input 'baseImageVersion': version '2.0.0' differs from version '1.0.0' given in baseImage; set the version in one place only." },
  { title: 'v1 windows marker with shell', inputs: { ...base, baseImage: 'MicrosoftWindowsServer:WindowsServer:2022-datacenter:windows' }, input: 'baseImage', message: "Input 'baseImage': the image is marked 'windows' but provisioner is 'shell'; use shell for Linux images and powershell for Windows images." },
  { title: 'purchase plan with two parts', inputs: { ...base, planInfo: 'pro:ubuntu-pro' }, input: 'planInfo', message: "Input 'planInfo': expected planName:planProduct:planPublisher, got 'pro:ubuntu-pro'." },
  // Gallery
  { title: 'gallery version with two parts', inputs: { ...base, galleryImageVersion: '1.2' }, input: 'galleryImageVersion', message: "Input 'galleryImageVersion': expected a gallery image version x.y.z of three whole numbers (each at most 2147483647), got '1.2'." },
  { title: 'gallery version beyond int32', inputs: { ...base, galleryImageVersion: '1.2.2147483648' }, input: 'galleryImageVersion', message: "Input 'galleryImageVersion': expected a gallery image version x.y.z of three whole numbers (each at most 2147483647), got '1.2.2147483648'." },
  { title: 'gallery version differs from the version id', inputs: { ...base, galleryImageId: ids.galleryVersion, galleryImageVersion: '1.2.4' }, input: 'galleryImageVersion', message: "Input 'galleryImageVersion': version '1.2.4' differs from version '1.2.3' in galleryImageId; give the version in one place only." },
  { title: 'region with a bad name', inputs: { ...base, replicationRegions: 'westeurope, East US' }, input: 'replicationRegions', message: "Input 'replicationRegions': expected region[=replicaCount][:storageAccountType], for example eastus=2:Standard_ZRS, got 'East US'." },
  { title: 'replica count zero', inputs: { ...base, replicationRegions: 'westeurope=0' }, input: 'replicationRegions', message: "Input 'replicationRegions': the replica count in 'westeurope=0' must be a whole number from 1 to 100." },
  { title: 'replica count 101', inputs: { ...base, replicationRegions: 'westeurope=101' }, input: 'replicationRegions', message: "Input 'replicationRegions': the replica count in 'westeurope=101' must be a whole number from 1 to 100." },
  { title: 'replica count not a number', inputs: { ...base, replicationRegions: 'westeurope=two' }, input: 'replicationRegions', message: "Input 'replicationRegions': the replica count in 'westeurope=two' must be a whole number from 1 to 100." },
  { title: 'replica storage type unknown', inputs: { ...base, replicationRegions: 'westeurope=2:Premium_ZRS' }, input: 'replicationRegions', message: "Input 'replicationRegions': the storage account type in 'westeurope=2:Premium_ZRS' must be one of Standard_LRS, Standard_ZRS, Premium_LRS." },
  { title: 'region listed twice', inputs: { ...base, replicationRegions: 'westeurope\nWestEurope=2' }, input: 'replicationRegions', message: "Input 'replicationRegions': region 'westeurope' is listed more than once." },
  // Distribution
  { title: 'distributeType unknown', inputs: { ...base, distributeType: 'sharedImageGallery,azureFiles' }, input: 'distributeType', message: "Input 'distributeType': expected a comma separated list of managedImage, sharedImageGallery and vhd, got 'azureFiles'." },
  { title: 'distributeType empty list', inputs: { ...base, distributeType: ' , ' }, input: 'distributeType', message: "Input 'distributeType': expected at least one of managedImage, sharedImageGallery and vhd." },
  { title: 'managed image target missing', inputs: { ...base, distributeType: 'managedImage' }, input: 'imageIdForDistribute', message: "Input 'imageIdForDistribute' is required when distributeType includes 'managedImage'." },
  { title: 'gallery target missing', inputs: { ...base, galleryImageId: '' }, input: 'galleryImageId', message: "Input 'galleryImageId' is required when distributeType includes 'sharedImageGallery'." },
  { title: 'vhd uri over http', inputs: { ...base, distributeType: 'vhd', vhdUri: 'http://fabrikam.blob.core.windows.net/vhds/a.vhd' }, input: 'vhdUri', message: "Input 'vhdUri': expected an https URL of the blob to write the VHD to, got 'http://fabrikam.blob.core.windows.net/vhds/a.vhd'." },
  // Numbers
  { title: 'build timeout over 960', inputs: { ...base, buildTimeoutInMinutes: '961' }, input: 'buildTimeoutInMinutes', message: "Input 'buildTimeoutInMinutes': expected a whole number from 0 to 960, got '961'." },
  { title: 'build timeout negative', inputs: { ...base, buildTimeoutInMinutes: '-5' }, input: 'buildTimeoutInMinutes', message: "Input 'buildTimeoutInMinutes': expected a whole number, got '-5'." },
  { title: 'build timeout fractional', inputs: { ...base, buildTimeoutInMinutes: '90.5' }, input: 'buildTimeoutInMinutes', message: "Input 'buildTimeoutInMinutes': expected a whole number, got '90.5'." },
  { title: 'os disk size not a number', inputs: { ...base, osDiskSizeGB: 'large' }, input: 'osDiskSizeGB', message: "Input 'osDiskSizeGB': expected a whole number, got 'large'." },
  { title: 'poll interval under 2 seconds', inputs: { ...base, pollIntervalSeconds: '1' }, input: 'pollIntervalSeconds', message: "Input 'pollIntervalSeconds': expected at least 2 seconds, got '1'. Faster polling only spends the subscription's Azure Resource Manager read limit; it does not make the build faster." },
  { title: 'poll interval not a number', inputs: { ...base, pollIntervalSeconds: '15s' }, input: 'pollIntervalSeconds', message: "Input 'pollIntervalSeconds': expected a whole number, got '15s'." },
  // Windows switches and elevation
  { title: 'runAsSystem without runElevated', inputs: { ...windows, runAsSystem: 'true' }, input: 'runAsSystem', message: "Input 'runAsSystem': running as SYSTEM requires runElevated to be true." },
  { title: 'runElevated with shell', inputs: { ...linux, runElevated: 'true' }, input: 'runElevated', message: "Input 'runElevated' applies to Windows builds only (provisioner powershell), but provisioner is 'shell'." },
  { title: 'runAsSystem with shell', inputs: { ...linux, runAsSystem: 'true', runElevated: 'false' }, input: 'runAsSystem', message: "Input 'runAsSystem' applies to Windows builds only (provisioner powershell), but provisioner is 'shell'." },
  { title: 'windowsRestart with shell', inputs: { ...linux, windowsRestart: 'true' }, input: 'windowsRestart', message: "Input 'windowsRestart' applies to Windows builds only (provisioner powershell), but provisioner is 'shell'." },
  { title: 'windowsUpdateProvisioner with shell', inputs: { ...linux, windowsUpdateProvisioner: 'true' }, input: 'windowsUpdateProvisioner', message: "Input 'windowsUpdateProvisioner' applies to Windows builds only (provisioner powershell), but provisioner is 'shell'." },
  // Network
  { title: 'proxyVmSize with a container instance subnet', inputs: { ...base, vnetSubnetId: ids.subnet, containerInstanceSubnetId: ids.aciSubnet, proxyVmSize: 'Standard_A1_v2' }, input: 'proxyVmSize', message: "Input 'proxyVmSize' must be empty when containerInstanceSubnetId is set: an isolated build through Azure Container Instance uses no proxy VM." },
  { title: 'proxyVmSize without a subnet', inputs: { ...base, proxyVmSize: 'Standard_A1_v2' }, input: 'proxyVmSize', message: "Input 'proxyVmSize' requires vnetSubnetId: the proxy VM is used only for builds in your own virtual network." },
  { title: 'container instance subnet without a subnet', inputs: { ...base, containerInstanceSubnetId: ids.aciSubnet }, input: 'containerInstanceSubnetId', message: "Input 'containerInstanceSubnetId' requires vnetSubnetId: the container instance subnet must be in the same virtual network as the build VM's subnet." },
  { title: 'container instance subnet in another network', inputs: { ...base, vnetSubnetId: ids.subnet, containerInstanceSubnetId: ids.otherVnetSubnet }, input: 'containerInstanceSubnetId', message: `Input 'containerInstanceSubnetId': the subnet must be in the virtual network of vnetSubnetId, ${ids.subnet.replace('/subnets/build', '').toLowerCase()}.` },
  // Artifacts
  { title: 'storage account missing with packagePath', inputs: { ...base, packagePath: '/agent/_work/1/a/drop' }, input: 'storageAccountName', message: "Input 'storageAccountName' is required when packagePath is set: the build artifacts are uploaded to that storage account." },
  { title: 'storage account name with capitals', inputs: { ...withPackage, storageAccountName: 'FabrikamArtifacts' }, input: 'storageAccountName', message: "Input 'storageAccountName': expected a storage account name of 3 to 24 lowercase letters and digits, got 'FabrikamArtifacts'." },
  { title: 'storage account name too short', inputs: { ...withPackage, storageAccountName: 'ab' }, input: 'storageAccountName', message: "Input 'storageAccountName': expected a storage account name of 3 to 24 lowercase letters and digits, got 'ab'." },
  { title: 'container name with a double hyphen', inputs: { ...withPackage, storageContainer: 'image--builder' }, input: 'storageContainer', message: "Input 'storageContainer': expected a container name of 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit, got 'image--builder'." },
  { title: 'container name with an underscore', inputs: { ...withPackage, storageContainer: 'image_builder' }, input: 'storageContainer', message: "Input 'storageContainer': expected a container name of 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit, got 'image_builder'." },
  { title: 'relative Linux destination', inputs: { ...withPackage, artifactDestination: 'opt/web' }, input: 'artifactDestination', message: "Input 'artifactDestination': expected an absolute path on the shell build VM, such as /opt/app, got 'opt/web'." },
  { title: 'Linux-style Windows destination', inputs: { ...withPackage, provisioner: 'powershell', artifactDestination: '/opt/web' }, input: 'artifactDestination', message: "Input 'artifactDestination': expected an absolute path on the powershell build VM, such as C:\\BuildArtifacts\\app, got '/opt/web'." },
  { title: 'Windows destination with a character Windows refuses', inputs: { ...withPackage, provisioner: 'powershell', artifactDestination: 'C:\\apps\\web|1' }, input: 'artifactDestination', message: "Input 'artifactDestination': expected an absolute path on the powershell build VM, such as C:\\BuildArtifacts\\app, got 'C:\\apps\\web|1'." },
  { title: 'script path escaping the artifacts', inputs: { ...withPackage, scriptPath: '../setup.sh' }, input: 'scriptPath', message: "Input 'scriptPath': expected a path relative to the unpacked artifacts, without '..', got '../setup.sh'." },
  { title: 'script path without artifacts', inputs: { ...base, scriptPath: 'setup.sh' }, input: 'scriptPath', message: "Input 'scriptPath' requires packagePath: the script is run from the unpacked build artifacts." },
  // JSON
  { title: 'additional customizers not JSON', inputs: { ...base, additionalCustomizers: '[{type: Shell}]' }, input: 'additionalCustomizers', message: `Input 'additionalCustomizers': expected JSON, but it does not parse: ${jsonError('[{type: Shell}]')}` },
  { title: 'additional customizers an object', inputs: { ...base, additionalCustomizers: '{"type":"Shell"}' }, input: 'additionalCustomizers', message: "Input 'additionalCustomizers': expected a JSON array of customizer objects, got an object." },
  { title: 'additional customizer without type', inputs: { ...base, additionalCustomizers: '[{"type":"Shell","inline":["ls"]},{"inline":["ls"]}]' }, input: 'additionalCustomizers', message: "Input 'additionalCustomizers': element 2 must be an object with a string 'type', such as Shell, PowerShell, File, WindowsRestart or WindowsUpdate." },
  { title: 'additional customizers a number', inputs: { ...base, additionalCustomizers: '42' }, input: 'additionalCustomizers', message: "Input 'additionalCustomizers': expected a JSON array of customizer objects, got a number." },
  { title: 'additional customizer that is a string', inputs: { ...base, additionalCustomizers: '["Shell"]' }, input: 'additionalCustomizers', message: "Input 'additionalCustomizers': element 1 must be an object with a string 'type', such as Shell, PowerShell, File, WindowsRestart or WindowsUpdate." },
  { title: 'template file not JSON', inputs: { ...base, templateJsonPath: '/agent/_work/1/s/t.json' }, files: { templateJson: '{"properties":' }, input: 'templateJsonPath', message: `Input 'templateJsonPath': the template file '/agent/_work/1/s/t.json' is not valid JSON: ${jsonError('{"properties":')}` },
  { title: 'template file an array', inputs: { ...base, templateJsonPath: '/agent/_work/1/s/t.json' }, files: { templateJson: '[]' }, input: 'templateJsonPath', message: "Input 'templateJsonPath': the template file '/agent/_work/1/s/t.json' must hold either an image template request body (a JSON object with a 'properties' object) or an ARM deployment template whose 'resources' hold exactly one Microsoft.VirtualMachineImages/imageTemplates resource; got an array." },
  { title: 'template file without properties', inputs: { ...base, templateJsonPath: '/agent/_work/1/s/t.json' }, files: { templateJson: '{"location":"westeurope"}' }, input: 'templateJsonPath', message: "Input 'templateJsonPath': the template file '/agent/_work/1/s/t.json' must hold either an image template request body (a JSON object with a 'properties' object) or an ARM deployment template whose 'resources' hold exactly one Microsoft.VirtualMachineImages/imageTemplates resource; got an object without a properties object." },
  { title: 'template file not read', inputs: { ...base, templateJsonPath: '/agent/_work/1/s/t.json' }, input: 'templateJsonPath', message: "Input 'templateJsonPath': the template file '/agent/_work/1/s/t.json' could not be read." },
  { title: 'template file distributor without a target', inputs: { ...base, galleryImageId: '', templateJsonPath: '/agent/_work/1/s/t.json' }, files: { templateJson: '{"properties":{"distribute":[{"type":"ManagedImage","runOutputName":"x"}]}}' }, input: 'templateJsonPath', message: "Input 'templateJsonPath': distributor 1 in the template file needs a type (ManagedImage, SharedImage or VHD), a runOutputName and its target (imageId and location, galleryImageId)." },
  { title: 'additional customizer of a type the API does not define', inputs: { ...base, additionalCustomizers: '[{"type":"Shell","inline":["ls"]},{"type":"Bash","inline":["ls"]}]' }, input: 'additionalCustomizers', message: "Input 'additionalCustomizers': element 2 has type 'Bash', which the image template API (2025-10-01) does not define; expected one of Shell, PowerShell, File, WindowsRestart, WindowsUpdate." },
  { title: 'additional customizer type in the wrong case', inputs: { ...base, additionalCustomizers: '[{"type":"shell","inline":["ls"]}]' }, input: 'additionalCustomizers', message: "Input 'additionalCustomizers': element 1 has type 'shell', which the image template API (2025-10-01) does not define; expected one of Shell, PowerShell, File, WindowsRestart, WindowsUpdate." },
  { title: 'additional customizers nested too deep', inputs: { ...base, additionalCustomizers: '['.repeat(100000) + ']'.repeat(100000) }, input: 'additionalCustomizers', message: "Input 'additionalCustomizers': the JSON nests arrays and objects deeper than 64 levels." },
  { title: 'additional customizers too large', inputs: { ...base, additionalCustomizers: `[{"type":"Shell","inline":["${'x'.repeat(4 * 1024 * 1024)}"]}]` }, input: 'additionalCustomizers', message: `Input 'additionalCustomizers': the JSON is ${4 * 1024 * 1024 + 32} bytes; at most 4194304 are accepted (Azure Resource Manager takes request bodies up to 4 MB).` },
  { title: 'additional customizer with a __proto__ key', inputs: { ...base, additionalCustomizers: '[{"type":"Shell","inline":["ls"],"__proto__":{"polluted":true}}]' }, input: 'additionalCustomizers', message: "Input 'additionalCustomizers': the name '__proto__' (at $[0]) is not accepted: JavaScript gives it a special meaning, so it could not be sent as written." },
  { title: 'template file nested too deep', inputs: { ...base, templateJsonPath: '/agent/_work/1/s/t.json' }, files: { templateJson: '{"properties":{"x":' + '['.repeat(70) + ']'.repeat(70) + '}}' }, input: 'templateJsonPath', message: "Input 'templateJsonPath': the JSON nests arrays and objects deeper than 64 levels." },
  { title: 'template file with a __proto__ key', inputs: { ...base, templateJsonPath: '/agent/_work/1/s/t.json' }, files: { templateJson: '{"properties":{"source":{"__proto__":{"type":"PlatformImage"}}}}' }, input: 'templateJsonPath', message: "Input 'templateJsonPath': the name '__proto__' (at $.properties.source) is not accepted: JavaScript gives it a special meaning, so it could not be sent as written." },
  { title: 'template file customizer of a type the API does not define', inputs: { ...base, templateJsonPath: '/agent/_work/1/s/t.json' }, files: { templateJson: '{"properties":{"customize":[{"type":"Shell","inline":["ls"]},{"type":"Ansible"}]}}' }, input: 'templateJsonPath', message: "Input 'templateJsonPath': element 2 of properties.customize in the template file has type 'Ansible', which the image template API (2025-10-01) does not define; expected one of Shell, PowerShell, File, WindowsRestart, WindowsUpdate." },
  { title: 'template file validator of a customizer-only type', inputs: { ...base, templateJsonPath: '/agent/_work/1/s/t.json' }, files: { templateJson: '{"properties":{"validate":{"inVMValidations":[{"type":"WindowsRestart"}]}}}' }, input: 'templateJsonPath', message: "Input 'templateJsonPath': element 1 of properties.validate.inVMValidations in the template file has type 'WindowsRestart', which the image template API (2025-10-01) does not define; expected one of Shell, PowerShell, File." },
  { title: 'additional WindowsRestart on a Linux build', inputs: { ...base, additionalCustomizers: '[{"type":"Shell","inline":["ls"]},{"type":"WindowsRestart"}]' }, input: 'additionalCustomizers', message: "Input 'additionalCustomizers': element 2 is a WindowsRestart customizer, which runs only on Windows build VMs, but provisioner is 'shell'." },
  { title: 'additional Shell step on a Windows build', inputs: { ...windows, additionalCustomizers: '[{"type":"Shell","inline":["ls"]}]' }, input: 'additionalCustomizers', message: "Input 'additionalCustomizers': element 1 is a Shell customizer, which runs only on Linux build VMs, but provisioner is 'powershell'." },
  { title: 'packagePath that does not exist', inputs: withPackage, files: { packagePathExists: false }, input: 'packagePath', message: "Input 'packagePath': '/agent/_work/1/a/drop' does not exist on the agent. Point it at the folder or file to upload, for example $(Build.ArtifactStagingDirectory)/app." },
  // Tags
  { title: 'tag line without =', inputs: { ...base, templateTags: 'owner=web\nnightly' }, input: 'templateTags', message: "Input 'templateTags': expected one key=value per line, got 'nightly'." },
  { title: 'tag line starting with =', inputs: { ...base, artifactTags: '=web' }, input: 'artifactTags', message: "Input 'artifactTags': expected one key=value per line, got '=web'." },
  { title: 'tag name with a slash', inputs: { ...base, templateTags: 'team/owner=web' }, input: 'templateTags', message: "Input 'templateTags': tag name 'team/owner' must have 1 to 512 characters and none of < > & \\ ? / or the percent sign." },
  { title: 'tag value too long', inputs: { ...base, artifactTags: `note=${'v'.repeat(257)}` }, input: 'artifactTags', message: "Input 'artifactTags': the value of tag 'note' must have at most 256 characters." },
  { title: 'tag set twice', inputs: { ...base, templateTags: 'Owner=a\nowner=b' }, input: 'templateTags', message: "Input 'templateTags': tag 'owner' is set more than once (tag names are not case-sensitive)." },
  { title: '51 template tags', inputs: { ...base, templateTags: 'tag0=v\ntag1=v\ntag2=v\ntag3=v\ntag4=v\ntag5=v\ntag6=v\ntag7=v\ntag8=v\ntag9=v\ntag10=v\ntag11=v\ntag12=v\ntag13=v\ntag14=v\ntag15=v\ntag16=v\ntag17=v\ntag18=v\ntag19=v\ntag20=v\ntag21=v\ntag22=v\ntag23=v\ntag24=v\ntag25=v\ntag26=v\ntag27=v\ntag28=v\ntag29=v\ntag30=v\ntag31=v\ntag32=v\ntag33=v\ntag34=v\ntag35=v\ntag36=v\ntag37=v\ntag38=v\ntag39=v\ntag40=v\ntag41=v\ntag42=v\ntag43=v\ntag44=v\ntag45=v\ntag46=v\ntag47=v\ntag48=v\ntag49=v\ntag50=v' }, input: 'templateTags', message: "Input 'templateTags': Azure allows at most 50 tags on a resource, got 51." },
  { title: '51 artifact tags', inputs: { ...base, artifactTags: 'tag0=v\ntag1=v\ntag2=v\ntag3=v\ntag4=v\ntag5=v\ntag6=v\ntag7=v\ntag8=v\ntag9=v\ntag10=v\ntag11=v\ntag12=v\ntag13=v\ntag14=v\ntag15=v\ntag16=v\ntag17=v\ntag18=v\ntag19=v\ntag20=v\ntag21=v\ntag22=v\ntag23=v\ntag24=v\ntag25=v\ntag26=v\ntag27=v\ntag28=v\ntag29=v\ntag30=v\ntag31=v\ntag32=v\ntag33=v\ntag34=v\ntag35=v\ntag36=v\ntag37=v\ntag38=v\ntag39=v\ntag40=v\ntag41=v\ntag42=v\ntag43=v\ntag44=v\ntag45=v\ntag46=v\ntag47=v\ntag48=v\ntag49=v\ntag50=v' }, input: 'artifactTags', message: "Input 'artifactTags': Azure allows at most 50 tags on a resource, got 51." },
  { title: 'tag name of 513 characters', inputs: { ...base, templateTags: `${'n'.repeat(513)}=v` }, input: 'templateTags', message: `Input 'templateTags': tag name '${'n'.repeat(513)}' must have 1 to 512 characters and none of < > & \\ ? / or the percent sign.` },
  { title: 'tag name with a percent sign', inputs: { ...base, templateTags: 'cost%=1' }, input: 'templateTags', message: "Input 'templateTags': tag name 'cost%' must have 1 to 512 characters and none of < > & \\ ? / or the percent sign." },
  { title: 'tag named __proto__', inputs: { ...base, artifactTags: '__proto__=x' }, input: 'artifactTags', message: "Input 'artifactTags': the name '__proto__' (tag name) is not accepted: JavaScript gives it a special meaning, so it could not be sent as written." },
  { title: 'poll interval over 300 seconds', inputs: { ...base, pollIntervalSeconds: '301' }, input: 'pollIntervalSeconds', message: "Input 'pollIntervalSeconds': expected at most 300 seconds, got '301'. The end of the build would be seen only that long after it happens." },
  { title: 'template file tags and templateTags over 50 together', inputs: { ...base, templateJsonPath: '/agent/_work/1/s/t.json', templateTags: Array.from({ length: 6 }, (_, i) => `t${i}=v`).join('\n') }, files: { templateJson: JSON.stringify({ tags: Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`f${i}`, 'v'])), properties: {} }) }, input: 'templateJsonPath', message: "Input 'templateJsonPath': Azure allows at most 50 tags on a resource, got 51." },
  { title: 'template file with 51 tags', inputs: { ...base, templateJsonPath: '/agent/_work/1/s/t.json' }, files: { templateJson: JSON.stringify({ tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`f${i}`, 'v'])), properties: {} }) }, input: 'templateJsonPath', message: "Input 'templateJsonPath': Azure allows at most 50 tags on a resource, got 51." },
  // Enums and booleans
  { title: 'sourceType unknown', inputs: { ...base, sourceType: 'vhd' }, input: 'sourceType', message: "Input 'sourceType': expected one of platformImage, managedImage, galleryImageVersion, got 'vhd'." },
  { title: 'provisioner unknown', inputs: { ...base, provisioner: 'bash' }, input: 'provisioner', message: "Input 'provisioner': expected one of shell, powershell, got 'bash'." },
  { title: 'artifactAccess unknown', inputs: { ...base, artifactAccess: 'key' }, input: 'artifactAccess', message: "Input 'artifactAccess': expected one of sas, identity, got 'key'." },
  { title: 'storageAccountType unknown', inputs: { ...base, storageAccountType: 'Standard_GRS' }, input: 'storageAccountType', message: "Input 'storageAccountType': expected one of Standard_LRS, Standard_ZRS, Premium_LRS, got 'Standard_GRS'." },
  { title: 'cleanup unknown', inputs: { ...base, cleanup: 'onFailure' }, input: 'cleanup', message: "Input 'cleanup': expected one of always, onSuccess, never, got 'onFailure'." },
  { title: 'onCustomizerError unknown', inputs: { ...base, onCustomizerError: 'keep' }, input: 'onCustomizerError', message: "Input 'onCustomizerError': expected one of cleanup, abort, got 'keep'." },
  { title: 'onValidationError unknown', inputs: { ...base, onValidationError: 'retry' }, input: 'onValidationError', message: "Input 'onValidationError': expected one of cleanup, abort, got 'retry'." },
  { title: 'boolean yes', inputs: { ...base, dryRun: 'yes' }, input: 'dryRun', message: "Input 'dryRun': expected true or false, got 'yes'." },
  { title: 'boolean typo', inputs: { ...base, excludeFromLatest: 'ture' }, input: 'excludeFromLatest', message: "Input 'excludeFromLatest': expected true or false, got 'ture'." },
  { title: 'boolean 1', inputs: { ...base, pinLatestVersion: '1' }, input: 'pinLatestVersion', message: "Input 'pinLatestVersion': expected true or false, got '1'." },
  { title: 'preflightOnly with preflight off', inputs: { ...base, preflight: 'false', preflightOnly: 'true' }, input: 'preflightOnly', message: "Input 'preflightOnly': preflightOnly runs only the preflight checks, so preflight must be true." },
];

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${text} parses`);
}

describe('parseConfig: every invalid value is reported naming the input', () => {
  for (const rule of RULES) {
    it(`rejects ${rule.title}`, () => {
      const messages = problemsOf(rule.inputs, rule.files);
      assert.ok(rule.message.startsWith(`Input '${rule.input}'`), 'the expected message names the input');
      assert.ok(messages.includes(rule.message), `expected\n  ${rule.message}\namong\n  ${messages.join('\n  ')}`);
    });
  }

  it('reports only the problem at hand, not follow-on noise', () => {
    for (const rule of RULES) {
      const named = problemsOf(rule.inputs, rule.files).filter((m) => !m.startsWith(`Input '${rule.input}'`));
      assert.deepEqual(named, [], rule.title);
    }
  });

  it('collects every problem in one pass instead of stopping at the first', () => {
    const messages = problemsOf({
      ...base,
      location: 'West_Europe',
      managedIdentity: 'aib',
      buildTimeoutInMinutes: '1000',
      runElevated: 'true',
      replicationRegions: 'westeurope=0',
      dryRun: 'maybe',
    });
    assert.deepEqual(
      messages.map((m) => /^Input '(\w+)'/.exec(m)?.[1]),
      ['location', 'managedIdentity', 'runElevated', 'replicationRegions', 'buildTimeoutInMinutes', 'dryRun'],
    );
  });
});
