// newsarc search UI. No framework, no build step. The page's CSP forbids
// every HTML-string sink (Trusted Types 'none'), so everything below builds
// the DOM from elements and text nodes; highlighted fragments are parsed by
// hand into text and <mark> elements.
'use strict';

const LABELS = {
  en: {
    brand: 'newsarc', placeholder: 'Search the archive…', search: 'Search', sortRelevance: 'Relevance',
    sortDate: 'Newest', sites: 'Sites', authors: 'Authors', languages: 'Languages', back: '← Back to results',
    original: 'Original page ↗', capture: 'Archived capture (download)', versions: 'Versions', from: 'from',
    to: 'to', compare: 'Compare', export: 'Export', results: n => `${n} result${n === 1 ? '' : 's'}`,
    took: ms => `in ${ms} ms`, none: 'No articles match.', prev: '‹ Previous', next: 'Next ›',
    site: 'Site', author: 'Author', language: 'Language', date: 'Date', published: 'Published',
    modified: 'Modified', fetched: 'Archived', version: 'Version', words: 'Words', section: 'Section',
    source: 'Source', editor: 'Editor', tags: 'Tags', publisher: 'Publisher', removed: 'Removed',
    remove: 'Remove filter', current: 'current', added: n => `+${n} added`, deleted: n => `−${n} removed`,
    same: 'No differences.', undated: 'undated', error: 'Something went wrong: ', notFound: 'Article not found.',
    byMonth: 'Articles by month', page: n => `Page ${n}`, group: 'Story',
    sameStory: n => `Same story elsewhere (${n})`, reprint: 'near-duplicate of an earlier article',
    showGroup: 'Search this story and its reprints',
    damaged: 'Damaged in the archive, not as it was archived: ', damagedMark: 'damaged',
    runs: 'Runs', token: 'Admin token', startCrawl: 'Start a crawl', started: 'Started', trigger: 'Trigger',
    status: 'Status', pages: 'Pages', articlesCol: 'Articles (new, updated)', errors: 'Errors', rate: 'Pages/s',
    eta: 'ETA', noRuns: 'No runs recorded.', crawlStarted: 'Crawl started.',
    state: 'Status', changed: 'Changed', removedOn: d => `removed ${d}`, versionsN: n => `${n} versions`,
    edited: n => `${n} edited`,
    dates: 'Dates', apply: 'Apply', sections: 'Sections', tagsFacet: 'Tags', tag: 'Tag',
    collapse: 'One result per story', reprints: n => `+ ${n} more of this story`, hideReprints: 'Hide the others',
  },
  zh: {
    brand: 'newsarc 新闻存档', placeholder: '搜索存档…', search: '搜索', sortRelevance: '相关度',
    sortDate: '最新', sites: '网站', authors: '作者', languages: '语言', back: '← 返回结果',
    original: '原文链接 ↗', capture: '存档原始页面（下载）', versions: '版本', from: '从', to: '到',
    compare: '比较', export: '导出', results: n => `共 ${n} 条结果`, took: ms => `用时 ${ms} 毫秒`,
    none: '没有匹配的文章。', prev: '‹ 上一页', next: '下一页 ›', site: '网站', author: '作者',
    language: '语言', date: '日期', published: '发布时间', modified: '修改时间', fetched: '存档时间',
    version: '版本', words: '字数', section: '栏目', source: '来源', editor: '责任编辑', tags: '标签',
    publisher: '发布者', removed: '已删除', remove: '移除筛选', current: '当前', added: n => `新增 ${n}`,
    deleted: n => `删除 ${n}`, same: '没有差异。', undated: '无日期', error: '出错了：', notFound: '找不到这篇文章。',
    byMonth: '按月份的文章数', page: n => `第 ${n} 页`, group: '同一报道',
    sameStory: n => `相同报道与转载（${n}）`, reprint: '转载或近似重复', showGroup: '搜索此报道及其转载',
    damaged: '存档中的记录已损坏，内容与存档时不同：', damagedMark: '已损坏',
    runs: '抓取记录', token: '管理令牌', startCrawl: '开始抓取', started: '开始时间', trigger: '触发方式',
    status: '状态', pages: '页面', articlesCol: '文章（新增，更新）', errors: '错误', rate: '页/秒',
    eta: '预计剩余', noRuns: '尚无抓取记录。', crawlStarted: '已开始抓取。',
    state: '状态', changed: '有修改', removedOn: d => `${d} 已删除`, versionsN: n => `${n} 个版本`,
    edited: n => `修改 ${n}`,
    dates: '日期范围', apply: '应用', sections: '栏目', tagsFacet: '标签', tag: '标签',
    collapse: '同一报道只显示一条', reprints: n => `+ 同一报道另有 ${n} 篇`, hideReprints: '收起',
  },
};

