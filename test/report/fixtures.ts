import type { ImageTemplateBody, ImageTemplateDistributor, ImageTemplateSource } from '../../shared/template/types';

export const SUB = '/subscriptions/00000000-0000-0000-0000-000000000001';
export const MANAGED_IMAGE_ID = `${SUB}/resourceGroups/images/providers/Microsoft.Compute/images/web-image`;
export const GALLERY_IMAGE = `${SUB}/resourceGroups/images/providers/Microsoft.Compute/galleries/gal/images/web`;
export const GALLERY_VERSION_ID = `${GALLERY_IMAGE}/versions/1.2.3`;
export const VHD_URL = 'https://stagingacct.blob.core.windows.net/vhds/web.vhd';

export const distributors: Record<'managed' | 'gallery' | 'vhd', ImageTemplateDistributor> = {
  managed: { type: 'ManagedImage', imageId: MANAGED_IMAGE_ID, location: 'westeurope', runOutputName: 'managed' },
  gallery: { type: 'SharedImage', galleryImageId: GALLERY_IMAGE, runOutputName: 'gallery', targetRegions: [{ name: 'westeurope' }] },
  vhd: { type: 'VHD', runOutputName: 'vhd' },
};

export const runOutputFor: Record<'managed' | 'gallery' | 'vhd', { name: string; artifactId?: string; artifactUri?: string }> = {
  managed: { name: 'managed', artifactId: MANAGED_IMAGE_ID },
  gallery: { name: 'gallery', artifactId: GALLERY_VERSION_ID },
  vhd: { name: 'vhd', artifactUri: VHD_URL },
};

export const platformSource: Extract<ImageTemplateSource, { type: 'PlatformImage' }> = { type: 'PlatformImage', publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' };

export function templateWith(distribute: ImageTemplateDistributor[], source: ImageTemplateSource = platformSource): Pick<ImageTemplateBody, 'properties'> {
  return {
    properties: {
      source,
      customize: [
        { type: 'File', name: 'artifacts', sourceUri: 'https://a/b.tar.gz?sig=x', destination: '/tmp/app.tar.gz' },
        { type: 'Shell', name: 'install', inline: ['echo secret-looking-stuff'] },
      ],
      distribute,
    },
  };
}
