// The widget's stylesheet, scoped under .jieru-w; colours from the config as variables.
export const CSS = `
.jieru-w{--jw-primary:#e4393c;--jw-bg:#fff;--jw-text:#222;--jw-bot:#f3f4f6;position:fixed;bottom:20px;right:20px;z-index:2147483000;font:14px/1.5 -apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:var(--jw-text)}
.jieru-w.left{right:auto;left:20px}
.jieru-w *{box-sizing:border-box}
.jieru-w .jw-launcher{position:relative;width:56px;height:56px;border-radius:50%;border:0;background:var(--jw-primary);color:#fff;display:flex;align-items:center;justify-content:center;cursor:pointer;box-shadow:0 4px 12px rgba(0,0,0,.25)}
.jieru-w .jw-launcher:focus-visible,.jieru-w button:focus-visible,.jieru-w textarea:focus-visible{outline:3px solid #1a73e8;outline-offset:2px}
.jieru-w .jw-badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;background:#1a73e8;color:#fff;font-size:12px;line-height:20px}
.jieru-w .jw-badge[hidden]{display:none}
.jieru-w .jw-panel{position:absolute;bottom:68px;right:0;width:360px;height:560px;max-height:calc(100vh - 100px);display:flex;flex-direction:column;background:var(--jw-bg);border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);overflow:hidden}
.jieru-w.left .jw-panel{right:auto;left:0}
.jieru-w .jw-panel[hidden]{display:none}
.jieru-w .jw-head{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;background:var(--jw-primary);color:#fff;font-weight:600}
.jieru-w .jw-head button{border:0;background:transparent;color:#fff;font-size:20px;cursor:pointer}
.jieru-w .jw-status{padding:4px 12px;font-size:12px;background:#fff7e6;color:#8a5300}
.jieru-w .jw-status:empty{display:none}
.jieru-w .jw-log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px}
.jieru-w .jw-msg{max-width:85%;display:flex;flex-direction:column}
.jieru-w .jw-msg.user{align-self:flex-end;align-items:flex-end}
.jieru-w .jw-msg.bot,.jieru-w .jw-msg.system{align-self:flex-start}
.jieru-w .jw-bubble{padding:8px 12px;border-radius:12px;background:var(--jw-bot);white-space:pre-wrap;word-break:break-word}
.jieru-w .jw-msg.user .jw-bubble{background:var(--jw-primary);color:#fff}
.jieru-w .jw-msg.system .jw-bubble{background:#eef6ff;color:#124;font-size:13px}
.jieru-w .jw-msg.failed .jw-bubble{opacity:.6}
.jieru-w .jw-meta{font-size:11px;color:#777;margin-top:2px}
.jieru-w .jw-bubble img{max-width:100%;border-radius:6px}
.jieru-w .jw-replies{display:flex;flex-wrap:wrap;gap:6px;padding:0 12px 8px}
.jieru-w .jw-replies button{border:1px solid var(--jw-primary);color:var(--jw-primary);background:#fff;border-radius:16px;padding:5px 12px;cursor:pointer;text-align:left}
.jieru-w .jw-typing{padding:0 12px 6px;font-size:12px;color:#777}
.jieru-w .jw-typing[hidden]{display:none}
.jieru-w .jw-form{display:flex;gap:6px;padding:8px;border-top:1px solid #eee;align-items:flex-end}
.jieru-w .jw-form textarea{flex:1;resize:none;border:1px solid #ccc;border-radius:8px;padding:8px;font:inherit;min-height:38px;max-height:120px}
.jieru-w .jw-form button{border:0;border-radius:8px;padding:8px 12px;cursor:pointer;background:var(--jw-primary);color:#fff;font:inherit}
.jieru-w .jw-form .jw-attach{background:#f0f0f0;color:#333}
.jieru-w .jw-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:480px){.jieru-w{bottom:12px;right:12px}.jieru-w.left{left:12px}
.jieru-w.open .jw-panel{position:fixed;inset:0;width:100vw;height:100%;max-height:none;border-radius:0}
.jieru-w.open .jw-launcher{display:none}}
`;
