// Error pages: a 404 that says what was not found, and a 500 that says what failed, without a stack trace.
import { html } from '../html.js';
import { page, type Site } from './layout.js';

export function notFoundPage(what: string, site: Site): string {
  return page({ title: 'Not found', section: null, site }, html`<p class="error">${what}</p><p><a href="/">Back to the studies</a></p>`);
}

export function errorPage(message: string, site: Site): string {
  return page({ title: 'Something went wrong', section: null, site }, html`<p class="error">${message}</p><p>The dashboard keeps serving; reload to try again.</p>`);
}
