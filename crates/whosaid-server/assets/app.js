// The whosaid web page: one script, no framework, nothing fetched but our
// own API (relative URLs, so the page also works behind a path prefix).
//
// Every span in a record is a UTF-8 byte range into article.text, so the text
// is encoded once and each piece between two span boundaries is decoded on
// its own: JavaScript's UTF-16 indices never enter the picture.
'use strict';

const STANCES = ['asserts', 'denies', 'believes', 'doubts', 'affirms', 'reports', 'intends'];
const KINDS = ['direct', 'indirect', 'mixed', 'according_to', 'headline'];
const PALETTE_SIZE = 12;
// Longer runs of months than this are drawn as they come rather than with
// the empty months filled in, so a bad date cannot make a million bars.
const MAX_FILLED_MONTHS = 600;

// ---------------------------------------------------------------- DOM helpers

function h(tag, props, ...children) {
  const node = document.createElement(tag);
  setProps(node, props);
  appendAll(node, children);
  return node;
}

function svg(tag, props, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setProps(node, props);
  appendAll(node, children);
  return node;
}

function setProps(node, props) {
  if (!props) return;
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.setAttribute('class', value);
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
}

function appendAll(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
}

function clear(node) {
  node.replaceChildren();
  return node;
}

const $ = (selector, root = document) => root.querySelector(selector);

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

// Every failure becomes an ApiError whose message a person can read: the
// server's own JSON message when there is one.
async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { ...options, headers: { Accept: 'application/json', ...options.headers } });
  } catch (err) {
    throw new ApiError(`Could not reach the whosaid server (${err.message}).`, 'network', 0);
  }
  const body = await response.text();
  let json = null;
  try {
    json = body ? JSON.parse(body) : null;
  } catch (_) {
    json = null;
  }
  if (!response.ok) {
    const error = json && json.error;
    if (error && typeof error.message === 'string') {
      throw new ApiError(error.message, error.code || 'error', response.status);
    }
    throw new ApiError(`The server answered HTTP ${response.status} ${response.statusText}.`, 'http', response.status);
  }
  if (json === null) {
    throw new ApiError('The server answered with something that is not JSON.', 'bad_response', response.status);
  }
  return json;
}

function errorBox(err) {
  const code = err.code && err.code !== 'network' ? ` (${err.code}${err.status ? `, HTTP ${err.status}` : ''})` : '';
  return h('div', { class: 'error', role: 'alert' }, h('strong', { text: 'Error: ' }), err.message || String(err), h('span', { class: 'error-code', text: code }));
}

// Each view ignores answers to requests it has since replaced, so a slow
// response cannot overwrite a newer one.
function latestOnly() {
  let current = 0;
  return () => {
    const mine = ++current;
    return () => mine === current;
  };
}

// ---------------------------------------------------------------- span layout

// Order of opening at one position: blocks outermost, then the longer
// range, then by kind (the author's voice around quotes, a quote around its
// speaker and cue), then a parent quote before the quotes nested in it.
const RANK = { authorial: 0, content: 1, speaker: 2, cue: 3, addressee: 4 };

function compareRanges(a, b) {
  return a.start - b.start
    || (a.kind === 'block' ? 0 : 1) - (b.kind === 'block' ? 0 : 1)
    || b.end - a.end
    || (RANK[a.kind] ?? 9) - (RANK[b.kind] ?? 9)
    || (a.depth || 0) - (b.depth || 0)
    || a.seq - b.seq;
}

// A non-empty range inside the text whose ends fall between characters
// (never on a UTF-8 continuation byte).
function isValidRange(bytes, { start, end }) {
  const onBoundary = (i) => i === bytes.length || (bytes[i] & 0xc0) !== 0x80;
  return Number.isInteger(start) && Number.isInteger(end)
    && start >= 0 && start < end && end <= bytes.length
    && onBoundary(start) && onBoundary(end);
}

/**
 * Sweeps the text's byte ranges in one pass over their sorted boundaries and
 * tells `sink` how to build properly nested elements from them:
 * `sink.text(string, stack)`, `sink.open(range, continued)` and
 * `sink.close(range, finished)`. Ranges that cross are split: the inner one
 * is closed where the outer one ends and reopened (`continued`) after it.
 * Blocks (`kind: 'block'`) are always outermost. Ranges outside the text,
 * empty or not on character boundaries are skipped; their count is returned.
 */
