import assert from "node:assert/strict";
import { test } from "node:test";

import { renderLog, renderMessage, renderReplies } from "../src/render.js";
import { strings } from "../src/strings.js";
import { fakeDocument } from "./fakedom.js";

const t = strings("zh-CN");
const bubbles = (node) => node.find((n) => n.className === "jw-bubble");

test("markup from the bot or the buyer is rendered as text, never parsed", () => {
  const attack = "<img src=x onerror=alert(1)><script>alert(2)</script>";
  for (const from of ["bot", "user"]) {
    const node = renderMessage(fakeDocument, { id: "m", from, text: attack, ts: 1 }, t, "zh-CN");
    const [bubble] = bubbles(node);
    assert.equal(bubble.textContent, attack);
    assert.deepEqual(node.find((n) => n.tagName === "IMG" || n.tagName === "SCRIPT"), []);
  }
});

test("a clicked button shows its title, not its payload", () => {
  const node = renderMessage(
    fakeDocument,
    { id: "m", from: "user", text: '/inform_order_id{"order_id": "1"}', display: "蓝牙耳机 · 京东", ts: 1 },
    t,
    "zh-CN",
  );
  assert.equal(bubbles(node)[0].textContent, "蓝牙耳机 · 京东");
});

test("pending and refused messages say so; each message has a timestamp", () => {
  const ts = new Date(2026, 10, 23, 14, 5).getTime() / 1000;
  const now = new Date(2026, 10, 23, 15, 0).getTime();
  const pending = renderMessage(fakeDocument, { id: "m", from: "user", text: "在吗", ts, status: "pending" }, t, "zh-CN", now);
  const [meta] = pending.find((n) => n.className === "jw-meta");
  assert.equal(meta.textContent, "14:05 · 发送中");
  assert.equal(meta.getAttribute("datetime"), new Date(ts * 1000).toISOString());
  const failed = renderMessage(fakeDocument, { id: "m", from: "user", text: "在吗", ts, status: "failed" }, t, "zh-CN", now);
  assert.match(failed.className, /failed/);
});

test("images only from http(s) addresses; a message with nothing to show renders nothing", () => {
  const image = (src) =>
    renderMessage(fakeDocument, { id: "m", from: "bot", attachment: { type: "image", payload: { src } }, ts: 1 }, t, "zh-CN");
  const ok = image("https://example.com/a.png");
  assert.equal(ok.find((n) => n.tagName === "IMG")[0].getAttribute("src"), "https://example.com/a.png");
  assert.equal(image("javascript:alert(1)"), null);
  assert.equal(renderMessage(fakeDocument, { id: "c", from: "bot", custom: { x: 1 }, ts: 1 }, t, "zh-CN"), null);
});

test("quick replies are numbered buttons whose click sends the button", () => {
  const container = fakeDocument.createElement("div");
  const picked = [];
  const buttons = [{ title: "<b>确认提交</b>", payload: "/affirm" }, { title: "先不提交", payload: "/deny" }];
  renderReplies(fakeDocument, container, buttons, (b) => picked.push(b), t);
  assert.deepEqual(container.children.map((b) => b.textContent), ["1. <b>确认提交</b>", "2. 先不提交"]);
  container.children[1].listeners.click();
  assert.deepEqual(picked, [buttons[1]]);
  renderReplies(fakeDocument, container, [], () => {}, t);
  assert.equal(container.children.length, 0);
  assert.equal(container.hidden, true);
});

test("the log shows the visible messages in order, replacing what it showed", () => {
  const log = fakeDocument.createElement("div");
  renderLog(fakeDocument, log, [{ id: "1", from: "bot", text: "旧", ts: 1 }], t, "zh-CN");
  renderLog(fakeDocument, log, [{ id: "2", from: "user", text: "你好", ts: 1 }, { id: "3", from: "bot", text: "您好", ts: 2 }], t, "zh-CN");
  assert.deepEqual(log.children.map((n) => n.getAttribute("data-id")), ["2", "3"]);
});
