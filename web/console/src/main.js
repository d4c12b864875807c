// The agent console: plain DOM; every text from the server goes in through textContent.
import { makeApi } from "./api.js";
import { STATUS, decisionLines, formatTime, queueLabel, speaker } from "./format.js";

const TOKEN_KEY = "jieru-agent-token";
const QUEUE_EVERY_MS = 5000;
const TRANSCRIPT_EVERY_MS = 2000;

const $ = (id) => document.getElementById(id);
let api = null;
let selected = null; // the hand-off shown on the right
let timers = [];

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function say(message, isError = false) {
  const status = $("status");
  status.textContent = message;
  status.className = isError ? "error" : "";
}

async function guarded(action) {
  try {
    return await action();
  } catch (error) {
    say(error.message, true);
    if (error.status === 401 || error.status === 403) logout();
    return undefined;
  }
}

function login(token) {
  api = makeApi(token);
  sessionStorage.setItem(TOKEN_KEY, token);
  $("login").hidden = true;
  $("console").hidden = false;
  refreshQueue();
  timers = [setInterval(refreshQueue, QUEUE_EVERY_MS), setInterval(refreshConversation, TRANSCRIPT_EVERY_MS)];
}

function logout() {
  timers.forEach(clearInterval);
  timers = [];
  sessionStorage.removeItem(TOKEN_KEY);
  api = null;
  $("console").hidden = true;
  $("login").hidden = false;
}

async function refreshQueue() {
  const handoffs = await guarded(() => api.queue());
  if (!handoffs) return;
  const list = $("queue");
  list.replaceChildren(
    ...handoffs.map((h) => {
      const item = el("li", undefined, h.id === selected?.id ? "selected" : "");
      const button = el("button", queueLabel(h));
      button.dataset.id = h.id;
      button.addEventListener("click", () => select(h.id));
      item.append(button, el("div", h.summary, "summary"));
      return item;
    }),
  );
  if (!handoffs.length) list.append(el("li", "队列里没有等待的会话"));
}

async function select(id) {
  const handoff = await guarded(() => api.handoff(id));
  if (!handoff) return;
  selected = handoff;
  $("conversation").hidden = false;
  renderHandoff(handoff);
  await Promise.all([refreshConversation(), renderAssist(id), refreshQueue()]);
}

function renderHandoff(h) {
  $("title").textContent = `#${h.id} · ${STATUS[h.status] ?? h.status}${h.taken_by ? ` · ${h.taken_by}` : ""}`;
  $("summary").textContent = h.summary;
  $("notes").replaceChildren(...h.notes.map((n) => el("li", `${n.author}（${formatTime(n.at)}）：${n.text}`)));
  const order = h.details && h.details.order;
  if (order && !$("back-order").value) $("back-order").value = order.id;
  if (h.details && h.details.problem && !$("back-problem").value) $("back-problem").value = h.details.problem;
}

async function refreshConversation() {
  if (!api || !selected) return;
  const lines = await guarded(() => api.transcript(selected.id));
  if (!lines) return;
  const box = $("transcript");
  const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
  box.replaceChildren(
    ...lines.map((line) => {
      const row = el("div", undefined, `line ${line.who}`);
      row.append(el("span", `${speaker(line)} ${formatTime(line.at)}`, "who"), el("p", line.text));
      return row;
    }),
  );
  if (atBottom) box.scrollTop = box.scrollHeight;
}

async function renderAssist(id) {
  const assist = await guarded(() => api.assist(id));
  if (!assist) return;
  $("decision").replaceChildren(...decisionLines(assist.decision).map((line) => el("li", line)));
  $("click-path").textContent = assist.click_path.text;
  $("replies").replaceChildren(
    ...assist.replies.map((reply) => {
      const item = el("li");
      const insert = el("button", "插入");
      insert.addEventListener("click", () => {
        $("reply-text").value = reply.text;
        $("reply-text").focus();
      });
      item.append(el("strong", reply.title), insert, el("p", reply.text), el("small", `来源：${reply.sources.join("；")}`));
      return item;
    }),
  );
}

async function act(action, done) {
  if (!selected) return;
  const result = await guarded(action);
  if (result === undefined) return;
  say(done);
  await select(selected.id);
}

function wire() {
  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = $("token").value.trim();
    if (token) login(token);
  });
  $("logout").addEventListener("click", logout);
  $("take").addEventListener("click", () => act(() => api.take(selected.id), "已接手"));
  $("close").addEventListener("click", () => act(() => api.close(selected.id), "已关闭"));
  $("reply-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("reply-text").value;
    act(() => api.reply(selected.id, text), "已发送").then(() => {
      if ($("status").className !== "error") $("reply-text").value = "";
    });
  });
  $("note-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act(() => api.note(selected.id, $("note-text").value), "备注已保存").then(() => {
      $("note-text").value = "";
    });
  });
  $("back-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const fields = {
      order_id: $("back-order").value.trim() || null,
      problem: $("back-problem").value.trim() || null,
      note: $("back-note").value.trim() || null,
    };
    act(() => api.handBack(selected.id, fields), "已交还机器人");
  });
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) login(saved);
}

wire();