function layoutSpans(bytes, ranges, sink) {
  const length = bytes.length;
  const valid = [];
  let skipped = 0;
  ranges.forEach((range, seq) => {
    if (isValidRange(bytes, range)) valid.push({ ...range, seq });
    else skipped += 1;
  });
  valid.sort(compareRanges);

  const points = new Set([0, length]);
  for (const range of valid) {
    points.add(range.start);
    points.add(range.end);
  }
  const sorted = [...points].sort((a, b) => a - b);
  const decoder = new TextDecoder();
  const stack = [];
  let next = 0;
  let previous = 0;

  const reopen = (ranges) => {
    for (const range of ranges) {
      stack.push(range);
      sink.open(range, true);
    }
  };
  // Closes everything above (and including) stack[from]; returns the ranges
  // that go on past `at`, outermost first, to be reopened.
  const unwind = (from, at) => {
    const goOn = [];
    while (stack.length > from) {
      const range = stack.pop();
      const finished = range.end === at;
      sink.close(range, finished);
      if (!finished) goOn.unshift(range);
    }
    return goOn;
  };

  for (const at of sorted) {
    if (at > previous) {
      sink.text(decoder.decode(bytes.subarray(previous, at)), stack);
      previous = at;
    }
    const lowestEnding = stack.findIndex((range) => range.end === at);
    if (lowestEnding >= 0) reopen(unwind(lowestEnding, at));
    while (next < valid.length && valid[next].start === at) {
      const range = valid[next++];
      if (range.kind === 'block' && stack.length > 0) {
        const goOn = unwind(0, at);
        stack.push(range);
        sink.open(range, false);
        reopen(goOn);
      } else {
        stack.push(range);
        sink.open(range, false);
      }
    }
  }
  return skipped;
}

// ---------------------------------------------------------------- the record

function actorColor(actorIndex) {
  return Number.isInteger(actorIndex) && actorIndex >= 0 ? `c${actorIndex % PALETTE_SIZE}` : 'cx';
}

function actorName(record, actorIndex) {
  const actor = Number.isInteger(actorIndex) ? (record.actors || [])[actorIndex] : null;
  return actor ? actor.name : null;
}

function speakerLabel(record, attribution) {
  if (!attribution.speaker) return 'no source in the text';
  return actorName(record, attribution.speaker.actor) || attribution.speaker.text;
}

function stanceBadge(stance, attributionId) {
  const known = STANCES.includes(stance) ? stance : 'unknown';
  return h('span', { class: `badge stance-${known}`, 'data-attr': attributionId, text: stance || 'unknown' });
}

function kindLabel(kind) {
  return String(kind || 'unknown').replace(/_/g, ' ');
}

// Nesting depth of each attribution (0 = top level), bounded so that a
// parent cycle in a bad record cannot loop.
function depths(attributions) {
  const byId = new Map(attributions.map((a) => [a.id, a]));
  return attributions.map((attribution) => {
    let depth = 0;
    let parent = attribution.parent;
    while (parent !== null && parent !== undefined && byId.has(parent) && depth < attributions.length) {
      depth += 1;
      parent = byId.get(parent).parent;
    }
    return depth;
  });
}

function recordRanges(record) {
  const article = record.article || {};
  const attributions = record.attributions || [];
  const ranges = [];
  for (const block of article.blocks || []) {
    ranges.push({ kind: 'block', start: block.start, end: block.end, blockKind: block.kind });
  }
  for (const span of record.authorial || []) {
    ranges.push({ kind: 'authorial', start: span.start, end: span.end, authorialKind: span.kind });
  }
  // A speaker or cue shared by several attributions ("a report" both
  // reporting and presenting) is marked once, knowing all of them.
  const shared = new Map();
  const sharedRange = (kind, span, attribution, extra) => {
    const key = `${kind}:${span.start}:${span.end}`;
    const existing = shared.get(key);
    if (existing) {
      existing.attributions.push(attribution);
      return;
    }
    const range = { kind, start: span.start, end: span.end, attributions: [attribution], ...extra };
    shared.set(key, range);
    ranges.push(range);
  };
  const depthOf = depths(attributions);
  attributions.forEach((attribution, index) => {
    const depth = depthOf[index];
    const content = attribution.content || {};
    const pieces = Array.isArray(content.spans) && content.spans.length > 0 ? content.spans : [[content.start, content.end]];
    pieces.forEach(([start, end], piece) => {
      ranges.push({ kind: 'content', start, end, attribution, depth, first: piece === 0, last: piece === pieces.length - 1 });
    });
    const color = actorColor(attribution.speaker && attribution.speaker.actor);
    if (attribution.speaker) sharedRange('speaker', attribution.speaker, attribution, { depth, color });
    if (attribution.cue) sharedRange('cue', attribution.cue, attribution, { depth, color });
    if (attribution.addressee) sharedRange('addressee', attribution.addressee, attribution, { depth });
  });
  return ranges;
}

