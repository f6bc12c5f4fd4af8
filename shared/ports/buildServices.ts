/** The port the build run uses to reach Azure (templates, staging, logs, preflight reads); shared/azure implements it. */
import type { ImageBuilderConfig } from '../config/types';
import type { StagedArtifact } from '../template/stagedArtifact';
import type { ImageTemplateBody } from '../template';
import type { StagingLogDeps } from '../watch/logTailer';
import type { PreflightReader } from '../preflight';
import type { PublishedImages } from './publishedImages';
import type { ContentDigest } from '../staging/contentDigest';

/** What the build run needs to know about a template as Azure reports it. */
export interface TemplateState {
  id: string;
  provisioningState?: string;
  provisioningError?: { code?: string; message?: string };
  lastRunStatus?: RunStatus;
  exactStagingResourceGroup?: string;
  tags?: Record<string, string>;
  /** A VHD distributor without a uri: the VHD lives in the staging account and goes with the template. */
  distributesToDefaultVhd?: boolean;
}

/** A template of the resource group as a list returns it. */
export interface ListedTemplate extends TemplateState {
  name: string;
}

/**
 * What Azure answered to a DELETE, without waiting for the deletion itself
 * (real Azure keeps that operation InProgress for minutes).
 */
export type DeleteRequest =
  /** 202: Azure deletes it in the background. */
  | { kind: 'accepted' }
  /** 200, 204 or 404: nothing is left. */
  | { kind: 'gone' }
  /** 409: not now, e.g. while the build is still canceling. */
  | { kind: 'refused'; reason: string };

export interface RunStatus {
  runState?: string;
  runSubState?: string;
  message?: string;
  startTime?: Date;
  endTime?: Date;
}

export interface RunOutputInfo {
  name: string;
  artifactId?: string;
  artifactUri?: string;
  provisioningState?: string;
}

/** Operations on the one image template this run owns. */
export interface TemplateOperations {
  /** undefined when the template does not exist. */
  get(signal?: AbortSignal): Promise<TemplateState | undefined>;
  create(body: ImageTemplateBody, signal?: AbortSignal): Promise<TemplateState>;
  /** Sends the DELETE and returns Azure's answer, not waiting for the deletion. */
  requestDelete(signal?: AbortSignal): Promise<DeleteRequest>;
  /** Sends the run request; returns once Azure accepted it, not when the build ends. */
  startRun(signal?: AbortSignal): Promise<void>;
  /** Sends the cancel request; returns once Azure accepted it. */
  cancelRun(): Promise<void>;
  runOutputs(): Promise<RunOutputInfo[]>;
}

/** The image templates of the run's resource group, for the sweep of earlier leftovers. */
export interface ResourceGroupTemplates {
  list(signal?: AbortSignal): Promise<ListedTemplate[]>;
  /** Sends the DELETE and returns Azure's answer, not waiting for the deletion. */
  requestDelete(name: string, signal?: AbortSignal): Promise<DeleteRequest>;
}

export interface StagedUpload {
  artifact: StagedArtifact;
  /** Deletes the uploaded blob. */
  remove(): Promise<void>;
}

/**
 * Azure as the build run sees it. The production implementation
 * (shared/azure/buildServices.ts) talks to ARM and Blob Storage through the
 * Azure SDKs; tests may supply their own.
 */
export interface BuildServices {
  templates: TemplateOperations;
  resourceGroupTemplates: ResourceGroupTemplates;
  resolveLatestPlatformVersion(
    source: Extract<ImageBuilderConfig['source'], { kind: 'platformImage' }>,
    location: string,
    signal?: AbortSignal,
  ): Promise<string>;
  /** The content digest of the build artifacts (local files; read as staging would pack them). */
  digestArtifacts(packagePath: string, signal?: AbortSignal): Promise<ContentDigest>;
  /** Existing gallery image versions and managed images, with their tags. */
  publishedImages: PublishedImages;
  /**
   * The exact version `.../versions/latest` of a gallery source stands for now
   * (see shared/images/galleryLatest.ts), as a version id.
   */
  resolveLatestGalleryVersion(imageVersionId: string, location: string, signal?: AbortSignal): Promise<string>;
  stageArtifacts(config: ImageBuilderConfig, onProgress: (bytes: number) => void, signal?: AbortSignal): Promise<StagedUpload>;
  /** Read-only access for the preflight checks. */
  preflightReader(): PreflightReader;
  /** How the build log in the staging storage account is found and read. */
  buildLogAccess(): StagingLogDeps;
}
