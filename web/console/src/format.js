// Pure helpers of the console: what the agent reads, with no DOM (unit-tested with node --test).

export const STATUS = { open: "等待接手", taken: "处理中", closed: "已关闭", handed_back: "已交还机器人" };
export const WHO = { buyer: "买家", bot: "机器人", agent: "客服" };
export const VERDICT = {
  eligible: "现在可以申请介入",
  not_yet: "还不能申请介入",
  not_applicable: "不适用介入",
  in_progress: "介入处理中",
  unknown: "资料里没有规定",
};

/** "刚刚", "4 分钟", "1 小时 5 分钟": how long a buyer has waited. */
export function formatWait(seconds) {
  const minutes = Math.floor(Math.max(0, seconds) / 60);
  if (minutes < 1) return "刚刚";
  if (minutes < 60) return `${minutes} 分钟`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} 小时 ${minutes % 60} 分钟` : `${hours} 小时`;
}

/** A local "MM-DD HH:MM" from an ISO 8601 time (null stays empty). */
export function formatTime(iso, timeZone = "Asia/Shanghai") {
  if (!iso) return "";
  const parts = new Intl.DateTimeFormat("zh-CN", {
    timeZone, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
  }).formatToParts(new Date(iso));
  const get = (type) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
}

/** Who said a transcript line, as the agent reads it ("客服 alice"). */
export function speaker(line) {
  return line.who === "agent" && line.agent ? `${WHO.agent} ${line.agent}` : WHO[line.who] ?? line.who;
}

/** One queue row's label: id, status, who holds it, how long the buyer waited. */
export function queueLabel(handoff) {
  const holder = handoff.taken_by ? `（${handoff.taken_by}）` : "";
  return `#${handoff.id} ${STATUS[handoff.status] ?? handoff.status}${holder} · 等待 ${formatWait(handoff.waiting_seconds)}`;
}

/** The decision block of agent assist as lines of text. */
export function decisionLines(decision) {
  if (!decision) return ["没有订单信息，机器人没有做介入判断。"];
  const lines = [`${VERDICT[decision.verdict] ?? decision.verdict}（规则 ${decision.rule}）`, decision.explanation];
  if (decision.eligible_from) lines.push(`可申请时间：${formatTime(decision.eligible_from)}`);
  for (const d of decision.deadlines ?? []) lines.push(`${d.label}：${formatTime(d.at)}`);
  lines.push(`依据：${decision.source}`);
  return lines;
}

/** The message an API error carries for the agent (the server's Chinese message first). */
export function errorMessage(status, body) {
  const detail = body && body.detail;
  if (detail && typeof detail === "object" && detail.message) return detail.message;
  if (status === 401) return "令牌无效或已过期，请重新登录";
  if (status === 403) return "这里需要客服的令牌";
  return `请求失败（${status}）`;
}