// Builds the highlighted article text: one sweep, one fragment, appended once.
function buildArticleText(record) {
  const text = (record.article && record.article.text) || '';
  const bytes = new TextEncoder().encode(text);
  const root = document.createDocumentFragment();
  const nodes = [root];
  let blocksOpen = 0;
  const top = () => nodes[nodes.length - 1];

  const sink = {
    text(piece, stack) {
      // Between blocks only the "\n\n" separators lie; they need no node
      // (even inside a quote that runs on into the next paragraph).
      if (blocksOpen === 0 && piece.trim() === '') return;
      if (blocksOpen === 0 && stack.length === 0) {
        top().append(h('p', { class: 'blk loose' }, piece));
        return;
      }
      top().append(piece);
    },
    open(range, continued) {
      const node = openNode(record, range, continued);
      if (range.kind === 'block') blocksOpen += 1;
      top().append(node);
      nodes.push(node);
    },
    close(range, finished) {
      const node = nodes.pop();
      if (range.kind === 'block') blocksOpen -= 1;
      // A piece left empty by splitting (a quote running over a paragraph
      // break) would only be an empty box.
      if (!node.firstChild && range.kind !== 'block') node.remove();
      if (!finished) return;
      // The stance badge follows the cue, where the stance is said; a quote
      // with no cue carries it after its content.
      if (range.kind === 'cue') {
        for (const attribution of range.attributions) top().append(stanceBadge(attribution.stance, attribution.id));
      } else if (range.kind === 'content' && range.last && !(range.attribution.cue && isValidRange(bytes, range.attribution.cue))) {
        top().append(stanceBadge(range.attribution.stance, range.attribution.id));
      }
    },
  };
  const skipped = layoutSpans(bytes, recordRanges(record), sink);

  // The first piece of each quote that survived is its one tab stop.
  const seen = new Set();
  for (const mark of root.querySelectorAll('.q-content')) {
    if (seen.has(mark.dataset.attr)) continue;
    seen.add(mark.dataset.attr);
    mark.tabIndex = 0;
  }
  return { fragment: root, skipped };
}

function openNode(record, range, continued) {
  switch (range.kind) {
    case 'block': {
      const tag = { heading: 'h3', quote: 'blockquote' }[range.blockKind] || 'p';
      return h(tag, { class: `blk blk-${range.blockKind || 'paragraph'}` });
    }
    case 'authorial': {
      const node = h('span', { class: 'authorial', 'data-kind': range.authorialKind });
      if (!continued) node.append(h('span', { class: 'authorial-label', text: `author · ${range.authorialKind || 'voice'}` }));
      return node;
    }
    case 'content': {
      const a = range.attribution;
      const color = actorColor(a.speaker && a.speaker.actor);
      const nested = a.parent !== null && a.parent !== undefined;
      const classes = ['q-content', color, `kind-${a.kind}`];
      if (nested) classes.push('nested');
      if (continued || !range.first) classes.push('cont');
      // A description, not a label, so that a screen reader still reads the
      // quoted words; no button role, since quotes nest inside quotes.
      const description = `${nested ? 'Nested quote' : 'Quote'} ${a.id} by ${speakerLabel(record, a)}, ${a.stance}. Enter shows the details.`;
      return h('mark', {
        class: classes.join(' '),
        'data-attr': a.id,
        title: description,
        'aria-description': description,
      });
    }
    case 'speaker': {
      const a = range.attributions[0];
      return h('span', { class: `q-speaker ${range.color}`, 'data-attr': a.id, title: `speaker: ${speakerLabel(record, a)}` });
    }
    case 'cue':
      return h('span', { class: `q-cue ${range.color}`, 'data-attr': range.attributions[0].id, title: 'cue' });
    case 'addressee':
      return h('span', { class: 'q-addressee', 'data-attr': range.attributions[0].id, title: 'addressee' });
    default:
      return h('span');
  }
}

function articleHeader(record, heading) {
  const article = record.article || {};
  const source = record.source || {};
  const authors = (article.authors || []).filter(Boolean);
  const meta = [];
  if (article.site) meta.push(h('span', { class: 'site', text: article.site }));
  if (article.published) meta.push(h('time', { class: 'published', text: article.published }));
  if (article.language) meta.push(h('span', { class: 'language', text: `language: ${article.language}` }));
  if (source.url) {
    meta.push(h('a', { class: 'source-url', href: source.url, rel: 'noopener noreferrer nofollow', target: '_blank', text: source.url }));
  }
  return h('header', { class: 'article-head' },
    heading ? h('p', { class: 'eyebrow', text: heading }) : null,
    h('h2', { class: 'article-title', tabindex: '-1', text: article.title || '(untitled)' }),
    authors.length ? h('p', { class: 'byline', text: `By ${authors.join(', ')}` }) : null,
    meta.length ? h('p', { class: 'article-meta' }, meta.flatMap((node, i) => (i ? [' · ', node] : [node]))) : null);
}

