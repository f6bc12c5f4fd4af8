/** What staging hands to the template engine: where the VM can fetch the archive, and how to check it. */
export interface StagedArtifact {
  /** Blob URL; carries a read-only SAS query when access is `sas`, none when `identity`. */
  url: string;
  sizeBytes: number;
  /** Lowercase hex SHA-256 of the archive bytes. */
  sha256: string;
  format: 'tar.gz' | 'zip';
}
