import assert from "node:assert/strict";
import test from "node:test";

import { ApiError, makeApi } from "../src/api.js";
import { decisionLines, errorMessage, formatTime, formatWait, queueLabel, speaker } from "../src/format.js";

test("waiting time reads naturally", () => {
  assert.equal(formatWait(0), "刚刚");
  assert.equal(formatWait(59), "刚刚");
  assert.equal(formatWait(240), "4 分钟");
  assert.equal(formatWait(3600), "1 小时");
  assert.equal(formatWait(3900), "1 小时 5 分钟");
  assert.equal(formatWait(-5), "刚刚");
});

test("times are shown in the agents' zone", () => {
  assert.equal(formatTime("2026-12-01T02:05:00+00:00"), "12-01 10:05");
  assert.equal(formatTime(null), "");
});

test("speakers and queue rows", () => {
  assert.equal(speaker({ who: "agent", agent: "alice" }), "客服 alice");
  assert.equal(speaker({ who: "buyer" }), "买家");
  assert.equal(queueLabel({ id: 7, status: "taken", taken_by: "bob", waiting_seconds: 600 }), "#7 处理中（bob） · 等待 10 分钟");
  assert.equal(queueLabel({ id: 8, status: "open", taken_by: null, waiting_seconds: 5 }), "#8 等待接手 · 等待 刚刚");
});

test("the decision with its rule, times and source", () => {
  const lines = decisionLines({
    verdict: "not_yet", rule: "jd.negotiation_window", explanation: "还需等到 36 小时",
    eligible_from: "2026-11-17T00:00:00+00:00", deadlines: [{ label: "商家举证", at: "2026-11-18T00:00:00+00:00" }],
    source: "jd-dispute-procedure.txt",
  });
  assert.deepEqual(lines, [
    "还不能申请介入（规则 jd.negotiation_window）", "还需等到 36 小时", "可申请时间：11-17 08:00",
    "商家举证：11-18 08:00", "依据：jd-dispute-procedure.txt",
  ]);
  assert.deepEqual(decisionLines(null), ["没有订单信息，机器人没有做介入判断。"]);
});

test("errors carry the server's message", () => {
  assert.equal(errorMessage(409, { detail: { code: "already_taken", message: "这个会话已经被 bob 接手了" } }), "这个会话已经被 bob 接手了");
  assert.equal(errorMessage(401, null), "令牌无效或已过期，请重新登录");
  assert.equal(errorMessage(500, { detail: "x" }), "请求失败（500）");
});

test("the api sends the token and raises ApiError with the server's message", async () => {
  const calls = [];
  const fetchImpl = async (url, options) => {
    calls.push([url, options]);
    if (url.endsWith("/take")) {
      return { ok: false, status: 409, json: async () => ({ detail: { code: "already_taken", message: "已被接手" } }) };
    }
    return { ok: true, status: 200, json: async () => ({ handoffs: [{ id: 1 }] }) };
  };
  const api = makeApi("tok", { fetchImpl });
  assert.deepEqual(await api.queue(), [{ id: 1 }]);
  assert.equal(calls[0][0], "/api/agent/queue");
  assert.equal(calls[0][1].headers.Authorization, "Bearer tok");
  await assert.rejects(api.take(3), (error) => error instanceof ApiError && error.code === "already_taken" && error.message === "已被接手");
  assert.equal(calls[1][0], "/api/agent/handoffs/3/take");
});