function legend(record) {
  const attributions = record.attributions || [];
  const counts = new Map();
  let unresolved = 0;
  for (const a of attributions) {
    const actor = a.speaker ? a.speaker.actor : null;
    if (Number.isInteger(actor) && actorName(record, actor) !== null) counts.set(actor, (counts.get(actor) || 0) + 1);
    else unresolved += 1;
  }
  const speakers = [...counts.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]);
  const stanceCounts = STANCES.map((s) => [s, attributions.filter((a) => a.stance === s).length]).filter(([, n]) => n > 0);
  const authorial = (record.authorial || []).length;
  return h('section', { class: 'legend', 'aria-label': 'Legend' },
    h('p', { class: 'summary' },
      `${attributions.length} attribution${attributions.length === 1 ? '' : 's'} by ${speakers.length} resolved speaker${speakers.length === 1 ? '' : 's'}`,
      authorial ? `; ${authorial} passage${authorial === 1 ? '' : 's'} in the author's own voice` : '',
      '.'),
    h('ul', { class: 'legend-speakers', 'aria-label': 'Speakers' },
      speakers.map(([actor, n]) => h('li', { class: `legend-speaker ${actorColor(actor)}` },
        h('span', { class: 'swatch', 'aria-hidden': 'true' }), `${actorName(record, actor)} `, h('span', { class: 'count', text: `(${n})` }))),
      unresolved ? h('li', { class: 'legend-speaker cx' }, h('span', { class: 'swatch', 'aria-hidden': 'true' }), 'unresolved or no speaker ', h('span', { class: 'count', text: `(${unresolved})` })) : null),
    h('ul', { class: 'legend-key', 'aria-label': 'Key' },
      h('li', null, h('span', { class: 'q-speaker cx', text: 'speaker' })),
      h('li', null, h('span', { class: 'q-cue cx', text: 'cue' })),
      h('li', null, h('mark', { class: 'q-content cx', text: 'quoted content' })),
      h('li', null, h('mark', { class: 'q-content cx nested', text: 'nested quote' })),
      h('li', null, h('span', { class: 'authorial' }, h('span', { class: 'authorial-label', text: 'author' }), " author's voice")),
      stanceCounts.map(([s, n]) => h('li', null, stanceBadge(s, null), ` ${n}`))));
}

function warningsList(record, extra) {
  const warnings = [...(record.warnings || []), ...extra];
  if (warnings.length === 0) return null;
  return h('section', { class: 'warnings', 'aria-label': 'Warnings' },
    h('h3', { text: `Warnings (${warnings.length})` }),
    h('ul', null, warnings.map((w) => h('li', { text: w }))));
}

/**
 * Renders a record into `container`; returns `{ show(id) }` to open an
 * attribution's details.
 */
function renderRecord(container, record, heading) {
  const attributions = record.attributions || [];
  const byId = new Map(attributions.map((a) => [a.id, a]));
  const { fragment, skipped } = buildArticleText(record);
  const extraWarnings = skipped ? [`${skipped} span${skipped === 1 ? '' : 's'} outside the text or not on a character boundary could not be marked.`] : [];
  const text = h('div', { class: 'article-text', 'aria-label': 'Article text with attributions marked' });
  text.append(fragment);
  const details = h('aside', { class: 'details', 'aria-label': 'Attribution details', hidden: true });
  let returnFocusTo = null;

  const markOf = (id) => text.querySelector(`.q-content[data-attr="${CSS.escape(String(id))}"]`);
  const select = (id) => {
    for (const node of text.querySelectorAll('.selected')) node.classList.remove('selected');
    for (const node of text.querySelectorAll(`.q-content[data-attr="${CSS.escape(String(id))}"]`)) node.classList.add('selected');
  };
  const close = () => {
    details.hidden = true;
    select(null);
    if (returnFocusTo && returnFocusTo.isConnected) returnFocusTo.focus();
  };
  const show = (id, focusPanel = true) => {
    const a = byId.get(id);
    if (!a) return;
    returnFocusTo = markOf(id);
    select(id);
    fillDetails(details, record, a, byId, { show, close });
    details.hidden = false;
    if (focusPanel) $('.details-title', details).focus();
  };

  text.addEventListener('click', (event) => {
    const target = event.target.closest('[data-attr]');
    if (!target) return;
    show(Number(target.dataset.attr));
  });
  text.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    const target = event.target.closest('.q-content[data-attr]');
    if (!target) return;
    event.preventDefault();
    show(Number(target.dataset.attr));
  });
  details.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') close();
  });

  clear(container).append(
    h('div', { class: 'record' },
      articleHeader(record, heading),
      legend(record),
      warningsList(record, extraWarnings),
      h('div', { class: 'record-body' }, text, details)));
  return { show, markOf };
}

