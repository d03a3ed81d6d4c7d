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
            const value = key === "failed" ? item.failed + item.blocked : item[key];
            if (value !== undefined && String(value) !== cell.textContent) cell.textContent = value;
          });
        });
        if (live) live.hidden = false;
      } catch (err) { /* the next poll retries */ }
    }
    setInterval(refresh, pollMs);
    refresh();
  }

  // A conference page or its venue screen: the current QR code and the attendance counts.
  const conference = document.getElementById("conference");
  if (conference) {
    const pollMs = Number(conference.dataset.poll) || 3000;
    const live = document.getElementById("live");
    const qr = document.getElementById("qr");
    const number = (n) => n.toLocaleString("vi-VN");
    const percent = (p) => p.toLocaleString("vi-VN", { maximumFractionDigits: 1 }) + "\u00a0%";
    async function refreshConference() {
      if (document.hidden) return;
      try {
        const response = await fetch("/admin/api/conferences/" + conference.dataset.id, { credentials: "same-origin" });
        if (!response.ok) return;
        const data = await response.json();
        const shown = { present: number(data.present), invited: number(data.invited), uninvited: number(data.uninvited),
                        percent: percent(data.percent), code: data.code, seconds: String(data.seconds), status: data.status };
        document.querySelectorAll("[data-live]").forEach((cell) => {
          const value = shown[cell.dataset.live];
          if (value !== undefined && value !== cell.textContent) cell.textContent = value;
        });
        document.querySelectorAll("[data-unit]").forEach((row) => {
          const unit = data.units[row.dataset.unit];
          if (!unit) return;
          row.querySelectorAll("[data-k]").forEach((cell) => { cell.textContent = number(unit[cell.dataset.k]); });
        });
        if (qr && qr.dataset.url !== data.url) {
          qr.innerHTML = data.svg;  // server-made SVG of our own URL
          qr.dataset.url = data.url;
        }
        if (live) live.hidden = false;
      } catch (err) { /* the next poll retries */ }
    }
    setInterval(refreshConference, pollMs);
    refreshConference();
  }

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
      picked.textContent = n ? "Đã chọn " + n + " đơn vị." : "Chưa chọn đơn vị nào: mời tất cả.";
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
