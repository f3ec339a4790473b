// Headless rendering: a Vega-Lite spec is compiled to Vega, run in a View without a DOM (renderer 'none'),
// and serialised to SVG; sharp (libvips + librsvg) rasterises the SVG to PNG. Text in the PNG needs a system
// font (Debian: fonts-dejavu-core, installed by scripts/setup.sh).
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import sharp from 'sharp';
import { visible } from '../format.js';

/** A loader that refuses everything (plots carry their data inline) and records what was asked for. */
function refusingLoader(refused: string[]) {
  return {
    ...vega.loader(),
    load: async (uri: string) => {
      refused.push(uri);
      throw new Error(`plots carry their data inline; refusing to load ${uri}`);
    },
  } as vega.Loader;
}

/** A Vega logger that keeps messages instead of printing them to the console. */
function collectingLogger(errors: string[], warnings: string[]) {
  return vega.logger(vega.Warn, undefined, (method: string, _level: unknown, input: readonly unknown[]) => {
    (method === 'error' ? errors : warnings).push(input.map(String).join(' '));
  });
}

/**
 * The spec with control characters in every string written out (see visible): SVG is XML, which cannot hold
 * them, so a BEL in a class name would make an SVG no reader (nor sharp) accepts. Done on the spec, not the
 * SVG, so that labels are measured as they are shown. Field names are ours and plain, so escaping the data's
 * strings and the encodings' strings alike keeps them matching.
 */
function showable<T>(value: T): T {
  if (typeof value === 'string') return visible(value) as T;
  if (Array.isArray(value)) return value.map(showable) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, showable(v)])) as T;
  return value;
}

/**
 * Renders a Vega-Lite spec to an SVG document (string). Errors that Vega only logs, and any attempt to load
 * data from a URL, are thrown; compiler and runtime warnings are collected into `warnings` when given.
 */
export async function renderSvg(spec: TopLevelSpec, warnings: string[] = []): Promise<string> {
  const errors: string[] = [];
  const refused: string[] = [];
  const logger = collectingLogger(errors, warnings);
  const view = new vega.View(vega.parse(compile(showable(spec), { logger }).spec), { renderer: 'none', loader: refusingLoader(refused), logger });
  try {
    const svg = await view.toSVG();
    if (refused.length) throw new Error(`plots carry their data inline; refused to load ${refused.join(', ')}`);
    if (errors.length) throw new Error(`rendering a plot failed: ${errors.join('; ')}`);
    return svg;
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG to PNG at `scale` × its size (2: sharp text on high-density screens). */
export async function svgToPng(svg: string, scale = 2): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 * scale }).png().toBuffer();
}

/** Shared look: a white background and the default sans-serif font. */
/** Config labels such as "optimizer=SGD, shuffle=in folder order" are shown whole in legends and on axes. */
export const CONFIG = { background: 'white', font: 'DejaVu Sans, sans-serif', legend: { labelLimit: 480 }, axis: { labelLimit: 360 } } as const;

/** The Vega-Lite JSON schema every spec names. */
export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
