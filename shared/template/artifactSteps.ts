/** The customizer steps that bring the build artifacts onto the build VM. */
import type { ArtifactAccess, ArtifactsConfig, Provisioner } from '../config/types';
import type { StagedArtifact } from './stagedArtifact';
import { psQuote, psUrl, shQuote } from './scriptQuoting';
import { TemplateError } from './templateError';
import type { ImageTemplateCustomizer, PowerShellCustomizer, ShellCustomizer } from './types';

/**
 * Image Builder's File customizer takes files up to 20 MB. Anything larger the
 * build VM downloads itself, checking the SHA-256 on the VM.
 */
export const FILE_CUSTOMIZER_LIMIT_BYTES = 20 * 1024 * 1024;

/** Folder the Windows archive lands in; created by the task and removed with the artifacts. */
export const WINDOWS_ARCHIVE_FOLDER = 'C:\\BuildArtifacts';

/** Blob service version sent with bearer tokens (required for OAuth; any recent version works). */
const STORAGE_API_VERSION = '2021-08-06';
const STORAGE_RESOURCE = 'https://storage.azure.com/';

/** Where the archive and its unpacked contents live on the build VM. */
export interface ArtifactLayout {
  os: 'linux' | 'windows';
  format: StagedArtifact['format'];
  /** Full path of the downloaded archive on the VM. */
  archivePath: string;
  /** Folder the archive is unpacked into. */
  destination: string;
}

/**
 * `format` is the staged archive's; before staging (no archive yet) it is the
 * one staging uses for the provisioner: zip for Windows, tar.gz for Linux.
 */
export function artifactLayout(artifacts: ArtifactsConfig, provisioner: Provisioner, format?: StagedArtifact['format']): ArtifactLayout {
  const os = provisioner === 'powershell' ? 'windows' : 'linux';
  const archiveFormat = format ?? (os === 'windows' ? 'zip' : 'tar.gz');
  // The folder name becomes a file name on the VM; keep it to characters every shell and file system accept.
  const baseName = artifacts.folderName.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[.-]+/, '') || 'artifacts';
  const extension = archiveFormat === 'zip' ? 'zip' : 'tar.gz';
  const destination = trimTrailingSeparators(artifacts.destination, os);
  if (isFileSystemRoot(destination, os)) {
    throw new TemplateError('ArtifactDestinationIsRoot', [artifacts.destination], 'artifactDestination');
  }
  // On Linux only /tmp is writable to the File customizer (Image Builder docs).
  const archivePath = os === 'linux' ? `/tmp/${baseName}.${extension}` : `${WINDOWS_ARCHIVE_FOLDER}\\${baseName}.${extension}`;
  return { os, format: archiveFormat, archivePath, destination };
}

function trimTrailingSeparators(value: string, os: ArtifactLayout['os']): string {
  const trimmed = os === 'linux' ? value.replace(/\/+$/, '') : value.replace(/[\\/]+$/, '');
  // Keep "C:" meaningful and "/" visible, so the root check below sees them.
  return trimmed === '' ? value.slice(0, 1) : trimmed;
}

function isFileSystemRoot(destination: string, os: ArtifactLayout['os']): boolean {
  if (os === 'linux') return destination === '/' || destination === '';
  return /^([A-Za-z]:)?[\\/]?$/.test(destination);
}

export interface DeliveryOptions {
  access: ArtifactAccess;
  /** Identities of the build VM; the first one fetches the archive when the VM must authenticate itself. */
  buildVmIdentities: readonly string[];
}

/**
 * Steps that put the archive on the VM and unpack it into the destination.
 *
 * Small archives go through a File customizer: the service downloads it (with
 * the SAS in the URL, or with the template identity) and checks the SHA-256.
 * Larger ones are fetched by a script on the VM, which checks the SHA-256
 * itself; with identity access the VM asks its instance metadata service for
 * a storage token on behalf of its first user-assigned identity.
 */
