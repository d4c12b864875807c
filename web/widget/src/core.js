// The widget's state without a DOM or a socket: the conversation (de-duplicated by
// message id), the messages still waiting for the server, the local cache, and what a
// typed text means when buttons are offered. Tested with node --test.

export const MAX_MESSAGES = 200;

/** A message id unique enough across tabs and reloads. */
export function newId(random = Math.random, now = Date.now) {
  return `c${now().toString(36)}-${random().toString(36).slice(2, 10)}`;
}

/** A user message the widget hides: an intent the widget itself sent (e.g. /open_chat). */
export function isHidden(message) {
  return message.from === "user" && !message.display && /^\/[a-z_]+$/.test(message.text || "");
}

/**
 * The conversation: messages in time order, each id at most once. Bot messages come
 * from the server only (live or history); user messages are first local ("pending")
 * until the server acknowledges them ("sent") or refuses them ("failed").
 */
export class Conversation {
  constructor(messages = []) {
    this.messages = [];
    this.ids = new Set();
    for (const m of messages) this.add(m);
  }

  /** Add ``message`` unless its id is known; returns true if it was added. */
  add(message) {
    if (!message || !message.id || this.ids.has(message.id)) {
      if (message && message.id && message.status) this.update(message.id, { status: message.status });
      return false;
    }
    this.ids.add(message.id);
    this.messages.push({ ...message });
    this.messages.sort((a, b) => (a.ts || 0) - (b.ts || 0));
    if (this.messages.length > MAX_MESSAGES) {
      for (const old of this.messages.splice(0, this.messages.length - MAX_MESSAGES)) {
        this.ids.delete(old.id);
      }
    }
    return true;
  }

  update(id, changes) {
    const message = this.messages.find((m) => m.id === id);
    if (message) Object.assign(message, changes);
    return message;
  }

  /**
   * Replace the conversation with the server's (the tracker is the truth), keeping the
   * local messages the server has not got yet; returns those, to be sent again.
   */
  mergeHistory(history) {
    const serverIds = new Set(history.map((m) => m.id));
    const unsent = this.messages.filter(
      (m) => m.from === "user" && m.status === "pending" && !serverIds.has(m.id),
    );
    // Kept too: what only this browser knows (refused messages, upload receipts).
    const local = this.messages.filter(
      (m) => (m.status === "failed" || m.from === "system") && !serverIds.has(m.id),
    );
    this.messages = [];
    this.ids = new Set();
    for (const m of history) this.add({ ...m, status: m.from === "user" ? "sent" : undefined });
    for (const m of [...local, ...unsent]) this.add(m);
    return unsent;
  }

  pending() {
    return this.messages.filter((m) => m.from === "user" && m.status === "pending");
  }

  visible() {
    return this.messages.filter((m) => !isHidden(m));
  }

  /** The buttons of the last visible message when it is the bot's, else none. */
  quickReplies() {
    const shown = this.visible();
    const last = shown[shown.length - 1];
    if (!last || last.from !== "bot") return [];
    return last.quick_replies || last.buttons || [];
  }
}

/**
 * What the buyer typed, given the buttons offered: a button's title (ignoring spaces
 * and case) or its number ("1", "１") sends that button's payload; anything else is
 * sent as typed.
 */
export function resolveTyped(text, buttons) {
  const typed = String(text).trim();
  const normal = (s) => String(s).replace(/\s+/g, "").toLowerCase();
  const digits = typed.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
  if (/^\d{1,2}$/.test(digits)) {
    const button = buttons[Number(digits) - 1];
    if (button) return { text: button.payload, display: button.title };
  }
  const match = buttons.find((b) => normal(b.title) === normal(typed));
  if (match) return { text: match.payload, display: match.title };
  return { text: typed, display: "" };
}

/** The buyer a token names (its ``sub``), read without checking it: only to key the cache. */
export function tokenSubject(token) {
  try {
    const part = String(token).split(".")[1];
    const json = decodeBase64Url(part);
    const sub = JSON.parse(json).sub;
    return typeof sub === "string" && sub ? sub : null;
  } catch {
    return null;
  }
}

function decodeBase64Url(part) {
  const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const padded = b64 + "=".repeat((4 - (b64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/**
 * The conversation cached in ``storage`` (localStorage) per server and buyer, so a
 * reload shows it at once; the server's history replaces it when it arrives.
 */
export class Cache {
  constructor(storage, server, buyer) {
    this.storage = storage;
    this.key = `jieru-widget:v1:${server}:${buyer}`;
  }

  load() {
    try {
      const saved = JSON.parse(this.storage.getItem(this.key) || "null");
      if (saved && Array.isArray(saved.messages)) return saved;
    } catch {
      // A cache from another version or a full disk: start from the server's history.
    }
    return { messages: [], unread: 0 };
  }

  save(conversation, unread = 0) {
    const state = { messages: conversation.messages.slice(-MAX_MESSAGES), unread };
    try {
      this.storage.setItem(this.key, JSON.stringify(state));
    } catch {
      // Storage full or disabled (private mode): the server still has the conversation.
    }
  }
}

/** "14:05" for today, "11月23日 14:05" for another day, in the buyer's time zone. */
export function formatTime(ts, locale = "zh-CN", now = Date.now()) {
  if (!ts) return "";
  const date = new Date(ts * 1000);
  const time = date.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", hour12: false });
  if (new Date(now).toDateString() === date.toDateString()) return time;
  const day = date.toLocaleDateString(locale, { month: "long", day: "numeric" });
  return `${day} ${time}`;
}
