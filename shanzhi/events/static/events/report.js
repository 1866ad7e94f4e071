// 上报事件 (G3 step 1) on a phone with one bar of signal or none.
// - A client key, made when the form is opened, makes every resend of one report idempotent on the server.
// - On submit the report (fields and photos as Blobs) is first kept in an IndexedDB outbox, then posted with
//   Accept: application/json; sent: removed and the reporter goes to the event. No network: it stays queued and
//   is replayed on the `online` event, on the next page load and by "立即重试". A refusal (4xx) is not retried:
//   its message is shown and the draft kept for editing.
// - Before sending, a fresh CSRF token and the signed-in user's id are asked for (/events/report/session): a
//   report is sent only by the account that wrote it, never with a token saved when it was queued.
// - Large photos are shrunk in the browser (longest side 1600 px, JPEG 0.8); the upload shows its progress.
// - "在地图上选点": a small Leaflet map, loaded only when opened, where a tap sets the point.
// - The service worker (/events/sw.js) keeps this page and its files so it opens with no network.
(function () {
  "use strict";
  const form = document.getElementById("report-form");
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  const T = $("ev-text").dataset;
  const fmt = (s, args) => s.replace(/\{(\w+)\}/g, (m, k) => (k in args ? String(args[k]) : m));
  const userId = form.dataset.user;
  const action = form.getAttribute("action") || window.location.pathname;
  const keyInput = $("ev_client_key");
  const placeInput = $("ev_place"), homePlace = placeInput.value;
  const submitButton = $("ev_submit");
  const PHOTO_SIDE = 1600, PHOTO_QUALITY = 0.8, PHOTO_SHRINK_BYTES = 350 * 1024;

  // --- the client key -----------------------------------------------------------------------------------
  function newKey() {
    const c = window.crypto;
    if (c && c.randomUUID) return c.randomUUID();
    const b = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 version 4
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  keyInput.value = newKey();

  // --- the outbox (IndexedDB) ---------------------------------------------------------------------------
  const outbox = (function () {
    let opened = null;
    function open() {
      if (!opened) {
        opened = new Promise((resolve, reject) => {
          if (!window.indexedDB) { reject(new Error("no indexedDB")); return; }
          const req = indexedDB.open("shanzhi-events", 1);
          req.onupgradeneeded = () => req.result.createObjectStore("outbox", {keyPath: "key"});
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
        opened.catch(() => { opened = null; });
      }
      return opened;
    }
    function run(mode, fn) {
      return open().then((db) => new Promise((resolve, reject) => {
        const tx = db.transaction("outbox", mode);
        const result = fn(tx.objectStore("outbox"));
        tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      }));
    }
    return {
      put: (item) => run("readwrite", (s) => s.put(item)),
      get: (key) => run("readonly", (s) => s.get(key)),
      remove: (key) => run("readwrite", (s) => s.delete(key)),
      all: () => run("readonly", (s) => s.getAll()).then((items) => (items || []).sort((a, b) => a.created - b.created)),
    };
  })();

  // --- what the page shows ------------------------------------------------------------------------------
  function show(el, on) { el.hidden = !on; }
  function showError(message) { $("ev_error").textContent = message || ""; show($("ev_error"), !!message); }
  function progress(text, pct) {
    show($("ev_progress"), text !== null);
    $("ev_progress_text").textContent = text || "";
    $("ev_progress_bar").style.width = (pct || 0) + "%";
  }
  let note = "";  // why the queue waits (login needed, server busy), shown under the count
  function setNote(html) { note = html; }

  function render() {
    return outbox.all().then((items) => {
      const mine = items.filter((i) => String(i.user) === String(userId));
      const queued = mine.filter((i) => i.status !== "failed");
      const others = items.length - mine.length;
      $("ev_outbox_text").textContent = queued.length ? fmt(T.queued, {n: queued.length}) : "";
      const extra = [note, others ? fmt(T.otherUser, {n: others}) : ""].filter(Boolean);
      $("ev_outbox_note").innerHTML = "";
      extra.forEach((part) => {
        const div = document.createElement("div");
        if (part === note && part === "login") {
          div.textContent = T.login + " ";
          const a = document.createElement("a");
          a.href = form.dataset.loginUrl; a.textContent = T.loginLink;
          div.appendChild(a);
        } else div.textContent = part;
        $("ev_outbox_note").appendChild(div);
      });
      show($("ev_outbox_note"), extra.length > 0);
      show($("ev_retry"), queued.length > 0);
      show($("ev_outbox"), queued.length > 0 || extra.length > 0);
      renderDrafts(mine.filter((i) => i.status === "failed"));
    }).catch(() => {});
  }

  function renderDrafts(failed) {
    const box = $("ev_drafts");
    box.innerHTML = "";
    failed.forEach((item) => {
      if (item.key === keyInput.value) return;  // the one being edited in the form
      const div = document.createElement("div");
      div.className = "alert alert-danger py-2 mb-0 d-flex flex-wrap gap-2 align-items-center";
      div.dataset.draft = item.key;
      const text = document.createElement("span");
      text.className = "me-auto";
      const summary = (fieldOf(item, "text") || "").slice(0, 20);
      text.textContent = fmt(T.refused, {message: item.error || ""}) + (summary ? `（${summary}）` : "");
      const edit = document.createElement("button");
      edit.type = "button"; edit.className = "btn btn-sm btn-outline-dark"; edit.textContent = T.edit;
      edit.addEventListener("click", () => loadDraft(item));
      const del = document.createElement("button");
      del.type = "button"; del.className = "btn btn-sm btn-outline-secondary"; del.textContent = T.delete;
      del.addEventListener("click", () => {
        if (window.confirm(T.deleteConfirm)) outbox.remove(item.key).then(render);
      });
      div.append(text, edit, del);
      box.appendChild(div);
    });
    show(box, box.children.length > 0);
  }

  function fieldOf(item, name) {
    const pair = item.fields.find((f) => f[0] === name);
    return pair ? pair[1] : "";
  }

  let draftPhotos = null;  // photos of a draft loaded for editing, when the browser cannot put them in the input
  function loadDraft(item) {
    ["matter", "text", "latitude", "longitude", "address", "place"].forEach((name) => {
      const el = form.elements.namedItem(name);
      if (el) el.value = fieldOf(item, name);
    });
    keyInput.value = item.key;
    draftPhotos = item.photos;
    try {
      const dt = new DataTransfer();
      item.photos.forEach((p) => dt.items.add(new File([p.blob], p.name, {type: p.type})));
      $("ev_photos").files = dt.files;
      draftPhotos = null;
    } catch (e) { /* kept in draftPhotos and sent with the draft */ }
    showError(item.error || "");
    render();
    form.scrollIntoView();
  }

  // --- photos: shrink large ones in the browser ---------------------------------------------------------
  function decode(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, {imageOrientation: "from-image"}).catch(() => decodeWithImg(file));
    }
    return decodeWithImg(file);
  }
  function decodeWithImg(file) {
    return new Promise((resolve, reject) => {
      const url = URL.createObjectURL(file), img = new Image();
      img.onload = () => { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = () => { URL.revokeObjectURL(url); reject(new Error("decode")); };
      img.src = url;
    });
  }
  function kb(n) { return n >= 1048576 ? (n / 1048576).toFixed(1) + " MB" : Math.round(n / 1024) + " KB"; }
  function shrink(file) {
    const keep = {name: file.name || "photo.jpg", type: file.type || "application/octet-stream", blob: file};
    if (!/^image\/(jpeg|png|webp)$/i.test(file.type) || file.size <= PHOTO_SHRINK_BYTES) return Promise.resolve(keep);
    return decode(file).then((img) => {
      const w = img.width, h = img.height, scale = Math.min(1, PHOTO_SIDE / Math.max(w, h));
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(w * scale)); canvas.height = Math.max(1, Math.round(h * scale));
      const ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);  // PNG transparency → white
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      if (img.close) img.close();
      return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", PHOTO_QUALITY));
    }).then((blob) => {
      if (!blob || blob.size >= file.size) return keep;
      const note = $("ev_photos_note");
      note.textContent = fmt(T.shrunk, {before: kb(file.size), after: kb(blob.size)}); show(note, true);
      return {name: keep.name.replace(/\.[^.]*$/, "") + ".jpg", type: "image/jpeg", blob: blob};
    }).catch(() => keep);
  }

  // --- sending ------------------------------------------------------------------------------------------
  function session() {
    return fetch(form.dataset.sessionUrl, {credentials: "same-origin", cache: "no-store",
                                          headers: {Accept: "application/json"}})
      .then((r) => {
        if (r.status === 401 || r.redirected) return {login: true};
        if (!r.ok) return {server: true};
        return r.json();
      });
  }

  function post(item, csrf, foreground) {
    return new Promise((resolve, reject) => {
      const fd = new FormData();
      item.fields.forEach((f) => fd.append(f[0], f[1]));
      let bytes = 0;
      item.photos.forEach((p) => { fd.append("photos", p.blob, p.name); bytes += p.blob.size; });
      const xhr = new XMLHttpRequest();
      xhr.open("POST", item.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRFToken", csrf);
      if (foreground) xhr.setRequestHeader("X-Report-Foreground", "1");
      xhr.timeout = 60000 + Math.round(bytes / 4);  // a stalled upload gives up; at least ~4 KB/s is allowed for
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable && e.total) {
          const pct = Math.round((e.loaded / e.total) * 100);
          progress(fmt(T.sendingPct, {p: pct}), pct);
        }
      };
      xhr.onload = () => {
        let data = null;
        if ((xhr.getResponseHeader("Content-Type") || "").indexOf("application/json") === 0) {
          try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
        }
        const login = xhr.responseURL && new URL(xhr.responseURL).pathname !== new URL(item.action, location.href).pathname;
        resolve({status: xhr.status, data: data, login: login});
      };
      xhr.onerror = xhr.ontimeout = xhr.onabort = () => reject(new Error("network"));
      xhr.send(fd);
    });
  }

  const inflight = new Set();
  // One report: "sent" {number, url} | "queued" (network, server busy or login: try again later) | "refused".
  function send(item, foreground) {
    if (inflight.has(item.key)) return Promise.resolve({result: "busy"});
    inflight.add(item.key);
    progress(T.sending, 0);
    let retriedCsrf = false;
    const attempt = () => session().then((s) => {
      if (s.login) { setNote("login"); return {result: "queued"}; }
      if (s.server) { setNote(T.server); return {result: "queued"}; }
      if (String(s.user) !== String(item.user)) return {result: "queued"};  // another account: never send
      return post(item, s.csrf, foreground).then((r) => {
        if (r.login || r.status === 401) { setNote("login"); return {result: "queued"}; }
        if ((r.status === 200 || r.status === 201) && r.data && r.data.url) {
          return outbox.remove(item.key).catch(() => {}).then(() => ({result: "sent", data: r.data}));
        }
        if (r.status === 403 && !(r.data && r.data.message)) {
          // CSRF refused (token rotated since): once more with a fresh one, then give up on this draft.
          if (!retriedCsrf) { retriedCsrf = true; return attempt(); }
          return refuse(item, T.csrf);
        }
        if (r.status >= 400 && r.status < 500) {
          return refuse(item, r.data && r.data.message ? fmt(T.refused, {message: r.data.message})
            : fmt(T.refusedStatus, {status: r.status}), r.data && r.data.message);
        }
        setNote(T.server);
        return {result: "queued"};
      });
    });
    return attempt().catch(() => ({result: "queued"})).then((outcome) => {
      inflight.delete(item.key);
      progress(null);
      if (outcome.result !== "queued" && note !== "login") setNote("");
      return outcome;
    });
  }

  function refuse(item, shown, message) {
    item.status = "failed";
    item.error = message || shown;
    return outbox.put(item).catch(() => {}).then(() => ({result: "refused", message: shown}));
  }

  let replaying = false;
  function replay() {
    if (replaying || !navigator.onLine) return render();
    replaying = true;
    const sent = [];
    const loop = () => outbox.all().then((items) => {
      const next = items.find((i) => String(i.user) === String(userId) && i.status !== "failed"
        && !inflight.has(i.key) && !sent.some((s) => s.key === i.key));
      if (!next) return null;
      return send(next, false).then((outcome) => {
        if (outcome.result === "queued") return null;  // no network or no login: stop until the next trigger
        sent.push({key: next.key, outcome: outcome});
        return loop();
      });
    });
    const run = () => loop().catch(() => null).then(() => {
      replaying = false;
      const done = sent.filter((s) => s.outcome.result === "sent");
      if (done.length) {
        const box = $("ev_sent");
        box.innerHTML = "";
        done.forEach((s) => {
          const a = document.createElement("a");
          a.href = s.outcome.data.url; a.className = "d-block";
          a.textContent = fmt(T.sent, {number: s.outcome.data.number});
          box.appendChild(a);
        });
        show(box, true);
      }
      return render();
    });
    if (navigator.locks && navigator.locks.request) {
      // One tab at a time replays (the server's idempotency covers the rest).
      return navigator.locks.request("shanzhi-report-outbox", {ifAvailable: true}, (lock) => {
        if (!lock) { replaying = false; return render(); }
        return run();
      });
    }
    return run();
  }

  // --- submit -------------------------------------------------------------------------------------------
  function collect() {
    const fields = [];
    ["place", "client_key", "matter", "text", "latitude", "longitude", "address"].forEach((name) => {
      const el = form.elements.namedItem(name);
      fields.push([name, el ? el.value : ""]);
    });
    const files = Array.from($("ev_photos").files || []);
    const photos = files.length ? Promise.all(files.map(shrink)) : Promise.resolve(draftPhotos || []);
    return photos.then((ph) => ({key: keyInput.value, user: userId, action: action, fields: fields, photos: ph,
                                 created: Date.now(), status: "queued", error: ""}));
  }

  function startOver() {
    form.reset();
    placeInput.value = homePlace;  // a hidden input keeps what a loaded draft put there
    draftPhotos = null;
    keyInput.value = newKey();
    show($("ev_photos_note"), false);
    if (marker) { marker.remove(); marker = null; }
  }

  let busy = false;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (busy) return;
    const lat = form.elements.namedItem("latitude").value, address = form.elements.namedItem("address").value.trim();
    if (!lat && !address) { showError(T.needLocation); return; }
    busy = true; submitButton.disabled = true; showError("");
    progress(T.preparing, 0);
    let stored = false;
    collect().then((item) => outbox.put(item).then(() => { stored = true; }, () => {}).then(() => item))
      .then((item) => {
        if (!navigator.onLine) return {result: "queued"};
        return send(item, true);
      })
      .then((outcome) => {
        if (outcome.result === "sent") { window.location.assign(outcome.data.url); return; }
        if (outcome.result === "refused") { showError(outcome.message); return render(); }
        if (!stored) { showError(T.noStorage); return; }
        startOver();
        return render();
      })
      .catch(() => showError(T.noStorage))
      .then(() => { busy = false; submitButton.disabled = false; progress(null); });
  });
  $("ev_retry").addEventListener("click", () => { setNote(""); replay(); });
  window.addEventListener("online", () => replay());

  // --- place, location, map -----------------------------------------------------------------------------
  const pick = document.querySelector("[data-autosubmit]");
  if (pick) pick.addEventListener("change", () => pick.form.submit());
  const status = $("ev_locate_status");
  const latInput = $("ev_lat"), lngInput = $("ev_lng");
  function setPoint(lat, lng) {
    latInput.value = lat.toFixed(6); lngInput.value = lng.toFixed(6);
    if (map) {
      if (marker) marker.setLatLng([lat, lng]);
      else marker = window.L.circleMarker([lat, lng], {radius: 8, color: "#9b1c1c", fillOpacity: 0.8}).addTo(map);
    }
  }
  $("ev_locate").addEventListener("click", () => {
    if (!navigator.geolocation) { status.textContent = T.noGeo; return; }
    status.textContent = T.locating;
    navigator.geolocation.getCurrentPosition((pos) => {
      setPoint(pos.coords.latitude, pos.coords.longitude);
      if (map) map.setView([pos.coords.latitude, pos.coords.longitude], Math.max(map.getZoom(), 16));
      status.textContent = fmt(T.located, {m: Math.round(pos.coords.accuracy)});
    }, () => { status.textContent = T.locateFailed; }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  });

  const mapData = JSON.parse(($("ev-map-data") || {}).textContent || "{}");
  const mapEl = $("ev_map"), mapButton = $("ev_map_open");
  let map = null, marker = null;
  show(mapButton, !!mapData.leaflet_js);
  function loadLeaflet() {
    if (window.L) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const css = document.createElement("link");
      css.rel = "stylesheet"; css.href = mapData.leaflet_css;
      document.head.appendChild(css);
      const js = document.createElement("script");
      js.src = mapData.leaflet_js; js.onload = resolve; js.onerror = reject;
      document.head.appendChild(js);
    });
  }
  function openMap(centre) {
    show(mapEl, true);
    const L = window.L;
    map = L.map(mapEl, {attributionControl: false});
    if (mapData.tile_url) L.tileLayer(mapData.tile_url, {maxZoom: 19}).addTo(map);
    const bounds = L.latLngBounds([]);
    (mapData.grids || []).forEach((g) => {
      const layer = L.geoJSON(g.geometry, {style: {color: "#2563eb", weight: 2, fillOpacity: g.code === mapData.current ? 0.15 : 0.05}}).addTo(map);
      const tip = document.createElement("span"); tip.textContent = g.name;
      layer.bindTooltip(tip);
      layer.on("click", (e) => { pickAt(e.latlng); });
      bounds.extend(layer.getBounds());
    });
    if (centre) map.setView(centre, 17);
    else map.fitBounds(bounds, {padding: [12, 12]});
    if (latInput.value && lngInput.value) setPoint(parseFloat(latInput.value), parseFloat(lngInput.value));
    map.on("click", (e) => pickAt(e.latlng));
  }
  function pickAt(latlng) {
    setPoint(latlng.lat, latlng.lng);
    status.textContent = T.mapPicked;
  }
  mapButton.addEventListener("click", () => {
    if (map) { mapEl.hidden = !mapEl.hidden; map.invalidateSize(); return; }
    const haveGrids = (mapData.grids || []).length > 0;
    const here = latInput.value && lngInput.value ? [parseFloat(latInput.value), parseFloat(lngInput.value)] : null;
    const centre = here ? Promise.resolve(here) : haveGrids ? Promise.resolve(null) : new Promise((resolve) => {
      if (!navigator.geolocation) { resolve(false); return; }
      navigator.geolocation.getCurrentPosition((p) => resolve([p.coords.latitude, p.coords.longitude]),
        () => resolve(false), {timeout: 10000, maximumAge: 300000});
    });
    centre.then((c) => {
      if (c === false) { status.textContent = T.mapNoCentre; return; }
      return loadLeaflet().then(() => openMap(c), () => { status.textContent = T.mapFailed; });
    });
  });

  // --- start: offline shell and the queue ---------------------------------------------------------------
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(form.dataset.swUrl, {scope: form.dataset.swScope}).catch(() => {});
  }
  replay();
})();
