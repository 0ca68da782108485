// References as an agent reads them. Every name and value is customer data, so it only ever reaches
// the page as text (textContent, or an href checked to be http(s)); nothing here parses HTML.

const LABELS = {
  URL: "Link", ATTACHMENT: "File", STRING: "Text", NUMBER: "Number", DATE: "Date", EMAIL: "Email address",
  EMAIL_MESSAGE: "Email", EMAIL_MESSAGE_REDACTED: "Email (redacted)", EMAIL_MESSAGE_PLAIN_TEXT: "Email (plain text)",
  EMAIL_MESSAGE_PLAIN_TEXT_REDACTED: "Email (plain text, redacted)", CONTACT_ANALYSIS: "Contact analysis",
};

// Files by what the download route will answer (docs/attachments.md).
const OPENS = new Set(["APPROVED"]);
const NOT_READY = new Set(["PROCESSING", "DRAFTING"]);
const INLINE = /\.(pdf|png|jpe?g|gif|webp)$/i;

export function element(tag, { className, text, attributes = {} } = {}, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** A link only for an http(s) address: a `javascript:` or `data:` value stays text. */
export function safeHref(value) {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

export function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return "";
  const units = ["bytes", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

function formatDate(value) {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : `${date.toLocaleString()} (${value})`;
}

/** One list item for `reference`; `onOpen(reference, item)` runs when the agent clicks Open. */
export function referenceItem(reference, onOpen) {
  const type = reference.type ?? "UNKNOWN";
  const item = element("li", { attributes: { "data-type": type } }, [
    element("span", { className: "kind", text: LABELS[type] ?? "Other" }),
    element("span", { className: "name", text: reference.name ?? "(no name)" }),
  ]);
  switch (type) {
    case "URL": {
      const href = safeHref(reference.value);
      item.append(href
        ? element("a", { className: "value", text: reference.value, attributes: { href, target: "_blank", rel: "noopener noreferrer" } })
        : element("span", { className: "value", text: reference.value ?? "" }));
      break;
    }
    case "ATTACHMENT":
      item.append(...fileParts(reference, item, onOpen));
      break;
    case "DATE":
      item.append(element("span", { className: "value", text: formatDate(reference.value ?? "") }));
      break;
    case "CONTACT_ANALYSIS":
      item.append(element("span", { className: "value", text: [reference.status, reference.analyticsMode].filter(Boolean).join(" · ") }));
      break;
    case "UNKNOWN":
      item.append(element("span", { className: "value", text: "A kind of reference this panel does not know yet." }));
      break;
    default:
      if (isEmailMessage(type)) {
        item.append(...messageParts(reference, item, onOpen));
      } else {
        item.append(element("span", { className: "value", text: reference.value ?? "" }));
      }
  }
  return item;
}

/** The four EMAIL_MESSAGE kinds: files of the contact (JSON `{contentType, messageContent}`) that open
 * through the download route as an attachment does, in a new tab. The panel never reads the message:
 * its content (HTML, from the customer) never enters this page at all. */
export function isEmailMessage(type) {
  return typeof type === "string" && type.startsWith("EMAIL_MESSAGE");
}

function messageParts(reference, item, onOpen) {
  if (!reference.downloadPath) {
    return [element("span", { className: "note", text: "Opening email messages is not enabled here." })];
  }
  const button = element("button", { text: "Open", attributes: { type: "button" } });
  button.addEventListener("click", () => onOpen(reference, item, button));
  return [element("span", { className: "file" }, [element("span", { className: "size" }), button])];
}

/** The file's row (status, size once known, its button) and a note saying what the agent can do. */
function fileParts(reference, item, onOpen) {
  const status = reference.status ?? "UNKNOWN";
  const row = element("span", { className: "file" }, [
    element("span", { className: `state ${status}`, text: status }),
    element("span", { className: "size" }),
  ]);
  if (reference.downloadPath && (OPENS.has(status) || NOT_READY.has(status))) {
    const label = OPENS.has(status) ? "Open" : "Try again";
    const button = element("button", { text: label, attributes: { type: "button" } });
    button.addEventListener("click", () => onOpen(reference, item, button));
    row.append(button);
  }
  const note = NOT_READY.has(status) ? "Still scanning, try again in a moment."
    : !OPENS.has(status) ? "This file cannot be opened."
    : !reference.downloadPath ? "Opening files is not enabled here."
    : null;
  return note ? [row, element("span", { className: "note", text: note })] : [row];
}

/** Whether the browser should show the file rather than save it: PDFs and images, and email messages
 * (JSON, which the browser shows as text in the new tab, on the file's own origin). */
export function opensInline(reference) {
  return isEmailMessage(reference.type) || INLINE.test(reference.name ?? "");
}

/** The note under an item (replacing the previous one): a message, and the request id to quote. */
export function setNote(item, { message, requestId = null, error = false }) {
  item.querySelector(".note")?.remove();
  const note = element("span", { className: error ? "note error" : "note", text: message });
  if (requestId) note.append(" Request id: ", element("span", { className: "request-id", text: requestId }));
  item.append(note);
}
