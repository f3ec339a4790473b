// The README's dashboard pictures: `node dist/bench/ui-screenshots.js STORE OUTDIR NAME=PATH...` serves STORE,
// opens each PATH in Debian's Chromium and saves OUTDIR/NAME.png (e.g. study=/studies/7 search=/studies/14).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { openStore } from '../src/store/index.js';
import { startDashboard } from '../src/web/server.js';
import { launchChromium } from '../src/testing/browser.js';

const [storeUrl, outDir, ...pages] = process.argv.slice(2);
if (!storeUrl || !outDir || pages.length === 0) {
  console.error('usage: node dist/bench/ui-screenshots.js STORE OUTDIR NAME=PATH...');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const store = await openStore(storeUrl);
const ui = await startDashboard({ store, port: 0 });
const browser = await launchChromium();
try {
  for (const spec of pages) {
    const [name, where] = spec.split('=', 2);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`http://127.0.0.1:${ui.port}${where}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    const file = path.join(outDir, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(file);
    await page.close();
  }
} finally {
  await browser.close();
  await ui.close();
  await store.close();
}
