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
