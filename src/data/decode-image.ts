// Decoding one image file with sharp the way datasets are built: alpha dropped, RGB or grayscale, optionally
// resized (fill, cover or contain, black padding), as raw H×W×C bytes. The image-folder loader and
// `nnlab predict` both decode through here, so a predicted image is prepared exactly like a training image.
//
// The file is read here, not by libvips: only a regular file (a symlink to one too) of at most MAX_IMAGE_BYTES,
// opened without blocking, so a FIFO, /dev/zero or a device is refused at once instead of hanging or being read
// without end (src/io/regular-file.ts). sharp then decodes the bytes (its own pixel limit applies).
import type sharpType from 'sharp';
import { readRegularFile } from '../io/regular-file.js';

export interface DecodeOptions {
  size: [height: number, width: number] | null;
  fit: 'fill' | 'cover' | 'contain';
  color: 'rgb' | 'grayscale';
  channels: number;
}

export interface DecodedImage {
  data: Buffer;
  width: number;
  height: number;
}

/** The largest image file read (far above any photo; a larger file is refused before it is read). */
export const MAX_IMAGE_BYTES = 256 * 1024 * 1024;

/** Decodes `file`; a file that is not a regular file, too large or not decodable throws (FileReadError for the first two). */
export async function decodeImage(sharp: typeof sharpType, file: string, o: DecodeOptions): Promise<DecodedImage> {
  const bytes = readRegularFile(file, MAX_IMAGE_BYTES, 'an image file');
  let img = sharp(bytes, { failOn: 'truncated' }).removeAlpha();
  img = o.color === 'rgb' ? img.toColourspace('srgb') : img.grayscale();
  if (o.size) img = img.resize(o.size[1], o.size[0], { fit: o.fit, background: { r: 0, g: 0, b: 0 } });
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== o.channels) throw new Error(`decoded to ${info.channels} channels, expected ${o.channels}`);
  return { data, width: info.width, height: info.height };
}
