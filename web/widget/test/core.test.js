import assert from "node:assert/strict";
import { test } from "node:test";

import { Cache, Conversation, formatTime, isHidden, newId, resolveTyped, tokenSubject } from "../src/core.js";

const bot = (id, ts, extra = {}) => ({ id, from: "bot", text: `bot ${id}`, ts, ...extra });
const user = (id, ts, status = "sent", extra = {}) => ({ id, from: "user", text: `user ${id}`, ts, status, ...extra });

test("a message arriving twice (live and again after a reconnect) is kept once", () => {
  const c = new Conversation();
  assert.equal(c.add(bot("b1", 1)), true);
  assert.equal(c.add(bot("b1", 1)), false);
  assert.deepEqual(c.messages.map((m) => m.id), ["b1"]);
});

test("messages are kept in time order whatever order they arrive in", () => {
  const c = new Conversation([bot("b2", 2), user("u1", 1), bot("b3", 3)]);
  assert.deepEqual(c.messages.map((m) => m.id), ["u1", "b2", "b3"]);
});

test("the server's history replaces the cache; unsent messages are kept and returned to resend", () => {
  const c = new Conversation([user("u1", 1, "pending"), bot("stale", 2), user("u2", 3, "pending"), { id: "s1", from: "system", text: "已收到", ts: 4 }]);
  const unsent = c.mergeHistory([{ ...user("u1", 1), status: undefined }, bot("b1", 1.5)]);
  assert.deepEqual(unsent.map((m) => m.id), ["u2"]);
  assert.deepEqual(c.messages.map((m) => [m.id, m.status]), [
    ["u1", "sent"],
    ["b1", undefined],
    ["u2", "pending"],
    ["s1", undefined],
  ]);
});

test("an acknowledged resend turns the pending message into a sent one, not a second message", () => {
  const c = new Conversation([user("u1", 1, "pending")]);
  c.add({ ...user("u1", 1), status: "sent" });
  assert.deepEqual(c.messages.map((m) => [m.id, m.status]), [["u1", "sent"]]);
  assert.deepEqual(c.pending(), []);
});

test("intents the widget sends itself are hidden, buttons the buyer clicked are not", () => {
  assert.equal(isHidden({ from: "user", text: "/open_chat" }), true);
  assert.equal(isHidden({ from: "user", text: "/affirm", display: "确认提交" }), false);
  assert.equal(isHidden({ from: "user", text: "京东介入在哪里" }), false);
  assert.equal(isHidden({ from: "bot", text: "/open_chat" }), false);
});

test("quick replies are those of the last message when it is the bot's", () => {
  const buttons = [{ title: "确认提交", payload: "/affirm" }];
  const c = new Conversation([user("u0", 0), bot("b1", 1, { quick_replies: buttons })]);
  assert.deepEqual(c.quickReplies(), buttons);
  c.add(user("u1", 2));
  assert.deepEqual(c.quickReplies(), []);
  c.add(user("hidden", 3, "pending", { text: "/open_chat" }));
  c.add(bot("b2", 4, { buttons }));
  assert.deepEqual(c.quickReplies(), buttons);
});

test("typing a button's title or number sends its payload", () => {
  const buttons = [
    { title: "蓝牙耳机 · 京东 · 商家已拒绝", payload: '/inform_order_id{"order_id": "250312345678"}' },
    { title: "确认提交", payload: "/affirm" },
  ];
  assert.deepEqual(resolveTyped("确认提交", buttons), { text: "/affirm", display: "确认提交" });
  assert.deepEqual(resolveTyped(" 确认 提交 ", buttons), { text: "/affirm", display: "确认提交" });
  assert.deepEqual(resolveTyped("1", buttons).text, buttons[0].payload);
  assert.deepEqual(resolveTyped("２", buttons).text, "/affirm");
  assert.deepEqual(resolveTyped("3", buttons), { text: "3", display: "" });
  assert.deepEqual(resolveTyped("卖家拒绝退款怎么办", buttons), { text: "卖家拒绝退款怎么办", display: "" });
});

test("the cache keeps each buyer's conversation apart and survives a broken entry", () => {
  const store = new Map();
  const storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v) };
  const mine = new Cache(storage, "https://bot", "b1001");
  mine.save(new Conversation([bot("b1", 1)]), 2);
  assert.deepEqual(new Cache(storage, "https://bot", "b1001").load().messages.map((m) => m.id), ["b1"]);
  assert.equal(new Cache(storage, "https://bot", "b1001").load().unread, 2);
  assert.deepEqual(new Cache(storage, "https://bot", "b2002").load().messages, []);
  store.set(mine.key, "{not json");
  assert.deepEqual(mine.load(), { messages: [], unread: 0 });
  const full = { getItem: () => null, setItem: () => { throw new Error("QuotaExceededError"); } };
  assert.doesNotThrow(() => new Cache(full, "s", "b").save(new Conversation([bot("b1", 1)])));
});

test("the token's subject keys the cache, unicode included; garbage gives none", () => {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  assert.equal(tokenSubject(`${b64({ alg: "HS256" })}.${b64({ sub: "买家b1001" })}.sig`), "买家b1001");
  assert.equal(tokenSubject("garbage"), null);
  assert.equal(tokenSubject(`${b64({})}.${b64({ sub: 42 })}.x`), null);
  assert.equal(tokenSubject(undefined), null);
});

test("ids are unique", () => {
  const ids = new Set(Array.from({ length: 1000 }, () => newId()));
  assert.equal(ids.size, 1000);
});

test("times: hours and minutes today, the date on other days", () => {
  const ts = new Date(2026, 10, 23, 14, 5).getTime() / 1000;
  assert.equal(formatTime(ts, "zh-CN", new Date(2026, 10, 23, 18, 0).getTime()), "14:05");
  assert.equal(formatTime(ts, "zh-CN", new Date(2026, 10, 25, 9, 0).getTime()), "11月23日 14:05");
  assert.equal(formatTime(undefined), "");
});