function detailRow(term, ...value) {
  return [h('dt', { text: term }), h('dd', null, ...value)];
}

function fillDetails(panel, record, a, byId, { show, close }) {
  const span = (s) => (s ? h('q', { class: 'span-text', text: s.text }) : h('span', { class: 'none', text: 'none' }));
  const resolved = (s) => {
    if (!s) return null;
    const name = actorName(record, s.actor);
    return name ? [' → ', h('span', { class: `actor-name ${actorColor(s.actor)}`, text: name })] : [' ', h('span', { class: 'none', text: '(not resolved)' })];
  };
  const quoteButton = (other) => h('button', { type: 'button', class: 'link-button', onclick: () => show(other.id) },
    `quote ${other.id} by ${speakerLabel(record, other)}`);
  const parent = a.parent !== null && a.parent !== undefined ? byId.get(a.parent) : null;
  const children = (record.attributions || []).filter((other) => other.parent === a.id);
  const content = a.content || {};
  const pieces = Array.isArray(content.spans) && content.spans.length > 0 ? content.spans.map(([s, e]) => `${s}–${e}`).join(', ') : `${content.start}–${content.end}`;

  clear(panel).append(
    h('div', { class: 'details-head' },
      h('h3', { class: 'details-title', tabindex: '-1', text: `Quote ${a.id}` }),
      h('button', { type: 'button', class: 'close', 'aria-label': 'Close details', onclick: close, text: 'Close' })),
    h('dl', { class: 'details-list' },
      detailRow('Kind', h('span', { class: 'detail-kind', text: kindLabel(a.kind) })),
      detailRow('Speaker', h('span', { class: 'detail-speaker' }, span(a.speaker), resolved(a.speaker))),
      detailRow('Cue', h('span', { class: 'detail-cue' }, span(a.cue), a.cue && a.cue.lemma ? ` (${a.cue.lemma})` : '')),
      detailRow('Addressee', h('span', { class: 'detail-addressee' }, span(a.addressee), resolved(a.addressee))),
      detailRow('Stance', h('span', { class: 'detail-stance' }, stanceBadge(a.stance, a.id))),
      detailRow('Content', h('blockquote', { class: 'detail-content', text: content.text || '' }), h('span', { class: 'offsets', text: `bytes ${pieces}` })),
      detailRow('Inside', h('span', { class: 'detail-parent' }, parent ? quoteButton(parent) : h('span', { class: 'none', text: 'top level' }))),
      children.length ? detailRow('Contains', h('span', { class: 'detail-children' }, children.map((c, i) => [i ? ', ' : '', quoteButton(c)]))) : null));
}

// ---------------------------------------------------------------- attribution lists (search, actor)

function attributionItem(item) {
  const speaker = item.speaker
    ? (Number.isInteger(item.speaker_id)
      ? h('a', { class: 'result-speaker', href: `#/actor/${item.speaker_id}`, text: item.speaker })
      : h('span', { class: 'result-speaker', text: item.speaker }))
    : h('span', { class: 'result-speaker none', text: 'no source in the text' });
  const source = [];
  const documentLink = `#/document/${encodeURIComponent(item.document)}/${encodeURIComponent(item.index)}`;
  source.push(h('a', { class: 'result-title', href: documentLink, text: item.title || `document ${item.document}` }));
  if (item.site) source.push(' · ', h('span', { text: item.site }));
  if (item.published) source.push(' · ', h('time', { text: item.published }));
  return h('li', { class: 'result' },
    h('p', { class: 'result-head' },
      speaker, ' ', stanceBadge(item.stance, null), ' ',
      h('span', { class: 'result-kind', text: kindLabel(item.kind) }),
      item.cue ? [' · ', h('span', { class: 'result-cue', text: item.cue })] : null),
    h('blockquote', { class: 'result-content', text: item.content || '' }),
    h('p', { class: 'result-source' }, source));
}

// ---------------------------------------------------------------- views

const views = {};

