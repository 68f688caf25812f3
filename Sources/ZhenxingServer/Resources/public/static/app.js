// Small enhancements only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll(".js-print")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});

// On a phone a list's filters fold behind one button, named by the form's own button and the number of filters set;
// wider screens and pages without this script show them open.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.matchMedia("(max-width: 600px)").matches) return;
  for (const form of document.querySelectorAll("form.filters[method=get]")) {
    if (form.querySelectorAll("label").length < 3) continue;
    const set = [...form.elements].filter((field) =>
      field.tagName === "SELECT" ? field.selectedIndex > 0 : (field.type === "text" || field.type === "search") && field.value !== "").length;
    const fold = document.createElement("details");
    fold.className = "filter-fold";
    const summary = document.createElement("summary");
    summary.className = "button secondary";
    summary.textContent = form.querySelector("button[type=submit]").textContent + (set ? ` (${set})` : "");
    form.replaceWith(fold);
    fold.append(summary, form);
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

// Field work without a network. The pages of field work are kept by the service worker (sw.js); a form marked
// data-offline that is sent while the phone is offline waits in IndexedDB and is sent when the network is back,
// with an Idempotency-Key so that sending it twice records it once. The page says what is waiting; a record the
// server refuses (changed or removed meanwhile, or no longer valid) is shown with the server's reason, never retried
// blindly, and can be dropped once dealt with. A record is sent only in the session of the user who made it: on a
// phone that changes hands it waits, unseen, for them to sign in again.
const Outbox = {
  open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("zhenxing-outbox", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("forms", { keyPath: "key" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  },
  async run(mode, work) {
    const db = await this.open();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction("forms", mode);
      const result = work(transaction.objectStore("forms"));
      transaction.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      transaction.onerror = () => reject(transaction.error);
    });
  },
  all() { return this.run("readonly", (store) => store.getAll()); },
  put(item) { return this.run("readwrite", (store) => store.put(item)); },
  remove(key) { return this.run("readwrite", (store) => store.delete(key)); },
};

const outboxText = (english) => english
  ? { waiting: (n) => `${n} record(s) saved on this phone, sent when the network is back.`, refused: "Not accepted:", drop: "Drop", signIn: "Sign in again to send the records waiting." }
  : { waiting: (n) => `${n} 条记录已保存在本机，联网后自动提交。`, refused: "未被接受：", drop: "放弃", signIn: "请重新登录，以提交本机保存的记录。" };

async function showOutbox() {
  const main = document.getElementById("main");
  if (!main || !("indexedDB" in window)) return;
  const text = outboxText(document.documentElement.lang === "en");
  const user = main.dataset.user;
  const items = (await Outbox.all()).filter((item) => item.user === user);
  let box = document.getElementById("outbox");
  if (!items.length) { if (box) box.remove(); return; }
  if (!box) {
    box = document.createElement("div");
    box.id = "outbox";
    box.setAttribute("role", "status");
    main.prepend(box);
  }
  box.className = items.some((item) => item.refused) ? "alert" : "notice";
  box.replaceChildren();
  const waiting = items.filter((item) => !item.refused);
  if (waiting.length) box.append(Object.assign(document.createElement("p"), { textContent: waiting.some((item) => item.signIn) ? text.signIn : text.waiting(waiting.length) }));
  for (const item of items.filter((item) => item.refused)) {
    const line = document.createElement("p");
    const link = Object.assign(document.createElement("a"), { href: item.page, textContent: item.label });
    const drop = Object.assign(document.createElement("button"), { type: "button", className: "link-button", textContent: text.drop });
    drop.addEventListener("click", async () => { await Outbox.remove(item.key); showOutbox(); });
    line.append(`${text.refused} `, link, ` — ${item.refused} `, drop);
    box.append(line);
  }
}

async function sendOutbox() {
  const user = document.getElementById("main")?.dataset.user;
  if (!navigator.onLine || !("indexedDB" in window) || !user) return;
  const csrf = document.querySelector("input[name=_csrf]");
  for (const item of await Outbox.all()) {
    if (item.refused || item.user !== user) continue;
    const body = new URLSearchParams(item.body);
    if (csrf) body.set("_csrf", csrf.value);  // the session's token now, should the phone have signed in again
    let response;
    try {
      response = await fetch(item.action, {
        method: "POST", body, credentials: "same-origin", redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "Idempotency-Key": item.key },
      });
    } catch (error) { break; }  // still no network: try again later
    if (response.type === "opaqueredirect" || response.ok) {
      await Outbox.remove(item.key);
    } else if (response.status === 401 || response.status === 403) {
      await Outbox.put({ ...item, signIn: true });
      break;
    } else {
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      // what the server said: its alert's heading, the first field it named with the reason ("反映人：请填写"), and for an
      // edit made meanwhile by someone else each field's saved value beside the one sent ("住址：旧 → 新")
      const alert = page.querySelector("[role=alert]");
      const field = page.querySelector(".has-error");
      const text = (node) => node?.textContent.trim() ?? "";
      const [colon, separator] = document.documentElement.lang === "en" ? [": ", "; "] : ["：", "；"];
      const reason = [
        text(alert?.querySelector("h2") || alert || page.querySelector("h1")),
        field ? `${text(field.querySelector("label, legend"))}${colon}${text(field.querySelector(".error"))}` : "",
        ...[...(alert?.querySelectorAll("tbody tr") ?? [])].map((row) => { const [name, saved, sent] = [...row.children].map(text); return `${name}${colon}${saved} → ${sent}`; }),
      ].filter(Boolean).join(separator);
      await Outbox.put({ ...item, refused: (reason || String(response.status)).slice(0, 500) });
    }
  }
  showOutbox();
}

// A page marks what field work needs offline (data-keep-offline: a link, or a block of links); while online, the pages
// not kept yet are fetched one at a time, and the service worker keeps them. At most 50 a visit.
async function keepForOffline() {
  if (!("serviceWorker" in navigator) || !("caches" in window) || !document.querySelector("[data-keep-offline]")) return;
  await navigator.serviceWorker.ready;  // on the first visit the worker takes the page over only once it is active
  if (!navigator.serviceWorker.controller) await new Promise((taken) => navigator.serviceWorker.addEventListener("controllerchange", taken, { once: true }));
  if (!navigator.onLine) return;
  const paths = new Set([...document.querySelectorAll("a[data-keep-offline], [data-keep-offline] a[href]")]
    .map((link) => new URL(link.href)).filter((url) => url.origin === location.origin).map((url) => url.pathname));
  for (const path of [...paths].slice(0, 50)) {
    if (await caches.match(path)) continue;
    try { await fetch(path, { credentials: "same-origin" }); } catch (error) { return; }
  }
}

document.addEventListener("DOMContentLoaded", () => {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/static/sw.js", { scope: "/" }).catch(() => {});
  for (const form of document.querySelectorAll("form[data-offline]")) {
    form.addEventListener("submit", async (event) => {
      if (navigator.onLine || !("indexedDB" in window)) return;  // online: the form goes as usual
      event.preventDefault();
      await Outbox.put({
        key: crypto.randomUUID(), user: document.getElementById("main").dataset.user, action: form.action, body: new URLSearchParams(new FormData(form)).toString(),
        page: location.pathname, label: `${document.title} · ${form.dataset.offline}`, at: new Date().toISOString(),
      });
      form.reset();
      form.closest("details")?.removeAttribute("open");
      showOutbox();
    });
  }
  showOutbox();
  sendOutbox();
  keepForOffline();
});
window.addEventListener("online", sendOutbox);
