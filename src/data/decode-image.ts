// Decoding one image file with sharp the way datasets are built: alpha dropped, RGB or grayscale, optionally
// resized (fill, cover or contain, black padding), as raw H×W×C bytes. The image-folder loader and
// `nnlab predict` both decode through here, so a predicted image is prepared exactly like a training image.
import type sharpType from 'sharp';

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

export async function decodeImage(sharp: typeof sharpType, file: string, o: DecodeOptions): Promise<DecodedImage> {
  let img = sharp(file, { failOn: 'truncated' }).removeAlpha();
  img = o.color === 'rgb' ? img.toColourspace('srgb') : img.grayscale();
  if (o.size) img = img.resize(o.size[1], o.size[0], { fit: o.fit, background: { r: 0, g: 0, b: 0 } });
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== o.channels) throw new Error(`decoded to ${info.channels} channels, expected ${o.channels}`);
  return { data, width: info.width, height: info.height };
}
