// 介入助手 web widget. Embed with one script tag and a config object:
//   <script>window.jieruWidget = {server: "https://bot.example.com", token: () => fetch(...)};</script>
//   <script src="https://shop.example.com/widget/jieru-widget.js" defer></script>
// or call JieruWidget.init({...}) yourself. Config: server (the Rasa server's address),
// token (a JWT, or a function returning one or a Promise of one: called again on every
// reconnect), uploadUrl (default /api/evidence of the page's origin), title,
// colors {primary, background, text}, position ("right" | "left"), language
// ("zh-CN" | "zh-TW"), open (start expanded), socketPath, transports.
import { io } from "socket.io-client";

import { Cache, Conversation, formatTime, newId, resolveTyped, tokenSubject } from "./core.js";
import { el, renderLog, renderReplies } from "./render.js";
import { strings } from "./strings.js";
import { CSS } from "./styles.js";

const ACK_TIMEOUT_MS = 10000;
// A message whose acknowledgement does not come in time is sent again, with the same id
// (the server answers a repeat with "duplicate"), this many times in all; after that it
// stays pending and goes again on the next reconnect.
const SEND_ATTEMPTS = 3;
const OPEN_INTENT = "/open_chat";

// Icons as SVG paths: no icon font or emoji glyph the buyer's system may lack.
const BUBBLE = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";
const CLIP =
  "M16.5 6.5l-7.8 7.8a2 2 0 0 0 2.8 2.8l7.8-7.8a4 4 0 0 0-5.7-5.7L5.8 11.4a6 6 0 0 0 8.5 8.5l6.4-6.4";

function icon(doc, d) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = doc.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "24");
  svg.setAttribute("height", "24");
  svg.setAttribute("aria-hidden", "true");
  const path = doc.createElementNS(ns, "path");
  path.setAttribute("d", d);
  path.setAttribute("fill", "none");
  path.setAttribute("stroke", "currentColor");
  path.setAttribute("stroke-width", "2");
  path.setAttribute("stroke-linejoin", "round");
  svg.appendChild(path);
  return svg;
}

// localStorage/sessionStorage, or a stand-in in memory where the browser forbids them
// (storage disabled, some sandboxed frames): the server still has the conversation.
function storage(name) {
  try {
    const store = window[name];
    store.getItem("jieru-widget:probe");
    return store;
  } catch {
    const memory = new Map();
    return { getItem: (k) => memory.get(k) ?? null, setItem: (k, v) => memory.set(k, String(v)) };
  }
}

function resolveToken(config) {
  return Promise.resolve(typeof config.token === "function" ? config.token() : config.token);
}

