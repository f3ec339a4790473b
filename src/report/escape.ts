// Text for a terminal: names in it (studies, labels, factor levels, class names, file names) come from files a
// user did not necessarily write, and on a terminal ESC starts a command and BEL rings, so they are shown escaped.
import { visible } from './format.js';

/**
 * `text` as a terminal may show it: its line breaks kept, every other control character written out as
 * `visible` writes it in the reports (`\x1b`, `\x07`, `\r`, `\t`). For a single name, where a line break is part
 * of the name, use `visible` itself.
 */
export function terminalText(text: string): string {
  return text.split('\n').map(visible).join('\n');
}