function articleView() {
  const section = $('#view-article');
  const form = $('#extract-form', section);
  const textarea = $('#paste', section);
  const fileInput = $('#file', section);
  const status = $('#extract-status', section);
  const output = $('#article-output', section);
  const button = $('#extract-button', section);
  const fresh = latestOnly();

  const typeFor = (name) => {
    const lower = name.toLowerCase();
    if (/\.(html?|xhtml)$/.test(lower)) return 'text/html';
    if (/\.txt$/.test(lower)) return 'text/plain';
    return 'application/octet-stream';
  };

  const extract = async (body, contentType, label) => {
    const current = fresh();
    button.disabled = true;
    section.setAttribute('aria-busy', 'true');
    clear(status).append(`Extracting ${label}…`);
    const started = performance.now();
    try {
      const record = await api('v1/extract', { method: 'POST', headers: { 'Content-Type': contentType }, body });
      if (!current()) return;
      const took = Math.round(performance.now() - started);
      renderRecord(output, record, null);
      clear(status).append(`Extracted ${label} in ${took} ms.`);
      $('.article-title', output).focus();
    } catch (err) {
      if (!current()) return;
      clear(status).append(errorBox(err));
    } finally {
      if (current()) {
        button.disabled = false;
        section.removeAttribute('aria-busy');
      }
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = textarea.value;
    if (text.trim() === '') {
      clear(status).append(errorBox(new ApiError('Paste an article first, or choose a file.', null, 0)));
      textarea.focus();
      return;
    }
    const contentType = { text: 'text/plain; charset=utf-8', html: 'text/html; charset=utf-8', auto: 'application/octet-stream' }[form.elements.as.value] || 'text/plain; charset=utf-8';
    extract(text, contentType, 'the pasted text');
  });

  const readFile = (file) => {
    if (!file) return;
    extract(file, typeFor(file.name), file.name);
  };
  fileInput.addEventListener('change', () => readFile(fileInput.files[0]));
  const drop = $('#drop-zone', section);
  for (const name of ['dragenter', 'dragover']) {
    drop.addEventListener(name, (event) => {
      event.preventDefault();
      drop.classList.add('dragging');
    });
  }
  for (const name of ['dragleave', 'drop']) drop.addEventListener(name, () => drop.classList.remove('dragging'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    readFile(event.dataTransfer && event.dataTransfer.files[0]);
  });

  return {
    section,
    title: 'Article',
    focus: () => $('h2', section).focus(),
    route: (_params, _parts, _moveFocus, done) => done(),
  };
}

function searchView() {
  const section = $('#view-search', document);
  const form = $('#search-form', section);
  const status = $('#search-status', section);
  const list = $('#search-results', section);
  const more = $('#search-more', section);
  const fresh = latestOnly();
  const fields = ['speaker', 'q', 'stance', 'kind', 'since', 'until'];
  let shownKey = null;
  let shownLoad = Promise.resolve();
  let cursor = null;
  let params = null;

  const load = async (append, done) => {
    const current = fresh();
    const query = new URLSearchParams(params);
    if (append && cursor) query.set('cursor', cursor);
    section.setAttribute('aria-busy', 'true');
    more.disabled = true;
    clear(status).append(append ? 'Loading more…' : 'Searching…');
    try {
      const page = await api(`v1/attributions?${query}`);
      if (!current()) return;
      const items = page.items || [];
      if (!append) clear(list);
      list.append(...items.map(attributionItem));
      cursor = page.next_cursor || null;
      more.hidden = !cursor;
      const count = list.children.length;
      clear(status).append(count === 0 ? 'No attributions match.' : `${count} attribution${count === 1 ? '' : 's'} shown${cursor ? '; there are more.' : '.'}`);
      // Keyboard users continue at the first new result.
      if (append && items.length) $('a', list.children[count - items.length])?.focus();
    } catch (err) {
      if (!current()) return;
      clear(status).append(errorBox(err));
      if (!append) more.hidden = true;
    } finally {
      if (current()) {
        section.removeAttribute('aria-busy');
        more.disabled = false;
        if (done) done();
      }
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    for (const name of fields) {
      const value = form.elements[name].value.trim();
      if (value) query.set(name, value);
    }
    const hash = `#/search?${query}`;
    if (location.hash === hash) {
      shownKey = null;
      route(false);
    } else {
      location.hash = hash;
    }
  });
  more.addEventListener('click', () => load(true));

  return {
    section,
    title: 'Search the ledger',
    focus: () => $('h2', section).focus(),
    route(routeParams, _parts, _moveFocus, done) {
      for (const name of fields) form.elements[name].value = routeParams.get(name) || '';
      // site and limit have no field but pass through from a link.
      const query = new URLSearchParams();
      for (const name of [...fields, 'site', 'limit']) if (routeParams.get(name)) query.set(name, routeParams.get(name));
      const key = query.toString();
      if (key === shownKey) {
        // Already shown, or still on its way.
        shownLoad.then(done);
        return;
      }
      shownKey = key;
      params = query;
      cursor = null;
      if (key === '') {
        clear(list);
        more.hidden = true;
        clear(status).append('Search by speaker, words, stance or dates.');
        shownLoad = Promise.resolve();
        done();
        return;
      }
      shownLoad = load(false, done);
    },
  };
}

