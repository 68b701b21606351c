"""The page's CSS and the little JavaScript it needs (no library, nothing loaded from the network).

SOURCES_JS runs once when the sources panel loads (`gr.HTML(js_on_load=...)`: `element` is the
panel, `server` its Python functions, `trigger` fires its events):
- a click on an answer's [n] chip (`#cite-<k>-<n>`) shows answer k's cards and that card; on a
  phone the panel opens over the chat;
- "copy with sources" and "share link" put text on the clipboard;
- "show in transcript" asks the server for the whole transcript and shows it at the quote;
- when Gradio's language changes (the `lang` attribute of <html>), it asks for a re-render.
"""

from __future__ import annotations

# Read at every event: the language the page shows now (Gradio keeps <html lang> in step with it).
LANG_JS = "(...a) => { a[a.length - 1] = document.documentElement.lang || navigator.language || 'en'; return a; }"

# On load, also a question in the URL (?q=…, a shared link), which is then asked once.
LOAD_JS = """(...a) => {
  const url = new URL(window.location.href);
  const q = url.searchParams.get('q') || '';
  if (q) { url.searchParams.delete('q'); history.replaceState(null, '', url.pathname + url.search + url.hash); }
  a[a.length - 2] = q;
  a[a.length - 1] = document.documentElement.lang || navigator.language || 'en';
  return a;
}"""

SOURCES_JS = """
const lang = () => document.documentElement.lang || navigator.language || 'en';
const root = () => element.querySelector('.srcs');
const scroller = () => element.querySelector('.src-body');
const groups = () => Array.from(element.querySelectorAll('.src-group'));
// On a phone the panel lies over the chat while open (#side.open; CSS decides by the width).
const panel = (on) => { const side = document.getElementById('side'); if (side) side.classList.toggle('open', on); };
function showGroup(k) {
  const all = groups();
  if (!all.length) return null;
  const want = (k === undefined || k === null) ? all[all.length - 1].dataset.answer : String(k);
  let shown = null;
  for (const g of all) { const on = g.dataset.answer === want; g.hidden = !on; if (on) shown = g; }
  const tr = element.querySelector('.tr-view');
  if (tr) tr.hidden = true;
  if (scroller()) scroller().hidden = false;
  return shown;
}
function reveal(el) {
  const box = scroller();
  if (!el || !box) return;
  box.scrollTop = el.offsetTop - box.offsetTop - 6;
  el.classList.remove('flash'); void el.offsetWidth; el.classList.add('flash');
}
function openCard(k, n) {
  const g = showGroup(k);
  panel(true);
  const card = n > 0 ? element.querySelector('#src-' + k + '-' + n) : null;
  if (card) reveal(card); else if (g && scroller()) scroller().scrollTop = g.offsetTop - scroller().offsetTop;
}
async function copy(text, link) {
  try { await navigator.clipboard.writeText(text); }
  catch (e) {
    const ta = document.createElement('textarea'); ta.value = text; document.body.appendChild(ta);
    ta.select(); document.execCommand('copy'); ta.remove();
  }
  if (link) {
    const was = link.textContent, done = (root() && root().dataset.copied) || '✓';
    link.textContent = '✓ ' + done; setTimeout(() => { link.textContent = was; }, 1500);
  }
}
if (!window.__qaClicks) {
  window.__qaClicks = true;
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a.cite, a.act');
    if (!a || !window.__qaSources) return;
    const href = a.getAttribute('href') || '';
    if (a.classList.contains('act-share')) {
      e.preventDefault(); e.stopPropagation();
      copy(new URL(href, window.location.href).href, a); return;
    }
    let m = href.match(/^#cite-(\\d+)-(\\d+)$/);
    if (m) { e.preventDefault(); e.stopPropagation(); window.__qaSources.open(m[1], +m[2]); return; }
    m = href.match(/^#copy-(\\d+)$/);
    if (m) { e.preventDefault(); e.stopPropagation(); window.__qaSources.copy(m[1], a); }
  }, true);
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') panel(false); });
}
window.__qaSources = {
  open: openCard,
  copy: (k, link) => {
    const ta = element.querySelector('.src-group[data-answer="' + k + '"] .copy-text');
    if (ta) copy(ta.value, link);
  },
};
element.addEventListener('click', async (e) => {
  const b = e.target.closest('button');
  if (!b) return;
  if (b.classList.contains('src-close')) { panel(false); return; }
  if (b.classList.contains('tr-back')) { const tr = element.querySelector('.tr-view'); tr.hidden = true; scroller().hidden = false; return; }
  if (b.classList.contains('show-tr')) {
    const tr = element.querySelector('.tr-view');
    const html = await server.transcript(b.dataset.doc, +b.dataset.start, +b.dataset.end, lang());
    tr.innerHTML = html; tr.hidden = false; scroller().hidden = true;
    const hit = tr.querySelector('#tr-hit') || tr.querySelector('.tr-cited');
    if (hit) tr.scrollTop = hit.offsetTop - tr.offsetTop - 80;
  }
});
watch('value', () => showGroup(null));
showGroup(null);
new MutationObserver(() => trigger('select', {lang: lang()}))
  .observe(document.documentElement, {attributes: true, attributeFilter: ['lang']});
"""

