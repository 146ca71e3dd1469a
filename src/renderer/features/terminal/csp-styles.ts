/**
 * xterm.js under our CSP (`style-src 'self'`, no `'unsafe-inline'`).
 *
 * xterm.js's DOM renderer writes its theme and cell-size rules into `<style>` elements and puts
 * 24-bit colours in `style="…"` attributes. Both are inline styles the CSP refuses (Chromium even
 * refuses an empty `<style>`). Instead of weakening the CSP, the same rules go through the CSSOM,
 * which CSP does not govern and which markup injection cannot reach: constructed stylesheets
 * (`document.adoptedStyleSheets`) and `element.style.cssText`.
 */

/** A stand-in for xterm's `<style>` element: an inert `<template>` whose text feeds a constructed sheet. */
function sheetBackedElement(doc: Document, createElement: Document['createElement']): HTMLElement {
  const el = createElement.call(doc, 'template');
  const sheet = new CSSStyleSheet();
  doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
  let text = '';
  Object.defineProperty(el, 'textContent', {
    configurable: true,
    get: () => text,
    set: (v: string | null) => {
      text = v ?? '';
      sheet.replaceSync(text);
    },
  });
  const remove = el.remove.bind(el);
  el.remove = () => {
    doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => s !== sheet);
    remove();
  };
  return el;
}

/**
 * Runs `fn` (xterm's `open()`, which creates its style elements) with `document.createElement('style')`
 * answering CSSOM-backed stand-ins. Only for the duration of the call.
 */
export function withCssomStyles<T>(doc: Document, fn: () => T): T {
  const original = doc.createElement;
  const patched = function (this: Document, tag: string, options?: ElementCreationOptions): HTMLElement {
    if (tag.toLowerCase() === 'style') return sheetBackedElement(doc, original);
    return original.call(doc, tag, options);
  };
  Object.defineProperty(doc, 'createElement', { configurable: true, writable: true, value: patched });
  try {
    return fn();
  } finally {
    // Back to the prototype's createElement (the instance property is removed).
    delete (doc as { createElement?: unknown }).createElement;
    if (doc.createElement !== original) Object.defineProperty(doc, 'createElement', { configurable: true, writable: true, value: original });
  }
}

let installed = false;

/**
 * Makes `span.setAttribute('style', v)` (xterm's truecolour cells) go through `span.style.cssText`:
 * the same styles, set through the CSSOM the CSP allows. Parser-made attributes (markup injection)
 * are untouched, so the CSP keeps refusing those.
 */
export function installSpanStyleShim(): void {
  if (installed) return;
  installed = true;
  const proto = HTMLSpanElement.prototype;
  const setAttribute = Element.prototype.setAttribute;
  Object.defineProperty(proto, 'setAttribute', {
    configurable: true,
    writable: true,
    value: function (this: HTMLSpanElement, name: string, value: string): void {
      if (name.toLowerCase() === 'style') this.style.cssText = value;
      else setAttribute.call(this, name, value);
    },
  });
}
