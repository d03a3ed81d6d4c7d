// Admin pages: live delivery counts (polls the JSON endpoint every few seconds while visible)
// and a size check before uploading a roster file. Everything works without it too.
"use strict";

(function () {
  const table = document.getElementById("broadcasts");
  if (table) {
    const pollMs = Number(table.dataset.poll) || 3000;
    const live = document.getElementById("live");
    async function refresh() {
      if (document.hidden) return;
      try {
        const response = await fetch("/admin/api/broadcasts", { credentials: "same-origin" });
        if (!response.ok) return;
        const counts = await response.json();
        document.querySelectorAll("[data-id]").forEach((row) => {
          const item = counts[row.dataset.id];
          if (!item) return;
          row.querySelectorAll("[data-k]").forEach((cell) => {
            const key = cell.dataset.k;
            const value = item[key];
            if (value !== undefined && String(value) !== cell.textContent) cell.textContent = value;
          });
        });
        if (live) live.hidden = false;
      } catch (err) { /* the next poll retries */ }
    }
    setInterval(refresh, pollMs);
    refresh();
  }

  // Live pages (dashboard, assignment, conference, venue screen): the element with data-live-url
  // polls that JSON every few seconds; "fields" fill [data-live=key], "rows" fill
  // [data-row=key] [data-k=field], and "qr" replaces the venue's QR code when it changed.
  document.querySelectorAll("[data-live-url]").forEach((box) => {
    const pollMs = Number(box.dataset.poll) || 3000;
    const live = document.getElementById("live");
    const qr = document.getElementById("qr");
    const set = (cell, value) => { if (value !== undefined && String(value) !== cell.textContent) cell.textContent = value; };
    async function refreshLive() {
      if (document.hidden) return;
      try {
        const response = await fetch(box.dataset.liveUrl, { credentials: "same-origin" });
        if (!response.ok) return;
        const data = await response.json();
        document.querySelectorAll("[data-live]").forEach((cell) => set(cell, data.fields[cell.dataset.live]));
        document.querySelectorAll("[data-row]").forEach((row) => {
          const values = (data.rows || {})[row.dataset.row];
          if (values) row.querySelectorAll("[data-k]").forEach((cell) => set(cell, values[cell.dataset.k]));
        });
        document.querySelectorAll("progress[data-live-percent]").forEach((bar) => { bar.value = data.percent; });
        if (data.finished) {
          document.querySelectorAll("[data-when-finished]").forEach((el) => { el.hidden = false; });
          clearInterval(timer);
        }
        if (qr && data.qr && qr.dataset.url !== data.qr.url) {
          qr.innerHTML = data.qr.svg;  // SVG made by our server for our own URL
          qr.dataset.url = data.qr.url;
        }
        if (live) live.hidden = false;
      } catch (err) { /* the next poll retries */ }
    }
    const timer = setInterval(refreshLive, pollMs);
    refreshLive();
  });

  // The unit picker: filter the tree as one types (with or without diacritics), count the ticks.
  const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  document.querySelectorAll("[data-unit-picker]").forEach((picker) => {
    const filter = picker.querySelector("[data-filter]");
    const rows = Array.from(picker.querySelectorAll("label[data-text]"));
    const keys = rows.map((row) => fold(row.dataset.text));
    const picked = picker.querySelector("[data-picked]");
    filter.addEventListener("input", () => {
      const words = fold(filter.value).split(/\s+/).filter(Boolean);
      rows.forEach((row, i) => { row.hidden = !words.every((w) => keys[i].includes(w)); });
    });
    function count() {
      const n = picker.querySelectorAll("input[type=checkbox]:checked").length;
      picked.textContent = n ? "Đã chọn " + n + " đơn vị." : picked.dataset.none;
    }
    picker.addEventListener("change", count);
    count();
  });

  const upload = document.getElementById("roster-form");
  if (upload) {
    upload.addEventListener("submit", (event) => {
      const file = upload.querySelector('input[type="file"]').files[0];
      if (file && file.size > Number(upload.dataset.max)) {
        event.preventDefault();
        alert("Tệp quá lớn (tối đa " + Math.round(Number(upload.dataset.max) / 1048576) + " MB).");
      }
    });
  }
})();