export function init(userConfig) {
  const config = { position: "right", language: "zh-CN", uploadUrl: "/api/evidence", ...userConfig };
  const t = strings(config.language);
  const doc = document;
  const locale = config.language;

  if (!doc.getElementById("jieru-widget-css")) {
    const style = el(doc, "style");
    style.id = "jieru-widget-css";
    style.textContent = CSS;
    doc.head.appendChild(style);
  }

  // --- DOM ---
  const root = el(doc, "div", `jieru-w ${config.position === "left" ? "left" : ""}`);
  const colors = config.colors || {};
  if (colors.primary) root.style.setProperty("--jw-primary", colors.primary);
  if (colors.background) root.style.setProperty("--jw-bg", colors.background);
  if (colors.text) root.style.setProperty("--jw-text", colors.text);

  const panel = el(doc, "div", "jw-panel");
  panel.id = "jieru-widget-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", config.title || t.title);
  panel.hidden = true;
  const head = el(doc, "div", "jw-head");
  head.appendChild(el(doc, "span", "jw-title", config.title || t.title));
  const closeButton = el(doc, "button", "jw-close", "×");
  closeButton.setAttribute("type", "button");
  closeButton.setAttribute("aria-label", t.close);
  head.appendChild(closeButton);
  const status = el(doc, "div", "jw-status");
  status.setAttribute("role", "status");
  const log = el(doc, "div", "jw-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", t.log);
  log.tabIndex = 0;
  const typing = el(doc, "div", "jw-typing", t.typing);
  typing.hidden = true;
  const replies = el(doc, "div", "jw-replies");
  replies.setAttribute("role", "group");
  const form = el(doc, "form", "jw-form");
  const attach = el(doc, "button", "jw-attach");
  attach.appendChild(icon(doc, CLIP));
  attach.setAttribute("type", "button");
  attach.setAttribute("aria-label", t.attach);
  attach.title = t.attach;
  const file = el(doc, "input");
  file.type = "file";
  file.accept = "image/*,.heic,.heif"; // some desktop pickers leave HEIC out of image/*
  file.multiple = true;
  file.hidden = true;
  file.setAttribute("aria-hidden", "true");
  const input = el(doc, "textarea", "jw-input");
  input.rows = 1;
  input.placeholder = t.placeholder;
  input.setAttribute("aria-label", t.input);
  input.maxLength = 2000;
  const send = el(doc, "button", "jw-send", t.send);
  send.setAttribute("type", "submit");
  send.setAttribute("aria-label", t.send);
  form.append(attach, file, input, send);
  panel.append(head, status, log, typing, replies, form);

  const launcher = el(doc, "button", "jw-launcher");
  launcher.appendChild(icon(doc, BUBBLE));
  launcher.setAttribute("type", "button");
  launcher.setAttribute("aria-label", t.open);
  launcher.setAttribute("aria-controls", panel.id);
  launcher.setAttribute("aria-expanded", "false");
  const badge = el(doc, "span", "jw-badge");
  badge.hidden = true;
  launcher.appendChild(badge);
  root.append(panel, launcher);
  doc.body.appendChild(root);

  // --- state ---
  let conversation = new Conversation();
  let cache = null;
  let unread = 0;
  let isOpen = false;
  let socket = null;

  function setUnread(n) {
    unread = n;
    badge.textContent = n > 99 ? "99+" : String(n);
    badge.hidden = n === 0;
    launcher.setAttribute("aria-label", n ? `${t.open}（${t.unread(n)}）` : t.open);
  }

  function render() {
    renderLog(doc, log, conversation.visible(), t, locale);
    renderReplies(doc, replies, conversation.quickReplies(), pick, t);
    log.scrollTop = log.scrollHeight;
    if (cache) cache.save(conversation, unread);
  }

  function setOpen(open) {
    isOpen = open;
    panel.hidden = !open;
    root.classList.toggle("open", open);
    launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      setUnread(0);
      render();
      input.focus();
    } else {
      launcher.focus();
    }
  }

  function system(text) {
    const id = newId();
    conversation.add({ id, from: "system", text, ts: Date.now() / 1000 });
    render();
    return id;
  }

  // --- sending ---
  function emitMessage(message, attempt = 1) {
    if (!socket || !socket.connected) return;
    const body = { message: message.text, id: message.id, metadata: { display: message.display || "" } };
    socket.timeout(ACK_TIMEOUT_MS).emit("user_uttered", body, (err, ack) => {
      if (err) {
        if (attempt < SEND_ATTEMPTS) emitMessage(message, attempt + 1);
        return;
      }
      if (ack && (ack.status === "accepted" || ack.status === "duplicate")) {
        conversation.update(message.id, { status: "sent" });
      } else {
        conversation.update(message.id, { status: "failed" });
      }
      render();
    });
  }

  function sendText(text, display = "") {
    const message = { id: newId(), from: "user", text, display, ts: Date.now() / 1000, status: "pending" };
    conversation.add(message);
    render();
    emitMessage(message);
  }

  function pick(button) {
    sendText(button.payload, button.title);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = input.value.trim();
    if (!typed) return;
    input.value = "";
    const resolved = resolveTyped(typed, conversation.quickReplies());
    sendText(resolved.text, resolved.display);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });
  launcher.addEventListener("click", () => setOpen(!isOpen));
  closeButton.addEventListener("click", () => setOpen(false));
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen) setOpen(false);
  });

  // --- evidence upload ---
  attach.addEventListener("click", () => file.click());
  file.addEventListener("change", async () => {
    const chosen = Array.from(file.files || []);
    file.value = "";
    for (const one of chosen) {
      const line = system(t.uploading(one.name));
      const body = new FormData();
      body.append("file", one, one.name);
      body.append("intervention", "current");
      try {
        const token = await resolveToken(config);
        const reply = await fetch(config.uploadUrl, {
          method: "POST",
          body,
          headers: { Authorization: `Bearer ${token}` },
        });
        const result = await reply.json();
        conversation.update(line, { text: result.message || t.uploadFailed });
      } catch {
        conversation.update(line, { text: t.uploadFailed });
      }
      render();
    }
  });

  // --- connection ---
  function onBot(message) {
    typing.hidden = true;
    if (conversation.add({ ...message, from: "bot" })) {
      if (!isOpen) setUnread(unread + 1);
      render();
    }
  }

  function connect(firstToken) {
    status.textContent = t.connecting;
    socket = io(config.server, {
      path: config.socketPath || "/socket.io",
      transports: config.transports || ["websocket"],
      // Called on every (re)connection: a token function gets a fresh token each time.
      auth: (cb) => {
        const token = firstToken;
        firstToken = null;
        (token ? Promise.resolve(token) : resolveToken(config)).then(
          (value) => cb({ token: value }),
          () => cb({}),
        );
      },
    });
    let greeted = false;
    socket.on("connect", () => {
      status.textContent = "";
      socket.timeout(ACK_TIMEOUT_MS).emit("history_request", {}, (err, history) => {
        if (err || !history) return;
        const unsent = conversation.mergeHistory(history.messages || []);
        render();
        for (const message of unsent) emitMessage(message);
        // The bot speaks first once per tab session (a reload keeps it), not on reconnects.
        const session = storage("sessionStorage");
        if (!greeted && !session.getItem(`jieru-widget:opened:${history.buyer}`)) {
          session.setItem(`jieru-widget:opened:${history.buyer}`, "1");
          const hello = { id: newId(), from: "user", text: OPEN_INTENT, ts: Date.now() / 1000, status: "pending" };
          conversation.add(hello);
          emitMessage(hello);
        }
        greeted = true;
      });
    });
    socket.on("disconnect", (reason) => {
      if (reason === "io client disconnect") return;
      status.textContent = t.offline;
      // The server closed it (a token that expired while connected): socket.io does not
      // retry that by itself; reconnecting asks the token function for a new token.
      if (reason === "io server disconnect" && typeof config.token === "function") {
        setTimeout(() => socket.connect(), 1000);
      }
    });
    socket.on("connect_error", (error) => {
      if (error && error.message === "unauthorized") {
        status.textContent = t.unauthorized;
        // Refused by the server: socket.io does not retry; a token function may have a
        // new token in a while.
        if (typeof config.token === "function") setTimeout(() => socket.connect(), 5000);
      } else {
        status.textContent = t.offline;
      }
    });
    socket.on("auth_expired", () => {
      status.textContent = t.connecting;
    });
    socket.on("bot_uttered", onBot);
    socket.on("user_echo", (message) => {
      if (conversation.add({ ...message, status: "sent" })) render();
    });
    socket.on("bot_typing", (data) => {
      typing.hidden = !(data && data.typing);
    });
  }

  resolveToken(config).then((token) => {
    const buyer = tokenSubject(token) || "anonymous";
    cache = new Cache(storage("localStorage"), config.server, buyer);
    const saved = cache.load();
    conversation = new Conversation(saved.messages);
    setUnread(saved.unread || 0);
    render();
    connect(token);
  });

  if (config.open) setOpen(true);
  return {
    open: () => setOpen(true),
    close: () => setOpen(false),
    send: (text) => sendText(text),
    get socket() {
      return socket;
    },
    formatTime,
  };
}

const api = { init };
if (typeof window !== "undefined") {
  window.JieruWidget = api;
  if (window.jieruWidget && !window.jieruWidget.manual) {
    const start = () => {
      window.jieruWidget.instance = init(window.jieruWidget);
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
}
