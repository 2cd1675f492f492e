// The page's script: reads the JSON island, fills the table and mounts one uPlot chart per
// series as it scrolls into view. Plain browser JavaScript kept as a string (no template
// placeholders or backticks inside), inlined by page.ts. Text from workloads only ever goes in
// through textContent, never innerHTML.

export const CLIENT_JS = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('perfgate-data').textContent);
  var SI = ['', 'k', 'M', 'G', 'T', 'P'];
  var TIME = ['ns', 'µs', 'ms', 's'];
  var repo = /^https?:\/\/[^\s"'<>]+$/.test(data.repository || '') ? data.repository.replace(/\/+$/, '') : null;

  function sig(v) {
    var a = Math.abs(v);
    return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
  }
  function cost(v) {
    if (v == null || !isFinite(v)) return '–';
    var time = data.unit === 'ns';
    var steps = time ? TIME : SI;
    var i = 0;
    while (Math.abs(v) >= 999.5 && i < steps.length - 1) { v /= 1000; i++; }
    return sig(v) + (time ? ' ' : '') + steps[i];
  }
  function pct(v) {
    var s = (v * 100).toFixed(Math.abs(v) < 0.01 ? 2 : 1);
    return (v > 0 ? '+' : v < 0 ? '−' : '') + s.replace('-', '') + ' %';
  }
  function sizeText(c) {
    return pct(c.size[0]) + ' [' + pct(c.size[1]) + ', ' + pct(c.size[2]) + ']';
  }
  function day(t) { return new Date(t * 1000).toISOString().slice(0, 10); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function commitLink(sha, text, cls) {
    var a = el(repo ? 'a' : 'span', cls, text || sha.slice(0, 12));
    if (repo) { a.href = repo + '/commit/' + encodeURIComponent(sha); a.rel = 'noopener'; }
    a.setAttribute('data-commit', sha);
    return a;
  }
  function rangeLink(c, cls) {
    var text = c.fromCommit.slice(0, 7) + '..' + c.toCommit.slice(0, 7);
    var a = el(repo ? 'a' : 'span', cls, text);
    if (repo) a.href = repo + '/compare/' + encodeURIComponent(c.fromCommit) + '...' + encodeURIComponent(c.toCommit);
    a.setAttribute('data-commit', c.toCommit);
    return a;
  }

  // Header
  var meta = document.getElementById('meta');
  meta.textContent = data.runs + ' runs of ' + data.series +
    (data.first ? ', ' + data.first.slice(0, 10) + ' … ' + data.last.slice(0, 10) : '') +
    ' · change points by E-divisive means (perfgate drift) · generated ' + data.generated.slice(0, 16).replace('T', ' ') + ' UTC';
  if (data.otherSeriesRuns > 0) {
    meta.appendChild(el('div', 'note', data.otherSeriesRuns + ' runs measured with another counter or CPU model are not shown: absolute costs from different counters or CPUs are never mixed.'));
  }
  if (data.fallback) document.getElementById('warning').hidden = false;

  // Table
  var tbody = document.querySelector('#table tbody');
  data.endpoints.forEach(function (s, i) {
    var tr = el('tr', s.total ? 'total' : '');
    var name = el('td');
    var a = el('a', null, s.name);
    a.href = '#chart-' + i;
    name.appendChild(a);
    tr.appendChild(name);
    tr.appendChild(el('td', 'num', s.total ? '–' : (s.share * 100).toFixed(1) + ' %'));
    var n = s.mean.length;
    tr.appendChild(el('td', 'num', n ? cost(s.mean[n - 1]) + ' [' + cost(s.low[n - 1]) + ', ' + cost(s.high[n - 1]) + ']' : '–'));
    tr.appendChild(el('td', 'num', String(n)));
    tr.appendChild(el('td', 'num', String(s.changes.length)));
    var last = el('td');
    var c = s.changes[s.changes.length - 1];
    if (c) {
      last.appendChild(el('span', c.size[0] > 0 ? 'up' : 'down', sizeText(c) + ' '));
      last.appendChild(rangeLink(c));
      last.appendChild(el('span', 'muted', ' ' + day(c.toT)));
    } else last.textContent = '–';
    tr.appendChild(last);
    tr.appendChild(el('td', 'num', String(s.regressions.length)));
    tbody.appendChild(tr);
  });

  // Charts
  var charts = document.getElementById('charts');
  var plots = [];
  function widthOf(box) { return Math.max(320, box.clientWidth); }

  function markers(u, s, box) {
    // Anchors over the plot, so change points and regressions are links to their commits.
    var over = u.over;
    var made = [];
    s.changes.forEach(function (c) {
      var a = rangeLink(c, 'cp-marker ' + (c.size[0] > 0 ? 'up' : 'down') + (c.beyond ? ' beyond' : ''));
      a.title = (c.kind === 'step' ? 'step ' : 'gradual change ') + sizeText(c) + ' between ' + day(c.fromT) + ' and ' + day(c.toT);
      a.textContent = '';
      over.appendChild(a);
      made.push({ a: a, t: c.toT, y: null });
    });
    s.regressions.forEach(function (i) {
      var a = commitLink(data.commits[s.commit[i]], '', 'reg-marker');
      a.title = 'gate regression at ' + day(s.t[i]);
      over.appendChild(a);
      made.push({ a: a, t: s.t[i], y: s.mean[i] });
    });
    return function place() {
      made.forEach(function (m) {
        m.a.style.left = u.valToPos(m.t, 'x') + 'px';
        m.a.style.top = (m.y == null ? 0 : u.valToPos(m.y, 'y')) + 'px';
      });
    };
  }

  function drawChanges(u, s) {
    var ctx = u.ctx;
    var top = u.bbox.top, h = u.bbox.height;
    ctx.save();
    s.changes.forEach(function (c) {
      var x0 = u.valToPos(c.fromT, 'x', true), x1 = u.valToPos(c.toT, 'x', true);
      var colour = c.size[0] > 0 ? '209,36,47' : '26,127,55';
      ctx.fillStyle = 'rgba(' + colour + ',0.12)';
      ctx.fillRect(x0, top, Math.max(2, x1 - x0), h);
      ctx.strokeStyle = 'rgba(' + colour + ',0.9)';
      ctx.setLineDash([4, 3]);
      ctx.lineWidth = 1.5 * devicePixelRatio;
      ctx.beginPath();
      ctx.moveTo(x1, top);
      ctx.lineTo(x1, top + h);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = 'rgba(' + colour + ',1)';
      ctx.font = (11 * devicePixelRatio) + 'px system-ui, sans-serif';
      ctx.fillText(pct(c.size[0]), x1 + 4 * devicePixelRatio, top + 26 * devicePixelRatio);
    });
    ctx.restore();
  }

  function mount(entry) {
    if (entry.plot) return;
    var s = entry.s, box = entry.plotBox;
    var place = null;
    var opts = {
      width: widthOf(box),
      height: s.total ? 260 : 200,
      cursor: { points: { size: 6 } },
      legend: { live: true },
      scales: { x: { time: true } },
      axes: [{}, { size: 70, values: function (u, vals) { return vals.map(cost); } }],
      series: [
        { value: function (u, v) { return v == null ? '–' : day(v); } },
        { label: 'low', stroke: 'rgba(31,111,235,0.35)', width: 0.5, points: { show: false }, value: function (u, v) { return cost(v); } },
        { label: 'high', stroke: 'rgba(31,111,235,0.35)', width: 0.5, points: { show: false }, value: function (u, v) { return cost(v); } },
        { label: 'mean per request', stroke: '#1f6feb', width: 1.5, points: { show: s.t.length <= 120, size: 3 }, value: function (u, v) { return cost(v); } },
      ],
      bands: [{ series: [2, 1], fill: 'rgba(31,111,235,0.14)' }],
      hooks: {
        draw: [function (u) { drawChanges(u, s); if (place) place(); }],
        setCursor: [function (u) {
          var i = u.cursor.idx;
          entry.hover.textContent = '';
          if (i == null) return;
          entry.hover.appendChild(document.createTextNode(day(s.t[i]) + ' · '));
          entry.hover.appendChild(commitLink(data.commits[s.commit[i]]));
        }],
      },
    };
    entry.plot = new uPlot(opts, [s.t, s.low, s.high, s.mean], box);
    place = markers(entry.plot, s, box);
    place();
    entry.section.setAttribute('data-rendered', '1');
    plots.push(entry);
  }

  var entries = data.endpoints.map(function (s, i) {
    var section = el('section', 'chart');
    section.id = 'chart-' + i;
    section.setAttribute('data-endpoint', s.name);
    section.appendChild(el('h2', null, s.name));
    var sub = el('div', 'muted', (s.total ? 'traffic-weighted mean cost per request over all endpoints' : (s.share * 100).toFixed(1) + ' % of the traffic-weighted cost') + ' · band: the run\'s interval');
    section.appendChild(sub);
    var plotBox = el('div', 'plot');
    plotBox.style.minHeight = (s.total ? 260 : 200) + 40 + 'px';
    section.appendChild(plotBox);
    var hover = el('div', 'hover muted');
    section.appendChild(hover);
    if (s.changes.length) {
      var ul = el('ul', 'changes');
      s.changes.forEach(function (c) {
        var li = el('li', 'change ' + (c.size[0] > 0 ? 'up' : 'down'));
        li.setAttribute('data-commit', c.toCommit);
        li.appendChild(el('b', null, (c.kind === 'step' ? 'step ' : 'gradual ') + sizeText(c)));
        li.appendChild(document.createTextNode(' in '));
        li.appendChild(rangeLink(c));
        li.appendChild(el('span', 'muted', ' (' + day(c.fromT) + ' … ' + day(c.toT) + ')' + (c.beyond ? ' · beyond the drift threshold' : '')));
        ul.appendChild(li);
      });
      section.appendChild(ul);
    }
    charts.appendChild(section);
    return { s: s, section: section, plotBox: plotBox, hover: hover, plot: null };
  });

  if ('IntersectionObserver' in window) {
    var io = new IntersectionObserver(function (seen) {
      seen.forEach(function (e) {
        if (!e.isIntersecting) return;
        io.unobserve(e.target);
        mount(entries[Number(e.target.id.slice(6))]);
      });
    }, { rootMargin: '800px 0px' });
    entries.forEach(function (e) { io.observe(e.section); });
  } else entries.forEach(mount);

  var timer = 0;
  window.addEventListener('resize', function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      plots.forEach(function (e) { e.plot.setSize({ width: widthOf(e.plotBox), height: e.s.total ? 260 : 200 }); });
    }, 100);
  });
  // For printing, tests and benchmarks: mount every chart now.
  window.perfgateRenderAll = function () { entries.forEach(mount); return plots.length; };
  window.addEventListener('beforeprint', window.perfgateRenderAll);
  requestAnimationFrame(function () { document.body.setAttribute('data-ready', '1'); });
})();
`;
