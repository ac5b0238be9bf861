/*
 * Web chat front-end.
 *
 * The server speaks a small JSON protocol over one WebSocket (see the
 * "Every channel speaks the Telegram Bot API" section of the architecture
 * notes): the bot's Bot API calls arrive as `message` / `edit` / `delete` /
 * `toast` / `typing` frames, and what the resident does goes back as `text` /
 * `callback` / `file` / `location` / `contact` frames.
 *
 * Plain ES2020, no build step, no external assets: the page must work offline
 * and on old phones. Every user-facing string comes from the bootstrap JSON.
 */
"use strict";

(() => {
  // ---------------------------------------------------------------- settings

  const RECONNECT_MAX_MS = 10000;
  const CALLBACK_LOCK_MS = 3000;    // how long an inline keyboard stays locked after a tap
  const TYPING_MS = 3000;           // Bot API: a chat action lasts up to 5 s; we show 3 s
  const TOAST_MS = 3000;
  const HISTORY_WAIT_MS = 3000;     // fallback if a server never sends `history`
  const STICK_PX = 80;              // "near the bottom" for auto-scroll
  const PERSONA_KEY = "webchat.persona";
  const START_SENT_PREFIX = "webchat.start-sent:";

  const DEFAULTS = {
    demo: false, locale: "en", title: "", ui: {}, personas: [], start_payload: null,
  };

  /** The server fills the JSON; during development the placeholder may remain. */
  function readBootstrap() {
    const node = document.getElementById("bootstrap");
    try {
      const data = JSON.parse(node ? node.textContent : "");
      return { ...DEFAULTS, ...(data && typeof data === "object" ? data : {}) };
    } catch (_) {
      return { ...DEFAULTS };
    }
  }

  const boot = readBootstrap();
  const ui = boot.ui && typeof boot.ui === "object" ? boot.ui : {};
  const personas = Array.isArray(boot.personas) ? boot.personas : [];

  /** Translated string; a missing key shows itself so the gap is easy to spot. */
  const t = (key) => (typeof ui[key] === "string" ? ui[key] : key);

  // ---------------------------------------------------------------- DOM refs

  const $ = (id) => document.getElementById(id);
  const dom = {
    title: $("title"),
    status: $("status"),
    personaWrap: $("persona-wrap"),
    personaLabel: $("persona-label"),
    persona: $("persona"),
    list: $("messages"),
    keyboard: $("keyboard"),
    phoneForm: $("phone-form"),
    phoneLabel: $("phone-label"),
    phoneInput: $("phone-input"),
    phoneSubmit: $("phone-submit"),
    phoneCancel: $("phone-cancel"),
    composer: $("composer"),
    attach: $("attach"),
    fileInput: $("file-input"),
    location: $("location"),
    input: $("input"),
    send: $("send"),
    toasts: $("toasts"),
    alert: $("alert"),
    alertText: $("alert-text"),
    alertOk: $("alert-ok"),
  };

  // ------------------------------------------------------------------- state

  const state = {
    ws: null,
    ready: false,          // hello + history received on the current socket
    everConnected: false,  // picks "connecting" vs "reconnecting"
    attempt: 0,            // reconnect backoff exponent
    reconnectTimer: 0,
    historyTimer: 0,
    queue: [],             // [{frame, bubble}] waiting for a ready socket
    unsynced: [],          // own bubbles the server has not seen yet (kept across history re-renders)
    bubbles: new Map(),    // bot message_id -> .bubble element
    persona: null,
    generation: 0,         // bumped on persona switch so late async results are dropped
    deepLinkChecked: false,
    pending: null,         // inline keyboard locked after a callback tap
    pendingTimer: 0,
    typingTimer: 0,
    stuck: true,           // list is scrolled to (near) the bottom
    alertReturnFocus: null,
  };

  // ----------------------------------------------------------------- helpers

  /** Create an element with a class and optional text (never HTML). */
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function button(className, text) {
    const node = el("button", className, text);
    node.type = "button";
    return node;
  }

  /** Emoji icons are decoration: screen readers get the caption instead. */
  function icon(glyph) {
    const node = el("span", "icon", glyph);
    node.setAttribute("aria-hidden", "true");
    return node;
  }

  /** crypto.randomUUID only exists in secure contexts (not plain http on a LAN). */
  function newId() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    const bytes = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
    else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /**
   * Only http(s) URLs may become links or image sources. Server file URLs are
   * usually relative paths, so those are resolved against the page; links in
   * bot HTML must be absolute.
   */
  function safeUrl(raw, allowRelative = true) {
    if (typeof raw !== "string" || raw.trim() === "") return null;
    try {
      const url = allowRelative ? new URL(raw, location.href) : new URL(raw);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (_) {
      return null;
    }
  }

  // Browsers, and Intl, want "zh-CN" where the server says "zh_CN".
  const bcp47 = String(boot.locale || "en").replace("_", "-");
  let timeFormat = null;
  try {
    timeFormat = new Intl.DateTimeFormat(bcp47, { hour: "2-digit", minute: "2-digit" });
  } catch (_) { /* unknown locale: no timestamps rather than a crash */ }

  function formatTime(unixSeconds) {
    if (!timeFormat || typeof unixSeconds !== "number") return "";
    return timeFormat.format(new Date(unixSeconds * 1000));
  }

  function storageGet(storage, key) {
    try { return storage.getItem(key); } catch (_) { return null; }  // private mode
  }

  function storageSet(storage, key, value) {
    try { storage.setItem(key, value); } catch (_) { /* private mode: just forget */ }
  }

  // --------------------------------------------------------- HTML sanitizing

  // Telegram's HTML parse mode: tag -> the element we rebuild it as.
  const ALLOWED_TAGS = new Map([
    ["b", "b"], ["strong", "strong"], ["i", "i"], ["em", "em"],
    ["u", "u"], ["ins", "ins"], ["s", "s"], ["strike", "s"], ["del", "del"],
    ["code", "code"], ["pre", "pre"], ["blockquote", "blockquote"],
  ]);

  /**
   * Rebuild bot HTML from scratch, keeping only Telegram's formatting tags.
   * DOMParser documents are inert (no scripts run, no images load), and no
   * attribute of the source survives except a checked href.
   */
  function sanitizeHtml(html) {
    // The leading <body> keeps leading whitespace/newlines, which the parser
    // would otherwise drop before the body starts.
    const doc = new DOMParser().parseFromString(`<!doctype html><body>${html}`, "text/html");
    const out = document.createDocumentFragment();
    copyClean(doc.body, out);
    return out;
  }

  function copyClean(source, target) {
    for (const node of source.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) target.append(node.data);
      else if (node.nodeType === Node.ELEMENT_NODE) target.append(cleanElement(node));
    }
  }

  function cleanElement(node) {
    const tag = node.localName;
    if (tag === "br") return "\n";
    let out;
    if (tag === "a") out = cleanLink(node);
    else if (tag === "tg-spoiler" || (tag === "span" && node.classList.contains("tg-spoiler"))) out = spoiler();
    else if (ALLOWED_TAGS.has(tag)) out = document.createElement(ALLOWED_TAGS.get(tag));
    else out = document.createDocumentFragment();  // anything else: keep its text only
    copyClean(node, out);
    return out;
  }

  function cleanLink(node) {
    const href = safeUrl(node.getAttribute("href"), false);
    if (!href) return document.createDocumentFragment();
    const a = document.createElement("a");
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }

  /** Hidden text, revealed by a tap (like Telegram). */
  function spoiler() {
    const span = el("span", "spoiler");
    span.tabIndex = 0;
    const reveal = () => span.classList.add("revealed");
    span.addEventListener("click", reveal);
    span.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); reveal(); }
    });
    return span;
  }

  // ------------------------------------------------------------ message list

  const typingEl = buildTyping();

  function buildTyping() {
    const node = el("div", "typing");
    node.dataset.testid = "typing";
    node.setAttribute("aria-hidden", "true");
    node.append(el("span", "dot"), el("span", "dot"), el("span", "dot"));
    node.hidden = true;
    return node;
  }

  function nearBottom() {
    const { scrollTop, scrollHeight, clientHeight } = dom.list;
    return scrollHeight - scrollTop - clientHeight < STICK_PX;
  }

  function scrollToBottom() {
    dom.list.scrollTop = dom.list.scrollHeight;
    state.stuck = true;
  }

  /** Follow new content only if the reader was already at the bottom. */
  function follow() {
    if (state.stuck) scrollToBottom();
  }

  /** Everything goes above the typing indicator, which always stays last. */
  function appendToList(node) {
    dom.list.insertBefore(node, typingEl);
  }

  function clearList() {
    dom.list.replaceChildren(typingEl);
    state.bubbles.clear();
    hideTyping();
  }

  function notice(text, kind = "") {
    if (!text) return;
    const node = el("div", `notice ${kind}`.trim(), text);
    node.dataset.testid = "notice";
    appendToList(node);
    follow();
  }

  function showTyping() {
    typingEl.hidden = false;
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(hideTyping, TYPING_MS);
    follow();
  }

  function hideTyping() {
    clearTimeout(state.typingTimer);
    typingEl.hidden = true;
  }

  // ------------------------------------------------------------ bubble parts

  function buildPhoto(url) {
    const link = el("a", "photo");
    const img = el("img", "loading");
    img.alt = t("photo");
    img.loading = "lazy";
    img.decoding = "async";
    // A fixed placeholder box until the image arrives keeps the layout (and
    // lazy loading, which needs a box to intersect) stable.
    img.addEventListener("load", () => { img.classList.remove("loading"); follow(); });
    img.addEventListener("error", () => { img.classList.remove("loading"); img.classList.add("broken"); });
    setPhotoUrl(link, img, url);
    link.append(img);
    return link;
  }

  function setPhotoUrl(link, img, url) {
    // Local previews are blob: URLs we made ourselves; everything else is checked.
    const src = typeof url === "string" && url.startsWith("blob:") ? url : safeUrl(url);
    if (!src) return;
    img.src = src;
    if (src.startsWith("blob:")) {
      link.removeAttribute("href");
    } else {
      link.href = src;
      link.target = "_blank";
      link.rel = "noopener";
    }
  }

  /** What the server serves inline (see downloads.py); anything else is a download. */
  const SHOWN_IN_BROWSER = /\.(pdf|txt|png|jpe?g|gif|webp)$/i;

  function buildDocument(doc) {
    const box = el("div", "attachment document");
    box.append(el("div", "caption", t("document")));
    const href = safeUrl(doc.url);
    const link = el(href ? "a" : "span", "document-link");
    const name = doc.name || "";
    if (href) {
      link.href = href;
      if (SHOWN_IN_BROWSER.test(name)) {
        link.target = "_blank";
        link.rel = "noopener";
      } else {
        // Saved, not opened: a new tab would only flash empty while the file downloads.
        link.download = name;
      }
      link.title = name;
    }
    link.append(icon("📄"), el("span", "document-name", name));
    box.append(link);
    return box;
  }

  /** No map tiles (the page must work offline): just the coordinates. */
  function buildLocation(loc) {
    const box = el("div", "attachment location-card");
    box.append(el("div", "caption", t("location")));
    const lat = Number(loc.latitude).toFixed(6);
    const lon = Number(loc.longitude).toFixed(6);
    const line = el("div", "coords");
    line.append(icon("📍"), el("span", "", `${lat}, ${lon}`));
    box.append(line);
    return box;
  }

  function buildContact(contact) {
    const box = el("div", "attachment contact-card");
    box.append(el("div", "caption", t("contact")));
    const line = el("div", "phone");
    line.append(icon("📞"), el("span", "", contact.phone || ""));
    box.append(line);
    return box;
  }

  /** The time sits in a data attribute shown by CSS, so it stays out of the text. */
  function setTime(body, date) {
    const text = formatTime(typeof date === "number" ? date : Date.now() / 1000);
    if (text) body.dataset.time = text;
  }

  // ------------------------------------------------------------- bot bubbles

  function buildBotBubble(m) {
    const bubble = el("div", "bubble bot");
    bubble.dataset.messageId = String(m.message_id);
    const body = el("div", "bubble-body");
    if (m.photo) body.append(buildPhoto(m.photo.url));
    if (m.document) body.append(buildDocument(m.document));
    if (m.location) body.append(buildLocation(m.location));
    body.append(buildBotText(m.html));
    setTime(body, m.date);
    bubble.append(body);
    setInlineKeyboard(bubble, m.inline_keyboard);
    return bubble;
  }

  function buildBotText(html) {
    const text = el("div", "text");
    if (typeof html === "string" && html !== "") text.append(sanitizeHtml(html));
    else text.hidden = true;
    return text;
  }

  /** Show a bot message; a repeated message_id replaces the old bubble in place. */
  function renderBotMessage(m) {
    if (typeof m.message_id !== "number") return;
    const bubble = buildBotBubble(m);
    const old = state.bubbles.get(m.message_id);
    if (old && old.isConnected) old.replaceWith(bubble);
    else appendToList(bubble);
    state.bubbles.set(m.message_id, bubble);
    applyReplyKeyboard(m.reply_keyboard);
  }

  function editBotMessage(frame) {
    const bubble = state.bubbles.get(frame.message_id);
    if (!bubble) return;
    if (typeof frame.html === "string") {
      bubble.querySelector(".bubble-body > .text").replaceWith(buildBotText(frame.html));
    }
    setInlineKeyboard(bubble, frame.inline_keyboard);
    follow();
  }

  function deleteBotMessage(messageId) {
    const bubble = state.bubbles.get(messageId);
    if (!bubble) return;
    if (state.pending && bubble.contains(state.pending)) releasePending();
    bubble.remove();
    state.bubbles.delete(messageId);
  }

  // ---------------------------------------------------------- inline keyboard

  function setInlineKeyboard(bubble, rows) {
    const old = bubble.querySelector(":scope > .inline-keyboard");
    if (old) {
      if (state.pending === old) releasePending();
      old.remove();
    }
    if (!Array.isArray(rows) || rows.length === 0) return;
    const keyboard = el("div", "inline-keyboard");
    for (const row of rows) {
      if (!Array.isArray(row)) continue;
      const line = el("div", "inline-row");
      for (const spec of row) line.append(buildInlineButton(bubble, keyboard, spec || {}));
      keyboard.append(line);
    }
    bubble.append(keyboard);
  }

  function buildInlineButton(bubble, keyboard, spec) {
    const btn = button("inline-button", spec.text || "");
    const url = spec.url ? safeUrl(spec.url, false) : null;
    if (url) {
      btn.classList.add("url");
      btn.append(icon("↗"));
      btn.addEventListener("click", () => window.open(url, "_blank", "noopener"));
    } else if (typeof spec.callback_data === "string") {
      btn.addEventListener("click", () => pressCallback(bubble, keyboard, btn, spec.callback_data));
    } else {
      // Unusable (e.g. a non-http URL): shown, but inert for good.
      btn.disabled = true;
      btn.dataset.inert = "true";
    }
    return btn;
  }

  /** Lock the keyboard so a double tap does not fire twice; the answer unlocks it. */
  function pressCallback(bubble, keyboard, btn, data) {
    releasePending();
    send({ type: "callback", message_id: Number(bubble.dataset.messageId), data });
    for (const b of keyboard.querySelectorAll("button")) b.disabled = true;
    keyboard.setAttribute("aria-busy", "true");
    btn.classList.add("pressed");
    state.pending = keyboard;
    state.pendingTimer = setTimeout(releasePending, CALLBACK_LOCK_MS);
  }

  function releasePending() {
    clearTimeout(state.pendingTimer);
    const keyboard = state.pending;
    state.pending = null;
    if (!keyboard) return;
    keyboard.removeAttribute("aria-busy");
    for (const b of keyboard.querySelectorAll("button")) {
      b.classList.remove("pressed");
      if (!b.dataset.inert) b.disabled = false;
    }
  }

  // ----------------------------------------------------------- user bubbles

  function buildUserBubble(m) {
    const bubble = el("div", "bubble user");
    const body = el("div", "bubble-body");
    if (m.photo) body.append(buildPhoto(m.photo.url));
    if (m.document) body.append(buildDocument(m.document));
    if (m.location) body.append(buildLocation(m.location));
    if (m.contact) body.append(buildContact(m.contact));
    if (typeof m.text === "string" && m.text !== "") body.append(el("div", "text", m.text));
    setTime(body, m.date);
    bubble.append(body);
    return bubble;
  }

  /** Our own message, shown at once (the server never echoes live). */
  function showOwn(bubble) {
    removeStartButton();
    appendToList(bubble);
    scrollToBottom();
  }

  function markUnsynced(bubble) {
    if (bubble && !state.unsynced.includes(bubble)) state.unsynced.push(bubble);
  }

  function markSynced(bubble) {
    const i = state.unsynced.indexOf(bubble);
    if (i >= 0) state.unsynced.splice(i, 1);
  }

  // ---------------------------------------------------------- reply keyboard

  function applyReplyKeyboard(rk) {
    if (!rk || typeof rk !== "object") return;  // null: leave the keyboard as it is
    if (rk.remove) clearKeyboard();
    else if (Array.isArray(rk.keyboard)) renderReplyKeyboard(rk.keyboard);
  }

  function clearKeyboard() {
    dom.keyboard.replaceChildren();
  }

  function renderReplyKeyboard(rows) {
    clearKeyboard();
    for (const row of rows) {
      if (!Array.isArray(row)) continue;
      const line = el("div", "reply-row");
      for (const raw of row) {
        // The Bot API also allows a bare string as a button.
        const spec = typeof raw === "string" ? { text: raw } : raw || {};
        line.append(buildReplyButton(spec));
      }
      dom.keyboard.append(line);
    }
  }

  function buildReplyButton(spec) {
    const btn = button("reply-button", spec.text || "");
    btn.addEventListener("click", () => {
      if (spec.request_location) requestLocation(btn);
      else if (spec.request_contact) openPhoneForm();
      else sendText(spec.text || "");
    });
    return btn;
  }

  function showStartButton() {
    clearKeyboard();
    const btn = button("start-button", t("start"));
    btn.dataset.testid = "start";
    btn.addEventListener("click", () => sendText("/start"));
    dom.keyboard.append(btn);
  }

  function removeStartButton() {
    if (dom.keyboard.querySelector(".start-button")) clearKeyboard();
  }

  // ------------------------------------------------------------- outgoing

  /**
   * Send a frame now if the conversation is live, else queue it for the next
   * connection. `bubble` is the optimistic bubble that goes with it, kept on
   * screen until the server has the frame (and thus has it in its history).
   */
  function send(frame, bubble = null) {
    const full = { type: frame.type, id: newId(), ...frame };
    markUnsynced(bubble);
    if (isLive()) transmit(full, bubble);
    else state.queue.push({ frame: full, bubble });
  }

  function isLive() {
    return state.ready && state.ws && state.ws.readyState === WebSocket.OPEN;
  }

  function transmit(frame, bubble) {
    state.ws.send(JSON.stringify(frame));
    markSynced(bubble);
  }

  function flushQueue() {
    const queued = state.queue;
    state.queue = [];
    for (const { frame, bubble } of queued) transmit(frame, bubble);
  }

  function sendText(text) {
    const clean = text.trim();
    if (!clean) return;
    const bubble = buildUserBubble({ text: clean });
    showOwn(bubble);
    send({ type: "text", text: clean }, bubble);
  }

  function sendLocation(latitude, longitude) {
    const bubble = buildUserBubble({ location: { latitude, longitude } });
    showOwn(bubble);
    send({ type: "location", latitude, longitude }, bubble);
  }

  function sendContact(phone) {
    const bubble = buildUserBubble({ contact: { phone } });
    showOwn(bubble);
    send({ type: "contact", phone }, bubble);
  }

  // ------------------------------------------------------------- location

  function requestLocation(trigger) {
    if (!navigator.geolocation) {
      notice(t("location_unavailable"), "error");
      return;
    }
    const generation = state.generation;
    setBusy(trigger, true);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setBusy(trigger, false);
        if (generation === state.generation) sendLocation(pos.coords.latitude, pos.coords.longitude);
      },
      () => {
        setBusy(trigger, false);
        if (generation === state.generation) notice(t("location_unavailable"), "error");
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  }

  function setBusy(btn, busy) {
    if (!btn) return;
    btn.disabled = busy;
    if (busy) btn.setAttribute("aria-busy", "true");
    else btn.removeAttribute("aria-busy");
  }

  // ------------------------------------------------------------- phone form

  function openPhoneForm() {
    dom.phoneForm.hidden = false;
    dom.phoneInput.focus();
    follow();
  }

  function closePhoneForm() {
    dom.phoneForm.hidden = true;
    dom.phoneForm.reset();
  }

  function onPhoneSubmit(e) {
    e.preventDefault();
    const phone = dom.phoneInput.value.trim();
    if (!phone) {
      dom.phoneInput.focus();
      return;
    }
    closePhoneForm();
    sendContact(phone);
    dom.input.focus();
  }

  // -------------------------------------------------------------- uploads

  async function onFilesChosen() {
    const files = Array.from(dom.fileInput.files || []);
    dom.fileInput.value = "";  // so picking the same file again still fires `change`
    // One after another: the bot sees the photos in the order they were picked.
    for (const file of files) await uploadOne(file);
  }

  async function uploadOne(file) {
    const generation = state.generation;
    const isImage = (file.type || "").startsWith("image/");
    const preview = isImage ? URL.createObjectURL(file) : null;
    const bubble = buildUserBubble(
      isImage ? { photo: { url: preview } } : { document: { url: null, name: file.name } },
    );
    bubble.classList.add("uploading");
    bubble.setAttribute("aria-busy", "true");
    markUnsynced(bubble);
    showOwn(bubble);

    const result = await postFile(file);
    if (generation !== state.generation) {  // persona switched meanwhile
      if (preview) URL.revokeObjectURL(preview);
      return;
    }
    bubble.classList.remove("uploading");
    bubble.removeAttribute("aria-busy");
    if (result.error) {
      markSynced(bubble);
      bubble.remove();
      if (preview) URL.revokeObjectURL(preview);
      notice(result.error, "error");
      return;
    }
    showUploaded(bubble, result, file.name, preview);
    send({ type: "file", file_id: result.file_id }, bubble);
  }

  /** Swap the local preview for what the server stored. */
  function showUploaded(bubble, result, name, preview) {
    const body = bubble.querySelector(".bubble-body");
    if (result.kind === "document" || !preview) {
      body.querySelector(".photo, .document")?.replaceWith(buildDocument({ url: result.url, name }));
    } else {
      const link = body.querySelector(".photo");
      // The already decoded preview stays on screen until the new source loads.
      if (link) setPhotoUrl(link, link.querySelector("img"), result.url);
    }
    if (preview) URL.revokeObjectURL(preview);
  }

  async function postFile(file) {
    const form = new FormData();
    form.append("file", file, file.name);
    let response;
    try {
      response = await fetch("/webchat/upload", { method: "POST", body: form, credentials: "include" });
    } catch (_) {
      return { error: t("upload_failed") };
    }
    let data = null;
    try { data = await response.json(); } catch (_) { /* not JSON */ }
    if (response.ok && data && typeof data.file_id === "string") return data;
    const message = data && typeof data.error === "string" && data.error ? data.error : t("upload_failed");
    return { error: message };
  }

  // ------------------------------------------------------- toasts and alerts

  function showToast(text) {
    const node = el("div", "toast", text);
    node.dataset.testid = "toast";
    dom.toasts.append(node);
    setTimeout(() => node.classList.add("hiding"), TOAST_MS);
    setTimeout(() => node.remove(), TOAST_MS + 400);  // after the fade-out transition
  }

  function showAlert(text) {
    dom.alertText.textContent = text;
    if (dom.alert.hidden) state.alertReturnFocus = document.activeElement;
    dom.alert.hidden = false;
    dom.alertOk.focus();
  }

  function closeAlert() {
    dom.alert.hidden = true;
    const back = state.alertReturnFocus;
    state.alertReturnFocus = null;
    if (back && typeof back.focus === "function") back.focus();
  }

  /** The alert is modal: Escape closes it and Tab stays on its only button. */
  function onAlertKeydown(e) {
    if (e.key === "Escape") closeAlert();
    else if (e.key === "Tab") { e.preventDefault(); dom.alertOk.focus(); }
  }

  // ------------------------------------------------------------- incoming

  function onFrame(raw) {
    let frame;
    try { frame = JSON.parse(raw); } catch (_) { return; }
    if (!frame || typeof frame !== "object") return;
    const handler = HANDLERS[frame.type];
    if (handler) handler(frame);
  }

  const HANDLERS = {
    hello: onHello,
    history: (f) => onHistory(Array.isArray(f.events) ? f.events : []),
    message(f) {
      releasePending();
      hideTyping();
      // A notice can arrive before the person has said anything: Start stays until a
      // keyboard of the bot's own replaces it or the person writes.
      renderBotMessage(f);
      follow();
    },
    // Only ever part of `history`; a live one would duplicate our own bubble.
    user_message() {},
    edit(f) {
      releasePending();
      editBotMessage(f);
    },
    delete: (f) => deleteBotMessage(f.message_id),
    // The chat chose another language: the page's own words follow without a reload.
    chrome(f) {
      if (f.ui && typeof f.ui === "object") {
        for (const key of Object.keys(ui)) delete ui[key];
        Object.assign(ui, f.ui);
      }
      if (typeof f.title === "string") boot.title = f.title;
      if (typeof f.locale === "string") {
        boot.locale = f.locale;
        document.documentElement.lang = f.locale.replace("_", "-");
      }
      applyChrome();
      dom.personaLabel.textContent = t("persona");
      if (Array.isArray(f.personas)) {
        for (const option of dom.persona.options) {
          const named = f.personas.find((p) => p && p.key === option.value);
          if (named && typeof named.label === "string") option.textContent = named.label;
        }
      }
    },
    toast(f) {
      releasePending();
      if (!f.text) return;  // answerCallbackQuery without text just stops the spinner
      if (f.alert) showAlert(f.text);
      else showToast(f.text);
    },
    typing: showTyping,
    error(f) {
      releasePending();
      notice(f.text, "error");
    },
  };

  function onHello(frame) {
    state.attempt = 0;  // only a real conversation resets the backoff
    if (boot.demo && typeof frame.persona === "string" && personas.some((p) => p.key === frame.persona)) {
      state.persona = frame.persona;
      dom.persona.value = frame.persona;
    }
    // `history` follows right away; if a server ever skips it, do not hang.
    clearTimeout(state.historyTimer);
    state.historyTimer = setTimeout(markReady, HISTORY_WAIT_MS);
  }

  function onHistory(events) {
    clearTimeout(state.historyTimer);
    renderHistory(events);
    markReady();
    if (!dom.list.querySelector(".bubble.user") && !dom.keyboard.querySelector("button")) {
      showStartButton();
    }
  }

  /** The server's history replaces the list; own messages it has not seen yet stay. */
  function renderHistory(events) {
    clearList();
    clearKeyboard();
    for (const ev of events) {
      if (!ev || typeof ev !== "object") continue;
      if (ev.type === "message") renderBotMessage(ev);
      else if (ev.type === "user_message") appendToList(buildUserBubble(ev));
    }
    for (const bubble of state.unsynced) appendToList(bubble);
    scrollToBottom();
  }

  /**
   * Ready only once the history is on screen: a message sent earlier would be
   * wiped by the history re-render (the server does not echo our messages).
   */
  function markReady() {
    clearTimeout(state.historyTimer);
    if (state.ready || !state.ws) return;
    state.everConnected = true;
    setReady(true);
    flushQueue();
    if (!state.deepLinkChecked) {
      state.deepLinkChecked = true;
      sendDeepLinkOnce();
    }
  }

  /** /?start=<payload>: send `/start <payload>` once per tab, not on every reload. */
  function sendDeepLinkOnce() {
    const payload = boot.start_payload;
    if (typeof payload !== "string" || payload === "") return;
    const key = START_SENT_PREFIX + payload;
    if (storageGet(sessionStorage, key)) return;
    storageSet(sessionStorage, key, "1");
    sendText(`/start ${payload}`);
  }

  // ------------------------------------------------------------ connection

  function socketUrl() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const params = new URLSearchParams();
    if (boot.demo && state.persona) params.set("persona", state.persona);
    params.set("lang", navigator.language || "");
    return `${scheme}//${location.host}/webchat/ws?${params}`;
  }

  function connect() {
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = 0;
    setReady(false);
    let ws;
    try {
      ws = new WebSocket(socketUrl());
    } catch (_) {
      scheduleReconnect();
      return;
    }
    state.ws = ws;
    // Handlers check `ws === state.ws`: a socket replaced by a persona switch
    // must neither render frames nor trigger a reconnect.
    ws.addEventListener("message", (e) => { if (ws === state.ws) onFrame(e.data); });
    ws.addEventListener("close", () => { if (ws === state.ws) onDisconnect(); });
  }

  function onDisconnect() {
    state.ws = null;
    clearTimeout(state.historyTimer);
    setReady(false);
    scheduleReconnect();
  }

  /** 1 s, 2 s, 4 s, 8 s, then every 10 s. */
  function scheduleReconnect() {
    if (state.reconnectTimer) return;
    const delay = Math.min(1000 * 2 ** state.attempt, RECONNECT_MAX_MS);
    state.attempt += 1;
    state.reconnectTimer = setTimeout(connect, delay);
  }

  /** Back online or back in the foreground: do not wait out the backoff. */
  function reconnectNow() {
    if (state.ws || !state.reconnectTimer) return;
    state.attempt = 0;
    connect();
  }

  function setReady(ready) {
    state.ready = ready;
    document.body.dataset.connected = ready ? "true" : "false";
    dom.status.textContent = ready ? "" : t(state.everConnected ? "reconnecting" : "connecting");
    dom.status.classList.toggle("online", ready);
  }

  // --------------------------------------------------------------- persona

  function initialPersona() {
    if (!boot.demo || personas.length === 0) return null;
    const saved = storageGet(localStorage, PERSONA_KEY);
    return personas.some((p) => p.key === saved) ? saved : personas[0].key;
  }

  function renderPersonaSelect() {
    if (!boot.demo || personas.length === 0) return;
    dom.personaWrap.hidden = false;
    dom.personaLabel.textContent = t("persona");
    for (const p of personas) {
      const option = el("option", "", p.label || p.key);
      option.value = p.key;
      dom.persona.append(option);
    }
    if (state.persona) dom.persona.value = state.persona;
  }

  /** Another persona is another conversation: start over with its history. */
  function switchPersona(key) {
    if (key === state.persona) return;
    state.persona = key;
    storageSet(localStorage, PERSONA_KEY, key);
    state.generation += 1;
    state.queue = [];
    state.unsynced = [];
    releasePending();
    closePhoneForm();
    clearList();
    clearKeyboard();
    const old = state.ws;
    state.ws = null;
    if (old) old.close(1000);
    state.everConnected = false;
    state.attempt = 0;
    connect();
  }

  // -------------------------------------------------------------- composer

  function updateComposer() {
    dom.send.disabled = dom.input.value.trim() === "";
    // Grow with the text up to the CSS max-height, then scroll inside.
    const input = dom.input;
    input.style.height = "auto";
    const borders = input.offsetHeight - input.clientHeight;
    input.style.height = `${input.scrollHeight + borders}px`;
  }

  function submitComposer() {
    const text = dom.input.value;
    if (text.trim() === "") return;
    sendText(text);
    dom.input.value = "";
    updateComposer();
    dom.input.focus();  // keep the phone keyboard open for the next line
  }

  function onInputKeydown(e) {
    // isComposing / 229: Enter that confirms a Chinese IME candidate must not send.
    if (e.key !== "Enter" || e.shiftKey || e.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    submitComposer();
  }

  // ------------------------------------------------------------------ init

  function applyChrome() {
    const root = document.documentElement;
    if (!root.lang || root.lang === "__LANG__") root.lang = bcp47;
    document.title = boot.title || "";
    dom.title.textContent = boot.title || "";
    dom.input.placeholder = t("placeholder");
    dom.input.setAttribute("aria-label", t("placeholder"));
    dom.send.textContent = t("send");
    labelIconButton(dom.attach, t("attach_photo"));
    labelIconButton(dom.location, t("share_location"));
    dom.phoneLabel.textContent = t("phone_prompt");
    dom.phoneSubmit.textContent = t("phone_submit");
    dom.phoneCancel.textContent = t("phone_cancel");
    // There is no dedicated "OK" string; a check mark needs no translation.
    dom.alertOk.textContent = typeof ui.ok === "string" ? ui.ok : "✓";
  }

  function labelIconButton(btn, label) {
    btn.setAttribute("aria-label", label);
    btn.title = label;
  }

  function bindEvents() {
    dom.composer.addEventListener("submit", (e) => { e.preventDefault(); submitComposer(); });
    dom.input.addEventListener("input", updateComposer);
    dom.input.addEventListener("keydown", onInputKeydown);
    dom.attach.addEventListener("click", () => dom.fileInput.click());
    dom.fileInput.addEventListener("change", onFilesChosen);
    dom.location.addEventListener("click", () => requestLocation(dom.location));
    dom.phoneForm.addEventListener("submit", onPhoneSubmit);
    dom.phoneCancel.addEventListener("click", closePhoneForm);
    dom.phoneInput.addEventListener("keydown", (e) => { if (e.key === "Escape") closePhoneForm(); });
    dom.persona.addEventListener("change", () => switchPersona(dom.persona.value));
    dom.list.addEventListener("scroll", () => { state.stuck = nearBottom(); }, { passive: true });
    dom.alertOk.addEventListener("click", closeAlert);
    dom.alert.addEventListener("keydown", onAlertKeydown);
    window.addEventListener("online", reconnectNow);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") reconnectNow();
    });
    // The list shrinks when the phone keyboard opens, the input grows or a
    // keyboard/form appears below it: keep the newest message in view.
    if (typeof ResizeObserver === "function") new ResizeObserver(follow).observe(dom.list);
    else window.addEventListener("resize", follow);
  }

  function init() {
    state.persona = initialPersona();
    applyChrome();
    renderPersonaSelect();
    clearList();
    bindEvents();
    updateComposer();
    connect();
  }

  init();
})();