function monthsBetween(first, last) {
  const parse = (m) => {
    const match = /^(\d{4})-(\d{2})$/.exec(m);
    return match ? Number(match[1]) * 12 + Number(match[2]) - 1 : null;
  };
  const a = parse(first);
  const b = parse(last);
  if (a === null || b === null || b < a || b - a >= MAX_FILLED_MONTHS) return null;
  const months = [];
  for (let m = a; m <= b; m += 1) months.push(`${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`);
  return months;
}

function monthChart(perMonth) {
  const given = (perMonth || []).filter((row) => row && typeof row.month === 'string').sort((x, y) => (x.month < y.month ? -1 : 1));
  if (given.length === 0) return h('p', { class: 'none', text: 'No dated quotes.' });
  const counts = new Map(given.map((row) => [row.month, Number(row.count) || 0]));
  const months = monthsBetween(given[0].month, given[given.length - 1].month) || given.map((row) => row.month);
  const max = Math.max(1, ...counts.values());
  const barWidth = 10;
  const gap = 2;
  const height = 80;
  const width = months.length * (barWidth + gap);
  const peak = given.reduce((best, row) => (row.count > best.count ? row : best), given[0]);
  const chart = svg('svg', {
    class: 'month-chart',
    viewBox: `0 0 ${width} ${height}`,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': `Quotes per month from ${months[0]} to ${months[months.length - 1]}; most in ${peak.month} (${peak.count}).`,
  });
  months.forEach((month, i) => {
    const count = counts.get(month) || 0;
    const barHeight = count ? Math.max(2, (count / max) * height) : 0;
    chart.append(svg('rect', { x: i * (barWidth + gap), y: height - barHeight, width: barWidth, height: barHeight, class: 'bar' },
      svg('title', { text: `${month}: ${count}` })));
  });
  return h('figure', { class: 'chart' }, chart,
    h('figcaption', null, h('span', { text: months[0] }), h('span', { text: `max ${max} a month` }), h('span', { text: months[months.length - 1] })),
    h('details', null, h('summary', { text: 'As a table' }),
      h('table', { class: 'month-table' },
        h('thead', null, h('tr', null, h('th', { scope: 'col', text: 'Month' }), h('th', { scope: 'col', text: 'Quotes' }))),
        h('tbody', null, given.map((row) => h('tr', null, h('td', { text: row.month }), h('td', { text: String(row.count) })))))));
}

function stanceBars(stances) {
  const rows = STANCES.map((s) => [s, Number((stances || {})[s]) || 0]);
  const max = Math.max(1, ...rows.map(([, n]) => n));
  const bar = (n) => {
    const fill = h('span', { class: 'bar-fill' });
    // Through the style object, not a style attribute, which a strict
    // Content-Security-Policy would refuse.
    fill.style.width = `${(n / max) * 100}%`;
    return fill;
  };
  return h('ul', { class: 'stance-bars', 'aria-label': 'Quotes per stance' },
    rows.map(([s, n]) => h('li', { class: `stance-row stance-${s}` },
      h('span', { class: 'stance-name', text: s }),
      h('span', { class: 'bar-track', 'aria-hidden': 'true' }, bar(n)),
      h('span', { class: 'stance-count', text: String(n) }))));
}

