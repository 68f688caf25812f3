// Small enhancements only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll(".js-print")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});

// Import progress: poll the job and update the bar; reload when it has finished.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-progress]");
  if (!box) return;
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.progress, { headers: { Accept: "application/json" } });
      const state = await response.json();
      if (state.state !== "running") { window.location.reload(); return; }
      box.querySelector(".js-phase").textContent = state.phase;
      box.querySelector(".js-bar").value = state.fraction;
      box.querySelector(".js-read").textContent = state.rowsRead;
      box.querySelector(".js-checked").textContent = state.rowsChecked;
      box.querySelector(".js-written").textContent = state.rowsWritten;
    } catch (error) { /* keep the last figures; the refresh link still works */ }
    setTimeout(poll, 700);
  };
  setTimeout(poll, 300);
});
