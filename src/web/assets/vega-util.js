// The three vega-util functions vega-interpreter imports, taken from Vega's own build (loaded before as
// vega.min.js), so the interpreter runs in the page without a bundler or an import map.
const vega = globalThis.vega;
export const ascending = vega.ascending;
export const isString = vega.isString;
export const DisallowedObjectProperties = vega.DisallowedObjectProperties;