function actorView() {
  const section = $('#view-actor', document);
  const output = $('#actor-output', section);
  const fresh = latestOnly();
  return {
    section,
    title: 'Speaker',
    // The heading arrives with the answer; route() focuses it then.
    focus: () => output.focus(),
    async route(_params, parts, moveFocus, done) {
      const id = parts[1] || '';
      const current = fresh();
      section.setAttribute('aria-busy', 'true');
      clear(output).append(h('p', { class: 'status', text: 'Loading…' }));
      try {
        const actor = await api(`v1/actors/${encodeURIComponent(id)}`);
        if (!current()) return;
        document.title = `${actor.name} · whosaid`;
        clear(output).append(
          h('h2', { class: 'actor-name', tabindex: '-1', text: actor.name }),
          h('p', { class: 'actor-summary' },
            h('span', { class: 'actor-kind', text: actor.kind }),
            ` · ${actor.attributions} attribution${actor.attributions === 1 ? '' : 's'} in ${actor.documents} document${actor.documents === 1 ? '' : 's'}`),
          h('div', { class: 'actor-grid' },
            h('section', { 'aria-labelledby': 'actor-names-h' },
              h('h3', { id: 'actor-names-h', text: 'Names seen' }),
              h('ul', { class: 'actor-names' }, (actor.names || []).map((n) => h('li', null, n.name, ' ', h('span', { class: 'count', text: `(${n.count})` }))))),
            h('section', { 'aria-labelledby': 'actor-stances-h' },
              h('h3', { id: 'actor-stances-h', text: 'Stances' }),
              stanceBars(actor.stances)),
            h('section', { class: 'wide', 'aria-labelledby': 'actor-months-h' },
              h('h3', { id: 'actor-months-h', text: 'Quotes over time' }),
              monthChart(actor.per_month))),
          h('section', { 'aria-labelledby': 'actor-recent-h' },
            h('h3', { id: 'actor-recent-h', text: 'Recent quotes' }),
            (actor.recent || []).length
              ? h('ol', { class: 'results actor-recent' }, actor.recent.map(attributionItem))
              : h('p', { class: 'none', text: 'None stored.' })),
          h('p', null, h('a', { href: `#/search?speaker=${encodeURIComponent(actor.name)}`, text: `Search all quotes by ${actor.name}` })));
      } catch (err) {
        if (!current()) return;
        clear(output).append(h('h2', { tabindex: '-1', text: 'Speaker not shown' }), errorBox(err));
      } finally {
        if (current()) {
          if (moveFocus) $('h2', output)?.focus();
          section.removeAttribute('aria-busy');
          done();
        }
      }
    },
  };
}

function documentView() {
  const section = $('#view-document', document);
  const output = $('#document-output', section);
  const fresh = latestOnly();
  return {
    section,
    title: 'Stored article',
    focus: () => output.focus(),
    async route(_params, parts, moveFocus, done) {
      const id = parts[1] || '';
      const quote = parts[2] !== undefined ? Number(parts[2]) : null;
      const current = fresh();
      section.setAttribute('aria-busy', 'true');
      clear(output).append(h('p', { class: 'status', text: 'Loading…' }));
      try {
        const stored = await api(`v1/documents/${encodeURIComponent(id)}`);
        if (!current()) return;
        const record = stored.record || {};
        document.title = `${(record.article && record.article.title) || 'Stored article'} · whosaid`;
        const shown = renderRecord(output, record, `Stored document ${stored.id}${stored.ingested_at ? `, ingested ${stored.ingested_at}` : ''}`);
        if (moveFocus) $('.article-title', output).focus();
        if (Number.isInteger(quote)) {
          shown.show(quote, false);
          const mark = shown.markOf(quote);
          if (mark) {
            mark.scrollIntoView({ block: 'start' });
            mark.focus({ preventScroll: true });
          }
        }
      } catch (err) {
        if (!current()) return;
        clear(output).append(h('h2', { tabindex: '-1', text: 'Article not shown' }), errorBox(err));
        if (moveFocus) $('h2', output).focus();
      } finally {
        if (current()) {
          section.removeAttribute('aria-busy');
          done();
        }
      }
    },
  };
}

// ---------------------------------------------------------------- routing

function parseHash() {
  const raw = location.hash.replace(/^#/, '');
  const at = raw.indexOf('?');
  const path = at >= 0 ? raw.slice(0, at) : raw;
  const params = new URLSearchParams(at >= 0 ? raw.slice(at + 1) : '');
  const parts = path.split('/').filter(Boolean).map((part) => {
    try {
      return decodeURIComponent(part);
    } catch (_) {
      return part;
    }
  });
  return { parts, params };
}

function route(moveFocus) {
  const { parts, params } = parseHash();
  const name = { search: 'search', actor: 'actor', document: 'document' }[parts[0]] || 'article';
  for (const [key, view] of Object.entries(views)) view.section.hidden = key !== name;
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const view = views[name];
  document.title = `${view.title} · whosaid`;
  if (moveFocus) view.focus();
  // data-shown names the route a view has finished showing (its answer is
  // in), so a script or test can tell a fresh view from the one before.
  const hash = location.hash;
  delete view.section.dataset.shown;
  view.route(params, parts, moveFocus, () => {
    if (location.hash === hash) view.section.dataset.shown = hash;
  });
}

function start() {
  views.article = articleView();
  views.search = searchView();
  views.actor = actorView();
  views.document = documentView();
  // Only "#/..." is a route; the skip link's "#main" must not leave the view.
  window.addEventListener('hashchange', () => {
    if (location.hash === '' || location.hash.startsWith('#/')) route(true);
  });
  $('.skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    $('#main').focus();
  });
  route(false);
}

// Exposed for the browser test, which checks the span layout on crafted
// ranges (crossing, nested, non-ASCII) in the real engine.
window.whosaid = { layoutSpans, renderRecord };

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
