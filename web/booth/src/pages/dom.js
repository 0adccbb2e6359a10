// Small DOM helpers. Text always goes in as text (never as HTML).

/**
 * el(doc, 'p', {id: 'x', class: 'hint', hidden: true}, 'text', child, …):
 * attributes are set as given (true: present, false/null: absent); children
 * are nodes or text.
 */
export function el(doc, tag, attrs = {}, ...children) {
  const node = doc.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? doc.createTextNode(child) : child);
  }
  return node;
}

/** Replaces a node's content with the given children. */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** Shows words in an alert element (and unhides it), or hides it when words is empty. */
export function say(node, words) {
  if (!words) {
    node.hidden = true;
    node.replaceChildren();
    return;
  }
  node.hidden = false;
  node.replaceChildren(node.ownerDocument.createTextNode(words));
}

/** Lets the page paint (a status line) before a long synchronous step. */
export const nextPaint = () => new Promise((resolve) => setTimeout(resolve, 30));

/** A labelled input in the site's .field shape. */
export function field(doc, { id, label, type = 'text', hint = null, autocomplete = null, accept = null }) {
  const input = el(doc, 'input', {
    id,
    type,
    autocomplete,
    accept,
    'aria-describedby': hint ? `${id}-hint` : null,
  });
  const box = el(
    doc,
    'div',
    { class: 'field' },
    el(doc, 'label', { for: id }, label),
    hint ? el(doc, 'p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    input,
  );
  return { box, input };
}
