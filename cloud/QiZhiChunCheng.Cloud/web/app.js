// The event map of QiZhiChunCheng. Served by the cloud at / (data from the HTTP API), or inlined into the
// self-contained report of `qzcc map export --out report.html` (data from window.QZCC_REPORT, no server).
// Everything the page shows is asked of the server for the visible box and time range, paged (markers, table)
// or aggregated (counts by type, the heat grid): it never downloads the whole store.
(function () {
  'use strict';

  const TYPES = {
    FCW: ['forward collision', '#d7263d'], ICW: ['intersection collision', '#f46036'], LTA: ['left turn assist', '#ff9f1c'],
    BSW: ['blind spot', '#8e7dbe'], LCW: ['lane change', '#6a4c93'], DNPW: ['do not pass', '#9c6644'],
    EBW: ['emergency braking', '#e71d36'], AVW: ['abnormal vehicle', '#b5838d'], CLW: ['control loss', '#7b2cbf'],
    HLW: ['hazardous location', '#c1121f'], SLW: ['speed limit', '#1982c4'], RLVW: ['red light violation', '#ff006e'],
    VRUCW: ['vulnerable road user', '#2a9d8f'], GLOSA: ['green light speed advisory', '#52b788'], IVS: ['in-vehicle signage', '#4361ee'],
    TJW: ['traffic jam', '#6c757d'], EVW: ['emergency vehicle', '#ffbe0b'], MISBEHAVIOR: ['misbehaviour', '#212529'],
  };
  const PAGE_SIZE_MAP = 1000;
  const PAGE_SIZE_TABLE = 100;
  const FEED_LENGTH = 25;
  const report = window.QZCC_REPORT || null;

  const $ = (id) => document.getElementById(id);
  const state = {
    types: new Set(Object.keys(TYPES)),
    severity: '',
    from: null, // UTC ms or null
    to: null,
    playing: null,
    tablePage: 1,
    view: 'map',
    seq: 0,
    markers: new Map(), // id -> layer
    live: null,
    counts: {},
  };

  // ---- data: the HTTP API, or the report's inline data --------------------------------------------------------
  const api = report ? reportApi(report) : {
    config: () => getJson('api/config'),
    map: () => getJson('api/map'),
    events: (q) => getJson('api/events?' + q),
    stats: (q) => getJson('api/stats?' + q),
    detail: (id) => getJson('api/events/' + encodeURIComponent(id)),
    rsus: () => getJson('api/rsus'),
  };

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    if (!response.ok) {
      let reason = response.status + ' ' + response.statusText;
      try { const p = await response.json(); reason = p.detail || p.title || reason; } catch (e) { /* not JSON */ }
      throw new Error(url + ': ' + reason);
    }
    return response.json();
  }

  // The report answers the same questions from the events it carries (already limited to its time range).
  function reportApi(data) {
    const all = data.events.features;
    const select = (q) => {
      const p = new URLSearchParams(q);
      const types = p.get('type') ? new Set(p.get('type').split(',')) : null;
      const sev = p.get('severity') ? Number(p.get('severity')) : 0;
      const from = p.get('from') ? Number(p.get('from')) : -Infinity;
      const to = p.get('to') ? Number(p.get('to')) : Infinity;
      const box = p.get('bbox') ? p.get('bbox').split(',').map(Number) : null;
      return all.filter((f) => {
        const pr = f.properties; const c = f.geometry.coordinates;
        return (!types || types.has(pr.type)) && pr.severity >= sev && pr.timeUtcMs >= from && pr.timeUtcMs < to &&
          (!box || (c[0] >= box[0] && c[1] >= box[1] && c[0] <= box[2] && c[1] <= box[3]));
      });
    };
    return {
      config: async () => ({ tiles: null }),
      map: async () => data.zone,
      events: async (q) => {
        const p = new URLSearchParams(q);
        const size = Number(p.get('pageSize') || 100); const page = Number(p.get('page') || 1);
        const hits = select(q);
        return { type: 'FeatureCollection', total: hits.length, page, pageSize: size, features: hits.slice((page - 1) * size, page * size) };
      },
      stats: async (q) => {
        const p = new URLSearchParams(q);
        const by = p.get('by'); const cell = Number(p.get('cell') || 0.0005);
        const groups = new Map();
        for (const f of select(q)) {
          let key; let lat; let lon;
          if (by === 'type') key = f.properties.type;
          else {
            lat = (Math.floor(f.geometry.coordinates[1] / cell) + 0.5) * cell;
            lon = (Math.floor(f.geometry.coordinates[0] / cell) + 0.5) * cell;
            key = lat + ',' + lon;
          }
          const g = groups.get(key) || { key, count: 0, lat, lon };
          g.count++; groups.set(key, g);
        }
        const buckets = [...groups.values()].sort((a, b) => b.count - a.count);
        return { by, total: buckets.reduce((s, b) => s + b.count, 0), buckets };
      },
      detail: async (id) => Object.assign({ phases: [], messages: [] }, all.find((f) => f.id === id)),
      rsus: async () => ({ online: 0, rsus: [] }),
    };
  }

  // ---- the map ----------------------------------------------------------------------------------------------------
  const map = L.map('map', { preferCanvas: false, zoomControl: true, attributionControl: true, maxZoom: 21, minZoom: 3 });
  map.attributionControl.setPrefix(report ? 'QiZhiChunCheng report' : 'QiZhiChunCheng');
  const zoneLayer = L.layerGroup().addTo(map);
  const coverageLayer = L.layerGroup().addTo(map);
  const clusters = L.markerClusterGroup({ chunkedLoading: true, maxClusterRadius: 40, disableClusteringAtZoom: 19, spiderfyOnMaxZoom: false });
  clusters.addTo(map);
  const heat = L.heatLayer([], { radius: 22, blur: 18, maxZoom: 18, minOpacity: 0.25 });
  heat.addTo(map);

  function colour(type) { return (TYPES[type] || ['', '#888'])[1]; }

  const ZONE_STYLE = {
    lane: { color: '#b8bec6', weight: 1, fillColor: '#d4d8dd', fillOpacity: 1 },
    intersection: { color: '#aab1ba', weight: 1, fillColor: '#c9ced5', fillOpacity: 1 },
    crosswalk: { color: '#8a939e', weight: 1, fillColor: '#ffffff', fillOpacity: 1, dashArray: '2 2' },
    centreLine: { color: '#ffffff', weight: 1, dashArray: '6 6' },
    stopLine: { color: '#ffffff', weight: 3 },
    connection: { color: '#9aa3ad', weight: 1, opacity: 0.5 },
    conflictArea: null,
    rsuCoverage: { color: '#3a6ea5', weight: 1, dashArray: '4 4', fillColor: '#3a6ea5', fillOpacity: 0.04 },
  };

  function drawZone(geojson) {
    const order = ['lane', 'intersection', 'crosswalk', 'connection', 'centreLine', 'stopLine'];
    for (const kind of order) {
      L.geoJSON({ type: 'FeatureCollection', features: geojson.features.filter((f) => f.properties.kind === kind) }, {
        style: () => ZONE_STYLE[kind], interactive: kind === 'intersection',
        onEachFeature: (f, layer) => { if (kind === 'intersection') layer.bindTooltip(f.properties.name || f.properties.node); },
      }).addTo(zoneLayer);
    }
    L.geoJSON({ type: 'FeatureCollection', features: geojson.features.filter((f) => f.properties.kind === 'rsuCoverage') }, {
      style: () => ZONE_STYLE.rsuCoverage,
      onEachFeature: (f, layer) => layer.bindTooltip((f.properties.name || f.properties.rsu) + ' coverage'),
    }).addTo(coverageLayer);
    const bounds = L.geoJSON(geojson).getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
  }

  // A MISBEHAVIOR event is about a source (a vehicle or an RSU that cannot be trusted), not a road hazard: it gets a
  // marker of its own (a thick red dashed ring) and a label naming the source on the map.
  function isMisbehavior(p) { return p.type === 'MISBEHAVIOR'; }
  function sourceOf(p) { return (p.participants && p.participants.length) ? p.participants[0] : '?'; }

  function marker(feature) {
    const p = feature.properties; const c = feature.geometry.coordinates;
    const bad = isMisbehavior(p);
    const m = L.circleMarker([c[1], c[0]], bad
      ? { radius: 9 + p.severity, color: '#d00000', weight: 3, dashArray: '4 3', fillColor: colour(p.type), fillOpacity: 0.75, className: 'qz-event qz-' + p.type + ' qz-misbehavior' }
      : { radius: 5 + p.severity, color: '#1d2733', weight: 1, fillColor: colour(p.type), fillOpacity: 0.9, className: 'qz-event qz-' + p.type });
    m.feature = feature;
    m.bindTooltip(() => p.type + (bad ? ' · source ' + escapeHtml(sourceOf(m.feature.properties)) : '') + ' · sev ' + m.feature.properties.severity + ' · ' + m.feature.properties.phase + '<br>' + localTime(p.timeUtcMs) + (p.intersection ? '<br>' + escapeHtml(p.intersection) : ''));
    if (bad) {
      m.bindTooltip('untrusted: ' + escapeHtml(sourceOf(p)), { permanent: true, direction: 'top', className: 'qz-source-label', offset: [0, -10] });
    }
    m.on('click', () => showDetail(feature.id));
    return m;
  }

  // ---- query parameters from the filters -----------------------------------------------------------------------------
  function filterParams(withTypes, withBox) {
    const p = new URLSearchParams();
    if (withBox) {
      const b = map.getBounds();
      const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
      p.set('bbox', [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)].map((v) => v.toFixed(7)).join(','));
    }
    const range = timeRange();
    if (range.from != null) p.set('from', String(range.from));
    if (range.to != null) p.set('to', String(range.to));
    if (state.severity) p.set('severity', state.severity);
    if (withTypes && state.types.size < Object.keys(TYPES).length) p.set('type', [...state.types].join(','));
    return p;
  }

  function timeRange() {
    if (state.playing) {
      const start = dayStart();
      return { from: start, to: start + Number($('slider').value) * 60000 };
    }
    return { from: state.from, to: state.to };
  }

  function dayStart() {
    const d = $('day').value ? new Date($('day').value + 'T00:00') : new Date();
    d.setHours(0, 0, 0, 0);
    return d.getTime();
  }

  // ---- loading ------------------------------------------------------------------------------------------------------------
  let timer = null;
  function refresh(delay) {
    clearTimeout(timer);
    timer = setTimeout(load, delay == null ? 200 : delay);
  }

  async function load() {
    const seq = ++state.seq;
    document.body.dataset.state = 'loading';
    try {
      if (state.view === 'table') await loadTable(seq);
      else await loadMap(seq);
      if (seq === state.seq) document.body.dataset.state = 'ready';
    } catch (e) {
      if (seq === state.seq) { document.body.dataset.state = 'error'; setStatus('error: ' + (e && e.message ? e.message : String(e))); }
      console.error('loading events failed:', e);
    }
  }

  async function loadMap(seq) {
    const noTypes = state.types.size === 0;
    const q = filterParams(true, true);
    q.set('pageSize', String(PAGE_SIZE_MAP));
    const cell = cellSize();
    const heatQ = filterParams(true, true); heatQ.set('by', 'cell'); heatQ.set('cell', String(cell));
    const countQ = filterParams(false, true); countQ.set('by', 'type');
    const [page, grid, counts] = await Promise.all([
      noTypes ? Promise.resolve({ features: [], total: 0 }) : api.events(q.toString()),
      noTypes ? Promise.resolve({ buckets: [] }) : api.stats(heatQ.toString()),
      api.stats(countQ.toString()),
    ]);
    if (seq !== state.seq) return; // a newer request is on its way
    clusters.clearLayers();
    state.markers.clear();
    const layers = page.features.map((f) => { const m = marker(f); state.markers.set(f.id, m); return m; });
    clusters.addLayers(layers);
    const max = grid.buckets.reduce((m, b) => Math.max(m, b.count), 1);
    heat.setLatLngs(grid.buckets.map((b) => [b.lat, b.lon, 0.2 + (0.8 * b.count / max)]));
    showCounts(counts);
    const shown = page.features.length;
    $('status').dataset.shown = String(shown);
    $('status').dataset.total = String(page.total);
    setStatus(shown === page.total
      ? fmt(shown) + ' events in view'
      : 'newest ' + fmt(shown) + ' of ' + fmt(page.total) + ' events in view (the heat layer shows all; zoom in or narrow the time for every marker)');
  }

  function cellSize() {
    const b = map.getBounds();
    const span = Math.max(b.getEast() - b.getWest(), b.getNorth() - b.getSouth());
    return Math.min(1, Math.max(0.00001, span / 120));
  }

  async function loadTable(seq) {
    const q = filterParams(true, false);
    q.set('pageSize', String(PAGE_SIZE_TABLE));
    q.set('page', String(state.tablePage));
    const countQ = filterParams(false, false); countQ.set('by', 'type');
    const [page, counts] = await Promise.all([
      state.types.size === 0 ? Promise.resolve({ features: [], total: 0 }) : api.events(q.toString()),
      api.stats(countQ.toString()),
    ]);
    if (seq !== state.seq) return;
    showCounts(counts);
    const body = $('events-table').tBodies[0];
    body.replaceChildren(...page.features.map(row));
    const pages = Math.max(1, Math.ceil(page.total / PAGE_SIZE_TABLE));
    $('page-info').textContent = 'page ' + state.tablePage + ' of ' + pages + ' · ' + fmt(page.total) + ' events';
    $('prev').disabled = state.tablePage <= 1;
    $('next').disabled = state.tablePage >= pages;
    $('status').dataset.shown = String(page.features.length);
    $('status').dataset.total = String(page.total);
    setStatus(fmt(page.total) + ' events (all of the zone)');
  }

  function row(f) {
    const p = f.properties;
    const tr = document.createElement('tr');
    tr.dataset.id = f.id;
    tr.innerHTML = '<td>' + localTime(p.timeUtcMs) + '</td><td><span class="swatch" style="background:' + colour(p.type) + '"></span> ' + p.type +
      '</td><td>' + p.severity + '</td><td>' + p.phase + '</td><td>' + escapeHtml(p.intersection || p.location || '') + '</td><td>' + escapeHtml(p.participants.join(', ')) + '</td>';
    tr.addEventListener('click', () => showDetail(f.id));
    return tr;
  }

  // ---- counts by type, which are also the type filter ----------------------------------------------------------------------
  function buildTypeList() {
    const list = $('types');
    for (const [code, [name]] of Object.entries(TYPES)) {
      const label = document.createElement('label');
      label.title = name;
      label.innerHTML = '<input type="checkbox" value="' + code + '" checked> <span class="swatch" style="background:' + colour(code) + '"></span> ' + code + ' <span class="count" data-type="' + code + '">0</span>';
      label.querySelector('input').addEventListener('change', (e) => {
        if (e.target.checked) state.types.add(code); else state.types.delete(code);
        state.tablePage = 1; refresh(0);
      });
      list.appendChild(label);
    }
  }

  function showCounts(counts) {
    state.counts = {};
    for (const b of counts.buckets) state.counts[b.key] = b.count;
    for (const el of document.querySelectorAll('#types .count')) el.textContent = fmt(state.counts[el.dataset.type] || 0);
    $('types-total').textContent = fmt(counts.total);
  }

  function setTypes(all) {
    for (const input of document.querySelectorAll('#types input')) {
      input.checked = all;
      if (all) state.types.add(input.value); else state.types.delete(input.value);
    }
    state.tablePage = 1; refresh(0);
  }

  // ---- detail panel ---------------------------------------------------------------------------------------------------------
  async function showDetail(id) {
    const panel = $('detail');
    panel.hidden = false;
    $('detail-body').textContent = 'loading ' + id + '…';
    try {
      const d = await api.detail(id);
      const p = d.properties;
      let html = '<h3><span class="swatch" style="background:' + colour(p.type) + '"></span> ' + p.type + ' · ' + escapeHtml((TYPES[p.type] || [''])[0]) + '</h3>';
      html += '<table>' +
        tr('id', escapeHtml(d.id)) + tr('phase', p.phase) + tr('severity', p.severity + ' (highest of its life)') +
        tr('onset', localTime(p.timeUtcMs)) + tr('last', localTime(p.lastUtcMs)) +
        tr('where', escapeHtml([p.intersection, p.location].filter(Boolean).join(' · ')) + '<br>' + d.geometry.coordinates[1].toFixed(6) + ', ' + d.geometry.coordinates[0].toFixed(6)) +
        (isMisbehavior(p) ? tr('source', '<b>' + escapeHtml(sourceOf(p)) + '</b> (its messages no longer feed detections while quarantined)') : '') +
        tr('participants', escapeHtml(p.participants.join(', '))) +
        tr('figures', Object.entries(p.figures).map(([k, v]) => escapeHtml(k) + ' ' + Number(v).toFixed(2)).join('<br>')) + '</table>';
      if (d.phases && d.phases.length) {
        html += '<h4>Life (' + d.phases.length + ' phases)</h4><table><tr><th>time</th><th>phase</th><th>sev</th><th>figures</th></tr>' +
          d.phases.map((ph) => '<tr><td>' + localTime(ph.timeUtcMs) + '</td><td>' + ph.phase + '</td><td>' + ph.severity + '</td><td>' +
            Object.entries(ph.figures).map(([k, v]) => escapeHtml(k) + ' ' + Number(v).toFixed(2)).join(', ') + '</td></tr>').join('') + '</table>';
      }
      if (d.messages && d.messages.length) {
        html += '<h4>Messages behind it (' + d.messages.length + ')</h4>' + d.messages.map((m) =>
          '<details><summary>' + m.messageType + ' from ' + escapeHtml(m.sourceId) + ' · ' + localTime(m.generatedUtcMs) + '</summary><pre>' + escapeHtml(JSON.stringify(m.message, null, 1)) + '</pre></details>').join('');
      } else if (!report) {
        html += '<p><small>No message kept for this event (the platform keeps the messages of events it stores as they happen).</small></p>';
      }
      $('detail-body').innerHTML = html;
      $('detail-body').dataset.id = d.id;
    } catch (e) {
      $('detail-body').textContent = e.message;
    }
    function tr(k, v) { return '<tr><th>' + k + '</th><td>' + v + '</td></tr>'; }
  }

  // ---- live mode: server-sent events -----------------------------------------------------------------------------------------
  function setLive(on) {
    if (state.live) { state.live.close(); state.live = null; }
    if (!on || report) { setStatusLive(''); return; }
    const q = new URLSearchParams();
    if (state.severity) q.set('severity', state.severity);
    const source = new EventSource('api/events/stream?' + q.toString());
    source.addEventListener('open', () => setStatusLive('live'));
    source.addEventListener('error', () => setStatusLive('live: reconnecting'));
    source.addEventListener('v2x', (message) => onLive(JSON.parse(message.data)));
    state.live = source;
  }

  function onLive(feature) {
    const p = feature.properties;
    addToFeed(feature);
    if (!state.types.has(p.type)) return;
    if (p.phase === 'onset') {
      state.counts[p.type] = (state.counts[p.type] || 0) + 1;
      const el = document.querySelector('#types .count[data-type="' + p.type + '"]');
      if (el) el.textContent = fmt(state.counts[p.type]);
    }
    const existing = state.markers.get(feature.id);
    if (existing) {
      existing.feature.properties.phase = p.phase;
      existing.feature.properties.severity = Math.max(existing.feature.properties.severity, p.severity);
      existing.setStyle({ radius: 5 + existing.feature.properties.severity });
      return;
    }
    if (state.view !== 'map' || state.playing) return;
    const m = marker(feature);
    state.markers.set(feature.id, m);
    clusters.addLayer(m);
    const shown = Number($('status').dataset.shown) + 1;
    $('status').dataset.shown = String(shown);
    setStatus(fmt(shown) + ' events in view');
  }

  function addToFeed(feature) {
    const p = feature.properties;
    const li = document.createElement('li');
    li.className = 'fresh';
    li.dataset.id = feature.id;
    li.innerHTML = '<span class="swatch" style="background:' + colour(p.type) + '"></span> ' + p.type + (isMisbehavior(p) ? ' <b>' + escapeHtml(sourceOf(p)) + '</b>' : '') + ' ' + p.phase + ' · ' + localTime(p.timeUtcMs).slice(11) + (p.intersection ? ' · ' + escapeHtml(p.intersection) : '');
    li.addEventListener('click', () => { showDetail(feature.id); map.panTo([feature.geometry.coordinates[1], feature.geometry.coordinates[0]]); });
    const feed = $('feed');
    feed.insertBefore(li, feed.firstChild);
    while (feed.children.length > FEED_LENGTH) feed.removeChild(feed.lastChild);
  }

  // ---- RSUs -----------------------------------------------------------------------------------------------------------------
  async function loadRsus() {
    try {
      const r = await api.rsus();
      $('rsus-summary').textContent = r.rsus.length ? r.online + ' of ' + r.rsus.length + ' online' : '';
      $('rsus').replaceChildren(...r.rsus.map((x) => {
        const li = document.createElement('li');
        li.innerHTML = '<span class="' + (x.online ? 'online' : 'offline') + '">●</span> ' + escapeHtml(x.name || x.id) + ' · ' + x.messagesPerSecond + ' msg/s';
        li.title = x.id + (x.lastHeartbeat ? ', last heartbeat ' + x.lastHeartbeat : ', no heartbeat yet');
        return li;
      }));
    } catch (e) { console.warn(e); }
  }

  // ---- time controls --------------------------------------------------------------------------------------------------------
  function setRange(hours) {
    stopPlaying();
    state.to = null;
    state.from = hours > 0 ? Date.now() - (hours * 3600000) : null;
    $('from').value = state.from ? toLocalInput(state.from) : '';
    $('to').value = '';
    state.tablePage = 1; refresh(0);
  }

  function startPlayback() {
    if (state.playing) { stopPlaying(); return; }
    if (Number($('slider').value) >= 1440) $('slider').value = '0';
    state.playing = setInterval(() => {
      const next = Number($('slider').value) + 10;
      $('slider').value = String(Math.min(1440, next));
      showClock(); refresh(0);
      if (next >= 1440) stopPlaying();
    }, 500);
    $('play').textContent = '⏸ pause';
    showClock(); refresh(0);
  }

  function stopPlaying() {
    if (state.playing && state.playing !== true) clearInterval(state.playing);
    state.playing = null;
    $('play').textContent = '▶ play';
  }

  function showClock() {
    const m = Number($('slider').value);
    $('clock').textContent = String(Math.floor(m / 60)).padStart(2, '0') + ':' + String(m % 60).padStart(2, '0');
  }

  // ---- helpers -----------------------------------------------------------------------------------------------------------------
  function fmt(n) { return Number(n).toLocaleString('en'); }
  function pad(n) { return String(n).padStart(2, '0'); }
  function localTime(ms) { const d = new Date(ms); return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()); }
  function toLocalInput(ms) { return localTime(ms).replace(' ', 'T').slice(0, 16); }
  function escapeHtml(s) { return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c])); }
  let liveText = '';
  let statusText = '';
  function setStatus(text) { statusText = text; $('status').textContent = statusText + (liveText ? ' · ' + liveText : ''); }
  function setStatusLive(text) { liveText = text; setStatus(statusText); }

  function setView(view) {
    state.view = view;
    $('tab-map').classList.toggle('active', view === 'map');
    $('tab-table').classList.toggle('active', view === 'table');
    $('table-view').hidden = view !== 'table';
    refresh(0);
  }

  // ---- wiring ----------------------------------------------------------------------------------------------------------------------
  async function start() {
    buildTypeList();
    $('day').value = toLocalInput(report ? (report.to || Date.now()) - 1 : Date.now()).slice(0, 10);
    if (!report) {
      // The last day to start with: what an operator looks at first, and a small query on a store of months.
      state.from = Date.now() - (24 * 3600000);
      $('from').value = toLocalInput(state.from);
    } else {
      state.from = report.from; state.to = report.to;
      if (report.from) $('from').value = toLocalInput(report.from);
      if (report.to) $('to').value = toLocalInput(report.to);
      $('live').disabled = true;
    }
    $('types-all').addEventListener('click', () => setTypes(true));
    $('types-none').addEventListener('click', () => setTypes(false));
    $('severity').addEventListener('change', (e) => { state.severity = e.target.value; state.tablePage = 1; refresh(0); if (state.live) setLive(true); });
    $('from').addEventListener('change', (e) => { stopPlaying(); state.from = e.target.value ? new Date(e.target.value).getTime() : null; refresh(0); });
    $('to').addEventListener('change', (e) => { stopPlaying(); state.to = e.target.value ? new Date(e.target.value).getTime() : null; refresh(0); });
    for (const b of document.querySelectorAll('[data-range]')) b.addEventListener('click', () => setRange(Number(b.dataset.range)));
    $('play').addEventListener('click', startPlayback);
    $('slider').addEventListener('input', () => { if (!state.playing) state.playing = true; showClock(); refresh(100); });
    $('day').addEventListener('change', () => refresh(0));
    $('live').addEventListener('change', (e) => { if (e.target.checked) { stopPlaying(); state.to = null; $('to').value = ''; refresh(0); } setLive(e.target.checked); });
    $('show-markers').addEventListener('change', (e) => { if (e.target.checked) map.addLayer(clusters); else map.removeLayer(clusters); });
    $('show-heat').addEventListener('change', (e) => { if (e.target.checked) map.addLayer(heat); else map.removeLayer(heat); });
    $('show-coverage').addEventListener('change', (e) => { if (e.target.checked) map.addLayer(coverageLayer); else map.removeLayer(coverageLayer); });
    $('tab-map').addEventListener('click', () => setView('map'));
    $('tab-table').addEventListener('click', () => setView('table'));
    $('prev').addEventListener('click', () => { state.tablePage = Math.max(1, state.tablePage - 1); refresh(0); });
    $('next').addEventListener('click', () => { state.tablePage++; refresh(0); });
    $('detail-close').addEventListener('click', () => { $('detail').hidden = true; });
    const config = await api.config();
    if (config.tiles) L.tileLayer(config.tiles, { maxZoom: 20, attribution: config.attribution || '' }).addTo(map).bringToBack();
    map.setView([43.8465, 125.2225], 16);
    drawZone(await api.map());
    await load();
    map.on('moveend', () => { if (state.view === 'map') refresh(); });
    if (!report) { loadRsus(); setInterval(loadRsus, 10000); }
    if (new URLSearchParams(location.search).has('live')) { $('live').checked = true; setLive(true); }
  }

  // For tests and the curious: what the page shows.
  window.qzcc = {
    markerCount: () => state.markers.size,
    markerIds: () => [...state.markers.keys()],
    renderedMarkers: () => document.querySelectorAll('path.qz-event').length + [...document.querySelectorAll('.marker-cluster span')].reduce((s, e) => s + Number(e.textContent), 0),
    live: () => state.live ? state.live.readyState : -1,
    map,
  };

  start().catch((e) => { document.body.dataset.state = 'error'; setStatus('error: ' + (e && e.message ? e.message : String(e))); console.error('the page failed to start:', e); });
})();