export function artifactDeliverySteps(layout: ArtifactLayout, artifact: StagedArtifact, options: DeliveryOptions): ImageTemplateCustomizer[] {
  const steps: ImageTemplateCustomizer[] = [];
  if (artifact.sizeBytes <= FILE_CUSTOMIZER_LIMIT_BYTES) {
    if (layout.os === 'windows') {
      // The File customizer does not create missing folders.
      steps.push(powershell('PrepareBuildArtifactsFolder', [
        "$ErrorActionPreference = 'Stop'",
        `New-Item -ItemType Directory -Force -Path ${psQuote(WINDOWS_ARCHIVE_FOLDER)} | Out-Null`,
      ]));
    }
    steps.push({
      type: 'File',
      name: 'DownloadBuildArtifacts',
      sourceUri: artifact.url,
      destination: layout.archivePath,
      sha256Checksum: artifact.sha256,
    });
  } else {
    const identity = options.access === 'identity' ? buildVmIdentityFor(artifact, options.buildVmIdentities) : undefined;
    steps.push(
      layout.os === 'linux'
        ? shell('DownloadBuildArtifacts', linuxDownload(layout, artifact, identity))
        : powershell('DownloadBuildArtifacts', windowsDownload(layout, artifact, identity)),
    );
  }
  steps.push(layout.os === 'linux' ? shell('UnpackBuildArtifacts', linuxUnpack(layout)) : powershell('UnpackBuildArtifacts', windowsUnpack(layout)));
  return steps;
}

/** Removes the unpacked artifacts and the archive (and, on Windows, the archive folder when it ends up empty). */
export function artifactRemovalStep(layout: ArtifactLayout, elevation: { runElevated: boolean; runAsSystem: boolean }): ImageTemplateCustomizer {
  if (layout.os === 'linux') {
    return shell('RemoveBuildArtifacts', ['set -e', `sudo rm -rf ${shQuote(layout.destination)} ${shQuote(layout.archivePath)}`]);
  }
  const folder = psQuote(WINDOWS_ARCHIVE_FOLDER);
  // Files the user's elevated scripts created may need the same rights to remove.
  return withElevation(
    powershell('RemoveBuildArtifacts', [
      "$ErrorActionPreference = 'Stop'",
      `Remove-Item -LiteralPath ${psQuote(layout.destination)}, ${psQuote(layout.archivePath)} -Recurse -Force -ErrorAction SilentlyContinue`,
      `if ((Test-Path -LiteralPath ${folder}) -and -not (Get-ChildItem -LiteralPath ${folder} -Force)) { Remove-Item -LiteralPath ${folder} -Force }`,
    ]),
    elevation,
  );
}

function buildVmIdentityFor(artifact: StagedArtifact, identities: readonly string[]): string {
  const first = identities[0];
  if (first === undefined) {
    throw new TemplateError('ArtifactNeedsBuildVmIdentity', [String(artifact.sizeBytes), String(FILE_CUSTOMIZER_LIMIT_BYTES)], 'buildVmIdentities');
  }
  return first;
}

function imdsTokenUrl(identityResourceId: string): string {
  return (
    'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01' +
    `&resource=${encodeURIComponent(STORAGE_RESOURCE)}&msi_res_id=${encodeURIComponent(identityResourceId)}`
  );
}

/** POSIX sh: the service runs inline Shell steps with /bin/sh, which may be dash (no pipefail, no arrays). */
function linuxDownload(layout: ArtifactLayout, artifact: StagedArtifact, identity: string | undefined): string[] {
  const curl = 'curl --fail --silent --show-error --location --retry 5 --retry-delay 5';
  const lines = ['set -e'];
  if (identity !== undefined) {
    lines.push(
      `imds_response=$(curl --fail --silent --show-error --retry 5 -H 'Metadata: true' ${shQuote(imdsTokenUrl(identity))})`,
      `token=$(printf '%s' "$imds_response" | sed -E 's/.*"access_token" *: *"([^"]+)".*/\\1/')`,
      `${curl} -H "Authorization: Bearer $token" -H 'x-ms-version: ${STORAGE_API_VERSION}' -o ${shQuote(layout.archivePath)} ${shQuote(artifact.url)}`,
    );
  } else {
    lines.push(`${curl} -o ${shQuote(layout.archivePath)} ${shQuote(artifact.url)}`);
  }
  lines.push(`echo ${shQuote(`${artifact.sha256}  ${layout.archivePath}`)} | sha256sum -c -`);
  return lines;
}

