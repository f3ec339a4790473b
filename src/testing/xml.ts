// A small XML well-formedness check for tests (SVG output): tags nest and close, attributes are quoted, no
// stray '<' or bare '&'. Returns the elements with their attributes for the test to query.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  /** Text directly inside the element (entities left as written). */
  text: string;
  children: XmlElement[];
}

const NAME = /^[A-Za-z_:][\w:.-]*$/;
const ATTR = /\s+([A-Za-z_:][\w:.-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/y;
const ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;

/** Every element whose class attribute has all of `classes` (e.g. 'mark-line', 'role-mark'). */
export function byClass(elements: readonly XmlElement[], ...classes: string[]): XmlElement[] {
  return elements.filter((e) => {
    const have = (e.attrs.class ?? '').split(/\s+/);
    return classes.every((c) => have.includes(c));
  });
}

/** Parses `xml`, throwing an Error that says where it is not well-formed. */
export function parseXml(xml: string): { root: XmlElement; elements: XmlElement[] } {
  const elements: XmlElement[] = [];
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let i = 0;
  const fail = (why: string) => new Error(`XML not well-formed at ${i}: ${why} (…${xml.slice(Math.max(0, i - 40), i + 40)}…)`);
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (ENTITY.test(text)) throw fail('bare &');
    if (text.trim()) {
      if (!stack.length) throw fail('text outside the root element');
      stack[stack.length - 1].text += text;
    }
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith('<?', i)) i = xml.indexOf('?>', i) + 2;
    else if (xml.startsWith('<!--', i)) i = xml.indexOf('-->', i) + 3;
    else if (xml.startsWith('<![CDATA[', i)) i = xml.indexOf(']]>', i) + 3;
    else if (xml.startsWith('<!DOCTYPE', i)) i = xml.indexOf('>', i) + 1;
    else if (xml.startsWith('</', i)) {
      const end = xml.indexOf('>', i);
      const name = xml.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw fail(`</${name}> closes <${open?.name ?? 'nothing'}>`);
      i = end + 1;
    } else {
      const nameMatch = /^<([^\s/>]+)/.exec(xml.slice(i, i + 200));
      if (!nameMatch || !NAME.test(nameMatch[1])) throw fail('bad tag name');
      const el: XmlElement = { name: nameMatch[1], attrs: {}, text: '', children: [] };
      i += nameMatch[0].length;
      for (let m = (ATTR.lastIndex = i, ATTR.exec(xml)); m; m = (ATTR.lastIndex = i, ATTR.exec(xml))) {
        const value = m[3] ?? m[4];
        if (ENTITY.test(value)) throw fail('bare & in an attribute');
        if (m[1] in el.attrs) throw fail(`duplicate attribute ${m[1]}`);
        el.attrs[m[1]] = value;
        i = ATTR.lastIndex;
      }
      const close = /^\s*(\/?)>/.exec(xml.slice(i, i + 50));
      if (!close) throw fail(`bad attribute or unclosed tag <${el.name}`);
      i += close[0].length;
      if (!root) root = el;
      else if (!stack.length) throw fail('a second root element');
      else stack[stack.length - 1].children.push(el);
      elements.push(el);
      if (!close[1]) stack.push(el);
    }
    if (i <= lt) throw fail('unterminated markup');
  }
  if (stack.length) throw fail(`<${stack[stack.length - 1].name}> is never closed`);
  if (!root) throw new Error('XML has no root element');
  return { root, elements };
}
