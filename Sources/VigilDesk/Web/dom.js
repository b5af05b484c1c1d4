// Building the page from data without ever parsing data as HTML: every value goes in as text.

/** An element with attributes and children; strings become text nodes (never HTML). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Removes every child of a node. */
export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
}

/** A TLP 2.0 label. */
export function tlpLabel(tlp) {
  return el("span", { class: "tlp tlp-" + tlp, text: "TLP:" + String(tlp).toUpperCase() });
}

const locales = { en: "en-GB", nl: "nl-BE", fr: "fr-BE" };

/** A time as the officer's language writes it, on a 24-hour clock. */
export function when(milliseconds, language) {
  return new Date(milliseconds).toLocaleString(locales[language] ?? language, { dateStyle: "short", timeStyle: "medium", hourCycle: "h23" });
}
