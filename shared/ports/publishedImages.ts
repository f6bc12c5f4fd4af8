/** What a build already produced, as Azure reports it: the port the skip decision and `latest` resolution read. */

export interface PublishedGalleryVersion {
  id: string;
  /** The version, `x.y.z`. */
  name: string;
  provisioningState?: string;
  excludeFromLatest: boolean;
  tags: Record<string, string>;
}

export interface PublishedManagedImage {
  id: string;
  provisioningState?: string;
  tags: Record<string, string>;
}

export interface PublishedImages {
  /** The versions of a gallery image definition; none when the definition does not exist. */
  galleryVersions(definitionId: string, signal?: AbortSignal): Promise<PublishedGalleryVersion[]>;
  /** undefined when the image does not exist. */
  managedImage(imageId: string, signal?: AbortSignal): Promise<PublishedManagedImage | undefined>;
}
