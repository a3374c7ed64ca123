// toonbox serve: results that survive a reload. Each finished cartoonize result is kept in
// this browser's IndexedDB with its original, its download name, its caption and the
// server job it came from (so the zip still works while the server keeps the job); the
// options are kept in localStorage. Bounded: the newest results up to kMaxSavedBytes and
// kMaxSavedEntries, the oldest dropped first. Clear removes them all. Nothing here leaves
// the browser.
'use strict';

const kMaxSavedBytes = 64 * 1024 * 1024;
const kMaxSavedEntries = 48;
const kSettingsKey = 'toonbox.settings';
const kSettingFields = ['model', 'mode', 'long_side', 'strength', 'precision', 'format'];

let dbPromise = null;

function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      if (!window.indexedDB) return reject(new Error('this browser has no IndexedDB'));
      const req = indexedDB.open('toonbox', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('results', { keyPath: 'key' });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return dbPromise;
}

// One request in its own transaction, as a promise.
async function dbDo(mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction('results', mode);
    const req = fn(tx.objectStore('results'));
    tx.oncomplete = () => resolve(req ? req.result : undefined);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('IndexedDB transaction aborted'));
  });
}

// Oldest saved first (the order to drop them in).
async function savedRecords() {
  const all = await dbDo('readonly', (st) => st.getAll());
  return all.sort((a, b) => a.savedAt - b.savedAt);
}

async function saveEntry(e) {
  try {
    const bytes = e.file.size + e.resultBlob.size;
    if (bytes > kMaxSavedBytes) return updateSavedNote();  // too big to keep at all
    if (!e.savedKey) e.savedKey = `${Date.now()}-${e.id}`;
    await dbDo('readwrite', (st) => st.put({
      key: e.savedKey, savedAt: Date.now(), position: e.position, bytes,
      name: e.file.name, type: e.file.type, original: e.file,
      result: e.resultBlob, filename: e.filename, meta: e.meta, label: e.label || '', job: e.job,
    }));
    // Over the bounds: the oldest go first.
    const all = await savedRecords();
    let total = all.reduce((n, r) => n + r.bytes, 0);
    let count = all.length;
    for (const r of all) {
      if (total <= kMaxSavedBytes && count <= kMaxSavedEntries) break;
      await dbDo('readwrite', (st) => st.delete(r.key));
      const gone = state.entries.find((x) => x.savedKey === r.key);
      if (gone) gone.savedKey = null;
      total -= r.bytes;
      count--;
    }
  } catch (err) {
    console.warn('results not kept for a reload:', err);
  }
  updateSavedNote();
}

async function clearSaved() {
  try { await dbDo('readwrite', (st) => st.clear()); } catch (err) { /* nothing kept */ }
  updateSavedNote();
}

async function updateSavedNote() {
  const note = $('saved-note');
  let all = [];
  try { all = await savedRecords(); } catch (err) { /* no IndexedDB: nothing kept */ }
  const bytes = all.reduce((n, r) => n + r.bytes, 0);
  note.hidden = all.length === 0;
  note.textContent = `${all.length} result${all.length === 1 ? '' : 's'} kept in this browser ` +
    `(${(bytes / 1048576).toFixed(1)} of ${kMaxSavedBytes / 1048576} MB): they come back after a reload. ` +
    'Clear removes them.';
}

// The saved results as cards, oldest first, as they were shown.
async function restoreSaved() {
  let all = [];
  try { all = await savedRecords(); } catch (err) { return; }
  all.sort((a, b) => (a.position || 0) - (b.position || 0));  // the cards' order
  for (const r of all) {
    const file = new File([r.original], r.name, { type: r.type });
    const [e] = addFiles([file]);
    e.savedKey = r.key;
    e.position = r.position;
    e.label = r.label;
    await showResult(e, r.result, r.filename, r.meta, r.job);
    e.card.dataset.restored = 'true';
  }
  updateButtons();
  updateSavedNote();
}

// ---------- the options ----------

function saveSettings() {
  const s = {};
  for (const f of kSettingFields) s[f] = $(f).value;
  try { localStorage.setItem(kSettingsKey, JSON.stringify(s)); } catch (err) { /* private mode */ }
}

function restoreSettings() {
  let s = null;
  try { s = JSON.parse(localStorage.getItem(kSettingsKey) || 'null'); } catch (err) { s = null; }
  if (!s || typeof s !== 'object') return;
  for (const f of kSettingFields) {
    const el = $(f);
    const v = typeof s[f] === 'string' ? s[f] : null;
    if (v === null) continue;
    // The style list comes from the server later: loadModels picks it from dataset.saved.
    if (f === 'model') { el.dataset.saved = v; continue; }
    if (el.tagName === 'SELECT' && ![...el.options].some((o) => o.value === v)) continue;
    el.value = v;
  }
  $('strength-value').textContent = $('strength').value + '%';
}

restoreSettings();
$('options').addEventListener('change', saveSettings);
$('options').addEventListener('input', saveSettings);
restoreSaved();
