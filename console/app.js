/* The reports console: a static page over the report API (no build step; Apache ECharts from vendor/).
 *
 * The page state lives in the URL query with the API's own parameter names, so a link reproduces
 * the view. The bearer token comes from the identity provider or a `#token=...` fragment: it is
 * moved to sessionStorage and the fragment is removed before any request, so it never reaches a
 * server, a log or a Referer; it is only ever sent in the Authorization header to the API.
 */
'use strict';

(function () {
  const TOKEN_KEY = 'telesales-reports-token';
  const PKCE_KEY = 'telesales-reports-pkce';
  const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const HEALTH = ['healthy', 'warning', 'suspected_block', 'no_data'];
  const FILTER_KEYS = ['date_from', 'date_to', 'timezone', 'campaign_id', 'team_id', 'agent_ids[]', 'compare', 'group_by'];
  const $ = (selector, root) => (root || document).querySelector(selector);
  const $$ = (selector, root) => Array.from((root || document).querySelectorAll(selector));

  const app = {
    config: { apiBase: '/api/telesales/reports' },
    token: null,
    options: null, // GET /filters
    reports: new Set(), // the dated reports the API documents (OpenAPI)
    compareReports: new Set(), // the reports whose GET takes `compare` (OpenAPI)
    generation: 0,
    charts: new Map(),
    sorts: new Map(),
    abandonCampaign: null,
    agentTeam: null, // the team the agent list is narrowed to ('' for all)
  };
  window.telesalesConsole = app; // for the browser tests and for support: read-only inspection

  class HttpError extends Error {
    constructor(status, body) {
      super(`HTTP ${status}`);
      this.status = status;
      this.body = body;
    }
  }

  // -- small helpers --------------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'text') node.textContent = value;
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) node.append(child.nodeType ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const intFormat = new Intl.NumberFormat('en-US');
  function display(value, type) {
    if (value === null || value === undefined) return '—';
    switch (type) {
      case 'int': return intFormat.format(Number(value));
      case 'num1': return Number(value).toFixed(1);
      case 'num2': return Number(value).toFixed(2);
      case 'pct': return `${value} %`; // decimal strings as the API sends them
      case 'sec': return `${value} s`;
      case 'intsec': return `${intFormat.format(Number(value))} s`;
      default: return String(value);
    }
  }

  function isoDay(date) {
    return date.toISOString().slice(0, 10);
  }

  function addDays(day, n) {
    const [y, m, d] = day.split('-').map(Number);
    return isoDay(new Date(Date.UTC(y, m - 1, d + n)));
  }

  function todayIn(timezone) {
    try {
      return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    } catch (e) {
      return isoDay(new Date()); // a TZDB name the browser does not know: fall back to UTC
    }
  }

  function textColor(hex) {
    const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || '');
    if (!m) return '#111827';
    const [r, g, b] = m.slice(1).map((h) => parseInt(h, 16));
    return (0.299 * r + 0.587 * g + 0.114 * b) > 150 ? '#111827' : '#ffffff';
  }

  function badge(text, color, extraClass) {
    const node = el('span', { class: `badge ${extraClass || ''}`.trim(), text });
    if (color) {
      node.style.backgroundColor = color; // CSSOM, allowed under style-src 'self'
      node.style.color = textColor(color);
    }
    return node;
  }

  // -- token and sign-in ----------------------------------------------------------------------------

  function takeTokenFromFragment() {
    if (!location.hash) return;
    const fragment = new URLSearchParams(location.hash.slice(1));
    const token = fragment.get('token') || fragment.get('id_token');
    // Drop the fragment from the address bar and history before anything else runs.
    history.replaceState(history.state, '', location.pathname + location.search);
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
  }

  function tokenClaims(token) {
    try {
      const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(decodeURIComponent(escape(atob(payload))));
    } catch (e) {
      return {};
    }
  }

  function showSignIn(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    app.token = null;
    $('#signin').hidden = false;
    $('#filters').hidden = true;
    $('#panels').hidden = true;
    $('#days-note').hidden = true;
    $('#sign-out').hidden = true;
    $('#who').textContent = '';
    $('#signin-message').textContent = message || "Sign in to see your tenant's reports.";
    $('#signin-idp').hidden = !app.config.cognito;
    ($('#signin-idp').hidden ? $('#token-input') : $('#signin-idp')).focus();
  }

  function randomString(bytes) {
    const data = crypto.getRandomValues(new Uint8Array(bytes));
    return btoa(String.fromCharCode(...data)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  // Cognito hosted UI, authorization code with PKCE (docs/console.md).
  async function signInWithIdp() {
    const cognito = app.config.cognito;
    const verifier = randomString(48);
    const state = randomString(16);
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
    const challenge = btoa(String.fromCharCode(...new Uint8Array(digest))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, search: location.search }));
    const params = new URLSearchParams({
      response_type: 'code',
      client_id: cognito.clientId,
      redirect_uri: cognito.redirectUri || `${location.origin}/`,
      scope: cognito.scope || 'openid email',
      state,
      code_challenge_method: 'S256',
      code_challenge: challenge,
    });
    location.assign(`https://${cognito.domain}/oauth2/authorize?${params}`);
  }

  async function finishIdpSignIn() {
    const query = new URLSearchParams(location.search);
    const code = query.get('code');
    const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) || 'null');
    if (!code || !saved || !app.config.cognito) return;
    sessionStorage.removeItem(PKCE_KEY);
    history.replaceState(null, '', location.pathname + (saved.search || ''));
    if (query.get('state') !== saved.state) return;
    const cognito = app.config.cognito;
    let response;
    try {
      response = await fetch(`https://${cognito.domain}/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: cognito.clientId,
          code,
          redirect_uri: cognito.redirectUri || `${location.origin}/`,
          code_verifier: saved.verifier,
        }),
      });
    } catch (e) {
      return; // the identity provider could not be reached: the sign-in panel offers to try again
    }
    if (response.ok) {
      const tokens = await response.json();
      sessionStorage.setItem(TOKEN_KEY, tokens[cognito.tokenUse === 'access' ? 'access_token' : 'id_token']);
    }
  }

  // -- the API --------------------------------------------------------------------------------------

  async function apiGet(path, params) {
    const query = params && params.toString();
    const response = await fetch(`${app.config.apiBase}/${path}${query ? `?${query}` : ''}`, {
      headers: { Authorization: `Bearer ${app.token}`, Accept: 'application/json' },
    });
    if (!response.ok) {
      let body = null;
      try { body = await response.json(); } catch (e) { /* not JSON */ }
      throw new HttpError(response.status, body);
    }
    return response.json();
  }

  // -- page state in the URL ------------------------------------------------------------------------

  function readState() {
    const query = new URLSearchParams(location.search);
    const timezone = query.get('timezone') || 'UTC';
    const today = todayIn(timezone);
    return {
      date_from: query.get('date_from') || addDays(today, -6),
      date_to: query.get('date_to') || today,
      timezone,
      campaign_id: query.get('campaign_id') || '',
      team_id: query.get('team_id') || '',
      agent_ids: query.getAll('agent_ids[]').concat(...query.getAll('agent_ids').map((v) => v.split(','))).filter(Boolean),
      compare: query.get('compare') || '',
      group_by: query.get('group_by') || 'day',
      others: Array.from(query).filter(([key]) => !FILTER_KEYS.includes(key) && key !== 'agent_ids'),
    };
  }

  function stateQuery(state) {
    const query = new URLSearchParams();
    query.set('date_from', state.date_from);
    query.set('date_to', state.date_to);
    query.set('timezone', state.timezone);
    if (state.campaign_id) query.set('campaign_id', state.campaign_id);
    if (state.team_id) query.set('team_id', state.team_id);
    for (const id of state.agent_ids) query.append('agent_ids[]', id);
    if (state.compare) query.set('compare', state.compare);
    if (state.group_by !== 'day') query.set('group_by', state.group_by);
    for (const [key, value] of state.others || []) query.append(key, value);
    return query;
  }

  function writeState(state, push) {
    const url = `${location.pathname}?${stateQuery(state).toString()}`;
    if (url !== location.pathname + location.search) history[push ? 'pushState' : 'replaceState'](null, '', url);
  }

  /** The parameters one report gets: the filters, plus compare (dashboard) and group_by (time-series). */
  function reportParams(report, state) {
    const query = new URLSearchParams();
    query.set('date_from', state.date_from);
    query.set('date_to', state.date_to);
    query.set('timezone', state.timezone);
    if (state.campaign_id) query.set('campaign_id', state.campaign_id);
    if (state.team_id) query.set('team_id', state.team_id);
    for (const id of state.agent_ids) query.append('agent_ids[]', id);
    if (state.compare && app.compareReports.has(report) && SHOWS_PREVIOUS.has(report)) query.set('compare', state.compare);
    if (report === 'time-series') query.set('group_by', state.group_by);
    return query;
  }

  // -- filter controls ------------------------------------------------------------------------------

  function fillControls() {
    const { campaigns, teams, agents, timezones } = app.options;
    const tz = $('#timezone');
    tz.replaceChildren(...timezones.map((name) => el('option', { value: name, text: name })));
    $('#campaign_id').replaceChildren(
      el('option', { value: '', text: 'All campaigns' }),
      ...campaigns.map((c) => el('option', { value: String(c.id), text: `${c.name} (${c.status})` })),
    );
    $('#team_id').replaceChildren(
      el('option', { value: '', text: 'All teams' }),
      ...teams.map((t) => el('option', { value: String(t.id), text: t.name })),
    );
    renderAgentOptions('', []);
    $('#abandon-campaign').replaceChildren(...campaigns.map((c) => el('option', { value: String(c.id), text: `${c.name} (${c.status})` })));
    if (!app.compareReports.size) {
      $('#compare').disabled = true;
      $('#compare-note').hidden = false;
    }
  }

  // The agent list follows the team filter: grouped by team (the tenant's team order, "No team" last),
  // and with a team chosen, only that team's agents (their current team, as /filters reports it).
  // Agents already picked stay listed and picked whatever the team, so a filter is never dropped unseen.
  function renderAgentOptions(teamId, picked) {
    const { teams, agents } = app.options;
    const option = (a) => el('option', { value: String(a.id), text: `${a.name} (${a.username})`, selected: picked.includes(String(a.id)) });
    const known = new Set(teams.map((t) => String(t.id)));
    const teamOf = (a) => (a.team_id !== null && a.team_id !== undefined && known.has(String(a.team_id)) ? String(a.team_id) : '');
    const narrow = Boolean(teamId) && known.has(teamId); // an unknown id (from a URL) narrows nothing; the API says why
    const groups = [];
    for (const team of teams) {
      if (narrow && String(team.id) !== teamId) continue;
      const members = agents.filter((a) => teamOf(a) === String(team.id));
      if (members.length) groups.push(el('optgroup', { label: team.name }, members.map(option)));
    }
    if (!narrow) {
      const loose = agents.filter((a) => teamOf(a) === '');
      if (loose.length) groups.push(el('optgroup', { label: 'No team' }, loose.map(option)));
    } else {
      const others = agents.filter((a) => teamOf(a) !== teamId && picked.includes(String(a.id)));
      if (others.length) groups.push(el('optgroup', { label: 'Picked, in other teams' }, others.map(option)));
    }
    $('#agent_ids').replaceChildren(...groups);
    app.agentTeam = teamId;
  }

  function ensureOption(select, value) {
    // A value from the URL that the lists do not offer stays selectable, so the API can say why it is wrong.
    if (value && !$$('option', select).some((o) => o.value === value)) select.append(el('option', { value, text: value }));
  }

  function showState(state) {
    $('#date_from').value = state.date_from.slice(0, 10);
    $('#date_to').value = state.date_to.slice(0, 10);
    for (const key of ['timezone', 'campaign_id', 'team_id', 'compare', 'group_by']) {
      ensureOption($(`#${key}`), state[key]);
      $(`#${key}`).value = state[key];
    }
    if (app.agentTeam !== state.team_id) renderAgentOptions(state.team_id, state.agent_ids);
    for (const id of state.agent_ids) ensureOption($('#agent_ids'), id);
    for (const option of $$('#agent_ids option')) option.selected = state.agent_ids.includes(option.value);
    const today = todayIn(state.timezone);
    const picks = {
      today: [today, today],
      yesterday: [addDays(today, -1), addDays(today, -1)],
      7: [addDays(today, -6), today],
      30: [addDays(today, -29), today],
      90: [addDays(today, -89), today],
    };
    for (const button of $$('[data-pick]')) {
      const [from, to] = picks[button.dataset.pick];
      button.setAttribute('aria-pressed', String(state.date_from === from && state.date_to === to));
    }
    const campaign = state.campaign_id || app.abandonCampaign || firstActiveCampaign();
    if (campaign) { ensureOption($('#abandon-campaign'), campaign); $('#abandon-campaign').value = campaign; }
  }

  function firstActiveCampaign() {
    const campaigns = app.options.campaigns;
    const active = campaigns.find((c) => c.status === 'active') || campaigns[0];
    return active ? String(active.id) : '';
  }

  function stateFromControls() {
    const state = readState();
    // A datetime from the URL (date_from=2026-06-01T07:00:00+07:00) stays as written unless its day is edited.
    for (const key of ['date_from', 'date_to']) {
      const day = $(`#${key}`).value;
      if (day && day !== state[key].slice(0, 10)) state[key] = day;
    }
    state.timezone = $('#timezone').value;
    state.campaign_id = $('#campaign_id').value;
    state.team_id = $('#team_id').value;
    state.agent_ids = $$('#agent_ids option').filter((o) => o.selected).map((o) => o.value);
    state.compare = $('#compare').value;
    state.group_by = $('#group_by').value;
    return state;
  }

  function onFilterChange() {
    writeState(stateFromControls(), true);
    refresh();
  }

  function onQuickPick(event) {
    const pick = event.target.closest('[data-pick]');
    if (!pick) return;
    const state = stateFromControls();
    const today = todayIn(state.timezone);
    const days = { today: [0, 0], yesterday: [-1, -1], 7: [-6, 0], 30: [-29, 0], 90: [-89, 0] }[pick.dataset.pick];
    state.date_from = addDays(today, days[0]);
    state.date_to = addDays(today, days[1]);
    writeState(state, true);
    refresh();
  }

  // -- errors next to the fields --------------------------------------------------------------------

  function fieldFor(key, report) {
    const base = key.split('.')[0];
    if (report === 'abandon-rate' && base === 'campaign_id') return 'abandon-campaign_id';
    return base;
  }

  function showFieldErrors(errors, report) {
    for (const [key, messages] of Object.entries(errors || {})) {
      const field = fieldFor(key, report);
      const slot = document.getElementById(`error-${field}`);
      if (!slot) continue;
      if (!slot.textContent.includes(messages[0])) slot.textContent = [slot.textContent, ...messages].filter(Boolean).join(' ');
      const control = document.getElementById(field === 'abandon-campaign_id' ? 'abandon-campaign' : field);
      if (control) control.setAttribute('aria-invalid', 'true');
    }
  }

  function clearFieldErrors(report) {
    for (const slot of $$('.field-error')) {
      const abandonSlot = slot.id === 'error-window_minutes' || slot.id === 'error-abandon-campaign_id';
      if ((report === 'abandon-rate') !== abandonSlot && report !== undefined) continue;
      slot.textContent = '';
    }
    for (const control of $$('[aria-invalid]')) {
      const isAbandon = control.id === 'abandon-campaign' || control.id === 'abandon-window';
      if (report === undefined || (report === 'abandon-rate') === isAbandon) control.removeAttribute('aria-invalid');
    }
  }

  // -- panels ---------------------------------------------------------------------------------------

  function panel(report) {
    return document.getElementById(`panel-${report}`);
  }

  function setPanelState(report, kind, message, retry) {
    const section = panel(report);
    const state = $('.state', section);
    section.dataset.state = kind;
    section.setAttribute('aria-busy', String(kind === 'loading'));
    state.replaceChildren();
    state.className = `state ${kind}`;
    if (kind === 'loading') state.textContent = 'Loading…';
    if (kind === 'error') {
      state.append(el('span', { text: message }));
      if (retry) state.append(' ', el('button', { type: 'button', class: 'retry', onclick: retry, text: 'Retry' }));
    }
  }

  async function loadPanel(report, state, generation) {
    setPanelState(report, 'loading');
    const exportStatus = $('.export-status', panel(report));
    if (exportStatus) exportStatus.replaceChildren(); // an export's failure was for the filters before
    try {
      let body;
      if (report === 'abandon-rate') {
        const campaign = $('#abandon-campaign').value;
        if (!campaign) {
          setPanelState(report, 'error', 'No campaign to show.');
          return;
        }
        const params = new URLSearchParams({ campaign_id: campaign, window_minutes: $('#abandon-window').value });
        body = await apiGet('abandon-rate', params);
      } else {
        body = await apiGet(report, reportParams(report, state));
      }
      if (generation !== app.generation) return; // a newer request replaced this one
      RENDER[report](panel(report), body, state);
      setPanelState(report, 'ready');
    } catch (error) {
      if (generation !== app.generation) return;
      if (!(error instanceof HttpError)) {
        setPanelState(report, 'error', 'The API could not be reached.', () => loadPanel(report, state, app.generation));
        console.warn(error); // eslint-disable-line no-console
        return;
      }
      if (error.status === 401) {
        showSignIn('Your session has ended. Sign in again.');
        return;
      }
      if (error.status === 422) {
        showFieldErrors(error.body && error.body.errors, report);
        setPanelState(report, 'error', 'Correct the highlighted filter to see this report.');
        return;
      }
      const message = error.status === 503 ? 'The reports are unavailable for a moment.' : 'Something went wrong on the server.';
      setPanelState(report, 'error', message, () => loadPanel(report, state, app.generation));
    }
  }

  function refresh() {
    app.generation += 1;
    const state = readState();
    showState(state);
    clearFieldErrors();
    for (const section of $$('.panel')) {
      const report = section.dataset.report;
      if (section.hidden) continue;
      loadPanel(report, state, app.generation);
    }
  }

  function refreshAbandon() {
    clearFieldErrors('abandon-rate');
    loadPanel('abandon-rate', readState(), app.generation);
  }

  // -- charts ---------------------------------------------------------------------------------------

  function chart(section, option) {
    const node = $('.chart', section);
    let instance = app.charts.get(node);
    if (!instance) {
      instance = echarts.init(node, null, { renderer: 'canvas' });
      app.charts.set(node, instance);
    }
    // Rich-text tooltips are drawn on the canvas: no inline HTML styles, so a strict CSP holds.
    instance.setOption({ animation: false, tooltip: { renderMode: 'richText', confine: true }, ...option }, true);
    return instance;
  }

  // -- tables ---------------------------------------------------------------------------------------

  /** A table whose cells carry the API's own value in data-value; sortable headers are buttons. */
  function table(section, report, columns, rows, options) {
    const opts = options || {};
    const wrap = opts.wrap || $('.table-wrap', section);
    const sort = app.sorts.get(report);
    let ordered = rows;
    if (opts.sortable && sort) {
      const column = columns.find((c) => c.key === sort.key);
      const numeric = column && column.type !== 'text' && column.type !== 'badge';
      ordered = rows.slice().sort((a, b) => {
        const x = a[sort.key];
        const y = b[sort.key];
        const order = numeric ? Number(x) - Number(y) : String(x).localeCompare(String(y), 'vi');
        return sort.dir === 'asc' ? order : -order;
      });
    }
    const head = el('tr', null, columns.map((column) => {
      const th = el('th', { scope: 'col', class: column.type === 'text' || column.type === 'badge' ? '' : 'num' });
      if (!opts.sortable) {
        th.textContent = column.label;
        return th;
      }
      const active = sort && sort.key === column.key;
      th.setAttribute('aria-sort', active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
      th.append(el('button', {
        type: 'button',
        class: 'sort',
        dataset: { sortKey: column.key },
        onclick: () => {
          const current = app.sorts.get(report);
          const numeric = column.type !== 'text' && column.type !== 'badge';
          const dir = current && current.key === column.key ? (current.dir === 'asc' ? 'desc' : 'asc') : (numeric ? 'desc' : 'asc');
          app.sorts.set(report, { key: column.key, dir });
          table(section, report, columns, rows, opts);
          const again = $(`button[data-sort-key="${column.key}"]`, wrap);
          if (again) again.focus();
        },
      }, column.label, el('span', { class: 'arrow', 'aria-hidden': 'true', text: active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : '' })));
      return th;
    }));
    const body = ordered.map((row) => el('tr', null, columns.map((column) => {
      const value = row[column.key];
      const cell = el(column.key === columns[0].key ? 'th' : 'td', {
        class: column.type === 'text' || column.type === 'badge' ? '' : 'num',
        dataset: { key: column.key, value: value === null || value === undefined ? '' : String(value) },
      });
      if (column.key === columns[0].key) cell.setAttribute('scope', 'row');
      if (column.type === 'badge') cell.append(column.badge(row));
      else cell.textContent = display(value, column.type);
      return cell;
    })));
    const node = el('table', { class: 'data', dataset: { report } },
      opts.caption ? el('caption', { text: opts.caption }) : null,
      el('thead', null, head), el('tbody', null, body));
    wrap.replaceChildren(node);
    if (!rows.length) wrap.append(el('p', { class: 'empty', text: 'No data for these filters.' }));
    return node;
  }

  // -- one renderer per report ----------------------------------------------------------------------

  const KPIS = [
    ['total_dials', 'Dials', 'int'],
    ['total_answers', 'Answers', 'int'],
    ['answer_rate_pct', 'Answer rate', 'pct'],
    ['total_conversions', 'Conversions', 'int'],
    ['conversion_rate_pct', 'Conversion rate', 'pct'],
    ['avg_talk_time_sec', 'Avg talk time', 'sec'],
    ['avg_aht_sec', 'Avg handle time', 'sec'],
    ['total_talk_time_sec', 'Talk time', 'intsec'],
    ['unique_agents', 'Agents', 'int'],
    ['pdpl_blocked_count', 'PDPL blocked', 'int'],
  ];

  function change(field, type, now, before) {
    const a = Number(now);
    const b = Number(before);
    if (Number.isNaN(a) || Number.isNaN(b)) return null;
    let text;
    if (type === 'pct') text = `${a - b >= 0 ? '+' : ''}${(a - b).toFixed(2)} pp`;
    else if (b === 0) text = a === 0 ? '±0' : 'new';
    else text = `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)} %`;
    const direction = a > b ? 'up' : a < b ? 'down' : 'flat';
    return el('span', { class: `change ${direction}`, dataset: { previous: String(before) }, title: `Previous: ${display(before, type)}` },
      `${direction === 'up' ? '▲' : direction === 'down' ? '▼' : '='} ${text}`);
  }

  // The panels that show the comparison window (the KPIs' changes, or a "vs previous" column); the
  // others are not sent `compare`, which would only make the API compute a window nobody sees.
  const SHOWS_PREVIOUS = new Set(['dashboard', 'disposition-breakdown', 'agent-performance', 'funnel', 'lead-source-attribution', 'attempts']);

  /** With `compare`, the column that sets each row's `measure` against the previous window's row of the
      same `key` (a row the previous window lacks is new there); without it, no column. */
  function previousColumn(body, key, measure, type) {
    if (!body.previous) return [];
    const before = new Map(body.previous.map((r) => [String(r[key]), r[measure]]));
    return [{
      key: `previous_${measure}`,
      label: 'vs previous',
      type: 'badge',
      badge: (row) => (before.has(String(row[key])) ? change(measure, type, row[measure], before.get(String(row[key])))
        : el('span', { class: 'change new', text: 'new' })),
    }];
  }

  /** The panel's note naming the comparison window (empty without `compare`). */
  function previousWindow(section, body) {
    const note = $('.previous-window', section);
    if (!note) return;
    const span = body.previous_window;
    note.textContent = span ? `Compared with ${span.date_from} – ${span.date_to} (exclusive end, UTC).` : '';
  }

  const RENDER = {
    dashboard(section, body) {
      const data = body.data;
      const previous = body.previous;
      $('.kpis', section).replaceChildren(...KPIS.map(([field, label, type]) => el('div', { class: 'kpi', dataset: { field } },
        el('span', { class: 'label', text: label }),
        el('span', { class: 'value', dataset: { value: String(data[field]) }, text: display(data[field], type) }),
        previous ? change(field, type, data[field], previous[field]) : null)));
      previousWindow(section, body);
    },

    'disposition-breakdown'(section, body) {
      const rows = body.data;
      chart(section, {
        series: [{
          type: 'pie',
          radius: ['45%', '75%'],
          minShowLabelAngle: 6,
          label: { show: true, formatter: '{b}: {d}%' },
          data: rows.map((r) => ({ name: r.label, value: r.count, itemStyle: { color: r.color } })),
        }],
      });
      table(section, 'disposition-breakdown', [
        { key: 'label', label: 'Disposition', type: 'badge', badge: (r) => badge(r.label, r.color) },
        { key: 'code', label: 'Code', type: 'text' },
        { key: 'category', label: 'Category', type: 'text' },
        { key: 'count', label: 'Calls', type: 'int' },
        ...previousColumn(body, 'code', 'count', 'int'),
        { key: 'pct', label: 'Share', type: 'pct' },
      ], rows);
      previousWindow(section, body);
    },

    'agent-performance'(section, body) {
      table(section, 'agent-performance', [
        { key: 'name', label: 'Agent', type: 'text' },
        { key: 'username', label: 'Username', type: 'text' },
        { key: 'agent_id', label: 'Id', type: 'int' },
        { key: 'dials', label: 'Dials', type: 'int' },
        { key: 'answers', label: 'Answers', type: 'int' },
        { key: 'conversions', label: 'Conversions', type: 'int' },
        ...previousColumn(body, 'agent_id', 'conversions', 'int'),
        { key: 'conv_rate', label: 'Conv. rate %', type: 'num2' },
        { key: 'avg_aht_sec', label: 'Avg handle s', type: 'int' },
      ], body.data, { sortable: true, caption: 'Select a column heading to sort.' });
      previousWindow(section, body);
    },

    funnel(section, body) {
      const rows = body.data;
      chart(section, {
        series: [{
          type: 'funnel',
          sort: 'none', // the stages keep the contract's order (they need not be monotonic)
          gap: 2,
          label: { show: true, position: 'inside', formatter: '{b}: {c}' },
          data: rows.map((r) => ({ name: r.stage, value: r.count })),
        }],
      });
      const total = rows.length ? rows[0].count : 0;
      table(section, 'funnel', [
        { key: 'stage', label: 'Stage', type: 'text' },
        { key: 'count', label: 'Leads', type: 'int' },
        ...previousColumn(body, 'stage', 'count', 'int'),
        { key: 'share', label: '% of leads', type: 'text' },
      ], rows.map((r) => ({ ...r, share: total ? `${((r.count / total) * 100).toFixed(1)} %` : '—' })));
      previousWindow(section, body);
    },

    'caller-id-health'(section, body) {
      const rows = body.data;
      const counts = Object.fromEntries(HEALTH.map((s) => [s, rows.filter((r) => r.health_status === s).length]));
      $('.status-counts', section).replaceChildren(...HEALTH.map((s) => el('span', { class: 'status-count', dataset: { status: s, count: String(counts[s]) } },
        badge(s.replace('_', ' '), null, `health-${s}`), ` ${counts[s]}`)));
      table(section, 'caller-id-health', [
        { key: 'cid', label: 'Caller ID', type: 'text' },
        { key: 'health_status', label: 'Health', type: 'badge', badge: (r) => badge(r.health_status.replace('_', ' '), null, `health-${r.health_status}`) },
        { key: 'display_name', label: 'Name', type: 'text' },
        { key: 'carrier', label: 'Carrier', type: 'text' },
        { key: 'cli_type', label: 'Type', type: 'text' },
        { key: 'pool_status', label: 'Pool', type: 'text' },
        { key: 'cooldown_until', label: 'Cooldown until', type: 'text' },
        { key: 'daily_cap', label: 'Daily cap', type: 'int' },
        { key: 'total_calls', label: 'Calls', type: 'int' },
        { key: 'answered_calls', label: 'Answered', type: 'int' },
        { key: 'asr_pct', label: 'ASR %', type: 'num1' },
        { key: 'acd_sec', label: 'ACD s', type: 'int' },
        { key: 'short_calls', label: 'Short', type: 'int' },
        { key: 'short_call_ratio_pct', label: 'Short %', type: 'num1' },
        { key: 'rejected_calls', label: 'Rejected', type: 'int' },
        { key: 'health_calls_today', label: 'Calls today', type: 'int' },
      ], rows, { sortable: true });
    },

    'hour-dow-heatmap'(section, body, state) {
      const rows = body.data;
      const max = Math.max(1, ...rows.map((r) => r.dials));
      chart(section, {
        grid: { left: 48, right: 16, top: 8, bottom: 84 },
        xAxis: { type: 'category', name: `hour (${state.timezone})`, nameLocation: 'middle', nameGap: 28, data: Array.from({ length: 24 }, (_, h) => String(h)) },
        yAxis: { type: 'category', data: WEEKDAYS, inverse: true },
        visualMap: { dimension: 2, min: 0, max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, inRange: { color: ['#f1f5f9', '#93c5fd', '#1d4ed8'] } },
        series: [{
          type: 'heatmap',
          data: rows.map((r) => [r.hour, r.day_of_week, r.dials, r.answered, r.answer_rate_pct]),
          encode: { x: 0, y: 1, value: 2 },
        }],
      });
      const byDay = WEEKDAYS.map((name, day) => {
        const row = { day: name };
        for (const r of rows.filter((item) => item.day_of_week === day)) row[`h${r.hour}`] = r;
        return row;
      });
      const wrap = $('.table-wrap', section);
      const head = el('tr', null, el('th', { scope: 'col', text: 'Day' }), Array.from({ length: 24 }, (_, h) => el('th', { scope: 'col', class: 'num', text: String(h) })));
      const lines = byDay.map((row, day) => el('tr', null, el('th', { scope: 'row', text: row.day }), Array.from({ length: 24 }, (_, h) => {
        const item = row[`h${h}`];
        return el('td', {
          class: 'num',
          dataset: { day: String(day), hour: String(h), dials: String(item.dials), answered: String(item.answered), rate: String(item.answer_rate_pct) },
          title: `${item.answered} answered, ${Number(item.answer_rate_pct).toFixed(1)} %`,
          text: intFormat.format(item.dials),
        });
      })));
      wrap.replaceChildren(el('table', { class: 'data heat', dataset: { report: 'hour-dow-heatmap' } },
        el('caption', { text: 'Dials per local weekday and hour (answered and answer rate in each cell\'s tooltip)' }),
        el('thead', null, head), el('tbody', null, lines)));
    },

    'lead-source-attribution'(section, body) {
      const rows = body.data;
      chart(section, {
        legend: { bottom: 0 },
        grid: { left: 100, right: 16, top: 8, bottom: 48 },
        xAxis: { type: 'value' },
        yAxis: { type: 'category', data: rows.map((r) => r.source), inverse: true },
        series: ['total_leads', 'dialed_count', 'contacted_count', 'conv_count'].map((key, i) => ({
          type: 'bar',
          name: ['Leads', 'Dialed', 'Contacted', 'Converted'][i],
          data: rows.map((r) => r[key]),
        })),
      });
      table(section, 'lead-source-attribution', [
        { key: 'source', label: 'Source', type: 'text' },
        { key: 'total_leads', label: 'Leads', type: 'int' },
        { key: 'dialed_count', label: 'Dialed', type: 'int' },
        { key: 'contacted_count', label: 'Contacted', type: 'int' },
        { key: 'conv_count', label: 'Converted', type: 'int' },
        ...previousColumn(body, 'source', 'conv_count', 'int'),
        { key: 'conv_rate_pct', label: 'Conv. rate', type: 'pct' },
      ], rows, { sortable: true });
      previousWindow(section, body);
    },

    'time-series'(section, body) {
      const rows = body.data;
      chart(section, {
        legend: { bottom: 0 },
        grid: { left: 56, right: 56, top: 16, bottom: 56 },
        xAxis: { type: 'category', data: rows.map((r) => r.bucket) },
        yAxis: [{ type: 'value', name: 'calls' }, { type: 'value', name: 'conversions' }],
        series: [
          { type: 'bar', name: 'Dials', data: rows.map((r) => r.dials), itemStyle: { color: '#93c5fd' } },
          { type: 'line', name: 'Answers', data: rows.map((r) => r.answers), itemStyle: { color: '#1d4ed8' } },
          { type: 'line', name: 'Conversions', yAxisIndex: 1, data: rows.map((r) => r.conversions), itemStyle: { color: '#10b981' } },
        ],
      });
      table(section, 'time-series', [
        { key: 'bucket', label: 'Bucket', type: 'text' },
        { key: 'dials', label: 'Dials', type: 'int' },
        { key: 'answers', label: 'Answers', type: 'int' },
        { key: 'talk_sec', label: 'Talk s', type: 'int' },
        { key: 'conversions', label: 'Conversions', type: 'int' },
      ], rows);
    },

    'abandon-rate'(section, body) {
      const current = body.data.current;
      const rate = Number(current.abandon_rate_pct);
      const limit = Number(current.limit_pct);
      const meter = el('meter', { min: '0', max: String(Math.max(limit * 2, rate)), low: String(limit * 0.8), high: String(limit), optimum: '0', value: String(rate) });
      $('.abandon-current', section).replaceChildren(el('div', { class: 'abandon', dataset: { field: 'current' } },
        el('p', { class: 'big' },
          el('span', { class: 'value', dataset: { key: 'abandon_rate_pct', value: String(current.abandon_rate_pct) }, text: `${rate.toFixed(2)} %` }),
          ' of ', el('span', { dataset: { key: 'limit_pct', value: String(current.limit_pct) }, text: `${limit.toFixed(2)} %` }), ' limit ',
          current.breached ? badge('breached', null, 'health-suspected_block') : badge('within limit', null, 'health-healthy')),
        meter,
        el('p', { class: 'detail' },
          el('span', { dataset: { key: 'attempts_abandoned', value: String(current.attempts_abandoned) }, text: intFormat.format(current.attempts_abandoned) }),
          ' abandoned of ',
          el('span', { dataset: { key: 'attempts_total', value: String(current.attempts_total) }, text: intFormat.format(current.attempts_total) }),
          ` answered calls, ${current.window_from} – ${current.window_to} UTC (${current.campaign_name}, ${current.campaign_status}).`)));
      table(section, 'abandon-rate', [
        { key: 'snapshot_at', label: 'Breach at (UTC)', type: 'text' },
        { key: 'abandon_rate_pct', label: 'Rate %', type: 'num2' },
        { key: 'limit_pct', label: 'Limit %', type: 'num2' },
        { key: 'attempts_abandoned', label: 'Abandoned', type: 'int' },
        { key: 'attempts_total', label: 'Answered', type: 'int' },
        { key: 'window_from', label: 'Window from', type: 'text' },
        { key: 'window_to', label: 'Window to', type: 'text' },
      ], body.data.breaches, { caption: 'Breach history (recorded snapshots, newest first)' });
    },

    attempts(section, body) {
      const rows = body.data;
      chart(section, {
        legend: { bottom: 0 },
        grid: { left: 56, right: 56, top: 16, bottom: 56 },
        xAxis: { type: 'category', name: 'attempt', data: rows.map((r) => r.attempt) },
        yAxis: [{ type: 'value', name: 'dials' }, { type: 'value', name: '%' }],
        series: [
          { type: 'bar', name: 'Dials', data: rows.map((r) => r.dials), itemStyle: { color: '#93c5fd' } },
          { type: 'line', name: 'Answer rate %', yAxisIndex: 1, data: rows.map((r) => Number(r.answer_rate_pct)) },
          { type: 'line', name: 'Conversion rate %', yAxisIndex: 1, data: rows.map((r) => Number(r.conversion_rate_pct)) },
        ],
      });
      table(section, 'attempts', [
        { key: 'attempt', label: 'Attempt', type: 'text' },
        { key: 'dials', label: 'Dials', type: 'int' },
        { key: 'answers', label: 'Answers', type: 'int' },
        { key: 'answer_rate_pct', label: 'Answer rate', type: 'pct' },
        { key: 'conversions', label: 'Conversions', type: 'int' },
        ...previousColumn(body, 'attempt', 'conversions', 'int'),
        { key: 'conversion_rate_pct', label: 'Conv. per dial', type: 'pct' },
        { key: 'avg_talk_time_sec', label: 'Avg talk', type: 'sec' },
      ], rows);
      previousWindow(section, body);
    },

    'carrier-health'(section, body) {
      table(section, 'carrier-health', [
        { key: 'carrier', label: 'Carrier', type: 'text' },
        { key: 'caller_ids', label: 'Numbers', type: 'int' },
        { key: 'total_calls', label: 'Calls', type: 'int' },
        { key: 'answered_calls', label: 'Answered', type: 'int' },
        { key: 'asr_pct', label: 'ASR %', type: 'num1' },
        { key: 'acd_sec', label: 'ACD s', type: 'int' },
        { key: 'short_call_ratio_pct', label: 'Short %', type: 'num1' },
        { key: 'rejected_ratio_pct', label: 'Rejected %', type: 'num1' },
        ...HEALTH.map((s) => ({ key: s, label: s.replace('_', ' '), type: 'int' })),
      ], body.data, { sortable: true });
    },
  };

  // -- downloads ------------------------------------------------------------------------------------

  function fileName(disposition) {
    const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition || '');
    return match ? decodeURIComponent(match[1]) : null;
  }

  async function download(report, format, button) {
    const state = readState();
    const params = reportParams(report, state);
    params.delete('compare');
    params.set('format', format);
    // An export's failure is the export's, shown beside its buttons: the panel's figures are still
    // those of the filters shown, and the panel's own Retry (if any) still reloads the report.
    const status = $('.export-status', panel(report));
    status.replaceChildren();
    button.disabled = true;
    const label = button.textContent;
    button.textContent = '…';
    try {
      // A large export answers 302 to a presigned S3 URL: fetch follows it (the export bucket allows
      // this origin by CORS) and drops the Authorization header on the cross-origin hop.
      const response = await fetch(`${app.config.apiBase}/${report}/export?${params}`, { headers: { Authorization: `Bearer ${app.token}` } });
      if (!response.ok) {
        let body = null;
        try { body = await response.json(); } catch (e) { /* a file error */ }
        throw new HttpError(response.status, body);
      }
      const blob = await response.blob();
      const fallback = `telesales-${report}-${state.date_from.replace(/-/g, '')}-${state.date_to.replace(/-/g, '')}.${format}`;
      const link = el('a', { href: URL.createObjectURL(blob), download: fileName(response.headers.get('Content-Disposition')) || fallback, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 30000);
    } catch (error) {
      if (error.status === 401) showSignIn('Your session has ended. Sign in again.');
      else if (error.status === 422) showFieldErrors(error.body && error.body.errors, report);
      else {
        status.append(el('span', { text: `The ${format.toUpperCase()} file could not be made.` }), ' ',
          el('button', { type: 'button', class: 'retry-export', onclick: () => download(report, format, button), text: 'Retry' }));
      }
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  }

  function addExportButtons() {
    for (const section of $$('.panel')) {
      const slot = $('.exports', section);
      if (!slot) continue;
      const report = section.dataset.report;
      const title = $('h2', section).textContent;
      slot.replaceChildren(...['csv', 'xlsx'].map((format) => el('button', {
        type: 'button',
        class: 'export',
        dataset: { format },
        'aria-label': `Download ${title} as ${format.toUpperCase()}`,
        onclick: (event) => download(report, format, event.currentTarget),
      }, format.toUpperCase())));
      if (!$('.export-status', section)) slot.before(el('span', { class: 'export-status', role: 'status' }));
    }
  }

  // -- start ----------------------------------------------------------------------------------------

  async function loadConfig() {
    try {
      const response = await fetch('config.json', { cache: 'no-store' });
      if (response.ok) Object.assign(app.config, await response.json());
    } catch (e) { /* the defaults serve the page from the API's own origin */ }
  }

  async function loadCapabilities() {
    // What the deployed API offers: optional reports and the compare parameter, from its OpenAPI document.
    const response = await fetch(`${app.config.apiBase}/openapi.json`, { headers: { Authorization: `Bearer ${app.token}` } });
    if (!response.ok) throw new HttpError(response.status, null);
    const doc = await response.json();
    const base = new URL(app.config.apiBase, location.href).pathname.replace(/\/$/, '');
    for (const [path, item] of Object.entries(doc.paths || {})) {
      if (!path.startsWith(`${base}/`)) continue;
      const report = path.slice(base.length + 1);
      app.reports.add(report);
      // every report whose GET takes `compare` (docs/api-reference.md §6.2: the dated reports)
      if (item.get && (item.get.parameters || []).some((p) => p.name === 'compare')) app.compareReports.add(report);
    }
    for (const section of $$('.panel[data-optional]')) section.hidden = !app.reports.has(section.dataset.report);
  }

  async function start() {
    takeTokenFromFragment();
    await loadConfig();
    await finishIdpSignIn();
    app.token = sessionStorage.getItem(TOKEN_KEY);
    if (!app.token) {
      showSignIn();
      return;
    }
    try {
      await loadCapabilities();
      app.options = (await apiGet('filters')).data;
    } catch (error) {
      if (error.status === 401) showSignIn('Your session has ended. Sign in again.');
      else {
        $('#signin').hidden = true;
        document.body.append(el('p', { class: 'state error', role: 'alert', text: 'The reports API is unavailable. Reload the page to retry.' }));
      }
      return;
    }
    const claims = tokenClaims(app.token);
    $('#who').textContent = claims.tenant_id ? `Tenant ${claims.tenant_id}` : '';
    $('#signin').hidden = true;
    $('#filters').hidden = false;
    $('#panels').hidden = false;
    $('#days-note').hidden = false;
    $('#sign-out').hidden = false;
    fillControls();
    addExportButtons();
    const state = readState();
    writeState(state, false); // the defaults go into the URL, so the link reproduces this view
    refresh();
  }

  function wire() {
    $('#signin-token').addEventListener('submit', (event) => {
      event.preventDefault();
      const value = $('#token-input').value.trim();
      if (!value) return;
      sessionStorage.setItem(TOKEN_KEY, value);
      $('#token-input').value = '';
      start();
    });
    $('#signin-idp').addEventListener('click', signInWithIdp);
    for (const id of ['date_from', 'date_to', 'timezone', 'campaign_id', 'team_id', 'agent_ids', 'compare', 'group_by']) {
      document.getElementById(id).addEventListener('change', onFilterChange);
    }
    $('.quick-picks').addEventListener('click', onQuickPick);
    $('#agents-clear').addEventListener('click', () => {
      for (const option of $$('#agent_ids option')) option.selected = false;
      onFilterChange();
    });
    $('#abandon-campaign').addEventListener('change', (event) => {
      app.abandonCampaign = event.target.value;
      refreshAbandon();
    });
    $('#abandon-window').addEventListener('change', refreshAbandon);
    $('#sign-out').addEventListener('click', () => showSignIn('Signed out.'));
    window.addEventListener('popstate', () => { if (app.options) refresh(); });
    window.addEventListener('resize', () => { for (const instance of app.charts.values()) instance.resize(); });
  }

  wire();
  start();
}());