function windowsDownload(layout: ArtifactLayout, artifact: StagedArtifact, identity: string | undefined): string[] {
  const archive = psQuote(layout.archivePath);
  const lines = [
    "$ErrorActionPreference = 'Stop'",
    // The progress bar slows Invoke-WebRequest down by orders of magnitude on Windows PowerShell.
    "$ProgressPreference = 'SilentlyContinue'",
    '[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12',
    `New-Item -ItemType Directory -Force -Path ${psQuote(WINDOWS_ARCHIVE_FOLDER)} | Out-Null`,
  ];
  if (identity !== undefined) {
    lines.push(
      `$token = (Invoke-RestMethod -UseBasicParsing -Headers @{ Metadata = 'true' } -Uri ${psUrl(imdsTokenUrl(identity))}).access_token`,
      `Invoke-WebRequest -UseBasicParsing -Headers @{ Authorization = "Bearer $token"; 'x-ms-version' = '${STORAGE_API_VERSION}' } -Uri ${psUrl(artifact.url)} -OutFile ${archive}`,
    );
  } else {
    lines.push(`Invoke-WebRequest -UseBasicParsing -Uri ${psUrl(artifact.url)} -OutFile ${archive}`);
  }
  lines.push(
    `$actual = (Get-FileHash -Algorithm SHA256 -LiteralPath ${archive}).Hash.ToLowerInvariant()`,
    `if ($actual -ne '${artifact.sha256}') { throw ('SHA-256 mismatch for ' + ${archive} + ': expected ${artifact.sha256}, got ' + $actual) }`,
  );
  return lines;
}

function linuxUnpack(layout: ArtifactLayout): string[] {
  const archive = shQuote(layout.archivePath);
  const destination = shQuote(layout.destination);
  // sudo: the build user may not write outside /tmp, and the destination may be anywhere.
  const extract = layout.format === 'zip' ? `sudo unzip -q -o ${archive} -d ${destination}` : `sudo tar -xzf ${archive} -C ${destination}`;
  return ['set -e', `sudo mkdir -p ${destination}`, extract];
}

function windowsUnpack(layout: ArtifactLayout): string[] {
  const archive = psQuote(layout.archivePath);
  const destination = psQuote(layout.destination);
  const extract =
    layout.format === 'zip'
      ? `Expand-Archive -LiteralPath ${archive} -DestinationPath ${destination} -Force`
      : `tar.exe -xzf ${archive} -C ${destination}; if ($LASTEXITCODE -ne 0) { throw "tar.exe failed with exit code $LASTEXITCODE" }`;
  return ["$ErrorActionPreference = 'Stop'", `New-Item -ItemType Directory -Force -Path ${destination} | Out-Null`, extract];
}

export function shell(name: string, inline: string[]): ShellCustomizer {
  return { type: 'Shell', name, inline };
}

export function powershell(name: string, inline: string[]): PowerShellCustomizer {
  return { type: 'PowerShell', name, inline };
}

/** Sets the elevation switches only when on, so bodies stay free of default values. */
export function withElevation(step: PowerShellCustomizer, elevation: { runElevated: boolean; runAsSystem: boolean }): PowerShellCustomizer {
  if (!elevation.runElevated) return step;
  return { ...step, runElevated: true, ...(elevation.runAsSystem ? { runAsSystem: true } : {}) };
}
