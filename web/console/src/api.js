// The console's calls to /api/agent, one function per endpoint; errors carry the server's message.
import { errorMessage } from "./format.js";

export class ApiError extends Error {
  constructor(status, body) {
    super(errorMessage(status, body));
    this.status = status;
    this.code = body && body.detail && body.detail.code;
  }
}

export function makeApi(token, { base = "", fetchImpl = globalThis.fetch } = {}) {
  async function call(method, path, body) {
    const response = await fetchImpl(`${base}/api/agent${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }
  const one = (id) => `/handoffs/${encodeURIComponent(id)}`;
  return {
    queue: () => call("GET", "/queue").then((d) => d.handoffs),
    handoff: (id) => call("GET", one(id)),
    take: (id) => call("POST", `${one(id)}/take`),
    transcript: (id) => call("GET", `${one(id)}/transcript`).then((d) => d.lines),
    assist: (id) => call("GET", `${one(id)}/assist`),
    reply: (id, text) => call("POST", `${one(id)}/reply`, { text }),
    note: (id, text) => call("POST", `${one(id)}/notes`, { text }),
    close: (id) => call("POST", `${one(id)}/close`),
    handBack: (id, fields) => call("POST", `${one(id)}/hand-back`, fields),
  };
}
