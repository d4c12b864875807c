// DOM for messages and buttons. Every text from the server or the buyer goes in with
// textContent: no message can ever become HTML or script. ``doc`` is the document, passed
// in so the unit tests can render into a fake one.
import { formatTime } from "./core.js";

export function el(doc, tag, className, text) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function safeImageUrl(src) {
  return typeof src === "string" && /^https?:\/\//i.test(src) ? src : null;
}

/** The text a message shows: a button's title for a payload the buyer clicked. */
export function shownText(message) {
  if (message.from === "user") return message.display || message.text || "";
  return message.text || "";
}

/** One message: bubble (text, or an image) and a line with who and when. */
export function renderMessage(doc, message, t, locale, now = Date.now()) {
  const kind = message.from === "user" ? "user" : message.from === "system" ? "system" : "bot";
  const item = el(doc, "div", `jw-msg ${kind}${message.status === "failed" ? " failed" : ""}`);
  item.setAttribute("data-id", message.id);
  const bubble = el(doc, "div", "jw-bubble");
  const text = shownText(message);
  const image = safeImageUrl(message.attachment && message.attachment.payload && message.attachment.payload.src);
  if (text) bubble.textContent = text;
  if (image) {
    const img = el(doc, "img");
    img.setAttribute("src", image);
    img.setAttribute("alt", "图片");
    bubble.appendChild(img);
  }
  if (!text && !image) return null;
  const who = el(doc, "span", "jw-sr", `${kind === "user" ? t.you : t.bot}：`);
  item.appendChild(who);
  item.appendChild(bubble);
  let meta = formatTime(message.ts, locale, now);
  if (message.status === "pending") meta = `${meta} · ${t.pending}`.replace(/^ · /, "");
  if (message.status === "failed") meta = `${meta} · ${t.failed}`.replace(/^ · /, "");
  const line = el(doc, "time", "jw-meta", meta);
  if (message.ts) line.setAttribute("datetime", new Date(message.ts * 1000).toISOString());
  item.appendChild(line);
  return item;
}

/** The quick-reply buttons, numbered so typing "1" picks the first. */
export function renderReplies(doc, container, buttons, onPick, t) {
  while (container.firstChild) container.removeChild(container.firstChild);
  container.setAttribute("aria-label", t.quickReplies);
  buttons.forEach((button, index) => {
    const b = el(doc, "button", "jw-reply", `${index + 1}. ${button.title}`);
    b.setAttribute("type", "button");
    b.addEventListener("click", () => onPick(button));
    container.appendChild(b);
  });
  container.hidden = buttons.length === 0;
}

/** Re-render the log from the conversation. */
export function renderLog(doc, log, messages, t, locale, now = Date.now()) {
  while (log.firstChild) log.removeChild(log.firstChild);
  for (const message of messages) {
    const node = renderMessage(doc, message, t, locale, now);
    if (node) log.appendChild(node);
  }
}