const lang = (document.documentElement.lang || navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en';
const L = LABELS[lang];
const $ = id => document.getElementById(id);

// el creates an element with attributes and children (strings become text).
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'onclick') e.addEventListener('click', v);
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const ENTITIES = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#34;': '"', '&#39;': "'" };

// fragment turns a highlighted fragment (escaped HTML with <mark>) into DOM
// nodes without parsing it as HTML: only <mark> and </mark> are tags, every
// other character is text, entities decoded.
function fragment(html) {
  const out = document.createDocumentFragment();
  let mark = null;
  for (const part of String(html).split(/(<\/?mark>)/)) {
    if (part === '<mark>') { if (!mark) { mark = el('mark'); out.append(mark); } continue; }
    if (part === '</mark>') { mark = null; continue; }
    if (!part) continue;
    const text = part.replace(/&(lt|gt|amp|quot|#34|#39);/g, m => ENTITIES[m]);
    (mark || out).append(document.createTextNode(text));
  }
  return out;
}

// plain strips the marks and entities of a fragment.
function plain(html) {
  const f = fragment(html);
  return f.textContent;
}

// safeURL returns u when it is an http(s) URL, else null.
function safeURL(u) {
  try {
    const url = new URL(u);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch { return null; }
}

function day(s) { return s ? s.slice(0, 10) : ''; }
function minute(s) { return s ? s.slice(0, 16).replace('T', ' ') : ''; }

function showError(msg) {
  const e = $('error');
  e.textContent = msg ? L.error + msg : '';
  e.hidden = !msg;
}

async function getJSON(url) {
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) { const err = new Error(body.error || res.statusText); err.status = res.status; throw err; }
  return body;
}

// Routing: #/search?q=…&site=… and #/article/ID.
const FILTERS = ['q', 'site', 'author', 'section', 'tag', 'lang', 'cluster', 'from', 'to', 'removed', 'changed',
  'collapse', 'sort', 'offset'];

function route() {
  const h = location.hash.replace(/^#/, '');
  const m = h.match(/^\/article\/([^/?#]+)/);
  if (m) return { view: 'article', id: decodeURIComponent(m[1]) };
  if (h === '/runs') return { view: 'runs' };
  const qs = h.includes('?') ? h.slice(h.indexOf('?') + 1) : '';
  return { view: 'search', params: new URLSearchParams(qs) };
}

function go(params) {
  const p = new URLSearchParams();
  for (const k of FILTERS) if (params.get(k)) p.set(k, params.get(k));
  location.hash = '#/search?' + p.toString();
}

function withParam(params, key, value) {
  const p = new URLSearchParams(params);
  if (value) p.set(key, value); else p.delete(key);
  p.delete('offset');
  return p;
}

let lastSearch = '#/';

async function render() {
  showError('');
  const r = route();
  $('search-view').hidden = r.view !== 'search';
  $('article-view').hidden = r.view !== 'article';
  $('runs-view').hidden = r.view !== 'runs';
  clearTimeout(runsTimer);
  if (r.view === 'article') return renderArticle(r.id);
  if (r.view === 'runs') return renderRuns();
  lastSearch = location.hash || '#/';
  return renderSearch(r.params);
}

async function renderSearch(params) {
  $('q').value = params.get('q') || '';
  $('sort').value = params.get('sort') || (params.get('q') ? 'relevance' : 'date');
  const api = new URLSearchParams(params);
  api.set('limit', '10');
  let res;
  try {
    res = await getJSON('/api/search?' + api.toString());
  } catch (e) { showError(e.message); return; }
  document.title = (res.query.q ? res.query.q + ' – ' : '') + 'newsarc';
  $('summary').replaceChildren(L.results(res.total), ' ', el('span', { class: 'took' }, L.took(res.took_ms.toFixed(1))));
  renderFacet('site', res.facets.site, params);
  renderFacet('author', res.facets.author, params);
  renderFacet('section', res.facets.section, params);
  renderFacet('tag', res.facets.tag, params);
  renderFacet('language', res.facets.language, params, 'lang');
  renderStateFilters(params);
  renderChips(params);
  $('date-from').value = params.get('from') || '';
  $('date-to').value = params.get('to') || '';
  $('collapse').checked = params.get('collapse') === 'true';
  renderHistogram(res.facets.date, params);
  renderHits(res, params);
  renderPager(res, params);
  updateExport(params);
}

function renderFacet(name, buckets, params, key) {
  key = key || name;
  const active = params.get(key);
  const items = (buckets || []).slice(0, 12).map(b =>
    el('li', { class: b.term === active ? 'active' : null },
      el('a', {
        href: '#', title: b.term, 'data-facet': key, 'data-term': b.term,
        onclick: ev => { ev.preventDefault(); go(withParam(params, key, b.term === active ? '' : b.term)); },
      }, el('span', { class: 'term' }, b.term), el('span', { class: 'count' }, b.count))));
  $('facet-' + name).replaceChildren(...items);
  $('facet-' + name).parentElement.hidden = items.length === 0;
}

// renderStateFilters offers the removed and changed filters: articles gone
// from their site, articles edited after they were archived.
function renderStateFilters(params) {
  $('facet-state').replaceChildren(...['removed', 'changed'].map(k => {
    const on = params.get(k) === 'true';
    return el('li', { class: on ? 'active' : null },
      el('a', {
        href: '#', 'data-facet': k,
        onclick: ev => { ev.preventDefault(); go(withParam(params, k, on ? '' : 'true')); },
      }, el('span', { class: 'term' }, L[k])));
  }));
}

function renderChips(params) {
  const chips = [];
  const names = { site: L.site, author: L.author, section: L.section, tag: L.tag, lang: L.language, cluster: L.group,
    from: L.from, to: L.to, removed: L.removed, changed: L.changed, collapse: L.collapse };
  for (const k of Object.keys(names)) {
    const v = params.get(k);
    if (!v) continue;
    chips.push(el('button', {
      type: 'button', class: 'chip', title: L.remove, 'data-filter': k,
      onclick: () => go(withParam(params, k, '')),
    }, v === 'true' ? `${names[k]} ×` : `${names[k]}: ${v} ×`));
  }
  $('active-filters').replaceChildren(...chips);
  $('active-filters').hidden = chips.length === 0;
}

function lastDay(month) {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

function renderHistogram(buckets, params) {
  const h = $('histogram');
  buckets = buckets || [];
  if (buckets.length === 0) { h.replaceChildren(); h.hidden = true; return; }
  h.hidden = false;
  const top = Math.max(...buckets.map(b => b.count));
  const every = Math.ceil(buckets.length / 12);
  const bars = buckets.map((b, i) => {
    const from = b.term + '-01';
    const active = params.get('from') === from && params.get('to') === lastDay(b.term);
    const bar = el('span', { class: 'bar' });
    bar.style.height = Math.max(4, Math.round(60 * b.count / top)) + 'px';
    return el('button', {
      type: 'button', class: 'month' + (active ? ' active' : ''), title: `${b.term}: ${b.count}`,
      'data-month': b.term,
      onclick: () => {
        const p = withParam(withParam(params, 'from', active ? '' : from), 'to', active ? '' : lastDay(b.term));
        go(p);
      },
    }, el('span', { class: 'n' }, b.count), bar, el('span', { class: 'label' }, i % every === 0 ? b.term : ''));
  });
  h.replaceChildren(el('span', { class: 'caption' }, L.byMonth), el('div', { class: 'bars' }, bars));
}

// hitMeta is the line under a result's title: site, date, authors, and
// the removed and changed markers.
function hitMeta(hit) {
  const meta = [hit.site, hit.published_at ? minute(hit.published_at) : L.undated, (hit.authors || []).join(', ')]
    .filter(Boolean).join(' · ');
  return el('p', { class: 'hit-meta' }, meta,
    hit.removed_at ? el('span', { class: 'mark mark-removed' }, L.removedOn(day(hit.removed_at))) : null,
    hit.version > 1 ? el('span', { class: 'mark mark-changed' }, L.versionsN(hit.version)) : null);
}

// reprintsToggle, on a collapsed result that stands for a group of
// reprints, expands the group's other matches under it and folds them
// away again.
function reprintsToggle(hit, params) {
  const list = el('ul', { class: 'reprints', hidden: true });
  const button = el('button', { type: 'button', class: 'hit-reprints', 'aria-expanded': 'false' }, L.reprints(hit.reprints));
  button.addEventListener('click', async () => {
    const open = button.getAttribute('aria-expanded') === 'true';
    if (open) {
      list.hidden = true;
      button.setAttribute('aria-expanded', 'false');
      button.textContent = L.reprints(hit.reprints);
      return;
    }
    if (!list.dataset.loaded) {
      const p = new URLSearchParams(params);
      for (const k of ['collapse', 'offset']) p.delete(k);
      p.set('cluster', hit.cluster || hit.id);
      p.set('limit', String(Math.min(hit.reprints + 1, 100)));
      let res;
      try {
        res = await getJSON('/api/search?' + p.toString());
      } catch (e) { showError(e.message); return; }
      list.replaceChildren(...res.hits.filter(m => m.id !== hit.id).map(m => el('li', { class: 'reprint' },
        el('a', { href: '#/article/' + encodeURIComponent(m.id) }, m.title || m.id), hitMeta(m))));
      list.dataset.loaded = 'true';
    }
    list.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    button.textContent = L.hideReprints;
  });
  return [button, list];
}

function renderHits(res, params) {
  if (res.hits.length === 0) { $('hits').replaceChildren(el('li', { class: 'none' }, L.none)); return; }
  $('hits').replaceChildren(...res.hits.map(hit => {
    const frags = hit.fragments || [];
    // A fragment of the title, with its marks, replaces the plain title.
    const ti = frags.findIndex(f => plain(f) === hit.title);
    const title = ti >= 0 ? fragment(frags[ti]) : hit.title || hit.id;
    const body = frags.filter((_, i) => i !== ti);
    return el('li', { class: 'hit' + (hit.removed_at ? ' removed' : '') },
      el('h3', {}, el('a', { href: '#/article/' + encodeURIComponent(hit.id) }, title)),
      hitMeta(hit),
      hit.damage ? el('p', { class: 'damage', role: 'note' }, L.damaged + hit.damage) : null,
      hit.duplicate_of ? el('p', { class: 'hit-dup' },
        el('a', { href: '#/search?cluster=' + encodeURIComponent(hit.cluster), 'data-cluster': hit.cluster }, L.reprint)) : null,
      body.length === 0 && hit.excerpt ? el('p', { class: 'fragment excerpt' }, hit.excerpt) : null,
      body.map(f => {
        const text = plain(f);
        return el('p', { class: 'fragment' }, text.startsWith('…') ? '' : '…', fragment(f), text.endsWith('…') ? '' : '…');
      }),
      hit.reprints > 0 ? reprintsToggle(hit, params) : null);
  }));
}

function renderPager(res, params) {
  const limit = res.query.limit, offset = res.query.offset;
  const pages = Math.ceil(res.total / limit);
  const cur = Math.floor(offset / limit);
  const link = (label, page, cls) => {
    const p = new URLSearchParams(params);
    if (page > 0) p.set('offset', String(page * limit)); else p.delete('offset');
    return el('a', { href: '#', class: cls, onclick: ev => { ev.preventDefault(); go(p); } }, label);
  };
  const items = [];
  if (pages > 1) {
    if (cur > 0) items.push(link(L.prev, cur - 1, 'prev'));
    for (let i = Math.max(0, cur - 3); i < Math.min(pages, cur + 4); i++) {
      items.push(i === cur ? el('span', { class: 'current', 'aria-current': 'page' }, i + 1) : link(String(i + 1), i, 'num'));
    }
    if (cur < pages - 1) items.push(link(L.next, cur + 1, 'next'));
  }
  $('pager').replaceChildren(...items);
}

let exportEnabled = null;

async function updateExport(params) {
  if (exportEnabled === null) {
    exportEnabled = (await fetch('/api/export?format=jsonl', { method: 'HEAD' }).catch(() => ({ ok: false }))).ok;
  }
  const box = $('export-link');
  if (!exportEnabled) { box.hidden = true; return; }
  const p = new URLSearchParams();
  for (const k of FILTERS) if (k !== 'sort' && k !== 'offset' && params.get(k)) p.set(k, params.get(k));
  box.hidden = false;
  box.replaceChildren(L.export + ': ', ...['jsonl', 'csv', 'parquet'].flatMap((f, i) => {
    p.set('format', f);
    const a = el('a', { href: '/api/export?' + p.toString(), download: true }, f.toUpperCase());
    return i ? [' · ', a] : [a];
  }));
}

async function renderArticle(id) {
  $('back').setAttribute('href', lastSearch);
  let res;
  try {
    res = await getJSON('/api/articles/' + encodeURIComponent(id));
  } catch (e) {
    showError(e.status === 404 ? L.notFound : e.message);
    $('a-title').textContent = '';
    return;
  }
  const a = res.article;
  document.title = a.title + ' – newsarc';
  $('a-title').textContent = a.title || a.id;
  $('a-subtitle').textContent = a.subtitle || '';
  $('a-damage').textContent = a.damage ? L.damaged + a.damage : '';
  $('a-damage').hidden = !a.damage;
  const rows = [
    [L.site, a.site], [L.author, (a.authors || []).join(', ')], [L.published, minute(a.published_at)],
    [L.modified, minute(a.modified_at)], [L.fetched, minute(a.fetched_at)], [L.removed, minute(a.removed_at)],
    [L.language, a.language], [L.section, a.section], [L.source, a.source], [L.editor, a.editor],
    [L.publisher, a.publisher], [L.tags, (a.tags || []).join(', ')], [L.version, a.version], [L.words, a.word_count],
  ].filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== 0);
  $('a-meta').replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, String(v))]));

  const orig = $('a-original');
  const href = safeURL(a.canonical_url || a.url);
  orig.hidden = !href;
  if (href) orig.setAttribute('href', href); else orig.removeAttribute('href');
  const cap = $('a-capture');
  cap.hidden = !res.capture_url;
  if (res.capture_url) cap.setAttribute('href', res.capture_url); else cap.removeAttribute('href');

  const paras = String(a.text || '').split(/\n\s*\n/).map(s => s.trim()).filter(Boolean);
  $('a-text').replaceChildren(...paras.map(p => el('p', {}, p)));

  renderVersions(a.id, res.versions || []);
  renderGroup(a, res.group || [], res.group_total || 0);
}

// renderGroup lists an article's near-duplicates: the same story on other
// sites or under other URLs.
function renderGroup(a, members, total) {
  const box = $('a-group');
  box.hidden = members.length === 0;
  if (members.length === 0) { $('a-group-list').replaceChildren(); return; }
  $('a-group-title').textContent = L.sameStory(total);
  $('a-group-list').replaceChildren(...members.map(m => el('li', { class: 'group-member' },
    el('a', { href: '#/article/' + encodeURIComponent(m.id) }, m.title || m.id), ' ',
    el('span', { class: 'hit-meta' }, [m.site, m.published_at ? minute(m.published_at) : L.undated,
      m.damage ? L.damagedMark : ''].filter(Boolean).join(' · ')))));
  $('a-group-search').setAttribute('href', '#/search?cluster=' + encodeURIComponent(a.cluster || a.id));
}

function renderVersions(id, versions) {
  const box = $('a-versions');
  box.hidden = versions.length < 2;
  $('diff').replaceChildren();
  if (versions.length < 2) return;
  const opts = sel => versions.map(v => el('option', { value: v.version, selected: v.version === sel },
    `v${v.version} · ${minute(v.fetched_at)} UTC${v.current ? ' (' + L.current + ')' : ''}${v.damage ? ' · ' + L.damagedMark : ''}`));
  const last = versions[versions.length - 1].version, prev = versions[versions.length - 2].version;
  $('diff-from').replaceChildren(...opts(prev));
  $('diff-to').replaceChildren(...opts(last));
  $('diff-form').onsubmit = ev => { ev.preventDefault(); loadDiff(id, $('diff-from').value, $('diff-to').value); };
  loadDiff(id, prev, last);
}

async function loadDiff(id, from, to) {
  let d;
  try {
    d = await getJSON(`/api/articles/${encodeURIComponent(id)}/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  } catch (e) { showError(e.message); return; }
  const stats = [d.added ? L.added(d.added) : '', d.removed ? L.deleted(d.removed) : '', d.changed ? L.edited(d.changed) : '']
    .filter(Boolean).join(' · ');
  const items = [el('p', { class: 'diff-stats' }, stats || L.same)];
  for (const side of [d.from, d.to]) {
    if (side.damage) items.push(el('p', { class: 'damage', role: 'note' }, `v${side.version}: ` + L.damaged + side.damage));
  }
  if (d.from.title !== d.to.title) {
    items.push(el('p', { class: 'op-delete' }, el('del', {}, d.from.title)), el('p', { class: 'op-insert' }, el('ins', {}, d.to.title)));
  }
  for (const op of d.ops) {
    const cls = 'op-' + op.op;
    // A paragraph edited in place shows its word diff: a one-word
    // correction strikes one word.
    const words = w => w.op === 'insert' ? el('ins', {}, w.text) : w.op === 'delete' ? el('del', {}, w.text) : w.text;
    const body = op.op === 'change' ? (op.words || []).map(words) : words(op);
    items.push(el('p', { class: cls }, body));
  }
  $('diff').replaceChildren(...items);
}

// Runs: those running (refreshed every two seconds while shown) and those
// recorded, from GET /api/runs; an admin may start a site's crawl.
let runsTimer = 0;

function seconds(s) {
  s = Math.round(s);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${Math.floor(s % 3600 / 60)}m` : s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
}

async function renderRuns() {
  let res;
  try {
    res = await getJSON('/api/runs');
  } catch (err) {
    showError(err.message);
    return;
  }
  const body = $('runs-body');
  body.replaceChildren();
  if (!res.runs.length) body.append(el('tr', {}, el('td', { colspan: '9' }, L.noRuns)));
  for (const r of res.runs) {
    const status = r.error ? `${r.status}: ${r.error}` : r.status;
    body.append(el('tr', { class: r.running ? 'running' : r.status === 'ok' ? '' : 'failed' },
      el('td', {}, minute(r.started)), el('td', {}, r.site), el('td', {}, r.trigger), el('td', {}, status),
      el('td', {}, String(r.pages)), el('td', {}, `${r.articles} (${r.new}, ${r.updated})`),
      el('td', {}, String(r.errors)), el('td', {}, r.rate ? r.rate.toFixed(1) : ''),
      el('td', {}, r.eta_seconds ? seconds(r.eta_seconds) : '')));
  }
  const form = $('crawl-form');
  form.hidden = !res.admin;
  if (res.admin && $('crawl-site').options.length !== res.sites.length) {
    $('crawl-site').replaceChildren(...res.sites.map(n => el('option', { value: n }, n)));
  }
  if (route().view === 'runs') runsTimer = setTimeout(renderRuns, res.runs.some(r => r.running) ? 2000 : 10000);
}

async function startCrawl(ev) {
  ev.preventDefault();
  const status = $('crawl-status');
  status.textContent = '';
  const res = await fetch('/api/admin/crawl', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + $('crawl-token').value },
    body: JSON.stringify({ site: $('crawl-site').value }),
  });
  const body = await res.json().catch(() => ({}));
  status.textContent = res.ok ? L.crawlStarted : L.error + (body.error || res.statusText);
  if (res.ok) renderRuns();
}

async function showRunsLink() {
  try {
    await getJSON('/api/runs?limit=1');
    $('runs-link').hidden = false;
  } catch (err) {
    // No runs endpoint on this server: no link.
  }
}

function init() {
  document.documentElement.lang = lang;
  for (const e of document.querySelectorAll('[data-i18n]')) {
    const v = L[e.dataset.i18n];
    if (typeof v === 'string') e.textContent = v;
  }
  for (const e of document.querySelectorAll('[data-i18n-placeholder]')) e.setAttribute('placeholder', L[e.dataset.i18nPlaceholder]);
  // The sort shown follows the query (relevance with words, newest
  // without) until the reader picks one.
  let sortPicked = false;
  $('search-form').addEventListener('submit', ev => {
    ev.preventDefault();
    const cur = route().params || new URLSearchParams();
    const p = withParam(cur, 'q', $('q').value.trim());
    const sort = sortPicked ? $('sort').value : cur.get('sort') || '';
    sortPicked = false;
    go(withParam(p, 'sort', sort === (p.get('q') ? 'relevance' : 'date') ? '' : sort));
  });
  $('sort').addEventListener('change', () => { sortPicked = true; $('search-form').requestSubmit(); });
  $('date-form').addEventListener('submit', ev => {
    ev.preventDefault();
    const cur = route().params || new URLSearchParams();
    go(withParam(withParam(cur, 'from', $('date-from').value), 'to', $('date-to').value));
  });
  $('collapse').addEventListener('change', () => {
    const cur = route().params || new URLSearchParams();
    go(withParam(cur, 'collapse', $('collapse').checked ? 'true' : ''));
  });
  $('crawl-form').addEventListener('submit', startCrawl);
  window.addEventListener('hashchange', render);
  showRunsLink();
  render();
}

init();