# Filter chips: remove one (or all) and let Python update the dropdowns.
CHIPS_JS = """
element.addEventListener('click', (e) => {
  const b = e.target.closest('button');
  if (!b) return;
  if (b.classList.contains('chip-x')) trigger('click', {kind: b.dataset.kind, value: b.dataset.value});
  else if (b.classList.contains('chip-clear')) trigger('click', {kind: 'all', value: ''});
});
"""

CSS = """
#header { align-items: baseline; gap: 8px; }
#header h1 { font-size: 1.35rem; margin: 0; }
#subtitle p { margin: 0; opacity: .8; font-size: .92em; }
#header .column { gap: 2px; }
#mode-line { font-size: .85em; opacity: .75; text-align: right; }
#boot .boot { padding: 8px 12px; border-radius: 8px; background: var(--background-fill-secondary); }
#boot .boot-failed { color: #b91c1c; }
.spin { display: inline-block; width: .8em; height: .8em; margin-right: 8px; vertical-align: -1px; border-radius: 50%;
  border: 2px solid var(--border-color-primary); border-top-color: var(--color-accent); animation: spin 1s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
a.cite { display: inline-block; min-width: 1.35em; padding: 0 .35em; margin: 0 1px; border-radius: 999px;
  background: var(--color-accent-soft, #fde7d6); color: var(--color-accent, #c2410c) !important; font-size: .78em;
  font-weight: 700; line-height: 1.5; text-align: center; text-decoration: none !important; vertical-align: 1px; }
a.cite:hover, a.cite:focus { background: var(--color-accent, #ea580c); color: #fff !important; }
.acts { font-size: .85em; opacity: .85; }
.acts a.act { text-decoration: none; }
.lib { text-align: left; max-width: 660px; margin: 0 auto; padding: 12px 16px 4px; font-size: .95em; }
.lib-h { font-weight: 700; margin-bottom: 4px; }
.lib ul { margin: 0 0 8px; padding-left: 1.1em; }
.lib li { margin: 2px 0; }
.lib li span { opacity: .7; font-size: .9em; }
.lib-hint { opacity: .75; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; padding: 2px 0 6px; }
.chip { display: inline-flex; align-items: center; gap: 4px; border: 1px solid var(--border-color-accent);
  border-radius: 999px; padding: 1px 4px 1px 10px; font-size: .85em; background: var(--background-fill-secondary); }
.chip button, .chip-clear { border: 0; background: none; cursor: pointer; font-size: 1em; padding: 0 4px;
  color: var(--body-text-color-subdued); }
.chip-clear { text-decoration: underline; font-size: .85em; }
#side { position: sticky; top: 8px; align-self: flex-start; }
.srcs { display: flex; flex-direction: column; gap: 6px; }
.src-bar { display: flex; justify-content: space-between; align-items: center; font-size: 1.05em; }
.src-close { display: none; border: 0; background: none; font-size: 1.6em; line-height: 1; cursor: pointer; }
.src-body, .tr-view { max-height: calc(100vh - 90px); overflow-y: auto; display: flex; flex-direction: column; gap: 10px; }
.src-body[hidden], .tr-view[hidden], .src-group[hidden] { display: none; }
.src-group { display: flex; flex-direction: column; gap: 10px; }
.src-q { font-size: .85em; opacity: .75; }
.src-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; scroll-margin: 8px; }
.src-card.flash { animation: flash 1.4s ease-out; }
@keyframes flash { 0% { box-shadow: 0 0 0 3px var(--color-accent); } 100% { box-shadow: 0 0 0 0 transparent; } }
.src-n { display: inline-block; min-width: 1.5em; border-radius: 999px; text-align: center; font-weight: 700;
  background: var(--color-accent-soft, #fde7d6); color: var(--color-accent, #c2410c); font-size: .85em; }
.src-role, .src-title, .src-place { font-size: .85em; opacity: .8; }
.src-quote { margin: 6px 0; padding-left: 8px; border-left: 3px solid var(--border-color-accent); white-space: pre-wrap; }
.src-place { display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: center; }
.show-tr { border: 1px solid var(--border-color-primary); border-radius: 6px; background: none; cursor: pointer;
  padding: 1px 8px; font-size: 1em; }
.src-warn { font-size: .85em; color: #b45309; }
.src-empty { opacity: .7; }
mark { background: #fde68a; color: inherit; padding: 0 1px; }
.reasoning { font-size: .9em; opacity: .8; margin-bottom: 6px; }
.reasoning-text { white-space: pre-wrap; border-left: 3px solid var(--border-color-primary); padding-left: 8px; }
.tr-back { position: sticky; top: 0; z-index: 1; align-self: stretch; text-align: left; border: 0; cursor: pointer;
  color: var(--color-accent); padding: 2px 0 4px; background: var(--background-fill-primary); }
.tr-title { font-size: .9em; margin-bottom: 6px; }
.tr-section { margin: 10px 0 2px; font-size: .95em; }
.tr-turn { padding: 4px 6px; border-radius: 6px; white-space: pre-wrap; }
.tr-who { font-weight: 700; font-size: .9em; margin-top: 6px; }
.tr-cited { outline: 2px solid var(--color-accent); }
#chat .placeholder-content, #chat .placeholder { width: 100%; }
#chips:has(.prose:empty), #boot:has(.prose:empty) { display: none; }
/* "clip", not Gradio's "hidden": a hidden overflow would pin nothing (the question box's sticky) */
.gradio-container { overflow: clip !important; }
/* Gradio's 32 px side margins, narrower on a phone (outside @media: Gradio scopes rules inside one
   below its .contain, and the margin is on an element above it) */
.gradio-container .main.fillable.app { padding-left: clamp(8px, 3vw, 32px) !important;
  padding-right: clamp(8px, 3vw, 32px) !important; }
@media (max-width: 768px) {
  #header h1 { font-size: 1.15rem; }
  #subtitle p, #mode-line { font-size: .8em; text-align: left; }
  #header > * { flex: 1 1 100% !important; }
  #chat { max-height: none !important; }
  #ask { position: sticky; bottom: 0; z-index: 20; background: var(--background-fill-primary);
    padding: 4px 0 6px; box-shadow: 0 -8px 10px -10px rgba(0,0,0,.35); }
  #side { display: none !important; }
  #side.open { display: flex !important; position: fixed; top: 0; left: 0; width: 100vw; height: 100dvh;
    z-index: 1000; margin: 0; padding: 10px 12px; overflow: hidden; background: var(--background-fill-primary); }
  .src-close { display: inline-block; }
  .src-body, .tr-view { max-height: calc(100dvh - 60px); }
}
"""
