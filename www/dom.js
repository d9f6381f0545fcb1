// Small DOM helpers shared by the page's modules. Text only: nothing from a token is ever parsed as HTML.

/**
 * The element with this id; index.html is the page's own, so a missing one is a bug worth an exception.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function $(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from index.html`);
  return node;
}

/**
 * The element with this id, which must be of the given kind (an input, a button...).
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{ new (): T, prototype: T }} kind
 * @returns {T}
 */
export function $as(id, kind) {
  const node = $(id);
  if (!(node instanceof kind)) throw new Error(`#${id} is a <${node.tagName.toLowerCase()}>, not the element the page expects`);
  return node;
}

/** The value of a text input or text area, as typed. @param {string} id */
export function valueOf(id) {
  const node = $(id);
  if (node instanceof HTMLInputElement || node instanceof HTMLTextAreaElement) return node.value;
  throw new Error(`#${id} is not a form field`);
}

/** Sets the value of a text input or text area. @param {string} id @param {string} value */
export function setValue(id, value) {
  const node = $(id);
  if (node instanceof HTMLInputElement || node instanceof HTMLTextAreaElement) node.value = value;
  else throw new Error(`#${id} is not a form field`);
}

/** @typedef {Node | string | number | null | undefined | false} Child */

/**
 * A new element with attributes (null, undefined and false ones left out; true = present) and children.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | number | boolean | null | undefined>} [attributes]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A <code> element. @param {string} text */
export const code = (text) => el('code', {}, text);

/** The words of a list typed by a person: separated by spaces, commas or lines. @param {string} text */
export const words = (text) => text.split(/[\s,]+/).filter(Boolean);
