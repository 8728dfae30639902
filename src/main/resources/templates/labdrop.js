// labdrop pages: live updates without a full reload. Text only (textContent), never HTML from data.
"use strict";
(function () {
  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(url + ": " + r.status); } return r.json(); });
  }
  function cell(text, cls) {
    var td = document.createElement("td");
    if (cls) { td.className = cls; }
    td.textContent = text == null ? "" : String(text);
    return td;
  }
  function hostRow(h) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-host", h.name);
    var name = document.createElement("td");
    var a = document.createElement("a");
    a.href = "/hosts/" + encodeURIComponent(h.name);
    a.textContent = h.name;
    name.appendChild(a);
    tr.appendChild(name);
    tr.appendChild(cell(h.state, "state"));
    tr.appendChild(cell(h.health.status, "health"));
    tr.appendChild(cell((h.owner || "") + (h.ownerOnly ? " (owner-only)" : "")));
    tr.appendChild(cell(h.queued, "queue"));
    tr.appendChild(cell(h.step, "step"));
    tr.appendChild(cell(h.lastReport.at || "never", "seen"));
    tr.appendChild(cell(h.polls.count, "polls"));
    tr.appendChild(cell(h.labels.join(","), "labels"));
    return tr;
  }
  function poolRow(p) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-type", p.type);
    var type = document.createElement("td");
    var a = document.createElement("a");
    a.href = "/requests?type=" + encodeURIComponent(p.type);
    a.textContent = p.type;
    type.appendChild(a);
    tr.appendChild(type);
    ["hosts", "available", "busy", "maint", "unhealthy", "lost", "queued", "wait"].forEach(function (k) {
      tr.appendChild(cell(p[k], k));
    });
    return tr;
  }
  // A host of a group the page has not shown yet gets its own group at the end.
  function groupOf(table, key) {
    var group = table.querySelector("tbody[data-group=\"" + CSS.escape(key) + "\"]");
    if (group) { return group; }
    group = document.createElement("tbody");
    group.setAttribute("data-group", key);
    var head = document.createElement("tr");
    head.className = "group-row";
    var th = document.createElement("th");
    th.colSpan = 9;
    th.textContent = key;
    head.appendChild(th);
    group.appendChild(head);
    table.appendChild(group);
    return group;
  }
  // The live feed sends the hosts of this page written since the tick the page last applied; a
  // refresh that fails is made up by the next one, which asks from the same tick. Hosts that join
  // the page (added, or now matching its filter) were written, so they are sent and shown in place,
  // in the server's order; only a host that moved onto the page unchanged (another one before it
  // was added or removed) needs the page to be reloaded.
  function dashboard(table) {
    var pools = document.getElementById("pools");
    var group = table.getAttribute("data-group");
    function groupKey(h) {
      if (group === "state") { return h.state; }
      if (group === "labels") { return h.labels.length ? h.labels.join(",") : "(no labels)"; }
      return h.type;
    }
    function rowOf(name) { return table.querySelector("tr[data-host=\"" + CSS.escape(name) + "\"]"); }
    function refresh() {
      var url = table.getAttribute("data-live");
      var since = table.getAttribute("data-tick");
      getJson(url + (url.indexOf("?") < 0 ? "?" : "&") + "since=" + encodeURIComponent(since)).then(function (data) {
        var sent = {};
        data.hosts.forEach(function (h) { sent[h.name] = h; });
        if (data.names.some(function (n) { return !rowOf(n) && !sent[n]; })) {
          window.location.reload();
          return;
        }
        var keep = {};
        data.names.forEach(function (n) { keep[n] = true; });
        Array.prototype.forEach.call(table.querySelectorAll("tr[data-host]"), function (tr) {
          if (!keep[tr.getAttribute("data-host")]) { tr.parentNode.removeChild(tr); }
        });
        data.names.forEach(function (n) {
          var h = sent[n];
          var row = h ? hostRow(h) : rowOf(n);
          var key = h ? groupKey(h) : row.parentNode.getAttribute("data-group");
          var old = h ? rowOf(n) : null;
          if (old) { old.parentNode.removeChild(old); }
          var body = groupOf(table, key);
          table.appendChild(body);
          body.appendChild(row);
        });
        Array.prototype.slice.call(table.tBodies).forEach(function (body) {
          if (!body.querySelector("tr[data-host]")) { table.removeChild(body); }
        });
        Object.keys(data.queued).forEach(function (name) {
          var q = table.querySelector("tr[data-host=\"" + CSS.escape(name) + "\"] .queue");
          if (q) { q.textContent = String(data.queued[name]); }
        });
        if (pools) {
          var poolBody = pools.tBodies[0];
          while (poolBody.firstChild) { poolBody.removeChild(poolBody.firstChild); }
          data.pools.forEach(function (p) { poolBody.appendChild(poolRow(p)); });
        }
        Object.keys(data.counts).forEach(function (state) {
          var n = document.querySelector(".count[data-state=\"" + CSS.escape(state) + "\"] .n");
          if (n) { n.textContent = String(data.counts[state]); }
        });
        table.setAttribute("data-tick", String(data.tick));
        table.setAttribute("data-updated", new Date().toISOString());
      }).catch(function () { /* the next tick tries again, from the same tick */ });
    }
    setInterval(refresh, 3000);
  }
  function requestPage(table) {
    var url = table.getAttribute("data-live");
    var id = table.getAttribute("data-id");
    var log = document.getElementById("live-log");
    var logName = document.getElementById("live-log-name");
    var following = null;
    var offset = 0;
    function followLog(names) {
      if (!log || names.length === 0) { return Promise.resolve(); }
      var name = names[names.length - 1];
      if (name !== following) { following = name; offset = 0; log.textContent = ""; logName.textContent = name; }
      return fetch("/requests/" + encodeURIComponent(id) + "/log/" + name + "?offset=" + offset, { credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) { return; }
          var next = r.headers.get("X-Labdrop-Next-Offset");
          return r.text().then(function (text) {
            log.textContent += text;
            offset = next ? Number(next) : offset + text.length;
          });
        });
    }
    function refresh() {
      getJson(url).then(function (r) {
        document.getElementById("r-state").textContent = r.state;
        document.getElementById("r-reason").textContent = r.reason || "";
        var timeline = document.getElementById("timeline");
        while (timeline.firstChild) { timeline.removeChild(timeline.firstChild); }
        r.timeline.forEach(function (e) {
          var li = document.createElement("li");
          li.textContent = e.at + " — " + e.state + (e.note ? ": " + e.note : "");
          timeline.appendChild(li);
        });
        table.setAttribute("data-updated", new Date().toISOString());
        return followLog(r.runningLogs).then(function () {
          if (r.finished) { clearInterval(timer); window.location.reload(); }
        });
      }).catch(function () { /* the next tick tries again */ });
    }
    var timer = setInterval(refresh, 2000);
    refresh();
  }
  // The request form: "Add a test" copies the last test row with the next number, up to data-max.
  function requestForm(button) {
    button.addEventListener("click", function () {
      var rows = document.querySelectorAll("#tests .test-row");
      var max = Number(button.getAttribute("data-max"));
      if (rows.length >= max) { return; }
      var n = rows.length + 1;
      var row = rows[rows.length - 1].cloneNode(true);
      row.querySelectorAll("select, input").forEach(function (field) {
        var kind = field.name.replace(/-\d+$/, "");
        field.name = kind + "-" + n;
        field.id = kind + "-" + n;
        field.value = "";
      });
      var label = row.querySelector("label");
      label.firstChild.textContent = "Test " + n + " ";
      button.parentNode.insertBefore(row, button);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var addTest = document.getElementById("add-test");
    if (addTest) { requestForm(addTest); }
    var hosts = document.getElementById("hosts");
    if (hosts && hosts.getAttribute("data-live")) { dashboard(hosts); }
    var request = document.getElementById("request");
    if (request && request.getAttribute("data-live")) { requestPage(request); }
  });
})();
