// The web chat: renders the chat log, sends what the user types or presses, and polls for
// messages the bot pushes (broadcasts, reminders) or edits. No framework, no network access
// beyond this server.
"use strict";

(function () {
  const app = document.getElementById("app");
  const list = document.getElementById("messages");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const sendButton = document.getElementById("send");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const pollMs = Number(app.dataset.poll) || 3000;
  const nodes = new Map(); // message id -> element
  let lastRev = 0;
  let busy = false;
  let polling = false;

  const timeFmt = new Intl.DateTimeFormat("vi-VN", { timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit" });
  const dayFmt = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh" }); // yyyy-mm-dd

  function dayLabel(iso) {
    const day = dayFmt.format(new Date(iso));
    const today = dayFmt.format(new Date());
    const yesterday = dayFmt.format(new Date(Date.now() - 86400000));
    if (day === today) return "Hôm nay";
    if (day === yesterday) return "Hôm qua";
    const [y, m, d] = day.split("-");
    return `${d}/${m}/${y}`;
  }

  // Text is inserted as text nodes (never as HTML). A passage quoted from a document («…» on
  // lines of its own) becomes a highlighted block; http(s) links become anchors.
  function appendText(el, text) {
    text.split(/(https?:\/\/[^\s<>"]+)/g).forEach((piece, j) => {
      if (j % 2 === 1) {
        const a = document.createElement("a");
        a.href = piece; a.textContent = piece; a.target = "_blank"; a.rel = "noopener noreferrer";
        el.appendChild(a);
      } else if (piece) {
        el.appendChild(document.createTextNode(piece));
      }
    });
  }

  function fillText(el, text) {
    const parts = text.split(/(«[^»]*»)/g);
    const blocks = new Set();
    for (let i = 1; i < parts.length; i += 2) {
      if (/(^|\n)$/.test(parts[i - 1]) && /^(\n|$)/.test(parts[i + 1])) {
        blocks.add(i);
        parts[i - 1] = parts[i - 1].replace(/\n$/, "");  // the block already breaks the line
        parts[i + 1] = parts[i + 1].replace(/^\n/, "");
      }
    }
    parts.forEach((part, i) => {
      if (!blocks.has(i)) { appendText(el, part); return; }
      const quote = document.createElement("span");
      quote.className = "quote";
      quote.textContent = part;
      el.appendChild(quote);
    });
  }

  function renderButtons(msg) {
    const box = document.createElement("div");
    box.className = "buttons";
    for (const row of msg.buttons) {
      const line = document.createElement("div");
      line.className = "row";
      for (const b of row) {
        let chip;
        if (b.url) {
          chip = document.createElement("a");
          chip.href = b.url; chip.target = "_blank"; chip.rel = "noopener noreferrer";
        } else {
          chip = document.createElement("button");
          chip.type = "button";
          chip.addEventListener("click", () => press(msg.id, b, chip, box));
        }
        chip.className = "chip";
        chip.textContent = b.label;
        line.appendChild(chip);
      }
      box.appendChild(line);
    }
    return box;
  }

  function build(msg) {
    const wrap = document.createElement("div");
    wrap.className = `msg ${msg.dir}`;
    wrap.dataset.id = msg.id;
    wrap.dataset.at = msg.at;
    const bubble = document.createElement("div");
    bubble.className = "bubble";
    fillText(bubble, msg.text);
    if (msg.file) {
      const a = document.createElement("a");
      a.className = "file"; a.href = msg.file.url; a.textContent = msg.file.name; a.download = msg.file.name;
      bubble.appendChild(document.createElement("br"));
      bubble.appendChild(a);
    }
    const time = document.createElement("time");
    time.dateTime = msg.at;
    time.textContent = timeFmt.format(new Date(msg.at));
    bubble.appendChild(time);
    wrap.appendChild(bubble);
    if (msg.buttons && msg.buttons.length) wrap.appendChild(renderButtons(msg));
    return wrap;
  }

  function lastDay() {
    const items = list.querySelectorAll(".msg[data-at]");
    return items.length ? dayLabel(items[items.length - 1].dataset.at) : null;
  }

  function upsert(msg) {
    lastRev = Math.max(lastRev, msg.rev);
    const el = build(msg);
    const old = nodes.get(msg.id);
    if (old) { old.replaceWith(el); }
    else {
      const label = dayLabel(msg.at);
      if (label !== lastDay()) {
        const sep = document.createElement("div");
        sep.className = "day";
        const span = document.createElement("span");
        span.textContent = label;
        sep.appendChild(span);
        list.appendChild(sep);
      }
      list.appendChild(el);
    }
    nodes.set(msg.id, el);
  }

  function scrollDown() { list.scrollTop = list.scrollHeight; }

  function typing(on) {
    let el = document.getElementById("typing");
    if (on && !el) {
      el = document.createElement("div");
      el.id = "typing";
      el.className = "msg out typing";
      el.innerHTML = '<div class="bubble" aria-label="Trợ lý đang soạn trả lời"><span class="dots"><i></i><i></i><i></i></span></div>';
      list.appendChild(el);
      scrollDown();
    } else if (!on && el) {
      el.remove();
    }
  }

  function notice(text) {
    const el = build({ id: "n" + Date.now(), dir: "out", text: "⚠ " + text, buttons: [], at: new Date().toISOString(), rev: 0 });
    el.classList.add("error");
    list.appendChild(el);
    scrollDown();
  }

  async function fetchNew() {
    const response = await fetch(`/api/messages?rev=${lastRev}`, { credentials: "same-origin" });
    if (response.status === 401) { window.location.reload(); return; }
    if (!response.ok) throw new Error(String(response.status));
    const data = await response.json();
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    data.messages.forEach(upsert);
    if (data.messages.length && (atBottom || busy)) scrollDown();
  }

  async function post(body, pending) {
    if (busy) return;
    busy = true;
    sendButton.disabled = true;
    if (pending) { list.appendChild(pending); scrollDown(); }
    typing(true);
    try {
      const response = await fetch("/api/send", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body),
      });
      if (response.status === 401) { window.location.reload(); return; }
      if (!response.ok) {
        const data = await response.json().catch(() => ({}));
        throw new Error(data.error || "Không gửi được tin nhắn, đồng chí thử lại.");
      }
      if (pending) pending.remove();
      typing(false);
      await fetchNew();
    } catch (err) {
      typing(false);
      if (pending) pending.remove();
      notice(err.message && !/^\d+$/.test(err.message) ? err.message : "Mất kết nối tới máy chủ, đồng chí thử lại.");
    } finally {
      typing(false);
      busy = false;
      sendButton.disabled = false;
      scrollDown();
    }
  }

  function sendText(text) {
    text = text.trim();
    if (!text || busy) return;
    const pending = build({ id: "p", dir: "in", text, buttons: [], at: new Date().toISOString(), rev: 0 });
    pending.classList.add("pending");
    post({ text }, pending);
  }

  function press(messageId, b, chip, box) {
    if (busy) return;
    box.querySelectorAll("button").forEach((el) => { el.disabled = true; });
    chip.classList.add("chosen");
    post({ payload: b.data, label: b.label, ref: messageId }, null);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    autosize();
    sendText(text);
    input.focus();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  function autosize() { input.style.height = "auto"; input.style.height = Math.min(input.scrollHeight, 120) + "px"; }
  input.addEventListener("input", autosize);
  document.querySelectorAll("#shortcuts button").forEach((el) => {
    el.addEventListener("click", () => sendText(el.dataset.text));
  });

  async function poll() {
    if (polling || busy || document.hidden) return;
    polling = true;
    try { await fetchNew(); } catch (err) { /* offline for a moment: the next poll retries */ }
    finally { polling = false; }
  }

  fetchNew().then(scrollDown).catch(() => notice("Không tải được tin nhắn, đồng chí tải lại trang."));
  setInterval(poll, pollMs);
  document.addEventListener("visibilitychange", poll);
})();
